/* engine_int.h: internals shared by the engine's files. Not for other modules. */
#ifndef LH_ENGINE_ENGINE_INT_H
#define LH_ENGINE_ENGINE_INT_H

#include <duckdb.h>

#include "engine/engine.h"

#include <pthread.h>
#include <time.h>

/* Threads: our own SQL (ingest, views) runs on `conn` under admin_mu; user queries each
 * take a connection of their own from the pool (pool_mu guards only the pool's and the
 * busy list's pointers, never a statement), and the statement gate parses on that
 * connection, so user queries run side by side. The relation allow-list is under
 * rel_lock (read-locked by the gate). One watchdog thread per engine, started with the
 * first query that has a deadline, interrupts the queries whose deadline passed. */
typedef struct lh__keysets lh__keysets;
typedef struct lh__rowsets lh__rowsets;

/* stmt_cache.c: user statements that passed the gate on one pooled connection, kept
 * prepared. An entry is reused only for the byte-identical text under the same policy
 * generation (lh_engine.policy_gen); see lh__stmt_cache_prepare. */
#define LH__STMT_CACHE_MAX 64
/* Longest text kept (bytes): what a connection keeps stays small (64 × 32 KiB of text at
 * most, and their plans); longer statements go through the gate every time. */
#define LH__STMT_CACHE_TEXT_MAX 32768
typedef struct lh__stmt lh__stmt;
typedef struct lh__stmt_cache {
    lh__stmt *slot[LH__STMT_CACHE_MAX];
    size_t n;
    uint64_t tick;          /* use counter: the least recently used entry goes first */
    uint64_t hits, gated;   /* reuses, and statements that went through the gate here */
} lh__stmt_cache;

/* Runs of one kept prepared statement before it is prepared again. DuckDB 1.4.4 makes a
 * new result collector (with its sink state) inside a prepared statement's plan at every
 * execution and frees them only with the statement (duckdb/duckdb#21089, fixed after
 * 1.4.4): a statement kept for the life of a connection grows by about 0.7 KB (BEGIN,
 * ROLLBACK, the serializer) to 2 KB (a streamed SELECT) per run. Preparing it again after
 * this many runs bounds that (docs/INTERNALS.md, "Kept statements and DuckDB's memory"). */
#define LH__KEPT_RUNS_MAX 64

/* A pooled connection for user queries, with the statements every query runs on it
 * prepared once (NULL until first used) and again every LH__KEPT_RUNS_MAX runs. */
typedef struct lh__conn {
    duckdb_connection conn;
    duckdb_prepared_statement serialize; /* SELECT json_serialize_sql(?::VARCHAR) */
    duckdb_prepared_statement begin, rollback;
    unsigned serialize_runs, begin_runs, rollback_runs; /* since each was prepared */
    lh__stmt_cache stmts;   /* freed with the connection (lh__stmt_cache_release) */
} lh__conn;

/* Before a run of *ps, a statement kept on a connection: counts the run in *runs and,
 * once the statement has run LH__KEPT_RUNS_MAX times, destroys it (*ps NULL: the caller
 * prepares it again, which starts a new count). */
void lh__kept_run(duckdb_prepared_statement *ps, unsigned *runs);

/* A query's deadline while armed on the engine's watchdog (lh__watchdog_arm). */
typedef struct lh__deadline {
    struct timespec at;          /* CLOCK_MONOTONIC */
    duckdb_connection conn;      /* interrupted when at passes */
    bool armed, fired;
    struct lh__deadline *next;   /* the watchdog's list, soonest first */
} lh__deadline;

struct lh_engine {
    duckdb_database db;
    duckdb_connection conn;
    pthread_mutex_t admin_mu;
    lh__conn **pool;          /* idle user-query connections */
    size_t npool, cappool;
    lh__conn **busy;          /* connections running a user query (for interrupt_all) */
    size_t nbusy, capbusy;
    pthread_mutex_t pool_mu;
    /* the watchdog (watchdog.c) */
    pthread_mutex_t dog_mu;
    pthread_cond_t dog_cv;    /* on CLOCK_MONOTONIC */
    pthread_t dog;
    bool dog_started, dog_stop;
    bool dog_timed;           /* the thread sleeps until dog_wake (else until signalled) */
    struct timespec dog_wake;
    uint64_t dog_wakes;       /* times the thread woke (for the tests) */
    lh__deadline *deadlines;  /* armed, soonest first */
    pthread_rwlock_t rel_lock;
    char *data_root;
    char *temp_dir;
    bool own_temp_dir;
    lh_progress_fn progress;  /* see lh_engine_set_progress */
    void *progress_ctx;
    size_t max_sql_bytes;   /* longest user SQL text accepted */
    char **relations;       /* allow-list for user SQL (lowercase names) */
    size_t nrelations, caprelations;
    json_t *unavailable;    /* lowercase relation name -> why it cannot be read now */
    /* Bumped (atomically; under rel_lock's write lock for the lists) by every change
     * of what the gate decides on (the allow-list, the unavailable relations) and of
     * what a prepared statement was bound to (any statement but a SELECT on the admin
     * connection, where all catalog changes are made). A kept statement of an older
     * generation goes through the gate and is prepared again (stmt_cache.c). */
    uint64_t policy_gen;
    lh__keysets *keysets;   /* keyset.c: the sets the __lh_hidden_* functions test */
    lh__rowsets *rowsets;   /* rowset.c: the sets __lh_hidden_r tests */
};

