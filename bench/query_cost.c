/* query_cost.c: where the microseconds of a user query go in the engine, against DuckDB
 * on a plain connection in the same run.
 *
 *   1. `SELECT 1` N times through lh_engine_query (gate, transaction, one bind, C
 *      rendering into a sink) alternated with duckdb_query("SELECT 1") + fetch on a plain
 *      connection of a second in-memory database: medians and their ratio. The engine
 *      keeps the statement on its pooled connection (stmt_cache.c), so from the second
 *      run on this is the kept path; a text new at every run ("SELECT 1 AS c<i>") is
 *      timed alternated with them for the path through the gate and a bind.
 *   2. The same `SELECT 1` taken apart step by step on one pooled connection, with the
 *      engine's own functions (this file includes query.c and sql_gate.c): acquire +
 *      BEGIN, extracting the statement (DuckDB parse 1), json_serialize_sql (parse 2),
 *      reading and walking the tree, binding (prepare), column metadata, execute,
 *      fetch + render + sink, ROLLBACK + release. Medians per step.
 *   3. 1,000,000 rows `SELECT i, i*2 AS j, 'x' || i AS s FROM range(1000000) t(i)`
 *      streamed through the NDJSON writer into a discarding output, against DuckDB
 *      streaming `SELECT to_json({'i': i, 'j': i*2, 's': 'x' || i}) FROM range(1000000)`
 *      and reading every string: medians of R alternated runs.
 *
 * Built with -DLH_PUBLIC_ONLY, parts 1 and 3 alone (the "before" figures of a commit:
 * bench/query_cost.sh --public SRC_DIR LIBLH).
 *
 * Usage: query_cost [N] [R]. Times from CLOCK_MONOTONIC. Not part of the product. */
#ifndef LH_PUBLIC_ONLY
#include "engine/query.c"
#include "engine/sql_gate.c"
#else /* parts 1 and 3 only, through the public API: builds against an older tree too */
#include <duckdb.h>
#include <stdlib.h>
#include <time.h>

#include "engine/engine.h"
#endif

#include <stdio.h>
#include <unistd.h>

#include "engine/writers.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static lh_status s_begin(void *c, const lh_result_column *cols, size_t n, lh_err *e)
{
    (void)c, (void)cols, (void)n, (void)e;
    return LH_OK;
}
static lh_status s_row(void *c, const char *const *cells, const size_t *lens, lh_err *e)
{
    (void)e;
    *(size_t *)c += lens[0] + (cells[0] ? 1 : 0);
    return LH_OK;
}
static lh_status s_end(void *c, uint64_t rows, bool trunc, lh_err *e)
{
    (void)c, (void)rows, (void)trunc, (void)e;
    return LH_OK;
}

static size_t raw_query(duckdb_connection conn, const char *sql)
{
    duckdb_result res;
    size_t bytes = 0;
    if (duckdb_query(conn, sql, &res) == DuckDBError) {
        fprintf(stderr, "duckdb: %s\n", duckdb_result_error(&res));
        exit(1);
    }
    duckdb_data_chunk ch;
    while ((ch = duckdb_fetch_chunk(res))) {
        bytes += duckdb_data_chunk_get_size(ch);
        duckdb_destroy_data_chunk(&ch);
    }
    duckdb_destroy_result(&res);
    return bytes;
}

/* Streams every row of sql, reading each string of column 0 (DuckDB's to_json side). */
static size_t raw_stream(duckdb_connection conn, const char *sql)
{
    duckdb_prepared_statement ps;
    duckdb_pending_result pending;
    duckdb_result res;
    size_t bytes = 0;
    if (duckdb_prepare(conn, sql, &ps) == DuckDBError ||
        duckdb_pending_prepared_streaming(ps, &pending) == DuckDBError ||
        duckdb_execute_pending(pending, &res) == DuckDBError) {
        fprintf(stderr, "duckdb stream failed\n");
        exit(1);
    }
    duckdb_data_chunk ch;
    while ((ch = duckdb_fetch_chunk(res))) {
        idx_t n = duckdb_data_chunk_get_size(ch);
        duckdb_string_t *s = duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 0));
        for (idx_t i = 0; i < n; i++) {
            const char *p = duckdb_string_t_data(&s[i]);
            bytes += duckdb_string_t_length(s[i]) + (size_t)(p[0] == '{');
        }
        duckdb_destroy_data_chunk(&ch);
    }
    duckdb_destroy_result(&res);
    duckdb_destroy_pending(&pending);
    duckdb_destroy_prepare(&ps);
    return bytes;
}

static lh_status discard(void *ctx, const char *data, size_t len, lh_err *err)
{
    (void)data, (void)err;
    *(size_t *)ctx += len;
    return LH_OK;
}

