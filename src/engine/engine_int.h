/* engine_int.h: internals shared by the engine's files. Not for other modules. */
#ifndef LH_ENGINE_ENGINE_INT_H
#define LH_ENGINE_ENGINE_INT_H

#include <duckdb.h>

#include "engine/engine.h"

#include <pthread.h>

/* Threads: our own SQL (ingest, views) runs on `conn` under admin_mu; the statement gate
 * serialises parse trees on `gate_conn` under gate_mu (fast); user queries each take a
 * connection of their own from the pool. The relation allow-list is under rel_lock. */
struct lh_engine {
    duckdb_database db;
    duckdb_connection conn;
    pthread_mutex_t admin_mu;
    duckdb_connection gate_conn;
    pthread_mutex_t gate_mu;
    duckdb_connection *pool;  /* idle user-query connections */
    size_t npool, cappool;
    duckdb_connection *busy;  /* connections running a user query (for interrupt_all) */
    size_t nbusy, capbusy;
    pthread_mutex_t pool_mu;
    pthread_rwlock_t rel_lock;
    char *data_root;
    char *temp_dir;
    bool own_temp_dir;
    lh_progress_fn progress;  /* see lh_engine_set_progress */
    void *progress_ctx;
    char **relations;       /* allow-list for user SQL (lowercase names) */
    size_t nrelations, caprelations;
};

/* duckdb_query on the admin connection, serialised with the engine's other own SQL.
 * The result is materialised, so it may be read after the call without the lock. */
duckdb_state lh__engine_admin_query(lh_engine *e, const char *sql, duckdb_result *res);

/* A connection for one user query (reused from the pool or new); give it back with
 * lh__engine_release. NULL when DuckDB cannot connect. */
duckdb_connection lh__engine_acquire(lh_engine *e);
void lh__engine_release(lh_engine *e, duckdb_connection conn);

/* DuckDB's error for a failed result or prepare, into err with status st. */
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

/* The statement gate: LH_OK when prepared (already the single statement of sql) may run
 * as user SQL. Checks the statement type and walks json_serialize_sql(sql)'s parse tree
 * with a deny-by-default allow-list. See sql_gate.c. */
lh_status lh__sql_gate_check(lh_engine *e, const char *sql, duckdb_prepared_statement prepared,
                             lh_err *err);

/* The same, also adding every catalog relation the statement references (lowercase) as
 * a key of the object seen (CTE names are not relations). */
lh_status lh__sql_gate_check_seen(lh_engine *e, const char *sql,
                                  duckdb_prepared_statement prepared, json_t *seen, lh_err *err);

/* The same decision for a caller that already holds rel_lock for reading. */
lh_status lh__sql_gate_check_locked(lh_engine *e, const char *sql,
                                    duckdb_prepared_statement prepared, lh_err *err);

#endif
