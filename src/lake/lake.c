/* lake.c: opening a data directory, its writer lock, views, reconcile and resync. */
#include "lake/lake.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/manifest.h"
#include "catalog/pii.h"
#include "core/alloc.h"
#include "engine/cache.h"
#include "journal/journal.h"
#include "lake/lake_int.h"
#include "core/fsio.h"
#include "core/util.h"
#include "table/table.h"

/* Threads (the server): every write (ingest, edits, resync) holds write_mu, one at a
 * time, as one process holds the directory's lock; reads take copies (catalog) or their
 * own engine connection (queries) and never wait for a write. */
struct lh_lake {
    pthread_mutex_t write_mu;
    lh_journal *journal;
    lh_store *store;
    lh_catalog *cat;
    lh_engine *eng;
    lh_cache *cache;  /* pinned datasets (engine/cache.h); pins change under write_mu */
    int lock_fd;
    bool writer;
    lh__tombs *tombs;         /* tombstoned keys per dataset (tombs.c) */
    lh__erasures *erasures;   /* keys erased by compaction, per dataset (erasures.c) */
};

lh_catalog *lh_lake_catalog(lh_lake *lake) { return lake->cat; }
lh_store *lh_lake_store(lh_lake *lake) { return lake->store; }
lh_journal *lh_lake_journal(lh_lake *lake) { return lake->journal; }
lh_engine *lh__lake_engine(lh_lake *lake) { return lake->eng; }
lh__tombs *lh__lake_tombs(lh_lake *lake) { return lake->tombs; }
lh__erasures *lh__lake_erasures(lh_lake *lake) { return lake->erasures; }
bool lh__lake_is_writer(const lh_lake *lake) { return lake->writer; }
void lh__lake_lock(lh_lake *lake) { pthread_mutex_lock(&lake->write_mu); }
void lh__lake_unlock(lh_lake *lake) { pthread_mutex_unlock(&lake->write_mu); }

/* flock on <root>/.lock; the holder writes its pid there so that others can name it. */
static lh_status take_lock(lh_lake *lake, lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    lh_path_join(&path, lh_store_root(lake->store), ".lock");
    int fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    lh_status st = LH_OK;
    if (fd < 0) {
        st = lh_fail(err, LH_EIO, "open %s: %s", path.data, strerror(errno));
    } else if (flock(fd, LOCK_EX | LOCK_NB)) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        st = lh_fail(err, LH_ELOCKED, "the data directory is in use by another writer (pid %s); "
                     "wait for it to finish, or stop it", *pid ? pid : "unknown");
        close(fd);
    } else {
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n)
            lh_log(LH_LOG_WARN, "could not record pid in %s", path.data);
        lake->lock_fd = fd;
    }
    lh_buf_release(&path);
    return st;
}

void lh_lake_set_lock_note(lh_lake *lake, const char *note)
{
    if (lake->lock_fd < 0)
        return;
    char text[512];
    int n = snprintf(text, sizeof text, "%ld\n%s\n", (long)getpid(), note);
    if (n < 0 || (size_t)n >= sizeof text || ftruncate(lake->lock_fd, 0) ||
        pwrite(lake->lock_fd, text, (size_t)n, 0) != n)
        lh_log(LH_LOG_WARN, "could not record the server address in the lock file");
}

lh_status lh_lake_lock_holder(const char *data_dir, json_t **out, lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    lh_path_join(&path, data_dir, ".lock");
    int fd = open(path.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    lh_buf_release(&path);
    if (fd < 0)
        return lh_fail(err, LH_ENOTFOUND, "no writer");
    /* A shared lock succeeds only when no writer holds the exclusive one. */
    lh_status st = LH_OK;
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        flock(fd, LOCK_UN);
        st = lh_fail(err, LH_ENOTFOUND, "no writer");
    } else {
        char text[512] = "";
        ssize_t n = pread(fd, text, sizeof text - 1, 0);
        text[n > 0 ? n : 0] = '\0';
        char *nl = strchr(text, '\n');
        char *note = nl ? nl + 1 : text + strlen(text); /* writable: the line below may cut it */
        if (nl)
            *nl = '\0';
        note[strcspn(note, "\n")] = '\0';
        *out = json_pack("{s:s, s:s}", "pid", text, "note", note);
    }
    close(fd);
    return st;
}

