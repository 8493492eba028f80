/* The layers under the statement gate (docs/SECURITY.md), tested as if the gate had let
 * a bad statement through: the test runs it directly on a user query's connection, which
 * is what a gate bypass would amount to. It includes query.c to reach that connection.
 *
 *   - everything a user query's transaction changes is rolled back when it closes, and
 *     no other connection sees it meanwhile;
 *   - a query ends by its deadline, the gate's own work included. */
#include "engine/query.c"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <unistd.h>

#include "engine_fixture.h"

static int setup(void **state)
{
    fixture *f = fixture_open(2);
    if (!f)
        return -1;
    lh_err err = {{0}};
    const char *ddl[] = {
        "CREATE VIEW people AS SELECT * FROM (VALUES (1, 'ann'), (2, 'bob')) v(id, name)",
        "CREATE TABLE __tomb__people AS SELECT 2 AS id",
    };
    for (size_t i = 0; i < sizeof ddl / sizeof ddl[0]; i++)
        if (lh_engine_exec(f->e, ddl[i], &err)) {
            fprintf(stderr, "setup: %s\n", err.msg);
            return -1;
        }
    if (lh_engine_allow_relation(f->e, "people", &err))
        return -1;
    *state = f;
    return 0;
}

static void raw(duckdb_connection c, const char *sql)
{
    duckdb_result res;
    if (duckdb_query(c, sql, &res) == DuckDBError)
        fail_msg("%s: %s", sql, duckdb_result_error(&res));
    duckdb_destroy_result(&res);
}

static const char *first_cell(lh_engine *e, const char *sql, char *out, size_t cap)
{
    json_t *row = NULL;
    lh_err err = {{0}};
    if (lh_engine_query_row(e, sql, &row, &err))
        fail_msg("%s: %s", sql, err.msg);
    const char *v = json_string_value(json_array_get(row, 0));
    snprintf(out, cap, "%s", v ? v : "NULL");
    json_decref(row);
    return out;
}

static void changes_of_a_user_connection_never_outlive_its_query(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_query *q = NULL;
    assert_int_equal(lh_engine_query_open(f->e, "SELECT 1", NULL, &q, &err), LH_OK);
    /* What a bypass would do: forge a view, empty the tombstones, drop and create. */
    raw(q->conn, "CREATE OR REPLACE VIEW people AS SELECT 99 AS id, 'forged' AS name");
    raw(q->conn, "DELETE FROM __tomb__people");
    raw(q->conn, "CREATE TABLE planted AS SELECT 1 AS x");
    raw(q->conn, "CREATE TEMP VIEW shadow AS SELECT 1 AS x");
    char buf[64];
    /* Others do not see it while the query runs... */
    assert_string_equal(first_cell(f->e, "SELECT string_agg(name, ',' ORDER BY id) FROM people",
                                   buf, sizeof buf), "ann,bob");
    assert_string_equal(first_cell(f->e, "SELECT count(*)::VARCHAR FROM __tomb__people", buf,
                                   sizeof buf), "1");
    lh_query_close(q);
    /* ...and it is gone once the query ends, on every connection, pooled ones included. */
    assert_string_equal(first_cell(f->e, "SELECT string_agg(name, ',' ORDER BY id) FROM people",
                                   buf, sizeof buf), "ann,bob");
    assert_string_equal(first_cell(f->e, "SELECT count(*)::VARCHAR FROM __tomb__people", buf,
                                   sizeof buf), "1");
    assert_string_equal(first_cell(f->e, "SELECT count(*)::VARCHAR FROM duckdb_tables() "
                                   "WHERE table_name = 'planted'", buf, sizeof buf), "0");
    assert_int_equal(lh_engine_query_open(f->e, "SELECT * FROM people", NULL, &q, &err), LH_OK);
    duckdb_result res;
    assert_int_equal(duckdb_query(q->conn, "SELECT * FROM shadow", &res), DuckDBError);
    duckdb_destroy_result(&res);
    lh_query_close(q);
}

/* A query whose transaction cannot be rolled back (the statement ended it) does not go
 * back to the pool. */
static void a_connection_out_of_step_is_not_reused(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_query *q = NULL;
    assert_int_equal(lh_engine_query_open(f->e, "SELECT 1", NULL, &q, &err), LH_OK);
    raw(q->conn, "COMMIT");
    size_t pooled = f->e->npool;
    lh_query_close(q);
    assert_int_equal(f->e->npool, pooled);
}

static void deadlines_hold(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_query_opts opts = {.timeout_ms = 300};
    static const char *const slow[] = {
        "SELECT count(*) FROM range(100000000000)",
        "SELECT count(*) FROM range(100000) a, range(100000) b",
        "SELECT length(string_agg(x::VARCHAR, ',')) FROM range(1000000000) t(x)",
    };
    for (size_t i = 0; i < sizeof slow / sizeof slow[0]; i++) {
        lh_query *q = NULL;
        double t0 = lh_mono_ms();
        lh_status st = lh_engine_query_open(f->e, slow[i], &opts, &q, &err);
        if (!st) {
            lh_result_sink sink = {0};
            bool done = false;
            while (!st && !done)
                st = lh_query_next(q, &sink, &done, &err);
        }
        lh_query_close(q);
        double took = lh_mono_ms() - t0;
        printf("%s: status %d after %.0f ms\n", slow[i], st, took);
        assert_int_equal(st, LH_ETIMEOUT);
        assert_true(took < 3000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(changes_of_a_user_connection_never_outlive_its_query,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_connection_out_of_step_is_not_reused, setup, teardown),
        cmocka_unit_test_setup_teardown(deadlines_hold, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
