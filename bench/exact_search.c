/* exact_search.c: the driver of bench/exact_search.sh (exact vector search, src/vector).
 *
 *   exact_search gen DIR N DIMS NQ SEED   writes DIR/x_N_DIMS.f32 (N unit rows) and
 *                                         DIR/q_N_DIMS.f32 (NQ unit queries): float32,
 *                                         row-major, no header; Gaussian then normalised
 *   exact_search bandwidth THREADS        streaming-read memory bandwidth, GB/s, with 1
 *                                         and THREADS threads (best of 10 over 1 GiB), per
 *                                         wall second and per CPU second
 *   exact_search search DIR N DIMS NQ THREADS OUT [float]
 *                                         times one query at a time (k 10, inner product)
 *                                         with THREADS threads; writes OUT.times (wall ms
 *                                         per query), OUT.cpu (process CPU ms per query)
 *                                         and OUT.ids (the top 10 row numbers per query); then, unless "float": 1 thread, the
 *                                         scalar kernels, and int8 with re-rank x4 and x1
 *                                         (recall@10 against the float search)
 *
 * Prints "key value" lines for the script. Everything is seeded: the same arguments give
 * the same vectors on every run. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ann/exact.h"
#include "ann/ann_int.h"

#define K 10

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time of the whole process (every thread): what a query costs when the machine is
 * shared and the wall clock also counts the time the scheduler gave to others. */
static double cpu_ms(void)
{
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static void die(const char *what)
{
    fprintf(stderr, "exact_search: %s: %s\n", what, strerror(errno));
    exit(1);
}

static size_t arg_size(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || !v) {
        fprintf(stderr, "exact_search: '%s' is not a positive number\n", s);
        exit(2);
    }
    return (size_t)v;
}

/* ---- data ------------------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static float gauss(void)
{
    double u = ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
    double v = (double)(rng_next() >> 11) / 9007199254740992.0;
    return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

static void write_unit_rows(const char *path, size_t n, size_t dims)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        die(path);
    float *row = malloc(dims * sizeof *row);
    for (size_t r = 0; r < n; r++) {
        for (size_t d = 0; d < dims; d++)
            row[d] = gauss();
        lh_vec_normalize(row, dims);
        if (fwrite(row, sizeof *row, dims, f) != dims)
            die(path);
    }
    free(row);
    if (fclose(f))
        die(path);
}

static float *read_rows(const char *path, size_t n, size_t dims)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path);
    float *m = malloc(n * dims * sizeof *m);
    if (!m)
        die("malloc");
    if (fread(m, sizeof *m, n * dims, f) != n * dims) {
        fprintf(stderr, "exact_search: %s is shorter than %zu x %zu floats\n", path, n, dims);
        exit(1);
    }
    fclose(f);
    return m;
}

/* ---- memory bandwidth -------------------------------------------------------------------- */

typedef struct bw_part {
    const uint64_t *p;
    size_t words;
    uint64_t sum;
} bw_part;

static void *bw_read(void *arg)
{
    bw_part *b = arg;
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t i = 0; i + 4 <= b->words; i += 4) {
        s0 += b->p[i];
        s1 += b->p[i + 1];
        s2 += b->p[i + 2];
        s3 += b->p[i + 3];
    }
    b->sum = s0 + s1 + s2 + s3;
    return NULL;
}

/* Reading `words` words with t threads, best of 10: GB per wall second (returned) and GB
 * per second of the process's CPU time (*cpu_gbs), which a loaded machine disturbs less:
 * the wall clock also counts the time the scheduler gave to other processes. */
static double bandwidth(const uint64_t *buf, size_t words, int t, double *cpu_gbs)
{
    double best = 0;
    *cpu_gbs = 0;
    for (int rep = 0; rep < 10; rep++) {
        bw_part parts[64];
        pthread_t tids[64];
        double c0 = cpu_ms(), t0 = now_ms();
        for (int i = 0; i < t; i++) {
            parts[i] = (bw_part){.p = buf + words / (size_t)t * (size_t)i, .words = words / (size_t)t};
            if (i && pthread_create(&tids[i], NULL, bw_read, &parts[i]))
                die("pthread_create");
        }
        bw_read(&parts[0]);
        uint64_t sink = parts[0].sum;
        for (int i = 1; i < t; i++) {
            pthread_join(tids[i], NULL);
            sink += parts[i].sum;
        }
        double ms = now_ms() - t0, cms = cpu_ms() - c0;
        if (sink == 42)  /* keeps the sums alive */
            fputs(" ", stderr);
        double gb = (double)(words * 8) / 1e6;
        if (gb / ms > best)
            best = gb / ms;
        if (cms > 0 && gb / cms > *cpu_gbs)
            *cpu_gbs = gb / cms;
    }
    return best;
}

