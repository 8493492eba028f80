/* Unit tests for the Delta log: commits, snapshots at every version, compaction-shaped
 * commits, history, concurrent writers, protocol refusal, tolerance of unknown actions,
 * broken logs, percent-encoded paths and schema conversion. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "table/table.h"
#include "testutil.h"

#define T "tables/t"

typedef struct fixture {
    char root[256];
    lh_store *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    lh_test_tmpdir(f->root, sizeof f->root);
    if (lh_store_open_local(f->root, &f->s, NULL))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lh_store_free(f->s);
    lh_test_rmtree(f->root);
    free(f);
    return 0;
}

static json_t *two_col_schema(void)
{
    const char *names[] = {"id", "name"};
    const char *types[] = {"BIGINT", "VARCHAR"};
    json_t *schema = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_table_schema_from_duckdb(names, types, NULL, 2, &schema, &err), LH_OK);
    return schema;
}

static int64_t commit_adds(lh_store *s, int64_t rv, json_t *schema, const char *path, int64_t rows)
{
    char stats[64];
    snprintf(stats, sizeof stats, "{\"numRecords\":%lld}", (long long)rows);
    lh_table_add add = {.path = path, .size = 100, .modification_time = 1, .stats = stats};
    lh_table_commit_spec spec = {.schema = schema, .adds = &add, .nadds = 1,
                                 .operation = rv < 0 ? "CREATE TABLE" : "WRITE"};
    int64_t v = -2;
    lh_err err = {{0}};
    lh_status st = lh_table_commit(s, T, rv, &spec, &v, &err);
    if (st)
        fail_msg("commit: %s", err.msg);
    return v;
}

static lh_table_snapshot *load(lh_store *s, int64_t v)
{
    lh_table_snapshot *snap = NULL;
    lh_err err = {{0}};
    if (lh_table_snapshot_load(s, T, v, NULL, &snap, &err))
        fail_msg("load %lld: %s", (long long)v, err.msg);
    return snap;
}

static void create_append_time_travel(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    int64_t v;
    assert_int_equal(lh_table_latest_version(f->s, T, &v, &err), LH_ENOTFOUND);
    json_t *schema = two_col_schema();
    assert_int_equal(commit_adds(f->s, -1, schema, "part-0.parquet", 10), 0);
    assert_int_equal(commit_adds(f->s, 0, NULL, "part-1.parquet", 20), 1);
    assert_int_equal(commit_adds(f->s, 1, NULL, "part-2.parquet", 30), 2);
    assert_int_equal(lh_table_latest_version(f->s, T, &v, &err), LH_OK);
    assert_int_equal(v, 2);
    char *id0 = NULL;
    for (int64_t ver = 0; ver <= 2; ver++) {
        lh_table_snapshot *snap = load(f->s, ver);
        assert_int_equal(snap->version, ver);
        assert_int_equal(snap->nfiles, (size_t)ver + 1);
        assert_int_equal(snap->min_reader_version, 1);
        assert_int_equal(snap->min_writer_version, 2);
        assert_true(json_equal(snap->schema, schema));
        for (size_t i = 0; i < snap->nfiles; i++) {
            char want[64];
            snprintf(want, sizeof want, "part-%zu.parquet", i);
            assert_string_equal(snap->files[i].path, want);
            assert_int_equal(snap->files[i].num_records, 10 * (int64_t)(i + 1));
            assert_int_equal(snap->files[i].size, 100);
        }
        if (!id0)
            id0 = strdup(snap->table_id);
        assert_string_equal(snap->table_id, id0);
        assert_int_equal(strlen(id0), 36);
        lh_table_snapshot_free(snap);
    }
    lh_table_snapshot *latest = load(f->s, -1);
    assert_int_equal(latest->version, 2);
    lh_table_snapshot_free(latest);
    lh_table_snapshot *none = NULL;
    assert_int_equal(lh_table_snapshot_load(f->s, T, 3, NULL, &none, &err), LH_ENOTFOUND);
    /* committing after a version that does not exist would leave a gap */
    lh_table_add add = {.path = "x.parquet", .size = 1};
    lh_table_commit_spec spec = {.adds = &add, .nadds = 1};
    assert_int_equal(lh_table_commit(f->s, T, 7, &spec, &v, &err), LH_ENOTFOUND);
    /* the first commit needs a schema */
    assert_int_equal(lh_table_commit(f->s, "tables/u", -1, &spec, &v, &err), LH_EINVAL);
    free(id0);
    json_decref(schema);
}

