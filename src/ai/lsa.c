/* lsa.c: fitting, applying and storing the LSA model (lsa.h). The only file that
 * includes cblas.h and lapacke.h (scripts/lint.sh). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ai_int.h"
#include "ai/lsa.h"
#include "core/alloc.h"

#define LSA_MAGIC "LHLSA\0\0\0"
#define LSA_VERSION 1u
#define LSA_MAX_DIMS 4096u
#define LSA_LOG_ENTROPY_FLAG 16u /* in the file's flags, beside the tokenizer's and bigrams' 4 */

struct lh_lsa {
    lh_lsa_params p;
    lh__ai_dict vocab;  /* term id = row of proj */
    float *idf;      /* per term */
    float *proj;     /* terms x dims, row-major */
};

lh_lsa_params lh_lsa_defaults(void)
{
    return (lh_lsa_params){.dims = 256, .max_terms = 50000, .min_df = 2, .bigrams = false,
                           .stopwords = true, .stem = true, .porter = true,
                           .weighting = LH_LSA_LOG_ENTROPY, .oversample = 10,
                           .power_iters = 2,
                           .max_fit_docs = 50000, .seed = 0x6c616b65686f7573ull};
}

static unsigned tok_flags(const lh_lsa_params *p)
{
    return (p->stopwords ? LH_AI_TOK_STOP : 0u) | (p->stem ? LH_AI_TOK_STEM : 0u) |
           (p->porter ? LH_AI_TOK_PORTER : 0u);
}

static lh_status check_params(const lh_lsa_params *p, lh_err *err)
{
    if (p->dims < 1 || p->dims > LSA_MAX_DIMS)
        return lh_fail(err, LH_EINVAL, "LSA dims must be between 1 and %u", LSA_MAX_DIMS);
    if (p->max_terms < 1)
        return lh_fail(err, LH_EINVAL, "LSA max_terms must be at least 1");
    if (p->min_df < 1)
        return lh_fail(err, LH_EINVAL, "LSA min_df must be at least 1");
    if (!(p->sigma_power >= -3 && p->sigma_power <= 3))
        return lh_fail(err, LH_EINVAL, "LSA sigma_power must be between -3 and 3");
    if (p->weighting != LH_LSA_TFIDF && p->weighting != LH_LSA_LOG_ENTROPY)
        return lh_fail(err, LH_EINVAL, "LSA weighting must be tfidf or log-entropy");
    if (p->oversample > 1000 || p->power_iters > 20)
        return lh_fail(err, LH_EINVAL, "LSA oversample must be at most 1000 and power_iters at most 20");
    return LH_OK;
}

void lh_lsa_free(lh_lsa *m)
{
    if (!m)
        return;
    lh__ai_dict_release(&m->vocab);
    free(m->idf);
    free(m->proj);
    free(m);
}

size_t lh_lsa_dims(const lh_lsa *m)
{
    return m->p.dims;
}

size_t lh_lsa_terms(const lh_lsa *m)
{
    return m->vocab.n;
}

lh_lsa_params lh_lsa_get_params(const lh_lsa *m)
{
    return m->p;
}

/* ---- terms: words and, optionally, adjacent pairs ------------------------------------ */

typedef int (*term_fn)(void *ctx, const char *t, size_t len);

typedef struct term_walk {
    char prev[LH_AI_WORD_MAX];
    size_t prev_len;
    bool bigrams;
    term_fn emit;
    void *ctx;
} term_walk;

static int on_word(void *ctx, const char *w, size_t len)
{
    term_walk *tw = ctx;
    int rc = tw->emit(tw->ctx, w, len);
    if (rc || !tw->bigrams)
        return rc;
    if (tw->prev_len) {
        char bi[2 * LH_AI_WORD_MAX + 1];
        memcpy(bi, tw->prev, tw->prev_len);
        bi[tw->prev_len] = ' ';
        memcpy(bi + tw->prev_len + 1, w, len);
        rc = tw->emit(tw->ctx, bi, tw->prev_len + 1 + len);
        if (rc)
            return rc;
    }
    memcpy(tw->prev, w, len);
    tw->prev_len = len;
    return 0;
}

static int walk_terms(const lh_lsa_params *p, const char *text, size_t len, term_fn emit, void *ctx)
{
    term_walk tw = {.bigrams = p->bigrams, .emit = emit, .ctx = ctx};
    return lh__ai_tokenize(text, len, tok_flags(p), on_word, &tw);
}

/* ---- a text as a sparse TF-IDF vector ------------------------------------------------- */

