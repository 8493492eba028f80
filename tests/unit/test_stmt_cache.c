/* The statements a pooled connection keeps (src/engine/stmt_cache.c): a repeated text
 * skips the gate's parses and the bind, but only under the policy it was decided under;
 * DuckDB binds a kept statement again when a view changes under it; time travel never
 * uses one; distinct texts never share one; at most LH__STMT_CACHE_MAX per connection.
 * It includes query.c to see a query's connection. */
#include "engine/query.c"
#include "engine/stmt_cache.c"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "engine_fixture.h"

static int setup(void **state)
{
    fixture *f = fixture_open(2);
    if (!f)
        return -1;
    lh_err err = {{0}};
    if (lh_engine_exec(f->e, "CREATE VIEW t AS SELECT 1 AS x", &err) ||
        lh_engine_allow_relation(f->e, "t", &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
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
    lh_buf *b = c;
    lh_buf_adds(b, "[");
    for (size_t i = 0; cells[i] && i < 1; i++) /* the first column */
        lh_buf_add(b, cells[i], lens[i]);
    lh_buf_adds(b, "]");
    return LH_OK;
}
static lh_status s_end(void *c, uint64_t rows, bool trunc, lh_err *e)
{
    (void)c, (void)rows, (void)trunc, (void)e;
    return LH_OK;
}

/* Runs sql; its rows' first column as "[a][b]" into out (caller frees) and the
 * connection it ran on into *pc. Returns the status. */
static lh_status run(fixture *f, const char *sql, const lh_query_opts *opts, char **out,
                     lh__conn **pc, lh_err *err)
{
    lh_query *q = NULL;
    lh_status st = lh_engine_query_open(f->e, sql, opts, &q, err);
    if (st)
        return st;
    if (pc)
        *pc = q->pc;
    lh_buf b;
    lh_buf_init(&b, 0);
    lh_result_sink sink = {s_begin, s_row, s_end, &b};
    st = lh_query_drain(q, &sink, err);
    lh_query_close(q);
    if (!st && out)
        *out = lh_strdup(lh_buf_cstr(&b));
    lh_buf_release(&b);
    return st;
}

static void expect(fixture *f, const char *sql, const lh_query_opts *opts, const char *rows,
                   lh__conn **pc)
{
    lh_err err = {{0}};
    char *got = NULL;
    if (run(f, sql, opts, &got, pc, &err))
        fail_msg("%s: %s", sql, err.msg);
    assert_string_equal(got, rows);
    free(got);
}

static void a_repeated_text_skips_the_gate(void **state)
{
    fixture *f = *state;
    lh__conn *pc = NULL, *pc2 = NULL;
    expect(f, "SELECT 1", NULL, "[1]", &pc);
    uint64_t gated = pc->stmts.gated, hits = pc->stmts.hits;
    duckdb_prepared_statement ser = pc->serialize;
    assert_int_equal(gated, 1);
    expect(f, "SELECT 1", NULL, "[1]", &pc2);
    assert_ptr_equal(pc2, pc); /* the pool gives the one connection back */
    assert_int_equal(pc->stmts.gated, gated);   /* no gate, no parse, no bind */
    assert_int_equal(pc->stmts.hits, hits + 1);
    assert_ptr_equal(pc->serialize, ser);
    /* A wrapped query keeps both its statements. */
    expect(f, "SELECT INTERVAL 90 MINUTE", NULL, "[01:30:00]", NULL);
    gated = pc->stmts.gated;
    assert_int_equal(gated, 3);
    expect(f, "SELECT INTERVAL 90 MINUTE", NULL, "[01:30:00]", NULL);
    assert_int_equal(pc->stmts.gated, gated);
}

static void distinct_texts_do_not_collide(void **state)
{
    fixture *f = *state;
    lh__conn *pc = NULL;
    expect(f, "SELECT 1", NULL, "[1]", &pc);
    expect(f, "SELECT 2", NULL, "[2]", NULL);
    expect(f, "SELECT 1 ", NULL, "[1]", NULL);
    expect(f, "select 1", NULL, "[1]", NULL);
    expect(f, "SELECT 'SELECT 1'", NULL, "[SELECT 1]", NULL);
    assert_int_equal(pc->stmts.gated, 5);
    expect(f, "SELECT 2", NULL, "[2]", NULL);
    expect(f, "SELECT 'SELECT 1'", NULL, "[SELECT 1]", NULL);
    assert_int_equal(pc->stmts.gated, 5);
    assert_int_equal(pc->stmts.n, 5);
}

/* Revoking (marking unavailable, clearing the allow-list) refuses a kept statement at
 * once; allowing again lets it through the gate again. */
static void a_policy_change_refuses_a_kept_statement(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh__conn *pc = NULL;
    expect(f, "SELECT x FROM t", NULL, "[1]", &pc);
    expect(f, "SELECT x FROM t", NULL, "[1]", NULL);
    assert_int_equal(pc->stmts.gated, 1);
    assert_int_equal(lh_engine_set_unavailable(f->e, "t", "its files are missing", &err), LH_OK);
    assert_int_equal(run(f, "SELECT x FROM t", NULL, NULL, NULL, &err), LH_EIO);
    assert_non_null(strstr(err.msg, "its files are missing"));
    assert_int_equal(lh_engine_set_unavailable(f->e, "t", NULL, &err), LH_OK);
    expect(f, "SELECT x FROM t", NULL, "[1]", NULL);
    lh_engine_clear_relations(f->e);
    assert_int_equal(run(f, "SELECT x FROM t", NULL, NULL, NULL, &err), LH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "unknown relation \"t\""));
    /* a relation allowed later is decided afresh too */
    assert_int_equal(run(f, "SELECT 1 FROM u", NULL, NULL, NULL, &err), LH_ENOTFOUND);
    assert_int_equal(lh_engine_exec(f->e, "CREATE VIEW u AS SELECT 5 AS y", &err), LH_OK);
    assert_int_equal(lh_engine_allow_relation(f->e, "u", &err), LH_OK);
    expect(f, "SELECT y FROM u", NULL, "[5]", NULL);
}

/* The relations a kept statement references reach on_relations on every run. */
static void note(void *ctx, const json_t *names)
{
    json_object_update(ctx, (json_t *)names);
}

static void a_kept_statement_reports_its_relations(void **state)
{
    fixture *f = *state;
    lh__conn *pc = NULL;
    for (int i = 0; i < 2; i++) {
        json_t *seen = json_object();
        lh_query_opts opts = {.on_relations = note, .relations_ctx = seen};
        expect(f, "WITH c AS (SELECT 1) SELECT x FROM T, c", &opts, "[1]", &pc);
        assert_int_equal(json_object_size(seen), 1);
        assert_true(json_is_true(json_object_get(seen, "t")));
        json_decref(seen);
    }
    assert_int_equal(pc->stmts.gated, 1);
}

/* A view redefined or dropped behind a kept statement, by lh_engine_exec or define_view:
 * the query sees the new definition (DuckDB 1.4.4 alone would run the kept statement over
 * the old one: the change must mark it stale), a changed result type too, and a dropped
 * view is an error that leaves no statement kept for the text. */
static void a_changed_view_is_seen(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh__conn *pc = NULL;
    expect(f, "SELECT x FROM t", NULL, "[1]", &pc);
    uint64_t gated = pc->stmts.gated;
    assert_int_equal(lh_engine_exec(f->e, "CREATE OR REPLACE VIEW t AS SELECT 2 AS x", &err), LH_OK);
    expect(f, "SELECT x FROM t", NULL, "[2]", NULL);
    assert_int_equal(pc->stmts.gated, gated + 1); /* decided and bound again */
    expect(f, "SELECT x FROM t", NULL, "[2]", NULL);
    assert_int_equal(pc->stmts.gated, gated + 1); /* and kept again */
    assert_int_equal(lh_engine_exec(f->e, "CREATE OR REPLACE VIEW t AS SELECT 'three' AS x", &err),
                     LH_OK);
    expect(f, "SELECT x FROM t", NULL, "[three]", NULL);
    assert_int_equal(lh_engine_exec(f->e, "DROP VIEW t", &err), LH_OK);
    lh_status st = run(f, "SELECT x FROM t", NULL, NULL, NULL, &err);
    assert_int_equal(st, LH_EINVAL);
    assert_non_null(strstr(err.msg, "t"));
    for (size_t i = 0; i < pc->stmts.n; i++)
        assert_string_not_equal(pc->stmts.slot[i]->sql, "SELECT x FROM t");
    /* and through lh_engine_define_view, which marks kept statements stale */
    assert_int_equal(lh_engine_define_view(f->e, "t", "SELECT 4 AS x", &err), LH_OK);
    expect(f, "SELECT x FROM t", NULL, "[4]", NULL);
    assert_int_equal(lh_engine_define_view(f->e, "t", "SELECT 5 AS x", &err), LH_OK);
    gated = pc->stmts.gated;
    expect(f, "SELECT x FROM t", NULL, "[5]", NULL);
    assert_int_equal(pc->stmts.gated, gated + 1);
}

/* The journal's view reads its write-ahead files with read_json and lists them by name;
 * events appended to a file between two runs of a kept statement are read by the second
 * (DuckDB reads the files when the statement runs, not when it was bound). */
static void a_kept_statement_reads_appended_lines(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    char path[512], sql[1024];
    snprintf(path, sizeof path, "%s/wal.jsonl", f->root);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"id\": \"a\"}\n", fp);
    fclose(fp);
    snprintf(sql, sizeof sql, "CREATE VIEW w AS SELECT id FROM read_json(['%s'], "
             "format='newline_delimited', columns={id: 'VARCHAR'})", path);
    assert_int_equal(lh_engine_exec(f->e, sql, &err), LH_OK);
    assert_int_equal(lh_engine_allow_relation(f->e, "w", &err), LH_OK);
    lh__conn *pc = NULL;
    expect(f, "SELECT count(*) FROM w", NULL, "[1]", &pc);
    uint64_t gated = pc->stmts.gated;
    fp = fopen(path, "a");
    assert_non_null(fp);
    fputs("{\"id\": \"b\"}\n", fp);
    fclose(fp);
    expect(f, "SELECT count(*) FROM w", NULL, "[2]", NULL);
    assert_int_equal(pc->stmts.gated, gated); /* the kept statement, reading the file anew */
}

