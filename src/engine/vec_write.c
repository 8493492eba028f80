/* vec_write.c: vector index rows -> Parquet (vec_write.h). */
#include <string.h>

#include "core/buf.h"
#include "engine/engine_int.h"
#include "engine/vec_write.h"

#define NCOLS 8

static lh_status fail_res(duckdb_result *res, lh_err *err)
{
    return lh__engine_result_error(res, LH_EIO, "write index rows", err);
}

/* Appends rows [from, from + m) as one data chunk. */
static lh_status append_chunk(duckdb_appender app, duckdb_data_chunk ch, const lh_vec_rows *r,
                              size_t from, size_t m, lh_err *err)
{
    duckdb_data_chunk_reset(ch);
    duckdb_vector v[NCOLS];
    for (idx_t c = 0; c < NCOLS; c++)
        v[c] = duckdb_data_chunk_get_vector(ch, c);
    int32_t *ord = duckdb_vector_get_data(v[2]);
    int64_t *st = duckdb_vector_get_data(v[3]), *en = duckdb_vector_get_data(v[4]);
    float *vec = duckdb_vector_get_data(duckdb_array_vector_get_child(v[7]));
    for (size_t i = 0; i < m; i++) {
        size_t k = from + i;
        duckdb_vector_assign_string_element_len(v[0], i, r->keys[k], r->key_lens[k]);
        duckdb_vector_assign_string_element_len(v[1], i, r->chunk_ids[k], strlen(r->chunk_ids[k]));
        ord[i] = r->ordinals[k];
        st[i] = r->starts[k];
        en[i] = r->ends[k];
        duckdb_vector_assign_string_element_len(v[5], i, r->texts[k], r->text_lens[k]);
        duckdb_vector_assign_string_element_len(v[6], i, r->hashes[k], strlen(r->hashes[k]));
        memcpy(vec + i * r->dims, r->vectors + k * r->dims, r->dims * sizeof *vec);
    }
    duckdb_data_chunk_set_size(ch, m);
    if (duckdb_append_data_chunk(app, ch) == DuckDBError)
        return lh_fail(err, LH_EINTERNAL, "write index rows: %s", duckdb_appender_error(app));
    return LH_OK;
}

lh_status lh_engine_write_vec_parquet(lh_engine *e, const char *path, const lh_vec_rows *rows,
                                      lh_err *err)
{
    if (!rows->dims || rows->dims > 65535)
        return lh_fail(err, LH_EINVAL, "write index rows: %zu dimensions", rows->dims);
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "CREATE TEMP TABLE __lh_vec_rows (key VARCHAR, chunk_id VARCHAR, "
                        "ordinal INTEGER, chunk_start BIGINT, chunk_end BIGINT, chunk_text VARCHAR, "
                        "content_hash VARCHAR, vector FLOAT[%zu])", rows->dims);
    lh_buf copy;
    lh_buf_init(&copy, 0);
    lh_buf_adds(&copy, "COPY __lh_vec_rows TO ");
    lh_buf_add_sql_string(&copy, path);
    lh_buf_adds(&copy, " (FORMAT parquet, COMPRESSION snappy)");
    lh_status s = lh_buf_status(&sql) ? lh_buf_status(&sql) : lh_buf_status(&copy);
    if (s) {
        lh_buf_release(&sql);
        lh_buf_release(&copy);
        return lh_fail(err, s, "write index rows: path too long");
    }
    duckdb_connection conn = NULL;
    duckdb_appender app = NULL;
    duckdb_data_chunk ch = NULL;
    duckdb_logical_type types[NCOLS] = {0};
    duckdb_result res;
    if (duckdb_connect(e->db, &conn) == DuckDBError) {
        s = lh_fail(err, LH_EINTERNAL, "engine: could not open a connection");
        goto cleanup;
    }
    if (duckdb_query(conn, sql.data, &res) == DuckDBError)
        s = fail_res(&res, err);
    duckdb_destroy_result(&res);
    if (s)
        goto cleanup;
    if (duckdb_appender_create(conn, NULL, "__lh_vec_rows", &app) == DuckDBError) {
        s = lh_fail(err, LH_EINTERNAL, "write index rows: %s", duckdb_appender_error(app));
        goto cleanup;
    }
    duckdb_logical_type fl = duckdb_create_logical_type(DUCKDB_TYPE_FLOAT);
    types[0] = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    types[1] = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    types[2] = duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
    types[3] = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    types[4] = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    types[5] = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    types[6] = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    types[7] = duckdb_create_array_type(fl, rows->dims);
    duckdb_destroy_logical_type(&fl);
    ch = duckdb_create_data_chunk(types, NCOLS);
    if (!ch) {
        s = lh_fail(err, LH_ENOMEM, "out of memory");
        goto cleanup;
    }
    size_t cap = (size_t)duckdb_vector_size();
    for (size_t from = 0; !s && from < rows->n; from += cap)
        s = append_chunk(app, ch, rows, from, rows->n - from < cap ? rows->n - from : cap, err);
    if (duckdb_appender_destroy(&app) == DuckDBError && !s)
        s = lh_fail(err, LH_EINTERNAL, "write index rows: the appender failed");
    if (s)
        goto cleanup;
    if (duckdb_query(conn, copy.data, &res) == DuckDBError)
        s = fail_res(&res, err);
    duckdb_destroy_result(&res);
cleanup:
    if (app)
        duckdb_appender_destroy(&app);
    if (ch)
        duckdb_destroy_data_chunk(&ch);
    for (int c = 0; c < NCOLS; c++)
        if (types[c])
            duckdb_destroy_logical_type(&types[c]);
    if (conn)
        duckdb_disconnect(&conn);
    lh_buf_release(&sql);
    lh_buf_release(&copy);
    return s;
}