/* keyset.c: creates the key sets and registers their SQL functions on conn; frees them
 * (after the database is closed: DuckDB holds a pointer to them). */
lh_status lh__engine_keysets_open(lh_engine *e, lh_err *err);
void lh__engine_keysets_free(lh_engine *e);
/* rowset.c: the same for the row sets and __lh_hidden_r. */
lh_status lh__engine_rowsets_open(lh_engine *e, lh_err *err);
void lh__engine_rowsets_free(lh_engine *e);

/* Why the allowed relation cannot be read now, copied into why (size bytes); false
 * when it can. Caller holds rel_lock. */
bool lh__engine_relation_unavailable(const lh_engine *e, const char *name, char *why,
                                     size_t size);

/* duckdb_query on the admin connection, serialised with the engine's other own SQL.
 * The result is materialised, so it may be read after the call without the lock. */
duckdb_state lh__engine_admin_query(lh_engine *e, const char *sql, duckdb_result *res);

/* A connection for one user query (reused from the pool or new); give it back with
 * lh__engine_release. NULL when DuckDB cannot connect or memory runs out. */
lh__conn *lh__engine_acquire(lh_engine *e);
void lh__engine_release(lh_engine *e, lh__conn *c);
/* Disconnects an acquired connection instead of pooling it (its state is unknown). */
void lh__engine_forget(lh_engine *e, lh__conn *c);

/* The watchdog (watchdog.c). arm: interrupt d->conn once timeout_ms have passed, and
 * again every few milliseconds after that until disarmed (d is the caller's until disarm; starts the engine's one watchdog thread on first use; false
 * when that thread cannot start: no deadline then). disarm: after it returns the
 * watchdog never touches d or its connection again; returns whether it fired. fired:
 * whether it has fired so far. stop: ends the thread (lh_engine_free). Thread-safe. */
bool lh__watchdog_arm(lh_engine *e, lh__deadline *d, duckdb_connection conn, int64_t timeout_ms);
bool lh__watchdog_disarm(lh_engine *e, lh__deadline *d);
bool lh__watchdog_fired(lh_engine *e, const lh__deadline *d);
void lh__watchdog_stop(lh_engine *e);

/* Rendering values in C (render.c), byte for byte as DuckDB's CAST(x AS VARCHAR). */
typedef struct lh__render {
    duckdb_type id;    /* the column's type */
    duckdb_type phys;  /* DECIMAL: its storage type; else id */
    unsigned width, scale; /* DECIMAL: digits in all, and after the point */
} lh__render;
/* Longest text lh__render_cell writes, with room for a NUL after it. */
#define LH__RENDER_MAX 64
/* Whether columns of type t are rendered in C (VARCHAR included: its bytes as they are);
 * fills r when they are. */
bool lh__render_plan(duckdb_logical_type t, lh__render *r);
/* The text of row's value in a vector's data (not NULL, not VARCHAR) into out
 * (LH__RENDER_MAX bytes, not NUL-terminated); returns its length. */
size_t lh__render_cell(const lh__render *r, const void *data, idx_t row, char *out);

/* DuckDB's error for a failed result or prepare, into err with status st. */
/* DuckDB's message msg as a user should read it (errors.c: location as "line L, column C"
 * in sql, the user's statement, or NULL for our own SQL; no class prefixes, setting hints
 * or paths) into out (n bytes). Thread-safe. */
void lh__engine_user_message(const char *msg, const char *sql, char *out, size_t n);
/* lh__engine_user_message into err; returns st. */
lh_status lh__engine_fail(lh_err *err, lh_status st, const char *msg, const char *sql);
lh_status lh__engine_result_error(duckdb_result *res, lh_status st, const char *what, lh_err *err);

/* True when name (case-insensitive) is an allowed catalog relation. Callers hold
 * rel_lock for reading (the gate does). */
