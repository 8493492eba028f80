/* vec_read.c: our own query over a vector index table, read column by column straight
 * from DuckDB's vectors (lh_engine_scan_vectors in engine.h): a FLOAT[dims] column as
 * floats, never as text (100,000 vectors of 256 floats are ~250 MB as text). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/engine_int.h"

#define MAX_COLS 16

/* Text of row r of a VARCHAR, BIGINT or INTEGER vector into tmp/cell. */
static bool cell(duckdb_vector vec, duckdb_type t, idx_t r, char *tmp, size_t tmpsz,
                 const char **out, size_t *len)
{
    uint64_t *validity = duckdb_vector_get_validity(vec);
    if (validity && !duckdb_validity_row_is_valid(validity, r)) {
        *out = NULL;
        *len = 0;
        return true;
    }
    if (t == DUCKDB_TYPE_VARCHAR) {
        duckdb_string_t *s = (duckdb_string_t *)duckdb_vector_get_data(vec) + r;
        *len = duckdb_string_t_length(*s);
        *out = duckdb_string_t_data(s);
        return true;
    }
    long long v;
    if (t == DUCKDB_TYPE_BIGINT)
        v = ((int64_t *)duckdb_vector_get_data(vec))[r];
    else if (t == DUCKDB_TYPE_INTEGER)
        v = ((int32_t *)duckdb_vector_get_data(vec))[r];
    else
        return false;
    int w = snprintf(tmp, tmpsz, "%lld", v);
    *out = tmp;
    *len = (size_t)w;
    return true;
}

lh_status lh_engine_scan_vectors(lh_engine *e, const char *sql, size_t dims,
                                 lh_engine_vec_row_fn fn, void *ctx, lh_err *err)
{
    if (!sql)
        return lh_fail(err, LH_EINVAL, "no SQL statement (a failed builder?)");
    lh__conn *conn = lh__engine_acquire(e);
    if (!conn)
        return lh_fail(err, LH_EINTERNAL, "engine: could not open a connection");
    duckdb_result res;
    lh_status st = LH_OK;
    bool have_res = false;
    if (duckdb_query(conn->conn, sql, &res) == DuckDBError) {
        st = lh__engine_result_error(&res, LH_EINTERNAL, "vector index", err);
        duckdb_destroy_result(&res);
        goto done;
    }
    have_res = true;
    idx_t ncols = duckdb_column_count(&res);
    if (ncols < 1 || ncols > MAX_COLS) {
        st = lh_fail(err, LH_EINTERNAL, "vector index query: %llu columns",
                     (unsigned long long)ncols);
        goto done;
    }
    for (;;) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(res);
        if (!chunk)
            break;
        idx_t n = duckdb_data_chunk_get_size(chunk);
        duckdb_vector vecs[MAX_COLS];
        duckdb_type types[MAX_COLS];
        for (idx_t c = 0; c < ncols; c++) {
            vecs[c] = duckdb_data_chunk_get_vector(chunk, c);
            duckdb_logical_type lt = duckdb_vector_get_column_type(vecs[c]);
            types[c] = duckdb_get_type_id(lt);
            if (c + 1 == ncols && types[c] == DUCKDB_TYPE_ARRAY) {
                if (duckdb_array_type_array_size(lt) != dims) {
                    st = lh_fail(err, LH_ECORRUPT, "vector index: vectors have %llu dimensions, the "
                                 "registry says %zu",
                                 (unsigned long long)duckdb_array_type_array_size(lt), dims);
                } else {
                    duckdb_logical_type child = duckdb_array_type_child_type(lt);
                    if (duckdb_get_type_id(child) != DUCKDB_TYPE_FLOAT)
                        st = lh_fail(err, LH_ECORRUPT, "vector index: vectors are not FLOAT[]");
                    duckdb_destroy_logical_type(&child);
                }
            } else if (c + 1 == ncols) {
                st = lh_fail(err, LH_ECORRUPT, "vector index: the vector column is not FLOAT[%zu]",
                             dims);
            }
            duckdb_destroy_logical_type(&lt);
        }
        const float *data = NULL;
        uint64_t *vvalid = NULL;
        if (!st) {
            duckdb_vector child = duckdb_array_vector_get_child(vecs[ncols - 1]);
            data = duckdb_vector_get_data(child);
            vvalid = duckdb_vector_get_validity(vecs[ncols - 1]);
        }
        const char *cells[MAX_COLS];
        size_t lens[MAX_COLS];
        char tmp[MAX_COLS][32];
        for (idx_t r = 0; r < n && !st; r++) {
            for (idx_t c = 0; c + 1 < ncols && !st; c++)
                if (!cell(vecs[c], types[c], r, tmp[c], sizeof tmp[c], &cells[c], &lens[c]))
                    st = lh_fail(err, LH_EINTERNAL, "vector index query: column %llu has a type "
                                 "this reader does not take", (unsigned long long)c);
            if (st)
                break;
            const float *v = vvalid && !duckdb_validity_row_is_valid(vvalid, r) ? NULL
                                                                                 : data + r * dims;
            st = fn(ctx, cells, lens, (size_t)(ncols - 1), v, err);
        }
        duckdb_destroy_data_chunk(&chunk);
        if (st)
            break;
    }
done:
    if (have_res)
        duckdb_destroy_result(&res);
    if (st)
        lh__engine_forget(e, conn);
    else
        lh__engine_release(e, conn);
    return st;
}
