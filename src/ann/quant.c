/* quant.c: int8 scalar quantisation of a float matrix, its scan, and the exact re-rank.
 *
 * One symmetric scale per dimension (scale[d] = max |x[., d]| / 127) rather than per
 * vector: the dimensions of real embeddings (LSA above all, whose first components carry
 * most of the variance) differ in range far more than the rows do. The scale folds into
 * the query: x[d] ~ scale[d] * code[d], so q . x ~ sum (q[d] * scale[d]) * code[d], and
 * w = q * scale is rounded to int16 (not int8: its rounding then costs nothing next to the
 * codes'), small enough that no int32 sum can overflow. Each row's score is then one
 * integer dot product and one multiply; L2 adds the row's stored |x^|^2.
 * The approximate order is only a filter: the best k * rerank rows are scored again on the
 * float rows, and those exact scores are what the caller gets. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "ann/ann_int.h"

struct lh_vec_q8 {
    size_t n, dims;
    int8_t *codes;   /* n x dims */
    float *scale;    /* dims */
    float *sqnorm;   /* n: |dequantised row|^2, for L2 */
};

void lh_vec_q8_free(lh_vec_q8 *q8)
{
    if (!q8)
        return;
    free(q8->codes);
    free(q8->scale);
    free(q8->sqnorm);
    free(q8);
}

size_t lh_vec_q8_bytes(const lh_vec_q8 *q8)
{
    return q8->n * q8->dims + q8->dims * sizeof(float) + q8->n * sizeof(float);
}

const int8_t *lh__vec_q8_codes(const lh_vec_q8 *q8)
{
    return q8->codes;
}

const float *lh__vec_q8_scales(const lh_vec_q8 *q8)
{
    return q8->scale;
}

const float *lh__vec_q8_sqnorms(const lh_vec_q8 *q8)
{
    return q8->sqnorm;
}

size_t lh__vec_q8_rows(const lh_vec_q8 *q8)
{
    return q8->n;
}

size_t lh__vec_q8_dims(const lh_vec_q8 *q8)
{
    return q8->dims;
}

lh_status lh_vec_q8_new(const float *matrix, size_t n, size_t dims, lh_vec_q8 **out,
                        lh_err *err)
{
    *out = NULL;
    if (n == 0 || dims == 0)
        return lh_fail(err, LH_EINVAL, "cannot quantise an empty matrix (%zu x %zu)", n, dims);
    if (dims > SIZE_MAX / n)
        return lh_fail(err, LH_ETOOBIG, "a %zu x %zu matrix is too large", n, dims);
    lh_vec_q8 *q8 = lh_calloc(1, sizeof *q8);
    if (!q8)
        return lh_fail(err, LH_ENOMEM, "out of memory for an int8 index");
    q8->n = n;
    q8->dims = dims;
    q8->codes = lh_malloc(n * dims);
    q8->scale = lh_calloc(dims, sizeof *q8->scale);
    q8->sqnorm = lh_malloc(n * sizeof *q8->sqnorm);
    if (!q8->codes || !q8->scale || !q8->sqnorm) {
        lh_vec_q8_free(q8);
        return lh_fail(err, LH_ENOMEM, "out of memory for an int8 copy of %zu x %zu", n, dims);
    }
    /* max |x| per dimension (non-finite values are coded 0 and do not count) */
    for (size_t r = 0; r < n; r++) {
        const float *x = matrix + r * dims;
        for (size_t d = 0; d < dims; d++) {
            float a = fabsf(x[d]);
            if (isfinite(a) && a > q8->scale[d])
                q8->scale[d] = a;
        }
    }
    for (size_t d = 0; d < dims; d++)
        q8->scale[d] /= 127.0f;
    for (size_t r = 0; r < n; r++) {
        const float *x = matrix + r * dims;
        int8_t *c = q8->codes + r * dims;
        float sq = 0;
        for (size_t d = 0; d < dims; d++) {
            long v = 0;
            if (q8->scale[d] > 0 && isfinite(x[d])) {
                v = lrintf(x[d] / q8->scale[d]);
                v = v > 127 ? 127 : v < -127 ? -127 : v;
            }
            c[d] = (int8_t)v;
            float y = (float)v * q8->scale[d];
            sq += y * y;
        }
        q8->sqnorm[r] = sq;
    }
    *out = q8;
    return LH_OK;
}