#ifndef LH_PUBLIC_ONLY
enum { ST_BEGIN, ST_EXTRACT, ST_SERIALIZE, ST_WALK, ST_BIND, ST_COLUMNS, ST_EXECUTE, ST_FETCH,
       ST_ROLLBACK, ST_N };
static const char *const step_names[ST_N] = {
    "acquire pooled connection + BEGIN (prepared)", "extract the one statement (DuckDB parse 1)",
    "json_serialize_sql (DuckDB parse 2, prepared)", "read the tree (jansson) + walk it",
    "bind: prepare the extracted statement", "column names and types",
    "execute (streaming)", "fetch the chunk, render in C, sink", "ROLLBACK (prepared) + release",
};

/* One SELECT 1 through the engine's steps, each timed into t[step]. */
static void steps(lh_engine *e, const char *sql, double *t)
{
    lh_err err = {{0}};
    double t0 = now_us();
    lh__conn *pc = lh__engine_acquire(e);
    if (!pc || conn_exec(pc->conn, &pc->begin, &pc->begin_runs, "BEGIN TRANSACTION", &err))
        exit(1);
    double t1 = now_us();
    duckdb_extracted_statements stmts = NULL;
    if (extract_one(pc->conn, sql, &stmts, &err))
        exit(1);
    double t2 = now_us();
    lh_buf text;
    lh_buf_init(&text, 0);
    lh__kept_run(&pc->serialize, &pc->serialize_runs); /* as lh__conn_gate_prepare */
    if (serialize(pc->conn, &pc->serialize, sql, &text, &err))
        exit(1);
    double t3 = now_us();
    json_error_t jerr;
    json_t *root = lh_json_loadb(lh_buf_cstr(&text), text.len, JSON_DECODE_INT_AS_REAL, &jerr);
    pthread_rwlock_rdlock(&e->rel_lock);
    gate g = {e, &err, 0, NULL};
    if (!root || walk(&g, json_array_get(json_object_get(root, "statements"), 0), NULL))
        exit(1);
    pthread_rwlock_unlock(&e->rel_lock);
    json_decref(root);
    lh_buf_release(&text);
    double t4 = now_us();
    duckdb_prepared_statement ps = NULL;
    if (prepare_extracted(pc->conn, stmts, sql, &ps, &err))
        exit(1);
    duckdb_destroy_extracted(&stmts);
    double t5 = now_us();
    lh__columns cols = {0};
    if (lh__columns_load(ps, &cols, &err))
        exit(1);
    lh__render r;
    duckdb_logical_type lt = duckdb_prepared_statement_column_logical_type(ps, 0);
    lh__render_plan(lt, &r);
    duckdb_destroy_logical_type(&lt);
    double t6 = now_us();
    duckdb_pending_result pending = NULL;
    duckdb_result res;
    if (duckdb_pending_prepared_streaming(ps, &pending) == DuckDBError ||
        duckdb_execute_pending(pending, &res) == DuckDBError)
        exit(1);
    duckdb_destroy_pending(&pending);
    double t7 = now_us();
    size_t bytes = 0;
    duckdb_data_chunk ch;
    while ((ch = duckdb_fetch_chunk(res))) {
        duckdb_vector v = duckdb_data_chunk_get_vector(ch, 0);
        char out[LH__RENDER_MAX];
        size_t len = lh__render_cell(&r, duckdb_vector_get_data(v), 0, out);
        const char *cells[1] = {out};
        s_row(&bytes, cells, &len, &err);
        duckdb_destroy_data_chunk(&ch);
    }
    duckdb_destroy_result(&res);
    duckdb_destroy_prepare(&ps);
    lh__columns_release(&cols);
    double t8 = now_us();
    if (conn_exec(pc->conn, &pc->rollback, &pc->rollback_runs, "ROLLBACK", &err))
        exit(1);
    lh__engine_release(e, pc);
    double t9 = now_us();
    double at[] = {t0, t1, t2, t3, t4, t5, t6, t7, t8, t9};
    for (int i = 0; i < ST_N; i++)
        t[i] = at[i + 1] - at[i];
}
#endif

