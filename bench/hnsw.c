/* hnsw.c: the data and our side of bench/hnsw.sh (HNSW, src/ann/hnsw.h).
 *
 *   hnsw gen DIR clustered|uniform N DIMS NQ SEED
 *        DIR/base.f32 (N rows) and DIR/queries.f32 (NQ held-out rows of the same
 *        distribution), unit rows. clustered: 1000 centres (Gaussian, normalised), a row
 *        is a random centre plus Gaussian noise of norm ~0.6, normalised; uniform: every
 *        component uniform in [-1, 1), normalised.
 *   hnsw holdout DIR N DIMS NQ SEED
 *        DIR/all.f32 (N rows, from hnsw_export) -> NQ random rows become DIR/queries.f32,
 *        the other N - NQ DIR/base.f32, all normalised.
 *   hnsw gt DIR N DIMS NQ THREADS
 *        DIR/gt.bin: the exact top 10 of every query (lh_vec_search, inner product).
 *   hnsw ours DIR N DIMS NQ M EFC THREADS EFS
 *        builds our graph (lh_hnsw_build, THREADS workers) and prints its build line, then
 *        a search line per ef of EFS ("16,32,64"; "-" = build only): one query at a time,
 *        in this thread; then keeps the graph in DIR/ours-M-EFC.lhg (lh_hnsw_save).
 *   hnsw filter DIR N DIMS NQ M EFC EF PERMILLES
 *        filtered search over the graph of DIR/ours-M-EFC.lhg (built when there is none):
 *        for each fraction (per mille, "500,200,...") a seeded random
 *        subset of the rows is allowed; prints per fraction our filtered HNSW (recall@10
 *        against the exact filtered top 10, p50/p99) and the exact filtered scan
 *        (lh_vec_search with the bitmap, 1 thread, p50/p99), and whether
 *        lh_hnsw_filter_prefers_exact says exact:
 *        filter PERMILLE RECALL HNSW_P50_US HNSW_P99_US EXACT_P50_US EXACT_P99_US PREFERS_EXACT
 *               GATHERED_P50_US GATHERED_P99_US
 *        (GATHERED: the exact search over only the allowed rows, copied into one matrix
 *        first, untimed: the bound of an exact scan that skips the rows it may not return)
 *
 * Output lines: hnsw_common.h. Everything is seeded. */
#include <stdbool.h>

#include "ann/exact.h"
#include "ann/hnsw.h"
#include "hnsw_common.h"

/* ---- data -------------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double uniform01(void)
{
    return (double)(rng_next() >> 11) / 9007199254740992.0;
}

static float gauss(void)
{
    double u = ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
    return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * uniform01()));
}

static void normalize(float *row, size_t dims)
{
    double s = 0;
    for (size_t d = 0; d < dims; d++)
        s += (double)row[d] * row[d];
    float inv = s > 0 ? (float)(1.0 / sqrt(s)) : 0;
    for (size_t d = 0; d < dims; d++)
        row[d] *= inv;
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        hb_die(path);
    return f;
}

static void put_rows(FILE *f, const float *rows, size_t n, size_t dims)
{
    if (fwrite(rows, sizeof *rows, n * dims, f) != n * dims)
        hb_die("write");
}

#define CLUSTERS 1000
#define CLUSTER_NOISE 0.6

static int gen(const char *dir, const char *kind, size_t n, size_t dims, size_t nq)
{
    bool clustered = !strcmp(kind, "clustered");
    if (!clustered && strcmp(kind, "uniform")) {
        fprintf(stderr, "hnsw gen: clustered or uniform, not '%s'\n", kind);
        return 2;
    }
    float *centres = NULL;
    if (clustered) {
        centres = hb_alloc(CLUSTERS * dims * sizeof *centres);
        for (size_t c = 0; c < CLUSTERS; c++) {
            for (size_t d = 0; d < dims; d++)
                centres[c * dims + d] = gauss();
            normalize(centres + c * dims, dims);
        }
    }
    float *row = hb_alloc(dims * sizeof *row);
    FILE *fb = open_out(dir, "base.f32"), *fq = open_out(dir, "queries.f32");
    float sd = (float)(CLUSTER_NOISE / sqrt((double)dims));
    for (size_t r = 0; r < n + nq; r++) {
        if (clustered) {
            const float *c = centres + (rng_next() % CLUSTERS) * dims;
            for (size_t d = 0; d < dims; d++)
                row[d] = c[d] + sd * gauss();
        } else {
            for (size_t d = 0; d < dims; d++)
                row[d] = (float)(2.0 * uniform01() - 1.0);
        }
        normalize(row, dims);
        put_rows(r < n ? fb : fq, row, 1, dims);
    }
    if (fclose(fb) || fclose(fq))
        hb_die("close");
    free(row);
    free(centres);
    return 0;
}

static int holdout(const char *dir, size_t n, size_t dims, size_t nq)
{
    if (nq >= n) {
        fprintf(stderr, "hnsw holdout: %zu queries out of %zu rows\n", nq, n);
        return 2;
    }
    float *all = hb_read_f32(dir, "all.f32", n, dims);
    bool *held = calloc(n, sizeof *held);
    if (!held)
        hb_die("calloc");
    for (size_t got = 0; got < nq;) {
        size_t r = rng_next() % n;
        if (!held[r]) {
            held[r] = true;
            got++;
        }
    }
    FILE *fb = open_out(dir, "base.f32"), *fq = open_out(dir, "queries.f32");
    for (size_t r = 0; r < n; r++) {
        normalize(all + r * dims, dims);
        put_rows(held[r] ? fq : fb, all + r * dims, 1, dims);
    }
    if (fclose(fb) || fclose(fq))
        hb_die("close");
    free(held);
    free(all);
    return 0;
}

/* ---- ground truth -------------------------------------------------------------------------- */

