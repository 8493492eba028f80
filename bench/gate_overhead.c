/* gate_overhead.c: what the statement gate and the per-query transaction cost.
 *
 * The same queries, N times each, (a) through lh_engine_query (size check, extract, the
 * parse-tree walk, prepare, type check, BEGIN, streaming with values rendered in C (a
 * VARCHAR wrapper, re-checked, only for types render.c leaves to DuckDB) into a sink,
 * ROLLBACK) and (b) straight into DuckDB on one connection (prepare,
 * execute, fetch every chunk), both over the same view in one engine. Prints the median
 * per query of each and their ratio. Usage: gate_overhead [N] */
#include <duckdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
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
    (void)cells, (void)lens, (void)e;
    ++*(long *)c;
    return LH_OK;
}
static lh_status s_end(void *c, uint64_t rows, bool trunc, lh_err *e)
{
    (void)c, (void)rows, (void)trunc, (void)e;
    return LH_OK;
}

static long plain(duckdb_connection conn, const char *sql)
{
    duckdb_prepared_statement ps;
    duckdb_result res;
    long rows = 0;
    if (duckdb_prepare(conn, sql, &ps) == DuckDBError ||
        duckdb_execute_prepared(ps, &res) == DuckDBError) {
        fprintf(stderr, "plain: %s\n", duckdb_prepare_error(ps));
        exit(1);
    }
    duckdb_data_chunk ch;
    while ((ch = duckdb_fetch_chunk(res))) {
        rows += (long)duckdb_data_chunk_get_size(ch);
        duckdb_destroy_data_chunk(&ch);
    }
    duckdb_destroy_result(&res);
    duckdb_destroy_prepare(&ps);
    return rows;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300;
    char root[] = "/tmp/lh-bench-gate-XXXXXX";
    if (!mkdtemp(root))
        return 1;
    lh_engine_config cfg = {.data_root = root, .threads = 2};
    lh_engine *e = NULL;
    lh_err err = {{0}};
    if (lh_engine_open(&cfg, &e, &err) ||
        lh_engine_exec(e, "CREATE TABLE base AS SELECT range AS id, 'name ' || range AS name, "
                          "range % 100 AS grp, random() AS x FROM range(200000)", &err) ||
        lh_engine_define_view(e, "t", "SELECT * FROM base", &err) ||
        lh_engine_allow_relation(e, "t", &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    /* A second, plain database with the same table for (b): the engine's own connections
     * are private to it. */
    duckdb_database db;
    duckdb_connection conn;
    if (duckdb_open(NULL, &db) == DuckDBError || duckdb_connect(db, &conn) == DuckDBError)
        return 1;
    plain(conn, "CREATE TABLE base AS SELECT range AS id, 'name ' || range AS name, "
                "range % 100 AS grp, random() AS x FROM range(200000)");
    plain(conn, "CREATE VIEW t AS SELECT * FROM base");
    static const char *const queries[][2] = {
        {"point lookup", "SELECT * FROM t WHERE id = 4242"},
        {"group-by", "SELECT grp, count(*), avg(x) FROM t GROUP BY grp ORDER BY grp"},
        {"1,000 rows out", "SELECT id, name FROM t WHERE id < 1000"},
    };
    double *a = calloc((size_t)n, sizeof *a), *b = calloc((size_t)n, sizeof *b);
    printf("| query | lakehouse (gate + txn) µs | DuckDB direct µs | ratio |\n|---|---|---|---|\n");
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        long rows = 0;
        lh_result_sink sink = {s_begin, s_row, s_end, &rows};
        for (int i = 0; i < n; i++) {
            double t0 = now_us();
            if (lh_engine_query(e, queries[q][1], NULL, &sink, &err)) {
                fprintf(stderr, "%s: %s\n", queries[q][1], err.msg);
                return 1;
            }
            double t1 = now_us();
            plain(conn, queries[q][1]);
            double t2 = now_us();
            a[i] = t1 - t0;
            b[i] = t2 - t1;
        }
        double ma = median(a, n), mb = median(b, n);
        printf("| %s | %.0f | %.0f | %.2f |\n", queries[q][0], ma, mb, ma / mb);
    }
    free(a);
    free(b);
    duckdb_disconnect(&conn);
    duckdb_close(&db);
    lh_engine_free(e);
    rmdir(root);
    return 0;
}
