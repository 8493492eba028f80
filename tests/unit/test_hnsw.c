/* Unit tests for the HNSW graph (src/ann/hnsw*.c): recall against exact search over a
 * range of ef (floors, not exact values), determinism (same seed: same graph and hits,
 * whatever the thread count), deletions, filters, additions after a build, the file
 * (round trip, and every kind of damage refused), the int8 walk, parameters and cancel.
 * Data: clustered unit vectors from a seeded generator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ann/hnsw.h"
#include "ann/hnsw_int.h"
#include "ann/exact.h"

/* ---- data ---------------------------------------------------------------------------- */

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

/* n rows around `clusters` random unit centres, noise of norm ~1.5 (hard enough that a small ef misses), normalised. */
static float *clustered(size_t n, size_t dims, size_t clusters, uint64_t seed)
{
    rng_state = seed;
    float *c = malloc(clusters * dims * sizeof *c);
    float *m = malloc(n * dims * sizeof *m);
    assert_non_null(c);
    assert_non_null(m);
    for (size_t i = 0; i < clusters * dims; i++)
        c[i] = gauss();
    for (size_t i = 0; i < clusters; i++)
        lh_vec_normalize(c + i * dims, dims);
    float spread = 1.5f / sqrtf((float)dims);
    for (size_t r = 0; r < n; r++) {
        const float *cc = c + (rng_next() % clusters) * dims;
        for (size_t d = 0; d < dims; d++)
            m[r * dims + d] = cc[d] + spread * gauss();
        lh_vec_normalize(m + r * dims, dims);
    }
    free(c);
    return m;
}

#define N 4000
#define DIMS 32
#define NQ 100
#define K 10

typedef struct fixture {
    float *base;      /* N rows */
    float *queries;   /* NQ rows, not in base */
    lh_hnsw *g;       /* COSINE, defaults, threads 2 */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    float *all = clustered(N + NQ, DIMS, 400, 7);
    f->base = all;
    f->queries = all + (size_t)N * DIMS;
    lh_hnsw_params p = LH_HNSW_DEFAULTS;
    lh_err err;
    if (lh_hnsw_build(f->base, N, DIMS, LH_VEC_COSINE, &p, 2, NULL, NULL, &f->g, &err))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lh_hnsw_free(f->g);
    free(f->base);
    free(f);
    return 0;
}

/* Recall@K of g over the fixture's queries at ef (optionally filtered / int8), against
 * exact search with the same filter. A hit counts when its exact score is at least the
 * K-th exact one's (ties at the K-th place count for any of the tied rows). */
