/* search_http.c: one search, in process: the index loaded once (as the server's cache
 * holds it), then the same query R times through lh_vec_search_json, the function the
 * HTTP route calls; the data directory opened as the server opens it (writer). Prints one line per mode: "<mode> hits ms ms ..." (every run).
 *   bench/out/search_http DATA_DIR INDEX "QUERY" R [WHERE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/util.h"
#include "lake/lake.h"
#include "vector/search.h"

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s DATA_DIR INDEX QUERY R [WHERE]\n", argv[0]);
        return 2;
    }
    lh_alloc_install_json();
    int runs = atoi(argv[4]);
    lh_err err;
    lh_lake *lake;
    /* the writer, as the server opens it (a reader checks the log for other writers'
     * commits before every query: a cost the server does not pay) */
    lh_lake_options lo = {.data_dir = argv[1], .writer = true};
    if (lh_lake_open(&lo, &lake, &err)) {
        fprintf(stderr, "open: %s\n", err.msg);
        return 1;
    }
    lh_vec_senv env;
    lh_lake_vec_senv(lake, &env);
    lh_vec_index *idx;
    if (lh_vec_index_load(&env, argv[2], &idx, &err)) {
        fprintf(stderr, "load: %s\n", err.msg);
        return 1;
    }
    const char *modes[] = {"hybrid", "dense", "lexical"};
    double *t = calloc((size_t)runs, sizeof *t);
    for (int m = 0; m < 3; m++) {
        lh_vec_query q = {.query = argv[3], .k = 10, .where = argc > 5 ? argv[5] : NULL,
                          .weight = -1};
        lh_vec_mode_parse(modes[m], &q.mode);
        size_t hits = 0;
        for (int i = -2; i < runs; i++) { /* two warm-up runs */
            json_t *out = NULL;
            double t0 = lh_mono_ms();
            if (lh_vec_search_json(&env, idx, &q, &out, &err)) {
                fprintf(stderr, "search: %s\n", err.msg);
                return 1;
            }
            if (i >= 0)
                t[i] = lh_mono_ms() - t0;
            hits = json_array_size(json_object_get(out, "results"));
            json_decref(out);
        }
        printf("%s %zu", modes[m], hits);
        for (int i = 0; i < runs; i++)
            printf(" %.3f", t[i]);
        printf("\n");
    }
    free(t);
    lh_vec_index_free(idx);
    lh_lake_free(lake);
    return 0;
}
