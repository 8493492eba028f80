/* query.c: running user SQL. One statement, through the gate, streamed chunk by chunk.
 *
 * A query costs one pass of the gate (DuckDB parses the text once to extract the one
 * statement and once more in json_serialize_sql for the tree the gate walks; that
 * serializer statement, BEGIN and ROLLBACK are prepared once per pooled connection) and
 * one bind of the user's statement, whose result is streamed as it is: render.c turns
 * the values of the common types into text in C, exactly as CAST(... AS VARCHAR) would.
 * Only when a column has a type render.c does not know (intervals, BLOB, ENUM, time
 * zones; nested types as JSON through to_json) is the query wrapped as
 * SELECT #1, CAST(#2 AS VARCHAR), ... FROM (sql), and the wrapped text goes through the
 * gate again (a query that parses one way alone and another way inside the wrapper is
 * refused, not run).
 *
 * Each query runs inside a transaction on its own connection that is always rolled back
 * (the second layer of docs/SECURITY.md): should a statement the gate wrongly accepted
 * create, drop or change anything in the catalog or a table, no other connection ever
 * sees it and it is gone when the query ends. The time-travel views of a query are made
 * inside that transaction too, so they vanish with it. A deadline is kept by the
 * engine's one watchdog thread (watchdog.c), not a thread per query. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/util.h"
#include "engine/engine_int.h"

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

/* SELECT #1, CAST(#2 AS VARCHAR), CAST(to_json(#3) AS VARCHAR), ... FROM (sql): the
 * columns render.c cannot render (plain[i] false) cast to text by DuckDB. */
static lh_status build_wrapper(const char *sql, size_t sql_len, const lh__columns *c,
                               const bool *plain, lh_buf *out, lh_err *err)
{
    lh_buf_adds(out, "SELECT ");
    for (size_t i = 0; i < c->n; i++) {
        const char *sep = i ? ", " : "";
        if (plain[i])
            lh_buf_printf(out, "%s#%zu", sep, i + 1);
        else if (c->cols[i].kind == LH_CELL_JSON)
            lh_buf_printf(out, "%sCAST(to_json(#%zu) AS VARCHAR)", sep, i + 1);
        else
            lh_buf_printf(out, "%sCAST(#%zu AS VARCHAR)", sep, i + 1);
    }
    lh_buf_printf(out, " FROM (%.*s\n)", (int)sql_len, sql);
    lh_status st = lh_buf_status(out);
    return st ? lh_fail(err, st, "query too long to run (%zu columns)", c->n) : LH_OK;
}

struct lh_query {
    lh_engine *e;
    char *sql;               /* the user's statement, for error locations */
    lh__conn *pc;            /* the pooled connection and its prepared statements */
    duckdb_connection conn;  /* pc->conn */
    duckdb_prepared_statement user, wrapped;
    lh__stmt *user_held, *wrapped_held; /* the cache entries owning them, or NULL: ours */
    bool run_failed;         /* the statement did not start: its cache entry is dropped */
    duckdb_result res;
    bool have_res, done, truncated;
    lh__columns cols;
    uint64_t limit, rows;
    lh__render *render;      /* per column of the executed statement */
    const char **cells;
    size_t *lens;
    char (*text)[LH__RENDER_MAX]; /* a rendered value or a copied inlined string, NUL-ended */
    void **data;             /* per column: the current chunk's vector data */
    uint64_t **valid;        /* and its validity mask (NULL: no NULLs) */
    lh__deadline dl;         /* armed on the engine's watchdog when timeout_ms > 0 */
    int64_t timeout_ms;
    bool in_txn;             /* BEGIN ran; close rolls back */
};

