/* api_hnsw.c: HNSW eval sets, trials, best, the embedding cache and autotune
 * (vector/tune.h). Each handler checks its body, calls one function and renders its JSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "vector/tune.h"

static void reply(lh_http_req *r, lh_status st, const lh_err *err, int code, json_t *out)
{
    if (st)
        lh_http_reply_status(r, st, err->msg);
    else
        lh_http_reply_json(r, code, out);
}

static void tune_env(lh_api *a, lh_vec_tune_env *te)
{
    *te = (lh_vec_tune_env){.indexes = a->vec_cache, .emb = a->vec_emb, .graphs = a->vec_graphs};
    lh_lake_vec_senv(a->lake, &te->senv);
}

/* A required whole-number field within [min, max] (lh__api_int treats missing as default). */
static bool req_int(lh_http_req *r, const char *field, int64_t min, int64_t max, int64_t *out)
{
    *out = min - 1;
    if (!lh__api_int(r, field, min, max, out))
        return false;
    if (*out == min - 1) {
        char msg[128];
        snprintf(msg, sizeof msg, "missing field '%s'", field);
        lh_http_reply_error(r, 400, "invalid_input", msg);
        return false;
    }
    return true;
}

/* POST /vectors/hnsw/evals {name, index, queries?} -> 201 the set's summary. */
void lh__api_hnsw_eval_create(lh_http_req *r, void *app)
{
    static const char *const allowed[] = {"name", "index", "queries", NULL};
    const char *name, *index;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "name", true, &name) ||
        !lh__api_string(r, "index", true, &index))
        return;
    lh_vec_tune_env te;
    tune_env(app, &te);
    lh_err err;
    json_t *out = NULL;
    lh_status st = lh_vec_eval_create(&te, name, index, json_object_get(lh_http_json(r), "queries"),
                                      lh_http_principal(r), &out, &err);
    reply(r, st, &err, 201, out);
}

void lh__api_hnsw_evals(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_err err;
    json_t *list = NULL;
    lh_status st = lh_vec_evals_list(lh_lake_store(a->lake), &list, &err);
    reply(r, st, &err, 200, st ? NULL : json_pack("{s:o}", "evals", list));
}

/* POST /vectors/hnsw/evals/{name}/autogen {index, n} */
void lh__api_hnsw_autogen(lh_http_req *r, void *app)
{
    static const char *const allowed[] = {"index", "n", NULL};
    const char *index;
    int64_t n;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "index", true, &index) ||
        !req_int(r, "n", 1, LH_TUNE_QUERIES_MAX, &n))
        return;
    lh_vec_tune_env te;
    tune_env(app, &te);
    lh_err err;
    json_t *out = NULL;
    lh_status st = lh_vec_eval_autogen(&te, lh_http_param(r, "name"), index, (size_t)n,
                                       lh_http_principal(r), &out, &err);
    reply(r, st, &err, 200, out);
}

/* POST /vectors/hnsw/trial {index, eval, M, ef_construction, ef_search, seed?} */
void lh__api_hnsw_trial(lh_http_req *r, void *app)
{
    static const char *const allowed[] = {"index", "eval", "M", "ef_construction", "ef_search",
                                          "seed", NULL};
    const char *index, *eval;
    int64_t m, efc, efs, seed = 42;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "index", true, &index) ||
        !lh__api_string(r, "eval", true, &eval) ||
        !req_int(r, "M", LH_TUNE_M_MIN, LH_TUNE_M_MAX, &m) ||
        !req_int(r, "ef_construction", LH_TUNE_EFC_MIN, LH_TUNE_EFC_MAX, &efc) ||
        !req_int(r, "ef_search", LH_TUNE_EFS_MIN, LH_TUNE_EFS_MAX, &efs) ||
        !lh__api_int(r, "seed", 0, INT64_MAX, &seed))
        return;
    lh_vec_tune_env te;
    tune_env(app, &te);
    lh_hnsw_params p = {(uint32_t)m, (uint32_t)efc, (uint32_t)efs, (uint64_t)seed};
    lh_err err;
    json_t *out = NULL;
    lh_status st = lh_vec_trial_run(&te, index, eval, &p, lh_http_principal(r), &out, &err);
    reply(r, st, &err, 200, out);
}

