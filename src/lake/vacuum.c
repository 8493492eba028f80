/* vacuum.c: deletes data files the table no longer references (mutations.h). A file
 * removed by a commit goes once its removal (the remove action's deletionTimestamp) is
 * older than the retention; a file no commit ever added (a writer killed between writing
 * and committing it) once its modification time is. Once the last file that held erased
 * rows is gone, the older commits lose their column statistics (erasures.c); then the JSON
 * commits behind the newest checkpoint go once all are older than the same retention
 * (log_cleanup.c). Removes from deleted commits live on in the checkpoint (those within
 * the retention), which the snapshot's tombstones carry. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "catalog/catalog.h"
#include "core/util.h"
#include "journal/journal.h"
#include "lake/lake_int.h"
#include "lake/mutations.h"
#include "storage/storage.h"
#include "table/table.h"

typedef struct listing {
    size_t plen;
    json_t *files;     /* rel path -> [size, mtime] */
    json_t *commits;   /* keys of the JSON commits */
} listing;

static int list_cb(void *ctx, const char *key, const lh_object_info *info)
{
    listing *l = ctx;
    const char *rel = key + l->plen;
    if (lh_table_is_commit_path(rel)) {
        json_array_append_new(l->commits, json_string(key));
    } else if (lh_table_is_data_path(rel)) {
        json_object_set_new(l->files, rel, json_pack("[I, I]", (json_int_t)info->size,
                                                     (json_int_t)info->mtime_ms));
    }
    return 0;
}

/* path -> newest deletionTimestamp over the JSON commits' remove actions. */
static lh_status removal_times(lh_store *s, const json_t *commits, json_t *removed, lh_err *err)
{
    size_t i;
    json_t *k;
    lh_status st = LH_OK;
    json_array_foreach(commits, i, k) {
        lh_buf text;
        lh_buf_init(&text, LH_BUF_DEFAULT_MAX);
        st = lh_store_get(s, json_string_value(k), LH_BUF_DEFAULT_MAX, &text, err);
        for (size_t pos = 0; !st && pos < text.len;) {
            const char *line = text.data + pos;
            const char *nl = memchr(line, '\n', text.len - pos);
            size_t n = nl ? (size_t)(nl - line) : text.len - pos;
            pos += n + 1;
            json_t *a = n ? lh_json_loadb(line, n, 0, NULL) : NULL;
            json_t *r = json_object_get(a, "remove");
            const char *path = json_string_value(json_object_get(r, "path"));
            json_int_t ts = json_integer_value(json_object_get(r, "deletionTimestamp"));
            if (path && ts > json_integer_value(json_object_get(removed, path)))
                json_object_set_new(removed, path, json_integer(ts));
            json_decref(a);
        }
        lh_buf_release(&text);
        if (st)
            break;
    }
    return st;
}

/* Deletes the data files of the table at prefix (with its trailing '/') that snap (its
 * latest version) does not reference and that were removed (or, never committed, written)
 * before the retention; counts[0..2] += files deleted, bytes deleted, files kept. The one
 * file-deleting path, for datasets and for their vector indexes (lh__lake_vectors_vacuum). */
lh_status lh__lake_vacuum_files(lh_lake *lake, const char *name, const char *prefix,
                                const lh_table_snapshot *snap, double hours, int64_t counts[3],
                                lh_err *err)
{
    lh_store *s = lh_lake_store(lake);
    listing l = {strlen(prefix), json_object(), json_array()};
    json_t *removed = json_object();
    lh_status st = LH_OK;
    if (!l.files || !l.commits || !removed)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    else
        st = lh_store_list(s, prefix, list_cb, &l, err);
    if (!st)
        st = removal_times(s, l.commits, removed, err);
    /* Removes whose commits log cleanup deleted: the checkpoint keeps those within the
     * retention, and the snapshot read them from it. */
    for (size_t i = 0; !st && i < snap->ntombstones; i++) {
        const lh_table_tombstone *t = &snap->tombstones[i];
        if (t->deletion_timestamp > json_integer_value(json_object_get(removed, t->path)) &&
            json_object_set_new(removed, t->path, json_integer(t->deletion_timestamp)))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    }
    for (size_t i = 0; !st && i < snap->nfiles; i++)
        json_object_del(l.files, snap->files[i].path);
    int64_t now = lh_now_ms(), cutoff = now - (int64_t)(hours * 3600000.0);
    const char *rel;
    json_t *f;
    json_object_foreach(st ? NULL : l.files, rel, f) {
        json_t *when = json_object_get(removed, rel);
        int64_t t = when ? json_integer_value(when) : json_integer_value(json_array_get(f, 1));
        if (t > cutoff) {
            counts[2]++;
            continue;
        }
        lh_buf key;
        lh_buf_init(&key, 4096);
        lh_buf_printf(&key, "%s%s", prefix, rel);
        st = lh_buf_status(&key);
        st = st ? lh__lake_unbuilt(err, st, name, "a data file's key")
                : lh_store_delete(s, key.data, err);
        lh_buf_release(&key);
        if (st)
            break;
        counts[0]++;
        counts[1] += json_integer_value(json_array_get(f, 0));
    }
    json_decref(l.files);
    json_decref(l.commits);
    json_decref(removed);
    return st;
}