/* Shadows name on this query's connection only (see lh_query_opts). */
static lh_status add_temp_view(lh_query *q, const char *name, const char *select_sql, lh_err *err)
{
    if (!name || !select_sql) /* a view SQL whose builder failed upstream */
        return lh_fail(err, LH_EINVAL, "time travel view: no SQL statement (a failed builder?)");
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "CREATE OR REPLACE TEMP VIEW ");
    lh_buf_add_sql_ident(&sql, name);
    lh_buf_adds(&sql, " AS ");
    lh_buf_adds(&sql, select_sql);
    lh_status st = lh_buf_status(&sql);
    if (st) {
        st = lh_fail(err, st, "time travel view %s: statement too long or out of memory", name);
    } else {
        duckdb_result res;
        if (duckdb_query(q->conn, lh_buf_cstr(&sql), &res) == DuckDBError)
            st = lh__engine_result_error(&res, LH_EINTERNAL, "time travel view", err);
        duckdb_destroy_result(&res);
    }
    lh_buf_release(&sql);
    return st;
}

/* Transaction control on the query's connection, prepared once per pooled connection
 * (*ps) from sql; its error, if any, into err. */
static lh_status conn_exec(duckdb_connection conn, duckdb_prepared_statement *ps, const char *sql,
                           lh_err *err)
{
    duckdb_result res;
    lh_status st = LH_OK;
    if (!*ps && duckdb_prepare(conn, sql, ps) == DuckDBError) {
        st = lh__engine_fail(err, LH_EINTERNAL, duckdb_prepare_error(*ps), NULL);
        duckdb_destroy_prepare(ps);
        *ps = NULL;
        return st;
    }
    if (duckdb_execute_prepared(*ps, &res) == DuckDBError)
        st = lh__engine_result_error(&res, LH_EINTERNAL, "engine", err);
    duckdb_destroy_result(&res);
    return st;
}

/* Whether the watchdog interrupted the query. */
static bool timed_out(lh_query *q)
{
    return q->timeout_ms > 0 && lh__watchdog_fired(q->e, &q->dl);
}

static lh_status fail_run(lh_query *q, const char *msg, lh_err *err)
{
    if (timed_out(q))
        return lh_fail(err, LH_ETIMEOUT, "query cancelled after its %lld ms timeout",
                       (long long)q->timeout_ms);
    return lh__engine_fail(err, LH_EINVAL, msg ? msg : "the query failed without a message", q->sql);
}

/* Render plans of the executed statement's columns (every one must have one: the
 * wrapper casts the others). */
static lh_status plan_render(lh_query *q, duckdb_prepared_statement ps, lh_err *err)
{
    for (size_t i = 0; i < q->cols.n; i++) {
        duckdb_logical_type lt = duckdb_prepared_statement_column_logical_type(ps, i);
        bool ok = lh__render_plan(lt, &q->render[i]);
        duckdb_destroy_logical_type(&lt);
        if (!ok)
            return lh_fail(err, LH_EINTERNAL, "result column %zu: no way to render its type", i + 1);
    }
    return LH_OK;
}

/* Which result columns render.c renders (into plain, cols.n entries); true when all. */
static bool all_plain(const lh_query *q, bool *plain)
{
    bool all = true;
    for (size_t i = 0; i < q->cols.n; i++) {
        duckdb_logical_type lt = duckdb_prepared_statement_column_logical_type(q->user, i);
        lh__render r;
        plain[i] = lh__render_plan(lt, &r);
        duckdb_destroy_logical_type(&lt);
        all &= plain[i];
    }
    return all;
}

/* Checks sql and, when execute is set, starts it streaming. Without execute the query
 * is only checked (the gate, time-travel views, columns) on its own connection. */
