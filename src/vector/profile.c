/* profile.c: a model profile's indexes, their activation and the scope of its searches
 * (profile.h). */
#include "vector/profile.h"

#include <string.h>

#include "ann/hnsw.h"
#include "catalog/profiles.h"
#include "core/buf.h"
#include "core/util.h"
#include "vector/graphs.h"
#include "vector/index.h"
#include "vector/search.h"

lh_status lh_vec_profile_params(const json_t *profile, lh_hnsw_params *p, bool *has, lh_err *err)
{
    *has = false;
    const json_t *h = json_object_get(profile, "hnsw");
    if (!h || json_is_null(h))
        return LH_OK;
    static const char *const f[] = {"M", "ef_construction", "ef_search", "seed"};
    json_int_t v[4];
    for (size_t i = 0; i < 4; i++) {
        json_t *x = json_object_get(h, f[i]);
        if (!json_is_integer(x) || (v[i] = json_integer_value(x)) < 0 ||
            (i < 3 && v[i] > (json_int_t)UINT32_MAX))
            return lh_fail(err, LH_EINVAL, "field 'hnsw.%s' must be a whole number >= 0", f[i]);
    }
    lh_hnsw_params q = {.M = (uint32_t)v[0], .ef_construction = (uint32_t)v[1],
                        .ef_search = (uint32_t)v[2], .seed = (uint64_t)v[3]};
    lh_status st = lh_hnsw_params_check(&q, err);
    if (st)
        return lh_fail_wrap(err, st, "field 'hnsw'");
    *p = q;
    *has = true;
    return LH_OK;
}

lh_status lh_vec_profile_check(const json_t *profile, lh_err *err)
{
    lh_hnsw_params p;
    bool has;
    return lh_vec_profile_params(profile, &p, &has, err);
}

static const char *str_at(const json_t *o, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(o, a), b));
}

