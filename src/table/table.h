/* table.h: the Delta Lake table log, protocol (minReader 1, minWriter 2).
 *
 * A table lives under a store key prefix such as "tables/orders"; its log is
 * "<prefix>/_delta_log/%020d.json", one action per line. Commits are put-if-absent
 * (lh_store_put_if_absent); a commit or data file is never rewritten.
 *
 * Reading: _last_checkpoint -> newest checkpoint <= target version -> replay the
 * contiguous JSON commits after it; last protocol/metaData win; minReaderVersion > 1 or
 * any readerFeatures is refused (LH_EUNSUPPORTED); unknown actions and fields are ignored;
 * add/remove paths are percent-decoded (a decoded path that is not a plain relative key,
 * e.g. "..", absolute or a URI, is LH_EUNSUPPORTED); partition values come from the log
 * ("__HIVE_DEFAULT_PARTITION__" and "" mean null). Remove actions inside a checkpoint are
 * tombstones and never remove a live file. A line that is not a JSON object is LH_ECORRUPT
 * with "<key>:<line>" in the message; a gap between the start (checkpoint or 0) and the
 * target version is LH_ECORRUPT. Multi-part V1 checkpoints are read part by part.
 * Writing: lh_table_checkpoint_write writes V1 classic checkpoints (single part).
 *
 * Checkpoints are Parquet; this module does not read Parquet itself. The caller passes
 * an lh_checkpoint_reader (the engine provides one) that turns a checkpoint file into
 * actions. All functions are thread-safe as long as each snapshot is used by one thread. */
#ifndef LH_TABLE_TABLE_H
#define LH_TABLE_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"
#include "storage/storage.h"

/* Receives one action object, e.g. {"add": {...}}. The callee borrows it. */
typedef lh_status (*lh_action_cb)(void *ctx, json_t *action, lh_err *err);

/* Reads the checkpoint Parquet file at local_path and calls cb for every non-null action
 * (protocol, metaData, add, remove, txn...) as a JSON object shaped like a log line. */
typedef struct lh_checkpoint_reader {
    lh_status (*read)(void *self, const char *local_path, lh_action_cb cb, void *cb_ctx,
                      lh_err *err);
    void *self;
} lh_checkpoint_reader;

/* Writes the checkpoint actions in the file at actions_path (newline-delimited JSON, one
 * action object per line: {"protocol":{..}}, {"metaData":{..}}, {"add":{..}} or
 * {"remove":{..}}, shaped as the protocol's checkpoint schema says) as a V1 checkpoint
 * Parquet file at out_path (a new file): columns txn, add, remove, metaData, protocol, each
 * a struct, maps as Parquet maps. *rows gets the number of rows written. The file need not
 * be synced (the caller syncs it). */
typedef struct lh_checkpoint_writer {
    lh_status (*write)(void *self, const char *actions_path, const char *out_path,
                       int64_t *rows, lh_err *err);
    void *self;
} lh_checkpoint_writer;

typedef struct lh_table_file {
    char *path;               /* relative to the table directory, percent-decoded */
    int64_t size;
    int64_t modification_time;
    json_t *partition_values; /* object: column -> string or null (never "" or HIVE default) */
    char *stats;              /* the add's stats JSON string, or NULL */
    int64_t num_records;      /* from stats, or -1 when unknown */
} lh_table_file;

/* A file removed by a commit and not added again: a tombstone (vacuum's business). */
typedef struct lh_table_tombstone {
    char *path;               /* relative to the table directory, percent-decoded */
    int64_t deletion_timestamp; /* ms; 0 when the remove action had none */
    int64_t size;             /* -1 when the remove action had none */
} lh_table_tombstone;

typedef struct lh_table_snapshot {
    int64_t version;
    int min_reader_version;
    int min_writer_version;
    char *table_id;           /* metaData.id */
    char *schema_string;      /* metaData.schemaString (Spark JSON struct schema) */
    json_t *schema;           /* parsed schemaString: {"type":"struct","fields":[...]} */
    json_t *partition_columns;/* array of names */
    json_t *configuration;    /* object */
    int64_t created_time;
    lh_table_file *files;     /* live files, sorted by path */
    size_t nfiles;
    lh_table_tombstone *tombstones; /* removed files (from the JSON commits read and the
                                     * checkpoint started from), sorted by path */
    size_t ntombstones;
} lh_table_snapshot;

/* ---- the table directory's layout (layout.c): the only place that names its files ---- */

/* Store key of the JSON commit at version of the table at prefix, appended to out. */
lh_status lh_table_commit_key(const char *prefix, int64_t version, lh_buf *out);
/* True when rel, a path relative to a table directory, names one of its JSON commits. */
bool lh_table_is_commit_path(const char *rel);
/* True when rel, relative to a table directory, names a data file at its top level
 * (committed or not; temp files, which the store does not list, aside). */
