/* query.c: running user SQL. One statement, through the gate, streamed chunk by chunk.
 *
 * Every result column is rendered to text by DuckDB itself: the user's query is wrapped
 * as SELECT CAST(#i AS VARCHAR) ... (nested types through to_json), so writers only ever
 * see strings, and the wrapped text goes through the gate again (a query that parses one
 * way alone and another way inside the wrapper is refused, not run). */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "engine/engine_int.h"

static lh_status type_name(duckdb_logical_type t, lh_buf *out);

static lh_status child_type_name(duckdb_logical_type child, lh_buf *out)
{
    lh_status st = type_name(child, out);
    duckdb_destroy_logical_type(&child);
    return st;
}

/* DuckDB's SQL spelling of a logical type (the C API has no to-string). */
static lh_status type_name(duckdb_logical_type t, lh_buf *out)
{
    static const struct { duckdb_type id; const char *name; } simple[] = {
        {DUCKDB_TYPE_BOOLEAN, "BOOLEAN"}, {DUCKDB_TYPE_TINYINT, "TINYINT"},
        {DUCKDB_TYPE_SMALLINT, "SMALLINT"}, {DUCKDB_TYPE_INTEGER, "INTEGER"},
        {DUCKDB_TYPE_BIGINT, "BIGINT"}, {DUCKDB_TYPE_UTINYINT, "UTINYINT"},
        {DUCKDB_TYPE_USMALLINT, "USMALLINT"}, {DUCKDB_TYPE_UINTEGER, "UINTEGER"},
        {DUCKDB_TYPE_UBIGINT, "UBIGINT"}, {DUCKDB_TYPE_FLOAT, "FLOAT"},
        {DUCKDB_TYPE_DOUBLE, "DOUBLE"}, {DUCKDB_TYPE_TIMESTAMP, "TIMESTAMP"},
        {DUCKDB_TYPE_DATE, "DATE"}, {DUCKDB_TYPE_TIME, "TIME"},
        {DUCKDB_TYPE_INTERVAL, "INTERVAL"}, {DUCKDB_TYPE_HUGEINT, "HUGEINT"},
        {DUCKDB_TYPE_UHUGEINT, "UHUGEINT"}, {DUCKDB_TYPE_VARCHAR, "VARCHAR"},
        {DUCKDB_TYPE_BLOB, "BLOB"}, {DUCKDB_TYPE_TIMESTAMP_S, "TIMESTAMP_S"},
        {DUCKDB_TYPE_TIMESTAMP_MS, "TIMESTAMP_MS"}, {DUCKDB_TYPE_TIMESTAMP_NS, "TIMESTAMP_NS"},
        {DUCKDB_TYPE_UUID, "UUID"}, {DUCKDB_TYPE_BIT, "BIT"},
        {DUCKDB_TYPE_TIME_TZ, "TIME WITH TIME ZONE"},
        {DUCKDB_TYPE_TIMESTAMP_TZ, "TIMESTAMP WITH TIME ZONE"},
        {DUCKDB_TYPE_ENUM, "ENUM"}, {DUCKDB_TYPE_SQLNULL, "NULL"},
    };
    duckdb_type id = duckdb_get_type_id(t);
    switch (id) {
    case DUCKDB_TYPE_DECIMAL:
        return lh_buf_printf(out, "DECIMAL(%u,%u)", duckdb_decimal_width(t), duckdb_decimal_scale(t));
    case DUCKDB_TYPE_LIST: {
        lh_status st = child_type_name(duckdb_list_type_child_type(t), out);
        return st ? st : lh_buf_adds(out, "[]");
    }
    case DUCKDB_TYPE_ARRAY: {
        lh_status st = child_type_name(duckdb_array_type_child_type(t), out);
        return st ? st : lh_buf_printf(out, "[%llu]", (unsigned long long)duckdb_array_type_array_size(t));
    }
    case DUCKDB_TYPE_MAP: {
        lh_status st = lh_buf_adds(out, "MAP(");
        if (!st) st = child_type_name(duckdb_map_type_key_type(t), out);
        if (!st) st = lh_buf_adds(out, ", ");
        if (!st) st = child_type_name(duckdb_map_type_value_type(t), out);
        return st ? st : lh_buf_adds(out, ")");
    }
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_UNION: {
        bool is_struct = id == DUCKDB_TYPE_STRUCT;
        idx_t n = is_struct ? duckdb_struct_type_child_count(t) : duckdb_union_type_member_count(t);
        lh_status st = lh_buf_adds(out, is_struct ? "STRUCT(" : "UNION(");
        for (idx_t i = 0; i < n && !st; i++) {
            char *name = is_struct ? duckdb_struct_type_child_name(t, i) : duckdb_union_type_member_name(t, i);
            if (i)
                st = lh_buf_adds(out, ", ");
            if (!st) st = lh_buf_add_sql_ident(out, name ? name : "");
            if (!st) st = lh_buf_addc(out, ' ');
            duckdb_free(name);
            if (!st)
                st = child_type_name(is_struct ? duckdb_struct_type_child_type(t, i)
                                               : duckdb_union_type_member_type(t, i), out);
        }
        return st ? st : lh_buf_adds(out, ")");
    }
    default:
        for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
            if (simple[i].id == id)
                return lh_buf_adds(out, simple[i].name);
        return lh_buf_adds(out, "UNKNOWN");
    }
}