static lh_status query_start(lh_engine *e, const char *sql, const lh_query_opts *opts, bool execute,
                             lh_query **out, lh_err *err)
{
    if (!sql) /* a failed builder upstream: refused, never run */
        return lh_fail(err, LH_EINVAL, "no SQL statement (a failed builder?)");
    lh_query *q = lh_calloc(1, sizeof *q);
    if (!q)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    q->e = e;
    q->sql = lh_strdup(sql);
    q->limit = opts && opts->limit ? opts->limit : UINT64_MAX;
    q->timeout_ms = opts ? opts->timeout_ms : 0;
    lh_status st = LH_OK;
    if (!(q->pc = lh__engine_acquire(e)))
        st = lh_fail(err, LH_EINTERNAL, "no engine connection available");
    else
        q->conn = q->pc->conn;
    if (!st && !(st = conn_exec(q->conn, &q->pc->begin, "BEGIN TRANSACTION", err)))
        q->in_txn = true;
    /* The deadline covers the gate and the time-travel views too. */
    if (!st && q->timeout_ms > 0 && !lh__watchdog_arm(e, &q->dl, q->conn, q->timeout_ms))
        st = lh_fail(err, LH_EINTERNAL, "cannot keep the query's deadline (no watchdog thread)");
    for (size_t i = 0; !st && opts && i < opts->nviews; i++)
        st = add_temp_view(q, opts->view_names[i], opts->view_sqls[i], err);

    size_t sql_len = statement_length(sql);
    json_t *seen = opts && opts->on_relations ? json_object() : NULL;
    /* A kept statement only without time travel: a kept one was bound to the shared
     * views, not to this query's TEMP views (stmt_cache.c). */
    bool cached = !(opts && opts->nviews);
    if (!st && cached)
        st = lh__stmt_cache_prepare(e, q->pc, sql, strlen(sql), seen, &q->user, &q->user_held, err);
    else if (!st)
        st = lh__sql_gate_prepare_with(e, q->conn, &q->pc->serialize, sql, strlen(sql), seen,
                                       &q->user, err);
    if (st && timed_out(q)) /* the deadline passed while DuckDB parsed: a timeout */
        st = fail_run(q, NULL, err);
    if (!st && seen)
        opts->on_relations(opts->relations_ctx, seen);
    json_decref(seen);
    bool explain = opts && opts->explain;
    if (!st && explain) {
        /* The plan of the vetted SELECT replaces it; its rows are already text. */
        if (q->user_held)
            lh__stmt_cache_done(q->pc, q->user_held, true);
        else
            duckdb_destroy_prepare(&q->user);
        q->user = NULL;
        q->user_held = NULL;
        st = lh__sql_gate_prepare_explain(q->conn, sql, sql_len, &q->user, err);
    }
    if (!st)
        st = lh__columns_load(q->user, &q->cols, err);
    if (!st && !execute) {
        *out = q;
        return LH_OK;
    }
    size_t n = q->cols.n ? q->cols.n : 1;
    bool *plain = NULL;
    if (!st && (!(q->cells = lh_calloc(n, sizeof *q->cells)) || !(q->lens = lh_calloc(n, sizeof *q->lens)) ||
                !(q->text = lh_calloc(n, sizeof *q->text)) || !(q->render = lh_calloc(n, sizeof *q->render)) ||
                !(q->data = lh_calloc(n, sizeof *q->data)) || !(q->valid = lh_calloc(n, sizeof *q->valid)) ||
                !(plain = lh_calloc(n, sizeof *plain))))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    bool wrap = !st && !all_plain(q, plain);
    if (wrap) {
        lh_buf wsql;
        lh_buf_init(&wsql, 0);
        if (!(st = build_wrapper(sql, sql_len, &q->cols, plain, &wsql, err)) && cached)
            st = lh__stmt_cache_prepare(e, q->pc, lh_buf_cstr(&wsql), wsql.len, NULL,
                                        &q->wrapped, &q->wrapped_held, err);
        else if (!st)
            st = lh__sql_gate_prepare_with(e, q->conn, &q->pc->serialize, lh_buf_cstr(&wsql),
                                           wsql.len, NULL, &q->wrapped, err);
        lh_buf_release(&wsql);
    }
    free(plain);
    duckdb_prepared_statement run = wrap ? q->wrapped : q->user;
    if (!st)
        st = plan_render(q, run, err);
    duckdb_pending_result pending = NULL;
    if (!st && duckdb_pending_prepared_streaming(run, &pending) == DuckDBError) {
        st = fail_run(q, duckdb_pending_error(pending), err);
        q->run_failed = true;
    }
    if (!st) {
        if (duckdb_execute_pending(pending, &q->res) == DuckDBError) {
            st = fail_run(q, duckdb_result_error(&q->res), err);
            q->run_failed = true;
        }
        q->have_res = true;
    }
    if (pending)
        duckdb_destroy_pending(&pending);
    if (st) {
        lh_query_close(q);
        return st;
    }
    *out = q;
    return LH_OK;
}

