/* Writes a real Delta table (DuckDB-written Parquet + our log: create, append, compaction),
 * reads it back through lh_engine_snapshot_select, and has the outside checker
 * (shared/tools/delta_check.py with duckref) verify it as a foreign reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsio.h"
#include "core/util.h"
#include "engine/engine.h"
#include "table/table.h"
#include "testutil.h"

#define PREFIX "tables/orders"

typedef struct fixture {
    char root[PATH_MAX];
    lh_store *s;
    lh_engine *e;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char tmp[256];
    lh_test_tmpdir(tmp, sizeof tmp);
    if (!realpath(tmp, f->root))
        return -1;
    lh_err err = {{0}};
    lh_engine_config cfg = {.data_root = f->root};
    if (lh_store_open_local(f->root, &f->s, &err) || lh_engine_open(&cfg, &f->e, &err)) {
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
    lh_store_free(f->s);
    lh_test_rmtree(f->root);
    free(f);
    return 0;
}

static void exec(fixture *f, const char *sql)
{
    lh_err err = {{0}};
    if (lh_engine_exec(f->e, sql, &err))
        fail_msg("%s\nSQL: %s", err.msg, sql);
}

static json_t *rows(fixture *f, const char *sql)
{
    json_t *r = NULL;
    lh_err err = {{0}};
    if (lh_engine_query_rows(f->e, sql, 1000, &r, &err))
        fail_msg("%s\nSQL: %s", err.msg, sql);
    return r;
}

#define SELECT_ROWS(lo, hi)                                                                   \
    "SELECT i AS id, 'name ' || i AS name, CAST(i * 1.5 AS DECIMAL(10,2)) AS amount, "       \
    "TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(i) AS ts, [i, i + 1] AS tags, "         \
    "{'k': i, 'v': 'x' || i} AS attrs, MAP {'m': i} AS m FROM range(" #lo ", " #hi ") t(i)"

/* Writes rows [lo, hi) to a Parquet file at the table-relative rel and describes it as an add. */
static void write_file(fixture *f, const char *select, const char *rel, lh_table_add *add,
                       char *stats, size_t nstats)
{
    lh_buf sql, path;
    lh_buf_init(&sql, 0);
    lh_buf_init(&path, 0);
    lh_buf_printf(&path, "%s/" PREFIX "/%s", f->root, rel);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path.data);
    *strrchr(dir, '/') = '\0';
    lh_err err = {{0}};
    assert_int_equal(lh_mkdirs(dir, &err), LH_OK);
    lh_buf_printf(&sql, "COPY (%s) TO ", select);
    lh_buf_add_sql_string(&sql, path.data);
    lh_buf_adds(&sql, " (FORMAT parquet)");
    exec(f, sql.data);
    lh_buf_reset(&sql);
    lh_buf_adds(&sql, "SELECT CAST(count(*) AS VARCHAR) FROM read_parquet(");
    lh_buf_add_sql_string(&sql, path.data);
    lh_buf_adds(&sql, ")");
    json_t *r = rows(f, sql.data);
    snprintf(stats, nstats, "{\"numRecords\":%s}",
             json_string_value(json_array_get(json_array_get(r, 0), 0)));
    json_decref(r);
    char key[PATH_MAX];
    snprintf(key, sizeof key, PREFIX "/%s", rel);
    lh_object_info info;
    assert_int_equal(lh_store_head(f->s, key, &info, &err), LH_OK);
    *add = (lh_table_add){.path = rel, .size = info.size, .modification_time = info.mtime_ms,
                          .stats = stats};
    lh_buf_release(&sql);
    lh_buf_release(&path);
}

static json_t *schema_of(fixture *f, const char *select)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "SELECT column_name, column_type FROM (DESCRIBE %s)", select);
    json_t *r = rows(f, sql.data);
    lh_buf_release(&sql);
    size_t n = json_array_size(r);
    const char **names = calloc(n, sizeof *names), **types = calloc(n, sizeof *types);
    for (size_t i = 0; i < n; i++) {
        names[i] = json_string_value(json_array_get(json_array_get(r, i), 0));
        types[i] = json_string_value(json_array_get(json_array_get(r, i), 1));
    }
    json_t *schema = NULL;
    lh_err err = {{0}};
    if (lh_table_schema_from_duckdb(names, types, NULL, n, &schema, &err))
        fail_msg("schema: %s", err.msg);
    free(names);
    free(types);
    json_decref(r);
    return schema;
}