typedef struct sparse {
    const lh__ai_dict *vocab;
    uint32_t *ids;
    float *w;
    size_t n, cap, wcap;
    lh_status st;
} sparse;

static int emit_known(void *ctx, const char *t, size_t len)
{
    sparse *s = ctx;
    int64_t id = lh__ai_dict_find(s->vocab, t, len);
    if (id < 0)
        return 0;
    if (lh_grow(&s->ids, &s->cap, s->n + 1, sizeof *s->ids)) {
        s->st = LH_ENOMEM;
        return 1;
    }
    s->ids[s->n++] = (uint32_t)id;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* s gets the text's distinct known terms (increasing ids) with unit-length sublinear
 * TF-IDF weights. The one weighting, for the fit's matrix and for every later embed. */
static lh_status text_vector(const lh_lsa_params *p, const lh__ai_dict *vocab, const float *idf,
                             const char *text, size_t len, sparse *s)
{
    s->vocab = vocab;
    s->n = 0;
    s->st = LH_OK;
    walk_terms(p, text, len, emit_known, s);
    if (s->st)
        return s->st;
    if (s->n > 1) /* qsort takes no NULL array, even for 0 items */
        qsort(s->ids, s->n, sizeof *s->ids, cmp_u32);
    if (s->n && lh_grow(&s->w, &s->wcap, s->n, sizeof *s->w))
        return LH_ENOMEM;
    size_t k = 0;
    double norm = 0;
    for (size_t i = 0; i < s->n;) {
        size_t j = i;
        while (j < s->n && s->ids[j] == s->ids[i])
            j++;
        double v = (1.0 + log((double)(j - i))) * idf[s->ids[i]];
        s->ids[k] = s->ids[i];
        s->w[k] = (float)v;
        norm += v * v;
        k++;
        i = j;
    }
    s->n = k;
    if (norm > 0) {
        float inv = (float)(1.0 / sqrt(norm));
        for (size_t i = 0; i < k; i++)
            s->w[i] *= inv;
    }
    return LH_OK;
}

static void sparse_release(sparse *s)
{
    free(s->ids);
    free(s->w);
}

/* ---- fit: pass 1, document frequencies ------------------------------------------------ */

typedef struct df_count {
    lh__ai_dict terms;
    uint32_t *df, *last; /* last: the document (+1) that last counted the term */
    uint32_t *tf;        /* occurrences in that last document */
    double *gf, *tlt;    /* log-entropy only: sum of tf, and of tf ln tf, over documents */
    size_t cap;
    uint32_t doc;        /* current document + 1 */
    bool entropy;
    lh_status st;
} df_count;

static bool grow_counts(df_count *c, uint32_t id)
{
    size_t cap = c->cap;
    if (lh_grow(&c->df, &cap, id + 1, sizeof *c->df))
        return false;
    cap = c->cap;
    if (lh_grow(&c->last, &cap, id + 1, sizeof *c->last))
        return false;
    cap = c->cap;
    if (lh_grow(&c->tf, &cap, id + 1, sizeof *c->tf))
        return false;
    if (c->entropy) {
        cap = c->cap;
        if (lh_grow(&c->gf, &cap, id + 1, sizeof *c->gf))
            return false;
        cap = c->cap;
        if (lh_grow(&c->tlt, &cap, id + 1, sizeof *c->tlt))
            return false;
    }
    c->cap = cap;
    return true;
}

/* Adds term id's count in the document that last had it to the entropy sums. */
static void flush_tf(df_count *c, uint32_t id)
{
    if (c->entropy && c->tf[id] > 1)
        c->tlt[id] += c->tf[id] * log((double)c->tf[id]);
}

static int emit_df(void *ctx, const char *t, size_t len)
{
    df_count *c = ctx;
    uint32_t id;
    bool added;
    if ((c->st = lh__ai_dict_intern(&c->terms, t, len, &id, &added)))
        return 1;
    if (added) {
        if (!grow_counts(c, id)) {
            c->st = LH_ENOMEM;
            return 1;
        }
        c->df[id] = 0;
        c->last[id] = 0;
        c->tf[id] = 0;
        if (c->entropy)
            c->gf[id] = c->tlt[id] = 0;
    }
    if (c->last[id] != c->doc) {
        flush_tf(c, id);
        c->last[id] = c->doc;
        c->df[id]++;
        c->tf[id] = 0;
    }
    c->tf[id]++;
    if (c->entropy)
        c->gf[id]++;
    return 0;
}

/* A term's global weight: IDF, ln((1 + N) / (1 + df)) + 1, or log-entropy's
 * 1 + sum_j p_j ln p_j / ln N with p_j = tf_j / gf (1 for a term spread over a single
 * document, near 0 for one spread evenly over all; kept above 0.001). */
static float global_weight(const lh_lsa_params *p, const df_count *c, uint32_t t, size_t n)
{
    if (p->weighting != LH_LSA_LOG_ENTROPY)
        return (float)(log((1.0 + (double)n) / (1.0 + c->df[t])) + 1.0);
    if (n < 2)
        return 1.0f;
    double plp = c->tlt[t] / c->gf[t] - log(c->gf[t]); /* sum_j p_j ln p_j */
    double g = 1.0 + plp / log((double)n);
    return (float)(g > 0.001 ? g : 0.001);
}

static int cmp_df(const void *a, const void *b, void *ctx)
{
    const df_count *c = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (c->df[x] != c->df[y])
        return c->df[x] > c->df[y] ? -1 : 1;
    size_t lx, ly;
    const char *sx = lh__ai_dict_str(&c->terms, x, &lx), *sy = lh__ai_dict_str(&c->terms, y, &ly);
    int r = memcmp(sx, sy, lx < ly ? lx : ly);
    return r ? r : (lx > ly) - (lx < ly);
}

/* ---- fit: the randomized SVD ---------------------------------------------------------- */

typedef struct csr {
    size_t rows, cols;
    size_t *ptr;   /* rows + 1 */
    uint32_t *idx;
    float *val;
    size_t nnz, cap, vcap;
} csr;

/* y += a * x over n floats. Written in blocks of 8 so that -O2's basic-block vectorizer
 * turns each block into SIMD adds (the loop form needs -O3): the fit's sparse products
 * and every embedding run through here. */
static inline void axpy(float *restrict y, const float *restrict x, float a, size_t n)
{
    size_t c = 0;
    for (; c + 8 <= n; c += 8) {
        y[c + 0] += a * x[c + 0];
        y[c + 1] += a * x[c + 1];
        y[c + 2] += a * x[c + 2];
        y[c + 3] += a * x[c + 3];
        y[c + 4] += a * x[c + 4];
        y[c + 5] += a * x[c + 5];
        y[c + 6] += a * x[c + 6];
        y[c + 7] += a * x[c + 7];
    }
    for (; c < n; c++)
        y[c] += a * x[c];
}

/* Y (rows x l) = X * A (cols x l); all row-major. */
static void mul_x(const csr *x, const float *restrict a, size_t l, float *restrict y)
{
    memset(y, 0, x->rows * l * sizeof *y);
    for (size_t i = 0; i < x->rows; i++) {
        float *restrict yi = y + i * l;
        for (size_t p = x->ptr[i]; p < x->ptr[i + 1]; p++) {
            axpy(yi, a + (size_t)x->idx[p] * l, x->val[p], l);
        }
    }
}

/* Z (cols x l) = X^T * Y (rows x l). */
static void mul_xt(const csr *x, const float *restrict y, size_t l, float *restrict z)
{
    memset(z, 0, x->cols * l * sizeof *z);
    for (size_t i = 0; i < x->rows; i++) {
        const float *restrict yi = y + i * l;
        for (size_t p = x->ptr[i]; p < x->ptr[i + 1]; p++) {
            axpy(z + (size_t)x->idx[p] * l, yi, x->val[p], l);
        }
    }
}

/* Replaces a (rows x cols, rows >= cols) by an orthonormal basis of its columns. */
static lh_status orthonormalize(float *a, size_t rows, size_t cols, float *tau)
{
    lapack_int info = LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)cols, a,
                                     (lapack_int)cols, tau);
    if (info == 0)
        info = LAPACKE_sorgqr(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)cols,
                              (lapack_int)cols, a, (lapack_int)cols, tau);
    return info == 0 ? LH_OK : LH_EINTERNAL;
}

