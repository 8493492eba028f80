/* lsa.h: the dense half of the builtin model: latent semantic analysis fitted on an
 * index's own chunks (issue 14, item 1).
 *
 * A fit reads the corpus twice. Terms are the words of the shared tokenizer (as BM25's)
 * and, when bigrams is set, each pair of adjacent words ("heart failure"). Terms in fewer
 * than min_df chunks are dropped, and of the rest the max_terms most frequent (by document
 * frequency, ties by byte order) are kept. A chunk is weighted with sublinear term
 * frequency times a global weight, log-entropy by default (lh_lsa_weighting; TF-IDF's
 * ln((1 + N) / (1 + df)) + 1 the other choice), and L2-normalised. A randomized truncated SVD
 * of that chunks x terms matrix (Halko, Martinsson and Tropp: a random range finder with
 * `oversample` extra columns and `power_iters` power iterations, QR and the small
 * eigenproblem through LAPACK) gives the top `dims` right singular vectors: the projection.
 * An embedding is the TF-IDF vector of a text times the projection, L2-normalised; a text
 * with no known term embeds as all zeros.
 *
 * Deterministic: the random matrix comes from our own generator seeded with `seed`, and
 * each singular vector's sign is fixed (its largest entry positive), so two fits of the
 * same corpus with the same parameters give the same model, byte for byte, on one machine
 * and BLAS build. The model (vocabulary, IDF, projection) is saved with the index, so a
 * query embeds later exactly as the chunks did.
 *
 * A fitted model is read-only: lh_lsa_embed may be called from several threads at once. */
#ifndef LH_AI_LSA_H
#define LH_AI_LSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct lh_lsa lh_lsa;

/* A term's global weight in a chunk's vector (times 1 + ln tf): */
typedef enum lh_lsa_weighting {
    LH_LSA_TFIDF = 0,       /* ln((1 + N) / (1 + df)) + 1 */
    LH_LSA_LOG_ENTROPY = 1, /* 1 + sum_j p_j ln p_j / ln N, p_j = tf_j / sum_j tf_j */
} lh_lsa_weighting;

typedef struct lh_lsa_params {
    uint32_t dims;         /* output dimensions, 1..4096 (default 256) */
    uint32_t max_terms;    /* vocabulary cap (default 50,000) */
    uint32_t min_df;       /* a term must occur in this many chunks (default 2) */
    bool bigrams;          /* count adjacent word pairs as terms too (default false:
                            * measured, docs/BENCHMARKS.md "Builtin retrieval") */
    bool stopwords, stem;  /* tokenizer options, as BM25's (default true, true) */
    bool porter;           /* with stem: Porter's suffix stripping, as BM25's (default true) */
    lh_lsa_weighting weighting; /* global term weights (default LH_LSA_LOG_ENTROPY:
                                 * measured, docs/BENCHMARKS.md "Builtin retrieval") */
    uint32_t oversample;   /* extra random columns (default 10) */
    uint32_t power_iters;  /* power iterations (default 2) */
    uint32_t max_fit_docs; /* fit on at most this many chunks, evenly spaced (chunk
                            * i * n / max_fit_docs for i = 0, 1, ...: deterministic);
                            * 0 = all. Default 50,000: the fit's time and memory stop
                            * growing with the corpus (the demo's 100,000 resumes fit
                            * in 2.6 CPU seconds instead of 6.1; docs/BENCHMARKS.md
                            * "Builtin retrieval"). Every chunk is still embedded. */
    float sigma_power;     /* dimension i is scaled by sigma_i^sigma_power: 0 keeps the
                            * singular values' weight (a chunk embeds as its row of U S),
                            * -1 whitens (U); -3..3 (default 0) */
    uint64_t seed;
} lh_lsa_params;

lh_lsa_params lh_lsa_defaults(void);

/* Fits a model on texts[0, n) (lens[i] bytes each). Bad parameters are LH_EINVAL; a corpus
 * with no term in at least min_df chunks is LH_EINVAL ("nothing to learn from"); LH_ENOMEM
 * when memory runs out; LH_EINTERNAL if LAPACK fails. *out is freed with lh_lsa_free.
 * When the corpus has fewer chunks or terms than dims, the extra dimensions are zero. */
lh_status lh_lsa_fit(const lh_lsa_params *p, const char *const *texts, const size_t *lens,
                     size_t n, lh_lsa **out, lh_err *err);
void lh_lsa_free(lh_lsa *m);

/* The number of floats of an embedding (the dims the model was fitted with). */
size_t lh_lsa_dims(const lh_lsa *m);
/* The number of vocabulary terms kept. */
size_t lh_lsa_terms(const lh_lsa *m);
lh_lsa_params lh_lsa_get_params(const lh_lsa *m);

/* Embeds text[0, len) into out[0, dims): unit length, or all zeros when the text has no
 * term of the vocabulary. LH_ENOMEM only (scratch space). */
lh_status lh_lsa_embed(const lh_lsa *m, const char *text, size_t len, float *out, lh_err *err);

/* Erasure (issue 14, item 7): drops from the vocabulary every term that occurs in none of
 * texts[0, n) (lens[i] bytes each; the index's chunks that remain), with its IDF and its
 * row of the projection, so that a word only an erased row used (a surname) is no longer
 * in the model file. The kept terms keep their order, IDF and projection rows, so each
 * remaining text embeds to the same bytes as before; a query word that was dropped is
 * then unknown. The projection itself is not refitted (it is a dense mix of the whole
 * fitted corpus and names no term). *dropped (may be NULL) gets how many terms went.
 * LH_ENOMEM leaves m unchanged. */
lh_status lh_lsa_prune(lh_lsa *m, const char *const *texts, const size_t *lens, size_t n,
                       size_t *dropped, lh_err *err);

/* The model as bytes appended to out ("LHLSA" file, version 1, little-endian: parameters,
 * vocabulary, IDF, projection). Returns out's status. */
lh_status lh_lsa_save(const lh_lsa *m, lh_buf *out);
/* Reads what lh_lsa_save wrote; a damaged, truncated or other-version file is
 * LH_ECORRUPT. */
lh_status lh_lsa_load(const void *data, size_t len, lh_lsa **out, lh_err *err);

#endif
