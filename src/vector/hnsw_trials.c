/* hnsw_trials.c: one trial = a graph built with params over an index, every query of an
 * eval set searched on it and timed (tune.h). Autotune uses the two halves separately: one
 * build per (M, ef_construction), measured at each ef_search. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/util.h"
#include "vector/graphs.h"
#include "vector/tune_int.h"

lh_status lh__trial_build(const lh__tune_set *set, const lh_hnsw_params *p, lh__tune_cancel_fn cb,
                          void *ctx, lh_hnsw **out, double *build_ms, lh_err *err)
{
    double t0 = lh_mono_ms();
    /* both cores, as an activation builds (graphs.h) */
    lh_status st = lh_hnsw_build(set->idx->matrix, set->idx->n, set->dims, LH_VEC_COSINE, p, 0,
                                 cb, ctx, out, err);
    *build_ms = lh_mono_ms() - t0;
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double round1(double v) { return round(v * 10) / 10; }

lh_status lh__trial_measure(const lh__tune_set *set, const lh_hnsw *h, const lh_hnsw_params *p,
                            double build_ms, const char *actor, const char *job_id, json_t **out,
                            lh_err *err)
{
    *out = NULL;
    double *us = lh_calloc(set->nq, sizeof *us);
    if (!us)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lh_vec_hit hits[LH_TUNE_K];
    lh_hnsw_search_opts o = {.k = LH_TUNE_K, .ef = p->ef_search};
    size_t found = 0, wanted = 0;
    lh_status st = LH_OK;
    for (size_t i = 0; !st && i < set->nq; i++) {
        size_t nh = 0;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = lh_hnsw_search(h, set->queries + i * set->dims, &o, hits, &nh, err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        us[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
        /* recall@k: the exact top-k rows this search found (a query without truth, one of
         * zeros, counts for latency only) */
        const uint32_t *truth = set->truth + i * LH_TUNE_K;
        for (size_t j = 0; j < set->ntruth[i]; j++)
            for (size_t m = 0; m < nh; m++)
                if (hits[m].row == truth[j]) {
                    found++;
                    break;
                }
        wanted += set->ntruth[i];
    }
    if (st) {
        free(us);
        return st;
    }
    qsort(us, set->nq, sizeof *us, cmp_double);
    char id[48], ts[32];
    lh__tune_id("t-", id);
    lh_format_time(lh_now_ms(), ts);
    double recall = wanted ? (double)found / (double)wanted : 0;
    *out = json_pack("{s:s, s:s, s:s, s:{s:i, s:i, s:i, s:I}, s:i, s:I, s:I, s:f, s:f, s:f, s:f, "
                     "s:f, s:I, s:s, s:s, s:s, s:s?}",
                     "trial_id", id, "index", set->idx->name, "eval", set->eval, "params", "M",
                     (int)p->M, "ef_construction", (int)p->ef_construction, "ef_search",
                     (int)p->ef_search, "seed", (json_int_t)p->seed, "k", LH_TUNE_K, "queries",
                     (json_int_t)set->nq, "rows", (json_int_t)set->idx->n, "recall",
                     round(recall * 1e6) / 1e6, "p50_us", round1(lh_vec_percentile(us, set->nq, 50)),
                     "p95_us", round1(lh_vec_percentile(us, set->nq, 95)), "p99_us",
                     round1(lh_vec_percentile(us, set->nq, 99)), "build_ms", round1(build_ms),
                     "memory_bytes", (json_int_t)lh_hnsw_bytes(h), "stamp", set->stamp,
                     "created_at", ts, "actor", actor ? actor : "cli", "job_id", job_id);
    free(us);
    return *out ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
}

lh_status lh_vec_trial_run(const lh_vec_tune_env *te, const char *index, const char *eval,
                           const lh_hnsw_params *p, const char *actor, json_t **out, lh_err *err)
{
    *out = NULL;
    lh_status st = lh_vec_tune_params_check(p, err);
    lh__tune_set *set = NULL;
    if (!st)
        st = lh__embcache_get(te, index, eval, &set, err);
    lh_hnsw *h = NULL;
    double build_ms = 0;
    if (!st)
        st = lh__trial_build(set, p, NULL, NULL, &h, &build_ms, err);
    if (!st)
        st = lh__trial_measure(set, h, p, build_ms, actor, NULL, out, err);
    if (!st)
        st = lh__trial_append(te->senv.store, set->idx->name, *out, err);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    lh_hnsw_free(h);
    lh__embcache_put(te->emb, set);
    return st;
}

bool lh_vec_trial_params(const json_t *trial, lh_hnsw_params *p)
{
    const json_t *o = json_object_get(trial, "params");
    const json_t *m = json_object_get(o, "M"), *c = json_object_get(o, "ef_construction");
    const json_t *s = json_object_get(o, "ef_search"), *seed = json_object_get(o, "seed");
    if (!json_is_integer(m) || !json_is_integer(c) || !json_is_integer(s) || !json_is_integer(seed))
        return false;
    *p = (lh_hnsw_params){(uint32_t)json_integer_value(m), (uint32_t)json_integer_value(c),
                          (uint32_t)json_integer_value(s), (uint64_t)json_integer_value(seed)};
    return true;
}

lh_status lh_vec_trial_promote(lh_store *s, const char *index, const char *trial_id,
                               const char *actor, json_t **out, lh_err *err)
{
    if (out)
        *out = NULL;
    json_t *t = NULL;
    lh_hnsw_params p;
    lh_status st = lh_vec_trial_get(s, index, trial_id, &t, err);
    if (!st && !lh_vec_trial_params(t, &p))
        st = lh_fail(err, LH_ECORRUPT, "trial '%s' of index '%s' has no params", trial_id, index);
    if (!st)
        st = lh_vec_tune_params_check(&p, err);
    if (!st)
        st = lh_vec_promote(s, index, &p, trial_id, actor, out, err);
    json_decref(t);
    return st;
}