/* ---- timing -------------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* nearest-rank percentile of n values (sorted in place) */
static double pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t r = (size_t)ceil(p / 100.0 * (double)n);
    return v[r ? r - 1 : 0];
}

typedef struct run {
    const float *x, *q;
    size_t n, dims, nq;
} run;

/* Times every query with `threads` threads (after 3 warm-up queries); times[i] in ms,
 * ids (nq x K, may be NULL) the rows found. */
static void time_float(const run *r, int threads, double *times, double *cpu, uint64_t *ids)
{
    lh_vec_search_opts o = {.metric = LH_VEC_DOT, .k = K, .threads = threads};
    lh_vec_hit hits[K];
    size_t got;
    lh_err err;
    for (size_t i = 0; i < 3 && i < r->nq; i++)
        lh_vec_search(r->x, r->n, r->dims, r->q + i * r->dims, &o, hits, &got, &err);
    for (size_t i = 0; i < r->nq; i++) {
        double c0 = cpu_ms(), t0 = now_ms();
        if (lh_vec_search(r->x, r->n, r->dims, r->q + i * r->dims, &o, hits, &got, &err)) {
            fprintf(stderr, "exact_search: %s\n", err.msg);
            exit(1);
        }
        times[i] = now_ms() - t0;
        cpu[i] = cpu_ms() - c0;
        if (ids)
            for (size_t j = 0; j < K; j++)
                ids[i * K + j] = j < got ? hits[j].row : UINT64_MAX;
    }
}

/* int8 search with re-rank x rerank: times, and recall@10 against ids. */
static double time_q8(const run *r, const lh_vec_q8 *q8, int threads, size_t rerank,
                      double *times, double *cpu, const uint64_t *ids)
{
    lh_vec_search_opts o = {.metric = LH_VEC_DOT, .k = K, .threads = threads};
    lh_vec_hit hits[K];
    size_t got, found = 0;
    lh_err err;
    for (size_t i = 0; i < 3 && i < r->nq; i++)
        lh_vec_q8_search(q8, r->x, r->q + i * r->dims, &o, rerank, hits, &got, &err);
    for (size_t i = 0; i < r->nq; i++) {
        double c0 = cpu_ms(), t0 = now_ms();
        if (lh_vec_q8_search(q8, r->x, r->q + i * r->dims, &o, rerank, hits, &got, &err)) {
            fprintf(stderr, "exact_search: %s\n", err.msg);
            exit(1);
        }
        times[i] = now_ms() - t0;
        cpu[i] = cpu_ms() - c0;
        for (size_t a = 0; a < got; a++)
            for (size_t e = 0; e < K; e++)
                found += hits[a].row == ids[i * K + e];
    }
    return (double)found / (double)(r->nq * K);
}

static void write_times(const char *out, const char *ext, const double *times, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.%s", out, ext);
    FILE *f = fopen(path, "w");
    if (!f)
        die(path);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.4f\n", times[i]);
    if (fclose(f))
        die(path);
}

static void report(const char *name, double *times, double *cpu, size_t n, double bytes)
{
    double p50 = pct(times, n, 50), p95 = pct(times, n, 95);
    double c50 = pct(cpu, n, 50);
    printf("%s_p50_ms %.3f\n%s_p95_ms %.3f\n%s_gbs %.2f\n%s_cpu_p50_ms %.3f\n%s_cpu_gbs %.2f\n",
           name, p50, name, p95, name, bytes / (p50 * 1e6), name, c50, name, bytes / (c50 * 1e6));
}

