/* lake_int.h: what the lake module's files share (not for other modules). */
#ifndef LH_LAKE_LAKE_INT_H
#define LH_LAKE_LAKE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "lake/lake.h"
#include "table/table.h"

typedef struct lh_engine lh_engine;
typedef struct lh_cache lh_cache;
typedef struct lh__tombs lh__tombs;
typedef struct lh__erasures lh__erasures;

/* One opened data directory (lake.c opens and frees it; the other files of the module
 * reach its parts through the accessors below or directly).
 * Threads (the server): every write (ingest, edits, resync) holds write_mu, one at a
 * time, as one process holds the directory's lock; reads take copies (catalog) or their
 * own engine connection (queries) and never wait for a write. */
struct lh_lake {
    pthread_mutex_t write_mu;
    lh_journal *journal;
    lh_store *store;
    lh_catalog *cat;
    lh_engine *eng;
    lh_cache *cache;  /* pinned datasets (engine/cache.h); pins change under write_mu */
    int lock_fd;      /* the writer lock (lock.c); -1 for readers */
    bool writer;
    int checkpoint_interval;  /* lh_lake_options */
    double retention_hours;   /* lh_lake_options, 168 when not given */
    lh__tombs *tombs;         /* tombstoned keys per dataset (tombs.c) */
    lh__erasures *erasures;   /* keys erased by compaction, per dataset (erasures.c) */
    /* Readers and lazy_views writers define views on demand (lazy.c): the datasets not
     * loaded yet (name -> true) and whether the journal's view is still to define. NULL /
     * false for other writers, which load everything at open. Both change under write_mu. */
    bool lazy;
    json_t *pending;
    bool journal_pending;
    /* The configured network AI provider ([ai] provider = ollama | openai) and its
     * embedding model, borrowed (lh_lake_set_ai): index builds and searches of indexes
     * built with it use it. NULL with the builtin provider (fitted per index). */
    lh_ai *ai;
    const char *ai_model;
    unsigned embed_workers, embed_retries; /* lh_lake_options */
    /* Called after an ingest into a dataset whose indexes refresh on_append (vec_fresh.c);
     * set by the server before it serves (lh_lake_on_index_append, vec_fresh.c). */
    lh_lake_index_append_fn index_append;
    void *index_append_ctx;
};

/* Marks the vector indexes of dataset stale after an ingest committed version (vectors.c);
 * a failure is logged, never the ingest's. */
void lh__lake_vectors_stale(lh_lake *lake, const char *dataset, int64_t version);

/* Mirrors one dataset's tombstones and erasures into the engine and defines its views; a
 * dataset that cannot be read becomes a relation that says why (lake.c). */
void lh__lake_load_dataset(lh_lake *lake, const char *name);

/* Readers: defines what sql reads before it runs (lazy.c): each dataset it names, the
 * journal when named; for any other name every dataset, so that the gate's "unknown
 * relation" message lists them all as before. Also when sql does not parse (the gate
 * reports that). No-op for writers without lazy_views. Thread-safe. */
void lh__lake_prepare_sql(lh_lake *lake, const char *sql);
/* Readers and lazy_views writers: defines one dataset's views if not yet (time travel and
 * compaction need its tombstones and erasures). No-op for other writers and loaded
 * datasets. Thread-safe. */
void lh__lake_prepare_dataset(lh_lake *lake, const char *name);
/* Lazy lakes, under write_mu: name's views are (re)defined when next named. */
lh_status lh__lake_mark_pending(lh_lake *lake, const char *name, lh_err *err);

/* Tombstoned keys per dataset, mirrored into DuckDB (tombs.c). Each dataset with
 * tombstones has an in-memory table "__tomb__<name>" (one column k, typed like the key
 * column) and an engine key set of the same name built from it; its public view filters
 * the rows of "__raw__<name>" whose key is in the set, during the scan. */

lh__tombs *lh__tombs_new(void);
void lh__tombs_free(lh__tombs *t);