static void shared_paths(char *shared, size_t ns, char *repo, size_t nr)
{
    const char *sh = getenv("LH_SHARED_DIR"), *rp = getenv("LH_REPO");
    snprintf(shared, ns, "%s", sh && *sh ? sh : "../shared");
    snprintf(repo, nr, "%s", rp && *rp ? rp : ".");
}

/* Runs delta_check.py on the table; returns its output (caller frees). */
static char *delta_check(const char *table_dir, int *rc)
{
    char shared[PATH_MAX], repo[PATH_MAX], duck[PATH_MAX * 2];
    shared_paths(shared, sizeof shared, repo, sizeof repo);
    /* DuckDB where the build found it (tests/run_all.sh exports DUCKDB_DIR, absolute). */
    const char *dd = getenv("DUCKDB_DIR");
    if (dd && *dd)
        snprintf(duck, sizeof duck, "%s", dd);
    else
        snprintf(duck, sizeof duck, "%s/third_party/duckdb", repo);
    lh_buf cmdb;
    lh_buf_init(&cmdb, 0);
    lh_buf_printf(&cmdb,
                  "gcc -O2 -I'%s' '%s/tools/duckref.c' -L'%s' -lduckdb -Wl,-rpath,'%s' "
                  "-o '%s/build/duckref.tmp.%d' && mv '%s/build/duckref.tmp.%d' '%s/build/duckref'",
                  duck, shared, duck, duck, repo, (int)getpid(), repo, (int)getpid(), repo);
    if (system(cmdb.data) != 0)
        fail_msg("could not build duckref: %s", cmdb.data);
    lh_buf_reset(&cmdb);
    lh_buf_printf(&cmdb, "python3 '%s/tools/delta_check.py' '%s' '%s/build/duckref' 2>&1", shared,
                  table_dir, repo);
    const char *cmd = cmdb.data;
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    lh_buf out;
    lh_buf_init(&out, 1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        lh_buf_add(&out, chunk, n);
    *rc = pclose(p);
    lh_buf_release(&cmdb);
    return lh_buf_detach(&out);
}

static void need_tools(void)
{
    char shared[PATH_MAX], repo[PATH_MAX], py[PATH_MAX * 2];
    shared_paths(shared, sizeof shared, repo, sizeof repo);
    snprintf(py, sizeof py, "%s/tools/delta_check.py", shared);
    struct stat sb;
    if (!stat(py, &sb))
        return;
    const char *ci = getenv("CI");
    if (ci && !strcmp(ci, "true"))
        fail_msg("%s is missing and CI=true", py);
    skip();
}

static void write_read_and_check(void **state)
{
    need_tools();
    fixture *f = *state;
    lh_err err = {{0}};
    char st1[64], st2[64], st3[64];
    lh_table_add a1, a2, a3;
    /* v0: create with the first file */
    write_file(f, SELECT_ROWS(0, 10), "part-00000-a.snappy.parquet", &a1, st1, sizeof st1);
    json_t *schema = schema_of(f, SELECT_ROWS(0, 1));
    lh_table_commit_spec create = {.schema = schema, .adds = &a1, .nadds = 1,
                                   .operation = "CREATE TABLE"};
    int64_t v;
    assert_int_equal(lh_table_commit(f->s, PREFIX, -1, &create, &v, &err), LH_OK);
    /* v1: append a file whose name needs percent-encoding */
    write_file(f, SELECT_ROWS(10, 25), "dir a/part 1%.parquet", &a2, st2, sizeof st2);
    lh_table_commit_spec append = {.adds = &a2, .nadds = 1, .operation = "WRITE"};
    assert_int_equal(lh_table_commit(f->s, PREFIX, 0, &append, &v, &err), LH_OK);
    assert_int_equal(v, 1);
    /* v2: compaction: one file replaces both */
    write_file(f, SELECT_ROWS(0, 25), "part-00000-c.snappy.parquet", &a3, st3, sizeof st3);
    const char *removes[] = {a1.path, a2.path};
    lh_table_commit_spec compact = {.adds = &a3, .nadds = 1, .removes = removes, .nremoves = 2,
                                    .operation = "OPTIMIZE"};
    assert_int_equal(lh_table_commit(f->s, PREFIX, 1, &compact, &v, &err), LH_OK);

    /* read every version back through the engine */
    char table_dir[PATH_MAX + 32];
    snprintf(table_dir, sizeof table_dir, "%s/" PREFIX, f->root);
    const char *want_counts[] = {"10", "25", "25"};
    lh_checkpoint_reader cp = lh_engine_checkpoint_reader(f->e);
    for (int64_t ver = 0; ver <= 2; ver++) {
        lh_table_snapshot *snap = NULL;
        assert_int_equal(lh_table_snapshot_load(f->s, PREFIX, ver, &cp, &snap, &err), LH_OK);
        lh_buf sql, q;
        lh_buf_init(&sql, 0);
        lh_buf_init(&q, 0);
        if (lh_engine_snapshot_select(f->e, table_dir, snap, &sql, &err))
            fail_msg("select: %s", err.msg);
        /* One byte short of room: an error and no text, never a statement cut short. */
        lh_buf small;
        lh_buf_init(&small, sql.len - 1);
        err.msg[0] = '\0';
        assert_int_equal(lh_engine_snapshot_select(f->e, table_dir, snap, &small, &err), LH_ETOOBIG);
        assert_string_equal(lh_buf_cstr(&small), "");
        assert_non_null(strstr(err.msg, "snapshot query too long"));
        lh_buf_release(&small);
        lh_buf_printf(&q, "WITH a AS (%s), b AS (" SELECT_ROWS(0, 25) ") "
                      "SELECT CAST(count(*) AS VARCHAR), CAST((SELECT count(*) FROM "
                      "(SELECT * FROM a EXCEPT ALL SELECT * FROM b)) AS VARCHAR) FROM a", lh_buf_cstr(&sql));
        assert_int_equal(lh_buf_status(&q), LH_OK);
        json_t *r = rows(f, lh_buf_cstr(&q));
        assert_string_equal(json_string_value(json_array_get(json_array_get(r, 0), 0)),
                            want_counts[ver]);
        assert_string_equal(json_string_value(json_array_get(json_array_get(r, 0), 1)), "0");
        json_decref(r);
        lh_buf_release(&sql);
        lh_buf_release(&q);
        lh_table_snapshot_free(snap);
    }

    int rc = 0;
    char *out = delta_check(table_dir, &rc);
    print_message("delta_check: %s", out);
    if (rc != 0 || strcmp(out, "ok 25\n"))
        fail_msg("delta_check failed (%d): %s", rc, out);
    free(out);
    json_decref(schema);
}

static void remove_commit(fixture *f, int64_t version)
{
    char key[256];
    snprintf(key, sizeof key, PREFIX "/_delta_log/%020lld.json", (long long)version);
    lh_err err = {{0}};
    assert_int_equal(lh_store_delete(f->s, key, &err), LH_OK);
}

/* 1,000 commits with a checkpoint every 10 (as the lake writes them): the foreign checker
 * accepts the table and finds the checkpoint equal to the JSON commits; with every commit
 * before the last checkpoint deleted, the table still opens, from the checkpoint and the
 * 9 commits after it, in bounded time. */
static void thousand_commits_with_checkpoints(void **state)
{
    need_tools();
    fixture *f = *state;
    lh_err err = {{0}};
    char stats[64];
    lh_table_add first;
    write_file(f, "SELECT range AS id, 'n' || range AS name FROM range(3)",
               "part-00000-0.snappy.parquet", &first, stats, sizeof stats);
    json_t *schema = schema_of(f, "SELECT range AS id, 'n' || range AS name FROM range(1)");
    lh_table_commit_spec create = {.schema = schema, .adds = &first, .nadds = 1,
                                   .operation = "CREATE TABLE"};
    int64_t v;
    assert_int_equal(lh_table_commit(f->s, PREFIX, -1, &create, &v, &err), LH_OK);
    lh_buf bytes;
    lh_buf_init(&bytes, 0);
    assert_int_equal(lh_store_get(f->s, PREFIX "/part-00000-0.snappy.parquet", 1 << 20, &bytes,
                                  &err), LH_OK);
    lh_checkpoint_reader cr = lh_engine_checkpoint_reader(f->e);
    lh_checkpoint_writer cw = lh_engine_checkpoint_writer(f->e);
    char rel[64], key[128];
    for (int64_t i = 1; i < 1000; i++) {
        snprintf(rel, sizeof rel, "part-%05lld.snappy.parquet", (long long)i);
        snprintf(key, sizeof key, PREFIX "/%s", rel);
        assert_int_equal(lh_store_put(f->s, key, bytes.data, bytes.len, &err), LH_OK);
        lh_table_add add = {.path = rel, .size = (int64_t)bytes.len,
                            .modification_time = lh_now_ms(), .stats = stats};
        /* one removal on the way: a tombstone the checkpoints carry */
        const char *gone = "part-00005.snappy.parquet";
        lh_table_commit_spec spec = {.adds = &add, .nadds = 1, .operation = "WRITE",
                                     .removes = i == 500 ? &gone : NULL, .nremoves = i == 500};
        assert_int_equal(lh_table_commit(f->s, PREFIX, i - 1, &spec, &v, &err), LH_OK);
        assert_int_equal(v, i);
        if (v % 10)
            continue;
        lh_table_snapshot *snap = NULL;
        if (lh_table_snapshot_load(f->s, PREFIX, v, &cr, &snap, &err))
            fail_msg("snapshot %lld: %s", (long long)v, err.msg);
        int64_t rows = 0;
        if (lh_table_checkpoint_write(f->s, PREFIX, snap, &cw, 0, &rows, &err))
            fail_msg("checkpoint %lld: %s", (long long)v, err.msg);
        assert_int_equal(rows, 2 + (int64_t)snap->nfiles + (v >= 500 ? 1 : 0));
        lh_table_snapshot_free(snap);
    }
    lh_buf_release(&bytes);
    char table_dir[PATH_MAX + 32];
    snprintf(table_dir, sizeof table_dir, "%s/" PREFIX, f->root);
    int rc = 0;
    char *out = delta_check(table_dir, &rc);
    print_message("delta_check, 1000 commits: %s", out);
    if (rc != 0 || strcmp(out, "ok 2997\n"))
        fail_msg("delta_check failed (%d): %s", rc, out);
    free(out);

    /* Only the checkpoint and the commits after it are needed now. */
    for (int64_t i = 0; i < 990; i++)
        remove_commit(f, i);
    double t0 = lh_mono_ms();
    lh_table_snapshot *snap = NULL;
    if (lh_table_snapshot_load(f->s, PREFIX, -1, &cr, &snap, &err))
        fail_msg("open without the early commits: %s", err.msg);
    double took = lh_mono_ms() - t0;
    print_message("open at version 999 from checkpoint 990: %.1f ms\n", took);
    assert_int_equal(snap->version, 999);
    assert_int_equal(snap->nfiles, 999);
    assert_int_equal(snap->ntombstones, 1);
    assert_string_equal(snap->tombstones[0].path, "part-00005.snappy.parquet");
    lh_buf sql, q;
    lh_buf_init(&sql, 0);
    lh_buf_init(&q, 0);
    if (lh_engine_snapshot_select(f->e, table_dir, snap, &sql, &err))
        fail_msg("select: %s", err.msg);
    lh_buf_printf(&q, "SELECT CAST(count(*) AS VARCHAR) FROM (%s)", lh_buf_cstr(&sql));
    json_t *r = rows(f, lh_buf_cstr(&q));
    assert_string_equal(json_string_value(json_array_get(json_array_get(r, 0), 0)), "2997");
    json_decref(r);
    lh_buf_release(&sql);
    lh_buf_release(&q);
    lh_table_snapshot_free(snap);
    out = delta_check(table_dir, &rc);
    print_message("delta_check, commits before 990 deleted: %s", out);
    if (rc != 0 || strcmp(out, "ok 2997\n"))
        fail_msg("delta_check failed (%d): %s", rc, out);
    free(out);
    json_decref(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(write_read_and_check, setup, teardown),
        cmocka_unit_test_setup_teardown(thousand_commits_with_checkpoints, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
