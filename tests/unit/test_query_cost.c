/* What one user query costs the engine (src/engine/query.c, watchdog.c): one bind of the
 * user's statement when every column is rendered in C (no VARCHAR wrapper), the gate's
 * serializer and the transaction statements prepared once per pooled connection, and
 * deadlines kept by one engine-wide watchdog thread instead of a thread per query. It
 * includes query.c to see a query's statements and connection. */
#include "engine/query.c"

#include <dirent.h>
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
    *state = f;
    return 0;
}

static lh_status s_begin(void *c, const lh_result_column *cols, size_t n, lh_err *e)
{
    (void)c, (void)cols, (void)n, (void)e;
    return LH_OK;
}
static lh_status s_row(void *c, const char *const *cells, const size_t *lens, lh_err *e)
{
    (void)e;
    json_t *rows = c, *row = json_array();
    size_t n = (size_t)json_integer_value(json_object_get(rows, "ncols"));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(row, cells[i] ? json_stringn(cells[i], lens[i]) : json_null());
    json_array_append_new(json_object_get(rows, "rows"), row);
    return LH_OK;
}
static lh_status s_end(void *c, uint64_t rows, bool trunc, lh_err *e)
{
    (void)c, (void)rows, (void)trunc, (void)e;
    return LH_OK;
}

/* The rows of an open query as compact JSON text (caller frees). */
static char *drain_json(lh_query *q)
{
    json_t *acc = json_pack("{s:I, s:[]}", "ncols", (json_int_t)q->cols.n, "rows");
    lh_result_sink sink = {s_begin, s_row, s_end, acc};
    lh_err err = {{0}};
    if (lh_query_drain(q, &sink, &err))
        fail_msg("drain: %s", err.msg);
    char *s = json_dumps(json_object_get(acc, "rows"), JSON_COMPACT);
    json_decref(acc);
    return s;
}

static void common_types_are_bound_once(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_query *q = NULL;
    assert_int_equal(lh_engine_query_open(f->e, "SELECT 1 AS i, 'x' AS s, 1.5::DOUBLE AS d, "
                                          "DATE '2020-01-02' AS dt, 12.30::DECIMAL(5,2) AS m, NULL AS n",
                                          NULL, &q, &err), LH_OK);
    assert_non_null(q->user);
    assert_null(q->wrapped); /* no second statement: the values are rendered in C */
    char *rows = drain_json(q);
    assert_string_equal(rows, "[[\"1\",\"x\",\"1.5\",\"2020-01-02\",\"12.30\",null]]");
    free(rows);
    lh_query_close(q);
}

static void other_types_keep_the_cast(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_query *q = NULL;
    assert_int_equal(lh_engine_query_open(f->e, "SELECT 7 AS i, INTERVAL 90 MINUTE AS iv, [1, 2] AS l, "
                                          "1.25::FLOAT AS fl", NULL, &q, &err), LH_OK);
    assert_non_null(q->wrapped); /* INTERVAL, the list and FLOAT are cast by DuckDB */
    char *rows = drain_json(q);
    assert_string_equal(rows, "[[\"7\",\"01:30:00\",\"[1,2]\",\"1.25\"]]");
    free(rows);
    lh_query_close(q);
}

static void a_pooled_connection_keeps_its_statements(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_query *q = NULL;
    assert_int_equal(lh_engine_query_open(f->e, "SELECT 1", NULL, &q, &err), LH_OK);
    lh__conn *pc = q->pc;
    assert_non_null(pc->serialize);
    assert_non_null(pc->begin);
    duckdb_prepared_statement ser = pc->serialize, begin = pc->begin;
    lh_query_close(q);
    assert_non_null(pc->rollback);
    /* The next query takes the same connection back from the pool, statements and all. */
    assert_int_equal(lh_engine_query_open(f->e, "SELECT 2", NULL, &q, &err), LH_OK);
    assert_ptr_equal(q->pc, pc);
    assert_ptr_equal(q->pc->serialize, ser);
    assert_ptr_equal(q->pc->begin, begin);
    lh_query_close(q);
}

