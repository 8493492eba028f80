/* Unit tests for exact vector search (src/vectors): the AVX2 and scalar kernels against
 * each other and a double-precision reference, the top-k scan against a full sort, and
 * the int8 index's recall against the float search. Data from a seeded generator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ann/exact.h"
#include "ann/ann_int.h"

/* ---- data ---------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* uniform in [-1, 1) */
static float uniform(void)
{
    return (float)((double)(rng_next() >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static float gauss(void)
{
    double u = ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
    double v = (double)(rng_next() >> 11) / 9007199254740992.0;
    return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

static float *random_matrix(size_t n, size_t dims, bool normalised)
{
    float *m = malloc(n * dims * sizeof *m);
    assert_non_null(m);
    for (size_t i = 0; i < n * dims; i++)
        m[i] = normalised ? gauss() : uniform();
    if (normalised)
        for (size_t r = 0; r < n; r++)
            lh_vec_normalize(m + r * dims, dims);
    return m;
}

/* n rows around `clusters` random centres (noise `spread` per dimension), normalised. */
static float *clustered_matrix(size_t n, size_t dims, size_t clusters, float spread)
{
    float *centres = random_matrix(clusters, dims, true);
    float *m = malloc(n * dims * sizeof *m);
    assert_non_null(m);
    for (size_t r = 0; r < n; r++) {
        const float *c = centres + (rng_next() % clusters) * dims;
        for (size_t d = 0; d < dims; d++)
            m[r * dims + d] = c[d] + spread * gauss();
        lh_vec_normalize(m + r * dims, dims);
    }
    free(centres);
    return m;
}

/* ---- kernels ------------------------------------------------------------------------- */

static const size_t odd_dims[] = {1, 2, 7, 8, 15, 16, 31, 32, 33, 383, 384, 767, 768, 1000};

static double ref_dot(const float *a, const float *b, size_t dims)
{
    double s = 0;
    for (size_t i = 0; i < dims; i++)
        s += (double)a[i] * b[i];
    return s;
}

static double ref_l2sq(const float *a, const float *b, size_t dims)
{
    double s = 0;
    for (size_t i = 0; i < dims; i++)
        s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return s;
}

/* On unit vectors both kernels are within 1e-5 of the exact value and of each other; on
 * raw values in [-1, 1) within 1e-5 relative to sum |a b| (the size of what was summed). */
static void kernels_agree(void **state)
{
    (void)state;
    const lh_simd_kernels *sc = lh_simd_kernels_scalar(), *av = lh_simd_kernels_avx2();
    if (!av)
        fprintf(stderr, "# this CPU has no AVX2+FMA: scalar kernels checked alone\n");
    rng_state = 1;
    for (size_t t = 0; t < sizeof odd_dims / sizeof *odd_dims; t++) {
        size_t dims = odd_dims[t];
        for (int normalised = 0; normalised <= 1; normalised++)
            for (int rep = 0; rep < 20; rep++) {
                float *m = random_matrix(2, dims, normalised);
                const float *a = m, *b = m + dims;
                double mag = 0, mag2 = 0;
                for (size_t i = 0; i < dims; i++) {
                    mag += fabs((double)a[i] * b[i]);
                    mag2 += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
                }
                double tol = normalised ? 1e-5 : 1e-5 * (mag > 1 ? mag : 1);
                double tol2 = normalised ? 1e-5 : 1e-5 * (mag2 > 1 ? mag2 : 1);
                double d = ref_dot(a, b, dims), l = ref_l2sq(a, b, dims);
                assert_true(fabs(sc->dot(a, b, dims) - d) <= tol);
                assert_true(fabs(sc->l2sq(a, b, dims) - l) <= tol2);
                if (av) {
                    assert_true(fabs(av->dot(a, b, dims) - d) <= tol);
                    assert_true(fabs(av->l2sq(a, b, dims) - l) <= tol2);
                    assert_true(fabs(av->dot(a, b, dims) - sc->dot(a, b, dims)) <= tol);
                    assert_true(fabs(av->l2sq(a, b, dims) - sc->l2sq(a, b, dims)) <= tol2);
                }
                free(m);
            }
    }
}

/* The row kernels give each row exactly what the one-pair kernel gives it (a re-rank
 * relies on it), on both paths; the int8 kernel is exact integer arithmetic, so AVX2 and
 * scalar agree bit for bit, at the extremes too. */
static void row_kernels(void **state)
{
    (void)state;
    const lh_simd_kernels *ks[2] = {lh_simd_kernels_scalar(), lh_simd_kernels_avx2()};
    rng_state = 2;
    for (size_t t = 0; t < sizeof odd_dims / sizeof *odd_dims; t++) {
        size_t dims = odd_dims[t], nrows = 5;
        float *m = random_matrix(nrows + 1, dims, true);
        const float *q = m + nrows * dims;
        float out[5];
        int16_t *w = malloc(dims * sizeof *w);
        int8_t *codes = malloc(nrows * dims);
        for (int kk = 0; kk < 2; kk++) {
            const lh_simd_kernels *k = ks[kk];
            if (!k)
                continue;
            k->dot_rows(q, m, nrows, dims, out);
            for (size_t r = 0; r < nrows; r++)
                assert_true(out[r] == k->dot(q, m + r * dims, dims));
            k->l2sq_rows(q, m, nrows, dims, out);
            for (size_t r = 0; r < nrows; r++)
                assert_true(out[r] == k->l2sq(q, m + r * dims, dims));
        }
        /* row 0 at the extremes (+-127 codes times the largest query the int8 search uses),
         * the others random */
        int32_t wmax = INT32_MAX / (int32_t)(127 * dims);
        if (wmax > 32767)
            wmax = 32767;
        for (size_t i = 0; i < dims; i++) {
            w[i] = (int16_t)(i % 3 == 2 ? -wmax : wmax);
            codes[i] = (int8_t)(i % 3 == 2 ? -127 : 127);
        }
        for (size_t i = dims; i < nrows * dims; i++)
            codes[i] = (int8_t)((int)(rng_next() % 255) - 127);
        int32_t got[2][5];
        for (int kk = 0; kk < 2; kk++)
            if (ks[kk])
                ks[kk]->dot_i8_rows(w, codes, nrows, dims, got[kk]);
        for (size_t r = 0; r < nrows; r++) {
            int64_t ref = 0;
            for (size_t i = 0; i < dims; i++)
                ref += (int64_t)w[i] * codes[r * dims + i];
            assert_true(got[0][r] == ref);
            if (ks[1])
                assert_true(got[1][r] == ref);
        }
        free(w);
        free(codes);
        free(m);
    }
}

/* The internal switch really changes the path every public function takes. */
static void force_scalar_switch(void **state)
{
    (void)state;
    rng_state = 3;
    size_t dims = 383;
    float *m = random_matrix(2, dims, true);
    lh_simd_force_scalar(true);
    assert_string_equal(lh_vec_kernel_name(), "scalar");
    assert_true(lh_vec_dot(m, m + dims, dims) == lh_simd_kernels_scalar()->dot(m, m + dims, dims));
    lh_simd_force_scalar(false);
    const lh_simd_kernels *av = lh_simd_kernels_avx2();
    assert_string_equal(lh_vec_kernel_name(), av ? "avx2+fma" : "scalar");
    if (av)
        assert_true(lh_vec_dot(m, m + dims, dims) == av->dot(m, m + dims, dims));
    free(m);
}

/* ---- top-k against a full sort ---------------------------------------------------------- */

typedef struct scored {
    uint64_t row;
    double key;   /* higher is better */
    float score;
} scored;

static int scored_order(const void *x, const void *y)
{
    const scored *a = x, *b = y;
    if (a->key != b->key)
        return a->key > b->key ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* The expected result: every allowed row scored with the same kernel the search uses,
 * fully sorted (key descending, row ascending). */
static size_t full_sort(const float *m, size_t n, size_t dims, const float *query,
                        lh_vec_metric metric, const uint64_t *allow, scored *all)
{
    float *q = malloc(dims * sizeof *q);
    memcpy(q, query, dims * sizeof *q);
    if (metric == LH_VEC_COSINE)
        lh_vec_normalize(q, dims);
    size_t cnt = 0;
    for (size_t r = 0; r < n; r++) {
        if (allow && !(allow[r / 64] >> (r % 64) & 1))
            continue;
        float s = metric == LH_VEC_L2 ? lh_vec_l2sq(q, m + r * dims, dims)
                                      : lh_vec_dot(q, m + r * dims, dims);
        all[cnt++] = (scored){.row = r, .score = s, .key = metric == LH_VEC_L2 ? -s : s};
    }
    qsort(all, cnt, sizeof *all, scored_order);
    free(q);
    return cnt;
}

static void check_search(const float *m, size_t n, size_t dims, const float *query,
                         lh_vec_metric metric, size_t k, int threads, const uint64_t *allow)
{
    scored *all = malloc((n ? n : 1) * sizeof *all);
    size_t cnt = full_sort(m, n, dims, query, metric, allow, all);
    lh_vec_hit *hits = malloc((k < n ? k : n ? n : 1) * sizeof *hits);
    size_t got = 99;
    lh_err err = {{0}};
    lh_vec_search_opts o = {.metric = metric, .k = k, .threads = threads, .allow = allow};
    assert_int_equal(lh_vec_search(m, n, dims, query, &o, hits, &got, &err), LH_OK);
    size_t want = k < cnt ? k : cnt;
    assert_int_equal(got, want);
    for (size_t i = 0; i < want; i++) {
        if (hits[i].row != all[i].row)
            fprintf(stderr, "n %zu dims %zu metric %d k %zu threads %d: hit %zu is row %llu, "
                    "sort says %llu\n", n, dims, (int)metric, k, threads, i,
                    (unsigned long long)hits[i].row, (unsigned long long)all[i].row);
        assert_int_equal(hits[i].row, all[i].row);
        assert_true(hits[i].score == all[i].score);
    }
    free(hits);
    free(all);
}

static void topk_equals_sort(void **state)
{
    (void)state;
    rng_state = 4;
    const size_t ns[] = {1, 63, 64, 65, 1001};
    const int threads[] = {1, 2, 3, 0};
    size_t dims = 37;
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++) {
        size_t n = ns[a];
        float *m = random_matrix(n, dims, true);
        float *q = random_matrix(1, dims, false);
        const size_t ks[] = {1, 10, n, n + 7};
        for (lh_vec_metric metric = LH_VEC_DOT; metric <= LH_VEC_L2; metric++)
            for (size_t b = 0; b < 4; b++)
                for (size_t t = 0; t < 4; t++)
                    check_search(m, n, dims, q, metric, ks[b], threads[t], NULL);
        free(m);
        free(q);
    }
}

/* Equal scores come back lower row first, whatever the split over threads: duplicated
 * rows in every range, and a matrix of identical rows. */
static void ties_by_row(void **state)
{
    (void)state;
    rng_state = 5;
    size_t n = 700, dims = 16;
    float *m = random_matrix(n, dims, true);
    const size_t dup[] = {650, 5, 300, 64, 128, 499, 699};
    for (size_t i = 0; i < sizeof dup / sizeof *dup; i++)
        memcpy(m + dup[i] * dims, m + 200 * dims, dims * sizeof *m);
    for (int t = 1; t <= 4; t++)
        for (lh_vec_metric metric = LH_VEC_DOT; metric <= LH_VEC_L2; metric++)
            for (size_t k = 1; k <= 12; k += 3) {
                check_search(m, n, dims, m + 200 * dims, metric, k, t, NULL);
                lh_vec_hit hits[12];
                size_t got = 0;
                lh_vec_search_opts o = {.metric = metric, .k = k, .threads = t};
                assert_int_equal(lh_vec_search(m, n, dims, m + 200 * dims, &o, hits, &got, NULL), LH_OK);
                const uint64_t order[] = {5, 64, 128, 200, 300, 499, 650, 699};
                for (size_t i = 0; i < got && i < 8; i++)
                    assert_int_equal(hits[i].row, order[i]);
            }
    for (size_t r = 1; r < n; r++)
        memcpy(m + r * dims, m, dims * sizeof *m);
    lh_vec_hit hits[10];
    size_t got = 0;
    lh_vec_search_opts o = {.metric = LH_VEC_DOT, .k = 10, .threads = 2};
    assert_int_equal(lh_vec_search(m, n, dims, m, &o, hits, &got, NULL), LH_OK);
    assert_int_equal(got, 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(hits[i].row, i);
    free(m);
}

static void filter_bitmap(void **state)
{
    (void)state;
    rng_state = 6;
    size_t n = 1000, dims = 24;
    float *m = random_matrix(n, dims, true);
    float *q = random_matrix(1, dims, true);
    uint64_t allow[lh_vec_bitmap_words(1000)];
    /* every 3rd row: ~21 a block, scored as whole blocks; every 13th: ~5 a block, scored
     * row by row (topk.c SPARSE_ROWS) */
    const size_t every[] = {3, 13};
    for (size_t e = 0; e < 2; e++) {
        memset(allow, 0, sizeof allow);
        for (size_t r = 0; r < n; r++)
            if (r % every[e] == 1 && (r < 128 || r >= 192))  /* rows 128..191: a zero word */
                allow[r / 64] |= (uint64_t)1 << (r % 64);
        allow[15] |= ~(uint64_t)0 << 40;  /* bits past row 999: never a hit */
        size_t allowed = 0;
        for (size_t r = 0; r < n; r++)
            allowed += allow[r / 64] >> (r % 64) & 1;
        const size_t ks[] = {1, 10, allowed, n};
        for (lh_vec_metric metric = LH_VEC_DOT; metric <= LH_VEC_L2; metric++)
            for (size_t b = 0; b < 4; b++)
                for (int t = 1; t <= 3; t++)
                    check_search(m, n, dims, q, metric, ks[b], t, allow);
    }
    /* nothing allowed: no hit */
    memset(allow, 0, sizeof allow);
    lh_vec_hit hits[5];
    size_t got = 7;
    lh_vec_search_opts o = {.metric = LH_VEC_DOT, .k = 5, .threads = 2, .allow = allow};
    assert_int_equal(lh_vec_search(m, n, dims, q, &o, hits, &got, NULL), LH_OK);
    assert_int_equal(got, 0);
    free(m);
    free(q);
}

/* A row holding a NaN ranks after every number, for every metric. */
static void nan_rows_last(void **state)
{
    (void)state;
    rng_state = 7;
    size_t n = 100, dims = 8;
    float *m = random_matrix(n, dims, true);
    m[3 * dims + 2] = NAN;
    m[70 * dims] = NAN;
    for (lh_vec_metric metric = LH_VEC_DOT; metric <= LH_VEC_L2; metric++) {
        lh_vec_hit hits[100];
        size_t got = 0;
        lh_vec_search_opts o = {.metric = metric, .k = n, .threads = 2};
        assert_int_equal(lh_vec_search(m, n, dims, m + 10 * dims, &o, hits, &got, NULL), LH_OK);
        assert_int_equal(got, n);
        assert_int_equal(hits[0].row, 10);
        assert_int_equal(hits[98].row, 3);
        assert_int_equal(hits[99].row, 70);
        assert_true(isnan(hits[99].score));
    }
    free(m);
}

static void bad_input(void **state)
{
    (void)state;
    float m[4] = {1, 0, 0, 1};
    lh_vec_hit hits[2];
    size_t got = 5;
    lh_err err = {{0}};
    lh_vec_search_opts o = {.metric = LH_VEC_DOT, .k = 0, .threads = 1};
    assert_int_equal(lh_vec_search(m, 2, 2, m, &o, hits, &got, &err), LH_EINVAL);
    assert_string_equal(err.msg, "k must be at least 1");
    assert_int_equal(got, 0);
    o.k = 1;
    assert_int_equal(lh_vec_search(m, 2, 0, m, &o, hits, &got, &err), LH_EINVAL);
    assert_string_equal(err.msg, "vectors must have at least one dimension");
    o.metric = (lh_vec_metric)9;
    assert_int_equal(lh_vec_search(m, 2, 2, m, &o, hits, &got, &err), LH_EINVAL);
    assert_string_equal(err.msg, "unknown vector metric 9");
    /* no rows: no hit, no error */
    o.metric = LH_VEC_DOT;
    assert_int_equal(lh_vec_search(m, 0, 2, m, &o, hits, &got, &err), LH_OK);
    assert_int_equal(got, 0);
    lh_vec_q8 *q8 = (lh_vec_q8 *)&got;
    assert_int_equal(lh_vec_q8_new(m, 0, 2, &q8, &err), LH_EINVAL);
    assert_null(q8);
    assert_int_equal(lh_vec_q8_new(m, 2, 2, &q8, &err), LH_OK);
    assert_int_equal(lh_vec_q8_search(q8, m, m, &o, 0, hits, &got, &err), LH_EINVAL);
    assert_string_equal(err.msg, "the re-rank factor must be at least 1");
    o.k = 0;
    assert_int_equal(lh_vec_q8_search(q8, m, m, &o, 2, hits, &got, &err), LH_EINVAL);
    lh_vec_q8_free(q8);
}

/* The same searches on the scalar path. */
static void topk_scalar_path(void **state)
{
    lh_simd_force_scalar(true);
    topk_equals_sort(state);
    ties_by_row(state);
    filter_bitmap(state);
    lh_simd_force_scalar(false);
}

/* ---- int8 ------------------------------------------------------------------------------ */

/* Mean recall@10 of the int8 search (re-rank factor r) against the float search, over
 * nq queries. */
static double q8_recall(const float *m, size_t n, size_t dims, const float *queries, size_t nq,
                        lh_vec_metric metric, size_t rerank, const uint64_t *allow)
{
    lh_vec_q8 *q8 = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_vec_q8_new(m, n, dims, &q8, &err), LH_OK);
    lh_vec_search_opts o = {.metric = metric, .k = 10, .threads = 2, .allow = allow};
    size_t found = 0, total = 0;
    for (size_t i = 0; i < nq; i++) {
        const float *q = queries + i * dims;
        lh_vec_hit exact[10], approx[10];
        size_t ne = 0, na = 0;
        assert_int_equal(lh_vec_search(m, n, dims, q, &o, exact, &ne, &err), LH_OK);
        assert_int_equal(lh_vec_q8_search(q8, m, q, &o, rerank, approx, &na, &err), LH_OK);
        assert_int_equal(na, ne);
        for (size_t a = 0; a < na; a++) {
            if (allow)
                assert_true(allow[approx[a].row / 64] >> (approx[a].row % 64) & 1);
            for (size_t e = 0; e < ne; e++)
                if (approx[a].row == exact[e].row) {
                    /* a row found by both carries the same exact score */
                    assert_true(approx[a].score == exact[e].score);
                    found++;
                }
        }
        total += ne;
    }
    lh_vec_q8_free(q8);
    return (double)found / (double)total;
}

typedef struct recall_case {
    int data;             /* index into the data sets below */
    lh_vec_metric metric;
    size_t rerank;
    double bound;
} recall_case;

/* Rows whose dimensions differ in spread (standard deviation 1 / (1 + d / 8), as an LSA
 * spectrum falls), normalised: what the per-dimension scales are for. */
static float *skewed_matrix(size_t n, size_t dims)
{
    float *m = malloc(n * dims * sizeof *m);
    assert_non_null(m);
    for (size_t r = 0; r < n; r++) {
        for (size_t d = 0; d < dims; d++)
            m[r * dims + d] = gauss() / (1.0f + (float)d / 8.0f);
        lh_vec_normalize(m + r * dims, dims);
    }
    return m;
}

/* The bounds are the recalls measured here (the test prints them) less a margin for a
 * compiler or libm that rounds differently: see docs/INTERNALS.md, "Exact vector search".
 * Each data set holds n rows and then nq queries drawn the same way (not in the data). */
static void q8_recall_bounds(void **state)
{
    (void)state;
    size_t n = 20000, dims = 384, nq = 50;
    const char *names[4] = {"random", "loose clusters", "tight clusters", "skewed dims"};
    const char *metrics[3] = {"dot", "cosine", "L2"};
    float *data[4];
    rng_state = 8;
    data[0] = random_matrix(n + nq, dims, true);
    data[1] = clustered_matrix(n + nq, dims, 100, 0.05f);  /* noise ~ the centre's length */
    data[2] = clustered_matrix(n + nq, dims, 100, 0.01f);  /* noise ~ 1/5 of it */
    data[3] = skewed_matrix(n + nq, dims);
    const recall_case cases[] = {
        {0, LH_VEC_COSINE, 1, 0.95},  /* measured 0.978 */
        {0, LH_VEC_COSINE, 4, 0.99},  /* 1.000 */
        {0, LH_VEC_L2, 4, 0.99},      /* 1.000 */
        {1, LH_VEC_COSINE, 1, 0.95},  /* 0.978 */
        {1, LH_VEC_COSINE, 4, 0.99},  /* 1.000 */
        {2, LH_VEC_COSINE, 1, 0.80},  /* 0.862 (one scale for all dimensions: 0.816) */
        {2, LH_VEC_COSINE, 2, 0.97},  /* 0.994 */
        {2, LH_VEC_COSINE, 4, 0.99},  /* 1.000 */
        {2, LH_VEC_L2, 1, 0.92},      /* 0.954 */
        {3, LH_VEC_DOT, 1, 0.95},     /* 0.980 (one scale for all dimensions: 0.964) */
        {3, LH_VEC_DOT, 4, 0.99},     /* 1.000 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const float *m = data[cases[i].data];
        double r = q8_recall(m, n, dims, m + n * dims, nq, cases[i].metric, cases[i].rerank, NULL);
        fprintf(stderr, "# int8 recall@10, %s, %s, re-rank x%zu: %.3f (bound %.2f)\n",
                names[cases[i].data], metrics[cases[i].metric],
                cases[i].rerank, r, cases[i].bound);
        assert_true(r >= cases[i].bound);
    }
    for (int i = 0; i < 4; i++)
        free(data[i]);
}

/* A re-rank that takes every row is the float search exactly; a filter holds. */
static void q8_full_rerank_is_exact(void **state)
{
    (void)state;
    rng_state = 10;
    size_t n = 500, dims = 40;
    float *m = random_matrix(n, dims, true);
    float *q = random_matrix(5, dims, true);
    uint64_t allow[lh_vec_bitmap_words(500)];
    for (size_t w = 0; w < lh_vec_bitmap_words(500); w++)
        allow[w] = 0x5555555555555555ull;
    for (lh_vec_metric metric = LH_VEC_DOT; metric <= LH_VEC_L2; metric++)
        for (int f = 0; f <= 1; f++)
            assert_true(q8_recall(m, n, dims, q, 5, metric, n, f ? allow : NULL) == 1.0);
    free(m);
    free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kernels_agree),
        cmocka_unit_test(row_kernels),
        cmocka_unit_test(force_scalar_switch),
        cmocka_unit_test(topk_equals_sort),
        cmocka_unit_test(ties_by_row),
        cmocka_unit_test(filter_bitmap),
        cmocka_unit_test(nan_rows_last),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(topk_scalar_path),
        cmocka_unit_test(q8_full_rerank_is_exact),
        cmocka_unit_test(q8_recall_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