static double recall(const fixture *f, const lh_hnsw *g, lh_vec_metric metric, uint32_t ef,
                     const uint64_t *allow, const lh_vec_q8 *q8)
{
    size_t good = 0, want = 0;
    lh_err err;
    for (size_t q = 0; q < NQ; q++) {
        const float *qv = f->queries + q * DIMS;
        lh_vec_hit ex[K], ap[K];
        size_t nex = 0, nap = 0;
        lh_vec_search_opts eo = {.metric = metric, .k = K, .threads = 1, .allow = allow};
        assert_int_equal(lh_vec_search(f->base, N, DIMS, qv, &eo, ex, &nex, &err), LH_OK);
        lh_hnsw_search_opts so = {.k = K, .ef = ef, .allow = allow, .q8 = q8};
        assert_int_equal(lh_hnsw_search(g, qv, &so, ap, &nap, &err), LH_OK);
        want += nex;
        if (!nex)
            continue;
        float kth = ex[nex - 1].score;
        for (size_t i = 0; i < nap; i++) {
            if (allow)
                assert_true((allow[ap[i].row / 64] >> (ap[i].row % 64)) & 1);
            const float *x = f->base + ap[i].row * DIMS;
            float s = metric == LH_VEC_L2 ? lh_vec_l2sq(qv, x, DIMS) : lh_vec_dot(qv, x, DIMS);
            if (metric == LH_VEC_L2 ? s <= kth + 1e-5f : s >= kth - 1e-5f)
                good++;
        }
    }
    return want ? (double)good / (double)want : 1.0;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void params_check(void **state)
{
    (void)state;
    lh_err err;
    lh_hnsw_params p = LH_HNSW_DEFAULTS;
    assert_int_equal(lh_hnsw_params_check(&p, &err), LH_OK);
    struct {
        uint32_t M, efc, efs;
        const char *name;
    } bad[] = {
        {1, 80, 30, "M"}, {LH_HNSW_M_MAX + 1, 80, 30, "M"}, {16, 0, 30, "ef_construction"},
        {16, LH_HNSW_EF_MAX + 1, 30, "ef_construction"}, {16, 80, 0, "ef_search"},
        {16, 80, LH_HNSW_EF_MAX + 1, "ef_search"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lh_hnsw_params b = {bad[i].M, bad[i].efc, bad[i].efs, 1};
        assert_int_equal(lh_hnsw_params_check(&b, &err), LH_EINVAL);
        assert_non_null(strstr(err.msg, bad[i].name));
        lh_hnsw *g = NULL;
        assert_int_equal(lh_hnsw_build(NULL, 0, 4, LH_VEC_DOT, &b, 1, NULL, NULL, &g, &err),
                         LH_EINVAL);
        assert_null(g);
    }
    lh_hnsw *g = NULL;
    assert_int_equal(lh_hnsw_build(NULL, 0, 0, LH_VEC_DOT, &p, 1, NULL, NULL, &g, &err), LH_EINVAL);
    assert_int_equal(lh_hnsw_build(NULL, 0, 4, (lh_vec_metric)7, &p, 1, NULL, NULL, &g, &err),
                     LH_EINVAL);
}

static void recall_over_ef(void **state)
{
    fixture *f = *state;
    assert_int_equal(lh_hnsw_size(f->g), N);
    assert_int_equal(lh_hnsw_dims(f->g), DIMS);
    assert_int_equal(lh_hnsw_metric(f->g), LH_VEC_COSINE);
    assert_int_equal(lh_hnsw_get_params(f->g)->M, 16);
    assert_true(lh_hnsw_bytes(f->g) >= (size_t)N * 33 * 4);
    static const struct {
        uint32_t ef;
        double floor;
    } steps[] = {{10, 0.60}, {30, 0.88}, {100, 0.98}, {400, 0.995}};
    double prev = 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        double r = recall(f, f->g, LH_VEC_COSINE, steps[i].ef, NULL, NULL);
        print_message("recall@%d at ef %u: %.4f\n", K, steps[i].ef, r);
        assert_true(r >= steps[i].floor);
        assert_true(r >= prev - 0.01); /* a wider beam does not lose (beyond noise) */
        prev = r;
    }
    /* hits come best first, ties by row */
    lh_vec_hit h[K];
    size_t n = 0;
    lh_err err;
    lh_hnsw_search_opts so = {.k = K};
    assert_int_equal(lh_hnsw_search(f->g, f->queries, &so, h, &n, &err), LH_OK);
    assert_int_equal(n, K);
    for (size_t i = 1; i < n; i++)
        assert_true(h[i - 1].score > h[i].score ||
                    (h[i - 1].score == h[i].score && h[i - 1].row < h[i].row));
    so.k = 0;
    assert_int_equal(lh_hnsw_search(f->g, f->queries, &so, h, &n, &err), LH_EINVAL);
}

static void other_metrics(void **state)
{
    fixture *f = *state;
    lh_hnsw_params p = LH_HNSW_DEFAULTS;
    lh_err err;
    lh_vec_metric ms[] = {LH_VEC_L2, LH_VEC_DOT};
    for (size_t i = 0; i < 2; i++) {
        lh_hnsw *g = NULL;
        assert_int_equal(lh_hnsw_build(f->base, N, DIMS, ms[i], &p, 2, NULL, NULL, &g, &err),
                         LH_OK);
        double r = recall(f, g, ms[i], 64, NULL, NULL);
        print_message("metric %d recall@%d at ef 64: %.4f\n", (int)ms[i], K, r);
        assert_true(r >= 0.97);
        lh_hnsw_free(g);
    }
}

static void assert_same_hits(const lh_vec_hit *a, const lh_vec_hit *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].row, b[i].row);
        assert_true(a[i].score == b[i].score);
    }
}

