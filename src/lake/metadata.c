/* metadata.c: what users say about a dataset (description, owner, sensitivity, tags),
 * validated and written to its manifest, one journal event per changed key; and the
 * read side: manifests and commit history. */
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/manifest.h"
#include "catalog/pii.h"
#include "core/util.h"
#include "journal/journal.h"
#include "lake/lake_int.h"
#include "table/table.h"

/* Validates and applies metadata edits to manifest m (nothing changes on error). */
static lh_status apply_edits(json_t *m, json_t *set, json_t *tags_add, json_t *tags_remove,
                             lh_err *err)
{
    const char *key;
    json_t *v;
    size_t i, k;
    json_object_foreach(set, key, v) {
        if (strcmp(key, "description") && strcmp(key, "owner") && strcmp(key, "sensitivity"))
            return lh_fail(err, LH_EINVAL, "unknown field '%s' (expected description, owner or sensitivity)", key);
        if (!json_is_string(v))
            return lh_fail(err, LH_EINVAL, "field '%s' must be a string", key);
        if (!strcmp(key, "sensitivity") && lh_catalog_check_sensitivity(json_string_value(v), err))
            return LH_EINVAL;
    }
    /* A dataset is at least as sensitive as its most sensitive column (the ingest's PII
     * scan raises it so): an edit may raise the level, never set it below a column's. */
    const char *level = json_string_value(json_object_get(set, "sensitivity"));
    if (level) {
        int want = lh_pii_sensitivity_rank(level), top = -1;
        const char *col = NULL;
        json_t *c;
        json_array_foreach(json_object_get(m, "columns"), i, c) {
            int r = lh_pii_sensitivity_rank(json_string_value(json_object_get(c, "sensitivity")));
            if (r > top) {
                top = r;
                col = json_string_value(json_object_get(c, "name"));
            }
        }
        if (top > want)
            return lh_fail(err, LH_EINVAL, "sensitivity '%s' is below column '%s' (%s); a dataset "
                           "is at least as sensitive as its most sensitive column", level,
                           col ? col : "?", lh_pii_sensitivity_name(top));
    }
    json_array_foreach(tags_add, i, v)
        if (!json_is_string(v) || !json_string_length(v))
            return lh_fail(err, LH_EINVAL, "tags must be non-empty strings");
    json_object_update(m, set);
    json_t *tags = json_object_get(m, "tags");
    if (!json_is_array(tags)) {
        tags = json_array();
        json_object_set_new(m, "tags", tags);
    }
    json_array_foreach(tags_add, i, v) {
        bool have = false;
        json_t *t;
        json_array_foreach(tags, k, t) have |= json_equal(t, v);
        if (!have)
            json_array_append(tags, v);
    }
    json_array_foreach(tags_remove, i, v) {
        for (k = json_array_size(tags); k-- > 0;)
            if (json_equal(json_array_get(tags, k), v))
                json_array_remove(tags, k);
    }
    return LH_OK;
}

static lh_status edit_metadata(lh_lake *lake, const char *name, json_t *set, json_t *tags_add,
                               json_t *tags_remove, const char *actor, lh_err *err)
{
    json_t *old = lh_catalog_get(lake->cat, name);
    if (!old)
        return lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
    json_t *m = json_deep_copy(old);
    json_t *before = json_deep_copy(old); /* old is gone once the new manifest is put */
    json_t *events = json_array();
    lh_status st = m && before && events ? apply_edits(m, set, tags_add, tags_remove, err)
                                         : lh_fail(err, LH_ENOMEM, "out of memory");
    /* one journal event per key that changed, built and checked before the manifest is
     * put: an edit whose record the journal would refuse (old and new tags over its
     * 1 MiB line limit, say) changes nothing rather than being applied unrecorded */
    static const char *const keys[] = {"description", "owner", "sensitivity", "tags"};
    for (size_t i = 0; !st && i < sizeof keys / sizeof keys[0]; i++) {
        json_t *a = json_object_get(before, keys[i]), *b = json_object_get(m, keys[i]);
        if (!json_equal(a, b) && (a || b) &&
            json_array_append_new(events, json_pack("{s:s, s:s, s:s, s:O?, s:O?, s:s, s:s}",
                                                    "entity", "dataset", "entity_id", name,
                                                    "field", keys[i], "old_value", a,
                                                    "new_value", b, "actor", actor ? actor : "cli",
                                                    "source", "metadata")))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    }
    if (!st && json_array_size(events) && (st = lh_journal_check(events, err)))
        st = lh_fail_wrap(err, st, "dataset %s: nothing changed; the journal record of this "
                          "edit cannot be written", name);
    if (!st)
        st = lh_catalog_put(lake->cat, m, err);
    /* after the put, as for ingests: a journal that fails here is logged, not returned */
    lh_err jerr;
    if (!st && json_array_size(events) && lake->journal &&
        lh_journal_append_many(lake->journal, events, false, NULL, &jerr))
        lh_log(LH_LOG_WARN, "journal: %s metadata edit not recorded: %s", name, jerr.msg);
    json_decref(events);
    json_decref(before);
    json_decref(m);
    return st;
}

lh_status lh_lake_edit_metadata(lh_lake *lake, const char *name, json_t *set, json_t *tags_add,
                                json_t *tags_remove, lh_err *err)
{
    return lh_lake_edit_metadata_by(lake, NULL, name, set, tags_add, tags_remove, err);
}

lh_status lh_lake_edit_metadata_by(lh_lake *lake, const char *actor, const char *name, json_t *set,
                                   json_t *tags_add, json_t *tags_remove, lh_err *err)
{
    pthread_mutex_lock(&lake->write_mu);
    lh_status st = edit_metadata(lake, name, set, tags_add, tags_remove, actor, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}

lh_status lh_lake_create_dataset(lh_lake *lake, const char *name, json_t *set, json_t *tags,
                                 lh_err *err)
{
    lh_status st = lh_catalog_check_name(name, err);
    if (st)
        return st;
    pthread_mutex_lock(&lake->write_mu);
    if (lh_catalog_get(lake->cat, name)) {
        st = lh_fail(err, LH_EEXIST, "dataset '%s' already exists", name);
    } else {
        /* A manifest with no table yet: the first ingest into this name fills it. */
        json_t *m = lh_manifest_new(name, lh_now_ms());
        st = apply_edits(m, set, tags, NULL, err);
        if (!st)
            st = lh_catalog_put(lake->cat, m, err);
        json_decref(m);
    }
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}

json_t *lh_lake_dataset(lh_lake *lake, const char *name)
{
    return lh_catalog_check_name(name, NULL) ? NULL : lh_catalog_get_copy(lake->cat, name);
}

json_t *lh_lake_datasets(lh_lake *lake) { return lh_catalog_list_copy(lake->cat); }
size_t lh_lake_dataset_count(lh_lake *lake) { return lh_catalog_count(lake->cat); }

lh_status lh_lake_history(lh_lake *lake, const char *name, json_t **out, lh_err *err)
{
    lh_status st = lh_catalog_check_name(name, err);
    if (st)
        return st;
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    st = lh_buf_status(&prefix);
    if (st)
        st = lh__lake_unbuilt(err, st, name, "the table's key");
    else
        st = lh_table_history(lake->store, prefix.data, out, err);
    lh_buf_release(&prefix);
    if (st == LH_ENOTFOUND)
        st = lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
    return st;
}