/* Reads the dataset's tombstone file (if any) into "__tomb__<name>" (at open). */
lh_status lh__tombs_load(lh_lake *lake, const char *name, lh_err *err);
/* Defines "__raw__<name>" AS *sql (allowed for user SQL), then turns *sql into the
 * filtered SELECT when the dataset has tombstones. */
lh_status lh__tombs_raw_view(lh_lake *lake, const char *name, lh_buf *sql, lh_err *err);
/* Turns *sql (a SELECT over the dataset's files) into the one that hides tombstoned rows;
 * unchanged when the dataset has none. Thread-safe. */
lh_status lh__tombs_filter(lh_lake *lake, const char *name, lh_buf *sql, lh_err *err);
/* The key column and its DuckDB type when the dataset has tombstones: true and both
 * copied (at most size bytes each), else false. Thread-safe. */
bool lh__tombs_column(lh_lake *lake, const char *name, char *column, char *type, size_t size);
/* Adds keys (an array of JSON strings or integers, already typed) to "__tomb__<name>",
 * creating it with column/type first when needed (*created then true). Writers only. */
lh_status lh__tombs_add(lh_lake *lake, const char *name, const char *column, const char *type,
                        const json_t *keys, bool *created, lh_err *err);
/* The key-set cache (tombs.c): saved by the writer after each tombstone call (best
 * effort), removed before the tombstone file is cleared. */
/* Appends to sql a DuckDB list of type (VARCHAR, INTEGER, BIGINT) holding vals (a JSON
 * array of strings or integers): from_json over the array's text, one constant that
 * parses in one go, where a VALUES row per key costs the parser and binder some 50 us
 * each (100,000 keys: 0.2 s against 4.7 s). Returns sql's status, or LH_ENOMEM. */
lh_status lh__tombs_add_list(lh_buf *sql, const json_t *vals, const char *type);
void lh__tombs_cache_save(lh_lake *lake, const char *name);
void lh__tombs_cache_remove(lh_lake *lake, const char *name);
/* Forgets the dataset's tombstones (after compaction): redefines its view without the
 * filter, then drops "__tomb__<name>". */
/* The latest version's view hiding tombstoned rows by position instead of by key (the
 * row set of the dataset's name; "hidden rows by position" in tombs.c): replaces *sql,
 * the key-filtered select of snap's files (dir: the table directory), when the positions
 * could be had, else leaves it (the key filter is as correct, only slower). */
lh_status lh__tombs_rows_select(lh_lake *lake, const char *name, const lh_table_snapshot *snap,
                                const char *dir, lh_buf *sql, lh_err *err);
/* Vacuum's log cleanup (log_cleanup.c): the JSON commits behind the newest checkpoint
 * once all are older than hours, after recording their content hashes. */
lh_status lh__lake_log_cleanup(lh_lake *lake, const char *name, double hours, int64_t *deleted,
                               lh_err *err);
/* The duplicate check's index (log_cleanup.c): adds to the dataset's record of ingested
 * files the content hashes of its commits up to snap's version and records that version
 * as covered. Writers, under write_mu. */
lh_status lh__lake_index_ingested(lh_lake *lake, const char *name, const char *prefix,
                                  const lh_table_snapshot *snap, lh_err *err);
lh_status lh__tombs_forget(lh_lake *lake, const char *name, lh_err *err);

/* The erasure set (erasures.c): per dataset, the keys compaction erased (salted hashes),
 * each with its compaction version and the data files on disk then, kept in
 * _catalog/erasures/<name>.json until vacuum has deleted every one of those files. */

lh__erasures *lh__erasures_new(void);
void lh__erasures_free(lh__erasures *e);
/* Reads the dataset's set (if any) into "__erased__<name>" (at open). */
lh_status lh__erasures_load(lh_lake *lake, const char *name, lh_err *err);
/* Turns *sql (a SELECT over the dataset's files at version; -1 = latest) into one that
 * hides every key erased by a compaction committed after version; unchanged for the
 * latest version and when no entry is newer. Thread-safe. */
lh_status lh__erasures_filter(lh_lake *lake, const char *name, int64_t version, lh_buf *sql,
                              lh_err *err);
