/* engine.h: the SQL engine, the only user of duckdb.h (STYLE.md habit 2).
 *
 * One DuckDB database per process, in memory, locked down at open: external access off,
 * allowed directories = the data root and the engine's temp directory (kept outside the
 * data root), configuration locked, extension autoload/autoinstall off. Every dataset is
 * a view over its live Parquet files. Our own SQL (ingest, views) runs as is; user SQL
 * goes through the statement gate (sql_gate.c) first.
 *
 * User queries (lh_engine_query*, lh_engine_export_parquet) may run from many threads at
 * once: each takes a pooled connection of its own and nothing serialises them; deadlines
 * are kept by one watchdog thread per engine, started with the first query that has one.
 * Our own SQL (lh_engine_exec, query_row(s), views) runs one statement at a time on the
 * engine's admin connection. */
#ifndef LH_ENGINE_ENGINE_H
#define LH_ENGINE_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"
#include "table/table.h"

typedef struct lh_engine lh_engine;

typedef struct lh_engine_config {
    const char *data_root;    /* absolute; the only directory user-visible files live in */
    const char *temp_dir;     /* DuckDB spill directory; NULL = a fresh dir under /tmp */
    int threads;              /* 0 = DuckDB's default (cores) */
    const char *memory_limit; /* e.g. "4GB"; NULL or "" = half of physical memory */
    const char *max_temp_size;/* spill space, e.g. "16GB"; NULL or "" = LH_ENGINE_TEMP_DEFAULT */
    size_t max_sql_bytes;     /* longest user SQL text; 0 = LH_ENGINE_SQL_DEFAULT */
} lh_engine_config;

/* Defaults of the limits above (docs/SECURITY.md). 256 KiB of SQL is far more than any
 * hand-written or generated query we have seen, and bounds the work of DuckDB's parser,
 * which runs before any deadline can interrupt it (thousands of CTEs parse in seconds). */
#define LH_ENGINE_TEMP_DEFAULT "16GB"
#define LH_ENGINE_SQL_DEFAULT (256u * 1024u)

lh_status lh_engine_open(const lh_engine_config *cfg, lh_engine **out, lh_err *err);
void lh_engine_free(lh_engine *e);

/* The checkpoint reader the table module needs (reads checkpoint Parquet via DuckDB). */
lh_checkpoint_reader lh_engine_checkpoint_reader(lh_engine *e);
/* The checkpoint writer the table module needs (writes checkpoint Parquet via DuckDB).
 * Uses the engine's own connection, serialised with its other own SQL. */
lh_checkpoint_writer lh_engine_checkpoint_writer(lh_engine *e);

/* A SELECT over the snapshot's live files that yields exactly the Delta schema's columns
 * (in schema order, with partition values from the log and NULL for columns a file lacks).
 * table_dir is the absolute directory of the table. */
lh_status lh_engine_snapshot_select(lh_engine *e, const char *table_dir,
                                    const lh_table_snapshot *snap, lh_buf *sql, lh_err *err);
/* The same, with positions: two more columns, __lh_file (the data file as DuckDB's
 * `filename` names it) and __lh_pos (the row's position in that file); and/or, row_set
 * not NULL, without the rows that row set hides (rowset.c). LH_EUNSUPPORTED when a data
 * file has a column that would shadow DuckDB's file_row_number (then use the key filter). */
lh_status lh_engine_snapshot_select_rows(lh_engine *e, const char *table_dir,
                                         const lh_table_snapshot *snap, bool positions,
                                         const char *row_set, lh_buf *sql, lh_err *err);

/* Every function here taking SQL text refuses a NULL statement with LH_EINVAL (a builder
 * that failed: lh_buf_detach gives NULL) rather than run it or crash.
 *
 * Creates or replaces the view name AS select_sql (our SQL; no gate). A statement past
 * the builder's limit is LH_ETOOBIG, never defined cut short. */
lh_status lh_engine_define_view(lh_engine *e, const char *name, const char *select_sql,
                                lh_err *err);

/* Runs our own statement (no gate, result discarded). */
lh_status lh_engine_exec(lh_engine *e, const char *sql, lh_err *err);

/* Key sets (keyset.c): named sets of keys that SQL tests row by row during a scan,
 * __lh_hidden_i('name', BIGINT value) and __lh_hidden_s('name', VARCHAR value): true when
 * the value is in the set, NULL for a NULL argument, an error (the query fails) when no
 * set of that name and kind is loaded. Not callable from user SQL (not on the gate's
 * allow-list). lh_engine_keyset_load runs sql (our own: one BIGINT column, or VARCHAR
 * when text) and replaces the set with its non-NULL values, or leaves it as it was on
 * failure. Thread-safe against queries running the functions. */
lh_status lh_engine_keyset_load(lh_engine *e, const char *name, bool text, const char *sql,
                                lh_err *err);
void lh_engine_keyset_drop(lh_engine *e, const char *name);

