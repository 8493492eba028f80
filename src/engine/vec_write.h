/* vec_write.h: writes rows of a vector index (the _vectors/<index>/ tables, vector/index.h)
 * into a Parquet file, straight from C arrays: the rows go through DuckDB's appender as
 * data chunks (the vectors copied into the FLOAT[dims] column's memory, never printed as
 * text) into a temporary table of a connection of its own, then one COPY writes the file.
 * The columns are the index's: key VARCHAR, chunk_id VARCHAR, ordinal INTEGER,
 * chunk_start BIGINT, chunk_end BIGINT, chunk_text VARCHAR, content_hash VARCHAR,
 * vector FLOAT[dims]. Thread-safe: each call has its own connection. */
#ifndef LH_ENGINE_VEC_WRITE_H
#define LH_ENGINE_VEC_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct lh_engine lh_engine;

/* n rows, column arrays of n entries each (strings with their byte lengths; hashes and
 * ids NUL-terminated), vectors n x dims floats, row-major. Borrowed for the call. */
typedef struct lh_vec_rows {
    size_t n, dims;
    const char *const *keys;
    const size_t *key_lens;
    const char *const *chunk_ids;
    const int32_t *ordinals;
    const int64_t *starts, *ends;
    const char *const *texts;
    const size_t *text_lens;
    const char *const *hashes;
    const float *vectors;
} lh_vec_rows;

/* Writes rows to a new Parquet file at path (absolute, inside the data root; the caller
 * syncs and renames it). dims 1..65535. LH_EINVAL for bad sizes, LH_EIO or LH_EINTERNAL
 * with DuckDB's message otherwise. */
lh_status lh_engine_write_vec_parquet(lh_engine *e, const char *path, const lh_vec_rows *rows,
                                      lh_err *err);

#endif
