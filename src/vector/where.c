/* where.c: which rows of a loaded index a search may return (search_int.h).
 *
 * The rows whose key the source dataset's view shows now: that view hides tombstoned
 * keys, so a tombstoned key is out of every search from the moment the tombstone call
 * returns. A `where` predicate narrows it: it becomes
 *     SELECT CAST(<key> AS VARCHAR) FROM <dataset> WHERE (
 *     <predicate>
 *     )
 * run as a user query (the caller's gated runner: sandbox, statement gate, time travel).
 * Before that, DuckDB's own parse tree of that statement must still be one plain SELECT
 * over the source dataset alone: a predicate that closes the parenthesis to add a UNION,
 * an ORDER BY or a LIMIT, or that reads another dataset or a table function, is refused
 * naming the problem. Nothing here reads the predicate's text. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "engine/engine.h"
#include "vector/search_int.h"

#define WHERE_MAX (16u * 1024u)

static void build(const lh_vec_index *idx, const char *select, const char *where, lh_buf *sql)
{
    lh_buf_adds(sql, "SELECT ");
    lh_buf_adds(sql, select);
    lh_buf_adds(sql, " FROM ");
    lh_buf_add_sql_ident(sql, idx->dataset);
    if (where) {
        lh_buf_adds(sql, " WHERE (\n");
        lh_buf_adds(sql, where);
        lh_buf_adds(sql, "\n)");
    }
}

/* The first relation under v that is not the source dataset, into *bad ("" = none). */
static void other_relation(const json_t *v, const char *dataset, const char **bad, int depth)
{
    if (*bad || depth > 2000)
        return;
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x)
            other_relation(x, dataset, bad, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *type = json_string_value(json_object_get(v, "type"));
    if (type && !strcmp(type, "BASE_TABLE")) {
        const char *t = json_string_value(json_object_get(v, "table_name"));
        const char *schema = json_string_value(json_object_get(v, "schema_name"));
        const char *cat = json_string_value(json_object_get(v, "catalog_name"));
        if (!t || strcasecmp(t, dataset) || (schema && *schema) || (cat && *cat)) {
            *bad = t ? t : "?";
            return;
        }
    } else if (type && (!strcmp(type, "TABLE_FUNCTION") || !strcmp(type, "EXPRESSION_LIST") ||
                        !strcmp(type, "JOIN") || !strcmp(type, "PIVOT") ||
                        !strcmp(type, "SHOW_REF") || !strcmp(type, "COLUMN_DATA"))) {
        *bad = type;
        return;
    }
    json_object_foreach((json_t *)v, k, x)
        other_relation(x, dataset, bad, depth + 1);
}

static bool empty_list(const json_t *v) { return !v || (json_is_array(v) && !json_array_size(v)); }

lh_status lh__vec_where_check(const lh_vec_senv *env, const lh_vec_index *idx, const char *where,
                              lh_err *err)
{
    if (!*where)
        return lh_fail(err, LH_EINVAL, "where: empty predicate");
    if (strlen(where) > WHERE_MAX)
        return lh_fail(err, LH_EINVAL, "where: predicate over %u bytes", WHERE_MAX);
    lh_buf sql, q;
    lh_buf_init(&sql, 0);
    lh_buf_init(&q, 0);
    build(idx, "1", where, &sql);
    lh_buf_adds(&q, "SELECT json_serialize_sql(");
    lh_buf_add_sql_string(&q, lh_buf_cstr(&sql));
    lh_buf_adds(&q, ")");
    json_t *row = NULL, *tree = NULL;
    lh_status st = lh_buf_status(&sql) ? lh_buf_status(&sql) : lh_buf_status(&q);
    if (st)
        st = lh_fail(err, st, "where: predicate too long");
    else
        /* a pooled connection: never waits behind an ingest on the admin one */
        st = lh_engine_side_query(env->eng, lh_buf_cstr(&q), &row, err);
    const char *text = st ? NULL : json_string_value(json_array_get(row, 0));
    /* query_location can be UINT64_MAX ("none"), past a JSON integer: reals */
    if (!st && !(text && (tree = lh_json_loadb(text, strlen(text), JSON_DECODE_INT_AS_REAL, NULL))))
        st = lh_fail(err, LH_EINTERNAL, "where: DuckDB gave no parse tree");
    if (!st && json_is_true(json_object_get(tree, "error"))) {
        const char *m = json_string_value(json_object_get(tree, "error_message"));
        st = lh_fail(err, LH_EINVAL, "where: %s", m ? m : "the predicate does not parse");
    }
    const json_t *stmts = st ? NULL : json_object_get(tree, "statements");
    const json_t *node = json_object_get(json_array_get(stmts, 0), "node");
    const json_t *from = json_object_get(node, "from_table");
    if (!st && (json_array_size(stmts) != 1 ||
                strcmp(json_string_value(json_object_get(node, "type")) ?: "", "SELECT_NODE") ||
                !empty_list(json_object_get(node, "modifiers")) ||
                !empty_list(json_object_get(json_object_get(node, "cte_map"), "map")) ||
                !empty_list(json_object_get(node, "group_expressions")) ||
                !json_is_null(json_object_get(node, "having") ?: json_null()) ||
                !json_is_null(json_object_get(node, "qualify") ?: json_null()) ||
                !json_is_null(json_object_get(node, "sample") ?: json_null()) ||
                json_array_size(json_object_get(node, "select_list")) != 1 ||
                strcmp(json_string_value(json_object_get(from, "type")) ?: "", "BASE_TABLE") ||
                !json_object_get(node, "where_clause") ||
                json_is_null(json_object_get(node, "where_clause"))))
        st = lh_fail(err, LH_EINVAL, "where: must be one condition on the columns of %s (it "
                     "ends the condition early or adds a clause)", idx->dataset);
    const char *bad = NULL;
    if (!st)
        other_relation(node, idx->dataset, &bad, 0);
    if (bad)
        st = lh_fail(err, LH_EINVAL, "where: may use only the columns of dataset %s, not %s",
                     idx->dataset, bad);
    json_decref(row);
    json_decref(tree);
    lh_buf_release(&sql);
    lh_buf_release(&q);
    return st;
}