int main(int argc, char **argv)
{
    int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 2000;
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
    char root[] = "/tmp/lh-bench-cost-XXXXXX";
    if (!mkdtemp(root))
        return 1;
    lh_engine_config cfg = {.data_root = root, .threads = 2};
    lh_engine *e = NULL;
    lh_err err = {{0}};
    if (lh_engine_open(&cfg, &e, &err)) {
        fprintf(stderr, "open: %s\n", err.msg);
        return 1;
    }
    duckdb_database db;
    duckdb_connection conn;
    duckdb_config dc;
    duckdb_create_config(&dc);
    duckdb_set_config(dc, "threads", "2");
    if (duckdb_open_ext(NULL, &db, dc, NULL) == DuckDBError || duckdb_connect(db, &conn) == DuckDBError)
        return 1;
    duckdb_destroy_config(&dc);

    /* 1. SELECT 1, alternated */
    double *a = calloc((size_t)n, sizeof *a), *b = calloc((size_t)n, sizeof *b);
    double *a2 = calloc((size_t)n, sizeof *a2), *a3 = calloc((size_t)n, sizeof *a3);
    size_t sunk = 0;
    lh_result_sink sink = {s_begin, s_row, s_end, &sunk};
    /* with a deadline, as every HTTP query has one (query.timeout_ms) */
    lh_query_opts timed = {.timeout_ms = 30000};
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        if (lh_engine_query(e, "SELECT 1", NULL, &sink, &err)) {
            fprintf(stderr, "query: %s\n", err.msg);
            return 1;
        }
        double t1 = now_us();
        raw_query(conn, "SELECT 1");
        double t2 = now_us();
        if (lh_engine_query(e, "SELECT 1", &timed, &sink, &err)) {
            fprintf(stderr, "query: %s\n", err.msg);
            return 1;
        }
        double t3 = now_us();
        char fresh[64];
        snprintf(fresh, sizeof fresh, "SELECT 1 AS c%d", i);
        if (lh_engine_query(e, fresh, NULL, &sink, &err)) {
            fprintf(stderr, "query: %s\n", err.msg);
            return 1;
        }
        double t4 = now_us();
        a[i] = t1 - t0;
        b[i] = t2 - t1;
        a2[i] = t3 - t2;
        a3[i] = t4 - t3;
    }
    double ma = median(a, n), mb = median(b, n), ma2 = median(a2, n), ma3 = median(a3, n);
    printf("SELECT 1, %d alternated runs (medians):\n", n);
    printf("| lh_engine_query µs | same with timeout_ms µs | a new text each run µs | duckdb_query µs "
           "| ratio | ratio with timeout | ratio new text |\n|---|---|---|---|---|---|---|\n");
    printf("| %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f |\n\n", ma, ma2, ma3, mb, ma / mb,
           ma2 / mb, ma3 / mb);

#ifndef LH_PUBLIC_ONLY
    /* 2. the steps */
    double *t[ST_N];
    for (int s = 0; s < ST_N; s++)
        t[s] = calloc((size_t)n, sizeof *t[s]);
    double *tot = calloc((size_t)n, sizeof *tot);
    for (int i = 0; i < n; i++) {
        double row[ST_N];
        steps(e, "SELECT 1", row);
        tot[i] = 0;
        for (int s = 0; s < ST_N; s++) {
            t[s][i] = row[s];
            tot[i] += row[s];
        }
    }
    printf("SELECT 1 step by step, %d runs (medians):\n| step | µs |\n|---|---|\n", n);
    for (int s = 0; s < ST_N; s++)
        printf("| %s | %.1f |\n", step_names[s], median(t[s], n));
    printf("| sum of the steps (median of sums) | %.1f |\n\n", median(tot, n));
#endif

    /* 3. 1M rows as NDJSON vs DuckDB's to_json */
    double *c = calloc((size_t)runs, sizeof *c), *d = calloc((size_t)runs, sizeof *d);
    size_t ours = 0, theirs = 0;
    for (int i = 0; i < runs; i++) {
        lh_result_writer *w = NULL;
        ours = 0;
        if (lh_result_writer_new(LH_FORMAT_NDJSON, discard, &ours, &w, &err))
            return 1;
        lh_result_sink ws = lh_result_writer_sink(w);
        double t0 = now_us();
        if (lh_engine_query(e, "SELECT i, i*2 AS j, 'x' || i AS s FROM range(1000000) t(i)", NULL,
                            &ws, &err)) {
            fprintf(stderr, "stream: %s\n", err.msg);
            return 1;
        }
        double t1 = now_us();
        lh_result_writer_free(w);
        theirs = raw_stream(conn, "SELECT to_json({'i': i, 'j': i*2, 's': 'x' || i}) "
                                  "FROM range(1000000) t(i)");
        double t2 = now_us();
        c[i] = (t1 - t0) / 1000;
        d[i] = (t2 - t1) / 1000;
    }
    double mc = median(c, runs), md = median(d, runs);
    printf("1,000,000 rows, %d alternated runs (medians):\n", runs);
    printf("| lakehouse NDJSON ms | DuckDB to_json ms | ratio | bytes ours / DuckDB's |\n"
           "|---|---|---|---|\n| %.0f | %.0f | %.2f | %zu / %zu |\n", mc, md, mc / md, ours, theirs);
    duckdb_disconnect(&conn);
    duckdb_close(&db);
    lh_engine_free(e);
    rmdir(root);
    return 0;
}