void lh__api_hnsw_trials(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_err err;
    json_t *list = NULL;
    const char *index = lh_http_param(r, "index");
    lh_status st = lh_vec_trials_list(lh_lake_store(a->lake), index, &list, &err);
    reply(r, st, &err, 200, st ? NULL : json_pack("{s:s, s:o}", "index", index, "trials", list));
}

/* GET /vectors/hnsw/trials/{index}/best?metric=recall|latency|pareto&min_recall=0.95 */
void lh__api_hnsw_best(lh_http_req *r, void *app)
{
    lh_api *a = app;
    const char *m = lh_http_query(r, "metric"), *mr = lh_http_query(r, "min_recall");
    lh_vec_best_metric metric = LH_VEC_BEST_RECALL;
    if (m && *m && !lh_vec_best_metric_parse(m, &metric)) {
        lh_http_reply_error(r, 400, "invalid_input", "metric must be recall, latency or pareto");
        return;
    }
    double min_recall = LH_TUNE_MIN_RECALL;
    char *end = NULL;
    if (mr && *mr && ((min_recall = strtod(mr, &end)), *end || !(min_recall >= 0 && min_recall <= 1))) {
        lh_http_reply_error(r, 400, "invalid_input", "min_recall must be a number from 0 to 1");
        return;
    }
    lh_err err;
    json_t *list = NULL, *out = NULL;
    const char *index = lh_http_param(r, "index");
    lh_status st = lh_vec_trials_list(lh_lake_store(a->lake), index, &list, &err);
    if (!st && !(out = lh_vec_trials_best(list, metric, min_recall)))
        st = lh_fail(&err, LH_ENOMEM, "out of memory");
    if (!st)
        json_object_set_new(out, "index", json_string(index));
    json_decref(list);
    reply(r, st, &err, 200, out);
}

void lh__api_hnsw_cache_stats(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_http_reply_json(r, 200, lh_vec_embcache_stats(a->vec_emb));
}

/* POST /vectors/hnsw/autotune {index, eval, min_recall?, grid?} -> 202 {job_id, ...} */
void lh__api_hnsw_autotune(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"index", "eval", "min_recall", "grid", NULL};
    const char *index, *eval;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "index", true, &index) ||
        !lh__api_string(r, "eval", true, &eval))
        return;
    json_t *body = lh_http_json(r), *mr = json_object_get(body, "min_recall");
    if (mr && !json_is_null(mr) && (!json_is_number(mr) || !(json_number_value(mr) >= 0 &&
                                                             json_number_value(mr) <= 2))) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'min_recall' must be a number from 0 to 2");
        return;
    }
    lh_vec_autotune_req req = {.index = index, .eval = eval, .seed = 42,
                               .min_recall = json_is_number(mr) ? json_number_value(mr) : LH_TUNE_MIN_RECALL};
    lh_err err;
    json_t *job = NULL;
    lh_status st = lh_vec_grid_from_json(json_object_get(body, "grid"), &req.grid, &err);
    if (!st)
        st = lh_vec_tuner_submit(a->vec_tuner, &req, lh_http_principal(r), &job, &err);
    reply(r, st, &err, 202, st ? NULL : json_pack("{s:O, s:s, s:O, s:O, s:O}", "job_id",
                                                  json_object_get(job, "id"), "kind", "autotune",
                                                  "state", json_object_get(job, "state"),
                                                  "configs_total", json_object_get(job, "configs_total"),
                                                  "grid", json_object_get(job, "grid")));
    json_decref(job);
}
