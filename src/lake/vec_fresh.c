/* vec_fresh.c (lake): the points of the order of effects where a dataset's vector indexes
 * are told (DESIGN.md §1: write, commit, journal, then the indexes). The work itself is in
 * vector/fresh.c; this file only calls it and journals what it did. */
#include <string.h>

#include "core/util.h"
#include "engine/engine.h"
#include "lake/lake_int.h"
#include "table/table.h"
#include "catalog/catalog.h"
#include "vector/fresh.h"
#include "vector/index.h"

void lh_lake_on_index_append(lh_lake *lake, lh_lake_index_append_fn fn, void *ctx)
{
    lake->index_append = fn;
    lake->index_append_ctx = ctx;
}

void lh__lake_vectors_ingested(lh_lake *lake, const char *name, int64_t version)
{
    json_t *due = NULL;
    lh_err err = {{0}};
    (void)version; /* marked stale by lh__lake_vectors_stale (vectors.c) already */
    if (!lake->index_append)
        return; /* no refresher (the CLI): the indexes stay stale */
    if (lh_vector_on_append(lake->store, name, &due, &err)) {
        lh_log(LH_LOG_WARN, "dataset %s: its on_append vector indexes cannot be listed: %s", name,
               err.msg);
        return;
    }
    if (json_array_size(due))
        lake->index_append(lake->index_append_ctx, name, due);
    json_decref(due);
}

lh_status lh__lake_vectors_erase(lh_lake *lake, const char *name, const json_t *lines,
                                 const char *actor, json_t **report, lh_err *err)
{
    json_t *keys = json_array();
    if (!keys)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l) {
        json_t *v = json_object_get(l, "row_key_value");
        if (v && json_array_append(keys, v)) {
            json_decref(keys);
            return lh_fail(err, LH_ENOMEM, "out of memory");
        }
    }
    lh_status st = lh_vector_erase(lake->store, lake->eng, name, keys, report, err);
    json_decref(keys);
    if (st)
        return lh_fail_wrap(err, st, "compaction of %s: its vector indexes", name);
    json_t *r;
    json_array_foreach(*report, i, r) {
        if (json_integer_value(json_object_get(r, "chunks_removed")) > 0)
            lh__lake_journal_event(lake, name, "vectors.erasure", NULL, r, actor, "compaction");
    }
    return LH_OK;
}

lh_status lh__lake_vectors_vacuum(lh_lake *lake, const char *name, double hours, json_t **out,
                                  lh_err *err)
{
    json_t *prefixes = NULL;
    lh_status st = lh_vector_table_prefixes(lake->store, name, &prefixes, err);
    int64_t counts[3] = {0, 0, 0};
    size_t i;
    json_t *p;
    json_array_foreach(st ? NULL : prefixes, i, p) {
        lh_table_snapshot *snap = NULL;
        lh_checkpoint_reader cp = lh_engine_checkpoint_reader(lake->eng);
        st = lh_table_snapshot_load(lake->store, json_string_value(p), -1, &cp, &snap, err);
        lh_buf prefix;
        lh_buf_init(&prefix, 1024);
        lh_buf_printf(&prefix, "%s/", json_string_value(p));
        if (!st && lh_buf_status(&prefix))
            st = lh__lake_unbuilt(err, lh_buf_status(&prefix), name, "an index table's key");
        if (!st)
            st = lh__lake_vacuum_files(lake, name, prefix.data, snap, hours, counts, err);
        lh_buf_release(&prefix);
        lh_table_snapshot_free(snap);
        if (st) {
            st = lh_fail_wrap(err, st, "vacuum of %s: index table %s", name, json_string_value(p));
            break;
        }
    }
    size_t n = json_array_size(prefixes);
    json_decref(prefixes);
    if (st)
        return st;
    *out = json_pack("{s:I, s:I, s:I, s:I}", "indexes", (json_int_t)n, "files_deleted",
                     (json_int_t)counts[0], "bytes_deleted", (json_int_t)counts[1],
                     "files_kept", (json_int_t)counts[2]);
    return *out ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
}

/* ---- refresh (vector/fresh.h) ------------------------------------------------------------ */

lh_status lh_lake_vector_refresh(lh_lake *lake, const char *target, const char *actor,
                                 json_t **out, lh_err *err)
{
    lh_assert(lake->writer);
    lh_vec_env env;
    lh_lake_vec_env(lake, &env);
    json_t *names = json_array(), *res = json_array(), *entry = NULL, *list = NULL;
    lh_status st = names && res ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    pthread_mutex_lock(&lake->write_mu);
    /* a dataset's indexes, else the index of that name */
    json_t *m = lh_lake_dataset(lake, target); /* a copy */
    if (!st && m)
        st = lh_vec_registry_list(lake->store, target, NULL, &list, err);
    size_t i;
    json_t *e;
    json_array_foreach(st ? NULL : list, i, e)
        json_array_append(names, json_object_get(e, "name"));
    json_decref(list);
    lh_err ignored;
    if (!st && m && !json_array_size(names))
        st = lh_fail(err, LH_ENOTFOUND, "dataset '%s' has no vector index to refresh; create "
                     "one with POST /vectors/index {\"dataset\": \"%s\", \"text_column\": "
                     "\"...\", \"key_column\": \"...\"} or `lakehouse vectors index %s --text "
                     "COLUMN --key COLUMN`", target, target, target);
    else if (!st && !m && !lh_vec_registry_get(lake->store, target, &entry, &ignored))
        json_array_append_new(names, json_string(target));
    else if (!st && !m)
        st = lh_fail(err, LH_ENOTFOUND, "no dataset or vector index named '%s'", target);
    json_decref(m);
    json_decref(entry);
    json_t *n;
    json_array_foreach(st ? NULL : names, i, n) {
        json_t *one = NULL;
        st = lh_vec_refresh(&env, json_string_value(n), actor, &one, err);
        if (st || json_array_append_new(res, one)) {
            if (!st)
                st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
    }
    pthread_mutex_unlock(&lake->write_mu);
    json_decref(names);
    if (st) {
        json_decref(res);
        return st;
    }
    *out = res;
    return LH_OK;
}

lh_status lh_lake_vector_stale(lh_lake *lake, json_t **out, lh_err *err)
{
    return lh_vec_registry_stale(lake->store, out, err);
}

lh_status lh_lake_vector_set_refresh(lh_lake *lake, const char *index, const json_t *policy,
                                     json_t **entry, lh_err *err)
{
    lh_assert(lake->writer);
    pthread_mutex_lock(&lake->write_mu);
    lh_status st = lh_vector_set_refresh(lake->store, index, policy, entry, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}
