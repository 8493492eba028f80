/* Unit tests for the pure parts of HNSW tuning (src/vector/hnsw_best.c, hnsw_grid.c) and the
 * recall a trial measures (hnsw_trials.c, lh__trial_measure, on a real graph): the Pareto
 * front against a brute-force definition, best by recall and latency with their ties,
 * nearest-rank percentiles, grid and config bounds, eval names. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vector/tune_int.h"

static json_t *trial(const char *id, double recall, double p50)
{
    return json_pack("{s:s, s:f, s:f}", "trial_id", id, "recall", recall, "p50_us", p50);
}

static const char *id_of(const json_t *t) { return json_string_value(json_object_get(t, "trial_id")); }

static void percentiles(void **state)
{
    (void)state;
    double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_true(lh_vec_percentile(v, 10, 50) == 5);
    assert_true(lh_vec_percentile(v, 10, 95) == 10);
    assert_true(lh_vec_percentile(v, 10, 99) == 10);
    assert_true(lh_vec_percentile(v, 10, 10) == 1);
    assert_true(lh_vec_percentile(v, 10, 11) == 2);
    assert_true(lh_vec_percentile(v, 1, 50) == 1);
    assert_true(lh_vec_percentile(v, 0, 50) == 0);
    double w[200];
    for (int i = 0; i < 200; i++)
        w[i] = i + 1;
    assert_true(lh_vec_percentile(w, 200, 99) == 198); /* ceil(0.99 * 200) = 198th value */
}

static void best_by_hand(void **state)
{
    (void)state;
    json_t *ts = json_array();
    json_array_append_new(ts, trial("a", 0.90, 10));
    json_array_append_new(ts, trial("b", 0.99, 40));
    json_array_append_new(ts, trial("c", 0.99, 30));  /* same recall as b, faster */
    json_array_append_new(ts, trial("d", 0.96, 20));
    json_array_append_new(ts, trial("e", 0.99, 30));  /* a tie with c: the older (c) wins */
    json_array_append_new(ts, json_pack("{s:s}", "trial_id", "junk")); /* skipped */
    json_t *b = lh_vec_trials_best(ts, LH_VEC_BEST_RECALL, 0);
    assert_string_equal(id_of(json_object_get(b, "best")), "c");
    assert_int_equal(json_integer_value(json_object_get(b, "trials")), 5);
    json_decref(b);
    b = lh_vec_trials_best(ts, LH_VEC_BEST_LATENCY, 0.95); /* a is faster but under the gate */
    assert_string_equal(id_of(json_object_get(b, "best")), "d");
    json_decref(b);
    b = lh_vec_trials_best(ts, LH_VEC_BEST_LATENCY, 0.5);
    assert_string_equal(id_of(json_object_get(b, "best")), "a");
    json_decref(b);
    b = lh_vec_trials_best(ts, LH_VEC_BEST_LATENCY, 0.999); /* nothing passes */
    assert_true(json_is_null(json_object_get(b, "best")));
    json_decref(b);
    b = lh_vec_trials_best(ts, LH_VEC_BEST_PARETO, 0);
    json_t *f = json_object_get(b, "front");
    /* c and e (equal points dominate nothing), d, a; b is dominated by c */
    assert_int_equal(json_array_size(f), 4);
    assert_string_equal(id_of(json_array_get(f, 0)), "c");
    assert_string_equal(id_of(json_array_get(f, 1)), "e");
    assert_string_equal(id_of(json_array_get(f, 2)), "d");
    assert_string_equal(id_of(json_array_get(f, 3)), "a");
    json_decref(b);
    json_t *empty = json_array();
    b = lh_vec_trials_best(empty, LH_VEC_BEST_PARETO, 0);
    assert_int_equal(json_array_size(json_object_get(b, "front")), 0);
    json_decref(b);
    json_decref(empty);
    json_decref(ts);
}

/* The front against its definition: a trial is on it when no other has recall >= and p50 <=
 * with one of them strictly better. */
