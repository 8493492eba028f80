/* builtin.c: the builtin provider (ai.h): LSA embeddings, a BM25 + cosine reranker, and
 * no generator yet. */
#include <stdlib.h>
#include <string.h>

#include "ai/ai.h"
#include "core/alloc.h"

typedef struct builtin {
    lh_lsa *lsa;
    lh_bm25 *bm25;
    float dense_weight;
} builtin;

float lh_ai_builtin_default_weight(void)
{
    return 0.2f; /* docs/BENCHMARKS.md "Builtin retrieval": the hybrid sweep */
}

static lh_status b_embed(void *self, const char *const *texts, const size_t *lens, size_t n,
                         float *out, lh_err *err)
{
    builtin *b = self;
    size_t dims = lh_lsa_dims(b->lsa);
    for (size_t i = 0; i < n; i++) {
        lh_status st = lh_lsa_embed(b->lsa, texts[i], lens[i], out + i * dims, err);
        if (st)
            return st;
    }
    return LH_OK;
}

static lh_status b_generate(void *self, const char *prompt, char **out, lh_err *err)
{
    (void)self;
    (void)prompt;
    *out = NULL;
    return lh_fail(err, LH_EUNSUPPORTED,
                   "the builtin provider does not generate text yet; configure an ollama or "
                   "openai provider");
}

/* Maps v[0, n) onto [0, 1] by min and max; all equal -> all 1 (none is worse). */
static void min_max(float *v, size_t n)
{
    if (!n)
        return;
    float lo = v[0], hi = v[0];
    for (size_t i = 1; i < n; i++) {
        if (v[i] < lo)
            lo = v[i];
        if (v[i] > hi)
            hi = v[i];
    }
    for (size_t i = 0; i < n; i++)
        v[i] = hi > lo ? (v[i] - lo) / (hi - lo) : 1.0f;
}

static lh_status b_rerank(void *self, const char *query, const char *const *texts,
                          const size_t *lens, size_t n, float *scores, lh_err *err)
{
    builtin *b = self;
    size_t dims = lh_lsa_dims(b->lsa);
    float *q = lh_malloc(dims * sizeof *q);
    float *v = lh_malloc(dims * sizeof *v);
    float *cos = lh_malloc((n ? n : 1) * sizeof *cos);
    lh_status st = LH_OK;
    if (!q || !v || !cos) {
        st = lh_fail(err, LH_ENOMEM, "out of memory reranking %zu texts", n);
        goto cleanup;
    }
    size_t qlen = strlen(query);
    if ((st = lh_lsa_embed(b->lsa, query, qlen, q, err)))
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        if ((st = lh_lsa_embed(b->lsa, texts[i], lens[i], v, err)))
            goto cleanup;
        double dot = 0;
        for (size_t c = 0; c < dims; c++)
            dot += (double)q[c] * v[c];
        cos[i] = (float)dot;
        if ((st = lh_bm25_score_text(b->bm25, query, qlen, texts[i], lens[i], &scores[i], err)))
            goto cleanup;
    }
    min_max(cos, n);
    min_max(scores, n);
    for (size_t i = 0; i < n; i++)
        scores[i] = b->dense_weight * cos[i] + (1.0f - b->dense_weight) * scores[i];
cleanup:
    free(q);
    free(v);
    free(cos);
    return st;
}

static void b_free(void *self)
{
    builtin *b = self;
    if (!b)
        return;
    lh_lsa_free(b->lsa);
    lh_bm25_free(b->bm25);
    free(b);
}

static const lh_ai_ops builtin_ops = {
    .name = "builtin",
    .embed = b_embed,
    .generate = b_generate,
    .rerank = b_rerank,
    .free = b_free,
};

lh_status lh_ai_builtin_new(lh_lsa *lsa, lh_bm25 *bm25, float dense_weight, lh_ai **out,
                            lh_err *err)
{
    *out = NULL;
    if (!(dense_weight >= 0 && dense_weight <= 1)) {
        lh_lsa_free(lsa);
        lh_bm25_free(bm25);
        return lh_fail(err, LH_EINVAL, "the builtin reranker's dense weight must be between 0 and 1");
    }
    builtin *b = lh_calloc(1, sizeof *b);
    if (!b) {
        lh_lsa_free(lsa);
        lh_bm25_free(bm25);
        return lh_fail(err, LH_ENOMEM, "out of memory for the builtin provider");
    }
    b->lsa = lsa;
    b->bm25 = bm25;
    b->dense_weight = dense_weight;
    return lh_ai_new(&builtin_ops, b, lh_lsa_dims(lsa), out, err);
}