static lh_status load_snapshot(lh_lake *lake, const char *name, int64_t version,
                               lh_table_snapshot **snap, lh_err *err)
{
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    lh_checkpoint_reader cp = lh_engine_checkpoint_reader(lake->eng);
    lh_status st = lh_table_snapshot_load(lake->store, prefix.data, version, &cp, snap, err);
    lh_buf_release(&prefix);
    return st;
}

/* The SELECT over the table "name" at version (-1 = latest), into sql. */
static lh_status table_select(lh_lake *lake, const char *name, int64_t version, lh_buf *sql,
                              lh_err *err)
{
    lh_table_snapshot *snap = NULL;
    lh_status st = load_snapshot(lake, name, version, &snap, err);
    if (st)
        return st;
    lh_buf dir;
    lh_buf_init(&dir, PATH_MAX);
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    lh_path_join(&dir, lh_store_root(lake->store), prefix.data);
    /* DuckDB's sandbox checks path names, not where a symlink leads: a data file that
     * is a link (planted under the root) could expose any file. Refuse it. */
    for (size_t i = 0; i < snap->nfiles && !st; i++) {
        lh_buf p;
        lh_buf_init(&p, PATH_MAX);
        struct stat sb;
        int gone = 0;
        if (!lh_path_join(&p, dir.data, snap->files[i].path) &&
            (gone = lstat(p.data, &sb) ? errno == ENOENT : 0) == 0 && !S_ISREG(sb.st_mode))
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
        st = lh_engine_snapshot_select(lake->eng, dir.data, snap, sql, err);
    /* Rows erased by a later compaction stay hidden at this version, in every view built
     * on it (the dataset's and time travel's). */
    if (!st)
        st = lh__erasures_filter(lake, name, version, sql, err);
    lh_buf_release(&prefix);
    lh_buf_release(&dir);
    lh_table_snapshot_free(snap);
    return st;
}

static void refresh_pin(lh_lake *lake, const char *name);
static void define_broken_view(lh_lake *lake, const char *name, const char *why);

/* (Re)defines the view "name" over the table's latest version. When that fails the
 * dataset gets a view that fails with the reason: the old view could show rows a
 * tombstone just hid (fail closed, not stale). */
static lh_status define_view(lh_lake *lake, const char *name, lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_status st = table_select(lake, name, -1, &sql, err);
    if (!st) /* "__raw__<name>" sees every row; the dataset's own view hides tombstones */
        st = lh__tombs_raw_view(lake, name, &sql, err);
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
        define_broken_view(lake, name, err ? err->msg : "its view could not be defined");
    return st;
}

/* The hot cache's restore callback: the view reads the files again (name is unpinned
 * by then, so this does not refresh it). */
static lh_status restore_view(void *ctx, const char *name, lh_err *err)
{
    return define_view(ctx, name, err);
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

/* A dataset that cannot be read stays a relation that every statement naming it is
 * refused over, with the reason, so that users see why instead of "unknown relation"
 * and no query answers from a stale or unfiltered view (engine.h). */
static void define_broken_view(lh_lake *lake, const char *name, const char *why)
{
    lh_log(LH_LOG_INFO, "dataset %s is not queryable: %s", name, why);
    lh_err err;
    if (lh_engine_allow_relation(lake->eng, name, &err) ||
        lh_engine_set_unavailable(lake->eng, name, why, &err))
        lh_log(LH_LOG_WARN, "dataset %s: %s", name, err.msg);
}

/* Names of every table with a log under tables/. */
static int table_names_cb(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    json_t *names = ctx;
    const char *rest = key + strlen("tables/");
    const char *slash = strchr(rest, '/');
    if (slash && !strncmp(slash, "/_delta_log/", 12)) {
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(slash - rest), rest);
        json_object_set_new(names, name, json_true());
    }
    return 0;
}

static lh_status resync_one(lh_lake *lake, const char *name, json_t *report, lh_err *err);

/* Removes what killed writers left behind: staged inputs and temp Parquet files. Only a
 * lock holder calls this, so no live ingest owns them. Referenced files are never touched:
 * temp names are never committed. */
static void remove_leftovers(lh_lake *lake)
{
    /* Through the store, which never follows a link: a "tables/<link>" planted in the
     * data directory must not make this delete files elsewhere. */
    lh_store_sweep(lake->store, "_staging", NULL, 0, NULL);
    lh_store_sweep(lake->store, "tables", ".tmp-", 1, NULL);
}

lh_status lh_lake_open(const lh_lake_options *opts, lh_lake **out, lh_err *err)
{
    lh_lake *lake = lh_calloc(1, sizeof *lake);
    if (!lake)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lake->lock_fd = -1;
    lake->writer = opts->writer;
    pthread_mutex_init(&lake->write_mu, NULL);
    lake->tombs = lh__tombs_new();
    lake->erasures = lh__erasures_new();
    lh_status st = lake->tombs && lake->erasures ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_store_open_local(opts->data_dir, &lake->store, err);
    if (!st && opts->writer)
        st = take_lock(lake, err);
    if (!st && opts->writer)
        remove_leftovers(lake);
    if (!st)
        st = lh_catalog_open(lake->store, &lake->cat, err);
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
        if (lake->journal ? lh_journal_bind_engine(lake->journal, lake->eng, &jerr)
                          : lh_journal_define_view(lake->store, lake->eng, &jerr))
            lh_log(LH_LOG_WARN, "journal is not queryable: %s", jerr.msg);
    }
    if (!st && !(lake->cache = lh_cache_new(lake->eng, opts->cache_max_bytes)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    json_t *names = json_object();
    if (!st)
        st = lh_store_list(lake->store, "tables/", table_names_cb, names, err);
    const char *name;
    json_t *v;
    json_object_foreach(names, name, v) {
        if (st)
            break;
        if (lh_catalog_check_name(name, NULL))
            continue;
        if (opts->writer) {
            /* Heal a crash between a commit and its manifest update: only a manifest that
             * is missing or behind the log is recomputed here (resync does the rest). */
            json_t *m = lh_catalog_get(lake->cat, name);
            lh_buf prefix;
            lh_buf_init(&prefix, 1024);
            lh_catalog_table_prefix(name, &prefix);
            int64_t latest = -1;
            st = lh_table_latest_version(lake->store, prefix.data, &latest, err);
            lh_buf_release(&prefix);
            if (!st && (!m || json_integer_value(json_object_get(m, "table_version")) != latest))
                st = resync_one(lake, name, NULL, err);
            if (st == LH_ENOTFOUND)
                st = LH_OK; /* a directory without commits: an ingest died before its first */
        }
        if (!st) {
            lh_err verr;
            if (lh__tombs_load(lake, name, &verr))
                lh_log(LH_LOG_WARN, "dataset %s: tombstones: %s", name, verr.msg);
            if (lh__erasures_load(lake, name, &verr))
                lh_log(LH_LOG_WARN, "dataset %s: erasure set: %s", name, verr.msg);
            define_view(lake, name, &verr); /* a failure leaves a view saying why */
        }
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
    if (lake->lock_fd >= 0)
        close(lake->lock_fd); /* releases the flock */
    lh_store_free(lake->store);
    pthread_mutex_destroy(&lake->write_mu);
    free(lake);
}

/* Journals one event (entity "dataset"); the write it records is already committed, so
 * a journal failure is logged, never returned. */
static void journal_event(lh_lake *lake, const char *name, const char *field, json_t *old_value,
                          json_t *new_value, const char *actor, const char *source)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:O?, s:O?, s:s?, s:s}", "entity", "dataset",
                           "entity_id", name, "field", field, "old_value", old_value,
                           "new_value", new_value, "actor", actor, "source", source);
    lh_err jerr;
    if (lake->journal && ev && lh_journal_append(lake->journal, ev, false, &jerr))
        lh_log(LH_LOG_WARN, "journal: %s %s not recorded: %s", name, field, jerr.msg);
    json_decref(ev);
}

