/* api_vectors.c: vector index builds (jobs), the registry and drop (vector/index.h). */
#include <string.h>

#include "api/api_int.h"
#include "vector/graphs.h"
#include "vector/index.h"
#include "vector/tune.h"

/* POST /vectors/index: {name?, dataset, text_column, key_column, provider?, model?,
 * chunk_size?, chunk_overlap?, chunk_unit?} -> 202 {job_id, index}. */
void lh__api_vectors_index(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_err err;
    lh_vec_spec spec;
    json_t *job = NULL;
    lh_status st = lh_vec_spec_from_json(lh_http_json(r), &spec, &err);
    if (!st)
        st = lh_vec_jobs_submit(a->vjobs, &spec, lh_http_principal(r), &job, &err);
    if (st) {
        lh_http_reply_status(r, st, err.msg);
        return;
    }
    lh_http_reply_json(r, 202, json_pack("{s:O, s:s, s:O}", "job_id", json_object_get(job, "id"),
                                         "index", spec.name, "state", json_object_get(job, "state")));
    json_decref(job);
}

void lh__api_vectors_jobs(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_err err;
    json_t *jobs = NULL;
    lh_status st = lh_vec_jobs_list(a->vjobs, &jobs, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, json_pack("{s:o}", "jobs", jobs));
}

void lh__api_vectors_job(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_err err;
    json_t *job = NULL;
    lh_status st = lh_vec_jobs_get(a->vjobs, lh_http_param(r, "id"), &job, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, job);
}

void lh__api_vectors_cancel(lh_http_req *r, void *app)
{
    static const char *const allowed[] = {NULL};
    lh_api *a = app;
    if (!lh__api_only_fields(r, allowed))
        return;
    lh_err err;
    json_t *job = NULL;
    const char *id = lh_http_param(r, "id");
    lh_status st;
    if (!lh_vec_tuner_cancel(a->vec_tuner, id, &err)) /* an autotune job (vector/tune.h) */
        st = lh_vec_jobs_get(a->vjobs, id, &job, &err);
    else
        st = lh_vec_jobs_cancel(a->vjobs, id, &job, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, job);
}

/* GET /vectors/indexes?source=&model= */
void lh__api_vectors_list(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_err err;
    json_t *list = NULL;
    const char *src = lh_http_query(r, "source"), *model = lh_http_query(r, "model");
    lh_status st = lh_vec_registry_list(lh_lake_store(a->lake), src && *src ? src : NULL,
                                        model && *model ? model : NULL, &list, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, json_pack("{s:o}", "indexes", list));
}

void lh__api_vectors_get(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_err err;
    json_t *e = NULL;
    lh_status st = lh_vec_registry_get(lh_lake_store(a->lake), lh_http_param(r, "name"), &e, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, e);
}

void lh__api_vectors_drop(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_err err;
    const char *name = lh_http_param(r, "name");
    lh_status st = LH_OK;
    if (lh_vec_jobs_busy(a->vjobs, name))
        st = lh_fail(&err, LH_ECONFLICT, "a build of vector index '%s' is queued or running; "
                     "cancel it first (POST /vectors/jobs/{id}/cancel)", name);
    lh_vec_env env;
    lh_lake_vec_env(a->lake, &env);
    if (!st)
        st = lh_vec_index_drop(&env, name, lh_http_principal(r), &err);
    if (!st) /* its graph held the dropped index in memory */
        lh_vec_graphs_deactivate(a->vec_graphs, name);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, json_pack("{s:s, s:b}", "index", name, "dropped", true));
}

/* GET /vectors/stale: the indexes built from an older version than their dataset's. */
void lh__api_vectors_stale(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_err err;
    json_t *list = NULL;
    lh_status st = lh_vec_registry_stale(lh_lake_store(a->lake), &list, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, json_pack("{s:o}", "indexes", list));
}
