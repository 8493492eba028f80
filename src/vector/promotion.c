/* promotion.c: the promotion record of an index's HNSW config,
 * _hnsw_promotions/<index>.json (graphs.h): what is current, what was before it. The
 * record is small and changes rarely; every change is read, edited, then written with an
 * atomic replace, so a crash leaves the old record or the new one. Changes of one process
 * are serialised by a lock (two promotions racing would otherwise lose one history entry);
 * the server is the only writer of a data directory (its writer lock). */
#include <pthread.h>
#include <string.h>

#include "ann/hnsw.h"
#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/util.h"
#include "storage/storage.h"
#include "vector/graphs.h"
#include "vector/index_int.h"

#define PROMOTIONS "_hnsw_promotions"
#define RECORD_MAX ((size_t)1 << 20)

static pthread_mutex_t change_mu = PTHREAD_MUTEX_INITIALIZER;

static lh_status record_key(const char *index, lh_buf *key, lh_err *err)
{
    lh_buf_printf(key, PROMOTIONS "/%s.json", index);
    return lh_buf_status(key) ? lh_fail(err, LH_ENOMEM, "out of memory") : LH_OK;
}

lh_status lh_vec_promotion_get(lh_store *store, const char *index, json_t **out, lh_err *err)
{
    *out = NULL;
    json_t *entry = NULL;
    lh_status st = lh_vec_registry_get(store, index, &entry, err); /* checks the name too */
    json_decref(entry);
    if (st)
        return st;
    lh_buf key, text;
    lh_buf_init(&key, 0);
    lh_buf_init(&text, 0);
    st = record_key(index, &key, err);
    if (!st)
        st = lh_store_get(store, key.data, RECORD_MAX, &text, err);
    if (st == LH_ENOTFOUND) {
        st = (*out = json_pack("{s:s, s:n, s:[]}", "index", index, "current", "history"))
                 ? LH_OK
                 : lh_fail(err, LH_ENOMEM, "out of memory");
    } else if (!st) {
        json_error_t je;
        *out = lh_json_loadb(text.data, text.len, 0, &je);
        if (!json_is_object(*out) || !json_is_array(json_object_get(*out, "history"))) {
            json_decref(*out);
            *out = NULL;
            st = lh_fail(err, LH_ECORRUPT, "the HNSW promotion record of index '%s' is not valid "
                         "JSON of the expected shape", index);
        }
    }
    lh_buf_release(&key);
    lh_buf_release(&text);
    return st;
}

/* params of a config object; LH_ECORRUPT when a member is missing or out of range. */
static lh_status config_params(const json_t *c, lh_hnsw_params *p, lh_err *err)
{
    json_t *m = json_object_get(c, "M"), *efc = json_object_get(c, "ef_construction");
    json_t *efs = json_object_get(c, "ef_search"), *seed = json_object_get(c, "seed");
    if (!json_is_integer(m) || !json_is_integer(efc) || !json_is_integer(efs) ||
        !json_is_integer(seed) || json_integer_value(m) < 0 || json_integer_value(efc) < 0 ||
        json_integer_value(efs) < 0 || json_integer_value(m) > LH_HNSW_M_MAX ||
        json_integer_value(efc) > LH_HNSW_EF_MAX || json_integer_value(efs) > LH_HNSW_EF_MAX)
        return lh_fail(err, LH_ECORRUPT, "an HNSW promotion record holds a config without "
                       "valid M, ef_construction, ef_search and seed");
    *p = (lh_hnsw_params){.M = (uint32_t)json_integer_value(m),
                          .ef_construction = (uint32_t)json_integer_value(efc),
                          .ef_search = (uint32_t)json_integer_value(efs),
                          .seed = (uint64_t)json_integer_value(seed)};
    return lh_hnsw_params_check(p, err) ? lh_fail(err, LH_ECORRUPT, "an HNSW promotion record "
                                                  "holds a bad config: %s", err->msg)
                                        : LH_OK;
}

