/* lake.h: one data directory, opened: the object store, the catalog, the engine with a
 * view per dataset, and (for writers) the directory's advisory writer lock. The CLI and
 * (later) the HTTP server call these functions and only render their results.
 *
 * Opening reconciles the catalog with the table logs, so a crash between a commit and
 * its manifest update heals itself: a manifest whose table_version lags the log (or a
 * table without a manifest) is recomputed from the log and the Parquet footers. */
#ifndef LH_LAKE_LAKE_H
#define LH_LAKE_LAKE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* The other modules' types named below, declared, not included: a caller that uses one
 * includes its module's header (catalog/catalog.h, ingest/ingest.h, engine/engine.h, ...),
 * so every file's #include lines show what it depends on. */
typedef struct lh_ai lh_ai;
typedef struct lh_catalog lh_catalog;
typedef struct lh_journal lh_journal;
typedef struct lh_store lh_store;
typedef struct lh_query lh_query;
typedef struct lh_result_sink lh_result_sink;
typedef struct lh_ingest_request lh_ingest_request;
typedef struct lh_ingest_result lh_ingest_result;
typedef struct lh_ingest_pg_request lh_ingest_pg_request;
typedef struct lh_vec_env lh_vec_env;
/* The same type as engine/engine.h's (the compiler checks that they agree). */
typedef void (*lh_progress_fn)(void *ctx, double percentage, uint64_t rows, uint64_t total);

typedef struct lh_lake lh_lake;

typedef struct lh_lake_options {
    const char *data_dir;     /* created if missing */
    bool writer;              /* take the writer lock (ingest, resync, metadata edits) */
    int threads;              /* engine threads; 0 = cores */
    const char *memory_limit; /* engine memory limit; NULL = half of physical memory */
    const char *max_temp_size;/* engine spill space; NULL = the engine's default */
    size_t max_sql_bytes;     /* longest user SQL; 0 = the engine's default */
    int64_t cache_max_bytes;  /* hot cache budget; 0 = a quarter of physical memory */
    int checkpoint_interval;  /* writers: a Delta checkpoint after every commit whose version
                               * is a multiple of this; 0 = none ([storage]
                               * checkpoint_interval, 10, is the CLI's and server's value) */
    double retention_hours;   /* tombstones kept in checkpoints: removes this recent
                               * ([storage] vacuum_retention_hours); <= 0 = 168 */
    bool lazy_views;          /* writers: define a dataset's views (and the journal's) when a
                               * query first names it, as a reader does, instead of every
                               * dataset's at open and after each write. For a process that
                               * writes and exits (`lakehouse ingest`): each view reads every
                               * live file's footer, an O(history) cost per append. Operations
                               * that need a dataset's tombstones or erasure set (compaction)
                               * load it first. Not for the server (its queries run on many
                               * threads with views defined up front). */
    unsigned embed_workers;   /* index builds: embedding workers per job ([vectors]
                               * embed_workers; 0 = 1) */
    unsigned embed_retries;   /* retries of a batch after LH_EIO/LH_ETIMEOUT ([vectors]
                               * embed_retries; 0 = none) */
} lh_lake_options;

/* A second writer gets LH_ELOCKED naming the holder's pid. */
lh_status lh_lake_open(const lh_lake_options *opts, lh_lake **out, lh_err *err);
void lh_lake_free(lh_lake *lake);

lh_catalog *lh_lake_catalog(lh_lake *lake);
/* Records a note (the server's URL) in the writer lock file after the pid, so that other
 * processes can find the writer. Writers only. */
void lh_lake_set_lock_note(lh_lake *lake, const char *note);

/* The pid and note recorded by the writer holding data_dir's lock, if any: LH_OK and
 * out filled ("pid" and "note" strings) when a writer holds it, LH_ENOTFOUND otherwise. */
lh_status lh_lake_lock_holder(const char *data_dir, json_t **out, lh_err *err);

/* The event journal (writers only; NULL for readers). */
lh_journal *lh_lake_journal(lh_lake *lake);

/* The bucket (thread-safe). */
lh_store *lh_lake_store(lh_lake *lake);

/* Fills env (vector/index.h) for index builds over this data directory (lake/vectors.c):
 * borrowed pointers, valid while the lake is open; the source is read as a user query at
 * the build's table version with tombstones applied; events go to the journal. */
void lh_lake_vec_env(lh_lake *lake, lh_vec_env *env);
/* The configured network AI provider (ai/ai.h) and its embedding model name, both
 * borrowed and outliving the lake's use of them (NULL = builtin only): index builds with
 * that provider embed through it, and searches of indexes built with it embed their
 * queries through it and write RAG answers with it. Set once, before other threads use
 * the lake. */