typedef struct allow_ctx {
    const lh_vec_index *idx;
    uint64_t *bits;
    size_t allowed;
} allow_ctx;

static lh_status allow_begin(void *ctx, const lh_result_column *cols, size_t ncols, lh_err *err)
{
    (void)ctx;
    (void)cols;
    if (ncols != 1)
        return lh_fail(err, LH_EINTERNAL, "where: %zu columns", ncols);
    return LH_OK;
}

static lh_status allow_row(void *ctx, const char *const *cells, const size_t *lens, lh_err *err)
{
    (void)err;
    allow_ctx *a = ctx;
    if (!cells[0])
        return LH_OK;
    int64_t id = lh__vec_keymap_find(a->idx, cells[0], lens[0]);
    if (id < 0)
        return LH_OK;
    for (uint32_t r = a->idx->keys.first[id]; r != UINT32_MAX; r = a->idx->keys.next[r]) {
        uint64_t bit = 1ull << (r % 64);
        if (!(a->bits[r / 64] & bit)) {
            a->bits[r / 64] |= bit;
            a->allowed++;
        }
    }
    return LH_OK;
}

static lh_status allow_end(void *ctx, uint64_t rows, bool truncated, lh_err *err)
{
    (void)ctx;
    (void)rows;
    (void)truncated;
    (void)err;
    return LH_OK;
}

lh_status lh__vec_allow(const lh_vec_senv *env, const lh_vec_index *idx, const char *where,
                        const json_t *as_of, uint64_t **bitmap, size_t *allowed, lh_err *err)
{
    *bitmap = NULL;
    *allowed = 0;
    lh_status st = where ? lh__vec_where_check(env, idx, where, err) : LH_OK;
    if (st)
        return st;
    allow_ctx a = {.idx = idx, .bits = lh_calloc(lh_vec_bitmap_words(idx->n) + 1, sizeof(uint64_t))};
    if (!a.bits)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lh_buf sel, sql;
    lh_buf_init(&sel, 0);
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sel, "CAST(");
    lh_buf_add_sql_ident(&sel, idx->key_column);
    lh_buf_adds(&sel, " AS VARCHAR)");
    build(idx, lh_buf_cstr(&sel), where, &sql);
    if ((st = lh_buf_status(&sel) ? lh_buf_status(&sel) : lh_buf_status(&sql)))
        st = lh_fail(err, st, "where: predicate too long");
    lh_result_sink sink = {.begin = allow_begin, .row = allow_row, .end = allow_end, .ctx = &a};
    if (!st && (st = env->sql(env->sql_ctx, lh_buf_cstr(&sql), as_of, &sink, err)))
        lh_fail_wrap(err, st, "%s", where ? "where" : idx->dataset);
    lh_buf_release(&sel);
    lh_buf_release(&sql);
    if (st) {
        free(a.bits);
        return st;
    }
    *bitmap = a.bits;
    *allowed = a.allowed;
    return LH_OK;
}
