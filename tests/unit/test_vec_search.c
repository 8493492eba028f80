/* Unit tests for the search side of src/vector over an index built in memory: the key map
 * (allowed keys -> allowed rows), the checks of a query, and the ranking wiring: lexical
 * = BM25 restricted to the allowed rows, dense = the exact scan, hybrid = the two lists
 * fused as fusion.h says. The expected lists are computed here from the parts directly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ai/fusion.h"
#include "core/alloc.h"
#include "vector/search_int.h"

static const char *const keys[] = {"k1", "k1", "k2", "k3", "k3", "k4", "k5", "k6"};
static const char *const texts[] = {
    "kubernetes cluster operations and payments migration",
    "led the payments platform migration, then kubernetes on call",
    "bakery bread and pastry chef",
    "payments fraud detection models",
    "bread baking sourdough pastry",
    "kubernetes site reliability engineer on call",
    "pastry chef and cake decoration",
    "fraud models for payments risk",
};
#define N 8
#define DIMS 4

static lh_vec_index *build(void)
{
    lh_vec_index *idx = lh_calloc(1, sizeof *idx);
    assert_non_null(idx);
    idx->name = lh_strdup("t");
    idx->dataset = lh_strdup("d");
    idx->provider = lh_strdup("builtin");
    lh_buf_init(&idx->pool, 0);
    idx->n = N;
    idx->dims = DIMS;
    idx->rows = lh_calloc(N, sizeof *idx->rows);
    idx->matrix = lh_calloc(N * DIMS, sizeof(float));
    size_t lens[N];
    for (size_t i = 0; i < N; i++) {
        lens[i] = strlen(texts[i]);
        idx->rows[i].key = idx->pool.len;
        idx->rows[i].key_len = strlen(keys[i]);
        lh_buf_add(&idx->pool, keys[i], strlen(keys[i]) + 1);
        idx->rows[i].text = idx->pool.len;
        idx->rows[i].text_len = lens[i];
        lh_buf_add(&idx->pool, texts[i], lens[i] + 1);
    }
    assert_int_equal(lh_buf_status(&idx->pool), LH_OK);
    lh_err err = {{0}};
    lh_lsa_params p = lh_lsa_defaults();
    p.dims = DIMS;
    p.min_df = 1;
    lh_lsa *lsa;
    if (lh_lsa_fit(&p, texts, lens, N, &lsa, &err))
        fail_msg("fit: %s", err.msg);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(lh_lsa_embed(lsa, texts[i], lens[i], idx->matrix + i * DIMS, &err), LH_OK);
    lh_bm25_params bp = lh_bm25_defaults();
    lh_bm25 *bm;
    assert_int_equal(lh_bm25_new(&bp, &bm, &err), LH_OK);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(lh_bm25_add(bm, texts[i], lens[i], &err), LH_OK);
    idx->lsa = lsa;
    idx->bm25 = bm;
    assert_int_equal(lh_ai_builtin_new(lsa, bm, lh_ai_builtin_default_weight(), &idx->ai, &err), LH_OK);
    assert_int_equal(lh__vec_keymap_build(idx, &err), LH_OK);
    assert_int_equal(lh_vec_q8_new(idx->matrix, N, DIMS, &idx->q8, &err), LH_OK);
    return idx;
}

static uint64_t allow_keys(const lh_vec_index *idx, const char *const *ks, size_t n)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t id = lh__vec_keymap_find(idx, ks[i], strlen(ks[i]));
        if (id < 0)
            continue;
        for (uint32_t r = idx->keys.first[id]; r != UINT32_MAX; r = idx->keys.next[r])
            bits |= 1ull << r;
    }
    return bits;
}

static void keymap(void **state)
{
    (void)state;
    lh_vec_index *idx = build();
    assert_int_equal(idx->keys.nkeys, 6);
    int64_t k1 = lh__vec_keymap_find(idx, "k1", 2), k3 = lh__vec_keymap_find(idx, "k3", 2);
    assert_true(k1 >= 0 && k3 >= 0 && k1 != k3);
    assert_int_equal(lh__vec_keymap_find(idx, "k7", 2), -1);
    assert_int_equal(lh__vec_keymap_find(idx, "k", 1), -1);
    /* rows of a key chained in table order */
    assert_int_equal(idx->keys.first[k1], 0);
    assert_int_equal(idx->keys.next[0], 1);
    assert_int_equal(idx->keys.next[1], UINT32_MAX);
    const char *const ks[] = {"k3", "k6", "nope"};
    assert_int_equal(allow_keys(idx, ks, 3), (1ull << 3) | (1ull << 4) | (1ull << 7));
    lh_vec_index_free(idx);
}