void lh_lake_set_ai(lh_lake *lake, lh_ai *ai, const char *model);

/* Ingests one file and refreshes that dataset's view. */
lh_status lh_lake_ingest(lh_lake *lake, const lh_ingest_request *req, lh_ingest_result *res,
                         lh_err *err);

/* Previews what appending a file would change in the dataset's schema (see
 * lh_ingest_schema_diff); changes nothing. Caller json_decref's *diff. */
lh_status lh_lake_schema_diff(lh_lake *lake, const lh_ingest_request *req, json_t **diff,
                              lh_err *err);

/* Reports progress of long engine work (ingest) through fn; NULL clears it. */
void lh_lake_set_progress(lh_lake *lake, lh_progress_fn fn, void *ctx);

/* Ingests a PostgreSQL table or query (see lh_ingest_postgres) and refreshes the view. */
lh_status lh_lake_ingest_postgres(lh_lake *lake, const lh_ingest_pg_request *req,
                                  lh_ingest_result *res, lh_err *err);

/* How to run one user query: row limit, timeout, and time travel (as_of: an object of
 * dataset name -> Delta version, seen by this query alone). */
typedef struct lh_lake_query {
    uint64_t limit;
    int64_t timeout_ms;
    json_t *as_of;   /* borrowed; NULL = latest everywhere */
    bool explain;    /* DuckDB's plan of the query instead of its rows */
} lh_lake_query;

/* Opens a user query (gated, streamed); see lh_engine_query_open for the cursor. */
lh_status lh_lake_query_open(lh_lake *lake, const char *sql, const lh_lake_query *opts,
                             lh_query **out, lh_err *err);

/* Checks a query with the gate without running it (lh_engine_check_sql); *relations
 * (optional) gets the catalog relations it references. */
lh_status lh_lake_check_sql(lh_lake *lake, const char *sql, json_t **relations, lh_err *err);

/* Runs a user query into a Parquet file at path (under the data root). */
lh_status lh_lake_export_parquet(lh_lake *lake, const char *sql, const lh_lake_query *opts,
                                 const char *path, uint64_t *rows, lh_err *err);

/* Runs a user query to the end into sink. */
lh_status lh_lake_sql(lh_lake *lake, const char *sql, const lh_lake_query *opts,
                      const lh_result_sink *sink, lh_err *err);

/* Interrupts all running queries and engine work (a server that must stop now). */
void lh_lake_interrupt(lh_lake *lake);

/* Thread-safe copies of one manifest (NULL when missing or a bad name) or all of them. */
json_t *lh_lake_dataset(lh_lake *lake, const char *name);
json_t *lh_lake_datasets(lh_lake *lake);
/* How many datasets there are (thread-safe; copies nothing). */
size_t lh_lake_dataset_count(lh_lake *lake);

/* Commit history of a dataset (see lh_table_history). Caller owns *out. */
lh_status lh_lake_history(lh_lake *lake, const char *name, json_t **out, lh_err *err);

/* Recomputes row_count, columns and size_bytes of one dataset (name) or all (NULL) from
 * the live Parquet files; writes manifests that disagree or are missing. *report gets
 * an array of {"dataset","changed":bool,"fields":[...]}; caller owns it. */
lh_status lh_lake_resync(lh_lake *lake, const char *name, json_t **report, lh_err *err);

/* Registers a dataset that has no data yet (metadata as for lh_lake_edit_metadata);
 * LH_EEXIST when the name is taken. */
lh_status lh_lake_create_dataset(lh_lake *lake, const char *name, json_t *set, json_t *tags,
                                 lh_err *err);

/* Applies validated metadata edits: set is an object of description/owner/sensitivity
 * strings; tags_add and tags_remove are arrays of strings (any may be NULL). */
lh_status lh_lake_edit_metadata(lh_lake *lake, const char *name, json_t *set, json_t *tags_add,
                                json_t *tags_remove, lh_err *err);
/* The same, naming who asked (journal events' actor; NULL = "cli"). Each changed key is
 * one journal event {entity "dataset", field KEY, old_value, new_value}; ingests journal
 * {field "version", old_value, new_value} too. */
lh_status lh_lake_edit_metadata_by(lh_lake *lake, const char *actor, const char *name, json_t *set,
                                   json_t *tags_add, json_t *tags_remove, lh_err *err);

/* ---- model profiles (catalog/profiles.h; lake/profiles.c) ---- */

