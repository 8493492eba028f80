/* lake.c: opening a data directory and closing it. A writer takes the lock (lock.c),
 * clears what killed writers left behind, opens the catalog, the journal and the engine,
 * heals manifests a crash left behind their log (resync.c), and defines every dataset's
 * view (views.c). */
#include <stdlib.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/util.h"
#include "engine/cache.h"
#include "engine/engine.h"
#include "ingest/ingest.h"
#include "journal/journal.h"
#include "lake/lake_int.h"
#include "storage/storage.h"
#include "table/table.h"
#include "vector/index.h"

lh_catalog *lh_lake_catalog(lh_lake *lake) { return lake->cat; }
lh_store *lh_lake_store(lh_lake *lake) { return lake->store; }
lh_journal *lh_lake_journal(lh_lake *lake) { return lake->journal; }
lh_engine *lh__lake_engine(lh_lake *lake) { return lake->eng; }
lh__tombs *lh__lake_tombs(lh_lake *lake) { return lake->tombs; }
lh__erasures *lh__lake_erasures(lh_lake *lake) { return lake->erasures; }
bool lh__lake_is_writer(const lh_lake *lake) { return lake->writer; }
void lh__lake_lock(lh_lake *lake) { pthread_mutex_lock(&lake->write_mu); }
void lh__lake_unlock(lh_lake *lake) { pthread_mutex_unlock(&lake->write_mu); }

lh_status lh__lake_unbuilt(lh_err *err, lh_status st, const char *name, const char *what)
{
    if (st == LH_ENOMEM)
        return lh_fail(err, st, "out of memory");
    if (name)
        return lh_fail(err, st, "dataset %s: %s is too long", name, what);
    return lh_fail(err, st, "%s is too long", what);
}

void lh__lake_journal_event(lh_lake *lake, const char *name, const char *field,
                            json_t *old_value, json_t *new_value, const char *actor,
                            const char *source)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:O?, s:O?, s:s?, s:s}", "entity", "dataset",
                           "entity_id", name, "field", field, "old_value", old_value,
                           "new_value", new_value, "actor", actor, "source", source);
    lh_err jerr;
    if (lake->journal && ev && lh_journal_append(lake->journal, ev, false, &jerr))
        lh_log(LH_LOG_WARN, "journal: %s %s not recorded: %s", name, field, jerr.msg);
    json_decref(ev);
}

/* Removes what killed writers left behind: staged inputs and temp Parquet files. Only a
 * lock holder calls this, so no live ingest owns them. Referenced files are never touched:
 * temp names are never committed. Through the store, which never follows a link: a
 * "tables/<link>" planted in the data directory must not make this delete files elsewhere. */
static void remove_leftovers(lh_lake *lake)
{
    lh_ingest_sweep_staging(lake->store, NULL);
    lh_table_sweep_temp(lake->store, lh_catalog_tables_dir(), NULL);
    /* the vector index tables' too (a killed build, erasure or refresh) */
    lh_table_sweep_temp(lake->store, lh_vec_root_key(), NULL);
}

/* Heals a crash between a commit and its manifest update: only a manifest that is missing
 * or behind the log is recomputed here (resync does the rest). */
static lh_status heal_manifest(lh_lake *lake, const char *name, lh_err *err)
{
    json_t *m = lh_catalog_get(lake->cat, name);
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    int64_t latest = -1;
    lh_status st = lh_buf_status(&prefix);
    if (st)
        st = lh__lake_unbuilt(err, st, name, "the table's key");
    else
        st = lh_table_latest_version(lake->store, prefix.data, &latest, err);
    lh_buf_release(&prefix);
    if (!st && (!m || json_integer_value(json_object_get(m, "table_version")) != latest))
        st = lh__lake_resync_one(lake, name, NULL, err);
    if (st == LH_ENOTFOUND)
        st = LH_OK; /* a directory without commits: an ingest died before its first */
    return st;
}

/* Mirrors the dataset's tombstones and erasures into the engine and defines its views; a
 * dataset that cannot be read becomes a relation that says why. */
