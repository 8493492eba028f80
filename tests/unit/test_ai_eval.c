/* Unit tests for the retrieval scorer (src/ai/eval.c): BEIR qrels, nDCG@k and recall@k
 * against values computed by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "ai/eval.h"

static lh_qrels *load(const char *tsv)
{
    lh_qrels *q;
    lh_err err = {{0}};
    lh_status st = lh_qrels_parse(tsv, strlen(tsv), &q, &err);
    if (st)
        fail_msg("qrels: %s", err.msg);
    return q;
}

static lh_status parse(const char *tsv, lh_qrels **q, lh_err *err)
{
    return lh_qrels_parse(tsv, strlen(tsv), q, err);
}

static void qrels_parse(void **state)
{
    (void)state;
    /* header, CRLF, a zero grade, a query whose only judgement is not relevant */
    lh_qrels *q = load("query-id\tcorpus-id\tscore\r\nq1\tA\t1\r\nq1\tB\t2\r\nq2\tC\t1\r\n"
                       "q1\tZ\t0\r\nq3\tD\t0\r\n\r\n");
    assert_int_equal(lh_qrels_queries(q), 2);
    assert_string_equal(lh_qrels_query(q, 0), "q1");
    assert_string_equal(lh_qrels_query(q, 1), "q2");
    assert_float_equal(lh_qrels_grade(q, "q1", "B"), 2, 0);
    assert_float_equal(lh_qrels_grade(q, "q1", "C"), 0, 0);
    assert_float_equal(lh_qrels_grade(q, "nope", "A"), 0, 0);
    lh_qrels_free(q);
    lh_err err = {{0}};
    assert_int_equal(parse("q1\tA\t1\nq1\tB\n", &q, &err), LH_EINVAL);
    assert_string_equal(err.msg, "judgements line 2: expected query-id<TAB>doc-id<TAB>grade");
    assert_int_equal(parse("q1\tA\tx\nq1\tB\t1\n", &q, &err), LH_OK); /* header */
    lh_qrels_free(q);
    assert_int_equal(parse("q1\tA\t1\nq1\tB\tx\n", &q, &err), LH_EINVAL);
    assert_int_equal(parse("header\tonly\tx\n", &q, &err), LH_EINVAL);
    assert_string_equal(err.msg, "judgements: no judgement lines");
}

static void ndcg_and_recall_by_hand(void **state)
{
    (void)state;
    lh_qrels *q = load("q1\tA\t1\nq1\tB\t2\nq2\tC\t1\n");
    double nd, rc;
    /* ranking X, B, A: DCG = 2 / log2 3 + 1 / log2 4; ideal B, A: 2 / 1 + 1 / log2 3 */
    const char *r1[] = {"X", "B", "A"};
    assert_int_equal(lh_eval_query(q, "q1", r1, 3, 10, 100, &nd, &rc), LH_OK);
    assert_float_equal(nd, 0.66967181649423, 1e-12);
    assert_float_equal(rc, 1.0, 0);
    /* cut at 2: only B is counted; recall@2 = 1/2 */
    assert_int_equal(lh_eval_query(q, "q1", r1, 3, 2, 2, &nd, &rc), LH_OK);
    assert_float_equal(nd, (2 / log2(3)) / (2 + 1 / log2(3)), 1e-12);
    assert_float_equal(rc, 0.5, 0);
    /* the ideal order: 1.0; nothing relevant retrieved: 0 */
    const char *r2[] = {"B", "A", "X"};
    assert_int_equal(lh_eval_query(q, "q1", r2, 3, 10, 100, &nd, &rc), LH_OK);
    assert_float_equal(nd, 1.0, 1e-12);
    const char *r3[] = {"X", "Y"};
    assert_int_equal(lh_eval_query(q, "q1", r3, 2, 10, 100, &nd, &rc), LH_OK);
    assert_float_equal(nd, 0.0, 0);
    assert_float_equal(rc, 0.0, 0);
    /* a document listed twice counts once, at its first rank */
    const char *r4[] = {"C", "C"};
    assert_int_equal(lh_eval_query(q, "q2", r4, 2, 10, 100, &nd, &rc), LH_OK);
    assert_float_equal(nd, 1.0, 1e-12);
    assert_float_equal(rc, 1.0, 0);
    const char *r5[] = {"X", "C", "C"};
    assert_int_equal(lh_eval_query(q, "q2", r5, 3, 10, 100, &nd, &rc), LH_OK);
    assert_float_equal(nd, 1 / log2(3), 1e-12);
    /* an unjudged query does not count */
    assert_int_equal(lh_eval_query(q, "q9", r5, 3, 10, 100, &nd, &rc), LH_ENOTFOUND);
    /* the arithmetic alone: graded gains 3, 0, 1 against the ideal 3, 2, 1 at k = 3 */
    double gains[] = {3, 0, 1}, ideal[] = {3, 2, 1};
    double want = (3 + 1 / log2(4)) / (3 + 2 / log2(3) + 1 / log2(4));
    assert_float_equal(lh_eval_ndcg(gains, 3, ideal, 3, 3), want, 1e-12);
    assert_float_equal(lh_eval_ndcg(gains, 3, ideal, 0, 3), 0, 0);
    lh_qrels_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qrels_parse),
        cmocka_unit_test(ndcg_and_recall_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
