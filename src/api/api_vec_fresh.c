/* api_vec_fresh.c: staleness and refresh of vector indexes (lake.h, vector/fresh.h). */
#include "api/api_int.h"

static void reply(lh_http_req *r, lh_status st, const lh_err *err, json_t *out)
{
    if (st)
        lh_http_reply_status(r, st, err->msg);
    else
        lh_http_reply_json(r, 200, out);
}

void lh__api_vectors_refresh(lh_http_req *r, void *app)
{
    lh_api *a = app;
    const char *dataset = lh_http_param(r, "dataset");
    json_t *list = NULL;
    lh_err err;
    lh_status st = lh_lake_vector_refresh(a->lake, dataset, lh_http_principal(r), &list, &err);
    reply(r, st, &err, st ? NULL : json_pack("{s:s, s:o}", "dataset", dataset, "refreshed", list));
}

void lh__api_vectors_policy(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"refresh", NULL};
    if (!lh__api_only_fields(r, allowed))
        return;
    json_t *policy = json_object_get(lh_http_json(r), "refresh");
    if (!policy) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'refresh' is required: \"manual\", "
                            "\"on_append\" or {\"every_seconds\": N}");
        return;
    }
    json_t *entry = NULL;
    lh_err err;
    lh_status st = lh_lake_vector_set_refresh(a->lake, lh_http_param(r, "name"), policy, &entry,
                                              &err);
    reply(r, st, &err, entry);
}
