/* Unit tests for the hot cache (src/engine/cache.c): pin, refresh, evict, the LRU under a
 * byte budget and the hit/miss counts, over views of literal rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cache.h"
#include "testutil.h"

typedef struct fixture {
    char root[256];
    lh_engine *e;
    int restores;
} fixture;

/* The "files" of dataset NAME: n rows of literal data. */
static lh_status define_files(fixture *f, const char *name, int n, lh_err *err)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT i AS id, 'row ' || i AS label FROM range(%d) t(i)", n);
    lh_status st = lh_engine_define_view(f->e, name, sql, err);
    return st ? st : lh_engine_allow_relation(f->e, name, err);
}

static int sizes[2] = {1000, 2000}; /* rows of a and b as the "files" stand */

static lh_status restore(void *ctx, const char *name, lh_err *err)
{
    fixture *f = ctx;
    f->restores++;
    return define_files(f, name, sizes[name[0] == 'b'], err);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    lh_test_tmpdir(f->root, sizeof f->root);
    lh_engine_config cfg = {.data_root = f->root};
    lh_err err = {{0}};
    if (lh_engine_open(&cfg, &f->e, &err) || define_files(f, "a", 1000, &err) ||
        define_files(f, "b", 2000, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lh_engine_free(f->e);
    lh_test_rmtree(f->root);
    free(f);
    return 0;
}

static long long count(fixture *f, const char *sql)
{
    json_t *row = NULL;
    lh_err err;
    assert_int_equal(lh_engine_query_row(f->e, sql, &row, &err), LH_OK);
    long long n = strtoll(json_string_value(json_array_get(row, 0)), NULL, 10);
    json_decref(row);
    return n;
}

static json_t *entry(json_t *stats, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(stats, "datasets"), i, d)
        if (!strcmp(json_string_value(json_object_get(d, "dataset")), name))
            return d;
    return NULL;
}

static void pin_refresh_evict(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_cache *c = lh_cache_new(f->e, 1LL << 30);
    assert_non_null(c);
    assert_int_equal(lh_cache_pin(c, "a", restore, f, &err), LH_OK);
    assert_true(lh_cache_pinned(c, "a"));
    /* The view now reads the copy: it has the rows and the copy is a table in lh_cache. */
    assert_int_equal(count(f, "SELECT count(*)::VARCHAR FROM a"), 1000);
    assert_int_equal(count(f, "SELECT count(*)::VARCHAR FROM duckdb_tables() WHERE "
                              "database_name = 'lh_cache' AND table_name = 'a'"), 1);
    json_t *s = lh_cache_stats(c);
    assert_int_equal(json_integer_value(json_object_get(s, "entries")), 1);
    assert_true(json_integer_value(json_object_get(entry(s, "a"), "bytes")) > 0);
    assert_int_equal(json_integer_value(json_object_get(entry(s, "a"), "rows")), 1000);
    json_decref(s);

    /* A commit: the files change, the view is redefined over them, then refreshed. */
    sizes[0] = 1500;
    assert_int_equal(define_files(f, "a", 1500, &err), LH_OK);
    assert_int_equal(lh_cache_refresh(c, "a", restore, f, &err), LH_OK);
    assert_int_equal(count(f, "SELECT count(*)::VARCHAR FROM a"), 1500);
    assert_int_equal(count(f, "SELECT count(*)::VARCHAR FROM lh_cache.main.a"), 1500);
    /* Refreshing a dataset that is not pinned does nothing. */
    assert_int_equal(lh_cache_refresh(c, "b", restore, f, &err), LH_OK);
    assert_false(lh_cache_pinned(c, "b"));

    assert_int_equal(lh_cache_evict(c, "a", restore, f, &err), LH_OK);
    assert_false(lh_cache_pinned(c, "a"));
    assert_int_equal(count(f, "SELECT count(*)::VARCHAR FROM a"), 1500);
    assert_int_equal(count(f, "SELECT count(*)::VARCHAR FROM duckdb_tables() WHERE "
                              "database_name = 'lh_cache'"), 0);
    assert_int_equal(lh_cache_evict(c, "a", restore, f, &err), LH_ENOTFOUND);
    lh_cache_free(c);
    sizes[0] = 1000;
    assert_int_equal(define_files(f, "a", 1000, &err), LH_OK);
}

static void lru_and_budget(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    /* Measure one copy of b, then give the cache room for about one and a half. */
    lh_cache *probe = lh_cache_new(f->e, 1LL << 30);
    assert_int_equal(lh_cache_pin(probe, "b", restore, f, &err), LH_OK);
    json_t *s = lh_cache_stats(probe);
    json_int_t b_bytes = json_integer_value(json_object_get(s, "bytes"));
    json_decref(s);
    assert_int_equal(lh_cache_evict(probe, "b", restore, f, &err), LH_OK);
    lh_cache_free(probe);
    assert_true(b_bytes > 0);

    lh_cache *c = lh_cache_new(f->e, b_bytes + b_bytes / 2);
    assert_int_equal(lh_cache_pin(c, "a", restore, f, &err), LH_OK);
    assert_int_equal(lh_cache_pin(c, "b", restore, f, &err), LH_OK);
    s = lh_cache_stats(c);
    assert_int_equal(json_integer_value(json_object_get(s, "evictions")), 1);
    assert_false(json_is_true(json_object_get(entry(s, "a"), "pinned")));
    assert_true(json_is_true(json_object_get(entry(s, "b"), "pinned")));
    assert_true(json_integer_value(json_object_get(s, "bytes")) <= b_bytes + b_bytes / 2);
    json_decref(s);
    assert_int_equal(count(f, "SELECT count(*)::VARCHAR FROM a"), 1000);
    lh_cache_free(c);

    /* A copy bigger than the whole budget is refused and dropped. */
    c = lh_cache_new(f->e, 1000);
    assert_int_equal(lh_cache_pin(c, "a", restore, f, &err), LH_ETOOBIG);
    assert_false(lh_cache_pinned(c, "a"));
    assert_int_equal(count(f, "SELECT count(*)::VARCHAR FROM a"), 1000);
    lh_cache_free(c);
    /* b is still pinned by the freed cache's copy: put its view back for other tests. */
    assert_int_equal(define_files(f, "b", 2000, &err), LH_OK);
}

static void hits_and_misses(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_cache *c = lh_cache_new(f->e, 0);
    json_t *s = lh_cache_stats(c);
    assert_true(json_integer_value(json_object_get(s, "max_bytes")) > 0); /* 0 = RAM / 4 */
    json_decref(s);
    assert_int_equal(lh_cache_pin(c, "a", restore, f, &err), LH_OK);
    json_t *both = json_pack("{s:b, s:b}", "a", 1, "b", 1);
    json_t *shadow = json_pack("{s:b}", "a", 1);
    lh_cache_note(c, both, NULL);   /* a hit, b miss */
    lh_cache_note(c, both, shadow); /* a read at another version: both miss */
    s = lh_cache_stats(c);
    assert_int_equal(json_integer_value(json_object_get(s, "hits")), 1);
    assert_int_equal(json_integer_value(json_object_get(s, "misses")), 3);
    assert_int_equal(json_integer_value(json_object_get(entry(s, "a"), "hits")), 1);
    assert_int_equal(json_integer_value(json_object_get(entry(s, "a"), "misses")), 1);
    assert_int_equal(json_integer_value(json_object_get(entry(s, "b"), "misses")), 2);
    json_decref(s);
    json_decref(both);
    json_decref(shadow);
    assert_int_equal(lh_cache_evict(c, "a", restore, f, &err), LH_OK);
    lh_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pin_refresh_evict),
        cmocka_unit_test(lru_and_budget),
        cmocka_unit_test(hits_and_misses),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