static void exact_top(const float *base, size_t n, size_t dims, const float *q,
                      const uint64_t *allow, int threads, lh_vec_hit *hits, size_t *got)
{
    lh_vec_search_opts o = {.metric = LH_VEC_DOT, .k = HNSW_K, .threads = threads, .allow = allow};
    lh_err err;
    if (lh_vec_search(base, n, dims, q, &o, hits, got, &err)) {
        fprintf(stderr, "hnsw bench: exact search: %s\n", err.msg);
        exit(1);
    }
}

static int gt(const char *dir, size_t n, size_t dims, size_t nq, int threads)
{
    float *base = hb_read_f32(dir, "base.f32", n, dims);
    float *q = hb_read_f32(dir, "queries.f32", nq, dims);
    FILE *f = open_out(dir, "gt.bin");
    for (size_t i = 0; i < nq; i++) {
        lh_vec_hit hits[HNSW_K];
        size_t got;
        exact_top(base, n, dims, q + i * dims, NULL, threads, hits, &got);
        uint32_t ids[HNSW_K] = {0};
        float scores[HNSW_K] = {0};
        for (size_t j = 0; j < got; j++) {
            ids[j] = (uint32_t)hits[j].row;
            scores[j] = hits[j].score;
        }
        if (fwrite(ids, sizeof *ids, HNSW_K, f) != HNSW_K ||
            fwrite(scores, sizeof *scores, HNSW_K, f) != HNSW_K)
            hb_die("write gt.bin");
    }
    if (fclose(f))
        hb_die("close gt.bin");
    free(base);
    free(q);
    return 0;
}

/* ---- our graph ------------------------------------------------------------------------------- */

static lh_hnsw *build(const float *base, size_t n, size_t dims, size_t m, size_t efc, int threads)
{
    lh_hnsw_params p = LH_HNSW_DEFAULTS;
    p.M = (uint32_t)m;
    p.ef_construction = (uint32_t)efc;
    lh_hnsw *h = NULL;
    lh_err err;
    size_t rss0 = hb_rss();
    double t0 = hb_now_us();
    if (lh_hnsw_build(base, n, dims, LH_VEC_DOT, &p, threads, NULL, NULL, &h, &err)) {
        fprintf(stderr, "hnsw bench: build: %s\n", err.msg);
        exit(1);
    }
    double ms = (hb_now_us() - t0) / 1e3;
    size_t rss1 = hb_rss();
    printf("build ours %zu %d %.1f %zu %zu\n", efc, threads, ms, lh_hnsw_bytes(h),
           rss1 > rss0 ? rss1 - rss0 : 0);
    fflush(stdout);
    return h;
}

/* One search of q; its hits' rows into rows (HNSW_K); returns how many. */
static size_t search1(const lh_hnsw *h, const float *q, size_t ef, const uint64_t *allow,
                      uint64_t *rows)
{
    lh_hnsw_search_opts o = {.k = HNSW_K, .ef = (uint32_t)ef, .allow = allow};
    lh_vec_hit hits[HNSW_K];
    size_t got = 0;
    lh_err err;
    if (lh_hnsw_search(h, q, &o, hits, &got, &err)) {
        fprintf(stderr, "hnsw bench: search: %s\n", err.msg);
        exit(1);
    }
    for (size_t j = 0; j < got; j++)
        rows[j] = hits[j].row;
    return got;
}

