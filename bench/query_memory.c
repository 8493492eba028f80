/* bench/query_memory.c: the resident memory of an engine that runs many user queries
 * (the public API only), as a server's would: one query after the other through
 * lh_engine_query, either the same text each time (a kept statement) or a text new each
 * time (the gate, the statement cache's churn). Prints the RSS after the first 1,000
 * queries and every N/10 after that (KB), and the growth per query past the first 1,000.
 *
 *   query_memory N same|new */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
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

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    bool same = argc > 2 && !strcmp(argv[2], "same");
    char root[] = "/tmp/lh-qmem-XXXXXX";
    if (n < 2000 || !mkdtemp(root)) {
        fprintf(stderr, "usage: query_memory N(>=2000) same|new\n");
        return 2;
    }
    lh_engine_config cfg = {.data_root = root, .threads = 1};
    lh_engine *e = NULL;
    lh_err err = {{0}};
    if (lh_engine_open(&cfg, &e, &err)) {
        fprintf(stderr, "open: %s\n", err.msg);
        return 1;
    }
    long rows = 0, at1000 = 0;
    lh_result_sink sink = {s_begin, s_row, s_end, &rows};
    lh_query_opts opts = {.limit = 10, .timeout_ms = 30000};
    char sql[96];
    printf("%s texts, %ld queries: RSS KB", same ? "the same" : "new", n);
    for (long i = 1; i <= n; i++) {
        snprintf(sql, sizeof sql, same ? "SELECT 1 AS c" : "SELECT %ld AS c", i);
        if (lh_engine_query(e, sql, &opts, &sink, &err)) {
            fprintf(stderr, "query %ld: %s\n", i, err.msg);
            return 1;
        }
        if (i == 1000)
            at1000 = rss_kb();
        if (i == 1000 || i % (n / 10) == 0)
            printf(" %ld:%ld", i, rss_kb());
    }
    long end = rss_kb();
    printf("\ngrowth past the first 1,000: %ld KB (%.0f bytes per query)\n", end - at1000,
           (end - at1000) * 1024.0 / (double)(n - 1000));
    lh_engine_free(e);
    rmdir(root);
    return rows == n ? 0 : 1;
}
