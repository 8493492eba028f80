/* Unit tests for the LSA embedder (src/ai/lsa.c) and the builtin provider
 * (src/ai/builtin.c, src/ai/provider.c): small corpora whose answers can be checked by
 * hand, reproducibility, the model file. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ai.h"
#include "ai/lsa.h"

/* Two topics with no word in common; the baking side is larger so that the two blocks of
 * the matrix have different singular values. */
static const char *const corpus[] = {
    "Bake the bread in a hot oven until the crust is golden.",
    "Knead the dough with flour and yeast, then let the bread rise.",
    "Yeast makes the dough rise; flour gives the bread its crumb.",
    "A hot oven and a long rise make a golden crust on the bread.",
    "Sourdough bread needs flour, water and a slow rise of the dough.",
    "The crust of oven-baked bread cracks as it cools.",
    "The telescope tracked the comet across the night sky.",
    "A planet orbits its star; the telescope measured the orbit.",
    "The comet's orbit brings it close to the star every century.",
    "Astronomers pointed the telescope at a distant planet and its star.",
};
#define N_DOCS (sizeof corpus / sizeof corpus[0])
#define N_BAKING 6

static lh_lsa_params small_params(void)
{
    lh_lsa_params p = lh_lsa_defaults();
    p.dims = 8;
    p.min_df = 2;
    p.bigrams = true; /* the pairs' path too (off by default) */
    p.porter = false; /* the hand checks below count words with plurals folded only */
    p.weighting = LH_LSA_TFIDF; /* and weigh them by IDF (log-entropy: its own test) */
    return p;
}

static lh_lsa *fit(const lh_lsa_params *p, const char *const *texts, size_t n)
{
    size_t lens[16];
    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(texts[i]);
    lh_lsa *m;
    lh_err err = {{0}};
    lh_status st = lh_lsa_fit(p, texts, lens, n, &m, &err);
    if (st)
        fail_msg("fit: %s", err.msg);
    return m;
}

static void embed(const lh_lsa *m, const char *text, float *out)
{
    lh_err err = {{0}};
    assert_int_equal(lh_lsa_embed(m, text, strlen(text), out, &err), LH_OK);
}

static double dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return s;
}

static void topics_separate(void **state)
{
    (void)state;
    lh_lsa_params p = small_params();
    lh_lsa *m = fit(&p, corpus, N_DOCS);
    assert_int_equal(lh_lsa_dims(m), 8);
    float v[N_DOCS][8];
    for (size_t i = 0; i < N_DOCS; i++) {
        embed(m, corpus[i], v[i]);
        assert_float_equal(dot(v[i], v[i], 8), 1.0, 1e-5);
    }
    double same_min = 2, cross_max = -2;
    for (size_t i = 0; i < N_DOCS; i++)
        for (size_t j = i + 1; j < N_DOCS; j++) {
            double c = dot(v[i], v[j], 8);
            bool same = (i < N_BAKING) == (j < N_BAKING);
            if (same && c < same_min)
                same_min = c;
            if (!same && c > cross_max)
                cross_max = c;
        }
    /* disjoint vocabularies: the cross-topic cosine is zero up to rounding */
    assert_true(fabs(cross_max) < 1e-3);
    assert_true(same_min > cross_max + 0.05);
    /* a new text embeds near its topic */
    float q[8];
    embed(m, "fresh bread from the oven", q);
    assert_true(dot(q, v[0], 8) > 0.3);
    assert_true(fabs(dot(q, v[7], 8)) < 1e-3);
    /* words seen in one chunk only (min_df 2) and unknown words: no vector */
    embed(m, "sourdough zebra", q);
    assert_float_equal(dot(q, q, 8), 0.0, 0);
    lh_lsa_free(m);
}

static void vocabulary_by_hand(void **state)
{
    (void)state;
    /* df >= 2: red 3, apple 3, green 2, pear 2, pie 2 (tart, cake, jam once only);
     * the pairs: "red apple" 3, "green pear" 2 ("apple pie", "pear pie" once each) */
    const char *texts[] = {"red apple pie", "red apple tart", "green pear cake", "red apple jam",
                           "green pear pie"};
    lh_lsa_params p = small_params();
    p.dims = 4;
    p.bigrams = false;
    lh_lsa *m = fit(&p, texts, 5);
    assert_int_equal(lh_lsa_terms(m), 5);
    /* a bag of words: the order does not matter */
    float a[4], b[4];
    embed(m, "red apple", a);
    embed(m, "apple red", b);
    assert_memory_equal(a, b, sizeof a);
    embed(m, "tart", a); /* once in the corpus: not a term */
    assert_float_equal(dot(a, a, 4), 0.0, 0);
    lh_lsa_free(m);
    p.bigrams = true;
    m = fit(&p, texts, 5);
    assert_int_equal(lh_lsa_terms(m), 7);
    lh_lsa_free(m);
    /* the cap keeps the most frequent: red, apple, "red apple" (df 3) */
    p.max_terms = 3;
    m = fit(&p, texts, 5);
    assert_int_equal(lh_lsa_terms(m), 3);
    embed(m, "green pear", a);
    assert_float_equal(dot(a, a, 4), 0.0, 0);
    embed(m, "red", a);
    assert_float_equal(dot(a, a, 4), 1.0, 1e-5);
    lh_lsa_free(m);
}