static void compaction_and_history(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    json_t *schema = two_col_schema();
    commit_adds(f->s, -1, schema, "a.parquet", 1);
    commit_adds(f->s, 0, NULL, "b.parquet", 2);
    const char *removes[] = {"a.parquet", "b.parquet"};
    lh_table_add add = {.path = "c.parquet", .size = 7, .stats = "{\"numRecords\":3}"};
    json_t *params = json_pack("{s:s}", "reason", "compaction");
    lh_table_commit_spec spec = {.adds = &add, .nadds = 1, .removes = removes, .nremoves = 2,
                                 .operation = "OPTIMIZE", .operation_parameters = params};
    int64_t v;
    assert_int_equal(lh_table_commit(f->s, T, 1, &spec, &v, &err), LH_OK);
    assert_int_equal(v, 2);
    lh_table_snapshot *snap = load(f->s, 2);
    assert_int_equal(snap->nfiles, 1);
    assert_string_equal(snap->files[0].path, "c.parquet");
    assert_int_equal(snap->files[0].num_records, 3);
    lh_table_snapshot_free(snap);
    snap = load(f->s, 1);
    assert_int_equal(snap->nfiles, 2);
    lh_table_snapshot_free(snap);

    json_t *h = NULL;
    assert_int_equal(lh_table_history(f->s, T, &h, &err), LH_OK);
    assert_int_equal(json_array_size(h), 3);
    json_t *e0 = json_array_get(h, 0), *e2 = json_array_get(h, 2);
    assert_int_equal(json_integer_value(json_object_get(e0, "version")), 2);
    assert_string_equal(json_string_value(json_object_get(e0, "operation")), "OPTIMIZE");
    assert_int_equal(json_integer_value(json_object_get(e0, "adds")), 1);
    assert_int_equal(json_integer_value(json_object_get(e0, "removes")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(e0, "operationParameters"), "reason")),
                        "compaction");
    assert_true(json_integer_value(json_object_get(e0, "timestamp")) > 0);
    assert_int_equal(json_integer_value(json_object_get(e2, "version")), 0);
    assert_string_equal(json_string_value(json_object_get(e2, "operation")), "CREATE TABLE");
    json_decref(h);
    json_decref(params);
    json_decref(schema);
    /* schema change keeps the table id when asked to */
    snap = load(f->s, -1);
    char *id = strdup(snap->table_id);
    lh_table_snapshot_free(snap);
    const char *names[] = {"id"};
    const char *types[] = {"INTEGER"};
    json_t *s2 = NULL;
    assert_int_equal(lh_table_schema_from_duckdb(names, types, NULL, 1, &s2, &err), LH_OK);
    lh_table_commit_spec change = {.schema = s2, .table_id = id, .operation = "REPLACE"};
    assert_int_equal(lh_table_commit(f->s, T, 2, &change, &v, &err), LH_OK);
    snap = load(f->s, -1);
    assert_string_equal(snap->table_id, id);
    assert_true(json_equal(snap->schema, s2));
    assert_int_equal(snap->nfiles, 1);
    lh_table_snapshot_free(snap);
    json_decref(s2);
    free(id);
}

typedef struct race_arg {
    lh_store *s;
    int64_t rv;
    bool append;
    const char *path;
    lh_status st;
    int64_t v;
    pthread_barrier_t *barrier;
} race_arg;

static void *race_writer(void *p)
{
    race_arg *a = p;
    lh_table_add add = {.path = a->path, .size = 1};
    const char *rm = "base.parquet";
    lh_table_commit_spec spec = {.adds = &add, .nadds = 1, .removes = a->append ? NULL : &rm,
                                 .nremoves = a->append ? 0 : 1};
    lh_err err = {{0}};
    pthread_barrier_wait(a->barrier);
    a->st = lh_table_commit(a->s, T, a->rv, &spec, &a->v, &err);
    return NULL;
}

