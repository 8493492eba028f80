/* Unit tests for the local object store: key checks, atomic writes, listing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/storage.h"
#include "table/table.h"
#include "testutil.h"

static void bad_keys_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"", "/etc/passwd", "..", "a/../../b", "a/./b", "a//b", "a\\b",
                         "a/b/", "x\ny", "../x", "a/.."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lh_err err = {{0}};
        assert_int_equal(lh_store_check_key(bad[i], &err), LH_EINVAL);
        assert_true(err.msg[0] != '\0');
    }
    assert_int_equal(lh_store_check_key("tables/x/_delta_log/0.json", NULL), LH_OK);
    assert_int_equal(lh_store_check_key("a..b/c.d", NULL), LH_OK);
    /* keys are rendered in JSON: invalid UTF-8 is refused up front */
    lh_err err = {{0}};
    assert_int_equal(lh_store_check_key("\xc0\xae", &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "UTF-8"));
    assert_int_equal(lh_store_check_key("caf\xc3\xa9", NULL), LH_OK);
}

static int count_cb(void *ctx, const char *key, const lh_object_info *info)
{
    (void)key;
    (void)info;
    ++*(int *)ctx;
    return 0;
}

/* A directory or file linked inside the root is never followed, by any operation, and
 * the start-up sweep does not delete through a linked directory. */