/* Times every query at ef (fastest of HNSW_PASSES passes), recall against g. */
static double sweep(const lh_hnsw *h, const float *base, const float *q, size_t nq, size_t dims,
                    size_t ef, const uint64_t *allow, const hb_gt *g, double *lat)
{
    uint64_t rows[HNSW_K];
    size_t right = 0;
    for (size_t i = 0; i < 5 && i < nq; i++)
        search1(h, q + i * dims, ef, allow, rows);
    for (int pass = 0; pass < HNSW_PASSES; pass++)
        for (size_t i = 0; i < nq; i++) {
            double t0 = hb_now_us();
            size_t got = search1(h, q + i * dims, ef, allow, rows);
            double us = hb_now_us() - t0;
            size_t kept = 0; /* a row the filter does not allow is a wrong answer */
            for (size_t j = 0; j < got; j++)
                if (!allow || (allow[rows[j] / 64] >> (rows[j] % 64) & 1))
                    rows[kept++] = rows[j];
            got = kept;
            if (!pass || us < lat[i])
                lat[i] = us;
            if (!pass)
                right += hb_hits(base, dims, q + i * dims, rows, got, g->scores + i * HNSW_K);
        }
    return (double)right / (double)(nq * HNSW_K);
}

/* DIR/ours-M-EFC.lhg: the graph a sweep built, kept for the filter measurement (the
 * script removes these files when it regenerates the data and before each run). */
static void graph_path(char *path, size_t cap, const char *dir, size_t m, size_t efc)
{
    snprintf(path, cap, "%s/ours-%zu-%zu.lhg", dir, m, efc);
}

/* The base as the server holds an index's vectors: allocated at its final size and advised
 * onto huge pages before it is filled (src/vector/index_load.c), so a search's vector
 * reads are no TLB misses. hnswlib and faiss copy the vectors into memory of their own. */
static float *read_base(const char *dir, size_t n, size_t dims)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/base.f32", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        hb_die(path);
    float *m = (float *)hb_alloc(n * dims * sizeof *m);
    lh_hnsw_advise_huge(m, n * dims * sizeof *m);
    if (fread(m, sizeof *m, n * dims, f) != n * dims) {
        fprintf(stderr, "hnsw bench: %s is shorter than %zu x %zu floats\n", path, n, dims);
        exit(1);
    }
    fclose(f);
    return m;
}

static int ours(const char *dir, size_t n, size_t dims, size_t nq, size_t m, size_t efc,
                int threads, const char *efs)
{
    float *base = read_base(dir, n, dims);
    lh_hnsw *h = build(base, n, dims, m, efc, threads);
    if (strcmp(efs, "-")) {
        char path[4096];
        lh_err err;
        graph_path(path, sizeof path, dir, m, efc);
        if (lh_hnsw_save(h, 0, path, &err))
            fprintf(stderr, "hnsw bench: save: %s\n", err.msg);
        float *q = hb_read_f32(dir, "queries.f32", nq, dims);
        hb_gt g = hb_read_gt(dir, "gt.bin", nq);
        size_t ef[64], nef = hb_list(efs, ef, 64);
        double *lat = hb_alloc(nq * sizeof *lat);
        for (size_t e = 0; e < nef; e++) {
            double recall = sweep(h, base, q, nq, dims, ef[e], NULL, &g, lat);
            hb_print_search("ours", efc, ef[e], recall, lat, nq);
        }
        free(lat);
        free(g.ids);
        free(g.scores);
        free(q);
    }
    lh_hnsw_free(h);
    free(base);
    return 0;
}

/* ---- filtered search --------------------------------------------------------------------------- */

