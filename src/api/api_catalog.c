/* api_catalog.c: /catalog/... */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/util.h"
#include "engine/engine.h"

void lh__api_datasets_list(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_http_reply_json(r, 200, json_pack("{s:o}", "datasets", lh_lake_datasets(a->lake)));
}

/* The metadata fields both create and patch accept, split into set/tags. */
static bool metadata_from_body(lh_http_req *r, json_t **set, json_t **tags)
{
    *set = json_object();
    *tags = NULL;
    static const char *const fields[] = {"description", "owner", "sensitivity"};
    for (size_t i = 0; i < 3; i++) {
        const char *v;
        if (!lh__api_string(r, fields[i], false, &v))
            return false;
        if (v)
            json_object_set_new(*set, fields[i], json_string(v));
    }
    json_t *t = json_object_get(lh_http_json(r), "tags");
    if (t && !json_is_array(t)) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'tags' must be an array of strings");
        return false;
    }
    *tags = t;
    return true;
}

void lh__api_datasets_create(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"name", "description", "owner", "sensitivity", "tags", NULL};
    const char *name;
    json_t *set = NULL, *tags = NULL;
    if (lh__api_only_fields(r, allowed) && lh__api_string(r, "name", true, &name) &&
        metadata_from_body(r, &set, &tags)) {
        lh_err err;
        lh_status st = lh_lake_create_dataset(a->lake, name, set, tags, &err);
        if (st)
            lh_http_reply_status(r, st, err.msg);
        else
            lh_http_reply_json(r, 201, lh_lake_dataset(a->lake, name));
    }
    json_decref(set);
}

static json_t *dataset_or_404(lh_http_req *r, lh_api *a)
{
    const char *name = lh_http_param(r, "name");
    json_t *m = lh_lake_dataset(a->lake, name);
    if (!m) {
        char msg[160];
        snprintf(msg, sizeof msg, "no dataset named '%.64s'", name);
        lh_http_reply_error(r, 404, "not_found", msg);
    }
    return m;
}

void lh__api_dataset_get(lh_http_req *r, void *app)
{
    json_t *m = dataset_or_404(r, app);
    if (m)
        lh_http_reply_json(r, 200, m);
}

void lh__api_dataset_patch(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"description", "owner", "sensitivity", "tags",
                                          "add_tags", "remove_tags", NULL};
    json_t *set = NULL, *tags = NULL;
    json_t *m = dataset_or_404(r, a);
    if (!m)
        return;
    if (lh__api_only_fields(r, allowed) && metadata_from_body(r, &set, &tags)) {
        json_t *body = lh_http_json(r);
        json_t *add = json_object_get(body, "add_tags"), *rm = json_object_get(body, "remove_tags");
        json_t *remove = rm ? json_incref(rm) : NULL;
        if (tags) {
            /* "tags" replaces the list: drop every current tag, then add these. */
            json_decref(remove);
            remove = json_deep_copy(json_object_get(m, "tags"));
            add = tags;
        }
        lh_err err;
        lh_status st = (add && !json_is_array(add)) || (remove && !json_is_array(remove))
                           ? lh_fail(&err, LH_EINVAL, "add_tags and remove_tags must be arrays")
                           : lh_lake_edit_metadata_by(a->lake, lh_http_principal(r),
                                                      lh_http_param(r, "name"), set, add, remove,
                                                      &err);
        json_decref(remove);
        if (st)
            lh_http_reply_status(r, st, err.msg);
        else
            lh_http_reply_json(r, 200, lh_lake_dataset(a->lake, lh_http_param(r, "name")));
    }
    json_decref(set);
    json_decref(m);
}

void lh__api_dataset_history(lh_http_req *r, void *app)
{
    lh_api *a = app;
    json_t *hist = NULL;
    lh_err err;
    lh_status st = lh_lake_history(a->lake, lh_http_param(r, "name"), &hist, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, json_pack("{s:s, s:o}", "dataset", lh_http_param(r, "name"),
                                             "history", hist));
}

void lh__api_resync(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"dataset", NULL};
    const char *name;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "dataset", false, &name))
        return;
    json_t *report = NULL;
    lh_err err;
    lh_status st = lh_lake_resync(a->lake, name, &report, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, json_pack("{s:o}", "report", report));
}
