/* api_profiles.c: /catalog/profiles (model profiles: lake.h, catalog/profiles.h). */
#include "api/api_int.h"

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