/* Creates a profile from a request body: the body's checks (catalog/profiles.h) and its
 * HNSW config's (ann/hnsw.h, through vector/profile.h), then every binding must name a
 * dataset or an AI-safe view; written once (LH_EEXIST for a taken id), under the write
 * lock, stamped with actor (NULL = "anonymous") and now. *out (may be NULL) = the stored
 * profile; caller owns. Thread-safe. */
lh_status lh_lake_profile_create(lh_lake *lake, const json_t *body, const char *actor,
                                 json_t **out, lh_err *err);
/* One profile (LH_ENOTFOUND, LH_EINVAL for a bad id) or all of them, sorted by id; caller
 * owns *out. Thread-safe. */
lh_status lh_lake_profile(lh_lake *lake, const char *id, json_t **out, lh_err *err);
lh_status lh_lake_profiles(lh_lake *lake, json_t **out, lh_err *err);
/* Removes a profile (LH_ENOTFOUND when there is none). Its graphs stay active until
 * deactivated (they belong to the indexes, not the profile). */
lh_status lh_lake_profile_delete(lh_lake *lake, const char *id, lh_err *err);

/* ---- vector indexes (vector/fresh.h) ---- */

/* Called, under the write lock, after an ingest committed into a dataset that has indexes
 * with refresh policy "on_append": indexes is an array of their names (borrowed). Must not
 * block on the lake (the server queues a refresh job). */
typedef void (*lh_lake_index_append_fn)(void *ctx, const char *dataset, const json_t *indexes);
/* Sets (fn NULL clears) the hook; before any ingest runs (not thread-safe with them). An
 * ingest with no hook leaves those indexes marked stale, like the others. */
void lh_lake_on_index_append(lh_lake *lake, lh_lake_index_append_fn fn, void *ctx);

/* Refreshes the vector indexes of dataset target (or, when no dataset has that name, the
 * index named target) under the write lock: see lh_vec_refresh (vector/fresh.h). *out:
 * an array of one report per index; caller owns. LH_ENOTFOUND for a dataset without an
 * index (the message says how to create one) or a name that is neither. Writers only. */
lh_status lh_lake_vector_refresh(lh_lake *lake, const char *target, const char *actor,
                                 json_t **out, lh_err *err);
/* The registry entries of the stale indexes (stale_since set; vector/index.h,
 * lh_vec_registry_stale), sorted by name; caller owns *out. */
lh_status lh_lake_vector_stale(lh_lake *lake, json_t **out, lh_err *err);
/* Sets index's refresh policy ("manual", "on_append" or {"every_seconds": N}); *entry gets
 * its registry entry (caller owns). Writers only. */
lh_status lh_lake_vector_set_refresh(lh_lake *lake, const char *index, const json_t *policy,
                                     json_t **entry, lh_err *err);

/* The server's refresher (lake/vec_refresher.c): a thread that refreshes on_append indexes
 * after each ingest (it sets the index-append hook) and {"every_seconds": N} indexes when
 * stale, every tick_ms (0 = 1000) at most. Stop it after the last request, before
 * lh_lake_free. */
typedef struct lh_vec_refresher lh_vec_refresher;
lh_status lh_vec_refresher_start(lh_lake *lake, int64_t tick_ms, lh_vec_refresher **out,
                                 lh_err *err);
void lh_vec_refresher_stop(lh_vec_refresher *r);

/* ---- the hot cache (engine/cache.h): pins live in this process only ---- */

/* Pins dataset name into memory (its view then reads the in-memory copy; every commit
 * to it rebuilds the copy before returning). LH_ENOTFOUND for an unknown dataset,
 * LH_EINVAL when it has no data yet, LH_ETOOBIG when it alone exceeds the budget.
 * Waits for writes in progress; thread-safe. */
lh_status lh_lake_cache_pin(lh_lake *lake, const char *name, lh_err *err);

/* Unpins name (its view reads the files again). LH_ENOTFOUND when unknown or not pinned. */
lh_status lh_lake_cache_evict(lh_lake *lake, const char *name, lh_err *err);

/* The cache's statistics (see lh_cache_stats); caller owns them. Thread-safe. */
json_t *lh_lake_cache_stats(lh_lake *lake);

/* ---- search over vector indexes (vector/search.h; lake/vec_search.c) ---- */

typedef struct lh_vec_senv lh_vec_senv;
/* Fills env for searches over this data directory: borrowed pointers, valid while the lake
 * is open; the source dataset is read as user queries (gate, tombstones, as_of). Its
 * network provider and generator are the one lh_lake_set_ai gave (NULL: the builtin
 * model's query embedding and the extractive answerer). */
void lh_lake_vec_senv(lh_lake *lake, lh_vec_senv *env);

#endif