static void pareto_matches_definition(void **state)
{
    (void)state;
    uint64_t x = 7;
    for (int round = 0; round < 50; round++) {
        json_t *ts = json_array();
        int n = 1 + round % 40;
        double r[40], l[40];
        for (int i = 0; i < n; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            r[i] = (double)((x >> 33) % 20) / 20; /* coarse values: many ties */
            l[i] = (double)((x >> 13) % 15);
            char id[16];
            snprintf(id, sizeof id, "t%d", i);
            json_array_append_new(ts, trial(id, r[i], l[i]));
        }
        json_t *b = lh_vec_trials_best(ts, LH_VEC_BEST_PARETO, 0);
        json_t *f = json_object_get(b, "front");
        int want = 0;
        for (int i = 0; i < n; i++) {
            bool dominated = false;
            for (int j = 0; j < n && !dominated; j++)
                dominated = r[j] >= r[i] && l[j] <= l[i] && (r[j] > r[i] || l[j] < l[i]);
            char id[16];
            snprintf(id, sizeof id, "t%d", i);
            bool on = false;
            for (size_t k = 0; k < json_array_size(f); k++)
                on |= !strcmp(id_of(json_array_get(f, k)), id);
            assert_int_equal(on, !dominated);
            want += !dominated;
        }
        assert_int_equal(json_array_size(f), want);
        json_decref(b);
        json_decref(ts);
    }
}

