/* http_point.c: the in-process side of bench/http.sh.
 *
 *   http_point PARQUET_GLOB RUNS SQL
 *       Opens an in-memory DuckDB, creates the view "points" over read_parquet(PARQUET_GLOB)
 *       (the very files lakehouse wrote), runs SQL once to warm up, then RUNS times, each
 *       result fully materialised, and prints "p50_ms <ms> p99_ms <ms> qps <n> rows <n>"
 *       (qps = RUNS / total seconds, one connection, sequential).
 *
 * Times are wall-clock milliseconds from CLOCK_MONOTONIC. Not part of the product. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duckdb.h"

#define MAX_RUNS 100000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs sql and returns its row count, or -1 (the error printed). */
static long long run(duckdb_connection con, const char *sql)
{
    duckdb_result res;
    if (duckdb_query(con, sql, &res) == DuckDBError) {
        fprintf(stderr, "http_point: %s\n", duckdb_result_error(&res));
        duckdb_destroy_result(&res);
        return -1;
    }
    long long rows = (long long)duckdb_row_count(&res);
    duckdb_destroy_result(&res);
    return rows;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: http_point PARQUET_GLOB RUNS SQL\n");
        return 2;
    }
    int runs = atoi(argv[2]);
    if (runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "http_point: RUNS must be 1..%d\n", MAX_RUNS);
        return 2;
    }
    duckdb_database db;
    duckdb_connection con;
    if (duckdb_open(NULL, &db) == DuckDBError || duckdb_connect(db, &con) == DuckDBError) {
        fprintf(stderr, "http_point: cannot open DuckDB\n");
        return 1;
    }
    char view[4096];
    /* A list literal ['a.parquet', ...] (the table's Delta file list) is used as given. */
    bool list = argv[1][0] == '[';
    if ((!list && strchr(argv[1], '\'')) || (size_t)snprintf(view, sizeof view,
            list ? "CREATE VIEW points AS FROM read_parquet(%s)" : "CREATE VIEW points AS FROM read_parquet('%s')",
            argv[1]) >= sizeof view) {
        fprintf(stderr, "http_point: bad PARQUET_GLOB\n");
        return 2;
    }
    static double t[MAX_RUNS];
    long long rows = run(con, view) < 0 ? -1 : run(con, argv[3]);
    double t0 = now_ms();
    for (int i = 0; i < runs && rows >= 0; i++) {
        double s = now_ms();
        rows = run(con, argv[3]);
        t[i] = now_ms() - s;
    }
    double total = now_ms() - t0;
    duckdb_disconnect(&con);
    duckdb_close(&db);
    if (rows < 0)
        return 1;
    qsort(t, (size_t)runs, sizeof t[0], cmp_double);
    printf("p50_ms %.3f p99_ms %.3f qps %.0f rows %lld\n", t[runs / 2], t[(runs * 99) / 100],
           runs / (total / 1000.0), rows);
    return 0;
}