/* proj (v x dims) = basis (v x l) times the top-k eigenvectors of the symmetric g (l x l,
 * row-major, eigenvalues = squared singular values), each column scaled by
 * sigma^(sigma_power + shift): shift -1 when basis is B^T (B^T U = V S), 0 when it is an
 * orthonormal basis of the right singular space (its product with U is V). Then each
 * column's sign is fixed (its largest entry positive, the first such entry on a tie). */
static lh_status project(const lh_lsa_params *p, const float *g, size_t l, size_t k,
                         const float *basis, size_t v, double shift, float *proj)
{
    size_t dims = p->dims;
    double *gd = lh_malloc(l * l * sizeof *gd);
    double *ev = lh_malloc(l * sizeof *ev);
    float *m = lh_calloc(l * k, sizeof *m);
    lh_status st = LH_OK;
    if (!gd || !ev || !m) {
        st = LH_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < l * l; i++)
        gd[i] = g[i];
    if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)l, gd, (lapack_int)l, ev) != 0) {
        st = LH_EINTERNAL;
        goto cleanup;
    }
    /* eigenvalues ascending: column l-1-i of gd is the i-th singular direction */
    double top = ev[l - 1] > 0 ? ev[l - 1] : 0;
    for (size_t i = 0; i < k; i++) {
        size_t e = l - 1 - i;
        if (!(ev[e] > top * 1e-10) || ev[e] <= 0)
            continue; /* rank deficient: this dimension stays zero */
        double scale = pow(sqrt(ev[e]), (double)p->sigma_power + shift);
        for (size_t r = 0; r < l; r++)
            m[r * k + i] = (float)(gd[r * l + e] * scale);
    }
    memset(proj, 0, v * dims * sizeof *proj);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)v, (int)k, (int)l, 1.0f, basis,
                (int)l, m, (int)k, 0.0f, proj, (int)dims);
    for (size_t c = 0; c < k; c++)
        m[c] = 0; /* reused: m[c] = the entry of largest magnitude in column c so far */
    for (size_t r = 0; r < v; r++)
        for (size_t c = 0; c < k; c++)
            if (fabsf(proj[r * dims + c]) > fabsf(m[c]))
                m[c] = proj[r * dims + c];
    for (size_t r = 0; r < v; r++)
        for (size_t c = 0; c < k; c++)
            if (m[c] < 0)
                proj[r * dims + c] = -proj[r * dims + c];
