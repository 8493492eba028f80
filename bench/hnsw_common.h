/* hnsw_common.h: what the drivers of bench/hnsw.sh share (bench/hnsw.c, our HNSW in C;
 * bench/hnsw_baselines.cpp, hnswlib and faiss in C++): the data files, the clock, the
 * percentiles and the recall, so every contender is measured the same way.
 *
 * A data set is a directory (bench/out/hnsw/<set>/) holding
 *   base.f32     n x dims float32, row-major, no header, L2-normalised rows
 *   queries.f32  nq x dims, the same (held out: not rows of base)
 *   gt.bin       per query HNSW_K uint32 row numbers then HNSW_K float scores (inner
 *                product, best first): exact search (lh_vec_search), written by
 *                `hnsw gt`
 * Every contender scores by inner product (= cosine on these unit rows).
 *
 * Recall@10 counts a returned row as right when its exact inner product with the query is
 * at least the 10th best one's (minus 1e-5): ties at the 10th place (near-duplicate
 * resumes) then count for whichever of the tied rows a contender returns, as
 * ann-benchmarks does with its distance threshold. Rows returned twice count once.
 *
 * Latency: each setting runs every query HNSW_PASSES times, pass after pass (so the
 * other queries' nodes have left the caches between two runs of one query), and a query's
 * latency is its fastest run: a scheduler hiccup on the shared machine is not counted,
 * a warm cache is not either. */
#ifndef LH_BENCH_HNSW_COMMON_H
#define LH_BENCH_HNSW_COMMON_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HNSW_K 10
#define HNSW_PASSES 2

static inline double hb_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static inline void hb_die(const char *what)
{
    fprintf(stderr, "hnsw bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static inline size_t hb_arg(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) {
        fprintf(stderr, "hnsw bench: '%s' is not a number\n", s);
        exit(2);
    }
    return (size_t)v;
}

static inline void *hb_alloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        hb_die("malloc");
    return p;
}

/* DIR/name as n x dims floats (exits when the file is short). */
static inline float *hb_read_f32(const char *dir, const char *name, size_t n, size_t dims)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        hb_die(path);
    float *m = (float *)hb_alloc(n * dims * sizeof *m);
    if (fread(m, sizeof *m, n * dims, f) != n * dims) {
        fprintf(stderr, "hnsw bench: %s is shorter than %zu x %zu floats\n", path, n, dims);
        exit(1);
    }
    fclose(f);
    return m;
}

typedef struct hb_gt {
    uint32_t *ids;   /* nq x HNSW_K */
    float *scores;   /* nq x HNSW_K */
} hb_gt;

static inline hb_gt hb_read_gt(const char *dir, const char *name, size_t nq)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        hb_die(path);
    hb_gt g;
    g.ids = (uint32_t *)hb_alloc(nq * HNSW_K * sizeof *g.ids);
    g.scores = (float *)hb_alloc(nq * HNSW_K * sizeof *g.scores);
    for (size_t i = 0; i < nq; i++)
        if (fread(g.ids + i * HNSW_K, sizeof *g.ids, HNSW_K, f) != HNSW_K ||
            fread(g.scores + i * HNSW_K, sizeof *g.scores, HNSW_K, f) != HNSW_K) {
            fprintf(stderr, "hnsw bench: %s is short\n", path);
            exit(1);
        }
    fclose(f);
    return g;
}

static inline float hb_dot(const float *a, const float *b, size_t dims)
{
    double s = 0;
    for (size_t d = 0; d < dims; d++)
        s += (double)a[d] * b[d];
    return (float)s;
}

/* Right answers among got[0..ngot) for query q (see the top of the file). */
static inline size_t hb_hits(const float *base, size_t dims, const float *q, const uint64_t *got,
                             size_t ngot, const float *gt_scores)
{
    size_t right = 0;
    float floor = gt_scores[HNSW_K - 1] - 1e-5f;
    for (size_t i = 0; i < ngot && i < HNSW_K; i++) {
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            dup |= got[j] == got[i];
        if (!dup && hb_dot(base + got[i] * dims, q, dims) >= floor)
            right++;
    }
    return right;
}

static int hb_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile p of v[0..n) (sorts v). */
static inline double hb_pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, hb_cmp_double);
    size_t r = (size_t)ceil(p / 100.0 * (double)n);
    return v[r ? r - 1 : 0];
}

/* Resident set size of this process, bytes (/proc/self/statm). */
static inline size_t hb_rss(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%llu %llu", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return (size_t)res * 4096;
}

/* "16,32,64" -> values (at most max); returns how many. */
static inline size_t hb_list(const char *s, size_t *out, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (end == s || (*end && *end != ',')) {
            fprintf(stderr, "hnsw bench: bad list at '%s'\n", s);
            exit(2);
        }
        out[n++] = (size_t)v;
        s = *end ? end + 1 : end;
    }
    return n;
}

/* The lines every driver prints, which bench/hnsw.sh collects:
 *   build CONTENDER EFC THREADS MS GRAPH_BYTES RSS_DELTA_BYTES
 *   search CONTENDER EFC EF RECALL P50_US P99_US */
static inline void hb_print_search(const char *who, size_t efc, size_t ef, double recall,
                                   double *lat, size_t nq)
{
    double p50 = hb_pct(lat, nq, 50), p99 = hb_pct(lat, nq, 99);
    printf("search %s %zu %zu %.4f %.1f %.1f\n", who, efc, ef, recall, p50, p99);
    fflush(stdout);
}

#endif
