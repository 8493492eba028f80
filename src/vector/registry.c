/* registry.c: the registry entries (_vectors/<name>/index.json), listing, drop, and the
 * removal of an index's files (index.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/util.h"
#include "storage/storage.h"
#include "vector/index_int.h"

#define REGISTRY_MAX ((size_t)1 << 20)

lh_status lh_vec_registry_get(lh_store *s, const char *name, json_t **out, lh_err *err)
{
    *out = NULL;
    lh_status st = lh_catalog_check_name(name, err);
    if (st)
        return lh_fail(err, st, "index name: %s", err->msg);
    lh_buf key, text;
    lh_buf_init(&key, 0);
    lh_buf_init(&text, 0);
    if ((st = lh_vec_index_key(name, "index.json", &key)))
        st = lh_fail(err, st, "out of memory");
    if (!st && (st = lh_store_get(s, key.data, REGISTRY_MAX, &text, err)) == LH_ENOTFOUND)
        st = lh_fail(err, LH_ENOTFOUND, "no vector index named '%s'", name);
    if (!st) {
        json_error_t je;
        *out = lh_json_loadb(text.data, text.len, 0, &je);
        if (!json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            st = lh_fail(err, LH_ECORRUPT, "the registry entry of vector index '%s' is not a JSON "
                         "object: %s", name, je.text);
        }
    }
    lh_buf_release(&key);
    lh_buf_release(&text);
    return st;
}

typedef struct list_ctx {
    lh_store *s;
    json_t *names;
} list_ctx;

static int collect(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    list_ctx *c = ctx;
    const char *root = lh_vec_root_key();
    size_t rl = strlen(root);
    const char *name = key + rl + 1;
    const char *slash = strchr(name, '/');
    if (slash && !strcmp(slash, "/index.json"))
        json_array_append_new(c->names, json_stringn(name, (size_t)(slash - name)));
    return 0;
}

lh_status lh_vec_registry_list(lh_store *s, const char *source, const char *model, json_t **out,
                               lh_err *err)
{
    *out = json_array();
    list_ctx c = {s, json_array()};
    if (!*out || !c.names) {
        json_decref(c.names);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    lh_buf prefix;
    lh_buf_init(&prefix, 0);
    lh_buf_printf(&prefix, "%s/", lh_vec_root_key());
    lh_status st = lh_store_list(s, prefix.data, collect, &c, err);
    if (st == LH_ENOTFOUND)
        st = LH_OK;
    size_t i;
    json_t *n;
    json_array_foreach(c.names, i, n) {
        json_t *e = NULL;
        lh_err e2;
        if (lh_vec_registry_get(s, json_string_value(n), &e, &e2))
            continue; /* an invalid name or a damaged entry is skipped */
        const char *ds = json_string_value(json_object_get(json_object_get(e, "source"), "dataset"));
        const char *mn = json_string_value(json_object_get(json_object_get(e, "model"), "name"));
        if ((source && (!ds || strcmp(ds, source))) || (model && (!mn || strcmp(mn, model))))
            json_decref(e);
        else
            json_array_append_new(*out, e);
    }
    json_decref(c.names);
    lh_buf_release(&prefix);
    return st;
}

typedef struct rm_ctx {
    lh_store *s;
    json_t *keys;
} rm_ctx;

static int collect_all(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    rm_ctx *c = ctx;
    json_array_append_new(c->keys, json_string(key));
    return 0;
}

lh_status lh__vec_remove_dir(lh_store *s, const char *name, lh_err *err)
{
    lh_buf prefix;
    lh_buf_init(&prefix, 0);
    lh_vec_index_prefix(name, &prefix);
    lh_buf_addc(&prefix, '/');
    rm_ctx c = {s, json_array()};
    lh_status st = lh_buf_status(&prefix) ? lh_fail(err, LH_ENOMEM, "out of memory")
                 : c.keys ? lh_store_list(s, prefix.data, collect_all, &c, err)
                          : lh_fail(err, LH_ENOMEM, "out of memory");
    if (st == LH_ENOTFOUND)
        st = LH_OK;
    size_t i;
    json_t *k;
    json_array_foreach(c.keys, i, k)
        if (!st)
            st = lh_store_delete(s, json_string_value(k), err);
    /* the directories, deepest first (the local store leaves them behind) */
    if (!st) {
        static const char *const dirs[] = {"model", "_delta_log", "", NULL};
        for (size_t d = 0; dirs[d]; d++) {
            lh_buf key, path;
            lh_buf_init(&key, 0);
            lh_buf_init(&path, 0);
            if (dirs[d][0])
                lh_vec_index_key(name, dirs[d], &key);
            else
                lh_vec_index_prefix(name, &key);
            if (!lh_buf_status(&key) && !lh_store_local_path(s, key.data, &path, err))
                (void)rmdir(path.data); /* not empty or not there: nothing to do */
            lh_buf_release(&key);
            lh_buf_release(&path);
        }
    }
    json_decref(c.keys);
    lh_buf_release(&prefix);
    return st;
}

