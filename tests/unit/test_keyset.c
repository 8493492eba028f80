/* Unit tests for the engine's key sets (src/engine/keyset.c): the sets behind the
 * tombstone filter, tested through __lh_hidden_i / __lh_hidden_s in our own SQL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine_fixture.h"

static int setup(void **state)
{
    fixture *f = fixture_open(2);
    if (!f)
        return -1;
    *state = f;
    return 0;
}

/* The query's one row as "a|b|...", NULL as "null"; the status is asserted to be st. */
static void row_text(lh_engine *e, const char *sql, lh_status st, char *out, size_t n)
{
    json_t *row = NULL;
    lh_err err = {{0}};
    lh_status got = lh_engine_query_row(e, sql, &row, &err);
    if (got != st)
        fprintf(stderr, "%s: %s\n", sql, err.msg);
    assert_int_equal(got, st);
    out[0] = '\0';
    if (st) {
        snprintf(out, n, "%.200s", err.msg);
        return;
    }
    size_t i, used = 0;
    json_t *v;
    json_array_foreach(row, i, v)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "|" : "",
                                 json_is_null(v) ? "null" : json_string_value(v));
    json_decref(row);
}

static void load(lh_engine *e, const char *name, bool text, const char *sql)
{
    lh_err err = {{0}};
    lh_status st = lh_engine_keyset_load(e, name, text, sql, &err);
    if (st)
        fprintf(stderr, "load %s: %s\n", name, err.msg);
    assert_int_equal(st, LH_OK);
}

static void integer_keys(void **state)
{
    fixture *f = *state;
    char got[512];
    load(f->e, "ints", false, "SELECT * FROM (VALUES (1::BIGINT), (3), (NULL), (3), (-9)) v(k)");
    /* hidden: 1, 3, -9; not: 2, 0; NULL in, NULL out (a NULL key in the set hides nothing) */
    row_text(f->e, "SELECT string_agg(CAST(__lh_hidden_i('ints', x) AS VARCHAR), ',' ORDER BY x), "
             "count(*) FILTER (WHERE __lh_hidden_i('ints', x) IS NULL) "
             "FROM (VALUES (-9), (0), (1), (2), (3), (NULL)) v(x)", LH_OK, got, sizeof got);
    assert_string_equal(got, "true,false,true,false,true|1");
    /* INTEGER columns are cast to BIGINT */
    row_text(f->e, "SELECT __lh_hidden_i('ints', 3::INTEGER), __lh_hidden_i('ints', 4::SMALLINT)",
             LH_OK, got, sizeof got);
    assert_string_equal(got, "true|false");
}

static void text_keys(void **state)
{
    fixture *f = *state;
    char got[512];
    load(f->e, "strs", true, "SELECT * FROM (VALUES ('a'), (''), ('caf\xc3\xa9'), "
         "('a long key of more than twelve bytes'), (NULL)) v(k)");
    row_text(f->e, "SELECT string_agg(CAST(__lh_hidden_s('strs', x) AS VARCHAR), ',' ORDER BY x) "
             "FROM (VALUES (''), ('a'), ('A'), ('b'), ('caf\xc3\xa9'), ('cafe'), "
             "('a long key of more than twelve bytes'), ('a long key of more than twelve byte')) v(x)",
             LH_OK, got, sizeof got);
    /* ORDER BY x: '', 'A', 'a', 'a long ... byte', 'a long ... bytes', 'b', 'cafe', 'café' */
    assert_string_equal(got, "true,false,true,false,true,false,false,true");
}

static void many_keys_across_chunks_and_threads(void **state)
{
    fixture *f = *state;
    char got[512];
    load(f->e, "big", false, "SELECT range * 2 FROM range(100000)");
    row_text(f->e, "SELECT count(*) FILTER (WHERE __lh_hidden_i('big', range)), count(*) "
             "FROM range(300000)", LH_OK, got, sizeof got);
    assert_string_equal(got, "100000|300000");
    load(f->e, "bigs", true, "SELECT 'k' || range FROM range(50000)");
    row_text(f->e, "SELECT count(*) FILTER (WHERE __lh_hidden_s('bigs', 'k' || range)) "
             "FROM range(100000)", LH_OK, got, sizeof got);
    assert_string_equal(got, "50000");
}

/* Fail closed: no set of that name, or of the other kind, fails the query. */
static void missing_set_fails_the_query(void **state)
{
    fixture *f = *state;
    char got[512];
    row_text(f->e, "SELECT __lh_hidden_i('nope', 1)", LH_EINVAL, got, sizeof got);
    assert_non_null(strstr(got, "not loaded"));
    load(f->e, "ints", false, "SELECT 1::BIGINT");
    row_text(f->e, "SELECT __lh_hidden_s('ints', 'x')", LH_EINVAL, got, sizeof got);
    assert_non_null(strstr(got, "not loaded"));
    lh_engine_keyset_drop(f->e, "ints");
    row_text(f->e, "SELECT __lh_hidden_i('ints', 1)", LH_EINVAL, got, sizeof got);
    assert_non_null(strstr(got, "not loaded"));
    lh_engine_keyset_drop(f->e, "ints"); /* dropping twice is harmless */
}

/* A reload replaces the set; a failed one leaves it as it was. */
static void reload_replaces_and_failure_keeps(void **state)
{
    fixture *f = *state;
    char got[512];
    lh_err err = {{0}};
    load(f->e, "s", false, "SELECT 1::BIGINT");
    load(f->e, "s", false, "SELECT 2::BIGINT");
    row_text(f->e, "SELECT __lh_hidden_i('s', 1), __lh_hidden_i('s', 2)", LH_OK, got, sizeof got);
    assert_string_equal(got, "false|true");
    assert_int_not_equal(lh_engine_keyset_load(f->e, "s", false, "SELECT 3::BIGINT, 4::BIGINT", &err), LH_OK);
    assert_int_not_equal(lh_engine_keyset_load(f->e, "s", false, "SELECT 'x'", &err), LH_OK);
    assert_int_not_equal(lh_engine_keyset_load(f->e, "s", false, "SELECT * FROM no_such_table", &err), LH_OK);
    assert_int_not_equal(lh_engine_keyset_load(f->e, "s", false, NULL, &err), LH_OK);
    row_text(f->e, "SELECT __lh_hidden_i('s', 2), __lh_hidden_i('s', 3)", LH_OK, got, sizeof got);
    assert_string_equal(got, "true|false");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(integer_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(text_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(many_keys_across_chunks_and_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_set_fails_the_query, setup, teardown),
        cmocka_unit_test_setup_teardown(reload_replaces_and_failure_keeps, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
