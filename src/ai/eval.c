/* eval.c: qrels and the two measures (eval.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ai_int.h"
#include "ai/eval.h"
#include "core/alloc.h"

typedef struct judged {
    uint32_t query, doc; /* ids in the two dictionaries */
    double grade;
} judged;

struct lh_qrels {
    lh__ai_dict queries, docs;
    judged *j;  /* sorted by (query, doc) */
    size_t n, cap;
    uint32_t *relevant_queries; /* query ids with a grade > 0, first-seen order */
    size_t n_rel, rel_cap;
};

void lh_qrels_free(lh_qrels *q)
{
    if (!q)
        return;
    lh__ai_dict_release(&q->queries);
    lh__ai_dict_release(&q->docs);
    free(q->j);
    free(q->relevant_queries);
    free(q);
}

static int cmp_judged(const void *a, const void *b)
{
    const judged *x = a, *y = b;
    if (x->query != y->query)
        return x->query < y->query ? -1 : 1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

/* Splits a line into three tab-separated fields. */
static bool fields3(const char *s, size_t len, const char **f, size_t *fl)
{
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '\t') {
            if (k == 3)
                return false;
            f[k] = s + start;
            fl[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    return k == 3 && fl[0] && fl[1] && fl[2];
}

lh_status lh_qrels_parse(const char *text, size_t len, lh_qrels **out, lh_err *err)
{
    *out = NULL;
    lh_qrels *q = lh_calloc(1, sizeof *q);
    if (!q)
        return lh_fail(err, LH_ENOMEM, "out of memory reading judgements");
    lh__ai_dict_init(&q->queries);
    lh__ai_dict_init(&q->docs);
    size_t line = 0;
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        size_t l = e - i;
        if (l && text[i + l - 1] == '\r')
            l--;
        const char *s = text + i;
        i = e + 1;
        line++;
        if (l == 0)
            continue;
        const char *f[3];
        size_t fl[3];
        if (!fields3(s, l, f, fl))
            goto bad;
        char num[32];
        if (fl[2] >= sizeof num)
            goto bad;
        memcpy(num, f[2], fl[2]);
        num[fl[2]] = '\0';
        char *end;
        double grade = strtod(num, &end);
        if (*end || !isfinite(grade)) {
            if (line == 1 && q->n == 0)
                continue; /* the header line */
            goto bad;
        }
        judged j = {.grade = grade};
        bool added;
        if (lh__ai_dict_intern(&q->queries, f[0], fl[0], &j.query, &added) ||
            lh__ai_dict_intern(&q->docs, f[1], fl[1], &j.doc, NULL) ||
            lh_grow(&q->j, &q->cap, q->n + 1, sizeof *q->j)) {
            lh_qrels_free(q);
            return lh_fail(err, LH_ENOMEM, "out of memory reading judgements");
        }
        q->j[q->n++] = j;
        continue;
    bad:
        lh_qrels_free(q);
        return lh_fail(err, LH_EINVAL,
                       "judgements line %zu: expected query-id<TAB>doc-id<TAB>grade", line);
    }
    if (!q->n) {
        lh_qrels_free(q);
        return lh_fail(err, LH_EINVAL, "judgements: no judgement lines");
    }
    /* the relevant queries in first-seen order, before sorting */
    bool *seen = lh_calloc(q->queries.n, sizeof *seen);
    if (!seen) {
        lh_qrels_free(q);
        return lh_fail(err, LH_ENOMEM, "out of memory reading judgements");
    }
    for (size_t i = 0; i < q->n; i++) {
        uint32_t qid = q->j[i].query;
        if (q->j[i].grade <= 0 || seen[qid])
            continue;
        seen[qid] = true;
        if (lh_grow(&q->relevant_queries, &q->rel_cap, q->n_rel + 1, sizeof *q->relevant_queries)) {
            free(seen);
            lh_qrels_free(q);
            return lh_fail(err, LH_ENOMEM, "out of memory reading judgements");
        }
        q->relevant_queries[q->n_rel++] = qid;
    }
    free(seen);
    qsort(q->j, q->n, sizeof *q->j, cmp_judged);
    *out = q;
    return LH_OK;
}

size_t lh_qrels_queries(const lh_qrels *q)
{
    return q->n_rel;
}

const char *lh_qrels_query(const lh_qrels *q, size_t i)
{
    size_t len;
    lh_assert(i < q->n_rel);
    return lh__ai_dict_str(&q->queries, q->relevant_queries[i], &len);
}

/* The judgements of query qid: [*lo, *hi) of q->j. */
static void range_of(const lh_qrels *q, uint32_t qid, size_t *lo, size_t *hi)
{
    size_t a = 0, b = q->n;
    while (a < b) {
        size_t m = (a + b) / 2;
        if (q->j[m].query < qid)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    while (a < q->n && q->j[a].query == qid)
        a++;
    *hi = a;
}

double lh_qrels_grade(const lh_qrels *q, const char *query, const char *doc)
{
    int64_t qid = lh__ai_dict_find(&q->queries, query, strlen(query));
    int64_t did = lh__ai_dict_find(&q->docs, doc, strlen(doc));
    if (qid < 0 || did < 0)
        return 0;
    judged key = {.query = (uint32_t)qid, .doc = (uint32_t)did};
    const judged *j = bsearch(&key, q->j, q->n, sizeof *q->j, cmp_judged);
    return j ? j->grade : 0;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

double lh_eval_ndcg(const double *gains, size_t n, const double *ideal, size_t n_ideal, size_t k)
{
    double dcg = 0, idcg = 0;
    for (size_t i = 0; i < n && i < k; i++)
        if (gains[i] > 0)
            dcg += gains[i] / log2((double)i + 2.0);
    /* ideal is sorted best first by the caller (lh_eval_query) or the test */
    for (size_t i = 0; i < n_ideal && i < k; i++)
        if (ideal[i] > 0)
            idcg += ideal[i] / log2((double)i + 2.0);
    return idcg > 0 ? dcg / idcg : 0;
}

lh_status lh_eval_query(const lh_qrels *q, const char *query, const char *const *ranked, size_t n,
                        size_t k_ndcg, size_t k_recall, double *ndcg, double *recall)
{
    *ndcg = *recall = 0;
    int64_t qid = lh__ai_dict_find(&q->queries, query, strlen(query));
    if (qid < 0)
        return LH_ENOTFOUND;
    size_t lo, hi;
    range_of(q, (uint32_t)qid, &lo, &hi);
    size_t n_rel = 0;
    for (size_t i = lo; i < hi; i++)
        n_rel += q->j[i].grade > 0;
    if (!n_rel)
        return LH_ENOTFOUND;
    size_t top = n < k_ndcg ? n : k_ndcg;
    double *ideal = lh_malloc(n_rel * sizeof *ideal);
    double *gains = lh_calloc(top ? top : 1, sizeof *gains);
    if (!ideal || !gains) {
        free(ideal);
        free(gains);
        return LH_ENOMEM;
    }
    size_t m = 0;
    for (size_t i = lo; i < hi; i++)
        if (q->j[i].grade > 0)
            ideal[m++] = q->j[i].grade;
    qsort(ideal, n_rel, sizeof *ideal, cmp_desc);
    size_t found = 0;
    for (size_t r = 0; r < n; r++) {
        /* a document listed twice counts at its first rank only */
        bool dup = false;
        for (size_t e = 0; e < r && !dup; e++)
            dup = strcmp(ranked[e], ranked[r]) == 0;
        if (dup)
            continue;
        double g = lh_qrels_grade(q, query, ranked[r]);
        if (r < top)
            gains[r] = g;
        if (g > 0 && r < k_recall)
            found++;
    }
    *ndcg = lh_eval_ndcg(gains, top, ideal, n_rel, k_ndcg);
    *recall = (double)found / (double)n_rel;
    free(ideal);
    free(gains);
    return LH_OK;
}
