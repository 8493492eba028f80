/* bm25.h: the lexical half of the builtin model: an inverted index over chunks, scored
 * with Okapi BM25 (idf = ln(1 + (N - df + 0.5) / (df + 0.5)), Lucene's form, never
 * negative), and its versioned binary file.
 *
 * Words are those of the shared tokenizer: ASCII letters and digits lowercased, any
 * non-ASCII byte a word character (so UTF-8 words stay whole), everything else a
 * separator; by default English function words are dropped and words stemmed with
 * Porter's suffix stripper (lh_bm25_defaults). Documents are numbered 0, 1, ... in the order they are added.
 *
 * An index is built by one thread (lh_bm25_add); once built, the const functions may be
 * called from several threads at once. */
#ifndef LH_AI_BM25_H
#define LH_AI_BM25_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct lh_bm25 lh_bm25;

typedef struct lh_bm25_params {
    float k1;        /* term-frequency saturation (default 0.9) */
    float b;         /* length normalisation, 0..1 (default 0.4) */
    bool stopwords;  /* drop English function words (default true) */
    bool stem;       /* fold English word forms (default true) */
    bool porter;     /* with stem: Porter's suffix stripping ("treated" -> "treat"); off:
                      * plurals only (default true: measured, docs/BENCHMARKS.md
                      * "Builtin retrieval") */
    bool bigrams;    /* also index adjacent word pairs as terms (default false) */
} lh_bm25_params;

/* The defaults, chosen by measurement (docs/BENCHMARKS.md "Builtin retrieval"). */
lh_bm25_params lh_bm25_defaults(void);

/* A search result: document number and score. */
typedef struct lh_ai_hit {
    uint32_t doc;
    float score;
} lh_ai_hit;

/* A new empty index, or NULL when out of memory. k1 < 0 or b outside [0, 1] is
 * LH_EINVAL. Free with lh_bm25_free. */
lh_status lh_bm25_new(const lh_bm25_params *p, lh_bm25 **out, lh_err *err);
void lh_bm25_free(lh_bm25 *idx);

/* Adds a document (text[0, len), any bytes); it gets the next number. LH_ENOMEM leaves
 * the index as it was; LH_ETOOBIG past 2^32 - 1 documents. */
lh_status lh_bm25_add(lh_bm25 *idx, const char *text, size_t len, lh_err *err);

size_t lh_bm25_docs(const lh_bm25 *idx);
size_t lh_bm25_terms(const lh_bm25 *idx);
lh_bm25_params lh_bm25_get_params(const lh_bm25 *idx);
/* Changes k1 and b of a built index (they are applied at query time; the postings do not
 * depend on them). Tokenizer options cannot change after the first add. */
lh_status lh_bm25_set_params(lh_bm25 *idx, float k1, float b, lh_err *err);

/* The BM25 score of every document for query: scores[0, lh_bm25_docs) (documents that
 * share no word with the query score 0). A repeated query word counts once per
 * occurrence. LH_ENOMEM (scores then all 0) when the query's scratch space cannot be had. */
lh_status lh_bm25_score_all(const lh_bm25 *idx, const char *query, size_t len, float *scores,
                            lh_err *err);

/* The k best documents for query, best first (ties: lower number first), at most k and
 * only documents that score above 0; *n_out says how many. out has room for k hits.
 * LH_ENOMEM when the scratch space cannot be had. */
lh_status lh_bm25_search(const lh_bm25 *idx, const char *query, size_t len, size_t k,
                         lh_ai_hit *out, size_t *n_out, lh_err *err);

/* The BM25 score (*score) of a text that is not in the index, against the index's
 * statistics (its idf and average length): what the reranker uses on candidate texts.
 * LH_ENOMEM (and *score 0) when scratch space cannot be had. */
lh_status lh_bm25_score_text(const lh_bm25 *idx, const char *query, size_t qlen, const char *text,
                             size_t len, float *score, lh_err *err);

/* The index as bytes, appended to out ("LHBM25" file, version 1: parameters, document
 * lengths, then each term with its postings; little-endian). Returns out's status. */
lh_status lh_bm25_save(const lh_bm25 *idx, lh_buf *out);
/* Reads what lh_bm25_save wrote. A damaged or truncated file, or another version, is
 * LH_ECORRUPT with a message saying which. */
lh_status lh_bm25_load(const void *data, size_t len, lh_bm25 **out, lh_err *err);

#endif