static int filter(const char *dir, size_t n, size_t dims, size_t nq, size_t m, size_t efc,
                  size_t ef, const char *permilles)
{
    float *base = read_base(dir, n, dims);
    float *q = hb_read_f32(dir, "queries.f32", nq, dims);
    char path[4096];
    lh_hnsw *h = NULL;
    int64_t version;
    lh_err err;
    graph_path(path, sizeof path, dir, m, efc);
    if (lh_hnsw_load(path, base, n, dims, &h, &version, &err))
        h = build(base, n, dims, m, efc, 0);
    size_t pm[32], npm = hb_list(permilles, pm, 32);
    size_t words = lh_vec_bitmap_words(n);
    uint64_t *allow = hb_alloc(words * sizeof *allow);
    double *lat = hb_alloc(nq * sizeof *lat), *elat = hb_alloc(nq * sizeof *elat);
    hb_gt g = {hb_alloc(nq * HNSW_K * sizeof *g.ids), hb_alloc(nq * HNSW_K * sizeof *g.scores)};
    for (size_t f = 0; f < npm; f++) {
        memset(allow, 0, words * sizeof *allow);
        size_t allowed = 0;
        for (size_t r = 0; r < n; r++)
            if (rng_next() % 1000 < pm[f]) {
                allow[r / 64] |= 1ull << (r % 64);
                allowed++;
            }
        /* the exact filtered top 10, timed as the exact contender (1 thread, fastest of
         * HNSW_PASSES passes like the graph's) */
        for (int pass = 0; pass < HNSW_PASSES; pass++)
            for (size_t i = 0; i < nq; i++) {
                lh_vec_hit hits[HNSW_K];
                size_t got;
                double t0 = hb_now_us();
                exact_top(base, n, dims, q + i * dims, allow, 1, hits, &got);
                double us = hb_now_us() - t0;
                if (!pass || us < elat[i])
                    elat[i] = us;
                for (size_t j = 0; j < HNSW_K; j++)
                    g.scores[i * HNSW_K + j] = j < got ? hits[j].score : -INFINITY;
            }
        double recall = sweep(h, base, q, nq, dims, ef, allow, &g, lat);
        double p50 = hb_pct(lat, nq, 50), p99 = hb_pct(lat, nq, 99);
        double e50 = hb_pct(elat, nq, 50), e99 = hb_pct(elat, nq, 99);
        /* the same exact search over the allowed rows gathered into one matrix beforehand
         * (the gathering not timed): what an exact scan that scores only the allowed rows
         * could reach. lh_vec_search scores every row of a 64-row block holding at least
         * one allowed row, so a sparse filter costs it nearly a full scan. */
        float *packed = hb_alloc((allowed ? allowed : 1) * dims * sizeof *packed);
        for (size_t r = 0, j = 0; r < n; r++)
            if (allow[r / 64] >> (r % 64) & 1)
                memcpy(packed + j++ * dims, base + r * dims, dims * sizeof *packed);
        for (int pass = 0; pass < HNSW_PASSES; pass++)
            for (size_t i = 0; i < nq; i++) {
                lh_vec_hit hits[HNSW_K];
                size_t got;
                double t0 = hb_now_us();
                exact_top(packed, allowed, dims, q + i * dims, NULL, 1, hits, &got);
                double us = hb_now_us() - t0;
                if (!pass || us < elat[i])
                    elat[i] = us;
            }
        free(packed);
        double g50 = hb_pct(elat, nq, 50), g99 = hb_pct(elat, nq, 99);
        printf("filter %zu %.4f %.1f %.1f %.1f %.1f %d %.1f %.1f\n", pm[f], recall, p50, p99, e50,
               e99, (int)lh_hnsw_filter_prefers_exact(allowed, n), g50, g99);
        fflush(stdout);
    }
    free(g.ids);
    free(g.scores);
    free(lat);
    free(elat);
    free(allow);
    lh_hnsw_free(h);
    free(q);
    free(base);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (argc == 8 && !strcmp(mode, "gen")) {
        rng_state = hb_arg(argv[7]);
        return gen(argv[2], argv[3], hb_arg(argv[4]), hb_arg(argv[5]), hb_arg(argv[6]));
    }
    if (argc == 7 && !strcmp(mode, "holdout")) {
        rng_state = hb_arg(argv[6]);
        return holdout(argv[2], hb_arg(argv[3]), hb_arg(argv[4]), hb_arg(argv[5]));
    }
    if (argc == 7 && !strcmp(mode, "gt"))
        return gt(argv[2], hb_arg(argv[3]), hb_arg(argv[4]), hb_arg(argv[5]), (int)hb_arg(argv[6]));
    if (argc == 10 && !strcmp(mode, "ours"))
        return ours(argv[2], hb_arg(argv[3]), hb_arg(argv[4]), hb_arg(argv[5]), hb_arg(argv[6]),
                    hb_arg(argv[7]), (int)hb_arg(argv[8]), argv[9]);
    if (argc == 10 && !strcmp(mode, "filter")) {
        rng_state = 7;
        return filter(argv[2], hb_arg(argv[3]), hb_arg(argv[4]), hb_arg(argv[5]), hb_arg(argv[6]),
                      hb_arg(argv[7]), hb_arg(argv[8]), argv[9]);
    }
    fprintf(stderr, "usage: hnsw gen DIR clustered|uniform N DIMS NQ SEED\n"
                    "       hnsw holdout DIR N DIMS NQ SEED\n"
                    "       hnsw gt DIR N DIMS NQ THREADS\n"
                    "       hnsw ours DIR N DIMS NQ M EFC THREADS EFS|-\n"
                    "       hnsw filter DIR N DIMS NQ M EFC EF PERMILLES\n");
    return 2;
}