static void concurrent_writers(void **state)
{
    fixture *f = *state;
    json_t *schema = two_col_schema();
    commit_adds(f->s, -1, schema, "base.parquet", 1);
    json_decref(schema);
    for (int round = 0; round < 2; round++) {
        bool append = round == 1;
        int64_t rv;
        assert_int_equal(lh_table_latest_version(f->s, T, &rv, NULL), LH_OK);
        pthread_barrier_t barrier;
        pthread_barrier_init(&barrier, NULL, 2);
        race_arg a[2] = {
            {.s = f->s, .rv = rv, .append = append, .path = append ? "x1.parquet" : "r1.parquet",
             .barrier = &barrier},
            {.s = f->s, .rv = rv, .append = append, .path = append ? "x2.parquet" : "r2.parquet",
             .barrier = &barrier},
        };
        pthread_t t[2];
        for (int i = 0; i < 2; i++)
            pthread_create(&t[i], NULL, race_writer, &a[i]);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        pthread_barrier_destroy(&barrier);
        if (!append) {
            /* two rewrites of the same version: exactly one wins, the other must re-plan */
            assert_true((a[0].st == LH_OK) != (a[1].st == LH_OK));
            assert_int_equal(a[0].st == LH_OK ? a[1].st : a[0].st, LH_ECONFLICT);
            assert_int_equal(a[0].st == LH_OK ? a[0].v : a[1].v, rv + 1);
        } else {
            /* two appends: both land, on consecutive versions */
            assert_int_equal(a[0].st, LH_OK);
            assert_int_equal(a[1].st, LH_OK);
            assert_true((a[0].v == rv + 1 && a[1].v == rv + 2) ||
                        (a[1].v == rv + 1 && a[0].v == rv + 2));
        }
    }
    /* a stale append (read_version behind) retries onto the next free version */
    lh_table_add add = {.path = "late.parquet", .size = 1};
    lh_table_commit_spec spec = {.adds = &add, .nadds = 1};
    int64_t v;
    assert_int_equal(lh_table_commit(f->s, T, 0, &spec, &v, NULL), LH_OK);
    assert_int_equal(v, 4);
    lh_table_snapshot *snap = load(f->s, -1);
    assert_int_equal(snap->nfiles, 4); /* r?, x1, x2, late */
    lh_table_snapshot_free(snap);
}

static void put(lh_store *s, int64_t v, const char *body)
{
    char key[128];
    snprintf(key, sizeof key, T "/_delta_log/%020lld.json", (long long)v);
    assert_int_equal(lh_store_put(s, key, body, strlen(body), NULL), LH_OK);
}

#define PROTO "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
#define META                                                                                \
    "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"     \
    "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":"        \
    "\\\"p\\\",\\\"type\\\":\\\"string\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\"," \
    "\"partitionColumns\":[\"p\"],\"configuration\":{},\"createdTime\":5}}\n"

static void refuses_newer_protocols(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_table_snapshot *snap = NULL;
    put(f->s, 0, PROTO META);
    put(f->s, 1, "{\"protocol\":{\"minReaderVersion\":2,\"minWriterVersion\":5}}\n");
    assert_int_equal(lh_table_snapshot_load(f->s, T, -1, NULL, &snap, &err), LH_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "reader version 2"));
    /* time travel to before the upgrade still works */
    snap = load(f->s, 0);
    lh_table_snapshot_free(snap);
    put(f->s, 2, "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":7,"
                 "\"readerFeatures\":[\"deletionVectors\"],\"writerFeatures\":[]}}\n");
    snap = NULL;
    assert_int_equal(lh_table_snapshot_load(f->s, T, 2, NULL, &snap, &err), LH_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "reader features"));
    assert_null(snap);
}