/* Time travel shadows t with a TEMP view on the query's connection: a statement kept for
 * the shared t must not run in its place. */
static void time_travel_never_uses_a_kept_statement(void **state)
{
    fixture *f = *state;
    lh__conn *pc = NULL;
    expect(f, "SELECT x FROM t", NULL, "[1]", &pc);
    expect(f, "SELECT x FROM t", NULL, "[1]", NULL);
    const char *names[] = {"t"}, *sqls[] = {"SELECT 42 AS x"};
    lh_query_opts opts = {.view_names = names, .view_sqls = sqls, .nviews = 1};
    expect(f, "SELECT x FROM t", &opts, "[42]", NULL);
    expect(f, "SELECT x FROM t", NULL, "[1]", NULL);
}

static void the_cache_is_bounded(void **state)
{
    fixture *f = *state;
    lh__conn *pc = NULL;
    char sql[64], want[32];
    for (int i = 0; i < LH__STMT_CACHE_MAX + 6; i++) {
        snprintf(sql, sizeof sql, "SELECT %d", i);
        snprintf(want, sizeof want, "[%d]", i);
        expect(f, sql, NULL, want, &pc);
    }
    assert_int_equal(pc->stmts.n, LH__STMT_CACHE_MAX);
    uint64_t gated = pc->stmts.gated;
    assert_int_equal(gated, LH__STMT_CACHE_MAX + 6);
    expect(f, "SELECT 0", NULL, "[0]", NULL); /* the oldest went first */
    assert_int_equal(pc->stmts.gated, gated + 1);
    snprintf(sql, sizeof sql, "SELECT %d", LH__STMT_CACHE_MAX + 5);
    snprintf(want, sizeof want, "[%d]", LH__STMT_CACHE_MAX + 5);
    expect(f, sql, NULL, want, NULL); /* the newest stayed */
    assert_int_equal(pc->stmts.gated, gated + 1);
    assert_int_equal(pc->stmts.n, LH__STMT_CACHE_MAX);
    /* a text over LH__STMT_CACHE_TEXT_MAX runs and is not kept */
    size_t len = LH__STMT_CACHE_TEXT_MAX + 100;
    char *big = malloc(len + 1);
    assert_non_null(big);
    memset(big, ' ', len);
    memcpy(big, "SELECT 77", 9);
    big[len] = '\0';
    expect(f, big, NULL, "[77]", NULL);
    expect(f, big, NULL, "[77]", NULL);
    assert_int_equal(pc->stmts.gated, gated + 3);
    for (size_t i = 0; i < pc->stmts.n; i++)
        assert_true(pc->stmts.slot[i]->len <= LH__STMT_CACHE_TEXT_MAX);
    free(big);
}