lh_status lh_engine_query_open(lh_engine *e, const char *sql, const lh_query_opts *opts,
                               lh_query **out, lh_err *err)
{
    return query_start(e, sql, opts, true, out, err);
}

static void collect_relations(void *ctx, const json_t *names)
{
    json_t *into = ctx;
    if (json_object_update(into, (json_t *)names))
        json_object_clear(into); /* out of memory: reported by the caller's size check */
}

lh_status lh_engine_check_sql(lh_engine *e, const char *sql, json_t **relations, lh_err *err)
{
    if (relations)
        *relations = NULL;
    json_t *seen = json_object();
    if (!seen)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lh_query_opts opts = {.on_relations = collect_relations, .relations_ctx = seen};
    lh_query *q = NULL;
    lh_status st = query_start(e, sql, &opts, false, &q, err);
    lh_query_close(q); /* rolls back: nothing ran */
    if (!st && relations)
        *relations = json_incref(seen);
    json_decref(seen);
    return st;
}

lh_status lh_engine_export_parquet(lh_engine *e, const char *sql, const lh_query_opts *opts,
                                   const char *path, uint64_t *rows, lh_err *err)
{
    lh_query *q = NULL;
    lh_status st = query_start(e, sql, opts, false, &q, err);
    lh_buf sel, copy;
    lh_buf_init(&sel, 0);
    lh_buf_init(&copy, 0);
    duckdb_prepared_statement ps = NULL;
    /* The COPY's source is a SELECT that passed the gate as this exact text. */
    if (!st) {
        lh_buf_printf(&sel, "SELECT * FROM (%.*s\n)", (int)statement_length(sql), sql);
        if ((st = lh_buf_status(&sel)))
            st = lh_fail(err, st, "export: query too long or out of memory");
    }
    if (!st)
        st = lh__sql_gate_prepare(e, q->conn, lh_buf_cstr(&sel), sel.len, NULL, &ps, err);
    if (!st) {
        lh_buf_printf(&copy, "COPY (%s\n) TO ", lh_buf_cstr(&sel));
        lh_buf_add_sql_string(&copy, path);
        lh_buf_adds(&copy, " (FORMAT parquet, COMPRESSION snappy)");
        if ((st = lh_buf_status(&copy)))
            st = lh_fail(err, st, "export: statement too long or out of memory");
    }
    duckdb_result res;
    if (!st) {
        if (duckdb_query(q->conn, lh_buf_cstr(&copy), &res) == DuckDBError) {
            st = fail_run(q, duckdb_result_error(&res), err);
        } else {
            *rows = (uint64_t)duckdb_value_int64(&res, 0, 0);
        }
        duckdb_destroy_result(&res);
    }
    if (ps)
        duckdb_destroy_prepare(&ps);
    lh_buf_release(&sel);
    lh_buf_release(&copy);
    lh_query_close(q);
    return st;
}

const lh_result_column *lh_query_columns(const lh_query *q, size_t *n)
{
    *n = q->cols.n;
    return q->cols.cols;
}

uint64_t lh_query_rows(const lh_query *q) { return q->rows; }
bool lh_query_truncated(const lh_query *q) { return q->truncated; }

