/* Unit tests for the lexical side of the builtin model: the word tokenizer
 * (src/ai/tokenize.c), BM25 (src/ai/bm25.c) and its file, top-k (src/ai/topk.c) and
 * fusion (src/ai/fusion.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ai_int.h"
#include "ai/bm25.h"
#include "ai/fusion.h"

static int render_word(void *ctx, const char *w, size_t len)
{
    lh_buf_printf(ctx, "[%.*s]", (int)len, w);
    return 0;
}

static void expect_words(const char *text, unsigned flags, const char *want)
{
    lh_buf b;
    lh_buf_init(&b, 0);
    lh__ai_tokenize(text, strlen(text), flags, render_word, &b);
    assert_string_equal(lh_buf_cstr(&b), want);
    lh_buf_release(&b);
}

static void tokenizer(void **state)
{
    (void)state;
    expect_words("The Cells' HIV-1 studies, caf\xc3\xa9!", 0,
                 "[the][cells][hiv][1][studies][caf\xc3\xa9]");
    expect_words("The Cells' HIV-1 studies, caf\xc3\xa9!", LH_AI_TOK_STOP | LH_AI_TOK_STEM,
                 "[cell][hiv][1][study][caf\xc3\xa9]");
    /* plural folding leaves -ss, -us and short words alone; non-ASCII words too */
    expect_words("glass virus bus does toes caf\xc3\xa9s", LH_AI_TOK_STEM,
                 "[glass][virus][bus][doe][toe][caf\xc3\xa9s]");
    expect_words("", LH_AI_TOK_STOP, "");
    expect_words("of the and", LH_AI_TOK_STOP, "");
    /* a UTF-8 sequence is never split: its bytes are word bytes */
    expect_words("\xe6\x97\xa5\xe6\x9c\xac-go", 0, "[\xe6\x97\xa5\xe6\x9c\xac][go]");
    /* over-long words are dropped */
    char longw[80];
    memset(longw, 'x', 70);
    memcpy(longw + 70, " ok", 4);
    expect_words(longw, 0, "[ok]");
}