/* Refusals are never kept: the same denied text is refused each time by the gate. */
static void refusals_are_not_kept(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh__conn *pc = NULL;
    expect(f, "SELECT 1", NULL, "[1]", &pc);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(run(f, "SELECT * FROM read_csv('/etc/passwd')", NULL, NULL, NULL, &err),
                         LH_EDENIED);
        assert_int_equal(run(f, "SELECT getenv('HOME')", NULL, NULL, NULL, &err), LH_EDENIED);
    }
    assert_int_equal(pc->stmts.n, 1);
    assert_int_equal(pc->stmts.gated, 5);
}

/* A statement kept on a connection runs at most LH__KEPT_RUNS_MAX times, then is
 * prepared again: BEGIN, ROLLBACK and the serializer by the connection, a user statement
 * by going through the gate again. */
static void kept_statements_are_prepared_again(void **state)
{
    fixture *f = *state;
    lh__conn *pc = NULL;
    expect(f, "SELECT 1", NULL, "[1]", &pc);
    duckdb_prepared_statement begin = pc->begin;
    for (int i = 1; i < LH__KEPT_RUNS_MAX; i++)
        expect(f, "SELECT 1", NULL, "[1]", NULL);
    assert_int_equal(pc->stmts.gated, 1);
    assert_int_equal(pc->stmts.hits, LH__KEPT_RUNS_MAX - 1);
    assert_int_equal(pc->begin_runs, LH__KEPT_RUNS_MAX);
    assert_ptr_equal(pc->begin, begin);
    expect(f, "SELECT 1", NULL, "[1]", NULL); /* run LH__KEPT_RUNS_MAX + 1 */
    assert_int_equal(pc->stmts.gated, 2);
    assert_int_equal(pc->stmts.n, 1);
    assert_int_equal(pc->begin_runs, 1);
    assert_int_equal(pc->rollback_runs, 1);
    /* The serializer runs once per gate pass: new texts wear it out. */
    char sql[64], want[32];
    for (int i = 0; i < LH__KEPT_RUNS_MAX; i++) {
        snprintf(sql, sizeof sql, "SELECT %d", i + 100);
        snprintf(want, sizeof want, "[%d]", i + 100);
        expect(f, sql, NULL, want, NULL);
        assert_true(pc->serialize_runs >= 1 && pc->serialize_runs <= LH__KEPT_RUNS_MAX);
    }
    assert_int_equal(pc->serialize_runs, 2); /* 2 + 64 passes: prepared again at the 65th */
}