/* Records one entry (hashes: array of hex SHA-256(salt || key); version: the compaction
 * commit's) naming every data file on disk but the nkeep in keep (the files the new
 * version references), durably, and mirrors it.
 * Nothing is recorded when no other file exists. Writers only. */
lh_status lh__erasures_record(lh_lake *lake, const char *name, const char *column,
                              const json_t *hashes, int64_t rows, int64_t version,
                              const char *const *keep, size_t nkeep, lh_err *err);
/* After vacuum: drops the entries none of whose files exists any more, after stripping
 * the column statistics from the JSON commits older than their version. *out:
 * {entries_settled, erased_rows_in_old_files, old_files_with_erased_rows,
 * commits_stripped_of_stats}; caller owns it. Writers only. */
lh_status lh__erasures_settle(lh_lake *lake, const char *name, json_t **out, lh_err *err);
/* What lh__erasures_settle could refuse, checked before vacuum deletes anything: the set
 * reads, and every commit it may rewrite (below its newest entry's version) fits the
 * rewrite's limit (64 MiB). */
lh_status lh__erasures_settle_check(lh_lake *lake, const char *name, lh_err *err);
/* What is still pending: {erased_rows_in_old_files, old_files_with_erased_rows,
 * oldest_erasure_ms}; caller owns *out. */
lh_status lh__erasures_pending(lh_lake *lake, const char *name, json_t **out, lh_err *err);
/* Checks, before a compaction commits, that its entry (hashes, and the data files on disk
 * now) can be recorded: the set as it would be written must stay within what reading it
 * takes (64 MiB), else LH_ETOOBIG naming vacuum. Writes nothing. */
lh_status lh__erasures_check(lh_lake *lake, const char *name, const json_t *hashes, lh_err *err);

/* The journal events that record a set of salted key hashes (an array of strings),
 * HASHES_PER_EVENT at a time so that none is over the journal's line limit: each a copy
 * of ev whose new_value (an object) gets "part" (1..n), "parts" (n) and "key_hashes" (that
 * part's hashes); one event, part 1 of 1, for none. Appended together with
 * lh_journal_append_many they make one record, whole or absent. Caller owns *out. */
lh_status lh__lake_hash_events(const json_t *ev, const json_t *hashes, json_t **out, lh_err *err);

/* The automatic compaction of one dataset under policy p (compact.c; auto_compact.h): the
 * verified compaction of lh_lake_compact with its scans and writes done without the write
 * lock (or, hold_lock, under it throughout: nothing can then change meanwhile), of the
 * small files only when there are no tombstones, into files of about
 * p->target_file_bytes. *out: its report (as lh_lake_compact's), or NULL when there was
 * nothing to do. LH_ECONFLICT when a concurrent write changed what it rests on (nothing
 * committed). Fault points: auto_compact.before_commit, auto_compact.after_commit. */
typedef struct lh_auto_compact_policy lh_auto_compact_policy;
lh_status lh__lake_compact_background(lh_lake *lake, const char *dataset,
                                      const lh_auto_compact_policy *p, bool hold_lock,
                                      json_t **out, lh_err *err);

/* Vacuum under the write lock already held (vacuum.c). */

/* Deletes the data files of the table at prefix (a store key ending in '/') that snap, its
 * latest version, does not reference, once removed (or, never committed, written) at least
 * hours ago; counts[0] += files deleted, counts[1] += bytes, counts[2] += files kept. name
 * names the dataset in messages. */
lh_status lh__lake_vacuum_files(lh_lake *lake, const char *name, const char *prefix,
                                const lh_table_snapshot *snap, double hours, int64_t counts[3],
                                lh_err *err);

/* The dataset's vector indexes at the lake's points of effect (vec_fresh.c; vector/fresh.h).
 * After an ingest commit: marks them stale and hands the on_append ones to the hook (a
 * failure is logged: the ingest stands). */
void lh__lake_vectors_ingested(lh_lake *lake, const char *name, int64_t version);
/* In compaction, before the tombstones (lines: the tombstone lines applied) are cleared:
 * removes their keys from every index of the dataset; *report (caller owns) gets the
 * per-index report. Journals one event per index that held a key. */