static void ignores_unknown_and_normalizes_partitions(void **state)
{
    fixture *f = *state;
    put(f->s, 0,
        "{\"commitInfo\":{\"timestamp\":1,\"operation\":\"WRITE\",\"whatever\":[1,2]}}\n" PROTO
        META "\n"
        "{\"futureAction\":{\"x\":1}}\n"
        "{\"txn\":{\"appId\":\"a\",\"version\":3}}\n"
        "{\"add\":{\"path\":\"p=x/1.parquet\",\"partitionValues\":{\"p\":\"x\"},\"size\":3,"
        "\"modificationTime\":9,\"dataChange\":true,\"tags\":{\"k\":\"v\"},\"newField\":1}}\n"
        "{\"add\":{\"path\":\"p=__HIVE_DEFAULT_PARTITION__/2.parquet\","
        "\"partitionValues\":{\"p\":\"__HIVE_DEFAULT_PARTITION__\"},\"size\":3,"
        "\"modificationTime\":9,\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":4}\"}}\n"
        "{\"add\":{\"path\":\"p=/3.parquet\",\"partitionValues\":{\"p\":\"\"},\"size\":3,"
        "\"modificationTime\":9,\"dataChange\":true}}\n");
    lh_table_snapshot *snap = load(f->s, 0);
    assert_int_equal(snap->nfiles, 3);
    assert_string_equal(snap->files[0].path, "p=/3.parquet");
    int nulls = 0;
    for (size_t i = 0; i < snap->nfiles; i++) {
        json_t *pv = json_object_get(snap->files[i].partition_values, "p");
        if (json_is_null(pv))
            nulls++;
        else
            assert_string_equal(json_string_value(pv), "x");
    }
    assert_int_equal(nulls, 2);
    assert_string_equal(json_string_value(json_array_get(snap->partition_columns, 0)), "p");
    assert_int_equal(snap->created_time, 5);
    lh_table_snapshot_free(snap);
    /* history: a commit without a commitInfo timestamp (another writer's) shows its file's
     * mtime, looked up for it alone (the log is listed by name only) */
    put(f->s, 1, "{\"add\":{\"path\":\"p=y/4.parquet\",\"partitionValues\":{\"p\":\"y\"},"
                 "\"size\":3,\"modificationTime\":9,\"dataChange\":true}}\n");
    json_t *h = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_table_history(f->s, T, &h, &err), LH_OK);
    assert_int_equal(json_array_size(h), 2);
    json_t *newest = json_array_get(h, 0), *oldest = json_array_get(h, 1);
    assert_int_equal(json_integer_value(json_object_get(newest, "version")), 1);
    lh_object_info info;
    assert_int_equal(lh_store_head(f->s, T "/_delta_log/00000000000000000001.json", &info, NULL), LH_OK);
    assert_true(info.mtime_ms > 0);
    assert_int_equal(json_integer_value(json_object_get(newest, "timestamp")), info.mtime_ms);
    assert_int_equal(json_integer_value(json_object_get(oldest, "timestamp")), 1);
    json_decref(h);
}

static void broken_logs(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    lh_table_snapshot *snap = NULL;
    put(f->s, 0, PROTO META);
    put(f->s, 1, "{\"add\":{\"path\":\"a.parquet\",\"partitionValues\":{},\"size\":1,"
                 "\"modificationTime\":1,\"dataChange\":true}}\n{\"add\": {broken\n");
    assert_int_equal(lh_table_snapshot_load(f->s, T, 1, NULL, &snap, &err), LH_ECORRUPT);
    assert_non_null(strstr(err.msg, "00000000000000000001.json:2"));
    /* the earlier version is still readable */
    snap = load(f->s, 0);
    lh_table_snapshot_free(snap);
    snap = NULL;
    /* history names the broken line too */
    json_t *h = NULL;
    assert_int_equal(lh_table_history(f->s, T, &h, &err), LH_ECORRUPT);
    assert_non_null(strstr(err.msg, ".json:2"));
    /* a gap in the log */
    put(f->s, 1, "{\"commitInfo\":{}}\n");
    put(f->s, 3, "{\"commitInfo\":{}}\n");
    assert_int_equal(lh_table_snapshot_load(f->s, T, 3, NULL, &snap, &err), LH_ECORRUPT);
    assert_non_null(strstr(err.msg, "commit 2 is missing"));
    snap = load(f->s, 1);
    lh_table_snapshot_free(snap);
    snap = NULL;
    /* a log whose first commits were cleaned away and no checkpoint */
    assert_int_equal(lh_store_delete(f->s, T "/_delta_log/00000000000000000000.json", NULL), LH_OK);
    assert_int_equal(lh_table_snapshot_load(f->s, T, 1, NULL, &snap, &err), LH_ENOTFOUND);
    /* a checkpoint without a checkpoint reader */
    put(f->s, 0, PROTO META);
    assert_int_equal(lh_store_put(f->s, T "/_delta_log/00000000000000000001.checkpoint.parquet",
                                  "PAR1", 4, NULL), LH_OK);
    assert_int_equal(lh_table_snapshot_load(f->s, T, 1, NULL, &snap, &err), LH_EUNSUPPORTED);
    /* an add path that escapes the table */
    put(f->s, 2, "{\"add\":{\"path\":\"..%2F..%2Fetc%2Fpasswd\",\"partitionValues\":{},"
                 "\"size\":1,\"modificationTime\":1,\"dataChange\":true}}\n");
    assert_int_equal(lh_store_delete(f->s, T "/_delta_log/00000000000000000001.checkpoint.parquet",
                                     NULL), LH_OK);
    assert_int_equal(lh_table_snapshot_load(f->s, T, 2, NULL, &snap, &err), LH_EUNSUPPORTED);
    assert_null(snap);
}

