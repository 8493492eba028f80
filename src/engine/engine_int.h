/* engine_int.h: internals shared by the engine's files. Not for other modules. */
#ifndef LH_ENGINE_ENGINE_INT_H
#define LH_ENGINE_ENGINE_INT_H

#include <duckdb.h>

#include "engine/engine.h"

struct lh_engine {
    duckdb_database db;
    duckdb_connection conn;
    char *data_root;
    char *temp_dir;
    bool own_temp_dir;
    lh_progress_fn progress;  /* see lh_engine_set_progress */
    void *progress_ctx;
    char **relations;       /* allow-list for user SQL (lowercase names) */
    size_t nrelations, caprelations;
};

/* DuckDB's error for a failed result or prepare, into err with status st. */
lh_status lh__engine_result_error(duckdb_result *res, lh_status st, const char *what, lh_err *err);

/* True when name (case-insensitive) is an allowed catalog relation. */
bool lh__engine_relation_allowed(const lh_engine *e, const char *name);

/* The statement gate: LH_OK when prepared (already the single statement of sql) may run
 * as user SQL. Checks the statement type and walks json_serialize_sql(sql)'s parse tree
 * with a deny-by-default allow-list. See sql_gate.c. */
lh_status lh__sql_gate_check(lh_engine *e, const char *sql, duckdb_prepared_statement prepared,
                             lh_err *err);

#endif
