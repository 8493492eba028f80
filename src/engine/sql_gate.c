/* sql_gate.c: placeholder until the gate lands; denies everything. */
#include "engine/engine_int.h"

lh_status lh__sql_gate_check(lh_engine *e, const char *sql, duckdb_prepared_statement prepared,
                             lh_err *err)
{
    (void)e; (void)sql; (void)prepared;
    return lh_fail(err, LH_EDENIED, "statement gate not built yet");
}