static lh_cell_kind kind_of(duckdb_type id)
{
    switch (id) {
    case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT: case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER: case DUCKDB_TYPE_UBIGINT: case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT: case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
        return LH_CELL_NUMBER;
    case DUCKDB_TYPE_BOOLEAN:
        return LH_CELL_BOOL;
    case DUCKDB_TYPE_LIST: case DUCKDB_TYPE_ARRAY: case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_MAP: case DUCKDB_TYPE_UNION:
        return LH_CELL_JSON;
    default:
        return LH_CELL_STRING;
    }
}

/* Column metadata of a prepared statement; names and types are heap strings. */
typedef struct columns {
    lh_result_column *cols;
    char **owned;    /* 2 per column */
    size_t n;
} columns;

static void columns_release(columns *c)
{
    for (size_t i = 0; i < 2 * c->n; i++)
        free(c->owned[i]);
    free(c->owned);
    free(c->cols);
}

static lh_status columns_load(duckdb_prepared_statement prep, columns *c, lh_err *err)
{
    c->n = duckdb_prepared_statement_column_count(prep);
    c->cols = calloc(c->n ? c->n : 1, sizeof *c->cols);
    c->owned = calloc(c->n ? 2 * c->n : 1, sizeof *c->owned);
    if (!c->cols || !c->owned)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->n; i++) {
        duckdb_logical_type lt = duckdb_prepared_statement_column_logical_type(prep, i);
        lh_buf tn;
        lh_buf_init(&tn, 1 << 16);
        lh_status st = type_name(lt, &tn);
        c->cols[i].kind = kind_of(duckdb_get_type_id(lt));
        duckdb_destroy_logical_type(&lt);
        const char *name = duckdb_prepared_statement_column_name(prep, i);
        c->owned[2 * i] = strdup(name ? name : "");
        duckdb_free((void *)name); /* the C API hands out a copy */
        c->owned[2 * i + 1] = lh_buf_detach(&tn);
        if (st || !c->owned[2 * i] || !c->owned[2 * i + 1])
            return lh_fail(err, LH_ENOMEM, "out of memory");
        c->cols[i].name = c->owned[2 * i];
        c->cols[i].type = c->owned[2 * i + 1];
    }
    return LH_OK;
}