static void links_are_never_followed(void **state)
{
    (void)state;
    char root[256], out[256], p[600];
    lh_test_tmpdir(root, sizeof root);
    lh_test_tmpdir(out, sizeof out);
    snprintf(p, sizeof p, "%s/secret.txt", out);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("secret", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/.tmp-x", out);
    f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
    lh_store *s = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_store_open_local(root, &s, &err), LH_OK);
    assert_int_equal(lh_store_put(s, "tables/real/ok.txt", "x", 1, &err), LH_OK);
    snprintf(p, sizeof p, "%s/tables/link", root);
    assert_int_equal(symlink(out, p), 0);
    snprintf(p, sizeof p, "%s/filelink", root);
    char target[600];
    snprintf(target, sizeof target, "%s/secret.txt", out);
    assert_int_equal(symlink(target, p), 0);
    lh_buf b;
    lh_buf_init(&b, 0);
    lh_object_info info;
    assert_int_equal(lh_store_get(s, "tables/link/secret.txt", 100, &b, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "symbolic link"));
    assert_null(strstr(err.msg, out)); /* messages name keys, not paths */
    assert_int_equal(lh_store_get(s, "filelink", 100, &b, &err), LH_EINVAL);
    assert_int_equal(lh_store_head(s, "tables/link/secret.txt", &info, &err), LH_EINVAL);
    assert_int_equal(lh_store_head(s, "filelink", &info, &err), LH_EINVAL);
    assert_int_equal(lh_store_delete(s, "tables/link/secret.txt", &err), LH_EINVAL);
    assert_int_equal(lh_store_delete(s, "filelink", &err), LH_EINVAL);
    assert_int_equal(lh_store_put(s, "tables/link/new.txt", "x", 1, &err), LH_EINVAL);
    assert_int_equal(lh_store_put(s, "filelink", "x", 1, &err), LH_EINVAL);
    assert_int_equal(lh_store_append(s, "filelink", "x", 1, &err), LH_EINVAL);
    assert_int_equal(lh_store_list(s, "tables/link/", count_cb, &(int){0}, &err), LH_EINVAL);
    int n = 0;
    assert_int_equal(lh_store_list(s, "", count_cb, &n, &err), LH_OK);
    assert_int_equal(n, 1); /* tables/real/ok.txt only */
    assert_int_equal(lh_store_sweep(s, "tables", ".tmp-", 1, &err), LH_OK);
    snprintf(p, sizeof p, "%s/.tmp-x", out);
    assert_int_equal(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s/secret.txt", out);
    assert_int_equal(access(p, F_OK), 0);
    lh_buf_release(&b);
    lh_store_free(s);
    lh_test_rmtree(root);
    lh_test_rmtree(out);
}

static int collect_cb(void *ctx, const char *key, const lh_object_info *info)
{
    lh_buf *b = ctx;
    lh_buf_printf(b, "%s:%lld;", key, (long long)info->size);
    return 0;
}

static void put_get_list_delete(void **state)
{
    (void)state;
    char root[256];
    lh_test_tmpdir(root, sizeof root);
    lh_store *s = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_store_open_local(root, &s, &err), LH_OK);
    assert_int_equal(lh_store_put(s, "a/b/c.txt", "hello", 5, &err), LH_OK);
    assert_int_equal(lh_store_put(s, "a/b/c.txt", "hello!", 6, &err), LH_OK);
    assert_int_equal(lh_store_put_if_absent(s, "a/x.json", "{}", 2, &err), LH_OK);
    assert_int_equal(lh_store_put_if_absent(s, "a/x.json", "[]", 2, &err), LH_EEXIST);
    assert_int_equal(lh_store_put(s, "../evil", "x", 1, &err), LH_EINVAL);
    lh_buf b;
    lh_buf_init(&b, 0);
    assert_int_equal(lh_store_get(s, "a/x.json", 100, &b, &err), LH_OK);
    assert_string_equal(lh_buf_cstr(&b), "{}");
    lh_buf_reset(&b);
    assert_int_equal(lh_store_get(s, "a/missing", 100, &b, &err), LH_ENOTFOUND);
    assert_int_equal(lh_store_list(s, "a/", collect_cb, &b, &err), LH_OK);
    assert_string_equal(lh_buf_cstr(&b), "a/b/c.txt:6;a/x.json:2;");
    lh_object_info info;
    assert_int_equal(lh_store_head(s, "a/b/c.txt", &info, &err), LH_OK);
    assert_int_equal(info.size, 6);
    assert_int_equal(lh_store_delete(s, "a/b/c.txt", &err), LH_OK);
    assert_int_equal(lh_store_delete(s, "a/b/c.txt", &err), LH_OK);
    assert_int_equal(lh_store_head(s, "a/b/c.txt", &info, &err), LH_ENOTFOUND);
    /* a symlink planted under the root is not followed */
    char link[512];
    snprintf(link, sizeof link, "%s/a/link.json", root);
    assert_int_equal(symlink("/etc/hostname", link), 0);
    lh_buf_reset(&b);
    assert_int_not_equal(lh_store_get(s, "a/link.json", 100, &b, &err), LH_OK);
    lh_buf_release(&b);
    lh_store_free(s);
    lh_test_rmtree(root);
}

static int level_cb(void *ctx, const char *name, lh_entry_kind kind)
{
    json_t *seen = ctx;
    json_object_set_new(seen, name, json_string(kind == LH_ENTRY_DIR ? "dir" : "file"));
    return 0;
}

static int stop_cb(void *ctx, const char *name, lh_entry_kind kind)
{
    (void)name;
    (void)kind;
    ++*(int *)ctx;
    return 1;
}

/* lh_store_list_dir: one level, files and directories by name, no temp names, no links;
 * a missing directory lists nothing, a linked one is refused, a callback can stop it.
 * lh_table_list (built on it) names the directories whose _delta_log holds a file. */
