/* views.c: each dataset is a view over its table's latest version. The view of dataset
 * "d" hides its tombstoned keys; "__raw__d" shows every row (tombs.c); both hide the keys
 * a compaction erased from older versions (erasures.c). A pinned dataset's view reads an
 * in-memory copy (engine/cache.h), rebuilt whenever the view is redefined. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog.h"
#include "core/fsio.h"
#include "core/util.h"
#include "engine/cache.h"
#include "engine/engine.h"
#include "lake/lake_int.h"
#include "storage/storage.h"
#include "table/table.h"

lh_status lh__lake_snapshot(lh_lake *lake, const char *name, int64_t version,
                            lh_table_snapshot **snap, lh_err *err)
{
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    lh_status st = lh_buf_status(&prefix);
    if (st) {
        st = lh__lake_unbuilt(err, st, name, "the table's key");
    } else {
        lh_checkpoint_reader cp = lh_engine_checkpoint_reader(lake->eng);
        st = lh_table_snapshot_load(lake->store, prefix.data, version, &cp, snap, err);
    }
    lh_buf_release(&prefix);
    return st;
}

void lh__lake_checkpoint(lh_lake *lake, const char *name, int64_t version)
{
    if (!lake->writer || lake->checkpoint_interval <= 0 || version <= 0 ||
        version % lake->checkpoint_interval)
        return;
    lh_table_snapshot *snap = NULL;
    lh_err err = {{0}};
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    lh_status st = lh_buf_status(&prefix);
    if (st)
        st = lh__lake_unbuilt(&err, st, name, "the table's key");
    if (!st)
        st = lh__lake_snapshot(lake, name, version, &snap, &err);
    if (!st) {
        lh_checkpoint_writer w = lh_engine_checkpoint_writer(lake->eng);
        int64_t keep_from = lh_now_ms() - (int64_t)(lake->retention_hours * 3600.0 * 1000.0);
        st = lh_table_checkpoint_write(lake->store, prefix.data, snap, &w, keep_from, NULL, &err);
    }
    if (st)
        lh_log(LH_LOG_WARN, "dataset %s: no checkpoint at version %lld (readers replay the "
               "log instead): %s", name, (long long)version, err.msg);
    /* the duplicate check's index, brought up to this version with it: an ingest then
     * reads the commits since, not the whole log (log_cleanup.c) */
    if (snap && lh__lake_index_ingested(lake, name, prefix.data, snap, &err))
        lh_log(LH_LOG_WARN, "dataset %s: the index of ingested files stays behind (ingest "
               "reads more commits): %s", name, err.msg);
    lh_table_snapshot_free(snap);
    lh_buf_release(&prefix);
}

lh_status lh__lake_table_dir(lh_lake *lake, const char *name, lh_buf *out, lh_err *err)
{
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    lh_path_join(out, lh_store_root(lake->store), lh_buf_cstr(&prefix));
    lh_status st = lh_buf_status(&prefix) ? lh_buf_status(&prefix) : lh_buf_status(out);
    lh_buf_release(&prefix);
    return st ? lh__lake_unbuilt(err, st, name, "the table directory's path") : LH_OK;
}

/* The SELECT over the files of snap (the dataset at version, or a copy of it restricted to
 * some of its files) into sql; dir (the caller's, initialised) gets the table directory. */
static lh_status snapshot_select(lh_lake *lake, const char *name, int64_t version,
                                 const lh_table_snapshot *snap, lh_buf *sql, lh_buf *dir,
                                 lh_err *err);

/* lh__lake_table_select, also giving the snapshot (*snap, caller frees) and the table
 * directory (dir, the caller's, initialised). */
static lh_status table_select(lh_lake *lake, const char *name, int64_t version, lh_buf *sql,
                              lh_table_snapshot **snapp, lh_buf *dir, lh_err *err)
{
    lh_table_snapshot *snap = NULL;
    lh_buf_init(dir, PATH_MAX);
    *snapp = NULL;
    lh_status st = lh__lake_snapshot(lake, name, version, &snap, err);
    if (st)
        return st;
    *snapp = snap;
    return snapshot_select(lake, name, version, snap, sql, dir, err);
}

lh_status lh__lake_files_select(lh_lake *lake, const char *name, const lh_table_snapshot *snap,
                                lh_buf *sql, lh_err *err)
{
    lh_buf dir;
    lh_buf_init(&dir, PATH_MAX);
    lh_status st = snapshot_select(lake, name, snap->version, snap, sql, &dir, err);
    lh_buf_release(&dir);
    return st;
}