cleanup:
    free(gd);
    free(ev);
    free(m);
    return st;
}

/* The randomized SVD with its range found on the terms' side, for a corpus with fewer
 * terms than chunks (a large corpus of a small vocabulary: the QR is then on a terms x l
 * matrix, not a chunks x l one). Z = orth((X^T X)^(q+1) G) spans the same subspace as
 * the chunks' side's B^T; then M = Z^T X^T X Z = W L W^T and V = Z W. */
static lh_status randomized_svd_terms(const lh_lsa_params *p, const csr *x, size_t l, size_t k,
                                      float *proj, lh_err *err)
{
    size_t n = x->rows, v = x->cols;
    lh_status st = LH_OK;
    float *z = lh_malloc(v * l * sizeof *z);   /* G, then the basis Z */
    float *w = lh_malloc(v * l * sizeof *w);   /* X^T X Z */
    float *y = lh_malloc(n * l * sizeof *y);   /* X Z */
    float *tau = lh_malloc(l * sizeof *tau);
    float *g = lh_malloc(l * l * sizeof *g);
    if (!z || !w || !y || !tau || !g) {
        st = lh_fail(err, LH_ENOMEM, "out of memory for the LSA fit (%zu chunks x %zu terms)", n, v);
        goto cleanup;
    }
    lh__ai_rng rng;
    lh__ai_rng_seed(&rng, p->seed);
    for (size_t i = 0; i < v * l; i++)
        z[i] = (float)lh__ai_rng_signed(&rng);
    for (uint32_t it = 0; it <= p->power_iters; it++) {
        mul_x(x, z, l, y);
        mul_xt(x, y, l, z);
        if ((st = orthonormalize(z, v, l, tau)))
            goto lapack;
    }
    mul_x(x, z, l, y);
    mul_xt(x, y, l, w);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)l, (int)l, (int)v, 1.0f, z, (int)l,
                w, (int)l, 0.0f, g, (int)l);
    for (size_t i = 0; i < l; i++) /* symmetric in exact arithmetic: make it so in float */
        for (size_t j = i + 1; j < l; j++)
            g[i * l + j] = g[j * l + i] = 0.5f * (g[i * l + j] + g[j * l + i]);
    st = project(p, g, l, k, z, v, 0.0, proj);
    if (st == LH_ENOMEM)
        st = lh_fail(err, LH_ENOMEM, "out of memory for the LSA fit (%zu chunks x %zu terms)", n, v);
    else if (st)
        goto lapack;
    goto cleanup;
lapack:
    st = lh_fail(err, LH_EINTERNAL, "LAPACK failed during the LSA fit");
