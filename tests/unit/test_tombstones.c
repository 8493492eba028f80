/* Unit tests for src/catalog/tombstones.c: append and load round trip, a torn tail (a
 * killed append) skipped and healed by the next append, clear, the erasure salt (created
 * once, stable) and the salted key hash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/tombstones.h"
#include "core/buf.h"
#include "core/sha256.h"
#include "core/util.h"
#include "testutil.h"

typedef struct fixture {
    char dir[512];
    lh_store *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    lh_test_tmpdir(f->dir, sizeof f->dir);
    lh_err err;
    if (lh_store_open_local(f->dir, &f->s, &err))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lh_store_free(f->s);
    lh_test_rmtree(f->dir);
    free(f);
    return 0;
}

static json_t *line(const char *key)
{
    return json_pack("{s:s, s:s, s:s}", "dataset", "t", "row_key_column", "id", "row_key_value", key);
}

static void append_load_clear(void **state)
{
    fixture *f = *state;
    lh_err err;
    json_t *got = NULL;
    assert_int_equal(lh_tombstones_load(f->s, "t", &got, &err), LH_OK);
    assert_int_equal(json_array_size(got), 0); /* no file yet */
    json_decref(got);
    json_t *lines = json_pack("[o, o]", line("a"), line("b"));
    assert_int_equal(lh_tombstones_append(f->s, "t", lines, &err), LH_OK);
    json_decref(lines);
    lines = json_pack("[o]", line("c"));
    assert_int_equal(lh_tombstones_append(f->s, "t", lines, &err), LH_OK);
    json_decref(lines);
    assert_int_equal(lh_tombstones_load(f->s, "t", &got, &err), LH_OK);
    assert_int_equal(json_array_size(got), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(got, 2), "row_key_value")), "c");
    json_decref(got);
    assert_int_equal(lh_tombstones_clear(f->s, "t", &err), LH_OK);
    assert_int_equal(lh_tombstones_load(f->s, "t", &got, &err), LH_OK);
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
    assert_int_equal(lh_tombstones_clear(f->s, "t", &err), LH_OK); /* missing: fine */
}

static void torn_tail_is_skipped_and_healed(void **state)
{
    fixture *f = *state;
    lh_err err;
    json_t *lines = json_pack("[o]", line("a"));
    assert_int_equal(lh_tombstones_append(f->s, "t", lines, &err), LH_OK);
    json_decref(lines);
    const char *torn = "{\"dataset\":\"t\",\"row_key_val";
    assert_int_equal(lh_store_append(f->s, "_catalog/tombstones/t.jsonl", torn, strlen(torn), &err), LH_OK);
    json_t *got = NULL;
    assert_int_equal(lh_tombstones_load(f->s, "t", &got, &err), LH_OK);
    assert_int_equal(json_array_size(got), 1);
    json_decref(got);
    lines = json_pack("[o]", line("b"));
    assert_int_equal(lh_tombstones_append(f->s, "t", lines, &err), LH_OK);
    json_decref(lines);
    assert_int_equal(lh_tombstones_load(f->s, "t", &got, &err), LH_OK);
    assert_int_equal(json_array_size(got), 2); /* "b" starts on its own line */
    assert_string_equal(json_string_value(json_object_get(json_array_get(got, 1), "row_key_value")), "b");
    json_decref(got);
}

static void salt_and_hash(void **state)
{
    fixture *f = *state;
    lh_err err;
    char s1[65], s2[65];
    assert_int_equal(lh_tombstones_salt(f->s, s1, &err), LH_OK);
    assert_int_equal(strlen(s1), 64);
    assert_int_equal(lh_tombstones_salt(f->s, s2, &err), LH_OK);
    assert_string_equal(s1, s2); /* created once, then read */
    char h[65], want[65];
    lh_tombstones_key_hash("salt", "CAND-1", h);
    lh_sha256_hex("saltCAND-1", 10, want);
    assert_string_equal(h, want);
    lh_tombstones_key_hash(s1, "CAND-1", h);
    assert_string_not_equal(h, want);
    assert_int_equal(lh_store_put(f->s, "_catalog/erasure_salt", "short", 5, &err), LH_OK);
    assert_int_equal(lh_tombstones_salt(f->s, s1, &err), LH_ECORRUPT);
}

/* A tombstone file is loaded whole, up to 1 GiB: an append that would take it past that
 * is refused before it writes (a file that could never be loaded again could never be
 * compacted, nor its tombstones cleared). The file is made large, sparse, by truncate. */
static void append_past_the_load_limit_is_refused(void **state)
{
    fixture *f = *state;
    lh_err err;
    json_t *lines = json_pack("[o]", line("a"));
    assert_int_equal(lh_tombstones_append(f->s, "t", lines, &err), LH_OK);
    char path[600];
    snprintf(path, sizeof path, "%s/_catalog/tombstones/t.jsonl", f->dir);
    off_t big = ((off_t)1 << 30) - 8; /* a line of ours is longer than 8 bytes */
    assert_int_equal(truncate(path, big), 0);
    err.msg[0] = '\0';
    assert_int_equal(lh_tombstones_append(f->s, "t", lines, &err), LH_ETOOBIG);
    assert_non_null(strstr(err.msg, "nothing was deleted"));
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, big);
    assert_int_equal(truncate(path, 0), 0);
    assert_int_equal(lh_tombstones_append(f->s, "t", lines, &err), LH_OK);
    json_decref(lines);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(append_load_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(torn_tail_is_skipped_and_healed, setup, teardown),
        cmocka_unit_test_setup_teardown(salt_and_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(append_past_the_load_limit_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
