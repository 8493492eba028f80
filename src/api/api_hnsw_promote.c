/* api_hnsw_promote.c: promote, roll back and show an index's HNSW config (vector/graphs.h).
 * A promotion or rollback changes the record, then activates the config it made current
 * (or drops the graph when none is left), so the answer says what searches use from now. */
#include "ann/hnsw.h"
#include "api/api_int.h"
#include "vector/graphs.h"
#include "vector/tune.h"

/* Activates the current config of the record (or drops the graph when it is null), then
 * answers the record with "graph": the activation report or null. */
static void activate_and_reply(lh_http_req *r, lh_api *a, const char *index, json_t *rec)
{
    lh_vec_senv env;
    lh_lake_vec_senv(a->lake, &env);
    lh_hnsw_params p;
    bool has = false;
    lh_err err;
    json_t *report = NULL;
    lh_status st = lh_vec_promoted_params(env.store, index, &p, &has, &err);
    if (!st && has)
        st = lh_vec_graphs_activate(a->vec_graphs, a->vec_cache, &env, index, &p, &report, &err);
    else if (!st)
        lh_vec_graphs_deactivate(a->vec_graphs, index);
    if (st) {
        /* the record changed; the graph follows on the index's next search */
        lh_http_reply_status(r, st, err.msg);
        json_decref(rec);
        return;
    }
    json_object_set_new(rec, "graph", report ? report : json_null());
    lh_http_reply_json(r, 200, rec);
}

/* POST /vectors/hnsw/promote/{index}/{trial_id} (no body). */
void lh__api_hnsw_promote(lh_http_req *r, void *app)
{
    lh_api *a = app;
    const char *index = lh_http_param(r, "index");
    lh_err err;
    json_t *rec = NULL;
    lh_status st = lh_vec_trial_promote(lh_lake_store(a->lake), index,
                                        lh_http_param(r, "trial_id"), lh_http_principal(r), &rec,
                                        &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        activate_and_reply(r, a, index, rec);
}

/* POST /vectors/hnsw/rollback/{index} (no body). */
void lh__api_hnsw_rollback(lh_http_req *r, void *app)
{
    lh_api *a = app;
    const char *index = lh_http_param(r, "index");
    lh_err err;
    json_t *rec = NULL;
    lh_status st = lh_vec_rollback(lh_lake_store(a->lake), index, &rec, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        activate_and_reply(r, a, index, rec);
}

/* GET /vectors/hnsw/promoted/{index}: the record, and "active": the graph searches use now
 * (null: exact). */
void lh__api_hnsw_promoted(lh_http_req *r, void *app)
{
    lh_api *a = app;
    const char *index = lh_http_param(r, "index");
    lh_err err;
    json_t *rec = NULL;
    lh_status st = lh_vec_promotion_get(lh_lake_store(a->lake), index, &rec, &err);
    if (st) {
        lh_http_reply_status(r, st, err.msg);
        return;
    }
    json_t *stats = lh_vec_graphs_stats(a->vec_graphs);
    json_t *active = stats ? json_object_get(stats, index) : NULL;
    json_object_set_new(rec, "active", active ? json_incref(active) : json_null());
    json_decref(stats);
    lh_http_reply_json(r, 200, rec);
}