lh_status lh_vec_profile_indexes(lh_store *store, const json_t *profile, json_t **use,
                                 json_t **skipped, lh_err *err)
{
    *use = json_array();
    *skipped = json_array();
    if (!*use || !*skipped) {
        json_decref(*use);
        json_decref(*skipped);
        *use = *skipped = NULL;
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    const char *provider = str_at(profile, "embed", "provider");
    const char *model = str_at(profile, "embed", "model");
    /* one listing of the registry, filtered here: a profile binds up to 256 names, and a
     * listing per binding would read every entry that many times */
    json_t *entries = NULL;
    lh_status st = lh_vec_registry_list(store, NULL, NULL, &entries, err);
    int oom = 0;
    size_t j;
    json_t *e;
    json_array_foreach(entries, j, e) {
        const char *name = json_string_value(json_object_get(e, "name"));
        const char *ds = str_at(e, "source", "dataset");
        if (!name || !ds || !lh_profiles_binds(profile, ds))
            continue;
        const char *ip = str_at(e, "model", "provider"), *im = str_at(e, "model", "name");
        if (ip && im && provider && model && !strcmp(ip, provider) && !strcmp(im, model)) {
            oom |= json_array_append_new(*use, json_pack("{s:s, s:s}", "index", name, "dataset", ds));
        } else {
            lh_buf why;
            lh_buf_init(&why, 512);
            lh_buf_printf(&why, "embedded with %s/%s, not the profile's %s/%s", ip ? ip : "?",
                          im ? im : "?", provider ? provider : "?", model ? model : "?");
            oom |= json_array_append_new(*skipped, json_pack("{s:s, s:s, s:s}", "index", name,
                                                             "dataset", ds, "reason",
                                                             lh_buf_cstr(&why)));
            lh_buf_release(&why);
        }
    }
    json_decref(entries);
    if (!st && oom)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (st) {
        json_decref(*use);
        json_decref(*skipped);
        *use = *skipped = NULL;
    }
    return st;
}

lh_status lh_vec_profile_activate(lh_vec_graphs *g, lh_vec_cache *cache, const lh_vec_senv *env,
                                  const json_t *profile, json_t **out, lh_err *err)
{
    *out = NULL;
    double t0 = lh_mono_ms();
    lh_hnsw_params p;
    bool has = false;
    json_t *use = NULL, *skipped = NULL;
    lh_status st = lh_vec_profile_params(profile, &p, &has, err);
    if (!st)
        st = lh_vec_profile_indexes(env->store, profile, &use, &skipped, err);
    if (st)
        return st;
    json_t *warmed = json_array(), *failures = json_array();
    int oom = !warmed || !failures;
    size_t i;
    json_t *u;
    json_array_foreach(use, i, u) {
        const char *name = json_string_value(json_object_get(u, "index"));
        lh_vec_index *idx = NULL;
        json_t *report = NULL;
        lh_err why;
        /* warm first: the graph borrows the loaded index's vectors (graphs.h) */
        lh_status s = lh_vec_cache_get(cache, env, name, &idx, &why);
        if (!s)
            s = lh_vec_graphs_activate(g, cache, env, name, has ? &p : NULL, &report, &why);
        if (s)
            oom |= json_array_append_new(failures, json_pack("{s:s, s:s}", "index", name, "error", why.msg));
        else
            oom |= json_array_append_new(
                warmed, json_pack("{s:s, s:O, s:I, s:I, s:o}", "index", name, "dataset",
                                  json_object_get(u, "dataset"), "rows",
                                  (json_int_t)lh_vec_index_chunks(idx), "bytes",
                                  (json_int_t)lh_vec_index_bytes(idx), "graph",
                                  report ? report : json_null()));
        lh_vec_cache_put(cache, idx);
    }
    json_decref(use);
    if (!oom)
        *out = json_pack("{s:O, s:o, s:o, s:o, s:I}", "profile", json_object_get(profile, "id"),
                         "warmed", warmed, "skipped", skipped, "failures", failures,
                         "duration_ms", (json_int_t)(lh_mono_ms() - t0));
    else {
        json_decref(warmed);
        json_decref(skipped);
        json_decref(failures);
    }
    return *out ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
}

lh_status lh_vec_profile_deactivate(lh_vec_graphs *g, lh_vec_cache *cache, lh_store *store,
                                    const json_t *profile, json_t **out, lh_err *err)
{
    *out = NULL;
    json_t *use = NULL, *skipped = NULL;
    lh_status st = lh_vec_profile_indexes(store, profile, &use, &skipped, err);
    if (st)
        return st;
    json_decref(skipped);
    json_t *released = json_array();
    int oom = !released;
    size_t i;
    json_t *u;
    json_array_foreach(use, i, u) {
        const char *name = json_string_value(json_object_get(u, "index"));
        /* the graph first: it holds a cache reference to the index it links */
        bool graph = lh_vec_graphs_deactivate(g, name);
        bool evicted = lh_vec_cache_drop(cache, name);
        oom |= json_array_append_new(released, json_pack("{s:s, s:O, s:b, s:b}", "index", name,
                                                         "dataset", json_object_get(u, "dataset"),
                                                         "graph", graph, "evicted", evicted));
    }
    json_decref(use);
    if (!oom)
        *out = json_pack("{s:O, s:o}", "profile", json_object_get(profile, "id"), "released", released);
    else
        json_decref(released);
    return *out ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
}

lh_status lh_vec_profile_scope(lh_store *store, const json_t *profile, const char *name,
                               lh_err *err)
{
    json_t *e = NULL;
    lh_status st = lh_vec_registry_get(store, name, &e, err);
    if (st && st != LH_ENOTFOUND)
        return st;
    /* an index: its source decides; any other name is what the client may have meant as a
     * dataset (lh_vec_resolve), so the binding of that name decides: an unbound dataset's
     * indexes (or their absence) are never described to this profile */
    const char *ds = st ? name : str_at(e, "source", "dataset");
    bool ok = ds && lh_profiles_binds(profile, ds);
    json_decref(e);
    if (ok)
        return LH_OK;
    /* the message names what the profile may search, so the caller knows where to go (as
     * many names as one line holds, then how many more) */
    lh_buf list;
    lh_buf_init(&list, 0);
    const json_t *b = json_object_get(profile, "bound_datasets");
    size_t n = json_array_size(b), shown = 0;
    for (; shown < n; shown++) {
        const char *bn = json_string_value(json_array_get(b, shown));
        if (list.len + strlen(bn ? bn : "") + 2 > sizeof err->msg / 2)
            break;
        lh_buf_printf(&list, "%s%s", shown ? ", " : "", bn ? bn : "?");
    }
    if (shown < n)
        lh_buf_printf(&list, " and %zu more", n - shown);
    const char *id = json_string_value(json_object_get(profile, "id"));
    st = lh_fail(err, LH_EDENIED, "profile '%s' may search only: %s", id ? id : "?",
                 lh_buf_status(&list) ? "(out of memory)" : lh_buf_cstr(&list));
    lh_buf_release(&list);
    return st;
}
