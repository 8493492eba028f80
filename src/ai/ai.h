/* ai.h: the one interface to AI providers (issue 14, item 1): embed texts into vectors,
 * generate text from a prompt, rerank texts for a query. An lh_ai is one configured
 * provider; callers (index builds, search, RAG) never know which.
 *
 * Providers so far:
 *  - builtin (builtin.c): offline and deterministic. embed = the LSA model fitted on the
 *    index's own chunks (lsa.h); rerank = a weighted sum of min-max normalised BM25 (with
 *    the index's statistics, bm25.h) and cosine of the LSA vectors; generate is not there
 *    yet (LH_EUNSUPPORTED: the extractive answerer is still to come).
 *  - network providers (ollama, openai) will plug in through lh_ai_ops (ai_int.h-level
 *    detail for their files), with the same contract.
 *
 * Thread-safety: the builtin provider's calls may run from several threads at once (its
 * models are read-only after construction). lh_ai_free must not race with them. */
#ifndef LH_AI_AI_H
#define LH_AI_AI_H

#include <stddef.h>

#include "ai/bm25.h"
#include "ai/lsa.h"
#include "core/status.h"

typedef struct lh_ai lh_ai;

/* What a provider implements. self is the provider's own state, freed by free. */
typedef struct lh_ai_ops {
    const char *name; /* "builtin", "ollama", ... */
    lh_status (*embed)(void *self, const char *const *texts, const size_t *lens, size_t n,
                       float *out, lh_err *err);
    lh_status (*generate)(void *self, const char *prompt, char **out, lh_err *err);
    lh_status (*rerank)(void *self, const char *query, const char *const *texts,
                        const size_t *lens, size_t n, float *scores, lh_err *err);
    void (*free)(void *self);
} lh_ai_ops;

/* Wraps a provider: ops and self (owned from now on: freed by lh_ai_free, or here on
 * failure), embedding width dims. */
lh_status lh_ai_new(const lh_ai_ops *ops, void *self, size_t dims, lh_ai **out, lh_err *err);
void lh_ai_free(lh_ai *ai);

const char *lh_ai_name(const lh_ai *ai);
/* The width of every vector lh_ai_embed writes. */
size_t lh_ai_dims(const lh_ai *ai);

/* Embeds texts[0, n) into out[0, n * dims) (row i = text i). lens may be NULL (then each
 * text is NUL-terminated). */
lh_status lh_ai_embed(lh_ai *ai, const char *const *texts, const size_t *lens, size_t n,
                      float *out, lh_err *err);
/* The provider's completion of prompt into *out (caller frees). LH_EUNSUPPORTED when the
 * provider does not generate. */
lh_status lh_ai_generate(lh_ai *ai, const char *prompt, char **out, lh_err *err);
/* A relevance score for each of texts[0, n) against query into scores[0, n): higher is
 * more relevant; comparable within one call only. */
lh_status lh_ai_rerank(lh_ai *ai, const char *query, const char *const *texts, const size_t *lens,
                       size_t n, float *scores, lh_err *err);

/* The builtin provider over a fitted LSA model and the index's BM25 (both owned from now
 * on, also on failure). dense_weight in [0, 1] is the cosine's share of a rerank score
 * (the rest is BM25's); lh_ai_builtin_default_weight() is the measured default. */
lh_status lh_ai_builtin_new(lh_lsa *lsa, lh_bm25 *bm25, float dense_weight, lh_ai **out,
                            lh_err *err);
float lh_ai_builtin_default_weight(void);

#endif