/* A stand-in checkpoint reader: the checkpoint holds protocol, metaData, one add and a
 * tombstone (which must not remove anything). */
static lh_status fake_cp_read(void *self, const char *local_path, lh_action_cb cb, void *ctx,
                              lh_err *err)
{
    (void)self;
    assert_non_null(strstr(local_path, "00000000000000000005.checkpoint.parquet"));
    const char *lines[] = {
        PROTO, META,
        "{\"add\":{\"path\":\"old.parquet\",\"partitionValues\":{\"p\":\"a\"},\"size\":1,"
        "\"modificationTime\":1,\"dataChange\":false,\"stats_parsed\":{\"numRecords\":8}}}",
        "{\"remove\":{\"path\":\"old.parquet\",\"deletionTimestamp\":1,\"dataChange\":false}}",
    };
    for (size_t i = 0; i < 4; i++) {
        json_t *a = json_loads(lines[i], 0, NULL);
        lh_status st = cb(ctx, a, err);
        json_decref(a);
        if (st)
            return st;
    }
    return LH_OK;
}

static void starts_from_checkpoint(void **state)
{
    fixture *f = *state;
    assert_int_equal(lh_store_put(f->s, T "/_delta_log/00000000000000000005.checkpoint.parquet",
                                  "PAR1", 4, NULL), LH_OK);
    const char *lc = "{\"version\":5,\"size\":4}";
    assert_int_equal(lh_store_put(f->s, T "/_delta_log/_last_checkpoint", lc, strlen(lc), NULL),
                     LH_OK);
    put(f->s, 5, "{\"commitInfo\":{}}\n");
    put(f->s, 6, "{\"add\":{\"path\":\"new.parquet\",\"partitionValues\":{\"p\":\"b\"},"
                 "\"size\":2,\"modificationTime\":1,\"dataChange\":true}}\n");
    lh_checkpoint_reader cp = {.read = fake_cp_read};
    lh_table_snapshot *snap = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_table_snapshot_load(f->s, T, -1, &cp, &snap, &err), LH_OK);
    assert_int_equal(snap->version, 6);
    assert_int_equal(snap->nfiles, 2);
    assert_string_equal(snap->files[1].path, "old.parquet");
    assert_int_equal(snap->files[1].num_records, 8);
    assert_int_equal(snap->files[0].num_records, -1);
    assert_int_equal(snap->ntombstones, 0); /* the checkpoint's remove names a live file */
    lh_table_snapshot_free(snap);
    snap = NULL;
    /* before the checkpoint, with commits 0..4 gone */
    assert_int_equal(lh_table_snapshot_load(f->s, T, 4, &cp, &snap, &err), LH_ENOTFOUND);
}

/* A checkpoint that breaks halfway (a torn file): one action delivered, then an error. */
static lh_status torn_cp_read(void *self, const char *local_path, lh_action_cb cb, void *ctx,
                              lh_err *err)
{
    (void)self;
    (void)local_path;
    json_t *a = json_loads("{\"add\":{\"path\":\"ghost.parquet\",\"partitionValues\":{},"
                           "\"size\":1,\"modificationTime\":1,\"dataChange\":false}}", 0, NULL);
    lh_status st = cb(ctx, a, err);
    json_decref(a);
    return st ? st : lh_fail(err, LH_ECORRUPT, "torn checkpoint");
}