/* An ingest that committed: "version" old -> new (old null for a new table). */
static void journal_ingest(lh_lake *lake, const lh_ingest_result *res, const char *actor,
                           const char *source)
{
    json_t *old = res->version > 0 ? json_integer(res->version - 1) : NULL;
    json_t *now = json_integer(res->version);
    journal_event(lake, res->dataset, "version", old, now, actor ? actor : "cli", source);
    json_decref(old);
    json_decref(now);
}

lh_status lh_lake_ingest(lh_lake *lake, const lh_ingest_request *req, lh_ingest_result *res,
                         lh_err *err)
{
    lh_assert(lake->writer);
    pthread_mutex_lock(&lake->write_mu);
    lh_status st = lh_ingest_file(lake->store, lake->cat, lake->eng, req, res, err);
    if (!st && !res->deduplicated)
        journal_ingest(lake, res, req->actor, "ingest");
    if (!st && !res->deduplicated)
        st = define_view(lake, res->dataset, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}

lh_status lh_lake_schema_diff(lh_lake *lake, const lh_ingest_request *req, json_t **diff,
                              lh_err *err)
{
    pthread_mutex_lock(&lake->write_mu); /* stages a file and uses the engine like an ingest */
    lh_status st = lh_ingest_schema_diff(lake->store, lake->cat, lake->eng, req, diff, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}

void lh_lake_set_progress(lh_lake *lake, lh_progress_fn fn, void *ctx)
{
    lh_engine_set_progress(lake->eng, fn, ctx);
}

static void lock_writer(void *lake) { pthread_mutex_lock(&((lh_lake *)lake)->write_mu); }
static void unlock_writer(void *lake) { pthread_mutex_unlock(&((lh_lake *)lake)->write_mu); }

lh_status lh_lake_ingest_postgres(lh_lake *lake, const lh_ingest_pg_request *req,
                                  lh_ingest_result *res, lh_err *err)
{
    lh_assert(lake->writer);
    /* Connecting and copying run without the writer lock (a slow or unreachable server
     * must not stall every other write); the ingest takes it for the commit only. */
    lh_ingest_pg_request locked = *req;
    locked.lock = lock_writer;
    locked.unlock = unlock_writer;
    locked.lock_ctx = lake;
    lh_status st = lh_ingest_postgres(lake->store, lake->cat, lake->eng, &locked, res, err);
    pthread_mutex_lock(&lake->write_mu);
    if (!st && !res->deduplicated)
        journal_ingest(lake, res, req->actor, "ingest.postgres");
    if (!st && !res->deduplicated)
        st = define_view(lake, res->dataset, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}

/* The per-query views that time travel needs (see lh_lake_query). */
typedef struct as_of_views {
    const char **names, **sqls;
    lh_buf *bufs;
    size_t n, cap;
} as_of_views;

static void views_release(as_of_views *v)
{
    for (size_t i = 0; v->bufs && i < v->cap; i++)
        lh_buf_release(&v->bufs[i]);
    free(v->bufs);
    free(v->names);
    free(v->sqls);
}

static lh_status views_build(lh_lake *lake, const lh_lake_query *opts, as_of_views *v, lh_err *err)
{
    memset(v, 0, sizeof *v);
    v->cap = opts && opts->as_of ? json_object_size(opts->as_of) : 0;
    v->names = lh_calloc(v->cap + 1, sizeof *v->names);
    v->sqls = lh_calloc(v->cap + 1, sizeof *v->sqls);
    v->bufs = lh_calloc(v->cap + 1, sizeof *v->bufs);
    if (!v->names || !v->sqls || !v->bufs)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; i < v->cap; i++)
        lh_buf_init(&v->bufs[i], 0);
    const char *name;
    json_t *val;
    lh_status st = LH_OK;
    if (v->cap)
        json_object_foreach(opts->as_of, name, val) {
            json_int_t version = json_integer_value(val);
            json_t *m = NULL;
            if ((st = lh_catalog_check_name(name, err)))
                break;
            if (!json_is_integer(val) || version < 0) {
                st = lh_fail(err, LH_EINVAL, "as_of %s: the version must be a whole number >= 0", name);
                break;
            }
            if (!(m = lh_catalog_get_copy(lake->cat, name))) {
                st = lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
                break;
            }
            json_decref(m);
            if ((st = table_select(lake, name, version, &v->bufs[v->n], err)) ||
                (st = lh__tombs_filter(lake, name, &v->bufs[v->n], err)))
                break;
            v->names[v->n] = name;
            v->sqls[v->n] = v->bufs[v->n].data;
            v->n++;
        }
    return st;
}

/* Hot-cache hits and misses of one query (see lh_cache_note). */
typedef struct note_ctx {
    lh_lake *lake;
    json_t *as_of;
} note_ctx;

static void note_relations(void *ctx, const json_t *names)
{
    note_ctx *n = ctx;
    lh_cache_note(n->lake->cache, names, n->as_of);
}

static lh_query_opts engine_opts(const lh_lake_query *opts, const as_of_views *v, note_ctx *n)
{
    lh_query_opts qo = {.limit = opts ? opts->limit : 0, .timeout_ms = opts ? opts->timeout_ms : 0,
                        .explain = opts && opts->explain,
                        .view_names = v->names, .view_sqls = v->sqls, .nviews = v->n,
                        .on_relations = note_relations, .relations_ctx = n};
    return qo;
}

lh_status lh_lake_query_open(lh_lake *lake, const char *sql, const lh_lake_query *opts,
                            lh_query **out, lh_err *err)
{
    as_of_views v;
    lh_status st = views_build(lake, opts, &v, err);
    if (!st) {
        note_ctx n = {lake, opts ? opts->as_of : NULL};
        lh_query_opts qo = engine_opts(opts, &v, &n);
        st = lh_engine_query_open(lake->eng, sql, &qo, out, err);
    }
    views_release(&v);
    return st;
}

lh_status lh_lake_export_parquet(lh_lake *lake, const char *sql, const lh_lake_query *opts,
                                 const char *path, uint64_t *rows, lh_err *err)
{
    as_of_views v;
    lh_status st = views_build(lake, opts, &v, err);
    if (!st) {
        note_ctx n = {lake, opts ? opts->as_of : NULL};
        lh_query_opts qo = engine_opts(opts, &v, &n);
        st = lh_engine_export_parquet(lake->eng, sql, &qo, path, rows, err);
    }
    views_release(&v);
    return st;
}

lh_status lh_lake_sql(lh_lake *lake, const char *sql, const lh_lake_query *opts,
                      const lh_result_sink *sink, lh_err *err)
{
    lh_query *q = NULL;
    lh_status st = lh_lake_query_open(lake, sql, opts, &q, err);
    if (!st)
        st = lh_query_drain(q, sink, err);
    lh_query_close(q);
    return st;
}

json_t *lh_lake_dataset(lh_lake *lake, const char *name)
{
    return lh_catalog_check_name(name, NULL) ? NULL : lh_catalog_get_copy(lake->cat, name);
}

json_t *lh_lake_datasets(lh_lake *lake) { return lh_catalog_list_copy(lake->cat); }

void lh_lake_interrupt(lh_lake *lake) { lh_engine_interrupt_all(lake->eng); }

lh_status lh_lake_history(lh_lake *lake, const char *name, json_t **out, lh_err *err)
{
    lh_status st = lh_catalog_check_name(name, err);
    if (st)
        return st;
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    st = lh_table_history(lake->store, prefix.data, out, err);
    lh_buf_release(&prefix);
    if (st == LH_ENOTFOUND)
        st = lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
    return st;
}

/* True when both manifests flag the same PII on the same columns, at the same sensitivity. */
static bool pii_equal(const json_t *a, const json_t *b)
{
    json_t *ca = json_object_get(a, "columns"), *cb = json_object_get(b, "columns");
    if (json_array_size(ca) != json_array_size(cb) ||
        !json_equal(json_object_get(a, "sensitivity"), json_object_get(b, "sensitivity")))
        return false;
    const char *keys[] = {"pii", "pii_rules", "sensitivity"};
    for (size_t i = 0; i < json_array_size(ca); i++)
        for (size_t k = 0; k < 3; k++)
            if (!json_equal(json_object_get(json_array_get(ca, i), keys[k]),
                            json_object_get(json_array_get(cb, i), keys[k])))
                return false;
    return true;
}

/* Reads row count and size from the live files' Parquet footers and columns from the
 * table schema; rewrites the manifest when any of them disagrees or it is missing. */
static lh_status resync_one(lh_lake *lake, const char *name, json_t *report, lh_err *err)
{
    lh_table_snapshot *snap = NULL;
    lh_status st = load_snapshot(lake, name, -1, &snap, err);
    if (st)
        return st;
    lh_buf sql, dir;
    lh_buf_init(&sql, 0);
    lh_buf_init(&dir, PATH_MAX);
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    lh_path_join(&dir, lh_store_root(lake->store), prefix.data);
    int64_t rows = 0, bytes = 0;
    if (snap->nfiles) {
        lh_buf_adds(&sql, "SELECT CAST(coalesce(sum(num_rows), 0) AS VARCHAR) FROM parquet_file_metadata([");
        for (size_t i = 0; i < snap->nfiles; i++) {
            lh_buf p;
            lh_buf_init(&p, PATH_MAX);
            lh_path_join(&p, dir.data, snap->files[i].path);
            if (i)
                lh_buf_addc(&sql, ',');
            lh_buf_add_sql_string(&sql, p.data);
            lh_buf_release(&p);
            bytes += snap->files[i].size;
        }
        lh_buf_adds(&sql, "])");
        json_t *row = NULL;
        st = lh_engine_query_row(lake->eng, sql.data, &row, err);
        if (!st)
            lh_parse_i64(json_string_value(json_array_get(row, 0)), &rows);
        json_decref(row);
    }
    json_t *cols = lh_table_schema_columns(snap->schema);
    size_t i;
    json_t *f;
    json_t *old = lh_catalog_get(lake->cat, name);
    json_t *changed = json_array();
    /* The file, not only the copy in memory: someone may have removed it under us. */
    lh_buf mkey;
    lh_buf_init(&mkey, 1024);
    lh_buf_printf(&mkey, "_catalog/datasets/%s.json", name);
    lh_object_info minfo;
    bool on_disk = lh_store_head(lake->store, mkey.data, &minfo, NULL) == LH_OK;
    lh_buf_release(&mkey);
    if (!st) {
        if (!old || !on_disk)
            json_array_append_new(changed, json_string("manifest"));
        else {
            if (json_integer_value(json_object_get(old, "row_count")) != rows)
                json_array_append_new(changed, json_string("row_count"));
            if (json_integer_value(json_object_get(old, "size_bytes")) != bytes)
                json_array_append_new(changed, json_string("size_bytes"));
            if (json_integer_value(json_object_get(old, "table_version")) != snap->version)
                json_array_append_new(changed, json_string("table_version"));
            json_t *oc = json_array();
            json_array_foreach(json_object_get(old, "columns"), i, f)
                json_array_append_new(oc, json_pack("{s:O, s:O}", "name", json_object_get(f, "name"),
                                                    "type", json_object_get(f, "type")));
            if (!json_equal(oc, cols))
                json_array_append_new(changed, json_string("columns"));
            json_decref(oc);
        }
    }
    json_t *m = NULL;
    if (!st) {
        int64_t now = lh_now_ms();
        m = old ? json_deep_copy(old) : lh_manifest_new(name, now);
        lh_manifest_set_table(m, cols, rows, bytes, snap->version, now);
        /* PII re-detected over the live files; a difference is a change like any other */
        lh_buf_reset(&sql);
        if (snap->nfiles && !(st = lh_engine_snapshot_select(lake->eng, dir.data, snap, &sql, err))) {
            lh_buf from;
            lh_buf_init(&from, 0);
            lh_buf_printf(&from, "(%s)", sql.data);
            st = lh_ingest_scan_pii(lake->eng, from.data, m, true, err);
            lh_buf_release(&from);
        }
        if (!st && old && !pii_equal(old, m))
            json_array_append_new(changed, json_string("pii"));
    }
    if (!st && json_array_size(changed) && lake->writer)
        st = lh_catalog_put(lake->cat, m, err);
    json_decref(m);
    if (!st && report)
        json_array_append_new(report, json_pack("{s:s, s:b, s:O, s:I, s:I, s:I}", "dataset", name,
                                                "changed", json_array_size(changed) > 0, "fields",
                                                changed, "row_count", (json_int_t)rows, "size_bytes",
                                                (json_int_t)bytes, "table_version",
                                                (json_int_t)snap->version));
    json_decref(changed);
    json_decref(cols);
    lh_buf_release(&prefix);
    lh_buf_release(&sql);
    lh_buf_release(&dir);
    lh_table_snapshot_free(snap);
    return st;
}

static lh_status resync(lh_lake *lake, const char *name, json_t **report, lh_err *err);

lh_status lh_lake_resync(lh_lake *lake, const char *name, json_t **report, lh_err *err)
{
    pthread_mutex_lock(&lake->write_mu);
    lh_status st = resync(lake, name, report, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}

static lh_status resync(lh_lake *lake, const char *name, json_t **report, lh_err *err)
{
    json_t *out = json_array();
    lh_status st = LH_OK;
    if (name) {
        st = lh_catalog_check_name(name, err);
        if (!st)
            st = resync_one(lake, name, out, err);
        if (st == LH_ENOTFOUND)
            st = lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
    } else {
        json_t *names = json_object();
        st = lh_store_list(lake->store, "tables/", table_names_cb, names, err);
        const char *n;
        json_t *v;
        json_object_foreach(names, n, v) {
            if (st)
                break;
            if (!lh_catalog_check_name(n, NULL))
                st = resync_one(lake, n, out, err);
        }
        json_decref(names);
    }
    if (st) {
        json_decref(out);
        return st;
    }
    *report = out;
    return LH_OK;
}

static lh_status edit_metadata(lh_lake *lake, const char *name, json_t *set, json_t *tags_add,
                               json_t *tags_remove, const char *actor, lh_err *err);
static lh_status apply_edits(json_t *m, json_t *set, json_t *tags_add, json_t *tags_remove,
                             lh_err *err);

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
    lh_status st = apply_edits(m, set, tags_add, tags_remove, err);
    if (!st)
        st = lh_catalog_put(lake->cat, m, err);
    /* one journal event per key that changed */
    static const char *const keys[] = {"description", "owner", "sensitivity", "tags"};
    for (size_t i = 0; !st && i < sizeof keys / sizeof keys[0]; i++) {
        json_t *a = json_object_get(before, keys[i]), *b = json_object_get(m, keys[i]);
        if (!json_equal(a, b) && (a || b))
            journal_event(lake, name, keys[i], a, b, actor ? actor : "cli", "metadata");
    }
    json_decref(before);
    json_decref(m);
    return st;
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

lh_status lh__lake_table_select(lh_lake *lake, const char *name, int64_t version, lh_buf *sql,
                                lh_err *err)
{
    return table_select(lake, name, version, sql, err);
}

lh_status lh__lake_snapshot(lh_lake *lake, const char *name, int64_t version,
                            lh_table_snapshot **snap, lh_err *err)
{
    return load_snapshot(lake, name, version, snap, err);
}

lh_status lh__lake_define_view(lh_lake *lake, const char *name, lh_err *err)
{
    return define_view(lake, name, err);
}