static lh_status snapshot_select(lh_lake *lake, const char *name, int64_t version,
                                 const lh_table_snapshot *snap, lh_buf *sql, lh_buf *dir,
                                 lh_err *err)
{
    lh_status st = lh__lake_table_dir(lake, name, dir, err);
    /* DuckDB's sandbox checks path names, not where a symlink leads: a data file that
     * is a link (planted under the root) could expose any file. Refuse it. */
    for (size_t i = 0; i < snap->nfiles && !st; i++) {
        lh_buf p;
        lh_buf_init(&p, PATH_MAX);
        struct stat sb;
        int gone = 0;
        if (lh_path_join(&p, dir->data, snap->files[i].path))
            st = lh__lake_unbuilt(err, lh_buf_status(&p), name, "a data file's path");
        else if ((gone = lstat(p.data, &sb) ? errno == ENOENT : 0) == 0 && !S_ISREG(sb.st_mode))
            st = lh_fail(err, LH_ECORRUPT, "dataset %s: a data file is not a regular file "
                         "(symbolic links are refused)", name);
        /* An old version whose files vacuum removed: say so, not "corrupt" with a path. */
        else if (gone && version >= 0)
            st = lh_fail(err, LH_ENOTFOUND, "version %lld of %s can no longer be read: vacuum "
                         "removed its data files (see 'lakehouse history %s' for later "
                         "versions)", (long long)version, name, name);
        else if (gone)
            st = lh_fail(err, LH_ECORRUPT, "dataset %s: a data file of its latest version is "
                         "missing; restore it from a backup", name);
        lh_buf_release(&p);
    }
    if (!st)
        st = lh_engine_snapshot_select(lake->eng, dir->data, snap, sql, err);
    /* Rows erased by a later compaction stay hidden at this version, in every view built
     * on it (the dataset's and time travel's). */
    if (!st)
        st = lh__erasures_filter(lake, name, version, sql, err);
    return st;
}

lh_status lh__lake_table_select(lh_lake *lake, const char *name, int64_t version, lh_buf *sql,
                                lh_err *err)
{
    lh_table_snapshot *snap = NULL;
    lh_buf dir;
    lh_status st = table_select(lake, name, version, sql, &snap, &dir, err);
    lh_buf_release(&dir);
    lh_table_snapshot_free(snap);
    return st;
}

static void refresh_pin(lh_lake *lake, const char *name);

/* When the view cannot be (re)defined the dataset is refused with the reason (fail closed:
 * the old view could show rows a tombstone just hid, or none may exist). */
lh_status lh__lake_define_view(lh_lake *lake, const char *name, lh_err *err)
{
    lh_buf sql, dir;
    lh_buf_init(&sql, 0);
    lh_table_snapshot *snap = NULL;
    lh_status st = table_select(lake, name, -1, &sql, &snap, &dir, err);
    if (!st) /* "__raw__<name>" sees every row; the dataset's own view hides tombstones */
        st = lh__tombs_raw_view(lake, name, &sql, err);
    /* ... by position when it can (the latest version has no erasure filter). */
    if (!st)
        st = lh__tombs_rows_select(lake, name, snap, dir.data, &sql, err);
    lh_table_snapshot_free(snap);
    lh_buf_release(&dir);
    if (!st)
        st = lh_engine_define_view(lake->eng, name, sql.data, err);
    if (!st)
        st = lh_engine_allow_relation(lake->eng, name, err);
    lh_buf_release(&sql);
    if (!st)
        st = lh_engine_set_unavailable(lake->eng, name, NULL, err);
    if (!st)
        refresh_pin(lake, name);
    else
        lh__lake_define_broken_view(lake, name, err ? err->msg : "its view could not be defined");
    return st;
}

/* The hot cache's restore callback: the view reads the files again (name is unpinned
 * by then, so this does not refresh it). */
static lh_status restore_view(void *ctx, const char *name, lh_err *err)
{
    return lh__lake_define_view(ctx, name, err);
}

/* A commit to a pinned dataset: its view was just redefined over the new files; the
 * copy is rebuilt from it before the write returns (or dropped when that fails, so the
 * view keeps reading the files: never stale, at worst not pinned). */
static void refresh_pin(lh_lake *lake, const char *name)
{
    lh_err err;
    if (lake->cache && lh_cache_pinned(lake->cache, name) &&
        lh_cache_refresh(lake->cache, name, restore_view, lake, &err))
        lh_log(LH_LOG_WARN, "dataset %s is no longer pinned: %s", name, err.msg);
}

/* Every statement naming the dataset is refused by the gate with the reason (engine.h),
 * so that users see why instead of "unknown relation" and no query answers from a stale
 * or unfiltered view (a view raising the error when evaluated still answered count(*)). */
void lh__lake_define_broken_view(lh_lake *lake, const char *name, const char *why)
{
    lh_log(LH_LOG_INFO, "dataset %s is not queryable: %s", name, why);
    lh_err err;
    if (lh_engine_allow_relation(lake->eng, name, &err) ||
        lh_engine_set_unavailable(lake->eng, name, why, &err))
        lh_log(LH_LOG_WARN, "dataset %s: %s", name, err.msg);
}

lh_status lh_lake_cache_pin(lh_lake *lake, const char *name, lh_err *err)
{
    lh_status st = lh_catalog_check_name(name, err);
    if (st)
        return st;
    json_t *m = lh_catalog_get_copy(lake->cat, name);
    if (!m)
        st = lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
    else if (json_integer_value(json_object_get(m, "table_version")) < 0)
        st = lh_fail(err, LH_EINVAL, "dataset '%s' has no data yet: nothing to pin", name);
    json_decref(m);
    if (st)
        return st;
    pthread_mutex_lock(&lake->write_mu);
    st = lh_cache_pin(lake->cache, name, restore_view, lake, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}

lh_status lh_lake_cache_evict(lh_lake *lake, const char *name, lh_err *err)
{
    lh_status st = lh_catalog_check_name(name, err);
    if (st)
        return st;
    json_t *m = lh_catalog_get_copy(lake->cat, name);
    json_decref(m);
    if (!m)
        return lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
    pthread_mutex_lock(&lake->write_mu);
    st = lh_cache_evict(lake->cache, name, restore_view, lake, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}

json_t *lh_lake_cache_stats(lh_lake *lake) { return lh_cache_stats(lake->cache); }