static int search(const char *dir, size_t n, size_t dims, size_t nq, int threads, const char *out,
                  bool float_only)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/x_%zu_%zu.f32", dir, n, dims);
    float *x = read_rows(path, n, dims);
    snprintf(path, sizeof path, "%s/q_%zu_%zu.f32", dir, n, dims);
    float *q = read_rows(path, nq, dims);
    run r = {.x = x, .q = q, .n = n, .dims = dims, .nq = nq};
    double *times = malloc(nq * sizeof *times), *cpu = malloc(nq * sizeof *cpu);
    uint64_t *ids = malloc(nq * K * sizeof *ids);
    double bytes = (double)n * (double)dims * sizeof(float);
    printf("kernels %s\n", lh_vec_kernel_name());

    time_float(&r, threads, times, cpu, ids);
    write_times(out, "times", times, nq);
    write_times(out, "cpu", cpu, nq);
    report("float", times, cpu, nq, bytes);
    snprintf(path, sizeof path, "%s.ids", out);
    FILE *f = fopen(path, "w");
    if (!f)
        die(path);
    for (size_t i = 0; i < nq; i++)
        for (size_t j = 0; j < K; j++)
            fprintf(f, "%llu%c", (unsigned long long)ids[i * K + j], j + 1 < K ? ' ' : '\n');
    if (fclose(f))
        die(path);
    if (float_only)
        goto done;

    time_float(&r, 1, times, cpu, NULL);
    report("float_1t", times, cpu, nq, bytes);
    lh_simd_force_scalar(true);
    time_float(&r, threads, times, cpu, NULL);
    report("scalar", times, cpu, nq, bytes);
    lh_simd_force_scalar(false);

    lh_vec_q8 *q8 = NULL;
    lh_err err;
    double t0 = now_ms();
    if (lh_vec_q8_new(x, n, dims, &q8, &err)) {
        fprintf(stderr, "exact_search: %s\n", err.msg);
        return 1;
    }
    printf("int8_build_ms %.1f\nint8_bytes %zu\n", now_ms() - t0, lh_vec_q8_bytes(q8));
    double qbytes = (double)n * (double)dims;
    double rec4 = time_q8(&r, q8, threads, 4, times, cpu, ids);
    report("int8_rr4", times, cpu, nq, qbytes);
    printf("int8_rr4_recall %.4f\n", rec4);
    double rec1 = time_q8(&r, q8, threads, 1, times, cpu, ids);
    report("int8_rr1", times, cpu, nq, qbytes);
    printf("int8_rr1_recall %.4f\n", rec1);
    lh_vec_q8_free(q8);
done:
    free(times);
    free(cpu);
    free(ids);
    free(x);
    free(q);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 7 && !strcmp(argv[1], "gen")) {
        size_t n = arg_size(argv[3]), dims = arg_size(argv[4]), nq = arg_size(argv[5]);
        char path[4096];
        rng_state = arg_size(argv[6]);
        snprintf(path, sizeof path, "%s/x_%zu_%zu.f32", argv[2], n, dims);
        write_unit_rows(path, n, dims);
        snprintf(path, sizeof path, "%s/q_%zu_%zu.f32", argv[2], n, dims);
        write_unit_rows(path, nq, dims);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "bandwidth")) {
        int t = (int)arg_size(argv[2]);
        if (t > 64)
            t = 64;
        size_t words = (size_t)1 << 27;  /* 1 GiB */
        uint64_t *buf = malloc(words * sizeof *buf);
        if (!buf)
            die("malloc");
        for (size_t i = 0; i < words; i++)
            buf[i] = i;
        double c1, ct;
        double w1 = bandwidth(buf, words, 1, &c1), wt = bandwidth(buf, words, t, &ct);
        printf("bw_1t_gbs %.2f\nbw_1t_cpu_gbs %.2f\nbw_gbs %.2f\nbw_cpu_gbs %.2f\n", w1, c1, wt, ct);
        free(buf);
        return 0;
    }
    if ((argc == 8 || argc == 9) && !strcmp(argv[1], "search"))
        return search(argv[2], arg_size(argv[3]), arg_size(argv[4]), arg_size(argv[5]),
                      (int)arg_size(argv[6]), argv[7], argc == 9 && !strcmp(argv[8], "float"));
    fprintf(stderr, "usage: exact_search gen DIR N DIMS NQ SEED | bandwidth THREADS |\n"
                    "       search DIR N DIMS NQ THREADS OUT [float]\n");
    return 2;
}