cleanup:
    free(z);
    free(w);
    free(y);
    free(tau);
    free(g);
    return st;
}

/* The top-k right singular vectors of x, into proj (x->cols x dims, zero beyond k). */
static lh_status randomized_svd(const lh_lsa_params *p, const csr *x, float *proj, lh_err *err)
{
    size_t n = x->rows, v = x->cols, dims = p->dims;
    size_t l = dims + p->oversample;
    if (l > n)
        l = n;
    if (l > v)
        l = v;
    size_t k = dims < l ? dims : l;
    if (v < n)
        return randomized_svd_terms(p, x, l, k, proj, err);
    lh_status st = LH_OK;
    float *a = lh_malloc(v * l * sizeof *a);   /* the random matrix, then X^T Q */
    float *y = lh_malloc(n * l * sizeof *y);   /* X times it, then its basis Q */
    float *tau = lh_malloc(l * sizeof *tau);
    float *g = lh_malloc(l * l * sizeof *g);
    if (!a || !y || !tau || !g) {
        st = lh_fail(err, LH_ENOMEM, "out of memory for the LSA fit (%zu chunks x %zu terms)", n, v);
        goto cleanup;
    }
    lh__ai_rng rng;
    lh__ai_rng_seed(&rng, p->seed);
    for (size_t i = 0; i < v * l; i++)
        a[i] = (float)lh__ai_rng_signed(&rng);
    mul_x(x, a, l, y);
    if ((st = orthonormalize(y, n, l, tau)))
        goto lapack;
    /* Power iterations, Y = X X^T Y, re-orthonormalising Y only: X^T Y is not (its QR
     * would be on the terms x l matrix, several times the cost of the rest of the fit
     * when there are more terms than chunks), which loses nothing in float with the few
     * iterations allowed here. */
    for (uint32_t it = 0; it < p->power_iters; it++) {
        mul_xt(x, y, l, a);
        mul_x(x, a, l, y);
        if ((st = orthonormalize(y, n, l, tau)))
            goto lapack;
    }
    /* B = Q^T X (l x v); a = B^T. B = U S V^T, so B B^T = U S^2 U^T and V = B^T U S^-1. */
    mul_xt(x, y, l, a);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)l, (int)l, (int)v, 1.0f, a, (int)l,
                a, (int)l, 0.0f, g, (int)l);
    st = project(p, g, l, k, a, v, -1.0, proj);
    if (st == LH_ENOMEM)
        st = lh_fail(err, LH_ENOMEM, "out of memory for the LSA fit (%zu chunks x %zu terms)", n, v);
    else if (st)
        goto lapack;
    goto cleanup;
lapack:
    st = lh_fail(err, LH_EINTERNAL, "LAPACK failed during the LSA fit");
cleanup:
    free(a);
    free(y);
    free(tau);
    free(g);
    return st;
}

/* ---- fit ------------------------------------------------------------------------------ */

/* The i-th of the fit's documents: all of them, or max_fit_docs evenly spaced. */
static size_t fit_doc(size_t i, size_t n, size_t fit_n)
{
    return fit_n == n ? i : (size_t)((unsigned __int128)i * n / fit_n);
}

static lh_status build_vocab(const lh_lsa_params *p, const char *const *texts, const size_t *lens,
                             size_t n, size_t fit_n, lh_lsa *m, lh_err *err)
{
    df_count c = {.entropy = p->weighting == LH_LSA_LOG_ENTROPY};
    lh__ai_dict_init(&c.terms);
    uint32_t *keep = NULL;
    lh_status st = LH_OK;
    for (size_t i = 0; i < fit_n && !st; i++) {
        size_t d = fit_doc(i, n, fit_n);
        c.doc = (uint32_t)(i + 1);
        walk_terms(p, texts[d], lens[d], emit_df, &c);
        st = c.st;
    }
    for (uint32_t t = 0; !st && t < c.terms.n; t++)
        flush_tf(&c, t);
    size_t nk = 0;
    if (!st && !(keep = lh_malloc((c.terms.n ? c.terms.n : 1) * sizeof *keep)))
        st = LH_ENOMEM;
    if (st) {
        st = lh_fail(err, LH_ENOMEM, "out of memory counting the LSA vocabulary");
        goto cleanup;
    }
    for (uint32_t t = 0; t < c.terms.n; t++)
        if (c.df[t] >= p->min_df)
            keep[nk++] = t;
    if (!nk) {
        st = lh_fail(err, LH_EINVAL,
                     "nothing to learn from: no term occurs in %u or more of the %zu chunks",
                     (unsigned)p->min_df, fit_n);
        goto cleanup;
    }
    qsort_r(keep, nk, sizeof *keep, cmp_df, &c);
    if (nk > p->max_terms)
        nk = p->max_terms;
    m->idf = lh_malloc(nk * sizeof *m->idf);
    if (!m->idf) {
        st = lh_fail(err, LH_ENOMEM, "out of memory building the LSA vocabulary");
        goto cleanup;
    }
    for (size_t i = 0; i < nk; i++) {
        size_t len;
        const char *s = lh__ai_dict_str(&c.terms, keep[i], &len);
        uint32_t id;
        if (lh__ai_dict_intern(&m->vocab, s, len, &id, NULL)) {
            st = lh_fail(err, LH_ENOMEM, "out of memory building the LSA vocabulary");
            goto cleanup;
        }
        m->idf[id] = global_weight(p, &c, keep[i], fit_n);
    }
cleanup:
    free(keep);
    free(c.df);
    free(c.last);
    free(c.tf);
    free(c.gf);
    free(c.tlt);
    lh__ai_dict_release(&c.terms);
    return st;
}