lh_status lh_vec_promoted_params(lh_store *store, const char *index, lh_hnsw_params *p, bool *has,
                                 lh_err *err)
{
    *has = false;
    json_t *rec = NULL;
    lh_status st = lh_vec_promotion_get(store, index, &rec, err);
    json_t *cur = rec ? json_object_get(rec, "current") : NULL;
    if (!st && json_is_object(cur) && !(st = config_params(cur, p, err)))
        *has = true;
    json_decref(rec);
    return st;
}

static lh_status save(lh_store *store, const char *index, const json_t *rec, lh_err *err)
{
    lh_buf key;
    lh_buf_init(&key, 0);
    char *text = lh_json_dumps(rec, JSON_INDENT(2) | JSON_SORT_KEYS);
    lh_status st = text ? record_key(index, &key, err) : lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_store_put(store, key.data, text, strlen(text), err);
    free(text);
    lh_buf_release(&key);
    return st;
}

lh_status lh_vec_promote(lh_store *store, const char *index, const lh_hnsw_params *p,
                         const char *trial_id, const char *actor, json_t **out, lh_err *err)
{
    if (out)
        *out = NULL;
    lh_status st = lh_hnsw_params_check(p, err);
    if (st)
        return st;
    char at[32];
    lh_format_time(lh_now_ms(), at);
    json_t *config = json_pack("{s:s?, s:I, s:I, s:I, s:I, s:s, s:s}", "trial_id", trial_id, "M",
                               (json_int_t)p->M, "ef_construction", (json_int_t)p->ef_construction,
                               "ef_search", (json_int_t)p->ef_search, "seed",
                               (json_int_t)p->seed, "promoted_at", at, "promoted_by",
                               actor ? actor : "cli");
    if (!config)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    if (!trial_id)
        json_object_set_new(config, "trial_id", json_null());
    pthread_mutex_lock(&change_mu);
    json_t *rec = NULL;
    st = lh_vec_promotion_get(store, index, &rec, err);
    if (!st) {
        json_t *hist = json_object_get(rec, "history"), *cur = json_object_get(rec, "current");
        if (json_is_object(cur))
            json_array_append(hist, cur);
        while (json_array_size(hist) > LH_HNSW_HISTORY_MAX)
            json_array_remove(hist, 0);
        json_object_set(rec, "current", config);
        st = save(store, index, rec, err);
    }
    pthread_mutex_unlock(&change_mu);
    json_decref(config);
    if (!st && out)
        *out = json_incref(rec);
    json_decref(rec);
    return st;
}

lh_status lh_vec_rollback(lh_store *store, const char *index, json_t **out, lh_err *err)
{
    if (out)
        *out = NULL;
    pthread_mutex_lock(&change_mu);
    json_t *rec = NULL;
    lh_status st = lh_vec_promotion_get(store, index, &rec, err);
    if (!st && !json_is_object(json_object_get(rec, "current")))
        st = lh_fail(err, LH_ECONFLICT, "index '%s' has no promoted HNSW config to roll back",
                     index);
    if (!st) {
        json_t *hist = json_object_get(rec, "history");
        size_t n = json_array_size(hist);
        json_object_set(rec, "current", n ? json_array_get(hist, n - 1) : json_null());
        if (n)
            json_array_remove(hist, n - 1);
        st = save(store, index, rec, err);
    }
    pthread_mutex_unlock(&change_mu);
    if (!st && out)
        *out = json_incref(rec);
    json_decref(rec);
    return st;
}

lh_status lh__vec_promotion_remove(lh_store *s, const char *name, lh_err *err)
{
    lh_buf key;
    lh_buf_init(&key, 0);
    lh_status st = record_key(name, &key, err);
    if (!st && (st = lh_store_delete(s, key.data, err)) == LH_ENOTFOUND)
        st = LH_OK;
    lh_buf_release(&key);
    return st;
}