/* lh_engine_release_idle disconnects the idle pooled connections with what they keep;
 * the next query connects again and goes through the gate. */
static void releasing_idle_connections_drops_what_they_keep(void **state)
{
    fixture *f = *state;
    lh__conn *pc = NULL;
    expect(f, "SELECT 1", NULL, "[1]", &pc);
    expect(f, "SELECT 1", NULL, "[1]", NULL);
    assert_int_equal(pc->stmts.hits, 1);
    assert_int_equal(f->e->npool, 1);
    lh_engine_release_idle(f->e);
    assert_int_equal(f->e->npool, 0);
    /* A running query keeps its connection: only the idle ones go. */
    lh_query *q = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_engine_query_open(f->e, "SELECT 2", NULL, &q, &err), LH_OK);
    lh_engine_release_idle(f->e);
    assert_int_equal(f->e->nbusy, 1);
    lh__conn *running = q->pc;
    assert_int_equal(running->stmts.gated, 1); /* a new connection: nothing kept */
    assert_int_equal(running->stmts.hits, 0);
    lh_query_close(q);
    assert_int_equal(f->e->npool, 1);
    expect(f, "SELECT 2", NULL, "[2]", &pc);
    assert_ptr_equal(pc, running);
    assert_int_equal(pc->stmts.hits, 1);
}