lh_status lh_lsa_fit(const lh_lsa_params *p, const char *const *texts, const size_t *lens,
                     size_t n, lh_lsa **out, lh_err *err)
{
    *out = NULL;
    lh_status st = check_params(p, err);
    if (st)
        return st;
    if (n == 0)
        return lh_fail(err, LH_EINVAL, "nothing to learn from: no chunks");
    if (n >= UINT32_MAX)
        return lh_fail(err, LH_ETOOBIG, "an LSA fit takes at most 2^32 - 2 chunks");
    if ((st = lh__ai_blas_load(err)))
        return st;
    size_t fit_n = p->max_fit_docs && n > p->max_fit_docs ? p->max_fit_docs : n;
    lh_lsa *m = lh_calloc(1, sizeof *m);
    if (!m)
        return lh_fail(err, LH_ENOMEM, "out of memory for the LSA model");
    m->p = *p;
    lh__ai_dict_init(&m->vocab);
    csr x = {.rows = fit_n};
    sparse s = {0};
    if ((st = build_vocab(p, texts, lens, n, fit_n, m, err)))
        goto cleanup;
    x.cols = m->vocab.n;
    x.ptr = lh_malloc((fit_n + 1) * sizeof *x.ptr);
    if (!x.ptr)
        goto nomem;
    x.ptr[0] = 0;
    for (size_t i = 0; i < fit_n; i++) {
        size_t d = fit_doc(i, n, fit_n);
        if (text_vector(p, &m->vocab, m->idf, texts[d], lens[d], &s))
            goto nomem;
        size_t cap = x.cap;
        if (lh_grow(&x.idx, &cap, x.nnz + s.n + 1, sizeof *x.idx))
            goto nomem;
        x.cap = cap;
        if (lh_grow(&x.val, &x.vcap, x.nnz + s.n + 1, sizeof *x.val))
            goto nomem;
        if (s.n) { /* a text of unknown words only: s.ids may be NULL */
            memcpy(x.idx + x.nnz, s.ids, s.n * sizeof *s.ids);
            memcpy(x.val + x.nnz, s.w, s.n * sizeof *s.w);
        }
        x.nnz += s.n;
        x.ptr[i + 1] = x.nnz;
    }
    m->proj = lh_malloc(x.cols * p->dims * sizeof *m->proj);
    if (!m->proj)
        goto nomem;
    st = randomized_svd(p, &x, m->proj, err);
    goto cleanup;
nomem:
    st = lh_fail(err, LH_ENOMEM, "out of memory for the LSA fit of %zu chunks", fit_n);
cleanup:
    sparse_release(&s);
    free(x.ptr);
    free(x.idx);
    free(x.val);
    if (st)
        lh_lsa_free(m);
    else
        *out = m;
    return st;
}

/* ---- embed ---------------------------------------------------------------------------- */

lh_status lh_lsa_embed(const lh_lsa *m, const char *text, size_t len, float *out, lh_err *err)
{
    size_t dims = m->p.dims;
    memset(out, 0, dims * sizeof *out);
    sparse s = {0};
    if (text_vector(&m->p, &m->vocab, m->idf, text, len, &s)) {
        sparse_release(&s);
        return lh_fail(err, LH_ENOMEM, "out of memory embedding a text of %zu bytes", len);
    }
    for (size_t i = 0; i < s.n; i++)
        axpy(out, m->proj + (size_t)s.ids[i] * dims, s.w[i], dims);
    sparse_release(&s);
    double norm = 0;
    for (size_t c = 0; c < dims; c++)
        norm += (double)out[c] * out[c];
    if (norm > 0) {
        float inv = (float)(1.0 / sqrt(norm));
        for (size_t c = 0; c < dims; c++)
            out[c] *= inv;
    }
    return LH_OK;
}