void lh__vec_journal(const lh_vec_env *env, const char *name, const char *field, json_t *value,
                     const char *actor)
{
    if (!env->journal)
        return;
    json_t *ev = json_pack("{s:s, s:s, s:s, s:O?, s:s, s:s}", "entity", "vector_index",
                           "entity_id", name, "field", field, "new_value", value, "actor",
                           actor ? actor : "cli", "source", "vectors");
    if (ev)
        env->journal(env->ctx, ev);
    json_decref(ev);
}

lh_status lh_vec_index_drop(const lh_vec_env *env, const char *name, const char *actor, lh_err *err)
{
    json_t *entry = NULL;
    lh_status st = lh_vec_registry_get(env->store, name, &entry, err);
    if (st)
        return st;
    lh_buf key;
    lh_buf_init(&key, 0);
    if ((st = lh_vec_index_key(name, "index.json", &key)))
        st = lh_fail(err, st, "out of memory");
    if (!st)
        st = lh_store_delete(env->store, key.data, err); /* gone from here on */
    lh_buf_release(&key);
    if (!st) {
        lh_fault_point("vector.drop_after_registry");
        json_t *v = json_pack("{s:O?, s:O?}", "source", json_object_get(entry, "source"),
                              "chunks", json_object_get(entry, "chunks"));
        lh__vec_journal(env, name, "drop", v, actor);
        json_decref(v);
        st = lh__vec_remove_dir(env->store, name, err);
        if (!st) /* a new index of this name starts with no promoted HNSW config */
            st = lh__vec_promotion_remove(env->store, name, err);
    }
    json_decref(entry);
    return st;
}

lh_status lh_vec_model_read(lh_store *s, const char *name, const char *rel, lh_buf *out,
                            lh_err *err)
{
    lh_buf key;
    lh_buf_init(&key, 0);
    lh_status st = lh_vec_index_key(name, rel, &key);
    if (st)
        st = lh_fail(err, st, "out of memory");
    else
        st = lh_store_get(s, key.data, (size_t)1 << 31, out, err);
    lh_buf_release(&key);
    return st;
}

lh_status lh_vec_mark_stale(lh_store *s, const char *dataset, int64_t version, size_t *marked,
                            lh_err *err)
{
    *marked = 0;
    json_t *list = NULL;
    lh_status st = lh_vec_registry_list(s, dataset, NULL, &list, err);
    size_t i;
    json_t *e;
    char now[32];
    lh_format_time(lh_now_ms(), now);
    json_array_foreach(list, i, e) {
        json_int_t built = json_integer_value(json_object_get(json_object_get(e, "source"), "table_version"));
        if (st || !json_is_null(json_object_get(e, "stale_since")) || built >= version)
            continue;
        json_object_set_new(e, "stale_since", json_string(now));
        char *text = lh_json_dumps(e, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        lh_buf key;
        lh_buf_init(&key, 0);
        lh_vec_index_key(json_string_value(json_object_get(e, "name")) ?: "", "index.json", &key);
        st = !text || lh_buf_status(&key) ? lh_fail(err, LH_ENOMEM, "out of memory")
           : lh_store_put(s, key.data, text, strlen(text), err);
        if (!st)
            (*marked)++;
        free(text);
        lh_buf_release(&key);
    }
    json_decref(list);
    return st;
}

lh_status lh_vec_registry_stale(lh_store *s, json_t **out, lh_err *err)
{
    json_t *all = NULL;
    lh_status st = lh_vec_registry_list(s, NULL, NULL, &all, err);
    *out = json_array();
    if (!*out) {
        json_decref(all);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e)
        if (!json_is_null(json_object_get(e, "stale_since")) && json_object_get(e, "stale_since"))
            json_array_append(*out, e);
    json_decref(all);
    return st;
}