/* Same graph: levels, entry, every link list. */
static bool same_graph(const lh_hnsw *a, const lh_hnsw *b)
{
    if (a->count != b->count || a->entry != b->entry || a->max_level != b->max_level)
        return false;
    for (uint32_t r = 0; r < a->cap; r++) {
        if (a->levels[r] != b->levels[r])
            return false;
        for (int l = 0; l <= a->levels[r]; l++) {
            const uint32_t *x = lh__hnsw_links(a, r, l), *y = lh__hnsw_links(b, r, l);
            if (memcmp(x, y, (1 + x[0]) * sizeof *x))
                return false;
        }
    }
    return true;
}

static void determinism(void **state)
{
    fixture *f = *state;
    lh_hnsw_params p = LH_HNSW_DEFAULTS;
    lh_err err;
    lh_hnsw *one = NULL, *again = NULL, *other = NULL;
    assert_int_equal(lh_hnsw_build(f->base, N, DIMS, LH_VEC_COSINE, &p, 1, NULL, NULL, &one, &err),
                     LH_OK);
    assert_int_equal(lh_hnsw_build(f->base, N, DIMS, LH_VEC_COSINE, &p, 1, NULL, NULL, &again,
                                   &err), LH_OK);
    assert_true(same_graph(one, again));
    assert_true(same_graph(one, f->g)); /* the fixture's graph was built on 2 threads */
    lh_hnsw *many = NULL;
    assert_int_equal(lh_hnsw_build(f->base, N, DIMS, LH_VEC_COSINE, &p, 5, NULL, NULL, &many,
                                   &err), LH_OK);
    assert_true(same_graph(one, many));
    lh_hnsw_free(many);
    for (size_t q = 0; q < NQ; q++) {
        lh_vec_hit a[K], b[K];
        size_t na = 0, nb = 0;
        lh_hnsw_search_opts so = {.k = K};
        assert_int_equal(lh_hnsw_search(one, f->queries + q * DIMS, &so, a, &na, &err), LH_OK);
        assert_int_equal(lh_hnsw_search(f->g, f->queries + q * DIMS, &so, b, &nb, &err), LH_OK);
        assert_int_equal(na, nb);
        assert_same_hits(a, b, na);
    }
    p.seed = 43;
    assert_int_equal(lh_hnsw_build(f->base, N, DIMS, LH_VEC_COSINE, &p, 1, NULL, NULL, &other,
                                   &err), LH_OK);
    assert_false(same_graph(one, other));
    lh_hnsw_free(one);
    lh_hnsw_free(again);
    lh_hnsw_free(other);
}