/* ---- erasure: the terms no remaining chunk uses go -------------------------------------- */

typedef struct prune_mark {
    const lh__ai_dict *vocab;
    unsigned char *used;
} prune_mark;

static int mark_used(void *ctx, const char *t, size_t len)
{
    prune_mark *pm = ctx;
    int64_t id = lh__ai_dict_find(pm->vocab, t, len);
    if (id >= 0)
        pm->used[id] = 1;
    return 0;
}

lh_status lh_lsa_prune(lh_lsa *m, const char *const *texts, const size_t *lens, size_t n,
                       size_t *dropped, lh_err *err)
{
    size_t nterms = m->vocab.n, dims = m->p.dims, keep = 0;
    unsigned char *used = lh_calloc(nterms + 1, 1);
    if (!used)
        return lh_fail(err, LH_ENOMEM, "out of memory pruning the LSA vocabulary");
    prune_mark pm = {&m->vocab, used};
    for (size_t i = 0; i < n; i++)
        walk_terms(&m->p, texts[i], lens[i], mark_used, &pm);
    for (size_t t = 0; t < nterms; t++)
        keep += used[t];
    if (dropped)
        *dropped = nterms - keep;
    if (keep == nterms) {
        free(used);
        return LH_OK;
    }
    lh__ai_dict vocab;
    lh__ai_dict_init(&vocab);
    float *idf = lh_calloc(keep + 1, sizeof *idf);
    float *proj = lh_calloc(keep * dims + 1, sizeof *proj);
    lh_status st = idf && proj ? LH_OK : LH_ENOMEM;
    size_t k = 0;
    for (size_t t = 0; !st && t < nterms; t++) {
        if (!used[t])
            continue;
        size_t len;
        const char *s = lh__ai_dict_str(&m->vocab, (uint32_t)t, &len);
        uint32_t id;
        bool added;
        st = lh__ai_dict_intern(&vocab, s, len, &id, &added);
        if (st)
            break;
        lh_assert(added && id == k); /* the old vocabulary had no duplicates */
        idf[k] = m->idf[t];
        memcpy(proj + k * dims, m->proj + t * dims, dims * sizeof *proj);
        k++;
    }
    free(used);
    if (st) {
        lh__ai_dict_release(&vocab);
        free(idf);
        free(proj);
        return lh_fail(err, LH_ENOMEM, "out of memory pruning the LSA vocabulary");
    }
    lh__ai_dict_release(&m->vocab);
    free(m->idf);
    free(m->proj);
    m->vocab = vocab;
    m->idf = idf;
    m->proj = proj;
    return LH_OK;
}

/* ---- the model file ------------------------------------------------------------------- */

static uint32_t flags_of(const lh_lsa_params *p)
{
    return tok_flags(p) | (p->bigrams ? 4u : 0u) |
           (p->weighting == LH_LSA_LOG_ENTROPY ? LSA_LOG_ENTROPY_FLAG : 0u);
}

lh_status lh_lsa_save(const lh_lsa *m, lh_buf *out)
{
    const lh_lsa_params *p = &m->p;
    lh_buf_add(out, LSA_MAGIC, 8);
    lh__ai_put_u32(out, LSA_VERSION);
    lh__ai_put_u32(out, p->dims);
    lh__ai_put_u32(out, p->max_terms);
    lh__ai_put_u32(out, p->min_df);
    lh__ai_put_u32(out, flags_of(p));
    lh__ai_put_u32(out, p->oversample);
    lh__ai_put_u32(out, p->power_iters);
    lh__ai_put_u32(out, p->max_fit_docs);
    lh__ai_put_u64(out, p->seed);
    lh__ai_put_f32(out, p->sigma_power);
    lh__ai_put_u64(out, m->vocab.n);
    for (uint32_t t = 0; t < m->vocab.n; t++) {
        size_t len;
        const char *s = lh__ai_dict_str(&m->vocab, t, &len);
        lh__ai_put_u32(out, (uint32_t)len);
        lh_buf_add(out, s, len);
        lh__ai_put_f32(out, m->idf[t]);
    }
    for (size_t i = 0; i < m->vocab.n * p->dims; i++)
        lh__ai_put_f32(out, m->proj[i]);
    return lh_buf_status(out);
}

