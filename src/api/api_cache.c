/* api_cache.c: the hot cache: pin, evict, stats (engine/cache.h via the lake). */
#include <string.h>

#include "api/api_int.h"

/* The stats entry of one dataset (a new reference), or an empty object. */
static json_t *entry_of(lh_api *a, const char *name)
{
    json_t *stats = lh_lake_cache_stats(a->lake);
    json_t *found = NULL;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(stats, "datasets"), i, d)
        if (!strcmp(json_string_value(json_object_get(d, "dataset")), name))
            found = json_incref(d);
    json_decref(stats);
    return found ? found : json_pack("{s:s, s:b}", "dataset", name, "pinned", false);
}

/* POST /query/cache/pin and /query/cache/evict: {dataset}. */
static void pin_or_evict(lh_http_req *r, lh_api *a, bool pin)
{
    static const char *const allowed[] = {"dataset", NULL};
    const char *name;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "dataset", true, &name))
        return;
    lh_err err;
    lh_status st = pin ? lh_lake_cache_pin(a->lake, name, &err)
                       : lh_lake_cache_evict(a->lake, name, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, entry_of(a, name));
}

void lh__api_cache_pin(lh_http_req *r, void *app) { pin_or_evict(r, app, true); }

void lh__api_cache_evict(lh_http_req *r, void *app) { pin_or_evict(r, app, false); }

void lh__api_cache_stats(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_http_reply_json(r, 200, lh_lake_cache_stats(a->lake));
}
