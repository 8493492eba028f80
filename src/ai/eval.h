/* eval.h: retrieval quality, scored as BEIR does (trec_eval's measures): nDCG@k with the
 * judged grade as the gain, gain / log2(rank + 1), normalised by the ideal ordering of
 * every judged-relevant document; recall@k = relevant documents in the top k / relevant
 * documents judged. A grade of 0 or less is not relevant. A query's score counts only
 * when it has at least one relevant judgement; the mean is over those queries.
 *
 * The judgements are loaded from BEIR's qrels TSV ("query-id<TAB>corpus-id<TAB>score",
 * an optional header line, LF or CRLF line ends). The same scorer serves the benchmark
 * (bench/scifact_eval.c) and, later, `POST /vectors/evaluate`. Not thread-safe while
 * loading; lookups are read-only. */
#ifndef LH_AI_EVAL_H
#define LH_AI_EVAL_H

#include <stddef.h>

#include "core/status.h"

typedef struct lh_qrels lh_qrels;

/* Parses qrels TSV text. A malformed line is LH_EINVAL naming its line number; an empty
 * set of judgements is LH_EINVAL too. Free with lh_qrels_free. */
lh_status lh_qrels_parse(const char *text, size_t len, lh_qrels **out, lh_err *err);
void lh_qrels_free(lh_qrels *q);

/* The number of distinct queries with at least one relevant judgement. */
size_t lh_qrels_queries(const lh_qrels *q);
/* The i-th of those query ids (0 <= i < lh_qrels_queries), in first-seen order; valid
 * while q lives. */
const char *lh_qrels_query(const lh_qrels *q, size_t i);
/* The grade of doc for query (0 when not judged). */
double lh_qrels_grade(const lh_qrels *q, const char *query, const char *doc);

/* The scores of one query's ranking ranked[0, n) (document ids, best first; a document
 * listed twice counts at its first rank only). Returns LH_ENOTFOUND when the query has no
 * relevant judgement (its score does not count). */
lh_status lh_eval_query(const lh_qrels *q, const char *query, const char *const *ranked, size_t n,
                        size_t k_ndcg, size_t k_recall, double *ndcg, double *recall);

/* nDCG@k of gains[0, n) (the grades of the ranked documents, best first) against the ideal
 * order of ideal[0, n_ideal) (the grades of every relevant document); 0 when nothing is
 * relevant. The arithmetic of lh_eval_query, exposed for tests. */
double lh_eval_ndcg(const double *gains, size_t n, const double *ideal, size_t n_ideal, size_t k);

#endif