/* Bytes the process's heap holds now (glibc; ASan's allocator under the sanitizers): the
 * objects DuckDB makes with operator new, which is where each run of a kept statement
 * left its result collector behind (engine_int.h, LH__KEPT_RUNS_MAX). */
#ifdef __SANITIZE_ADDRESS__
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_in_use(void)
{
    return __sanitizer_get_current_allocated_bytes();
}
#else
#include <malloc.h>
static size_t heap_in_use(void)
{
    return mallinfo2().uordblks;
}
#endif

/* Many runs of one text and of ever new texts on one connection: the heap stays where it
 * was after the first few hundred (DuckDB 1.4.4 grew it by about 2 KB per run of a
 * repeated SELECT, 4 MB over these 2,000 runs, and by about 0.7 KB per new text). */
static void runs_do_not_grow_the_heap(void **state)
{
    fixture *f = *state;
    char sql[64], want[32];
    for (int round = 0; round < 2; round++) {
        size_t before = 0;
        for (int i = 0; i < 2500; i++) {
            if (i == 500)
                before = heap_in_use();
            if (round == 0) {
                expect(f, "SELECT 1", NULL, "[1]", NULL);
            } else {
                snprintf(sql, sizeof sql, "SELECT %d", i);
                snprintf(want, sizeof want, "[%d]", i);
                expect(f, sql, NULL, want, NULL);
            }
        }
        size_t after = heap_in_use();
        long grown = (long)after - (long)before;
        print_message("%s: the heap grew by %ld bytes over 2,000 runs\n",
                      round ? "new texts" : "one text", grown);
        assert_true(grown < 512 * 1024);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_repeated_text_skips_the_gate, setup, teardown),
        cmocka_unit_test_setup_teardown(distinct_texts_do_not_collide, setup, teardown),
        cmocka_unit_test_setup_teardown(a_policy_change_refuses_a_kept_statement, setup, teardown),
        cmocka_unit_test_setup_teardown(a_kept_statement_reports_its_relations, setup, teardown),
        cmocka_unit_test_setup_teardown(a_changed_view_is_seen, setup, teardown),
        cmocka_unit_test_setup_teardown(a_kept_statement_reads_appended_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(time_travel_never_uses_a_kept_statement, setup, teardown),
        cmocka_unit_test_setup_teardown(the_cache_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals_are_not_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(kept_statements_are_prepared_again, setup, teardown),
        cmocka_unit_test_setup_teardown(runs_do_not_grow_the_heap, setup, teardown),
        cmocka_unit_test_setup_teardown(releasing_idle_connections_drops_what_they_keep, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