static void deletions(void **state)
{
    fixture *f = *state;
    lh_hnsw_params p = LH_HNSW_DEFAULTS;
    lh_err err;
    lh_hnsw *g = NULL;
    assert_int_equal(lh_hnsw_build(f->base, N, DIMS, LH_VEC_COSINE, &p, 2, NULL, NULL, &g, &err),
                     LH_OK);
    /* delete every query's exact best 3 and every 7th row */
    uint64_t live[lh_vec_bitmap_words(N)];
    memset(live, 0xff, sizeof live);
    for (size_t q = 0; q < NQ; q++) {
        lh_vec_hit ex[3];
        size_t n = 0;
        lh_vec_search_opts eo = {.metric = LH_VEC_COSINE, .k = 3, .threads = 1};
        assert_int_equal(lh_vec_search(f->base, N, DIMS, f->queries + q * DIMS, &eo, ex, &n, &err),
                         LH_OK);
        for (size_t i = 0; i < n; i++) {
            lh_hnsw_delete(g, (uint32_t)ex[i].row);
            live[ex[i].row / 64] &= ~((uint64_t)1 << (ex[i].row % 64));
        }
    }
    for (uint32_t r = 0; r < N; r += 7) {
        lh_hnsw_delete(g, r);
        lh_hnsw_delete(g, r); /* twice: a no-op */
        live[r / 64] &= ~((uint64_t)1 << (r % 64));
    }
    lh_hnsw_delete(g, N + 5); /* absent: a no-op */
    assert_false(lh_hnsw_is_deleted(g, N + 5));
    assert_true(lh_hnsw_is_deleted(g, 7));
    assert_int_equal(lh_hnsw_size(g), N);
    for (size_t q = 0; q < NQ; q++) {
        lh_vec_hit h[50];
        size_t n = 0;
        lh_hnsw_search_opts so = {.k = 50, .ef = 80};
        assert_int_equal(lh_hnsw_search(g, f->queries + q * DIMS, &so, h, &n, &err), LH_OK);
        assert_int_equal(n, 50);
        for (size_t i = 0; i < n; i++)
            assert_false(lh_hnsw_is_deleted(g, (uint32_t)h[i].row));
    }
    /* recall among the live rows holds */
    double r = recall(f, g, LH_VEC_COSINE, 64, live, NULL);
    print_message("recall@%d among live rows at ef 64: %.4f\n", K, r);
    assert_true(r >= 0.95);
    /* a deleted row added again is found again */
    assert_int_equal(lh_hnsw_add(g, 14, &err), LH_OK);
    assert_false(lh_hnsw_is_deleted(g, 14));
    lh_vec_hit h[1];
    size_t n = 0;
    lh_hnsw_search_opts so = {.k = 1, .ef = 50};
    assert_int_equal(lh_hnsw_search(g, f->base + 14 * DIMS, &so, h, &n, &err), LH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(h[0].row, 14);
    assert_int_equal(lh_hnsw_add(g, 15, &err), LH_EEXIST);
    lh_hnsw_free(g);
}

static void filtered(void **state)
{
    fixture *f = *state;
    lh_err err;
    uint64_t allow[lh_vec_bitmap_words(N)];
    static const struct {
        unsigned keep_per_100;
        double floor;
    } sel[] = {{30, 0.95}, {10, 0.93}, {3, 0.90}};
    for (size_t s = 0; s < sizeof sel / sizeof sel[0]; s++) {
        memset(allow, 0, sizeof allow);
        size_t kept = 0;
        for (uint32_t r = 0; r < N; r++)
            if ((r * 2654435761u >> 7) % 100 < sel[s].keep_per_100) {
                allow[r / 64] |= (uint64_t)1 << (r % 64);
                kept++;
            }
        double r = recall(f, f->g, LH_VEC_COSINE, 64, allow, NULL);
        print_message("filter keeping %zu of %d rows: recall@%d at ef 64 %.4f\n", kept, N, K, r);
        assert_true(r >= sel[s].floor);
    }
    /* a filter that keeps 5 rows: all 5 come back, and only them */
    memset(allow, 0, sizeof allow);
    uint32_t five[] = {3, 999, 1500, 2222, 3999};
    for (size_t i = 0; i < 5; i++)
        allow[five[i] / 64] |= (uint64_t)1 << (five[i] % 64);
    lh_vec_hit h[K];
    size_t n = 0;
    lh_hnsw_search_opts so = {.k = K, .allow = allow};
    assert_int_equal(lh_hnsw_search(f->g, f->queries, &so, h, &n, &err), LH_OK);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++)
        assert_true((allow[h[i].row / 64] >> (h[i].row % 64)) & 1);
    /* nothing allowed: nothing returned */
    memset(allow, 0, sizeof allow);
    assert_int_equal(lh_hnsw_search(f->g, f->queries, &so, h, &n, &err), LH_OK);
    assert_int_equal(n, 0);
    assert_true(lh_hnsw_filter_prefers_exact(0, N));
    assert_true(lh_hnsw_filter_prefers_exact((size_t)(N * LH_HNSW_FILTER_MIN_FRACTION) - 1, N));
    assert_false(lh_hnsw_filter_prefers_exact(N / 2, N));
}