static int threads_now(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        fail_msg("no /proc/self/task");
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Six queries open at once, each with a deadline: one watchdog thread for all of them
 * (before, each query started a thread of its own that lived until it closed). */
static void one_watchdog_thread_for_all_deadlines(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_query_opts opts = {.timeout_ms = 600000};
    lh_query *q[6] = {0};
    int before = threads_now();
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(lh_engine_query_open(f->e, "SELECT 1", &opts, &q[i], &err), LH_OK);
    int during = threads_now();
    printf("threads: %d before, %d with 6 queries open\n", before, during);
    assert_true(during <= before + 1);
    for (size_t i = 0; i < 6; i++) {
        char *rows = drain_json(q[i]);
        assert_string_equal(rows, "[[\"1\"]]");
        free(rows);
        assert_false(timed_out(q[i]));
        lh_query_close(q[i]);
    }
    assert_true(threads_now() <= before + 1);
}

/* A short deadline fires on its own query only: a query armed earlier with a long one
 * runs to the end, and the engine keeps taking deadlines after one fired. */
static void deadlines_are_per_query(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_query_opts slow_opts = {.timeout_ms = 200}, long_opts = {.timeout_ms = 600000};
    lh_query *kept = NULL, *slow = NULL;
    assert_int_equal(lh_engine_query_open(f->e, "SELECT count(*) FROM range(1000000)", &long_opts,
                                          &kept, &err), LH_OK);
    lh_status st = lh_engine_query_open(f->e, "SELECT count(*) FROM range(100000000000)", &slow_opts,
                                        &slow, &err);
    if (!st) {
        lh_result_sink sink = {0};
        bool done = false;
        while (!st && !done)
            st = lh_query_next(slow, &sink, &done, &err);
    }
    assert_int_equal(st, LH_ETIMEOUT);
    assert_non_null(strstr(err.msg, "200 ms timeout"));
    lh_query_close(slow);
    char *rows = drain_json(kept);
    assert_string_equal(rows, "[[\"1000000\"]]");
    free(rows);
    assert_false(timed_out(kept));
    lh_query_close(kept);
    /* and again: the watchdog still serves new deadlines */
    slow = NULL;
    st = lh_engine_query_open(f->e, "SELECT count(*) FROM range(100000000000)", &slow_opts, &slow, &err);
    if (!st) {
        lh_result_sink sink = {0};
        bool done = false;
        while (!st && !done)
            st = lh_query_next(slow, &sink, &done, &err);
    }
    assert_int_equal(st, LH_ETIMEOUT);
    lh_query_close(slow);
}

static uint64_t wakes(lh_engine *e, bool *timed)
{
    pthread_mutex_lock(&e->dog_mu);
    uint64_t w = e->dog_wakes;
    *timed = e->dog_timed;
    pthread_mutex_unlock(&e->dog_mu);
    return w;
}

/* Queries one after the other each find the deadline list empty. The watchdog sleeps
 * until the first one's time; a later deadline must not wake it (it did, once per query:
 * a context switch per HTTP query), a sooner one must. */
static void a_later_deadline_does_not_wake_the_watchdog(void **state)
{
    fixture *f = *state;
    lh__conn *pc = lh__engine_acquire(f->e);
    assert_non_null(pc);
    lh__deadline d1 = {0}, d2 = {0}, d3 = {0};
    assert_true(lh__watchdog_arm(f->e, &d1, pc->conn, 600000));
    bool timed = false;
    uint64_t w = 0;
    for (int i = 0; i < 5000 && !timed; i++) { /* until the thread sleeps on d1's time */
        w = wakes(f->e, &timed);
        if (!timed)
            usleep(1000);
    }
    assert_true(timed);
    w = wakes(f->e, &timed);
    assert_false(lh__watchdog_disarm(f->e, &d1));
    assert_true(lh__watchdog_arm(f->e, &d2, pc->conn, 600000)); /* later than d1 was */
    usleep(200000);
    assert_int_equal(wakes(f->e, &timed), w);
    assert_false(lh__watchdog_disarm(f->e, &d2));
    /* sooner than the time it sleeps until: woken, and it fires */
    assert_true(lh__watchdog_arm(f->e, &d3, pc->conn, 1));
    for (int i = 0; i < 5000 && !lh__watchdog_fired(f->e, &d3); i++)
        usleep(1000);
    assert_true(lh__watchdog_disarm(f->e, &d3));
    assert_true(wakes(f->e, &timed) > w);
    lh__engine_release(f->e, pc);
}

/* DuckDB forgets an interrupt that lands between two statements; a query is several. A
 * deadline that passed while its connection sat idle still ends the next statement. */
static void a_deadline_missed_between_statements_still_holds(void **state)
{
    fixture *f = *state;
    lh__conn *pc = lh__engine_acquire(f->e);
    assert_non_null(pc);
    lh__deadline d = {0};
    assert_true(lh__watchdog_arm(f->e, &d, pc->conn, 1));
    while (!lh__watchdog_fired(f->e, &d)) /* fired while no statement ran */
        usleep(1000);
    usleep(30000);
    double t0 = lh_mono_ms();
    duckdb_result res;
    duckdb_state s = duckdb_query(pc->conn, "SELECT count(*) FROM range(100000000000)", &res);
    double took = lh_mono_ms() - t0;
    duckdb_destroy_result(&res);
    assert_true(lh__watchdog_disarm(f->e, &d));
    printf("statement after a missed deadline: state %d after %.0f ms\n", (int)s, took);
    assert_int_equal(s, DuckDBError);
    assert_true(took < 3000);
    /* disarmed: the connection runs statements undisturbed again */
    assert_int_equal(duckdb_query(pc->conn, "SELECT count(*) FROM range(1000000)", &res), DuckDBSuccess);
    duckdb_destroy_result(&res);
    lh__engine_release(f->e, pc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(common_types_are_bound_once, setup, teardown),
        cmocka_unit_test_setup_teardown(other_types_keep_the_cast, setup, teardown),
        cmocka_unit_test_setup_teardown(a_pooled_connection_keeps_its_statements, setup, teardown),
        cmocka_unit_test_setup_teardown(one_watchdog_thread_for_all_deadlines, setup, teardown),
        cmocka_unit_test_setup_teardown(deadlines_are_per_query, setup, teardown),
        cmocka_unit_test_setup_teardown(a_deadline_missed_between_statements_still_holds, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_later_deadline_does_not_wake_the_watchdog, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