static void query_checks(void **state)
{
    (void)state;
    lh_vec_index *idx = build();
    lh_err err = {{0}};
    float v[DIMS + 1] = {1, 0, 0, 0, 0};
    lh_vec_query q = {.query = "payments", .k = 0, .weight = -1};
    assert_int_equal(lh__vec_query_check(idx, &q, &err), LH_EINVAL);
    assert_string_equal(err.msg, "k must be between 1 and 1000");
    q.k = LH_VEC_K_MAX + 1;
    assert_int_equal(lh__vec_query_check(idx, &q, &err), LH_EINVAL);
    q.k = 3;
    assert_int_equal(lh__vec_query_check(idx, &q, &err), LH_OK);
    q.query = " \n\t";
    assert_int_equal(lh__vec_query_check(idx, &q, &err), LH_EINVAL);
    assert_string_equal(err.msg, "the query is empty");
    q.query = NULL;
    q.vector = v;
    q.nvector = DIMS + 1;
    q.mode = LH_VEC_MODE_DENSE;
    assert_int_equal(lh__vec_query_check(idx, &q, &err), LH_EINVAL);
    assert_string_equal(err.msg, "the query vector has 5 dimensions; index t has 4");
    q.nvector = DIMS;
    assert_int_equal(lh__vec_query_check(idx, &q, &err), LH_OK);
    q.mode = LH_VEC_MODE_HYBRID;
    assert_int_equal(lh__vec_query_check(idx, &q, &err), LH_EINVAL);
    q.mode = LH_VEC_MODE_DENSE;
    v[2] = NAN;
    assert_int_equal(lh__vec_query_check(idx, &q, &err), LH_EINVAL);
    q.query = "x";
    v[2] = 0;
    assert_int_equal(lh__vec_query_check(idx, &q, &err), LH_EINVAL); /* both */
    lh_vec_query w = {.query = "x", .k = 1, .weight = 1.5f};
    assert_int_equal(lh__vec_query_check(idx, &w, &err), LH_EINVAL);
    lh_vec_index_free(idx);
}

static int cmp_desc(const void *a, const void *b)
{
    const lh_ai_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->doc < y->doc ? -1 : (x->doc > y->doc);
}

/* BM25 of every allowed row scoring > 0, sorted: the lexical list by hand. */
static size_t lexical_by_hand(const lh_vec_index *idx, const char *q, uint64_t allow, lh_ai_hit *out)
{
    float s[N];
    lh_err err = {{0}};
    assert_int_equal(lh_bm25_score_all(idx->bm25, q, strlen(q), s, &err), LH_OK);
    size_t n = 0;
    for (uint32_t r = 0; r < N; r++)
        if (s[r] > 0 && (allow >> r & 1))
            out[n++] = (lh_ai_hit){r, s[r]};
    qsort(out, n, sizeof *out, cmp_desc);
    return n;
}

/* Cosine of the embedded query with every allowed row, sorted: the dense list by hand. */
static size_t dense_by_hand(const lh_vec_index *idx, const char *q, uint64_t allow, lh_ai_hit *out)
{
    float qv[DIMS];
    lh_err err = {{0}};
    assert_int_equal(lh_lsa_embed(idx->lsa, q, strlen(q), qv, &err), LH_OK);
    size_t n = 0;
    for (uint32_t r = 0; r < N; r++) {
        if (!(allow >> r & 1))
            continue;
        double d = 0;
        for (size_t j = 0; j < DIMS; j++)
            d += (double)qv[j] * idx->matrix[r * DIMS + j];
        out[n++] = (lh_ai_hit){r, (float)d};
    }
    qsort(out, n, sizeof *out, cmp_desc);
    return n;
}