static void one_level_listing(void **state)
{
    (void)state;
    char root[256], out[256], p[600];
    lh_test_tmpdir(root, sizeof root);
    lh_test_tmpdir(out, sizeof out);
    lh_store *s = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_store_open_local(root, &s, &err), LH_OK);
    const char *keys[] = {"d/a.json", "d/sub/deep/b.txt", "d/.tmp-x.json", "d/c.parquet.tmp-1",
                          "tables/t1/_delta_log/00000000000000000000.json", "tables/t1/part-0.parquet",
                          "tables/t2/_delta_log/.tmp-y.json", "tables/t3/part-0.parquet",
                          "tables/t4/_delta_log/sub/x.json", "tables/file"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_int_equal(lh_store_put(s, keys[i], "x", 1, &err), LH_OK);
    snprintf(p, sizeof p, "%s/d/link", root);
    assert_int_equal(symlink(out, p), 0);
    snprintf(p, sizeof p, "%s/tables/t5", root);
    assert_int_equal(symlink(out, p), 0);
    /* t5 leads to a directory with a log of its own: listed only if links were followed */
    char target[700];
    snprintf(target, sizeof target, "%s/_delta_log", out);
    assert_int_equal(mkdir(target, 0755), 0);
    snprintf(target, sizeof target, "%s/_delta_log/0.json", out);
    FILE *f = fopen(target, "w");
    assert_non_null(f);
    fclose(f);

    json_t *seen = json_object();
    assert_int_equal(lh_store_list_dir(s, "d", level_cb, seen, &err), LH_OK);
    assert_int_equal(json_object_size(seen), 2);
    assert_string_equal(json_string_value(json_object_get(seen, "a.json")), "file");
    assert_string_equal(json_string_value(json_object_get(seen, "sub")), "dir");
    json_object_clear(seen);
    assert_int_equal(lh_store_list_dir(s, "missing", level_cb, seen, &err), LH_OK);
    assert_int_equal(json_object_size(seen), 0);
    assert_int_equal(lh_store_list_dir(s, "d/link", level_cb, seen, &err), LH_EINVAL);
    assert_int_equal(lh_store_list_dir(s, "../x", level_cb, seen, &err), LH_EINVAL);
    int calls = 0;
    assert_int_equal(lh_store_list_dir(s, "d", stop_cb, &calls, &err), LH_OK);
    assert_int_equal(calls, 1);

    json_object_clear(seen);
    assert_int_equal(lh_table_list(s, "tables", seen, &err), LH_OK);
    assert_int_equal(json_object_size(seen), 1); /* t1 only: t2's log holds a temp file,
                                                  * t3 has no log, t4's no file of its own,
                                                  * t5 is a link, "file" no directory */
    assert_non_null(json_object_get(seen, "t1"));
    json_decref(seen);
    lh_store_free(s);
    lh_test_rmtree(root);
    lh_test_rmtree(out);
}

/* The start-up sweep removes temp names at every depth it reaches, by the directory's
 * entry types, and nothing else. */
static void sweep_by_entry_type(void **state)
{
    (void)state;
    char root[256];
    lh_test_tmpdir(root, sizeof root);
    lh_store *s = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_store_open_local(root, &s, &err), LH_OK);
    const char *keep[] = {"tables/t/part-0.parquet", "tables/t/_delta_log/00000000000000000000.json",
                          "tables/t/_delta_log/deeper/x.tmp"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        assert_int_equal(lh_store_put(s, keep[i], "x", 1, &err), LH_OK);
    const char *gone[] = {"tables/t/.tmp-a.parquet", "tables/t/_delta_log/.tmp-b.json"};
    char p[600];
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, gone[i]);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fclose(f);
    }
    snprintf(p, sizeof p, "%s/tables/t/_delta_log/deeper/.tmp-c", root);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(lh_store_sweep(s, "tables", ".tmp-", 2, &err), LH_OK);
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, keep[i]);
        assert_int_equal(access(p, F_OK), 0);
    }
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, gone[i]);
        assert_int_not_equal(access(p, F_OK), 0);
    }
    snprintf(p, sizeof p, "%s/tables/t/_delta_log/deeper/.tmp-c", root);
    assert_int_equal(access(p, F_OK), 0); /* depth 2 ends at _delta_log */
    lh_store_free(s);
    lh_test_rmtree(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_keys_are_refused),
        cmocka_unit_test(put_get_list_delete),
        cmocka_unit_test(links_are_never_followed),
        cmocka_unit_test(one_level_listing),
        cmocka_unit_test(sweep_by_entry_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