bool lh_table_is_data_path(const char *rel);
/* The name (relative to the table directory) of a new data file with unique id,
 * appended to out: "part-00000-<id>-c000.snappy.parquet". */
lh_status lh_table_data_file_name(const char *id, lh_buf *out);
/* The temp path a data file with unique id is written under in directory dir before it
 * is renamed to its name: "<dir>/.tmp-<id>.parquet", appended to out. Temp names are
 * never committed, never listed by the store, and swept by lh_table_sweep_temp. */
lh_status lh_table_temp_path(const char *dir, const char *id, lh_buf *out);
/* Adds to names (an object used as a set) the name of every directory under parent (a
 * store key such as "tables") that holds a table log. */
lh_status lh_table_list(lh_store *s, const char *parent, json_t *names, lh_err *err);
/* Removes the temp files left in every table directory under parent by writers that were
 * killed. Only for the holder of the writer lock (no live writer owns them). */
lh_status lh_table_sweep_temp(lh_store *s, const char *parent, lh_err *err);

/* Newest version of the table at prefix, or LH_ENOTFOUND when there is no log. */
lh_status lh_table_latest_version(lh_store *s, const char *prefix, int64_t *version, lh_err *err);

/* Loads the table state at version (-1 = latest). cp may be NULL when the table has no
 * checkpoints (a checkpoint then is LH_EUNSUPPORTED). Free with lh_table_snapshot_free.
 * A version that does not exist (or was cleaned away) is LH_ENOTFOUND.
 * A checkpoint that cannot be read (torn, corrupt, unreadable Parquet) is skipped with a
 * warning: the next older complete checkpoint is tried, then the JSON commits from 0;
 * only when none of these can rebuild the version is the checkpoint's error returned. */
lh_status lh_table_snapshot_load(lh_store *s, const char *prefix, int64_t version,
                                 const lh_checkpoint_reader *cp, lh_table_snapshot **out,
                                 lh_err *err);
void lh_table_snapshot_free(lh_table_snapshot *snap);

/* One data file to add in a commit. */
typedef struct lh_table_add {
    const char *path;         /* relative to the table directory, not yet percent-encoded;
                               * must pass lh_store_check_key. Written with RFC 3986 path
                               * characters kept and every other byte as %XX. */
    int64_t size;
    int64_t modification_time;
    const char *stats;        /* JSON text {"numRecords":..,"minValues":..,...} or NULL */
} lh_table_add;

typedef struct lh_table_commit_spec {
    /* Non-NULL for the first commit or a schema change: writes protocol (first commit
     * only) and metaData with this Spark schema (borrowed). */
    json_t *schema;
    const char *table_id;     /* metaData.id to keep on schema change; NULL = new UUID */
    const lh_table_add *adds;
    size_t nadds;
    const char *const *removes; /* paths of live files to remove */
    size_t nremoves;
    const char *operation;    /* "WRITE", "OPTIMIZE", "CREATE TABLE", ... */
    json_t *operation_parameters; /* object or NULL (borrowed) */
} lh_table_commit_spec;

/* Writes commit read_version+1 (read_version -1 creates the table at version 0).
 * read_version >= 0 must exist (else LH_ENOTFOUND), so a stale caller can never leave a gap.
 * The first commit writes protocol {1,2}; every commit starts with commitInfo
 * {timestamp, operation, operationParameters, isBlindAppend, engineInfo "lakehouse/" LH_VERSION}.
 * stats, when given, must be a JSON object (else LH_EINVAL).
 * When another writer took that version first: a pure append (adds only, no schema, no
 * removes) re-reads and retries on the next version; anything else is LH_ECONFLICT.
 * On success *new_version is the version written. A failure after the commit became
 * visible (the log entry is there, byte for byte ours, but syncing it failed) is returned
 * as the error with *new_version set too: the caller must keep its data files. Fault points: "commit.before_log"
 * (data files written, no commit yet) and "commit.after_log". */
lh_status lh_table_commit(lh_store *s, const char *prefix, int64_t read_version,
                          const lh_table_commit_spec *spec, int64_t *new_version, lh_err *err);

/* Writes the V1 classic checkpoint of snap (which must be a version of the table at
 * prefix): "<prefix>/_delta_log/<%020d version>.checkpoint.parquet" with one row per
 * action: protocol, metaData, an add per live file (path percent-encoded, partitionValues,
 * size, modificationTime, dataChange false, stats as JSON text) and a remove per tombstone
 * deleted at or after min_deletion_ms (older ones have expired for vacuum). Then
 * "_delta_log/_last_checkpoint" = {"version", "size" (rows), "sizeInBytes",
 * "numOfAddFiles"}. Atomic: the Parquet file is written under a temp name, synced, its
 * row count checked, then renamed; _last_checkpoint is replaced only after that, and only
 * when it does not already name a newer checkpoint. Readers never depend on it (table.h,
 * reading), so a crash anywhere leaves a readable table. *rows (may be NULL) gets the
 * actions written. Fault points: "checkpoint.before_rename" (temp file written) and
 * "checkpoint.before_last" (checkpoint in place, _last_checkpoint not yet updated).
 * Only for the holder of the writer lock (temp files of killed writers are swept by
 * lh_table_sweep_temp). */
