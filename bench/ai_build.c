/* ai_build.c: the builtin model's index-build throughput on the demo's resumes, in
 * process: chunking, BM25, the LSA fit and the embedding of every chunk, each timed (the
 * Delta write of the vectors is not part of it: that is the index job's, still to come).
 *
 *   ai_build [SCALE [RUNS]]    SCALE of `lakehouse demo` (1 = 100,000 candidates);
 *                              RUNS repetitions (median reported), default 3
 *
 * The resumes are those `lakehouse demo --scale SCALE` writes (src/demo/text.c, same
 * generator, same rows). Built and run by bench/ai_build.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ai/bm25.h"
#include "vector/chunker.h"
#include "ai/lsa.h"
#include "core/buf.h"
#include "demo/demo_int.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the whole process (all threads): on a machine shared with other jobs,
 * the steadier measure of the work done. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    double scale = argc > 1 ? strtod(argv[1], NULL) : 1.0;
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
    if (runs < 1 || runs > 20)
        runs = 3;
    lh_err err = {{0}};
    lh__world w;
    if (lh__world_build(&w, scale, &err)) {
        fprintf(stderr, "ai_build: %s\n", err.msg);
        return 1;
    }
    size_t n = (size_t)w.n[LH__CANDIDATES];
    char **text = malloc(n * sizeof *text);
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        lh_buf b;
        lh_buf_init(&b, 0);
        lh__text_resume(&w, (int64_t)i, &b);
        bytes += b.len;
        text[i] = lh_buf_detach(&b);
    }
    lh_chunk_opts co = lh_chunk_defaults();
    double t_chunk[20], t_bm25[20], t_fit[20], t_embed[20], c_fit[20], c_embed[20];
    size_t n_chunks = 0, terms = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        char **chunk = NULL;
        size_t *clen = NULL, cap = 0;
        n_chunks = 0;
        lh_chunk_list l = {0};
        for (size_t i = 0; i < n; i++) {
            char key[32];
            snprintf(key, sizeof key, "%zu", i);
            if (lh_chunk_text(&co, key, text[i], strlen(text[i]), &l, &err)) {
                fprintf(stderr, "ai_build: %s\n", err.msg);
                return 1;
            }
            for (size_t k = 0; k < l.n; k++) {
                if (n_chunks == cap) {
                    cap = cap ? 2 * cap : 1024;
                    chunk = realloc(chunk, cap * sizeof *chunk);
                    clen = realloc(clen, cap * sizeof *clen);
                }
                chunk[n_chunks] = l.items[k].text;
                clen[n_chunks++] = l.items[k].end - l.items[k].start;
                l.items[k].text = NULL; /* moved */
            }
        }
        lh_chunk_list_release(&l);
        double t1 = now_s();
        lh_bm25_params bp = lh_bm25_defaults();
        lh_bm25 *bm;
        lh_bm25_new(&bp, &bm, &err);
        for (size_t i = 0; i < n_chunks; i++)
            lh_bm25_add(bm, chunk[i], clen[i], &err);
        double t2 = now_s();
        lh_lsa_params lp = lh_lsa_defaults();
        lh_lsa *m;
        double c2 = cpu_s();
        if (lh_lsa_fit(&lp, (const char *const *)chunk, clen, n_chunks, &m, &err)) {
            fprintf(stderr, "ai_build: %s\n", err.msg);
            return 1;
        }
        double t3 = now_s(), c3 = cpu_s();
        float *v = malloc(lp.dims * sizeof *v);
        for (size_t i = 0; i < n_chunks; i++)
            lh_lsa_embed(m, chunk[i], clen[i], v, &err);
        double t4 = now_s(), c4 = cpu_s();
        c_fit[r] = c3 - c2;
        c_embed[r] = c4 - c3;
        terms = lh_lsa_terms(m);
        t_chunk[r] = t1 - t0;
        t_bm25[r] = t2 - t1;
        t_fit[r] = t3 - t2;
        t_embed[r] = t4 - t3;
        fprintf(stderr, "ai_build: run %d: chunk %.2f s, bm25 %.2f s, fit %.2f s, embed %.2f s\n",
                r + 1, t_chunk[r], t_bm25[r], t_fit[r], t_embed[r]);
        free(v);
        lh_lsa_free(m);
        lh_bm25_free(bm);
        for (size_t i = 0; i < n_chunks; i++)
            free(chunk[i]);
        free(chunk);
        free(clen);
    }
    qsort(t_chunk, (size_t)runs, sizeof *t_chunk, cmp_d);
    qsort(t_bm25, (size_t)runs, sizeof *t_bm25, cmp_d);
    qsort(t_fit, (size_t)runs, sizeof *t_fit, cmp_d);
    qsort(t_embed, (size_t)runs, sizeof *t_embed, cmp_d);
    qsort(c_fit, (size_t)runs, sizeof *c_fit, cmp_d);
    qsort(c_embed, (size_t)runs, sizeof *c_embed, cmp_d);
    int mid = runs / 2;
    double total = t_chunk[mid] + t_bm25[mid] + t_fit[mid] + t_embed[mid];
    printf("| resumes | %zu (%.1f MB) |\n", n, (double)bytes / 1e6);
    printf("| chunks (2,000/200 chars) | %zu |\n", n_chunks);
    printf("| LSA vocabulary | %zu terms, 256 dims |\n", terms);
    printf("| chunking | %.2f s |\n", t_chunk[mid]);
    printf("| BM25 index | %.2f s |\n", t_bm25[mid]);
    printf("| LSA fit | %.2f s wall, %.2f s CPU |\n", t_fit[mid], c_fit[mid]);
    printf("| LSA embed of every chunk | %.2f s wall (%.0f chunks/s), %.2f s CPU |\n", t_embed[mid],
           (double)n_chunks / t_embed[mid], c_embed[mid]);
    printf("| fit + embed | %.0f chunks/s wall, %.0f chunks/s per CPU second |\n",
           (double)n_chunks / (t_fit[mid] + t_embed[mid]), (double)n_chunks / (c_fit[mid] + c_embed[mid]));
    printf("| whole build (chunk + BM25 + fit + embed) | %.2f s (%.0f chunks/s) |\n", total,
           (double)n_chunks / total);
    for (size_t i = 0; i < n; i++)
        free(text[i]);
    free(text);
    lh__world_release(&w);
    return 0;
}