static void save(const lh_lsa *m, lh_buf *out)
{
    lh_buf_init(out, (size_t)1 << 30);
    assert_int_equal(lh_lsa_save(m, out), LH_OK);
}

static void fits_are_reproducible(void **state)
{
    (void)state;
    lh_lsa_params p = small_params();
    lh_lsa *m1 = fit(&p, corpus, N_DOCS), *m2 = fit(&p, corpus, N_DOCS);
    lh_buf a, b;
    save(m1, &a);
    save(m2, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    /* another seed: another random start, the same subspace: the same neighbours */
    p.seed = 12345;
    lh_lsa *m3 = fit(&p, corpus, N_DOCS);
    float x[8], y[8], z[8];
    embed(m3, corpus[0], x);
    embed(m3, corpus[1], y);
    embed(m3, corpus[7], z);
    assert_true(dot(x, y, 8) > dot(x, z, 8));
    lh_buf_release(&a);
    lh_buf_release(&b);
    lh_lsa_free(m1);
    lh_lsa_free(m2);
    lh_lsa_free(m3);
}

static void model_file_round_trip(void **state)
{
    (void)state;
    lh_lsa_params p = small_params();
    lh_lsa *m = fit(&p, corpus, N_DOCS);
    lh_buf a, b;
    save(m, &a);
    lh_lsa *back;
    lh_err err = {{0}};
    assert_int_equal(lh_lsa_load(a.data, a.len, &back, &err), LH_OK);
    save(back, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    for (size_t i = 0; i < N_DOCS; i++) {
        float x[8], y[8];
        embed(m, corpus[i], x);
        embed(back, corpus[i], y);
        assert_memory_equal(x, y, sizeof x);
    }
    assert_int_equal(lh_lsa_get_params(back).dims, 8);
    assert_true(lh_lsa_get_params(back).bigrams);
    /* truncated anywhere, another version, trailing bytes: refused */
    for (size_t cut = 0; cut < a.len; cut += 7) {
        lh_lsa *bad = NULL;
        assert_int_equal(lh_lsa_load(a.data, cut, &bad, &err), LH_ECORRUPT);
        assert_null(bad);
    }
    lh_buf_addc(&a, 0);
    lh_lsa_free(back);
    assert_int_equal(lh_lsa_load(a.data, a.len, &back, &err), LH_ECORRUPT);
    a.data[8] = 9;
    assert_int_equal(lh_lsa_load(a.data, a.len - 1, &back, &err), LH_ECORRUPT);
    assert_string_equal(err.msg, "LSA model file: version 9, this build reads 1");
    lh_buf_release(&a);
    lh_buf_release(&b);
    lh_lsa_free(m);
}

static void fit_on_a_sample(void **state)
{
    (void)state;
    /* max_fit_docs 5 of 10: every other chunk (0, 2, 4, 6, 8), evenly spaced. A model
     * fitted on exactly those five chunks is the same model. */
    lh_lsa_params p = small_params();
    p.max_fit_docs = 5;
    lh_lsa *m = fit(&p, corpus, N_DOCS);
    const char *every_other[5];
    for (size_t i = 0; i < 5; i++)
        every_other[i] = corpus[2 * i];
    p.max_fit_docs = 0;
    lh_lsa *ref = fit(&p, every_other, 5);
    float x[8], y[8];
    embed(m, corpus[3], x);
    embed(ref, corpus[3], y);
    assert_memory_equal(x, y, sizeof x);
    lh_lsa_free(m);
    lh_lsa_free(ref);
}

/* A corpus with more chunks than terms takes the fit's terms-side path (the range found
 * on the terms, the QR on a terms x l matrix). With as many dimensions as terms the
 * projection is a rotation of the whole term space (sigma_power 0), so embeddings keep
 * the TF-IDF vectors' cosines, which are checked here by hand: four words, each in six of
 * the twelve chunks (one global weight for all, IDF or log-entropy), so a text's vector
 * is its sublinear counts. */
static void more_chunks_than_terms(void **state)
{
    (void)state;
    static const char *const pairs[] = {
        "alpha beta", "gamma delta", "alpha gamma", "beta delta", "alpha delta", "beta gamma",
    };
    const char *texts[12];
    for (size_t i = 0; i < 12; i++)
        texts[i] = pairs[i % 6];
    lh_lsa_params p = lh_lsa_defaults();
    p.dims = 4;
    p.min_df = 1;
    lh_lsa *m = fit(&p, texts, 12);
    assert_int_equal(lh_lsa_terms(m), 4);
    float ab[4], ag[4], gd[4], a[4], aab[4];
    embed(m, "alpha beta", ab);
    embed(m, "alpha gamma", ag);
    embed(m, "gamma delta", gd);
    embed(m, "alpha", a);
    embed(m, "alpha alpha beta", aab);
    assert_float_equal(dot(ab, ag, 4), 0.5, 1e-4);
    assert_float_equal(dot(ab, gd, 4), 0.0, 1e-4);
    assert_float_equal(dot(ab, a, 4), sqrt(0.5), 1e-4);
    double t = 1 + log(2.0); /* "alpha" twice: 1 + ln 2 */
    assert_float_equal(dot(aab, a, 4), t / sqrt(t * t + 1), 1e-4);
    /* reproducible to the byte on this path too */
    lh_lsa *m2 = fit(&p, texts, 12);
    lh_buf x, y;
    save(m, &x);
    save(m2, &y);
    assert_int_equal(x.len, y.len);
    assert_memory_equal(x.data, y.data, x.len);
    lh_buf_release(&x);
    lh_buf_release(&y);
    lh_lsa_free(m2);
    /* a fit on a sample on this path: 6 of the 12, chunks 0, 2, ..., 10, is the fit of
     * exactly those chunks (the same bytes, max_fit_docs aside) */
    p.max_fit_docs = 6;
    m2 = fit(&p, texts, 12);
    const char *even[6];
    for (size_t i = 0; i < 6; i++)
        even[i] = texts[2 * i];
    p.max_fit_docs = 0;
    lh_lsa *ref = fit(&p, even, 6);
    float e1[4], e2[4];
    for (size_t i = 0; i < 6; i++) {
        embed(m2, pairs[i], e1);
        embed(ref, pairs[i], e2);
        assert_memory_equal(e1, e2, sizeof e1);
    }
    lh_lsa_free(ref);
    lh_lsa_free(m2);
    /* fewer dimensions than terms: the top singular direction of this symmetric corpus
     * still puts the two texts sharing no word farther apart than two sharing one */
    p.dims = 2;
    lh_lsa *m3 = fit(&p, texts, 12);
    float u[2], v[2], w[2];
    embed(m3, "alpha beta", u);
    embed(m3, "alpha gamma", v);
    embed(m3, "gamma delta", w);
    assert_true(dot(u, v, 2) >= dot(u, w, 2) - 1e-5);
    lh_lsa_free(m3);
    lh_lsa_free(m);
}

/* Log-entropy weights by hand: "common" is once in each of the four chunks, so its
 * entropy is the largest possible and its weight 1 - ln 4 / ln 4 = 0 (kept at 0.001);
 * "alpha" and "beta" are once in two chunks each: 1 - ln 2 / ln 4 = 0.5. With as many
 * dimensions as terms the embeddings keep the weighted vectors' cosines. */
static void log_entropy_weights(void **state)
{
    (void)state;
    const char *texts[] = {"common alpha", "common beta", "common alpha", "common beta"};
    lh_lsa_params p = lh_lsa_defaults();
    p.dims = 3;
    p.min_df = 1;
    p.weighting = LH_LSA_TFIDF;
    lh_lsa *tfidf = fit(&p, texts, 4);
    p.weighting = LH_LSA_LOG_ENTROPY;
    lh_lsa *le = fit(&p, texts, 4);
    float a[3], b[3];
    embed(tfidf, "common alpha", a);
    embed(tfidf, "common beta", b);
    double idf = log(5.0 / 3.0) + 1; /* alpha's; common's is ln(5/5) + 1 = 1 */
    assert_float_equal(dot(a, b, 3), 1 / (1 + idf * idf), 1e-4);
    embed(le, "common alpha", a);
    embed(le, "common beta", b);
    assert_float_equal(dot(a, b, 3), 0.001 * 0.001 / (0.001 * 0.001 + 0.25), 1e-4);
    lh_buf x;
    save(le, &x);
    lh_lsa *back;
    lh_err err = {{0}};
    assert_int_equal(lh_lsa_load(x.data, x.len, &back, &err), LH_OK);
    assert_int_equal(lh_lsa_get_params(back).weighting, LH_LSA_LOG_ENTROPY);
    float c[3];
    embed(back, "common beta", c);
    assert_memory_equal(b, c, sizeof b);
    p.weighting = (lh_lsa_weighting)7;
    lh_lsa *bad;
    size_t lens[4] = {12, 11, 12, 11};
    assert_int_equal(lh_lsa_fit(&p, texts, lens, 4, &bad, &err), LH_EINVAL);
    lh_buf_release(&x);
    lh_lsa_free(back);
    lh_lsa_free(tfidf);
    lh_lsa_free(le);
}

static void small_corpus_and_bad_parameters(void **state)
{
    (void)state;
    /* more dims than the corpus has chunks: the extra dimensions are zero */
    lh_lsa_params p = small_params();
    p.dims = 32;
    lh_lsa *m = fit(&p, corpus, N_DOCS);
    float v[32];
    embed(m, corpus[2], v);
    assert_float_equal(dot(v, v, 32), 1.0, 1e-5);
    for (size_t i = N_DOCS; i < 32; i++)
        assert_float_equal(v[i], 0, 0);
    lh_lsa_free(m);
    size_t lens[N_DOCS];
    for (size_t i = 0; i < N_DOCS; i++)
        lens[i] = strlen(corpus[i]);
    lh_err err = {{0}};
    p.dims = 0;
    assert_int_equal(lh_lsa_fit(&p, corpus, lens, N_DOCS, &m, &err), LH_EINVAL);
    p = small_params();
    p.min_df = 50;
    assert_int_equal(lh_lsa_fit(&p, corpus, lens, N_DOCS, &m, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "nothing to learn from"));
    assert_int_equal(lh_lsa_fit(&p, corpus, lens, 0, &m, &err), LH_EINVAL);
}

static void builtin_provider(void **state)
{
    (void)state;
    lh_lsa_params p = small_params();
    lh_lsa *m = fit(&p, corpus, N_DOCS), *ref = fit(&p, corpus, N_DOCS);
    lh_bm25_params bp = lh_bm25_defaults();
    lh_bm25 *bm;
    lh_err err = {{0}};
    assert_int_equal(lh_bm25_new(&bp, &bm, &err), LH_OK);
    for (size_t i = 0; i < N_DOCS; i++)
        assert_int_equal(lh_bm25_add(bm, corpus[i], strlen(corpus[i]), &err), LH_OK);
    lh_ai *ai;
    assert_int_equal(lh_ai_builtin_new(m, bm, lh_ai_builtin_default_weight(), &ai, &err), LH_OK);
    assert_string_equal(lh_ai_name(ai), "builtin");
    assert_int_equal(lh_ai_dims(ai), 8);
    /* embed: the model's vectors, in order */
    float out[3 * 8], want[8];
    assert_int_equal(lh_ai_embed(ai, corpus, NULL, 3, out, &err), LH_OK);
    for (size_t i = 0; i < 3; i++) {
        embed(ref, corpus[i], want);
        assert_memory_equal(out + i * 8, want, sizeof want);
    }
    /* rerank: the on-topic text first, whatever its position */
    const char *cands[] = {"the comet and the star", "golden bread crust from a hot oven",
                           "flour"};
    float sc[3];
    assert_int_equal(lh_ai_rerank(ai, "oven baked bread", cands, NULL, 3, sc, &err), LH_OK);
    assert_true(sc[1] > sc[0] && sc[1] > sc[2]);
    assert_true(sc[1] <= 1.0f && sc[0] >= 0.0f);
    char *text;
    assert_int_equal(lh_ai_generate(ai, "hello", &text, &err), LH_EUNSUPPORTED);
    assert_null(text);
    assert_non_null(strstr(err.msg, "configure an ollama or openai provider"));
    lh_ai_free(ai);
    lh_lsa_free(ref);
    /* a bad weight frees what it was given (the leak check of the sanitizer build) */
    m = fit(&p, corpus, N_DOCS);
    assert_int_equal(lh_bm25_new(&bp, &bm, &err), LH_OK);
    assert_int_equal(lh_ai_builtin_new(m, bm, 2.0f, &ai, &err), LH_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(topics_separate),
        cmocka_unit_test(vocabulary_by_hand),
        cmocka_unit_test(fits_are_reproducible),
        cmocka_unit_test(model_file_round_trip),
        cmocka_unit_test(fit_on_a_sample),
        cmocka_unit_test(more_chunks_than_terms),
        cmocka_unit_test(log_entropy_weights),
        cmocka_unit_test(small_corpus_and_bad_parameters),
        cmocka_unit_test(builtin_provider),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
