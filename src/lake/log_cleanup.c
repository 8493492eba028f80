/* log_cleanup.c: vacuum's deletion of expired JSON commits behind the newest checkpoint
 * (table.h "Log cleanup"), with vacuum's retention. What lakehouse itself reads from old
 * commits is kept first: the content hashes ingest's duplicate check compares
 * (catalog.h, lh_catalog_ingested_key), written before any commit is deleted, so a crash
 * between the two leaves hashes recorded twice, never lost. The same record serves as the
 * duplicate check's index: at each checkpoint the hashes of the commits since the last one
 * are added and "through_version" (with the table's id) says every hash up to there is in
 * it, so that check reads only the commits after it (lh__lake_index_ingested). */
#include <string.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/util.h"
#include "engine/engine.h"
#include "lake/lake_int.h"
#include "storage/storage.h"
#include "table/table.h"

/* Adds the content hashes of infos (commitInfo objects, or lh_table_history entries) to
 * the dataset's record; through >= 0 (with table_id) also records that every hash of the
 * commits up to that version is there. */
static lh_status keep_hashes(lh_lake *lake, const char *name, const json_t *infos,
                             int64_t through, const char *table_id, lh_err *err)
{
    lh_store *s = lh_lake_store(lake);
    lh_buf key, text;
    lh_buf_init(&key, 1024);
    lh_buf_init(&text, LH_BUF_DEFAULT_MAX);
    lh_catalog_ingested_key(name, &key);
    json_t *rec = NULL, *seen = json_object();
    lh_status st = lh_buf_status(&key);
    if (st)
        st = lh__lake_unbuilt(err, st, name, "the key of its ingested files' record");
    if (!st)
        st = lh_store_get(s, key.data, LH_BUF_DEFAULT_MAX, &text, err);
    if (st == LH_ENOTFOUND) {
        st = LH_OK;
        rec = json_pack("{s:s, s:[]}", "dataset", name, "content_sha256");
    } else if (!st) {
        rec = lh_json_loadb(text.data, text.len, 0, NULL);
        if (!json_is_array(json_object_get(rec, "content_sha256")))
            st = lh_fail(err, LH_ECORRUPT, "dataset %s: the record of its ingested files is "
                         "damaged", name);
    }
    if (!st && (!rec || !seen))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    json_t *hashes = json_object_get(rec, "content_sha256");
    size_t i;
    json_t *h;
    json_array_foreach(st ? NULL : hashes, i, h)
        if (json_is_string(h))
            json_object_set(seen, json_string_value(h), json_true());
    size_t before = json_array_size(hashes);
    json_array_foreach(st ? NULL : infos, i, h) {
        const char *sha = json_string_value(
            json_object_get(json_object_get(h, "operationParameters"), "content_sha256"));
        if (sha && !json_object_get(seen, sha) &&
            (json_object_set(seen, sha, json_true()) || json_array_append_new(hashes, json_string(sha))))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    }
    bool moved = false;
    if (!st && through >= 0) {
        json_t *old = json_object_get(rec, "through_version");
        const char *tid = json_string_value(json_object_get(rec, "table_id"));
        moved = !json_is_integer(old) || json_integer_value(old) != through || !tid ||
                strcmp(tid, table_id);
        if (moved && (json_object_set_new(rec, "through_version", json_integer(through)) ||
                      json_object_set_new(rec, "table_id", json_string(table_id))))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    }
    if (!st && (json_array_size(hashes) != before || moved)) {
        char *out = lh_json_dumps(rec, JSON_INDENT(1));
        st = out ? lh_store_put(s, key.data, out, strlen(out), err)
                 : lh_fail(err, LH_ENOMEM, "out of memory");
        free(out);
    }
    json_decref(rec);
    json_decref(seen);
    lh_buf_release(&key);
    lh_buf_release(&text);
    return st;
}

lh_status lh__lake_log_cleanup(lh_lake *lake, const char *name, double hours, int64_t *deleted,
                               lh_err *err)
{
    *deleted = 0;
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    lh_status st = lh_buf_status(&prefix);
    if (st) {
        lh_buf_release(&prefix);
        return lh__lake_unbuilt(err, st, name, "the table's key");
    }
    lh_checkpoint_reader cp = lh_engine_checkpoint_reader(lh__lake_engine(lake));
    int64_t cutoff = lh_now_ms() - (int64_t)(hours * 3600000.0), below = -1;
    json_t *infos = NULL;
    st = lh_table_log_expired(lh_lake_store(lake), prefix.data, &cp, cutoff, &below, &infos, err);
    if (!st && below >= 0)
        st = keep_hashes(lake, name, infos, -1, NULL, err);
    if (!st && below >= 0)
        st = lh_table_log_cleanup(lh_lake_store(lake), prefix.data, below, deleted, err);
    json_decref(infos);
    lh_buf_release(&prefix);
    return st;
}

lh_status lh__lake_index_ingested(lh_lake *lake, const char *name, const char *prefix,
                                  const lh_table_snapshot *snap, lh_err *err)
{
    if (!snap->table_id)
        return LH_OK;
    lh_store *s = lh_lake_store(lake);
    lh_buf key, text;
    lh_buf_init(&key, 1024);
    lh_buf_init(&text, LH_BUF_DEFAULT_MAX);
    lh_catalog_ingested_key(name, &key);
    lh_status st = lh_buf_status(&key);
    if (st)
        st = lh__lake_unbuilt(err, st, name, "the key of its ingested files' record");
    if (!st)
        st = lh_store_get(s, key.data, LH_BUF_DEFAULT_MAX, &text, err);
    int64_t from = 0;
    if (st == LH_ENOTFOUND) {
        st = LH_OK;
    } else if (!st) {
        json_t *rec = lh_json_loadb(text.data, text.len, 0, NULL);
        json_t *through = json_object_get(rec, "through_version");
        const char *tid = json_string_value(json_object_get(rec, "table_id"));
        if (json_is_integer(through) && tid && !strcmp(tid, snap->table_id) &&
            json_integer_value(through) <= snap->version)
            from = json_integer_value(through) + 1;
        json_decref(rec);
    }
    lh_buf_release(&key);
    lh_buf_release(&text);
    /* commits after snap->version (none under the writer lock) are left to the next one */
    json_t *hist = NULL, *upto = json_array();
    if (!upto)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st && from <= snap->version)
        st = lh_table_history_from(s, prefix, from, &hist, err);
    size_t i;
    json_t *h;
    json_array_foreach(st ? NULL : hist, i, h)
        if (json_integer_value(json_object_get(h, "version")) <= snap->version &&
            json_array_append(upto, h))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = keep_hashes(lake, name, upto, snap->version, snap->table_id, err);
    json_decref(hist);
    json_decref(upto);
    return st;
}