lh_status lh__lake_vectors_erase(lh_lake *lake, const char *name, const json_t *lines,
                                 const char *actor, json_t **report, lh_err *err);
/* In vacuum: the unreferenced files of the dataset's index tables (lh__lake_vacuum_files);
 * *out {indexes, files_deleted, bytes_deleted, files_kept}; caller owns it. */
lh_status lh__lake_vectors_vacuum(lh_lake *lake, const char *name, double hours, json_t **out,
                                  lh_err *err);

lh_status lh__lake_vacuum_locked(lh_lake *lake, const char *name, double hours, json_t **out,
                                 lh_err *err);

/* Accessors (lake.c). The write lock serialises writers. */
lh_engine *lh__lake_engine(lh_lake *lake);
lh__tombs *lh__lake_tombs(lh_lake *lake);
lh__erasures *lh__lake_erasures(lh_lake *lake);
bool lh__lake_is_writer(const lh_lake *lake);
void lh__lake_lock(lh_lake *lake);
void lh__lake_unlock(lh_lake *lake);
/* Journals one event (entity "dataset") of a write already committed: a journal failure
 * is logged, never returned. No-op for readers (lake.c). */
void lh__lake_journal_event(lh_lake *lake, const char *name, const char *field,
                            json_t *old_value, json_t *new_value, const char *actor,
                            const char *source);

/* err for a string that could not be built (st: its lh_buf_status): "out of memory", or
 * "dataset NAME: WHAT is too long" (name may be NULL). Returns st. */
lh_status lh__lake_unbuilt(lh_err *err, lh_status st, const char *name, const char *what);

/* The writer lock (lock.c): flock on the data directory's lock file, which then holds
 * this process's pid. LH_ELOCKED naming the holder's pid when another writer has it. */
lh_status lh__lake_take_lock(lh_lake *lake, lh_err *err);

/* Views (views.c). */
/* After a commit of version to the dataset: writes the table's checkpoint when version is
 * a multiple of the checkpoint interval. Best effort: the commit stands whatever happens
 * (a failure is logged; readers replay the JSON commits instead). Writers only. */
void lh__lake_checkpoint(lh_lake *lake, const char *name, int64_t version);
/* The table's state at version (-1 = latest); free with lh_table_snapshot_free. */
lh_status lh__lake_snapshot(lh_lake *lake, const char *name, int64_t version,
                            lh_table_snapshot **snap, lh_err *err);
/* The dataset's table directory (under the data root), appended to out. */
lh_status lh__lake_table_dir(lh_lake *lake, const char *name, lh_buf *out, lh_err *err);
/* The SELECT over the dataset's files at version (-1 = latest), into sql (empty), with the
 * rows erased by a later compaction hidden. */
lh_status lh__lake_table_select(lh_lake *lake, const char *name, int64_t version, lh_buf *sql,
                                lh_err *err);
/* The same over the files of snap (a version of the dataset, or a copy of one restricted
 * to some of its files: the automatic compaction's). */
lh_status lh__lake_files_select(lh_lake *lake, const char *name, const lh_table_snapshot *snap,
                                lh_buf *sql, lh_err *err);
/* (Re)defines the dataset's views over its latest version (and rebuilds its pinned copy). */
lh_status lh__lake_define_view(lh_lake *lake, const char *name, lh_err *err);
/* A dataset that cannot be read stays a relation whose every query fails with why. */
void lh__lake_define_broken_view(lh_lake *lake, const char *name, const char *why);

/* Resync (resync.c). */
/* Every name with a table log, as the keys of *names (an object); caller owns it. */
lh_status lh__lake_table_names(lh_lake *lake, json_t **names, lh_err *err);
/* Recomputes one dataset's manifest from its live files (see lh_lake_resync); appends
 * its report line to report (may be NULL). LH_ENOTFOUND when it has no table log. */
lh_status lh__lake_resync_one(lh_lake *lake, const char *name, json_t *report, lh_err *err);

#endif
