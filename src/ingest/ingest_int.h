/* ingest_int.h: pieces of the ingest pipeline shared by its files. */
#ifndef LH_INGEST_INGEST_INT_H
#define LH_INGEST_INGEST_INT_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "engine/engine.h"

/* Decides the format ("csv", "json", "ndjson") from the request, the extension and the
 * first bytes; refuses empty files, binary content and files whose bytes contradict
 * their extension. */
lh_status lh__ingest_detect_format(const char *path, const char *requested, char out[16], lh_err *err);

/* Copies src into dst (created exclusively, O_NOFOLLOW) while hashing; fsyncs dst. */
lh_status lh__ingest_stage_copy(const char *src, const char *dst, char sha[65], int64_t *size,
                                lh_err *err);

/* The DuckDB table-function call that reads the staged file, e.g. read_csv('...', ...),
 * after sniffing and checking CSV dialect problems (ragged rows, duplicate headers).
 * options receives the parse options used (for lineage). */
lh_status lh__ingest_source_sql(lh_engine *eng, const char *format, const char *staged,
                                lh_buf *source, json_t *options, lh_err *err);

/* Builds the projection that makes the source Delta-safe: nested objects flattened to
 * parent_child, arrays/maps as JSON text, names without " ,;{}()\n\t=", and types
 * Delta can hold. renames receives {"from","to"} objects. */
lh_status lh__ingest_projection(lh_engine *eng, const char *source, lh_buf *projection,
                                json_t *renames, lh_err *err);

/* Delta "stats" JSON (numRecords, minValues, maxValues, nullCount) of a Parquet file,
 * computed by a full scan; *rows receives the row count read back. */
lh_status lh__ingest_file_stats(lh_engine *eng, const char *parquet_path, json_t *columns,
                                int64_t *rows, char **stats_json, lh_err *err);

/* First line of a DuckDB error, or two when the second names the offending line. */
void lh__ingest_short_error(lh_err *err);

#endif