void lh__lake_load_dataset(lh_lake *lake, const char *name)
{
    lh_err verr;
    if (lh__tombs_load(lake, name, &verr))
        lh_log(LH_LOG_WARN, "dataset %s: tombstones: %s", name, verr.msg);
    if (lh__erasures_load(lake, name, &verr))
        lh_log(LH_LOG_WARN, "dataset %s: erasure set: %s", name, verr.msg);
    lh__lake_define_view(lake, name, &verr); /* a failure leaves the dataset refused, with why */
}

/* The catalog, the journal, the engine and the hot cache. */
static lh_status open_parts(lh_lake *lake, const lh_lake_options *opts, lh_err *err)
{
    lh_status st = lh_catalog_open(lake->store, &lake->cat, err);
    if (!st && opts->writer)
        st = lh_journal_open(lake->store, &lake->journal, err);
    if (!st) {
        lh_engine_config ec = {.data_root = lh_store_root(lake->store), .threads = opts->threads,
                               .memory_limit = opts->memory_limit,
                               .max_temp_size = opts->max_temp_size,
                               .max_sql_bytes = opts->max_sql_bytes};
        st = lh_engine_open(&ec, &lake->eng, err);
    }
    if (!st) {
        /* the relation `journal`: a writer's journal keeps it fresh; a reader sees what
         * is on disk now. A journal that cannot be read must not keep datasets away. */
        lh_err jerr;
        if (!lake->journal || opts->lazy_views) {
            lake->journal_pending = true; /* defined when a query names it */
            if (lake->journal) /* it flushes its WAL through the engine at close */
                lh_journal_attach_engine(lake->journal, lake->eng);
        } else if (lh_journal_bind_engine(lake->journal, lake->eng, &jerr))
            lh_log(LH_LOG_WARN, "journal is not queryable: %s", jerr.msg);
    }
    if (!st && !(lake->cache = lh_cache_new(lake->eng, opts->cache_max_bytes)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    return st;
}

lh_status lh_lake_open(const lh_lake_options *opts, lh_lake **out, lh_err *err)
{
    lh_lake *lake = lh_calloc(1, sizeof *lake);
    if (!lake)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lake->lock_fd = -1;
    lake->writer = opts->writer;
    lake->embed_workers = opts->embed_workers;
    lake->embed_retries = opts->embed_retries;
    lake->checkpoint_interval = opts->checkpoint_interval > 0 ? opts->checkpoint_interval : 0;
    lake->retention_hours = opts->retention_hours > 0 ? opts->retention_hours : 168;
    pthread_mutex_init(&lake->write_mu, NULL);
    lake->tombs = lh__tombs_new();
    lake->erasures = lh__erasures_new();
    lake->lazy = !opts->writer || opts->lazy_views;
    lake->pending = lake->lazy ? json_object() : NULL;
    lh_status st = lake->tombs && lake->erasures && (!lake->lazy || lake->pending)
                       ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_store_open_local(opts->data_dir, &lake->store, err);
    if (!st && opts->writer)
        st = lh__lake_take_lock(lake, err);
    if (!st && opts->writer)
        remove_leftovers(lake);
    if (!st)
        st = open_parts(lake, opts, err);
    json_t *names = NULL;
    if (!st)
        st = lh__lake_table_names(lake, &names, err);
    const char *name;
    json_t *v;
    json_object_foreach(st ? NULL : names, name, v) {
        if (st)
            break;
        if (lh_catalog_check_name(name, NULL))
            continue;
        if (opts->writer)
            st = heal_manifest(lake, name, err);
        /* a reader (or a lazy writer) defines a dataset's views when a query first names
         * it (lazy.c) */
        if (!st && lake->lazy && json_object_set_new(lake->pending, name, json_true()))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        else if (!st && !lake->lazy)
            lh__lake_load_dataset(lake, name);
    }
    json_decref(names);
    if (st) {
        lh_lake_free(lake);
        return st;
    }
    *out = lake;
    return LH_OK;
}

void lh_lake_free(lh_lake *lake)
{
    if (!lake)
        return;
    lh_journal_free(lake->journal);
    lh_cache_free(lake->cache);
    lh_engine_free(lake->eng);
    lh__tombs_free(lake->tombs);
    lh__erasures_free(lake->erasures);
    lh_catalog_free(lake->cat);
    json_decref(lake->pending);
    if (lake->lock_fd >= 0)
        close(lake->lock_fd); /* releases the flock */
    lh_store_free(lake->store);
    pthread_mutex_destroy(&lake->write_mu);
    free(lake);
}