lh_status lh_query_next(lh_query *q, const lh_result_sink *sink, bool *done, lh_err *err)
{
    *done = q->done;
    if (q->done)
        return LH_OK;
    duckdb_data_chunk chunk = duckdb_fetch_chunk(q->res);
    if (!chunk) {
        const char *msg = duckdb_result_error(&q->res);
        *done = q->done = true;
        return msg || timed_out(q) ? fail_run(q, msg, err) : LH_OK;
    }
    size_t ncols = q->cols.n;
    idx_t n = duckdb_data_chunk_get_size(chunk);
    for (size_t c = 0; c < ncols; c++) {
        duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, c);
        q->data[c] = duckdb_vector_get_data(vec);
        q->valid[c] = duckdb_vector_get_validity(vec);
    }
    lh_status st = LH_OK;
    for (idx_t r = 0; r < n && !st; r++) {
        if (q->rows >= q->limit) {
            q->truncated = true;
            q->done = true;
            break;
        }
        for (size_t c = 0; c < ncols; c++) {
            if (q->valid[c] && !duckdb_validity_row_is_valid(q->valid[c], r)) {
                q->cells[c] = NULL;
                q->lens[c] = 0;
                continue;
            }
            if (q->render[c].id != DUCKDB_TYPE_VARCHAR) {
                q->lens[c] = lh__render_cell(&q->render[c], q->data[c], r, q->text[c]);
                q->text[c][q->lens[c]] = '\0'; /* as the inlined strings below */
                q->cells[c] = q->text[c];
                continue;
            }
            duckdb_string_t *s = (duckdb_string_t *)q->data[c] + r;
            uint32_t len = duckdb_string_t_length(*s);
            if (duckdb_string_is_inlined(*s)) {
                /* Inlined strings live inside the vector entry: copy them out so that the
                 * pointer stays valid for the call. */
                memcpy(q->text[c], duckdb_string_t_data(s), len);
                q->text[c][len] = '\0';
                q->cells[c] = q->text[c];
            } else {
                q->cells[c] = duckdb_string_t_data(s);
            }
            q->lens[c] = len;
        }
        st = sink->row(sink->ctx, q->cells, q->lens, err);
        if (!st)
            q->rows++;
    }
    duckdb_destroy_data_chunk(&chunk);
    *done = q->done;
    return st;
}

void lh_query_cancel(lh_query *q)
{
    duckdb_interrupt(q->conn);
}

void lh_query_close(lh_query *q)
{
    if (!q)
        return;
    free(q->sql);
    /* From here the watchdog never interrupts this connection again. */
    if (q->timeout_ms > 0)
        lh__watchdog_disarm(q->e, &q->dl);
    if (q->have_res)
        duckdb_destroy_result(&q->res);
    /* Kept statements go back to their connection's cache (dropped when they did not
     * run: a view gone under them); our own are destroyed. */
    if (q->user_held)
        lh__stmt_cache_done(q->pc, q->user_held, !q->run_failed);
    else if (q->user)
        duckdb_destroy_prepare(&q->user);
    if (q->wrapped_held)
        lh__stmt_cache_done(q->pc, q->wrapped_held, !q->run_failed);
    else if (q->wrapped)
        duckdb_destroy_prepare(&q->wrapped);
    if (q->in_txn) {
        /* Everything the query's transaction made (its time-travel views, anything a
         * wrongly accepted statement created) is dropped here; a connection that cannot
         * roll back is not reused. */
        lh_err ignored;
        if (conn_exec(q->conn, &q->pc->rollback, "ROLLBACK", &ignored)) {
            lh__engine_forget(q->e, q->pc);
            q->pc = NULL;
        }
    }
    lh__columns_release(&q->cols);
    free(q->cells);
    free(q->lens);
    free(q->text);
    free(q->render);
    free(q->data);
    free(q->valid);
    lh__engine_release(q->e, q->pc);
    free(q);
}

lh_status lh_query_drain(lh_query *q, const lh_result_sink *sink, lh_err *err)
{
    lh_status st = sink->begin(sink->ctx, q->cols.cols, q->cols.n, err);
    bool done = false;
    while (!st && !done)
        st = lh_query_next(q, sink, &done, err);
    if (!st)
        st = sink->end(sink->ctx, q->rows, q->truncated, err);
    return st;
}

lh_status lh_engine_query(lh_engine *e, const char *sql, const lh_query_opts *opts,
                          const lh_result_sink *sink, lh_err *err)
{
    lh_query *q = NULL;
    lh_status st = lh_engine_query_open(e, sql, opts, &q, err);
    if (!st)
        st = lh_query_drain(q, sink, err);
    lh_query_close(q);
    return st;
}