static lh_status prepare_one(lh_engine *e, const char *sql, duckdb_prepared_statement *out,
                             duckdb_statement_type *type, lh_err *err)
{
    duckdb_extracted_statements stmts = NULL;
    idx_t n = duckdb_extract_statements(e->conn, sql, &stmts);
    lh_status st = LH_OK;
    if (n == 0) {
        const char *msg = stmts ? duckdb_extract_statements_error(stmts) : NULL;
        st = msg ? lh_fail(err, LH_EINVAL, "%s", msg) : lh_fail(err, LH_EINVAL, "empty query");
    } else if (n > 1) {
        st = lh_fail(err, LH_EINVAL, "exactly one statement is allowed; got %llu", (unsigned long long)n);
    } else if (duckdb_prepare_extracted_statement(e->conn, stmts, 0, out) == DuckDBError) {
        const char *msg = duckdb_prepare_error(*out);
        /* A statement DuckDB cannot even bind (INSERT into a view, a file it may not
         * read) is often one the gate refuses anyway: its reason is the clearer one. */
        lh_err gate_err;
        if (type && lh__sql_gate_check(e, sql, *out, &gate_err) == LH_EDENIED)
            st = lh_fail(err, LH_EDENIED, "%s", gate_err.msg);
        else if (msg && (strstr(msg, "disabled") || strstr(msg, "Permission")))
            st = lh_fail(err, LH_EDENIED, "%s", msg); /* the sandbox said no */
        else
            st = lh_fail(err, LH_EINVAL, "%s", msg ? msg : "could not prepare the query");
        duckdb_destroy_prepare(out);
    } else if (type) {
        *type = duckdb_prepared_statement_type(*out);
    }
    duckdb_destroy_extracted(&stmts);
    return st;
}

/* Length of sql without what may follow the one statement: white space, ';' and line
 * comments after them ("SELECT 1; -- done"). Inside the wrapper's parentheses they would
 * not parse. Anything subtler simply fails to parse and is reported, never run. */
static size_t statement_length(const char *sql)
{
    size_t n = strlen(sql);
    for (;;) {
        while (n && strchr(" \t\r\n", sql[n - 1]))
            n--;
        if (n && sql[n - 1] == ';') {
            n--;
            continue;
        }
        size_t line = n;
        while (line && sql[line - 1] != '\n')
            line--;
        const char *dash = NULL;
        for (size_t i = line; i + 1 < n && !dash; i++)
            if (sql[i] == '-' && sql[i + 1] == '-')
                dash = sql + i;
        if (!dash)
            return n;
        /* A "--" that only white space or ';' precedes on its line starts a comment. */
        size_t k = (size_t)(dash - sql);
        bool comment = true;
        for (size_t i = line; i < k; i++)
            comment &= sql[i] == ' ' || sql[i] == '\t' || sql[i] == ';';
        if (!comment) {
            /* "...; -- c": the last ';' before the dashes ends the statement. */
            size_t semi = k;
            while (semi > line && (sql[semi - 1] == ' ' || sql[semi - 1] == '\t'))
                semi--;
            if (semi > line && sql[semi - 1] == ';')
                comment = true, k = semi - 1;
        }
        if (!comment)
            return n;
        n = k;
    }
}

/* SELECT CAST(#1 AS VARCHAR), CAST(to_json(#2) AS VARCHAR), ... FROM (sql) */
static lh_status build_wrapper(const char *sql, const columns *c, lh_buf *out)
{
    lh_status st = lh_buf_adds(out, "SELECT ");
    for (size_t i = 0; i < c->n && !st; i++) {
        if (c->cols[i].kind == LH_CELL_JSON)
            st = lh_buf_printf(out, "%sCAST(to_json(#%zu) AS VARCHAR)", i ? ", " : "", i + 1);
        else
            st = lh_buf_printf(out, "%sCAST(#%zu AS VARCHAR)", i ? ", " : "", i + 1);
    }
    if (!st)
        st = lh_buf_printf(out, " FROM (%.*s\n)", (int)statement_length(sql), sql);
    return st;
}

