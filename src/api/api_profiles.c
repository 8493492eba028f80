/* api_profiles.c: /catalog/profiles (model profiles: lake.h, catalog/profiles.h) and
 * /vectors/profile/{id}/activate|deactivate|search (vector/profile.h). */
#include "api/api_int.h"
#include "vector/profile.h"
#include "vector/search.h"

static void reply(lh_http_req *r, lh_status st, const lh_err *err, int status, json_t *out)
{
    if (st)
        lh_http_reply_status(r, st, err->msg);
    else
        lh_http_reply_json(r, status, out);
}

void lh__api_profiles_create(lh_http_req *r, void *app)
{
    lh_api *a = app;
    json_t *out = NULL;
    lh_err err;
    lh_status st = lh_lake_profile_create(a->lake, lh_http_json(r), lh_http_principal(r), &out, &err);
    reply(r, st, &err, 201, out);
}

void lh__api_profiles_list(lh_http_req *r, void *app)
{
    lh_api *a = app;
    json_t *list = NULL;
    lh_err err;
    lh_status st = lh_lake_profiles(a->lake, &list, &err);
    reply(r, st, &err, 200, st ? NULL : json_pack("{s:o}", "profiles", list));
}

void lh__api_profile_get(lh_http_req *r, void *app)
{
    lh_api *a = app;
    json_t *p = NULL;
    lh_err err;
    lh_status st = lh_lake_profile(a->lake, lh_http_param(r, "id"), &p, &err);
    reply(r, st, &err, 200, p);
}

void lh__api_profile_delete(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_err err;
    const char *id = lh_http_param(r, "id");
    lh_status st = lh_lake_profile_delete(a->lake, id, &err);
    reply(r, st, &err, 200, st ? NULL : json_pack("{s:s}", "deleted", id));
}

/* ---- /vectors/profile/{id}/... (vector/profile.h) ----------------------------------- */

/* The profile named by the path, or NULL after replying 404/400. */
static json_t *profile_or_reply(lh_http_req *r, lh_api *a)
{
    json_t *p = NULL;
    lh_err err;
    lh_status st = lh_lake_profile(a->lake, lh_http_param(r, "id"), &p, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    return p;
}

void lh__api_profile_activate(lh_http_req *r, void *app)
{
    lh_api *a = app;
    json_t *p = profile_or_reply(r, a), *out = NULL;
    if (!p)
        return;
    lh_vec_senv env;
    lh_lake_vec_senv(a->lake, &env);
    env.graphs = a->vec_graphs;
    env.cache = a->vec_cache;
    lh_err err;
    lh_status st = lh_vec_profile_activate(a->vec_graphs, a->vec_cache, &env, p, &out, &err);
    json_decref(p);
    reply(r, st, &err, 200, out);
}

void lh__api_profile_deactivate(lh_http_req *r, void *app)
{
    lh_api *a = app;
    json_t *p = profile_or_reply(r, a), *out = NULL;
    if (!p)
        return;
    lh_err err;
    lh_status st = lh_vec_profile_deactivate(a->vec_graphs, a->vec_cache, lh_lake_store(a->lake),
                                             p, &out, &err);
    json_decref(p);
    reply(r, st, &err, 200, out);
}

void lh__api_profile_search(lh_http_req *r, void *app)
{
    lh_api *a = app;
    json_t *p = profile_or_reply(r, a);
    if (p)
        lh__api_vectors_search_in(r, a, p);
    json_decref(p);
}
