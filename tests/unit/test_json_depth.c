/* Unit tests for the JSON nesting pre-check (src/ingest/json_depth.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest_int.h"
#include "testutil.h"

static char dir[256];

static const char *write_file(const char *name, const char *head, int times, const char *mid,
                              const char *tail, int tail_times)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < times; i++)
        fputs(head, f);
    fputs(mid, f);
    for (int i = 0; i < tail_times; i++)
        fputs(tail, f);
    fclose(f);
    return path;
}

static void depth_is_counted_outside_strings(void **state)
{
    (void)state;
    lh_test_tmpdir(dir, sizeof dir);
    lh_err err = {{0}};
    /* 100,000 levels crashed DuckDB's reader: refused, naming where. */
    const char *p = write_file("deep.json", "[", 100000, "", "]", 100000);
    assert_int_equal(lh__json_depth_check(p, LH_JSON_MAX_DEPTH, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "deeper than 1000 levels (at byte 1000)"));
    assert_null(strstr(err.msg, dir)); /* no internal path */
    p = write_file("objects.json", "{\"a\":", 1001, "1", "}", 1001);
    assert_int_equal(lh__json_depth_check(p, LH_JSON_MAX_DEPTH, &err), LH_EINVAL);
    /* Exactly the limit passes; brackets inside strings (escaped quotes too) do not count;
     * many shallow NDJSON lines do not add up. */
    p = write_file("limit.json", "[", 1000, "", "]", 1000);
    assert_int_equal(lh__json_depth_check(p, LH_JSON_MAX_DEPTH, &err), LH_OK);
    p = write_file("strings.json", "{\"s\": \"[[[[{{{{\\\"[[[[\"}\n", 50000, "", "", 0);
    assert_int_equal(lh__json_depth_check(p, LH_JSON_MAX_DEPTH, &err), LH_OK);
    p = write_file("lines.ndjson", "{\"a\": [1, {\"b\": 2}]}\n", 10000, "", "", 0);
    assert_int_equal(lh__json_depth_check(p, LH_JSON_MAX_DEPTH, &err), LH_OK);
    lh_test_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(depth_is_counted_outside_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