static void add_after_build(void **state)
{
    fixture *f = *state;
    lh_hnsw_params p = LH_HNSW_DEFAULTS;
    lh_err err;
    lh_hnsw *g = NULL;
    assert_int_equal(lh_hnsw_build(f->base, 3000, DIMS, LH_VEC_COSINE, &p, 2, NULL, NULL, &g, &err),
                     LH_OK);
    assert_int_equal(lh_hnsw_add(g, 3000, &err), LH_EINVAL); /* past the base it knows */
    lh_hnsw_set_base(g, f->base, N);
    /* the new rows in a scrambled order */
    for (uint32_t i = 0; i < N - 3000; i++)
        assert_int_equal(lh_hnsw_add(g, 3000 + (i * 389) % (N - 3000), &err), LH_OK);
    assert_int_equal(lh_hnsw_size(g), N);
    assert_int_equal(lh_hnsw_add(g, 3500, &err), LH_EEXIST);
    double r = recall(f, g, LH_VEC_COSINE, 64, NULL, NULL);
    print_message("recall@%d after adding 1000 rows, ef 64: %.4f\n", K, r);
    assert_true(r >= 0.97);
    lh_hnsw_free(g);

    /* an empty build, then every row by add, in reverse */
    assert_int_equal(lh_hnsw_build(f->base, 0, DIMS, LH_VEC_COSINE, &p, 1, NULL, NULL, &g, &err),
                     LH_OK);
    lh_vec_hit h[K];
    size_t n = 9;
    lh_hnsw_search_opts so = {.k = K};
    assert_int_equal(lh_hnsw_search(g, f->queries, &so, h, &n, &err), LH_OK);
    assert_int_equal(n, 0);
    lh_hnsw_set_base(g, f->base, 1500);
    for (uint32_t i = 1500; i-- > 0;)
        assert_int_equal(lh_hnsw_add(g, i, &err), LH_OK);
    assert_int_equal(lh_hnsw_search(g, f->base + 77 * DIMS, &so, h, &n, &err), LH_OK);
    assert_int_equal(n, K);
    assert_int_equal(h[0].row, 77);
    lh_hnsw_free(g);
}

static int cancel_after(void *ctx, size_t done, size_t total)
{
    int *calls = ctx;
    assert_true(done <= total);
    return ++*calls >= 2;
}

static int count_calls(void *ctx, size_t done, size_t total)
{
    int *calls = ctx;
    assert_true(done <= total);
    ++*calls;
    return 0;
}

static void progress_and_cancel(void **state)
{
    fixture *f = *state;
    lh_hnsw_params p = LH_HNSW_DEFAULTS;
    p.ef_construction = 20;
    lh_err err;
    lh_hnsw *g = NULL;
    int calls = 0;
    assert_int_equal(lh_hnsw_build(f->base, N, DIMS, LH_VEC_COSINE, &p, 2, cancel_after, &calls,
                                   &g, &err), LH_ECONFLICT);
    assert_null(g);
    assert_int_equal(calls, 2);
    assert_non_null(strstr(err.msg, "cancelled"));
    calls = 0;
    assert_int_equal(lh_hnsw_build(f->base, N, DIMS, LH_VEC_COSINE, &p, 2, count_calls, &calls,
                                   &g, &err), LH_OK);
    assert_true(calls >= 2);
    lh_hnsw_free(g);
}

static void q8_walk(void **state)
{
    fixture *f = *state;
    lh_err err;
    lh_vec_q8 *q8 = NULL;
    assert_int_equal(lh_vec_q8_new(f->base, N, DIMS, &q8, &err), LH_OK);
    double r = recall(f, f->g, LH_VEC_COSINE, 64, NULL, q8);
    print_message("int8 walk + exact re-rank: recall@%d at ef 64 %.4f\n", K, r);
    assert_true(r >= 0.93);
    /* the scores are exact */
    lh_vec_hit h[K];
    size_t n = 0;
    lh_hnsw_search_opts so = {.k = K, .q8 = q8};
    assert_int_equal(lh_hnsw_search(f->g, f->queries, &so, h, &n, &err), LH_OK);
    assert_int_equal(n, K);
    for (size_t i = 0; i < n; i++)
        assert_float_equal(h[i].score, lh_vec_dot(f->queries, f->base + h[i].row * DIMS, DIMS),
                           1e-5);
    lh_vec_q8_free(q8);
    /* an int8 copy of other rows is refused */
    assert_int_equal(lh_vec_q8_new(f->base, 100, DIMS, &q8, &err), LH_OK);
    so.q8 = q8;
    assert_int_equal(lh_hnsw_search(f->g, f->queries, &so, h, &n, &err), LH_EINVAL);
    lh_vec_q8_free(q8);
}