lh_status lh_table_checkpoint_write(lh_store *s, const char *prefix,
                                    const lh_table_snapshot *snap,
                                    const lh_checkpoint_writer *w, int64_t min_deletion_ms,
                                    int64_t *rows, lh_err *err);

/* Deletes every checkpoint (all its parts) of the table at prefix whose version is below
 * version; *dropped (may be NULL) gets how many. _last_checkpoint goes first when it names
 * an older version (or is not JSON), so it never names a missing file. For erasure: checkpoints hold the column statistics of the
 * files live at their version. Only for the holder of the writer lock. */
lh_status lh_table_drop_checkpoints_before(lh_store *s, const char *prefix, int64_t version,
                                           int64_t *dropped, lh_err *err);

/* Log cleanup (log_cleanup.c). lh_table_log_expired finds the newest single-part
 * checkpoint K that reads whole (through cp) with commits below it, every one of them
 * last modified before cutoff_ms: *below = K and *infos (caller owns) the commitInfo
 * objects of the commits below K, oldest first, for what the caller must keep of them;
 * *below = -1 (and *infos NULL) when there is none. lh_table_log_cleanup then deletes
 * the JSON commits below `below`, oldest first, and the checkpoints below it; *deleted
 * gets the commits deleted. Versions below K can no longer be read (LH_ENOTFOUND), and
 * lh_table_history lists only the commits that remain. Only for the holder of the writer
 * lock. */
lh_status lh_table_log_expired(lh_store *s, const char *prefix, const lh_checkpoint_reader *cp,
                               int64_t cutoff_ms, int64_t *below, json_t **infos, lh_err *err);
lh_status lh_table_log_cleanup(lh_store *s, const char *prefix, int64_t below, int64_t *deleted,
                               lh_err *err);

/* Commit history, newest first: array of {version, timestamp, operation,
 * operationParameters, adds, removes}; only commits still in the log are listed (a
 * commit without commitInfo has operation null and its file's mtime as timestamp).
 * Caller owns the returned array (json_decref). No log: LH_ENOTFOUND. */
lh_status lh_table_history(lh_store *s, const char *prefix, json_t **out, lh_err *err);
/* The same, listing only the commits of version >= from (none: an empty array): reads
 * those commits only. */
lh_status lh_table_history_from(lh_store *s, const char *prefix, int64_t from, json_t **out,
                                lh_err *err);

/* Converts a DuckDB/Delta type pair: builds the Spark schema from (name, duckdb type)
 * columns. types are DuckDB type names such as "BIGINT", "DECIMAL(10,2)",
 * "TIMESTAMP WITH TIME ZONE", "VARCHAR", "INTEGER[]", "STRUCT(a INTEGER, \"b\" VARCHAR)",
 * "MAP(VARCHAR, BIGINT)" (plus common aliases such as INT, TEXT, TIMESTAMPTZ, LIST(x)).
 * Unsupported types are LH_EUNSUPPORTED, including plain TIMESTAMP (timestamp_ntz is not
 * in protocol (1,2): convert to TIMESTAMP WITH TIME ZONE first), HUGEINT, unsigned, UUID,
 * TIME and INTERVAL. A column name Delta refuses without column mapping (empty, or with a
 * space or any of ,;{}()=\n\t) is LH_EINVAL. nullable may be NULL (all nullable); nested
 * fields are always nullable. The error names the column. Caller json_decref's *out. */
lh_status lh_table_schema_from_duckdb(const char *const *names, const char *const *types,
                                      const bool *nullable, size_t n, json_t **out, lh_err *err);

/* The DuckDB type name for a Spark schema type (json string or object), appended to out:
 * timestamp -> TIMESTAMP WITH TIME ZONE, decimal(p,s) -> DECIMAL(p,s), array -> T[],
 * map -> MAP(K, V), struct -> STRUCT("name" T, ...). timestamp_ntz and unknown types are
 * LH_EUNSUPPORTED. */
lh_status lh_table_duckdb_type(const json_t *spark_type, lh_buf *out, lh_err *err);

/* The columns of a Spark struct schema as [{"name", "type"}] with DuckDB type names
 * (a type this module cannot name is left empty). Caller owns the array. */
json_t *lh_table_schema_columns(const json_t *schema);

#endif