static void rank(const lh_vec_index *idx, const lh_vec_query *q, uint64_t allow,
                 lh__vec_ranked *out, size_t *n)
{
    lh_err err = {{0}};
    uint64_t bits[1] = {allow};
    if (lh__vec_rank(idx, q, bits, NULL, out, n, &err))
        fail_msg("rank: %s", err.msg);
}

static void ranking_wiring(void **state)
{
    (void)state;
    lh_vec_index *idx = build();
    const char *text = "payments migration kubernetes";
    const char *const no_k1[] = {"k2", "k3", "k4", "k5", "k6"};
    uint64_t all = (1ull << N) - 1, some = allow_keys(idx, no_k1, 5);
    lh_ai_hit lex[N], den[N], fused[2 * N];
    lh__vec_ranked got[N];
    size_t n;
    for (int pass = 0; pass < 2; pass++) {
        uint64_t allow = pass ? some : all;
        size_t nl = lexical_by_hand(idx, text, allow, lex);
        size_t nd = dense_by_hand(idx, text, allow, den);
        assert_true(nl >= 2 && nd >= 2);
        /* lexical */
        lh_vec_query q = {.query = text, .k = 3, .mode = LH_VEC_MODE_LEXICAL, .weight = -1};
        rank(idx, &q, allow, got, &n);
        assert_int_equal(n, nl < 3 ? nl : 3);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(got[i].row, lex[i].doc);
            assert_float_equal(got[i].score, lex[i].score, 1e-6);
        }
        /* dense (float and int8 + exact re-rank agree on the order here) */
        q.mode = LH_VEC_MODE_DENSE;
        for (int q8 = 0; q8 < 2; q8++) {
            q.int8 = q8;
            rank(idx, &q, allow, got, &n);
            assert_int_equal(n, 3);
            /* Rows whose vectors are equal (two chunks of one text) tie up to float rounding,
             * which the SIMD and the double sum by hand break differently: so the scores
             * must follow the hand list, and each row must have its own hand score. */
            for (size_t i = 0; i < n; i++) {
                assert_float_equal(got[i].score, den[i].score, 1e-5);
                size_t j = 0;
                while (j < nd && den[j].doc != got[i].row)
                    j++;
                assert_true(j < nd);
                assert_float_equal(got[i].score, den[j].score, 1e-5);
            }
        }
        q.int8 = false;
        /* hybrid = the fusion of the two full lists, weighted by default, RRF on request */
        q.mode = LH_VEC_MODE_HYBRID;
        q.k = N;
        for (int rrf = 0; rrf < 2; rrf++) {
            float w = rrf ? 0.3f : lh_fuse_default_weight();
            q.rrf = rrf;
            q.weight = rrf ? 0.3f : -1;
            size_t nf;
            lh_err err = {{0}};
            assert_int_equal(lh_fuse(rrf ? LH_FUSE_RRF : LH_FUSE_WEIGHTED, w, lex, nl, den, nd,
                                     fused, &nf, &err), LH_OK);
            rank(idx, &q, allow, got, &n);
            assert_int_equal(n, nf < N ? nf : N);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(got[i].row, fused[i].doc);
                assert_float_equal(got[i].score, fused[i].score, 1e-6);
                assert_true(allow >> got[i].row & 1); /* never a row the filter hides */
            }
        }
    }
    /* nothing allowed: nothing found */
    lh_vec_query q = {.query = text, .k = 5, .mode = LH_VEC_MODE_HYBRID, .weight = -1};
    rank(idx, &q, 0, got, &n);
    assert_int_equal(n, 0);
    /* a query of unknown words: no dense neighbours, no lexical hits */
    q.query = "zzzz qqqq";
    rank(idx, &q, all, got, &n);
    assert_int_equal(n, 0);
    lh_vec_index_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keymap),
        cmocka_unit_test(query_checks),
        cmocka_unit_test(ranking_wiring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