/* Searches from several threads at once on one graph (its scratch pool is shared) give
 * what one thread gets. */
typedef struct par_arg {
    const fixture *f;
    lh_vec_hit hits[NQ][K];
    size_t n[NQ];
    int failed;
} par_arg;

static void *par_search(void *p)
{
    par_arg *a = p;
    lh_err err;
    for (size_t q = 0; q < NQ; q++) {
        lh_hnsw_search_opts so = {.k = K, .ef = 40};
        if (lh_hnsw_search(a->f->g, a->f->queries + q * DIMS, &so, a->hits[q], &a->n[q], &err))
            a->failed = 1;
    }
    return NULL;
}

static void concurrent_searches(void **state)
{
    fixture *f = *state;
    par_arg *a = calloc(5, sizeof *a);
    pthread_t t[4];
    for (int i = 0; i < 5; i++)
        a[i].f = f;
    par_search(&a[4]);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, par_search, &a[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_false(a[i].failed);
        for (size_t q = 0; q < NQ; q++) {
            assert_int_equal(a[i].n[q], a[4].n[q]);
            assert_same_hits(a[i].hits[q], a[4].hits[q], a[4].n[q]);
        }
    }
    free(a);
}

/* ---- the file ------------------------------------------------------------------------- */

static char tmpdir[256];

static void file_path(char *out, size_t cap, const char *name)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "%s/lh-hnsw-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        assert_non_null(mkdtemp(tmpdir));
    }
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *b = malloc(*len + 1);
    assert_int_equal(fread(b, 1, *len, fp), *len);
    fclose(fp);
    return b;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

static void same_hits(const fixture *f, const lh_hnsw *a, const lh_hnsw *b)
{
    lh_err err;
    for (size_t q = 0; q < NQ; q++) {
        lh_vec_hit x[K], y[K];
        size_t nx = 0, ny = 0;
        lh_hnsw_search_opts so = {.k = K};
        assert_int_equal(lh_hnsw_search(a, f->queries + q * DIMS, &so, x, &nx, &err), LH_OK);
        assert_int_equal(lh_hnsw_search(b, f->queries + q * DIMS, &so, y, &ny, &err), LH_OK);
        assert_int_equal(nx, ny);
        assert_same_hits(x, y, nx);
    }
}

static void file_round_trip(void **state)
{
    fixture *f = *state;
    lh_err err;
    char path[512];
    file_path(path, sizeof path, "g.hnsw");
    lh_hnsw_delete(f->g, 11);
    assert_int_equal(lh_hnsw_save(f->g, 42, path, &err), LH_OK);
    lh_hnsw *g = NULL;
    int64_t sv = 0;
    assert_int_equal(lh_hnsw_load(path, f->base, N, DIMS, &g, &sv, &err), LH_OK);
    assert_int_equal(sv, 42);
    assert_true(same_graph(f->g, g));
    assert_true(lh_hnsw_is_deleted(g, 11));
    assert_int_equal(lh_hnsw_get_params(g)->ef_construction, 80);
    same_hits(f, f->g, g);

    size_t len = 0;
    uint8_t *data = read_file(path, &len);
    lh_hnsw *m = NULL;
    sv = 0;
    assert_int_equal(lh_hnsw_load_mem(data, len, f->base, N, DIMS, &m, &sv, &err), LH_OK);
    assert_int_equal(sv, 42);
    same_hits(f, g, m);
    lh_hnsw_free(m);
    /* unaligned memory is fine too */
    memmove(data + 1, data, len);
    assert_int_equal(lh_hnsw_load_mem(data + 1, len, f->base, N, DIMS, &m, NULL, &err), LH_OK);
    lh_hnsw_free(m);
    free(data);

    /* a loaded (mapped) graph takes changes: the first copies it to the heap */
    lh_hnsw_delete(g, 12);
    assert_true(lh_hnsw_is_deleted(g, 12));
    assert_int_equal(lh_hnsw_add(g, 11, &err), LH_OK);
    assert_false(lh_hnsw_is_deleted(g, 11));
    lh_hnsw_free(g);
    assert_int_equal(lh_hnsw_add(f->g, 11, &err), LH_OK); /* the fixture as it was */

    /* an empty graph saves and loads */
    lh_hnsw_params p = LH_HNSW_DEFAULTS;
    lh_hnsw *e = NULL;
    assert_int_equal(lh_hnsw_build(f->base, 0, DIMS, LH_VEC_COSINE, &p, 1, NULL, NULL, &e, &err),
                     LH_OK);
    assert_int_equal(lh_hnsw_save(e, -1, path, &err), LH_OK);
    lh_hnsw_free(e);
    assert_int_equal(lh_hnsw_load(path, f->base, N, DIMS, &e, &sv, &err), LH_OK);
    assert_int_equal(sv, -1);
    assert_int_equal(lh_hnsw_size(e), 0);
    lh_hnsw_free(e);
    unlink(path);
}

