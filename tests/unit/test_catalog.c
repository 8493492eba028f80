/* Unit tests for src/catalog: dataset names, manifests on disk (persistence across
 * opens, damaged files skipped), sorted listing, sensitivity levels, and manifest.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/manifest.h"
#include "core/buf.h"
#include "testutil.h"

/* 2026-11-26T17:00:00.000Z and one hour later */
#define T0 1795712400000LL
#define T1 1795716000000LL

static void check_name_good_and_bad(void **state)
{
    (void)state;
    char n63[64], n64[65];
    memset(n63, 'a', 63);
    n63[63] = '\0';
    memset(n64, 'a', 64);
    n64[64] = '\0';
    const char *good[] = {"sales", "a", "journals", "my_journal", "t_2026", "x1_y2_z3", "a_", n63};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        lh_err err = {{0}};
        if (lh_catalog_check_name(good[i], &err) != LH_OK)
            fail_msg("'%s' refused: %s", good[i], err.msg);
    }
    const char *bad[] = {"", n64, "Sales", "sAles", "1abc", "9", "__raw__x", "__", "a-b",
                         "a b", "a.b", "../x", "a/b", "..", ".", "/etc", "a\\b", "tables/../x",
                         "x\n", "caf\xc3\xa9", "a;drop", "a\"b", "a'b", " a",
                         /* reserved: the server's own relations, and '_' internal ones */
                         "journal", "_private", "_", "_a_"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lh_err err = {{0}};
        if (lh_catalog_check_name(bad[i], &err) != LH_EINVAL)
            fail_msg("bad name '%s' accepted", bad[i]);
        assert_true(err.msg[0] != '\0');
    }
    assert_int_equal(lh_catalog_check_name(NULL, NULL), LH_EINVAL);
    lh_err err = {{0}};
    lh_catalog_check_name("__x", &err);
    assert_non_null(strstr(err.msg, "reserved"));
    lh_catalog_check_name("journal", &err);
    assert_non_null(strstr(err.msg, "'journal' is reserved"));
    lh_catalog_check_name(n64, &err);
    assert_non_null(strstr(err.msg, "longer than 63"));
}