bool lh__engine_relation_allowed(const lh_engine *e, const char *name);

/* Column metadata of a prepared statement; names and types are heap strings owned here. */
typedef struct lh__columns {
    lh_result_column *cols;
    char **owned;    /* 2 per column */
    size_t n;
} lh__columns;
lh_status lh__columns_load(duckdb_prepared_statement prep, lh__columns *c, lh_err *err);
void lh__columns_release(lh__columns *c);

/* The statement gate (sql_gate.c): the one door user SQL goes through. Checks the first
 * sql_len bytes of sql (a NUL-terminated string no longer than that) against the size
 * limit, extracts exactly one statement, walks its parse tree against the allow-lists and
 * prepares it on conn; DuckDB must type it SELECT. On LH_OK *out is the prepared
 * statement (the caller destroys it). When seen is not NULL, every catalog relation the
 * statement references is added to it as a key (lowercase; CTE names are not relations).
 * Denied: LH_EDENIED; malformed: LH_EINVAL; too long: LH_ETOOBIG. */
lh_status lh__sql_gate_prepare(lh_engine *e, duckdb_connection conn, const char *sql,
                               size_t sql_len, json_t *seen, duckdb_prepared_statement *out,
                               lh_err *err);
/* The same with the serializer statement prepared on conn (*serialize; prepared here
 * when NULL and kept for the next call: the caller destroys it). */
lh_status lh__sql_gate_prepare_with(lh_engine *e, duckdb_connection conn,
                                    duckdb_prepared_statement *serialize, const char *sql,
                                    size_t sql_len, json_t *seen,
                                    duckdb_prepared_statement *out, lh_err *err);

/* lh__sql_gate_prepare_with on pc's connection with its serializer (prepared again every
 * LH__KEPT_RUNS_MAX runs); nothing is kept. Only the thread that holds pc. */
lh_status lh__conn_gate_prepare(lh_engine *e, lh__conn *pc, const char *sql, size_t sql_len,
                                json_t *seen, duckdb_prepared_statement *out, lh_err *err);
/* The gate through pc's statement cache (stmt_cache.c): when pc holds a statement that
 * passed the gate as exactly these sql_len bytes while e->policy_gen had its current
 * value, that statement (DuckDB re-binds it itself when the catalog changed since) and
 * the relations it references (added to seen) without parsing again; otherwise
 * lh__conn_gate_prepare, and a statement it accepts is kept (64 per connection, the
 * least recently used dropped first; each for LH__KEPT_RUNS_MAX runs, then it goes
 * through the gate and is prepared again). On LH_OK *out is the prepared statement and *held
 * the entry that owns it, pinned until lh__stmt_cache_done; *held NULL means the caller
 * owns *out (destroys it). Refusals are never kept. Only the thread that holds pc. */
lh_status lh__stmt_cache_prepare(lh_engine *e, lh__conn *pc, const char *sql, size_t sql_len,
                                 json_t *seen, duckdb_prepared_statement *out, lh__stmt **held,
                                 lh_err *err);
/* Unpins s (NULL: nothing); keep false drops it (its statement failed to run). */
void lh__stmt_cache_done(lh__conn *pc, lh__stmt *s, bool keep);
/* Destroys every kept statement (before the connection is disconnected). */
void lh__stmt_cache_release(lh__stmt_cache *c);
/* Marks every kept statement stale (any thread; the lists' writers call it under
 * rel_lock's write lock, so a gate that read the lists saw the generation before). */
void lh__engine_policy_changed(lh_engine *e);

/* EXPLAIN of a statement that lh__sql_gate_prepare accepted (its first len bytes, without
 * trailing ';' or comments), prepared on conn; DuckDB must type it EXPLAIN. */
lh_status lh__sql_gate_prepare_explain(duckdb_connection conn, const char *vetted,
                                       size_t len, duckdb_prepared_statement *out, lh_err *err);

/* The parse-tree half alone: json_serialize_sql(sql) walked against the allow-lists
 * (DuckDB serializes SELECT statements only). */
lh_status lh__sql_gate_tree(lh_engine *e, duckdb_connection conn, const char *sql,
                            json_t *seen, lh_err *err);

/* The denial for a statement DuckDB typed as t (not SELECT), with the reason. */
lh_status lh__sql_gate_denied_type(duckdb_statement_type t, lh_err *err);

/* True when user SQL may call the scalar, aggregate or window function name
 * (gate_functions.c); the list itself, sorted, for the tests. */
bool lh__gate_function_allowed(const char *name);
const char *const *lh__gate_allowed_functions(size_t *n);

#endif
