/* log_cleanup.c: vacuum's deletion of expired JSON commits behind the newest checkpoint
 * (table.h "Log cleanup"), with vacuum's retention. What lakehouse itself reads from old
 * commits is kept first: the content hashes ingest's duplicate check compares
 * (catalog.h, lh_catalog_ingested_key), written before any commit is deleted, so a crash
 * between the two leaves hashes recorded twice, never lost. */
#include <string.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/util.h"
#include "engine/engine.h"
#include "lake/lake_int.h"
#include "storage/storage.h"
#include "table/table.h"

/* Adds the content hashes of infos (commitInfo objects) to the dataset's record. */
static lh_status keep_hashes(lh_lake *lake, const char *name, const json_t *infos, lh_err *err)
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
    if (!st && json_array_size(hashes) != before) {
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
        st = keep_hashes(lake, name, infos, err);
    if (!st && below >= 0)
        st = lh_table_log_cleanup(lh_lake_store(lake), prefix.data, below, deleted, err);
    json_decref(infos);
    lh_buf_release(&prefix);
    return st;
}