lh_status lh__lake_vacuum_locked(lh_lake *lake, const char *name, double hours, json_t **out,
                                 lh_err *err)
{
    json_t *m = lh_lake_dataset(lake, name);
    if (!m)
        return lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
    json_decref(m);
    lh_table_snapshot *snap = NULL;
    lh_status st = lh__lake_snapshot(lake, name, -1, &snap, err);
    if (st == LH_ENOTFOUND)
        return lh_fail(err, LH_EINVAL, "dataset %s has no data yet", name);
    if (st)
        return st;
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    lh_buf_addc(&prefix, '/');
    int64_t counts[3] = {0, 0, 0};
    st = lh_buf_status(&prefix);
    if (st)
        st = lh__lake_unbuilt(err, st, name, "the table's key");
    /* What settling the erasure set could refuse is refused before any file goes. */
    if (!st)
        st = lh__erasures_settle_check(lake, name, err);
    if (!st)
        st = lh__lake_vacuum_files(lake, name, prefix.data, snap, hours, counts, err);
    json_int_t deleted = counts[0], bytes = counts[1], kept = counts[2];
    if (!st && deleted) {
        json_t *ev = json_pack("{s:s, s:s, s:s, s:n, s:{s:I, s:I, s:f}, s:s, s:s}", "entity",
                               "dataset", "entity_id", name, "field", "vacuum", "old_value",
                               "new_value", "files_deleted", deleted, "bytes_deleted", bytes,
                               "retention_hours", hours, "actor", "lakehouse", "source", "vacuum");
        st = lh_journal_append(lh_lake_journal(lake), ev, true, err);
        json_decref(ev);
    }
    /* The dataset's vector indexes: their unreferenced files (an erasure's rewrite left
     * the old ones) go by the same rule (lake/vec_fresh.c). */
    json_t *vectors = NULL;
    if (!st)
        st = lh__lake_vectors_vacuum(lake, name, hours, &vectors, err);
    /* The erasure set: entries whose files are all gone end here (erasures.c). */
    json_t *erasure = NULL;
    if (!st)
        st = lh__erasures_settle(lake, name, &erasure, err);
    /* Then the JSON commits behind the newest checkpoint, with the same retention. */
    int64_t commits = 0;
    if (!st)
        st = lh__lake_log_cleanup(lake, name, hours, &commits, err);
    if (!st)
        *out = json_pack("{s:s, s:I, s:I, s:I, s:f, s:I, s:o, s:I, s:o}", "dataset", name,
                         "files_deleted", deleted, "bytes_deleted", bytes, "files_kept", kept,
                         "retention_hours", hours, "version", (json_int_t)snap->version,
                         "erasure", erasure, "commits_deleted", (json_int_t)commits,
                         "vectors", vectors);
    else {
        json_decref(erasure);
        json_decref(vectors);
    }
    lh_buf_release(&prefix);
    lh_table_snapshot_free(snap);
    return st;
}

lh_status lh_lake_vacuum(lh_lake *lake, const char *dataset, double retention_hours,
                         json_t **out, lh_err *err)
{
    lh_assert(lh__lake_is_writer(lake));
    lh_status st = lh_catalog_check_name(dataset, err);
    if (st)
        return st;
    if (!isfinite(retention_hours) || retention_hours < 0)
        return lh_fail(err, LH_EINVAL, "retention_hours must be a number >= 0");
    lh__lake_lock(lake);
    st = lh__lake_vacuum_locked(lake, dataset, retention_hours, out, err);
    lh__lake_unlock(lake);
    return st;
}