lh_status lh_lsa_load(const void *data, size_t len, lh_lsa **out, lh_err *err)
{
    *out = NULL;
    lh__ai_reader r;
    lh__ai_reader_init(&r, data, len);
    const void *magic = lh__ai_get_bytes(&r, 8);
    if (!magic || memcmp(magic, LSA_MAGIC, 8) != 0)
        return lh_fail(err, LH_ECORRUPT, "LSA model file: not an LSA model");
    uint32_t version = lh__ai_get_u32(&r);
    if (version != LSA_VERSION)
        return lh_fail(err, LH_ECORRUPT, "LSA model file: version %u, this build reads %u",
                       (unsigned)version, LSA_VERSION);
    lh_lsa_params p = {0};
    p.dims = lh__ai_get_u32(&r);
    p.max_terms = lh__ai_get_u32(&r);
    p.min_df = lh__ai_get_u32(&r);
    uint32_t flags = lh__ai_get_u32(&r);
    p.stopwords = (flags & LH_AI_TOK_STOP) != 0;
    p.stem = (flags & LH_AI_TOK_STEM) != 0;
    p.porter = (flags & LH_AI_TOK_PORTER) != 0;
    p.weighting = (flags & LSA_LOG_ENTROPY_FLAG) ? LH_LSA_LOG_ENTROPY : LH_LSA_TFIDF;
    p.bigrams = (flags & 4u) != 0;
    p.oversample = lh__ai_get_u32(&r);
    p.power_iters = lh__ai_get_u32(&r);
    p.max_fit_docs = lh__ai_get_u32(&r);
    p.seed = lh__ai_get_u64(&r);
    p.sigma_power = lh__ai_get_f32(&r);
    uint64_t n_terms = lh__ai_get_u64(&r);
    if (r.bad || (flags & ~(LH_AI_TOK_MASK | 4u | LSA_LOG_ENTROPY_FLAG)) || check_params(&p, NULL) || n_terms > p.max_terms)
        return lh_fail(err, LH_ECORRUPT, "LSA model file: bad parameters");
    /* each term takes at least 8 bytes and its projection row 4 * dims */
    if (n_terms > (uint64_t)(r.end - r.p) / (8 + 4 * (uint64_t)p.dims))
        return lh_fail(err, LH_ECORRUPT, "LSA model file: truncated");
    lh_lsa *m = lh_calloc(1, sizeof *m);
    if (!m)
        return lh_fail(err, LH_ENOMEM, "out of memory reading an LSA model");
    m->p = p;
    lh__ai_dict_init(&m->vocab);
    m->idf = lh_malloc((n_terms ? n_terms : 1) * sizeof *m->idf);
    m->proj = lh_malloc((n_terms ? n_terms : 1) * p.dims * sizeof *m->proj);
    if (!m->idf || !m->proj) {
        lh_lsa_free(m);
        return lh_fail(err, LH_ENOMEM, "out of memory reading an LSA model");
    }
    const char *why = NULL;
    for (uint64_t t = 0; t < n_terms && !why; t++) {
        uint32_t slen = lh__ai_get_u32(&r);
        const char *s = lh__ai_get_bytes(&r, slen);
        float idf = lh__ai_get_f32(&r);
        uint32_t id;
        bool added;
        if (!s || r.bad)
            why = "truncated vocabulary";
        else if (!(idf > 0) || !isfinite(idf))
            why = "an IDF weight is not a positive number";
        else if (lh__ai_dict_intern(&m->vocab, s, slen, &id, &added)) {
            lh_lsa_free(m);
            return lh_fail(err, LH_ENOMEM, "out of memory reading an LSA model");
        } else if (!added)
            why = "a term is listed twice";
        else
            m->idf[id] = idf;
    }
    for (size_t i = 0; !why && i < n_terms * p.dims; i++) {
        m->proj[i] = lh__ai_get_f32(&r);
        if (!isfinite(m->proj[i]))
            why = "a projection weight is not finite";
    }
    if (!why && (r.bad || r.p != r.end))
        why = r.bad ? "truncated projection" : "trailing bytes after the projection";
    if (why) {
        lh_lsa_free(m);
        return lh_fail(err, LH_ECORRUPT, "LSA model file: %s", why);
    }
    *out = m;
    return LH_OK;
}
