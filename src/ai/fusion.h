/* fusion.h: hybrid retrieval, one ranked list from a lexical and a dense one (issue 14,
 * item 4). Three ways, compared by measurement (docs/BENCHMARKS.md "Builtin retrieval":
 * WEIGHTED is the builtin search's):
 *  - LH_FUSE_WEIGHTED: each list's scores min-max normalised onto [0, 1] over that list
 *    (a list whose scores are all equal maps to 1), then (1 - w) * lexical + w * dense,
 *    a document missing from a list getting 0 from it;
 *  - LH_FUSE_ZSCORE: the same with each list's scores minus its lowest, divided by the
 *    list's standard deviation instead of its range;
 *  - LH_FUSE_RRF: reciprocal rank fusion, (1 - w) / (60 + rank) + w / (60 + rank), ranks
 *    from 1, a missing document contributing nothing.
 * Pure functions; thread-safe. */
#ifndef LH_AI_FUSION_H
#define LH_AI_FUSION_H

#include <stddef.h>

#include "ai/bm25.h"
#include "core/status.h"

typedef enum lh_fuse_kind {
    LH_FUSE_WEIGHTED = 0,
    LH_FUSE_RRF = 1,
    LH_FUSE_ZSCORE = 2, /* as WEIGHTED, each list's scores minus its lowest over its
                         * standard deviation (not its range) */
} lh_fuse_kind;

/* The weight of the dense list the builtin search uses when none is given. */
float lh_fuse_default_weight(void);

/* Fuses lex[0, nl) and dense[0, nd) (each best first, a document at most once per list)
 * into out (room for nl + nd hits): every document of either list once, best first, ties
 * to the lower document number. *n_out says how many. w outside [0, 1] is LH_EINVAL. */
lh_status lh_fuse(lh_fuse_kind kind, float w, const lh_ai_hit *lex, size_t nl,
                  const lh_ai_hit *dense, size_t nd, lh_ai_hit *out, size_t *n_out, lh_err *err);

/* Pseudo-relevance feedback for the dense side of a hybrid search (Rocchio): the query
 * vector q[0, dims) moved toward the mean of the vectors top[0, m) of the best lexical
 * hits, out = q + beta * mean(top), L2-normalised (all zeros if that is zero). A query
 * with no known word (q all zeros) thus still gets a dense neighbourhood. out may be q. */
void lh_fuse_feedback(const float *q, const float *const *top, size_t m, float beta, size_t dims,
                      float *out);

#endif