static void torn_checkpoint_falls_back(void **state)
{
    fixture *f = *state;
    json_t *schema = two_col_schema();
    commit_adds(f->s, -1, schema, "a.parquet", 1);
    json_decref(schema);
    lh_table_commit_spec spec = {.removes = (const char *[]){"a.parquet"}, .nremoves = 1,
                                 .operation = "DELETE"};
    int64_t v;
    assert_int_equal(lh_table_commit(f->s, T, 0, &spec, &v, NULL), LH_OK);
    put(f->s, 2, "{\"add\":{\"path\":\"b.parquet\",\"partitionValues\":{},"
                 "\"size\":2,\"modificationTime\":1,\"dataChange\":true}}\n");
    assert_int_equal(lh_store_put(f->s, T "/_delta_log/00000000000000000001.checkpoint.parquet",
                                  "PAR1", 4, NULL), LH_OK);
    lh_checkpoint_reader cp = {.read = torn_cp_read};
    lh_table_snapshot *snap = NULL;
    lh_err err = {{0}};
    /* replayed from commit 0, nothing of the torn checkpoint kept */
    assert_int_equal(lh_table_snapshot_load(f->s, T, -1, &cp, &snap, &err), LH_OK);
    assert_int_equal(snap->version, 2);
    assert_int_equal(snap->nfiles, 1);
    assert_string_equal(snap->files[0].path, "b.parquet");
    assert_int_equal(snap->ntombstones, 1);
    assert_string_equal(snap->tombstones[0].path, "a.parquet");
    assert_true(snap->tombstones[0].deletion_timestamp > 0);
    lh_table_snapshot_free(snap);
    snap = NULL;
    /* with commit 0 gone nothing else can rebuild it: the checkpoint's error */
    assert_int_equal(lh_store_delete(f->s, T "/_delta_log/00000000000000000000.json", NULL), LH_OK);
    assert_int_equal(lh_table_snapshot_load(f->s, T, -1, &cp, &snap, &err), LH_ECORRUPT);
    assert_non_null(strstr(err.msg, "torn checkpoint"));
}

static void percent_encoded_paths(void **state)
{
    fixture *f = *state;
    json_t *schema = two_col_schema();
    const char *path = "d=a b%c:/f\xc3\xbc#1.parquet";
    commit_adds(f->s, -1, schema, path, 1);
    json_decref(schema);
    lh_buf b;
    lh_buf_init(&b, 0);
    assert_int_equal(lh_store_get(f->s, T "/_delta_log/00000000000000000000.json", 1 << 20, &b,
                                  NULL), LH_OK);
    assert_non_null(strstr(b.data, "\"path\":\"d=a%20b%25c:/f%C3%BC%231.parquet\""));
    /* the commit names the writer by the one LH_VERSION (core/util.h) */
    assert_non_null(strstr(b.data, "\"engineInfo\":\"lakehouse/" LH_VERSION "\""));
    lh_buf_release(&b);
    lh_table_snapshot *snap = load(f->s, 0);
    assert_string_equal(snap->files[0].path, path);
    lh_table_snapshot_free(snap);
    /* removing by the decoded path works too */
    const char *rm[] = {path};
    lh_table_commit_spec spec = {.removes = rm, .nremoves = 1, .operation = "DELETE"};
    int64_t v;
    assert_int_equal(lh_table_commit(f->s, T, 0, &spec, &v, NULL), LH_OK);
    snap = load(f->s, 1);
    assert_int_equal(snap->nfiles, 0);
    lh_table_snapshot_free(snap);
    /* a path that is not relative is refused at commit time */
    lh_table_add bad = {.path = "../x.parquet", .size = 1};
    lh_table_commit_spec bspec = {.adds = &bad, .nadds = 1};
    assert_int_equal(lh_table_commit(f->s, T, 1, &bspec, &v, NULL), LH_EINVAL);
}

