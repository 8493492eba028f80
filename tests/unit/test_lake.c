/* Unit tests for the lake module's writer lock (src/lake/lock.c) and the table directory's
 * layout it relies on (src/table/layout.c). The lock file is written by hand here, as a
 * killed writer or an older version may have left it: without a trailing newline, with a
 * note that has none, or empty. A second open file description's flock stands in for the
 * other writer (flock locks conflict between descriptions, even in one process). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/buf.h"
#include "lake/lake.h"
#include "lake/lake_int.h"
#include "table/table.h"
#include "testutil.h"

/* Writes text (exactly, no newline added) to DIR/.lock. */
static void write_lock_file(const char *dir, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.lock", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* Holds an exclusive flock on DIR/.lock, as another writer would; returns the fd. */
static int hold_lock(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    return fd;
}

static void read_lock_file(const char *dir, char *out, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.lock", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t got = fread(out, 1, n - 1, f);
    out[got] = '\0';
    fclose(f);
}

static void holder_is(const char *dir, const char *pid, const char *note)
{
    json_t *h = NULL;
    lh_err err;
    assert_int_equal(lh_lake_lock_holder(dir, &h, &err), LH_OK);
    assert_non_null(h);
    assert_string_equal(json_string_value(json_object_get(h, "pid")), pid);
    assert_string_equal(json_string_value(json_object_get(h, "note")), note);
    json_decref(h);
}

/* A lock file without any newline: the whole text is the pid, the note is empty. */
static void holder_without_newline(void **state)
{
    (void)state;
    char dir[256];
    lh_test_tmpdir(dir, sizeof dir);
    write_lock_file(dir, "4242");
    int fd = hold_lock(dir);
    holder_is(dir, "4242", "");
    /* a note whose line has no newline of its own */
    write_lock_file(dir, "4242\nhttp://127.0.0.1:9");
    holder_is(dir, "4242", "http://127.0.0.1:9");
    write_lock_file(dir, "4242\nhttp://127.0.0.1:9\n");
    holder_is(dir, "4242", "http://127.0.0.1:9");
    write_lock_file(dir, "");
    holder_is(dir, "", "");
    close(fd);
    /* nobody holds it now: a stale file names no writer */
    json_t *h = NULL;
    lh_err err;
    assert_int_equal(lh_lake_lock_holder(dir, &h, &err), LH_ENOTFOUND);
    assert_null(h);
    lh_test_rmtree(dir);
}

/* A second writer is refused, naming the holder's pid read from a file with no newline. */
static void second_writer_names_pid(void **state)
{
    (void)state;
    char dir[256];
    lh_test_tmpdir(dir, sizeof dir);
    write_lock_file(dir, "31337");
    int fd = hold_lock(dir);
    lh_lake_options lo = {.data_dir = dir, .writer = true, .threads = 1,
                          .memory_limit = "256MB"};
    lh_lake *lake = NULL;
    lh_err err;
    assert_int_equal(lh_lake_open(&lo, &lake, &err), LH_ELOCKED);
    assert_null(lake);
    assert_non_null(strstr(err.msg, "another writer (pid 31337);"));
    /* a file longer than the pid buffer: still one pid, cut, never overrun */
    write_lock_file(dir, "123456789012345678901234567890123456789012345678901234567890");
    assert_int_equal(lh_lake_open(&lo, &lake, &err), LH_ELOCKED);
    assert_non_null(strstr(err.msg, "(pid 1234567890"));
    close(fd);
    lh_test_rmtree(dir);
}

/* A lock file left by a killed writer (no flock held, no newline) does not block the
 * next writer, which records its own pid; a reader never touches it. */
static void stale_lock_is_taken_over(void **state)
{
    (void)state;
    char dir[256];
    lh_test_tmpdir(dir, sizeof dir);
    write_lock_file(dir, "99999");
    lh_lake_options ro = {.data_dir = dir, .writer = false, .threads = 1,
                          .memory_limit = "256MB"};
    lh_lake *lake = NULL;
    lh_err err;
    assert_int_equal(lh_lake_open(&ro, &lake, &err), LH_OK);
    lh_lake_free(lake);
    char text[64];
    read_lock_file(dir, text, sizeof text);
    assert_string_equal(text, "99999");

    lh_lake_options lo = ro;
    lo.writer = true;
    lake = NULL;
    assert_int_equal(lh_lake_open(&lo, &lake, &err), LH_OK);
    char want[32];
    snprintf(want, sizeof want, "%ld\n", (long)getpid());
    read_lock_file(dir, text, sizeof text);
    assert_string_equal(text, want);
    want[strlen(want) - 1] = '\0';
    lh_lake_set_lock_note(lake, "http://127.0.0.1:1234");
    holder_is(dir, want, "http://127.0.0.1:1234");
    lh_lake_free(lake);
    lh_test_rmtree(dir);
}

/* The names a table directory holds, as the lake's vacuum, erasure and compaction code
 * now asks for them. */
static void table_layout(void **state)
{
    (void)state;
    assert_true(lh_table_is_commit_path("_delta_log/00000000000000000003.json"));
    assert_false(lh_table_is_commit_path("_delta_log/00000000000000000003.checkpoint.parquet"));
    assert_false(lh_table_is_commit_path("_delta_log/x/1.json"));
    assert_false(lh_table_is_commit_path("a.json"));
    assert_true(lh_table_is_data_path("part-00000-x-c000.snappy.parquet"));
    assert_false(lh_table_is_data_path("sub/part.parquet"));
    assert_false(lh_table_is_data_path(".parquet"));
    lh_buf b;
    lh_buf_init(&b, 0);
    lh_table_commit_key("tables/t", 7, &b);
    assert_string_equal(lh_buf_cstr(&b), "tables/t/_delta_log/00000000000000000007.json");
    lh_buf_reset(&b);
    lh_table_data_file_name("abc", &b);
    assert_string_equal(lh_buf_cstr(&b), "part-00000-abc-c000.snappy.parquet");
    assert_true(lh_table_is_data_path(lh_buf_cstr(&b)));
    lh_buf_reset(&b);
    lh_table_temp_path("/d/tables/t", "abc", &b);
    assert_string_equal(lh_buf_cstr(&b), "/d/tables/t/.tmp-abc.parquet");
    lh_buf_release(&b);
}

/* Compaction checks its erasure entry before committing (lh__erasures_check): a set that
 * would be over the 64 MiB that reading it takes is LH_ETOOBIG, naming vacuum, and nothing
 * is written; a set within it passes. */
static void erasure_set_over_its_read_limit_is_refused_before(void **state)
{
    (void)state;
    char dir[256];
    lh_test_tmpdir(dir, sizeof dir);
    lh_lake_options lo = {.data_dir = dir, .writer = true, .threads = 1,
                          .memory_limit = "256MB"};
    lh_lake *lake = NULL;
    lh_err err;
    assert_int_equal(lh_lake_open(&lo, &lake, &err), LH_OK);
    json_t *small = json_array(), *big = json_array();
    json_t *h = json_string("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    for (size_t i = 0; i < 1000000; i++) { /* ~71 bytes each as written: ~68 MiB */
        assert_int_equal(json_array_append(big, h), 0);
        if (i < 1000)
            assert_int_equal(json_array_append(small, h), 0);
    }
    json_decref(h);
    assert_int_equal(lh__erasures_check(lake, "people", small, &err), LH_OK);
    err.msg[0] = '\0';
    assert_int_equal(lh__erasures_check(lake, "people", big, &err), LH_ETOOBIG);
    assert_non_null(strstr(err.msg, "vacuum"));
    json_decref(small);
    json_decref(big);
    char path[512];
    snprintf(path, sizeof path, "%s/_catalog/erasures/people.json", dir);
    assert_int_equal(access(path, F_OK), -1);
    lh_lake_free(lake);
    lh_test_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(holder_without_newline),
        cmocka_unit_test(second_writer_names_pid),
        cmocka_unit_test(stale_lock_is_taken_over),
        cmocka_unit_test(table_layout),
        cmocka_unit_test(erasure_set_over_its_read_limit_is_refused_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
