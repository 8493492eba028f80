/* hits.c: the source columns a search returns with its hits (search_int.h), read as a
 * user query through the caller's gated runner:
 *     SELECT CAST(<key> AS VARCHAR), <col>, ... FROM <dataset> WHERE CAST(<key> AS VARCHAR)
 *     IN ('k1', 'k2', ...)
 * Column names are checked against the dataset's columns first, so an unknown one is a
 * one-line error naming it (not a binder error), and identifiers are always quoted. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "engine/engine.h"
#include "vector/search_int.h"

/* ---- the dataset's column names ------------------------------------------------------ */

typedef struct names_ctx {
    json_t *names;
} names_ctx;

static lh_status names_begin(void *ctx, const lh_result_column *cols, size_t ncols, lh_err *err)
{
    names_ctx *c = ctx;
    for (size_t i = 0; i < ncols; i++)
        if (json_array_append_new(c->names, json_string(cols[i].name)))
            return lh_fail(err, LH_ENOMEM, "out of memory");
    return LH_OK;
}

static lh_status no_row(void *ctx, const char *const *cells, const size_t *lens, lh_err *err)
{
    (void)ctx;
    (void)cells;
    (void)lens;
    (void)err;
    return LH_OK;
}

static lh_status no_end(void *ctx, uint64_t rows, bool truncated, lh_err *err)
{
    (void)ctx;
    (void)rows;
    (void)truncated;
    (void)err;
    return LH_OK;
}

static lh_status check_columns(const lh_vec_senv *env, const lh_vec_index *idx,
                               const json_t *columns, const json_t *as_of, lh_err *err)
{
    names_ctx c = {.names = json_array()};
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT * FROM ");
    lh_buf_add_sql_ident(&sql, idx->dataset);
    lh_buf_adds(&sql, " LIMIT 0");
    lh_status st = c.names ? lh_buf_status(&sql) : LH_ENOMEM;
    if (st)
        st = lh_fail(err, st, "out of memory");
    lh_result_sink sink = {.begin = names_begin, .row = no_row, .end = no_end, .ctx = &c};
    if (!st && (st = env->sql(env->sql_ctx, lh_buf_cstr(&sql), as_of, &sink, err)))
        lh_fail_wrap(err, st, "dataset %s", idx->dataset);
    size_t i, j;
    json_t *want, *have;
    json_array_foreach(st ? NULL : columns, i, want) {
        const char *w = json_string_value(want);
        bool found = false;
        json_array_foreach(c.names, j, have)
            found |= w && !strcmp(w, json_string_value(have));
        if (found)
            continue;
        lh_buf list;
        lh_buf_init(&list, 600);
        json_array_foreach(c.names, j, have) {
            lh_buf_adds(&list, j ? ", " : "");
            lh_buf_adds(&list, json_string_value(have));
        }
        st = lh_fail(err, LH_EINVAL, "unknown column '%s' in dataset %s (its columns: %s)",
                     w ? w : "(not a string)", idx->dataset,
                     lh_buf_status(&list) ? "too many to list" : lh_buf_cstr(&list));
        lh_buf_release(&list);
        break;
    }
    json_decref(c.names);
    lh_buf_release(&sql);
    return st;
}

/* ---- the values ------------------------------------------------------------------------ */

typedef struct cols_ctx {
    json_t *out;
    const lh_result_column *cols;
    size_t ncols;
} cols_ctx;

static lh_status cols_begin(void *ctx, const lh_result_column *cols, size_t ncols, lh_err *err)
{
    (void)err;
    cols_ctx *c = ctx;
    c->cols = cols;
    c->ncols = ncols;
    return LH_OK;
}

/* A cell as JSON, by how the engine says it renders. */
static json_t *cell_json(const lh_result_column *col, const char *s, size_t len)
{
    if (!s)
        return json_null();
    if (col->kind == LH_CELL_BOOL)
        return json_boolean(len == 4 && !memcmp(s, "true", 4));
    if (col->kind == LH_CELL_NUMBER || col->kind == LH_CELL_JSON) {
        json_t *v = lh_json_loadb(s, len, JSON_DECODE_ANY, NULL);
        if (v)
            return v;
    }
    return json_stringn(s, len);
}

static lh_status cols_row(void *ctx, const char *const *cells, const size_t *lens, lh_err *err)
{
    cols_ctx *c = ctx;
    if (!cells[0])
        return LH_OK;
    json_t *obj = json_object();
    for (size_t i = 1; obj && i < c->ncols; i++) {
        json_t *v = cell_json(&c->cols[i], cells[i], lens[i]);
        if (!v || json_object_set_new(obj, c->cols[i].name, v))
            json_decref(obj), obj = NULL;
    }
    char key[1024];
    if (lens[0] >= sizeof key) {
        json_decref(obj);
        return LH_OK;
    }
    memcpy(key, cells[0], lens[0]);
    key[lens[0]] = '\0';
    if (!obj || json_object_set_new(c->out, key, obj))
        return lh_fail(err, LH_ENOMEM, "out of memory");
    return LH_OK;
}

lh_status lh__vec_columns(const lh_vec_senv *env, const lh_vec_index *idx, const json_t *columns,
                          const json_t *keys, const json_t *as_of, json_t **out, lh_err *err)
{
    *out = NULL;
    lh_status st = check_columns(env, idx, columns, as_of, err);
    if (st)
        return st;
    cols_ctx c = {.out = json_object()};
    if (!c.out)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    if (!json_array_size(keys)) {
        *out = c.out;
        return LH_OK;
    }
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT CAST(");
    lh_buf_add_sql_ident(&sql, idx->key_column);
    lh_buf_adds(&sql, " AS VARCHAR) AS __lh_key");
    size_t i;
    json_t *v;
    json_array_foreach(columns, i, v) {
        lh_buf_adds(&sql, ", ");
        lh_buf_add_sql_ident(&sql, json_string_value(v));
    }
    lh_buf_adds(&sql, " FROM ");
    lh_buf_add_sql_ident(&sql, idx->dataset);
    lh_buf_adds(&sql, " WHERE CAST(");
    lh_buf_add_sql_ident(&sql, idx->key_column);
    lh_buf_adds(&sql, " AS VARCHAR) IN (");
    json_array_foreach(keys, i, v) {
        lh_buf_adds(&sql, i ? ", " : "");
        lh_buf_add_sql_string(&sql, json_string_value(v));
    }
    lh_buf_adds(&sql, ")");
    if ((st = lh_buf_status(&sql)))
        st = lh_fail(err, st, "out of memory");
    lh_result_sink sink = {.begin = cols_begin, .row = cols_row, .end = no_end, .ctx = &c};
    if (!st && (st = env->sql(env->sql_ctx, lh_buf_cstr(&sql), as_of, &sink, err)))
        lh_fail_wrap(err, st, "columns of %s", idx->dataset);
    lh_buf_release(&sql);
    if (st) {
        json_decref(c.out);
        return st;
    }
    *out = c.out;
    return LH_OK;
}