static lh_status stream_rows(duckdb_prepared_statement prep, size_t ncols,
                             const lh_query_opts *opts, const lh_result_sink *sink,
                             uint64_t *nrows, bool *truncated, lh_err *err)
{
    duckdb_pending_result pending;
    duckdb_result res;
    lh_status st = LH_OK;
    if (duckdb_pending_prepared_streaming(prep, &pending) == DuckDBError) {
        const char *msg = duckdb_pending_error(pending);
        st = lh_fail(err, LH_EINVAL, "%s", msg ? msg : "query failed");
        duckdb_destroy_pending(&pending);
        return st;
    }
    if (duckdb_execute_pending(pending, &res) == DuckDBError) {
        st = lh__engine_result_error(&res, LH_EINVAL, "query failed", err);
        duckdb_destroy_result(&res);
        duckdb_destroy_pending(&pending);
        return st;
    }
    duckdb_destroy_pending(&pending);
    const char **cells = calloc(ncols ? ncols : 1, sizeof *cells);
    size_t *lens = calloc(ncols ? ncols : 1, sizeof *lens);
    if (!cells || !lens)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    /* Strings up to 12 bytes are inlined in duckdb_string_t without a terminator:
     * copy them into a small scratch area so that cells are always NUL-terminated. */
    char (*inl)[13] = calloc(ncols ? ncols : 1, sizeof *inl);
    uint64_t limit = opts && opts->limit ? opts->limit : UINT64_MAX;
    *nrows = 0;
    *truncated = false;
    while (!st && !*truncated) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(res);
        if (!chunk) {
            const char *msg = duckdb_result_error(&res);
            if (msg)
                st = lh_fail(err, LH_EINVAL, "query failed: %s", msg);
            break;
        }
        idx_t n = duckdb_data_chunk_get_size(chunk);
        duckdb_vector vecs[ncols ? ncols : 1];
        uint64_t *valid[ncols ? ncols : 1];
        for (size_t c = 0; c < ncols; c++) {
            vecs[c] = duckdb_data_chunk_get_vector(chunk, c);
            valid[c] = duckdb_vector_get_validity(vecs[c]);
        }
        for (idx_t r = 0; r < n && !st; r++) {
            if (*nrows >= limit) {
                *truncated = true;
                break;
            }
            for (size_t c = 0; c < ncols; c++) {
                if (valid[c] && !duckdb_validity_row_is_valid(valid[c], r)) {
                    cells[c] = NULL;
                    lens[c] = 0;
                    continue;
                }
                duckdb_string_t *s = (duckdb_string_t *)duckdb_vector_get_data(vecs[c]) + r;
                uint32_t len = duckdb_string_t_length(*s);
                if (duckdb_string_is_inlined(*s)) {
                    memcpy(inl[c], duckdb_string_t_data(s), len);
                    inl[c][len] = '\0';
                    cells[c] = inl[c];
                } else {
                    /* Non-inlined DuckDB strings are not NUL-terminated either; writers
                     * use lens[], and only rely on termination for inlined ones. */
                    cells[c] = duckdb_string_t_data(s);
                }
                lens[c] = len;
            }
            st = sink->row(sink->ctx, cells, lens, err);
            if (!st)
                (*nrows)++;
        }
        duckdb_destroy_data_chunk(&chunk);
    }
    free(inl);
    free(cells);
    free(lens);
    duckdb_destroy_result(&res);
    return st;
}

lh_status lh_engine_query(lh_engine *e, const char *sql, const lh_query_opts *opts,
                          const lh_result_sink *sink, lh_err *err)
{
    duckdb_prepared_statement user = NULL, wrapped = NULL;
    duckdb_statement_type type;
    columns cols = {0};
    lh_buf wsql;
    lh_buf_init(&wsql, 0);
    lh_status st = prepare_one(e, sql, &user, &type, err);
    if (!st)
        st = lh__sql_gate_check(e, sql, user, err);
    if (!st)
        st = columns_load(user, &cols, err);
    /* EXPLAIN cannot be a subquery and already yields text: run it as is. */
    bool wrap = !st && type != DUCKDB_STATEMENT_TYPE_EXPLAIN;
    if (wrap && !(st = build_wrapper(sql, &cols, &wsql)))
        st = prepare_one(e, wsql.data, &wrapped, NULL, err);
    if (wrap && !st)
        st = lh__sql_gate_check(e, wsql.data, wrapped, err);
    if (!st)
        st = sink->begin(sink->ctx, cols.cols, cols.n, err);
    uint64_t nrows = 0;
    bool truncated = false;
    if (!st)
        st = stream_rows(wrap ? wrapped : user, cols.n, opts, sink, &nrows, &truncated, err);
    if (!st)
        st = sink->end(sink->ctx, nrows, truncated, err);
    if (user)
        duckdb_destroy_prepare(&user);
    if (wrapped)
        duckdb_destroy_prepare(&wrapped);
    columns_release(&cols);
    lh_buf_release(&wsql);
    return st;
}