static void grids(void **state)
{
    (void)state;
    lh_vec_grid g;
    lh_err err;
    assert_int_equal(lh_vec_grid_from_json(NULL, &g, &err), LH_OK);
    assert_int_equal(g.nM * g.nefc * g.nefs, 45);
    json_t *j = json_pack("{s:[i,i], s:[i], s:[i,i,i]}", "M", 32, 8, "ef_construction", 400, "ef_search", 200, 10, 30);
    assert_int_equal(lh_vec_grid_from_json(j, &g, &err), LH_OK);
    assert_int_equal(g.nM, 2);
    assert_int_equal(g.M[0], 8); /* sorted */
    assert_int_equal(g.ef_search[2], 200);
    json_decref(j);
    struct { const char *body, *msg; } bad[] = {
        {"{\"M\": [3]}", "'M' must hold whole numbers from 4 to 64"},
        {"{\"M\": [65]}", "'M' must hold whole numbers from 4 to 64"},
        {"{\"M\": [-16]}", "from 4 to 64"},
        {"{\"ef_construction\": [9]}", "from 10 to 400"},
        {"{\"ef_construction\": [401]}", "from 10 to 400"},
        {"{\"ef_search\": [201]}", "from 10 to 200"},
        {"{\"ef_search\": [10.5]}", "whole numbers"},
        {"{\"ef_search\": []}", "1 to 16"},
        {"{\"M\": [8, 8]}", "holds 8 twice"},
        {"{\"bogus\": [8]}", "unknown grid field 'bogus'"},
        {"[1]", "must be an object"},
        {"{\"M\": [4,5,6,7,8,9,10], \"ef_search\": [10,11,12,13,14,15,16,17,18,19]}", "210 configs"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *b = json_loads(bad[i].body, 0, NULL);
        err.msg[0] = '\0';
        assert_int_equal(lh_vec_grid_from_json(b, &g, &err), LH_EINVAL);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("%s: '%s' does not say '%s'", bad[i].body, err.msg, bad[i].msg);
        json_decref(b);
    }
    /* exactly the bound passes */
    j = json_pack("{s:[i,i,i,i], s:[i,i,i], s:[i,i,i,i,i]}", "M", 4, 8, 16, 64, "ef_construction", 10,
                  80, 400, "ef_search", 10, 20, 30, 40, 50);
    assert_int_equal(lh_vec_grid_from_json(j, &g, &err), LH_OK);
    json_decref(j);
}

static void params_and_names(void **state)
{
    (void)state;
    lh_err err;
    lh_hnsw_params p = {16, 80, 30, 42};
    assert_int_equal(lh_vec_tune_params_check(&p, &err), LH_OK);
    p.M = 3;
    assert_int_equal(lh_vec_tune_params_check(&p, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "field 'M'"));
    p = (lh_hnsw_params){16, 401, 30, 0};
    assert_int_equal(lh_vec_tune_params_check(&p, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "ef_construction"));
    p = (lh_hnsw_params){16, 80, 9, 0};
    assert_int_equal(lh_vec_tune_params_check(&p, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "ef_search"));
    assert_int_equal(lh_vec_eval_name_check("my_eval-1", &err), LH_OK);
    const char *bad[] = {"", "../x", "A", "a/b", "a.json", "a b",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(lh_vec_eval_name_check(bad[i], &err), LH_EINVAL);
    lh_vec_best_metric m;
    assert_true(lh_vec_best_metric_parse("pareto", &m) && m == LH_VEC_BEST_PARETO);
    assert_false(lh_vec_best_metric_parse("fastest", &m));
}

/* A trial's recall on a real graph: exact truth -> recall near 1 at a large ef; truth that
 * names rows the search cannot return -> 0. */
static void measured_recall(void **state)
{
    (void)state;
    enum { N = 600, D = 16, Q = 50 };
    float *m = malloc(sizeof(float) * N * D);
    uint64_t x = 3;
    for (int i = 0; i < N * D; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        m[i] = (float)((x >> 40) % 1000) / 1000.0f - 0.5f;
    }
    for (int r = 0; r < N; r++) { /* the index stores normalised rows */
        double s = 0;
        for (int d = 0; d < D; d++)
            s += m[r * D + d] * m[r * D + d];
        for (int d = 0; d < D; d++)
            m[r * D + d] = (float)(m[r * D + d] / sqrt(s));
    }
    lh_vec_index idx = {.name = (char *)"t", .n = N, .dims = D, .matrix = m};
    lh__tune_set set = {.idx = &idx, .nq = Q, .dims = D, .stamp = (char *)"s"};
    snprintf(set.eval, sizeof set.eval, "e");
    set.queries = m; /* the first Q rows as queries */
    set.truth = calloc(Q * LH_TUNE_K, sizeof *set.truth);
    set.ntruth = calloc(Q, 1);
    lh_vec_search_opts o = {.metric = LH_VEC_COSINE, .k = LH_TUNE_K, .threads = 1};
    lh_vec_hit hits[LH_TUNE_K];
    lh_err err;
    for (int q = 0; q < Q; q++) {
        size_t nh = 0;
        assert_int_equal(lh_vec_search(m, N, D, m + q * D, &o, hits, &nh, &err), LH_OK);
        for (size_t j = 0; j < nh; j++)
            set.truth[q * LH_TUNE_K + j] = (uint32_t)hits[j].row;
        set.ntruth[q] = (uint8_t)nh;
    }
    lh_hnsw_params p = {16, 100, 200, 42};
    lh_hnsw *h = NULL;
    double ms = 0;
    assert_int_equal(lh__trial_build(&set, &p, NULL, NULL, &h, &ms, &err), LH_OK);
    json_t *t = NULL;
    assert_int_equal(lh__trial_measure(&set, h, &p, ms, "test", NULL, &t, &err), LH_OK);
    double recall = json_number_value(json_object_get(t, "recall"));
    if (!(recall >= 0.98 && recall <= 1))
        fail_msg("recall %f at ef 200 on 600 rows", recall);
    assert_true(json_number_value(json_object_get(t, "p50_us")) <= json_number_value(json_object_get(t, "p95_us")));
    assert_true(json_number_value(json_object_get(t, "p95_us")) <= json_number_value(json_object_get(t, "p99_us")));
    assert_int_equal(json_integer_value(json_object_get(t, "queries")), Q);
    assert_int_equal(json_integer_value(json_object_get(t, "memory_bytes")), (json_int_t)lh_hnsw_bytes(h));
    json_decref(t);
    /* truth rows that do not exist among the hits: nothing found */
    for (int i = 0; i < Q * LH_TUNE_K; i++)
        set.truth[i] = N + 1;
    assert_int_equal(lh__trial_measure(&set, h, &p, ms, "test", NULL, &t, &err), LH_OK);
    assert_true(json_number_value(json_object_get(t, "recall")) == 0);
    json_decref(t);
    lh_hnsw_free(h);
    free(set.truth);
    free(set.ntruth);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percentiles),
        cmocka_unit_test(best_by_hand),
        cmocka_unit_test(pareto_matches_definition),
        cmocka_unit_test(grids),
        cmocka_unit_test(params_and_names),
        cmocka_unit_test(measured_recall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