static void name_from_path_derives(void **state)
{
    (void)state;
    static const struct { const char *path, *want; } cases[] = {
        {"Sales Q1-2026.csv", "sales_q1_2026"},
        {"/data/in/Sales Q1-2026.csv", "sales_q1_2026"},
        {"2024.csv", "d_2024"},
        {"dir.v2/orders.parquet", "orders"},
        {"archive.2024.csv.gz", "archive"},
        {"  weird__name!!.json", "weird_name"},
        {"UPPER", "upper"},
        {".hidden", "hidden"},
        {"caf\xc3\xa9 menu.csv", "caf_menu"},
        {"trailing___.csv", "trailing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64] = "";
        lh_err err = {{0}};
        if (lh_catalog_name_from_path(cases[i].path, out, sizeof out, &err) != LH_OK)
            fail_msg("'%s': %s", cases[i].path, err.msg);
        if (strcmp(out, cases[i].want))
            fail_msg("'%s' -> '%s', expected '%s'", cases[i].path, out, cases[i].want);
    }
    /* a long stem is cut to 63 characters and stays valid */
    char longp[200], out[64];
    memset(longp, 'x', 150);
    memcpy(longp + 150, ".csv", 5);
    assert_int_equal(lh_catalog_name_from_path(longp, out, sizeof out, NULL), LH_OK);
    assert_int_equal(strlen(out), 63);
    assert_int_equal(out[62], 'x');
    /* nothing usable: an error naming the path and suggesting --name */
    const char *none[] = {"", "/", "dir/", "!!!.csv", "\xc3\xa9.csv", "---"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        lh_err err = {{0}};
        if (lh_catalog_name_from_path(none[i], out, sizeof out, &err) != LH_EINVAL)
            fail_msg("'%s' gave a name '%s'", none[i], out);
        assert_non_null(strstr(err.msg, "--name"));
    }
}

/* Regression (fixed; src/catalog/catalog.c, lh_catalog_name_from_path): a stem that starts with a digit
 * and fills the 63-character limit gets the "d_" prefix after truncation, so the result
 * is 65 characters and lh_catalog_check_name refuses it: a file named 70 digits + ".csv"
 * gives LH_EINVAL ("longer than 63 characters"); expected LH_OK and "d_" + 61 digits.
 * Trivial fix: stop the copy loop at 61 characters when the first kept char is a digit
 * (or cut to 63 after adding the prefix). */
static void name_from_path_long_digit_stem(void **state)
{
    (void)state;
    char path[100], out[64] = "", want[64];
    memset(path, '7', 70);
    memcpy(path + 70, ".csv", 5);
    memcpy(want, "d_", 2);
    memset(want + 2, '7', 61);
    want[63] = '\0';
    lh_err err = {{0}};
    assert_int_equal(lh_catalog_name_from_path(path, out, sizeof out, &err), LH_OK);
    assert_string_equal(out, want);
}

typedef struct fixture {
    char root[256];
    lh_store *store;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    lh_test_tmpdir(f->root, sizeof f->root);
    lh_err err = {{0}};
    if (lh_store_open_local(f->root, &f->store, &err)) {
        fprintf(stderr, "store: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lh_store_free(f->store);
    lh_test_rmtree(f->root);
    free(f);
    return 0;
}

static void put_get_reopen_persists(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_catalog *c = NULL;
    assert_int_equal(lh_catalog_open(f->store, &c, &err), LH_OK);
    assert_int_equal(lh_catalog_count(c), 0);
    assert_null(lh_catalog_get(c, "sales"));
    assert_null(lh_catalog_name_at(c, 0));

    json_t *m = lh_manifest_new("sales", T0);
    assert_non_null(m);
    json_object_set_new(m, "description", json_string("Quarterly \"sales\" \xe2\x82\xac"));
    json_object_set_new(m, "manifest_version", json_integer(99)); /* put sets it to 1 */
    assert_int_equal(lh_catalog_put(c, m, &err), LH_OK);
    json_decref(m); /* the catalog holds its own reference */
    json_t *got = lh_catalog_get(c, "sales");
    assert_non_null(got);
    assert_int_equal(json_integer_value(json_object_get(got, "manifest_version")), 1);
    assert_int_equal(lh_catalog_count(c), 1);

    /* the file is where DESIGN.md §3 says, and it is JSON */
    char path[512];
    snprintf(path, sizeof path, "%s/_catalog/datasets/sales.json", f->root);
    json_error_t jerr;
    json_t *disk = json_load_file(path, 0, &jerr);
    assert_non_null(disk);
    assert_string_equal(json_string_value(json_object_get(disk, "name")), "sales");
    json_decref(disk);

    /* a second catalog on the same store sees the manifest, field for field */
    lh_catalog *c2 = NULL;
    assert_int_equal(lh_catalog_open(f->store, &c2, &err), LH_OK);
    assert_int_equal(lh_catalog_count(c2), 1);
    json_t *again = lh_catalog_get(c2, "sales");
    assert_non_null(again);
    assert_true(json_equal(again, lh_catalog_get(c, "sales")));
    assert_string_equal(json_string_value(json_object_get(again, "description")),
                        "Quarterly \"sales\" \xe2\x82\xac");
    lh_catalog_free(c2);

    /* replacing: a put of the same name wins, in memory and on disk */
    json_t *m2 = json_deep_copy(lh_catalog_get(c, "sales"));
    json_object_set_new(m2, "owner", json_string("finance"));
    assert_int_equal(lh_catalog_put(c, m2, &err), LH_OK);
    json_decref(m2);
    assert_string_equal(json_string_value(json_object_get(lh_catalog_get(c, "sales"), "owner")),
                        "finance");
    assert_int_equal(lh_catalog_open(f->store, &c2, &err), LH_OK);
    assert_int_equal(lh_catalog_count(c2), 1);
    assert_string_equal(json_string_value(json_object_get(lh_catalog_get(c2, "sales"), "owner")),
                        "finance");
    lh_catalog_free(c2);

    /* bad names are refused and nothing is written */
    json_t *bad = lh_manifest_new("__raw__sales", T0);
    err.msg[0] = '\0';
    assert_int_equal(lh_catalog_put(c, bad, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "reserved"));
    json_decref(bad);
    json_t *noname = json_object();
    assert_int_equal(lh_catalog_put(c, noname, &err), LH_EINVAL);
    json_decref(noname);
    assert_int_equal(lh_catalog_count(c), 1);
    lh_catalog_free(c);
    assert_int_equal(lh_catalog_open(f->store, &c, &err), LH_OK);
    assert_int_equal(lh_catalog_count(c), 1);
    lh_catalog_free(c);
}

static void damaged_manifests_are_skipped(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_catalog *c = NULL;
    assert_int_equal(lh_catalog_open(f->store, &c, &err), LH_OK);
    json_t *m = lh_manifest_new("good", T0);
    assert_int_equal(lh_catalog_put(c, m, &err), LH_OK);
    json_decref(m);
    lh_catalog_free(c);
    static const struct { const char *key, *text; } junk[] = {
        {"_catalog/datasets/broken.json", "{\"name\": \"broken\", "},  /* cut short */
        {"_catalog/datasets/array.json", "[1, 2, 3]"},
        {"_catalog/datasets/noname.json", "{\"description\": \"x\"}"},
        {"_catalog/datasets/badname.json", "{\"name\": \"../../etc\"}"},
        {"_catalog/datasets/numname.json", "{\"name\": 5}"},
        {"_catalog/datasets/empty.json", ""},
        {"_catalog/datasets/notes.txt", "{\"name\": \"notes\"}"},       /* not .json */
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        assert_int_equal(lh_store_put(f->store, junk[i].key, junk[i].text, strlen(junk[i].text), &err),
                         LH_OK);
    assert_int_equal(lh_catalog_open(f->store, &c, &err), LH_OK);
    assert_int_equal(lh_catalog_count(c), 1);
    assert_string_equal(lh_catalog_name_at(c, 0), "good");
    assert_null(lh_catalog_get(c, "broken"));
    assert_null(lh_catalog_get(c, "notes"));
    assert_null(lh_catalog_get(c, "../../etc"));
    lh_catalog_free(c);
}

/* A manifest over the size opening reads is refused before it is written: written, the
 * dataset would vanish at the next open (the catalog skips it). */
static void oversized_manifest_is_refused_unwritten(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_catalog *c = NULL;
    assert_int_equal(lh_catalog_open(f->store, &c, &err), LH_OK);
    json_t *m = lh_manifest_new("big", T0);
    json_object_set_new(m, "description", json_string("small"));
    assert_int_equal(lh_catalog_put(c, m, &err), LH_OK);
    size_t n = ((size_t)16 << 20) + 1;
    char *huge = malloc(n + 1);
    assert_non_null(huge);
    memset(huge, 'x', n);
    huge[n] = '\0';
    json_t *m2 = json_deep_copy(m);
    json_object_set_new(m2, "description", json_string(huge));
    free(huge);
    assert_int_equal(lh_catalog_put(c, m2, &err), LH_ETOOBIG);
    assert_non_null(strstr(err.msg, "not changed"));
    json_decref(m2);
    json_decref(m);
    assert_string_equal(json_string_value(json_object_get(lh_catalog_get(c, "big"), "description")),
                        "small");
    lh_catalog_free(c);
    assert_int_equal(lh_catalog_open(f->store, &c, &err), LH_OK);
    assert_string_equal(json_string_value(json_object_get(lh_catalog_get(c, "big"), "description")),
                        "small");
    lh_catalog_free(c);
}

static void names_are_sorted(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_catalog *c = NULL;
    assert_int_equal(lh_catalog_open(f->store, &c, &err), LH_OK);
    const char *order[] = {"zeta", "alpha", "a_under", "mid_2", "mid_10", "beta"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        json_t *m = lh_manifest_new(order[i], T0);
        assert_int_equal(lh_catalog_put(c, m, &err), LH_OK);
        json_decref(m);
    }
    const char *want[] = {"a_under", "alpha", "beta", "mid_10", "mid_2", "zeta"};
    assert_int_equal(lh_catalog_count(c), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(lh_catalog_name_at(c, i), want[i]);
    assert_null(lh_catalog_name_at(c, 6));
    lh_catalog_free(c);
    /* the same order after loading from disk (listing order is not insertion order) */
    assert_int_equal(lh_catalog_open(f->store, &c, &err), LH_OK);
    assert_int_equal(lh_catalog_count(c), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(lh_catalog_name_at(c, i), want[i]);
    lh_catalog_free(c);

    lh_buf b;
    lh_buf_init(&b, 0);
    assert_int_equal(lh_catalog_table_prefix("sales", &b), LH_OK);
    assert_string_equal(lh_buf_cstr(&b), "tables/sales");
    lh_buf_release(&b);
}

static void sensitivity_levels(void **state)
{
    (void)state;
    const char *good[] = {"public", "internal", "confidential", "restricted"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(lh_catalog_check_sensitivity(good[i], NULL), LH_OK);
    const char *bad[] = {"", "Public", "secret", "internal ", "restrict", "publicx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lh_err err = {{0}};
        assert_int_equal(lh_catalog_check_sensitivity(bad[i], &err), LH_EINVAL);
        assert_non_null(strstr(err.msg, "expected public, internal, confidential or restricted"));
    }
    lh_err err = {{0}};
    assert_int_equal(lh_catalog_check_sensitivity(NULL, &err), LH_EINVAL);
    assert_string_equal(err.msg,
                        "unknown sensitivity '' (expected public, internal, confidential or restricted)");
}

static void manifest_new_has_defaults(void **state)
{
    (void)state;
    json_t *m = lh_manifest_new("orders", T0);
    assert_non_null(m);
    json_error_t jerr;
    json_t *want = json_loads(
        "{\"manifest_version\": 1, \"name\": \"orders\", \"description\": \"\", \"owner\": \"\","
        " \"sensitivity\": \"internal\", \"tags\": [], \"columns\": [], \"lineage\": {},"
        " \"freshness\": {\"created_at\": \"2026-11-26T17:00:00.000Z\","
        "                 \"updated_at\": \"2026-11-26T17:00:00.000Z\", \"last_ingest_at\": null},"
        " \"row_count\": 0, \"size_bytes\": 0, \"table_version\": -1, \"bucket\": \"primary\"}",
        0, &jerr);
    assert_non_null(want);
    if (!json_equal(m, want)) {
        char *s = json_dumps(m, JSON_SORT_KEYS);
        fail_msg("manifest: %s", s);
    }
    json_decref(want);
    json_decref(m);
}

static json_t *column_named(json_t *m, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(m, "columns"), i, c)
        if (!strcmp(json_string_value(json_object_get(c, "name")), name))
            return c;
    return NULL;
}

static void manifest_set_table_keeps_column_metadata(void **state)
{
    (void)state;
    json_t *m = lh_manifest_new("people", T0);
    json_error_t jerr;
    json_t *cols1 = json_loads("[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                               "{\"name\":\"email\",\"type\":\"VARCHAR\"},"
                               "{\"name\":\"gone\",\"type\":\"DOUBLE\"}]", 0, &jerr);
    lh_manifest_set_table(m, cols1, 10, 2048, 0, T1);
    json_t *want1 = json_loads("[{\"name\":\"id\",\"type\":\"BIGINT\",\"nullable\":true,\"pii\":[],"
                               "\"sensitivity\":\"internal\"},"
                               "{\"name\":\"email\",\"type\":\"VARCHAR\",\"nullable\":true,\"pii\":[],"
                               "\"sensitivity\":\"internal\"},"
                               "{\"name\":\"gone\",\"type\":\"DOUBLE\",\"nullable\":true,\"pii\":[],"
                               "\"sensitivity\":\"internal\"}]", 0, &jerr);
    assert_true(json_equal(json_object_get(m, "columns"), want1));
    assert_int_equal(json_integer_value(json_object_get(m, "row_count")), 10);
    assert_int_equal(json_integer_value(json_object_get(m, "size_bytes")), 2048);
    assert_int_equal(json_integer_value(json_object_get(m, "table_version")), 0);
    json_t *fresh = json_object_get(m, "freshness");
    assert_string_equal(json_string_value(json_object_get(fresh, "created_at")),
                        "2026-11-26T17:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(fresh, "updated_at")),
                        "2026-11-26T18:00:00.000Z");

    /* a steward marks email as PII, restricted, with a description */
    json_t *email = column_named(m, "email");
    json_object_set_new(email, "pii", json_pack("[s]", "email"));
    json_object_set_new(email, "sensitivity", json_string("restricted"));
    json_object_set_new(email, "description", json_string("work address"));
    json_object_set_new(email, "nullable", json_false());

    /* the next commit: email's type widens, "gone" is dropped, "age" is new */
    json_t *cols2 = json_loads("[{\"name\":\"email\",\"type\":\"VARCHAR[]\"},"
                               "{\"name\":\"id\",\"type\":\"BIGINT\"},"
                               "{\"name\":\"age\",\"type\":\"INTEGER\"}]", 0, &jerr);
    lh_manifest_set_table(m, cols2, 25, 4096, 1, T1 + 1);
    json_t *want2 = json_loads("[{\"name\":\"email\",\"type\":\"VARCHAR[]\",\"nullable\":false,"
                               "\"pii\":[\"email\"],\"sensitivity\":\"restricted\","
                               "\"description\":\"work address\"},"
                               "{\"name\":\"id\",\"type\":\"BIGINT\",\"nullable\":true,\"pii\":[],"
                               "\"sensitivity\":\"internal\"},"
                               "{\"name\":\"age\",\"type\":\"INTEGER\",\"nullable\":true,\"pii\":[],"
                               "\"sensitivity\":\"internal\"}]", 0, &jerr);
    if (!json_equal(json_object_get(m, "columns"), want2)) {
        char *s = json_dumps(json_object_get(m, "columns"), JSON_SORT_KEYS);
        fail_msg("columns: %s", s);
    }
    assert_int_equal(json_integer_value(json_object_get(m, "row_count")), 25);
    assert_int_equal(json_integer_value(json_object_get(m, "table_version")), 1);
    assert_string_equal(json_string_value(json_object_get(fresh, "updated_at")),
                        "2026-11-26T18:00:00.001Z");
    /* the input column arrays are not modified (borrowed) */
    assert_int_equal(json_object_size(json_array_get(cols2, 0)), 2);

    /* a manifest without freshness gets one */
    json_object_del(m, "freshness");
    lh_manifest_set_table(m, cols2, 25, 4096, 2, T0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "freshness"), "updated_at")),
                        "2026-11-26T17:00:00.000Z");
    json_decref(cols1);
    json_decref(cols2);
    json_decref(want1);
    json_decref(want2);
    json_decref(m);
}

static void manifest_set_lineage(void **state)
{
    (void)state;
    json_t *m = lh_manifest_new("people", T0);
    json_t *lin = json_pack("{s:s, s:s, s:s}", "source_system", "file", "source_uri",
                            "people.csv", "actor", "cli");
    lh_manifest_set_lineage(m, lin, T1);
    assert_ptr_equal(json_object_get(m, "lineage"), lin); /* a new reference, same object */
    assert_int_equal(lin->refcount, 2);
    json_decref(lin);
    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "lineage"), "source_uri")),
                        "people.csv");
    json_t *fresh = json_object_get(m, "freshness");
    assert_string_equal(json_string_value(json_object_get(fresh, "last_ingest_at")),
                        "2026-11-26T18:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(fresh, "updated_at")),
                        "2026-11-26T17:00:00.000Z");
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_name_good_and_bad),
        cmocka_unit_test(name_from_path_derives),
        cmocka_unit_test(name_from_path_long_digit_stem),
        cmocka_unit_test_setup_teardown(put_get_reopen_persists, setup, teardown),
        cmocka_unit_test_setup_teardown(damaged_manifests_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(oversized_manifest_is_refused_unwritten, setup, teardown),
        cmocka_unit_test_setup_teardown(names_are_sorted, setup, teardown),
        cmocka_unit_test(sensitivity_levels),
        cmocka_unit_test(manifest_new_has_defaults),
        cmocka_unit_test(manifest_set_table_keeps_column_metadata),
        cmocka_unit_test(manifest_set_lineage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
