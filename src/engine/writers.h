/* writers.h: result writers that turn a streamed query result into JSON, NDJSON, CSV or
 * an aligned text table. A writer is an lh_result_sink (engine.h) that emits bytes
 * through a caller-supplied write function in pieces of about 64 KiB, so a large result
 * never sits whole in memory (the text table, which needs column widths, keeps at most
 * its first max_table_rows rows and says how many more there were). */
#ifndef LH_ENGINE_WRITERS_H
#define LH_ENGINE_WRITERS_H

#include "engine/engine.h"

typedef enum lh_result_format {
    LH_FORMAT_JSON,    /* {"columns":[{"name","type"}],"rows":[[..]],"row_count":..,"truncated":..} */
    LH_FORMAT_NDJSON,  /* one JSON object per row, keyed by column name */
    LH_FORMAT_CSV,     /* RFC 4180 with a header row, CRLF line ends */
    LH_FORMAT_TABLE,   /* human-readable aligned columns */
} lh_result_format;

/* Parses "json", "ndjson", "csv", "table"; LH_EINVAL otherwise. */
lh_status lh_result_format_parse(const char *s, lh_result_format *out, lh_err *err);

/* Receives output bytes. Returning non-LH_OK stops the query. */
typedef lh_status (*lh_write_fn)(void *ctx, const char *data, size_t len, lh_err *err);

typedef struct lh_result_writer lh_result_writer;

/* Creates a writer; free it with lh_result_writer_free after the query finished. */
lh_status lh_result_writer_new(lh_result_format fmt, lh_write_fn write, void *write_ctx,
                               lh_result_writer **out, lh_err *err);
void lh_result_writer_free(lh_result_writer *w);

/* The sink to pass to lh_engine_query; valid while the writer lives. */
lh_result_sink lh_result_writer_sink(lh_result_writer *w);

/* Sets elapsed milliseconds reported by the JSON format's "elapsed_ms" (optional). */
void lh_result_writer_set_start(lh_result_writer *w, double mono_start_ms);

#endif
