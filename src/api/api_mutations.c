/* api_mutations.c: tombstones, compaction and vacuum (src/lake/mutations.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "lake/mutations.h"
#include "vector/graphs.h"

static void reply(lh_http_req *r, lh_status st, const lh_err *err, json_t *out)
{
    if (st)
        lh_http_reply_status(r, st, err->msg);
    else
        lh_http_reply_json(r, 200, out);
}

void lh__api_tombstone_add(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"row_key_column", "row_key_values", "actor", "reason", NULL};
    const char *column, *actor, *reason;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "row_key_column", true, &column) ||
        !lh__api_string(r, "actor", false, &actor) || !lh__api_string(r, "reason", false, &reason))
        return;
    json_t *values = json_object_get(lh_http_json(r), "row_key_values");
    if (!json_is_array(values) || !json_array_size(values)) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'row_key_values' must be a non-empty array");
        return;
    }
    lh_tombstone_request req = {lh_http_param(r, "name"), column, values,
                                actor ? actor : lh_http_principal(r), reason};
    json_t *out = NULL;
    lh_err err;
    lh_status st = lh_lake_tombstone(a->lake, &req, &out, &err);
    /* Searches already hide these keys (their allow bitmap reads the dataset through its
     * tombstones); the active HNSW graphs also stop returning their rows before we answer,
     * so a graph never spends its candidate list on them. */
    if (!st)
        lh_vec_graphs_forget_keys(a->vec_graphs, req.dataset, values);
    reply(r, st, &err, out);
}

void lh__api_tombstone_list(lh_http_req *r, void *app)
{
    lh_api *a = app;
    json_t *out = NULL;
    lh_err err;
    lh_status st = lh_lake_tombstones(a->lake, lh_http_param(r, "name"), &out, &err);
    reply(r, st, &err, out);
}

void lh__api_compact(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"dataset", "erase_now", NULL};
    const char *name;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "dataset", true, &name))
        return;
    json_t *now = json_object_get(lh_http_json(r), "erase_now");
    if (now && !json_is_null(now) && !json_is_boolean(now)) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'erase_now' must be true or false");
        return;
    }
    lh_compact_opts opts = {.erase_now = json_is_true(now),
                            .retention_hours = (double)lh_config_int(
                                a->config, "storage.vacuum_retention_hours", 168)};
    json_t *out = NULL;
    lh_err err;
    lh_status st = lh_lake_compact(a->lake, name, lh_http_principal(r), &opts, &out, &err);
    reply(r, st, &err, out);
}

void lh__api_vacuum(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"dataset", "retention_hours", NULL};
    const char *name;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "dataset", true, &name))
        return;
    json_t *h = json_object_get(lh_http_json(r), "retention_hours");
    double hours = (double)lh_config_int(a->config, "storage.vacuum_retention_hours", 168);
    if (h && !json_is_null(h)) {
        if (!json_is_number(h) || json_number_value(h) < 0 || !isfinite(json_number_value(h))) {
            lh_http_reply_error(r, 400, "invalid_input", "field 'retention_hours' must be a number >= 0");
            return;
        }
        hours = json_number_value(h);
    }
    json_t *out = NULL;
    lh_err err;
    lh_status st = lh_lake_vacuum(a->lake, name, hours, &out, &err);
    reply(r, st, &err, out);
}