/* Row sets (rowset.c): named sets of hidden row positions per data file, tested during a
 * scan by __lh_hidden_r('name', file, position) (file as DuckDB's `filename` names it,
 * position its `file_row_number`): true when hidden, false for a row of a file the set
 * checked, an error (the query fails) for a file it did not check or no set of that name.
 * Not callable from user SQL. A set is built apart (not thread-safe), then installed:
 * lh_engine_rowset_add_positions runs sql (our own) returning (file VARCHAR, position
 * BIGINT) rows, a NULL position marking a file checked; _add_bitmaps one (file VARCHAR,
 * bits BLOB) row per file, bits the bitmap as _save wrote it (NULL: none hidden).
 * _save writes the set's own files (file, bits) to the Parquet file path with
 * KV_METADATA kv_metadata (a DuckDB struct literal). _install replaces the set of that
 * name, taking s (freed on failure too); files of the set it replaces that s lacks are
 * kept once, for queries planned on the previous view. Installed sets are read under a
 * lock by the function: thread-safe against queries. */
typedef struct lh_rowset lh_rowset;
lh_rowset *lh_engine_rowset_new(const char *name);
void lh_engine_rowset_free(lh_rowset *s);
lh_status lh_engine_rowset_add_positions(lh_engine *e, lh_rowset *s, const char *sql, lh_err *err);
lh_status lh_engine_rowset_add_bitmaps(lh_engine *e, lh_rowset *s, const char *sql, lh_err *err);
bool lh_engine_rowset_has(const lh_rowset *s, const char *file);
int64_t lh_engine_rowset_hidden(const lh_rowset *s);
lh_status lh_engine_rowset_save(lh_engine *e, const lh_rowset *s, const char *path,
                                const char *kv_metadata, lh_err *err);
lh_status lh_engine_rowset_install(lh_engine *e, lh_rowset *s, lh_err *err);
void lh_engine_rowset_drop(lh_engine *e, const char *name);

/* Runs our own query and returns its first row's columns as strings (NULL values as
 * NULL) in a JSON array; convenient for counts and stats. Caller json_decref's. */
lh_status lh_engine_query_row(lh_engine *e, const char *sql, json_t **row, lh_err *err);

/* Runs our own statement on a connection of its own instead of the shared admin one, so
 * that long background work (the automatic compaction's scans and COPY) holds up neither
 * the writes nor the queries that use that connection meanwhile. *row (may be NULL) gets
 * the first row's columns as strings (NULL values as null; an empty array when there is
 * no row); caller json_decref's. Interrupted by lh_engine_interrupt_all. Thread-safe. */
lh_status lh_engine_side_query(lh_engine *e, const char *sql, json_t **row, lh_err *err);

/* Runs our own query and returns all rows as a JSON array of arrays (strings or null).
 * For small internal results only (at most max_rows, else LH_ETOOBIG). */
lh_status lh_engine_query_rows(lh_engine *e, const char *sql, size_t max_rows, json_t **rows,
                               lh_err *err);

/* Progress of a long statement: percentage 0..100 (or -1 when DuckDB cannot tell yet),
 * rows processed so far and the estimated total. Called from a watcher thread about four
 * times a second while one of our own statements runs; must be quick and thread-safe. */
typedef void (*lh_progress_fn)(void *ctx, double percentage, uint64_t rows, uint64_t total);

/* Sets (or with fn NULL clears) the progress callback for our own statements
 * (lh_engine_exec, lh_engine_query_row(s)). */
void lh_engine_set_progress(lh_engine *e, lh_progress_fn fn, void *ctx);

/* ---- user queries ---- */

/* How a column is rendered by result writers. */
typedef enum lh_cell_kind {
    LH_CELL_STRING,  /* quote in JSON */
    LH_CELL_NUMBER,  /* bare in JSON (finite numbers only; others arrive as strings) */
    LH_CELL_BOOL,    /* "true"/"false" */
    LH_CELL_JSON,    /* already JSON text (nested types) */
} lh_cell_kind;

typedef struct lh_result_column {
    const char *name;
    const char *type;   /* DuckDB type name */
    lh_cell_kind kind;
} lh_result_column;

/* Streaming result consumer. cells[i] is NULL for SQL NULL, else text of length lens[i]
 * (NOT necessarily NUL-terminated: it points into DuckDB's vector; valid only during the
 * call). Returning non-LH_OK stops the query (the status is returned). */
typedef struct lh_result_sink {
    lh_status (*begin)(void *ctx, const lh_result_column *cols, size_t ncols, lh_err *err);
    lh_status (*row)(void *ctx, const char *const *cells, const size_t *lens, lh_err *err);
    lh_status (*end)(void *ctx, uint64_t rows, bool truncated, lh_err *err);
    void *ctx;
} lh_result_sink;