static lh_bm25 *small_index(void)
{
    lh_bm25_params p = {.k1 = 1.2f, .b = 0.75f, .stopwords = false, .stem = false};
    lh_bm25 *idx;
    lh_err err = {{0}};
    assert_int_equal(lh_bm25_new(&p, &idx, &err), LH_OK);
    const char *docs[] = {"apple banana", "apple apple cherry", "banana cherry cherry date"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(lh_bm25_add(idx, docs[i], strlen(docs[i]), &err), LH_OK);
    return idx;
}

static void scores_by_hand(void **state)
{
    (void)state;
    lh_bm25 *idx = small_index();
    assert_int_equal(lh_bm25_docs(idx), 3);
    assert_int_equal(lh_bm25_terms(idx), 4);
    float s[3];
    assert_int_equal(lh_bm25_score_all(idx, "Apple", 5, s, NULL), LH_OK);
    /* N = 3, df = 2: idf = ln(1 + 1.5 / 2.5) = ln 1.6; avgdl = 3
     * d0: tf 1, dl 2: 1 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / 3)) = 2.2 / 1.9
     * d1: tf 2, dl 3: 2 * 2.2 / (2 + 1.2) = 4.4 / 3.2 */
    assert_float_equal(s[0], log(1.6) * 2.2 / 1.9, 1e-5);
    assert_float_equal(s[1], log(1.6) * 4.4 / 3.2, 1e-5);
    assert_float_equal(s[2], 0, 0);
    /* the reranker's score of a text outside the index uses the same statistics */
    float st;
    assert_int_equal(lh_bm25_score_text(idx, "apple", 5, "apple apple cherry", 18, &st, NULL), LH_OK);
    assert_float_equal(st, s[1], 1e-5);
    lh_ai_hit hits[3];
    size_t n;
    lh_err err = {{0}};
    assert_int_equal(lh_bm25_search(idx, "apple date", 10, 3, hits, &n, &err), LH_OK);
    assert_int_equal(n, 3); /* all three match one word */
    assert_int_equal(hits[0].doc, 2); /* date: df 1, the rarest word */
    assert_int_equal(lh_bm25_search(idx, "apple", 5, 1, hits, &n, &err), LH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(hits[0].doc, 1);
    /* a word nobody has: nothing, not three zero-score hits */
    assert_int_equal(lh_bm25_search(idx, "zebra", 5, 3, hits, &n, &err), LH_OK);
    assert_int_equal(n, 0);
    /* k1 and b apply at query time */
    assert_int_equal(lh_bm25_set_params(idx, 0.0f, 0.0f, &err), LH_OK);
    assert_int_equal(lh_bm25_score_all(idx, "apple", 5, s, NULL), LH_OK);
    assert_float_equal(s[0], log(1.6), 1e-5); /* k1 = 0: tf saturates at once */
    assert_float_equal(s[1], log(1.6), 1e-5);
    assert_int_equal(lh_bm25_set_params(idx, 1.0f, 1.5f, &err), LH_EINVAL);
    lh_bm25_free(idx);
}

static void word_pairs(void **state)
{
    (void)state;
    lh_bm25_params p = {.k1 = 1.2f, .b = 0.75f, .bigrams = true};
    lh_bm25 *idx;
    lh_err err = {{0}};
    assert_int_equal(lh_bm25_new(&p, &idx, &err), LH_OK);
    const char *docs[] = {"apple banana", "banana apple", "apple cherry banana"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(lh_bm25_add(idx, docs[i], strlen(docs[i]), &err), LH_OK);
    /* apple, banana, cherry + "apple banana", "banana apple", "apple cherry", "cherry banana" */
    assert_int_equal(lh_bm25_terms(idx), 7);
    /* the pair decides between two documents with the same words */
    float s[3];
    assert_int_equal(lh_bm25_score_all(idx, "banana apple", 12, s, NULL), LH_OK);
    assert_true(s[1] > s[0] && s[0] > 0);
    lh_buf b;
    lh_buf_init(&b, 0);
    assert_int_equal(lh_bm25_save(idx, &b), LH_OK);
    lh_bm25 *back;
    assert_int_equal(lh_bm25_load(b.data, b.len, &back, &err), LH_OK);
    assert_true(lh_bm25_get_params(back).bigrams);
    float t[3];
    assert_int_equal(lh_bm25_score_all(back, "banana apple", 12, t, NULL), LH_OK);
    assert_memory_equal(s, t, sizeof s);
    lh_buf_release(&b);
    lh_bm25_free(back);
    lh_bm25_free(idx);
}

/* Porter's suffix stripper (stem.c): the examples of his 1980 paper, step by step, and
 * what the tokenizer does with it. */
static void porter_stemmer(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        /* 1a */ {"caresses", "caress"}, {"ponies", "poni"}, {"ties", "ti"}, {"caress", "caress"},
        {"cats", "cat"},
        /* 1b */ {"feed", "feed"}, {"agreed", "agre"}, {"plastered", "plaster"}, {"bled", "bled"},
        {"motoring", "motor"}, {"sing", "sing"}, {"conflated", "conflat"}, {"troubled", "troubl"},
        {"sized", "size"}, {"hopping", "hop"}, {"tanned", "tan"}, {"falling", "fall"},
        {"hissing", "hiss"}, {"fizzed", "fizz"}, {"failing", "fail"}, {"filing", "file"},
        /* 1c */ {"happy", "happi"}, {"sky", "sky"},
        /* 2 */ {"relational", "relat"}, {"conditional", "condit"}, {"rational", "ration"},
        {"digitizer", "digit"}, {"vietnamization", "vietnam"}, {"operator", "oper"},
        {"feudalism", "feudal"}, {"decisiveness", "decis"}, {"hopefulness", "hope"},
        {"callousness", "callous"}, {"sensibiliti", "sensibl"},
        /* 3 */ {"triplicate", "triplic"}, {"formative", "form"}, {"formalize", "formal"},
        {"electrical", "electr"}, {"goodness", "good"},
        /* 4 */ {"revival", "reviv"}, {"allowance", "allow"}, {"inference", "infer"},
        {"airliner", "airlin"}, {"adjustable", "adjust"}, {"defensible", "defens"},
        {"replacement", "replac"}, {"adjustment", "adjust"}, {"dependent", "depend"},
        {"adoption", "adopt"}, {"communism", "commun"}, {"effective", "effect"},
        {"bowdlerize", "bowdler"},
        /* 5 */ {"probate", "probat"}, {"rate", "rate"}, {"cease", "ceas"}, {"controll", "control"},
        {"roll", "roll"},
        /* the whole chain, and the forms a query and a document share */
        {"generalization", "gener"}, {"studies", "studi"}, {"studied", "studi"}, {"study", "studi"},
        /* left alone: two letters or fewer, digits, anything not a-z */
        {"is", "is"}, {"as", "as"}, {"h1n1s", "h1n1s"}, {"caf\xc3\xa9s", "caf\xc3\xa9s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char w[LH_AI_WORD_MAX];
        size_t n = strlen(cases[i][0]);
        memcpy(w, cases[i][0], n);
        size_t m = lh__ai_stem_porter(w, n);
        if (m != strlen(cases[i][1]) || memcmp(w, cases[i][1], m) != 0)
            fail_msg("%s: got %.*s, want %s", cases[i][0], (int)m, w, cases[i][1]);
    }
    /* the flag needs STEM; with it, it replaces plural folding */
    expect_words("Treatments treated", LH_AI_TOK_PORTER, "[treatments][treated]");
    expect_words("The treatments treated", LH_AI_TOK_STOP | LH_AI_TOK_STEM | LH_AI_TOK_PORTER,
                 "[treatment][treat]");
    expect_words("The treatments treated", LH_AI_TOK_STOP | LH_AI_TOK_STEM, "[treatment][treated]");
    /* an index keeps the option: a query is stemmed as its documents were */
    lh_bm25_params p = lh_bm25_defaults();
    p.stem = p.porter = true;
    lh_bm25 *idx, *back;
    lh_err err = {{0}};
    assert_int_equal(lh_bm25_new(&p, &idx, &err), LH_OK);
    const char *docs[] = {"the drug was effective in treating infection", "unrelated words here"};
    for (int i = 0; i < 2; i++)
        assert_int_equal(lh_bm25_add(idx, docs[i], strlen(docs[i]), &err), LH_OK);
    lh_buf b;
    lh_buf_init(&b, 0);
    assert_int_equal(lh_bm25_save(idx, &b), LH_OK);
    assert_int_equal(lh_bm25_load(b.data, b.len, &back, &err), LH_OK);
    assert_true(lh_bm25_get_params(back).porter);
    float s[2];
    assert_int_equal(lh_bm25_score_all(back, "effectiveness of treatments", 27, s, NULL), LH_OK);
    assert_true(s[0] > 0 && s[1] == 0);
    lh_buf_release(&b);
    lh_bm25_free(back);
    lh_bm25_free(idx);
}

static void file_round_trip(void **state)
{
    (void)state;
    lh_bm25 *idx = small_index();
    lh_buf a, b;
    lh_buf_init(&a, 0);
    lh_buf_init(&b, 0);
    assert_int_equal(lh_bm25_save(idx, &a), LH_OK);
    lh_bm25 *back;
    lh_err err = {{0}};
    assert_int_equal(lh_bm25_load(a.data, a.len, &back, &err), LH_OK);
    assert_int_equal(lh_bm25_save(back, &b), LH_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    float s1[3], s2[3];
    assert_int_equal(lh_bm25_score_all(idx, "banana cherry", 13, s1, NULL), LH_OK);
    assert_int_equal(lh_bm25_score_all(back, "banana cherry", 13, s2, NULL), LH_OK);
    assert_memory_equal(s1, s2, sizeof s1);
    lh_bm25_free(back);
    back = NULL;
    /* every truncation is refused, as are another version and another magic */
    for (size_t cut = 0; cut < a.len; cut++) {
        lh_bm25 *bad = NULL;
        assert_int_equal(lh_bm25_load(a.data, cut, &bad, &err), LH_ECORRUPT);
        assert_null(bad);
    }
    a.data[8] = 2;
    assert_int_equal(lh_bm25_load(a.data, a.len, &back, &err), LH_ECORRUPT);
    assert_string_equal(err.msg, "BM25 index file: version 2, this build reads 1");
    a.data[8] = 1;
    a.data[0] = 'X';
    assert_int_equal(lh_bm25_load(a.data, a.len, &back, &err), LH_ECORRUPT);
    lh_buf_release(&a);
    lh_buf_release(&b);
    lh_bm25_free(idx);
}

static int by_score_then_index(const void *x, const void *y)
{
    const lh_ai_hit *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->doc > b->doc) - (a->doc < b->doc);
}

static void topk_matches_a_sort(void **state)
{
    (void)state;
    enum { N = 500 };
    float scores[N];
    lh_ai_hit sorted[N];
    lh__ai_rng r;
    lh__ai_rng_seed(&r, 7);
    for (int i = 0; i < N; i++) {
        /* few distinct values, so that ties are common */
        scores[i] = (float)(lh__ai_rng_next(&r) % 37);
        sorted[i] = (lh_ai_hit){.doc = (uint32_t)i, .score = scores[i]};
    }
    qsort(sorted, N, sizeof *sorted, by_score_then_index);
    uint32_t idx[N];
    float sc[N];
    size_t ks[] = {0, 1, 2, 10, 499, 500, 600};
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        size_t n = lh__ai_topk(scores, N, ks[t], idx, sc);
        assert_int_equal(n, ks[t] < N ? ks[t] : N);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(idx[i], sorted[i].doc);
            assert_float_equal(sc[i], sorted[i].score, 0);
        }
    }
}

static void fusion_by_hand(void **state)
{
    (void)state;
    lh_ai_hit lex[] = {{1, 10}, {2, 5}, {3, 0}};
    lh_ai_hit dense[] = {{2, 0.9f}, {4, 0.5f}};
    lh_ai_hit out[5];
    size_t n;
    lh_err err = {{0}};
    /* min-max: lex 1 -> 1, 2 -> 0.5, 3 -> 0; dense 2 -> 1, 4 -> 0 */
    assert_int_equal(lh_fuse(LH_FUSE_WEIGHTED, 0.5f, lex, 3, dense, 2, out, &n, &err), LH_OK);
    assert_int_equal(n, 4);
    assert_int_equal(out[0].doc, 2);
    assert_float_equal(out[0].score, 0.75, 1e-6);
    assert_int_equal(out[1].doc, 1);
    assert_float_equal(out[1].score, 0.5, 1e-6);
    assert_int_equal(out[2].doc, 3); /* 3 and 4 tie at 0: the lower number first */
    assert_int_equal(out[3].doc, 4);
    /* w = 0: the lexical order alone */
    assert_int_equal(lh_fuse(LH_FUSE_WEIGHTED, 0.0f, lex, 3, dense, 2, out, &n, &err), LH_OK);
    assert_int_equal(out[0].doc, 1);
    /* RRF, w = 0.5: 2 -> 0.5/62 + 0.5/61, 1 -> 0.5/61, 4 -> 0.5/62, 3 -> 0.5/63 */
    assert_int_equal(lh_fuse(LH_FUSE_RRF, 0.5f, lex, 3, dense, 2, out, &n, &err), LH_OK);
    assert_int_equal(n, 4);
    uint32_t want[] = {2, 1, 4, 3};
    for (int i = 0; i < 4; i++)
        assert_int_equal(out[i].doc, want[i]);
    assert_float_equal(out[0].score, 0.5 / 62 + 0.5 / 61, 1e-7);
    /* z-score, w = 0.5: lex sd = sqrt(50/3), so 1 -> 10/sd, 2 -> 5/sd, 3 -> 0; dense
     * sd = 0.2, so 2 -> 2, 4 -> 0 (each minus its list's lowest, over its sd) */
    assert_int_equal(lh_fuse(LH_FUSE_ZSCORE, 0.5f, lex, 3, dense, 2, out, &n, &err), LH_OK);
    assert_int_equal(n, 4);
    double sd = sqrt(50.0 / 3);
    assert_int_equal(out[0].doc, 2);
    assert_float_equal(out[0].score, 0.5 * 5 / sd + 0.5 * 2, 1e-5);
    assert_int_equal(out[1].doc, 1);
    assert_float_equal(out[1].score, 0.5 * 10 / sd, 1e-5);
    /* one list empty, a list of equal scores */
    lh_ai_hit flat[] = {{8, 3}, {9, 3}};
    assert_int_equal(lh_fuse(LH_FUSE_WEIGHTED, 0.3f, NULL, 0, flat, 2, out, &n, &err), LH_OK);
    assert_int_equal(n, 2);
    assert_float_equal(out[0].score, 0.3, 1e-6);
    assert_int_equal(lh_fuse(LH_FUSE_ZSCORE, 0.3f, NULL, 0, flat, 2, out, &n, &err), LH_OK);
    assert_float_equal(out[0].score, 0.3, 1e-6);
    assert_int_equal(lh_fuse(LH_FUSE_WEIGHTED, 1.5f, lex, 3, dense, 2, out, &n, &err), LH_EINVAL);
}

static void feedback_by_hand(void **state)
{
    (void)state;
    float q[2] = {1, 0}, t1[2] = {0, 1}, t2[2] = {0.6f, 0.8f}, out[2];
    const float *top[] = {t1, t2};
    /* q + 1 * mean(t1, t2) = (1.3, 0.9), normalised */
    lh_fuse_feedback(q, top, 2, 1.0f, 2, out);
    double n = sqrt(1.3 * 1.3 + 0.9 * 0.9);
    assert_float_equal(out[0], 1.3 / n, 1e-6);
    assert_float_equal(out[1], 0.9 / n, 1e-6);
    /* no feedback: q itself; a zero query with none: zeros, not NaN */
    lh_fuse_feedback(q, top, 0, 1.0f, 2, out);
    assert_float_equal(out[0], 1, 1e-7);
    float z[2] = {0, 0};
    lh_fuse_feedback(z, top, 0, 1.0f, 2, out);
    assert_float_equal(out[0], 0, 0);
    assert_float_equal(out[1], 0, 0);
    /* a zero query with feedback: the direction of the hits */
    lh_fuse_feedback(z, top, 1, 0.5f, 2, out);
    assert_float_equal(out[1], 1, 1e-7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokenizer),
        cmocka_unit_test(scores_by_hand),
        cmocka_unit_test(word_pairs),
        cmocka_unit_test(porter_stemmer),
        cmocka_unit_test(file_round_trip),
        cmocka_unit_test(topk_matches_a_sort),
        cmocka_unit_test(fusion_by_hand),
        cmocka_unit_test(feedback_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