static void schema_round_trip(void **state)
{
    (void)state;
    static const struct {
        const char *duck, *canon;
    } cases[] = {
        {"BOOLEAN", "BOOLEAN"}, {"TINYINT", "TINYINT"}, {"SMALLINT", "SMALLINT"},
        {"INTEGER", "INTEGER"}, {"BIGINT", "BIGINT"}, {"FLOAT", "FLOAT"},
        {"DOUBLE", "DOUBLE"}, {"DECIMAL(10,2)", "DECIMAL(10,2)"}, {"VARCHAR", "VARCHAR"},
        {"BLOB", "BLOB"}, {"DATE", "DATE"},
        {"TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE"},
        {"timestamptz", "TIMESTAMP WITH TIME ZONE"}, {"int", "INTEGER"},
        {"INTEGER[]", "INTEGER[]"}, {"LIST(VARCHAR)", "VARCHAR[]"},
        {"MAP(VARCHAR, DECIMAL(38, 18))", "MAP(VARCHAR, DECIMAL(38,18))"},
        {"STRUCT(a INTEGER, \"b \"\"c\" VARCHAR[])",
         "STRUCT(\"a\" INTEGER, \"b \"\"c\" VARCHAR[])"},
        {"STRUCT(s STRUCT(x DOUBLE, y MAP(VARCHAR, BIGINT[]))[], d DATE)",
         "STRUCT(\"s\" STRUCT(\"x\" DOUBLE, \"y\" MAP(VARCHAR, BIGINT[]))[], \"d\" DATE)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *names[] = {"c"};
        const char *types[] = {cases[i].duck};
        bool nullable[] = {false};
        json_t *schema = NULL;
        lh_err err = {{0}};
        if (lh_table_schema_from_duckdb(names, types, nullable, 1, &schema, &err))
            fail_msg("%s: %s", cases[i].duck, err.msg);
        json_t *field = json_array_get(json_object_get(schema, "fields"), 0);
        assert_true(json_is_false(json_object_get(field, "nullable")));
        assert_true(json_is_object(json_object_get(field, "metadata")));
        lh_buf out;
        lh_buf_init(&out, 0);
        assert_int_equal(lh_table_duckdb_type(json_object_get(field, "type"), &out, &err), LH_OK);
        assert_string_equal(out.data, cases[i].canon);
        lh_buf_release(&out);
        json_decref(schema);
    }
    /* the Spark spellings */
    json_t *nested = json_loads("{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":"
                                "{\"type\":\"array\",\"elementType\":\"short\",\"containsNull\":"
                                "true},\"nullable\":true,\"metadata\":{}}]}", 0, NULL);
    lh_buf out;
    lh_buf_init(&out, 0);
    assert_int_equal(lh_table_duckdb_type(nested, &out, NULL), LH_OK);
    assert_string_equal(out.data, "STRUCT(\"a\" SMALLINT[])");
    json_decref(nested);
    const char *names[] = {"id", "t"};
    const char *types[] = {"BIGINT", "TIMESTAMP WITH TIME ZONE"};
    json_t *schema = NULL;
    assert_int_equal(lh_table_schema_from_duckdb(names, types, NULL, 2, &schema, NULL), LH_OK);
    char *s = json_dumps(schema, JSON_COMPACT);
    assert_string_equal(s, "{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\","
                           "\"nullable\":true,\"metadata\":{}},{\"name\":\"t\",\"type\":"
                           "\"timestamp\",\"nullable\":true,\"metadata\":{}}]}");
    free(s);
    json_decref(schema);
    /* refusals */
    const char *bad[] = {"TIMESTAMP", "HUGEINT", "UUID", "INTERVAL", "UBIGINT", "TIME",
                         "STRUCT(a INTEGER", "DECIMAL(50,2)"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *n1[] = {"c"};
        const char *t1[] = {bad[i]};
        lh_err err = {{0}};
        lh_status st = lh_table_schema_from_duckdb(n1, t1, NULL, 1, &schema, &err);
        if (st == LH_OK)
            fail_msg("type %s was accepted", bad[i]);
        assert_non_null(strstr(err.msg, "'c'"));
    }
    const char *n2[] = {"bad name"};
    const char *t2[] = {"INTEGER"};
    assert_int_equal(lh_table_schema_from_duckdb(n2, t2, NULL, 1, &schema, NULL), LH_EINVAL);
    lh_buf_reset(&out);
    json_t *ntz = json_string("timestamp_ntz");
    assert_int_equal(lh_table_duckdb_type(ntz, &out, NULL), LH_EUNSUPPORTED);
    json_decref(ntz);
    lh_buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_append_time_travel, setup, teardown),
        cmocka_unit_test_setup_teardown(compaction_and_history, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_newer_protocols, setup, teardown),
        cmocka_unit_test_setup_teardown(ignores_unknown_and_normalizes_partitions, setup, teardown),
        cmocka_unit_test_setup_teardown(broken_logs, setup, teardown),
        cmocka_unit_test_setup_teardown(starts_from_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(torn_checkpoint_falls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(percent_encoded_paths, setup, teardown),
        cmocka_unit_test(schema_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
