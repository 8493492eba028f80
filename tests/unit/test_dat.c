/* DAT (Delta Acceptance Testing) conformance: every case, every expected version, read
 * through lh_table_snapshot_load + lh_engine_snapshot_select and compared with the
 * expected rows (multiset equality, same column names in order, compatible types). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/engine.h"
#include "table/table.h"
#include "testutil.h"

static char g_root[PATH_MAX];   /* .../conformance/delta-dat/generated, or "" if missing */
static lh_engine *g_engine;

static int group_setup(void **state)
{
    (void)state;
    const char *shared = getenv("LH_SHARED_DIR");
    char want[PATH_MAX];
    snprintf(want, sizeof want, "%s/conformance/delta-dat/generated",
             shared && *shared ? shared : "../shared");
    struct stat sb;
    if (stat(want, &sb) || !S_ISDIR(sb.st_mode) || !realpath(want, g_root)) {
        g_root[0] = '\0';
        return 0;
    }
    lh_engine_config cfg = {.data_root = g_root};
    lh_err err = {{0}};
    if (lh_engine_open(&cfg, &g_engine, &err)) {
        fprintf(stderr, "engine open: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    lh_engine_free(g_engine);
    return 0;
}

static void need_data(void)
{
    if (g_root[0])
        return;
    const char *ci = getenv("CI");
    if (ci && !strcmp(ci, "true"))
        fail_msg("DAT data missing ($LH_SHARED_DIR/conformance/delta-dat/generated) and CI=true");
    skip();
}

static json_t *query_rows(const char *sql)
{
    json_t *rows = NULL;
    lh_err err = {{0}};
    lh_status st = lh_engine_query_rows(g_engine, sql, 100000, &rows, &err);
    if (st)
        fail_msg("query failed: %s\nSQL: %.2000s", err.msg, sql);
    return rows;
}

/* Compares the snapshot SELECT with the expected Parquet rows. */
static void compare_content(const char *label, const char *mine, const char *expected_glob,
                            int64_t missing_rows)
{
    lh_buf q, exp_cols;
    lh_buf_init(&q, 0);
    lh_buf_init(&exp_cols, 0);
    lh_buf_printf(&q, "SELECT column_name, column_type FROM (DESCRIBE %s)", mine);
    json_t *a = query_rows(q.data);
    lh_buf_reset(&q);
    lh_buf_adds(&q, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(");
    lh_buf_add_sql_string(&q, expected_glob);
    lh_buf_adds(&q, "))");
    json_t *b = query_rows(q.data);
    if (json_array_size(a) != json_array_size(b))
        fail_msg("%s: %zu columns, expected %zu", label, json_array_size(a), json_array_size(b));
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *an = json_string_value(json_array_get(json_array_get(a, i), 0));
        const char *at = json_string_value(json_array_get(json_array_get(a, i), 1));
        const char *bn = json_string_value(json_array_get(json_array_get(b, i), 0));
        const char *bt = json_string_value(json_array_get(json_array_get(b, i), 1));
        if (strcmp(an, bn))
            fail_msg("%s: column %zu is '%s', expected '%s'", label, i, an, bn);
        if (i)
            lh_buf_adds(&exp_cols, ", ");
        if (!strcmp(at, bt)) {
            lh_buf_add_sql_ident(&exp_cols, bn);
        } else if (!strcmp(at, "TIMESTAMP WITH TIME ZONE") && !strcmp(bt, "TIMESTAMP")) {
            /* Spark's expected files hold UTC wall-clock INT96 timestamps. */
            lh_buf_adds(&exp_cols, "timezone('UTC', ");
            lh_buf_add_sql_ident(&exp_cols, bn);
            lh_buf_adds(&exp_cols, ")");
        } else {
            fail_msg("%s: column '%s' is %s, expected %s", label, an, at, bt);
        }
    }
    lh_buf_reset(&q);
    lh_buf_printf(&q, "WITH a AS (%s), b AS (SELECT %s FROM read_parquet(", mine, exp_cols.data);
    lh_buf_add_sql_string(&q, expected_glob);
    lh_buf_adds(&q, ")) SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b), "
                    "(SELECT count(*) FROM ((SELECT * FROM a EXCEPT ALL SELECT * FROM b) "
                    "UNION ALL (SELECT * FROM b EXCEPT ALL SELECT * FROM a)))");
    json_t *r = query_rows(q.data);
    json_t *row = json_array_get(r, 0);
    const char *na = json_string_value(json_array_get(row, 0));
    const char *nb = json_string_value(json_array_get(row, 1));
    const char *nd = json_string_value(json_array_get(row, 2));
    if (missing_rows < 0 && (strcmp(na, nb) || strcmp(nd, "0")))
        fail_msg("%s: %s rows vs expected %s, %s differing", label, na, nb, nd);
    if (missing_rows >= 0) {
        /* Some live files are absent from the fixture: every row we read must be
         * expected, and exactly the missing files' logged numRecords must be unread. */
        json_decref(r);
        lh_buf_reset(&q);
        lh_buf_printf(&q, "WITH a AS (%s), b AS (SELECT %s FROM read_parquet(", mine, exp_cols.data);
        lh_buf_add_sql_string(&q, expected_glob);
        lh_buf_adds(&q, ")) SELECT (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b)), "
                        "(SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a))");
        r = query_rows(q.data);
        row = json_array_get(r, 0);
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)missing_rows);
        if (strcmp(json_string_value(json_array_get(row, 0)), "0") ||
            strcmp(json_string_value(json_array_get(row, 1)), want))
            fail_msg("%s: %s unexpected rows, %s expected rows unread (the missing files hold %s)",
                     label, json_string_value(json_array_get(row, 0)),
                     json_string_value(json_array_get(row, 1)), want);
    }
    json_decref(r);
    json_decref(a);
    json_decref(b);
    lh_buf_release(&q);
    lh_buf_release(&exp_cols);
}

static void check_version(const char *case_dir, lh_store *s, const char *vname, int *checked,
                          lh_buf *missing)
{
    char path[PATH_MAX * 2], label[512];
    snprintf(label, sizeof label, "%s@%s", strrchr(case_dir, '/') + 1, vname);
    snprintf(path, sizeof path, "%s/expected/%s/table_version_metadata.json", case_dir, vname);
    json_error_t je;
    json_t *meta = json_load_file(path, 0, &je);
    if (!meta)
        fail_msg("%s: %s", label, je.text);
    int64_t version = -1;
    if (strcmp(vname, "latest")) {
        char *end;
        version = strtoll(vname + 1, &end, 10);
        assert_true(*end == '\0');
    }
    lh_checkpoint_reader cp = lh_engine_checkpoint_reader(g_engine);
    lh_table_snapshot *snap = NULL;
    lh_err err = {{0}};
    if (lh_table_snapshot_load(s, "delta", version, &cp, &snap, &err))
        fail_msg("%s: load: %s", label, err.msg);
    assert_int_equal(snap->version, json_integer_value(json_object_get(meta, "version")));
    assert_int_equal(snap->min_reader_version,
                     json_integer_value(json_object_get(meta, "min_reader_version")));
    assert_int_equal(snap->min_writer_version,
                     json_integer_value(json_object_get(meta, "min_writer_version")));
    if (!json_equal(snap->configuration, json_object_get(meta, "properties")))
        fail_msg("%s: configuration differs from expected properties", label);
    /* Files the log references but the fixture lacks are left out of the read and their
     * logged row counts checked instead (see compare_content). */
    int64_t missing_rows = -1;
    lh_table_file *all = snap->files;
    size_t nall = snap->nfiles, kept = 0;
    lh_table_file *present = calloc(nall ? nall : 1, sizeof *present);
    assert_non_null(present);
    for (size_t i = 0; i < nall; i++) {
        char p[PATH_MAX * 2];
        struct stat sb;
        snprintf(p, sizeof p, "%s/delta/%s", case_dir, all[i].path);
        if (!stat(p, &sb)) {
            present[kept++] = all[i];
            continue;
        }
        if (all[i].num_records < 0)
            fail_msg("%s: fixture lacks %s and its log has no numRecords", label, p);
        missing_rows = (missing_rows < 0 ? 0 : missing_rows) + all[i].num_records;
        lh_buf_printf(missing, "\n  %s (%s; %lld rows checked by count)", p, label,
                      (long long)all[i].num_records);
    }
    snap->files = present;
    snap->nfiles = kept;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    snprintf(path, sizeof path, "%s/delta", case_dir);
    if (lh_engine_snapshot_select(g_engine, path, snap, &sql, &err))
        fail_msg("%s: select: %s", label, err.msg);
    snprintf(path, sizeof path, "%s/expected/%s/table_content/*.parquet", case_dir, vname);
    compare_content(label, sql.data, path, missing_rows);
    lh_buf_release(&sql);
    snap->files = all;
    snap->nfiles = nall;
    free(present);
    lh_table_snapshot_free(snap);
    json_decref(meta);
    (*checked)++;
}

static void run_case(const char *name)
{
    need_data();
    char case_dir[PATH_MAX + 64], exp[PATH_MAX + 128];
    snprintf(case_dir, sizeof case_dir, "%s/%s", g_root, name);
    snprintf(exp, sizeof exp, "%s/expected", case_dir);
    lh_store *s = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_store_open_local(case_dir, &s, &err), LH_OK);
    DIR *d = opendir(exp);
    assert_non_null(d);
    int checked = 0;
    lh_buf missing;
    lh_buf_init(&missing, 0);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, "latest") || (de->d_name[0] == 'v' && de->d_name[1]))
            check_version(case_dir, s, de->d_name, &checked, &missing);
    }
    closedir(d);
    lh_store_free(s);
    if (missing.len) {
        char msg[4096];
        snprintf(msg, sizeof msg, "%s", missing.data);
        lh_buf_release(&missing);
        /* A defect of the shared copy, not of the reader: reported, not hidden. */
        print_message("%s: NOTE the shared DAT fixture lacks data files its log references:%s\n",
                      name, msg);
    }
    lh_buf_release(&missing);
    assert_true(checked > 0);
    print_message("%s: %d versions match\n", name, checked);
}

#define DAT_CASE(n) \
    static void dat_##n(void **state) { (void)state; run_case(#n); }
DAT_CASE(all_primitive_types)
DAT_CASE(basic_append)
DAT_CASE(basic_partitioned)
DAT_CASE(multi_partitioned)
DAT_CASE(multi_partitioned_2)
DAT_CASE(nested_types)
DAT_CASE(no_replay)
DAT_CASE(no_stats)
DAT_CASE(stats_as_struct)
DAT_CASE(with_checkpoint)
DAT_CASE(with_schema_change)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dat_all_primitive_types), cmocka_unit_test(dat_basic_append),
        cmocka_unit_test(dat_basic_partitioned),   cmocka_unit_test(dat_multi_partitioned),
        cmocka_unit_test(dat_multi_partitioned_2), cmocka_unit_test(dat_nested_types),
        cmocka_unit_test(dat_no_replay),           cmocka_unit_test(dat_no_stats),
        cmocka_unit_test(dat_stats_as_struct),     cmocka_unit_test(dat_with_checkpoint),
        cmocka_unit_test(dat_with_schema_change),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