typedef struct q8_ctx {
    const lh_simd_kernels *kern;
    const lh_vec_q8 *q8;
    const int16_t *w;   /* the query times the scales, in integers */
    float wscale;       /* w's unit: q . x^ = wscale * (w . code) */
    lh_vec_metric metric;
} q8_ctx;

static void q8_block(const void *arg, size_t row0, size_t nrows, float *keys)
{
    const q8_ctx *c = arg;
    int32_t dots[LH__VEC_BLOCK];
    c->kern->dot_i8_rows(c->w, c->q8->codes + row0 * c->q8->dims, nrows, c->q8->dims, dots);
    if (c->metric == LH_VEC_L2) {
        /* |q - x^|^2 = |q|^2 - 2 q.x^ + |x^|^2, and |q|^2 is the same for every row */
        for (size_t i = 0; i < nrows; i++)
            keys[i] = 2.0f * c->wscale * (float)dots[i] - c->q8->sqnorm[row0 + i];
    } else {
        for (size_t i = 0; i < nrows; i++)
            keys[i] = c->wscale * (float)dots[i];
    }
}

lh_status lh_vec_q8_search(const lh_vec_q8 *q8, const float *matrix, const float *query,
                           const lh_vec_search_opts *opts, size_t rerank, lh_vec_hit *out,
                           size_t *out_n, lh_err *err)
{
    *out_n = 0;
    size_t n = q8->n, dims = q8->dims;
    if (opts->metric != LH_VEC_DOT && opts->metric != LH_VEC_COSINE && opts->metric != LH_VEC_L2)
        return lh_fail(err, LH_EINVAL, "unknown vector metric %d", (int)opts->metric);
    if (opts->k == 0)
        return lh_fail(err, LH_EINVAL, "k must be at least 1");
    if (rerank == 0)
        return lh_fail(err, LH_EINVAL, "the re-rank factor must be at least 1");
    /* the largest |w| such that 127 * |w| * dims fits an int32 */
    size_t wmax = (size_t)INT32_MAX / (127 * dims);
    if (wmax > 32767)
        wmax = 32767;
    if (wmax < 127)
        return lh_fail(err, LH_EUNSUPPORTED, "int8 search supports up to %d dimensions, not %zu",
                       INT32_MAX / (127 * 127), dims);

    const lh_simd_kernels *kern = lh_simd_kernels_get();
    size_t cand = opts->k > SIZE_MAX / rerank ? n : opts->k * rerank;
    if (cand > n)
        cand = n;
    float *q = lh_malloc(dims * sizeof *q);
    int16_t *w = lh_malloc(dims * sizeof *w);
    lh_vec_hit *hits = lh_malloc((cand ? cand : 1) * sizeof *hits);
    lh_status st = LH_OK;
    if (!q || !w || !hits) {
        st = lh_fail(err, LH_ENOMEM, "out of memory for an int8 search");
        goto cleanup;
    }
    memcpy(q, query, dims * sizeof *q);
    if (opts->metric == LH_VEC_COSINE)
        lh_vec_normalize(q, dims);
    float amax = 0;
    for (size_t d = 0; d < dims; d++) {
        float a = fabsf(q[d] * q8->scale[d]);
        if (isfinite(a) && a > amax)
            amax = a;
    }
    float wscale = amax > 0 ? amax / (float)wmax : 0;
    for (size_t d = 0; d < dims; d++) {
        float v = q[d] * q8->scale[d];
        w[d] = (int16_t)(wscale > 0 && isfinite(v) ? lrintf(v / wscale) : 0);
    }
    q8_ctx c = {.kern = kern, .q8 = q8, .w = w, .wscale = wscale, .metric = opts->metric};
    size_t got = 0;
    st = lh__vec_scan(n, q8_block, &c, cand, lh__vec_threads(opts->threads, n), opts->allow,
                      hits, &got, err);
    if (st)
        goto cleanup;
    /* exact scores of the candidates, as lh_vec_search computes them */
    for (size_t i = 0; i < got; i++) {
        const float *row = matrix + hits[i].row * dims;
        hits[i].score = opts->metric == LH_VEC_L2 ? -kern->l2sq(q, row, dims)
                                                  : kern->dot(q, row, dims);
    }
    lh__vec_sort_hits(hits, got);
    *out_n = got < opts->k ? got : opts->k;
    for (size_t i = 0; i < *out_n; i++) {
        out[i] = hits[i];
        if (opts->metric == LH_VEC_L2)
            out[i].score = -out[i].score;
    }
cleanup:
    free(q);
    free(w);
    free(hits);
    return st;
}