static void expect_corrupt(const char *path, const fixture *f, size_t n, size_t dims,
                           const char *what)
{
    lh_err err;
    lh_hnsw *g = (lh_hnsw *)1;
    assert_int_equal(lh_hnsw_load(path, f->base, n, dims, &g, NULL, &err), LH_ECORRUPT);
    assert_null(g);
    print_message("%s: %s\n", what, err.msg);
    assert_non_null(strstr(err.msg, "is corrupt"));
    assert_null(strstr(err.msg, tmpdir)); /* never the whole path */
    assert_non_null(strstr(err.msg, "g.hnsw"));
}

static void file_damage(void **state)
{
    fixture *f = *state;
    lh_err err;
    char path[512];
    file_path(path, sizeof path, "g.hnsw");
    lh_hnsw *g = NULL;
    assert_int_equal(lh_hnsw_load(path, f->base, N, DIMS, &g, NULL, &err), LH_ENOTFOUND);
    assert_int_equal(lh_hnsw_save(f->g, 1, path, &err), LH_OK);
    size_t len = 0;
    uint8_t *good = read_file(path, &len);
    uint8_t *bad = malloc(len);

    size_t cuts[] = {0, 10, 175, 176, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_file(path, good, cuts[i]);
        expect_corrupt(path, f, N, DIMS, "truncated");
    }
    /* a flipped byte anywhere in the body: the checksum */
    size_t at[] = {176, 176 + N / 2, len / 2, len - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        memcpy(bad, good, len);
        bad[at[i]] ^= 0x40;
        write_file(path, bad, len);
        expect_corrupt(path, f, N, DIMS, "flipped byte");
        lh_hnsw *m = NULL;
        assert_int_equal(lh_hnsw_load_mem(bad, len, f->base, N, DIMS, &m, NULL, &err), LH_ECORRUPT);
        assert_null(m);
    }
    memcpy(bad, good, len);
    bad[3] = 'X';
    write_file(path, bad, len);
    expect_corrupt(path, f, N, DIMS, "magic");
    memcpy(bad, good, len);
    bad[8] = 9; /* version */
    write_file(path, bad, len);
    expect_corrupt(path, f, N, DIMS, "version");
    write_file(path, good, len);
    expect_corrupt(path, f, N, DIMS + 1, "other dims");
    expect_corrupt(path, f, N - 1, DIMS, "more rows than the base");
    /* trailing bytes */
    uint8_t *longer = calloc(1, len + 8);
    memcpy(longer, good, len);
    write_file(path, longer, len + 8);
    expect_corrupt(path, f, N, DIMS, "trailing");
    free(longer);
    /* the good file still loads */
    write_file(path, good, len);
    assert_int_equal(lh_hnsw_load(path, f->base, N, DIMS, &g, NULL, &err), LH_OK);
    lh_hnsw_free(g);
    free(good);
    free(bad);
    unlink(path);
    rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(params_check),
        cmocka_unit_test(recall_over_ef),
        cmocka_unit_test(other_metrics),
        cmocka_unit_test(determinism),
        cmocka_unit_test(deletions),
        cmocka_unit_test(filtered),
        cmocka_unit_test(add_after_build),
        cmocka_unit_test(progress_and_cancel),
        cmocka_unit_test(q8_walk),
        cmocka_unit_test(concurrent_searches),
        cmocka_unit_test(file_round_trip),
        cmocka_unit_test(file_damage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