typedef struct lh_query_opts {
    uint64_t limit;     /* 0 = no limit; else stop after limit rows (truncated = true) */
    int64_t timeout_ms; /* 0 = none; else the query is interrupted then (LH_ETIMEOUT) */
    bool explain;       /* return DuckDB's plan of the (vetted) query instead of its rows */
    /* Relations seen differently by this query alone (time travel): each name is
     * shadowed by a connection-local view AS the matching SQL (our SQL, not gated). */
    const char *const *view_names;
    const char *const *view_sqls;
    size_t nviews;
    /* When set, called once the user SQL passed the gate, with an object whose keys are
     * the catalog relations it references (lowercase; borrowed for the call). The hot
     * cache counts hits and misses with it. */
    void (*on_relations)(void *ctx, const json_t *names);
    void *relations_ctx;
} lh_query_opts;

/* Checks sql with the statement gate (exactly one read-only statement over catalog
 * relations) and streams its rows to sink chunk by chunk. Denied SQL is LH_EDENIED,
 * malformed SQL LH_EINVAL, SQL over the engine's max_sql_bytes LH_ETOOBIG, each with
 * DuckDB's or the gate's message. The query runs in a transaction that is rolled back
 * at the end, so it cannot leave anything behind in the engine's catalog. */
lh_status lh_engine_query(lh_engine *e, const char *sql, const lh_query_opts *opts,
                          const lh_result_sink *sink, lh_err *err);

/* Checks sql with the same statement gate as lh_engine_query and prepares it, without
 * running it: LH_OK when it would be allowed to run; the refusals and messages are
 * lh_engine_query's. *relations (when not NULL) gets a new object whose keys are the
 * catalog relations sql references (lowercase; the caller json_decref's it), from what
 * the gate saw in DuckDB's parse tree. For SQL that something else wrote (POST /ai/sql:
 * a model's answer) and that is shown, not run. Thread-safe. */
lh_status lh_engine_check_sql(lh_engine *e, const char *sql, json_t **relations, lh_err *err);

/* The same, pulled chunk by chunk (for an HTTP response that asks for more when the
 * client can take it). A query holds one engine connection until closed; one thread at a
 * time may use it, except lh_query_cancel, which any thread may call. */
typedef struct lh_query lh_query;

/* Checks and starts sql. On success *out is open: close it with lh_query_close. */
lh_status lh_engine_query_open(lh_engine *e, const char *sql, const lh_query_opts *opts,
                               lh_query **out, lh_err *err);
/* Result columns; valid until lh_query_close. */
const lh_result_column *lh_query_columns(const lh_query *q, size_t *n);
/* Hands the next chunk's rows (up to about 2048) to sink->row; *done once no rows are
 * left or the limit was reached (begin/end of the sink are the caller's to call). */
lh_status lh_query_next(lh_query *q, const lh_result_sink *sink, bool *done, lh_err *err);
/* Runs an open query to the end into sink: begin, every row, end. */
lh_status lh_query_drain(lh_query *q, const lh_result_sink *sink, lh_err *err);
uint64_t lh_query_rows(const lh_query *q);
bool lh_query_truncated(const lh_query *q);
/* Interrupts a running fetch (e.g. the client went away); thread-safe. */
void lh_query_cancel(lh_query *q);
void lh_query_close(lh_query *q);

/* Runs a user query (the same gate and options) into a Parquet file at path (inside the
 * data root; the caller owns the file afterwards). *rows receives the row count. */
lh_status lh_engine_export_parquet(lh_engine *e, const char *sql, const lh_query_opts *opts,
                                   const char *path, uint64_t *rows, lh_err *err);

/* Interrupts every running user query and our own current statement (shutdown). */
void lh_engine_interrupt_all(lh_engine *e);

/* The names sql references as tables (*tables) and defines as CTEs (*ctes), each once,
 * from DuckDB's parse tree (a table reference may name a CTE): new arrays of strings, the
 * caller json_decref's both. Not a security check (the gate is): for defining relations
 * on demand before a query runs. LH_EINVAL when sql does not parse. Thread-safe. */
lh_status lh_engine_relations(lh_engine *e, const char *sql, json_t **tables, json_t **ctes,
                              lh_err *err);
/* Whether user SQL may reference name (lh_engine_allow_relation). Thread-safe. */
bool lh_engine_relation_known(lh_engine *e, const char *name);

/* Marks name as a catalog relation that user SQL may reference (views are added by the
 * catalog sync; the gate refuses anything else). */
lh_status lh_engine_allow_relation(lh_engine *e, const char *name, lh_err *err);
void lh_engine_clear_relations(lh_engine *e);
/* Marks an allowed relation as one that cannot be read now (why: the reason; NULL clears
 * the mark): the gate refuses every statement that references it with "dataset <name>
 * cannot be read: <why>" before DuckDB runs anything, so no query over it can answer
 * (a view that raised the error when evaluated still answered count(*)). */
lh_status lh_engine_set_unavailable(lh_engine *e, const char *name, const char *why,
                                    lh_err *err);

#endif
