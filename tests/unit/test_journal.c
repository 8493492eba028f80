/* Unit tests for the event journal (src/journal/journal.c): the WAL as the buffer,
 * flushes by size, on request, write-through and at close, Parquet contents, the SQL
 * relation `journal`, replay after a writer killed with SIGKILL, a torn WAL line, a crash
 * between a flush's rename and its WAL delete, the first implementation's events.jsonl,
 * and event validation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fsio.h"
#include "core/util.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "journal/journal_int.h"
#include "storage/storage.h"
#include "testutil.h"

typedef struct fixture {
    char root[256];
    lh_store *store;
    lh_engine *eng;
    lh_journal *j;
} fixture;

static lh_err err;

static void open_engine(fixture *f)
{
    lh_engine_config cfg = {.data_root = lh_store_root(f->store), .threads = 2};
    assert_int_equal(lh_engine_open(&cfg, &f->eng, &err), LH_OK);
}

/* (Re)opens the journal and binds it to the engine. */
static void open_journal(fixture *f)
{
    assert_int_equal(lh_journal_open(f->store, &f->j, &err), LH_OK);
    assert_int_equal(lh_journal_bind_engine(f->j, f->eng, &err), LH_OK);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    lh_test_tmpdir(f->root, sizeof f->root);
    if (lh_store_open_local(f->root, &f->store, &err))
        return -1;
    open_engine(f);
    open_journal(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lh_journal_free(f->j);
    lh_engine_free(f->eng);
    lh_store_free(f->store);
    lh_test_rmtree(f->root);
    free(f);
    return 0;
}

static void append(lh_journal *j, const char *entity_id, const char *field, json_t *old_v,
                   json_t *new_v, bool wt)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:o?, s:o?, s:s}", "entity", "dataset", "entity_id",
                           entity_id, "field", field, "old_value", old_v, "new_value", new_v,
                           "actor", "tester");
    assert_int_equal(lh_journal_append(j, ev, wt, &err), LH_OK);
    json_decref(ev);
}

static int64_t stat_of(lh_journal *j, const char *key)
{
    json_t *s = lh_journal_stats(j);
    int64_t v = json_integer_value(json_object_get(s, key));
    json_decref(s);
    return v;
}

/* The first column of the first row of sql, as text (caller frees). */
static char *query1(lh_engine *e, const char *sql)
{
    json_t *row = NULL;
    if (lh_engine_query_row(e, sql, &row, &err)) {
        fprintf(stderr, "query failed: %s\n%s\n", sql, err.msg);
        fail();
    }
    const char *v = json_string_value(json_array_get(row, 0));
    char *out = strdup(v ? v : "NULL");
    json_decref(row);
    return out;
}

static int count_files(const char *root, const char *prefix, const char *suffix)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls '%s/_journal' | grep -c '^%s.*%s$'", root, prefix, suffix);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p && fscanf(p, "%d", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    return n;
}

static void assert_query(lh_engine *e, const char *sql, const char *want)
{
    char *got = query1(e, sql);
    if (strcmp(got, want))
        fprintf(stderr, "query: %s\nwant: %s\ngot:  %s\n", sql, want, got);
    assert_string_equal(got, want);
    free(got);
}

/* ---- tests ---- */

static void buffered_events_are_in_the_wal_and_visible(void **state)
{
    fixture *f = *state;
    append(f->j, "a", "version", NULL, json_integer(0), false);
    append(f->j, "b", "owner", json_string("ann"), json_string("bob"), false);
    append(f->j, "a", "version", json_integer(0), json_integer(1), false);
    assert_int_equal(stat_of(f->j, "buffered"), 3);
    assert_int_equal(stat_of(f->j, "events"), 3);
    assert_int_equal(stat_of(f->j, "files"), 0);
    assert_true(stat_of(f->j, "wal_bytes") > 0);
    assert_int_equal(count_files(f->root, "events-", ".parquet"), 0);
    assert_query(f->eng, "SELECT CAST(count(*) AS VARCHAR) FROM journal", "3");
    json_t *h = NULL;
    assert_int_equal(lh_journal_history(f->j, "a", &h, &err), LH_OK);
    assert_int_equal(json_array_size(h), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "new_value")), "0");
    assert_true(json_is_null(json_object_get(json_array_get(h, 0), "old_value")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "new_value")), "1");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "actor")), "tester");
    const char *ts = json_string_value(json_object_get(json_array_get(h, 0), "ts"));
    assert_true(ts && strlen(ts) == 24 && ts[10] == 'T' && ts[23] == 'Z');
    json_decref(h);
    json_t *r = NULL;
    assert_int_equal(lh_journal_recent(f->j, 2, &r, &err), LH_OK);
    assert_int_equal(json_array_size(r), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 0), "new_value")), "1");
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "entity_id")), "b");
    json_decref(r);
    assert_int_equal(lh_journal_recent(f->j, 0, &r, &err), LH_EINVAL);
    assert_int_equal(lh_journal_recent(f->j, 10001, &r, &err), LH_EINVAL);
}

static void flush_writes_one_sorted_parquet_file(void **state)
{
    fixture *f = *state;
    append(f->j, "x", "version", NULL, json_integer(0), false);
    append(f->j, "x", "tags", json_pack("[s]", "a"), json_pack("[s,s]", "a", "b"), false);
    append(f->j, "y", "description", json_string("it's \"quoted\""), json_null(), false);
    int64_t n = -1;
    assert_int_equal(lh_journal_flush(f->j, &n, &err), LH_OK);
    assert_int_equal(n, 3);
    assert_int_equal(stat_of(f->j, "buffered"), 0);
    assert_int_equal(stat_of(f->j, "flushed"), 3);
    assert_int_equal(stat_of(f->j, "files"), 1);
    assert_true(stat_of(f->j, "bytes") > 0);
    assert_int_equal(count_files(f->root, "events-", ".parquet"), 1);
    assert_int_equal(count_files(f->root, "wal-", ".jsonl"), 1); /* the fresh current one */
    assert_int_equal(count_files(f->root, ".tmp-", ""), 0);
    /* the Parquet file itself: schema, values, order */
    char glob[400];
    snprintf(glob, sizeof glob, "read_parquet('%s/_journal/events-*.parquet')", f->root);
    char sql[800];
    snprintf(sql, sizeof sql, "SELECT string_agg(column_name || ':' || column_type, ',') FROM "
             "(DESCRIBE SELECT * FROM %s)", glob);
    assert_query(f->eng, sql,
                 "id:VARCHAR,ts:TIMESTAMP,entity:VARCHAR,entity_id:VARCHAR,field:VARCHAR,"
                 "old_value:VARCHAR,new_value:VARCHAR,actor:VARCHAR,source:VARCHAR,"
                 "workspace:VARCHAR,trace_id:VARCHAR");
    snprintf(sql, sizeof sql, "SELECT string_agg(entity_id || '/' || field || '/' || "
             "coalesce(old_value, 'NULL') || '/' || coalesce(new_value, 'NULL'), '|' ORDER BY ts, id) FROM %s",
             glob);
    assert_query(f->eng, sql, "x/version/NULL/0|x/tags/[\"a\"]/[\"a\",\"b\"]|y/description/it's \"quoted\"/NULL");
    snprintf(sql, sizeof sql, "SELECT CAST(bool_and(id IS NOT NULL AND ts IS NOT NULL) AS VARCHAR) FROM %s", glob);
    assert_query(f->eng, sql, "true");
    /* the relation sees each event once; new events join from the WAL */
    assert_query(f->eng, "SELECT CAST(count(*) AS VARCHAR) FROM journal", "3");
    append(f->j, "z", "owner", NULL, json_string("zed"), false);
    assert_query(f->eng, "SELECT CAST(count(*) AS VARCHAR) FROM journal", "4");
    assert_int_equal(stat_of(f->j, "events"), 4);
    /* nothing buffered: a flush writes nothing */
    assert_int_equal(lh_journal_flush(f->j, &n, &err), LH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(lh_journal_flush(f->j, &n, &err), LH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(count_files(f->root, "events-", ".parquet"), 2);
}

static void flush_by_size(void **state)
{
    fixture *f = *state;
    lh_journal_set_flush_events(f->j, 5);
    for (int i = 0; i < 12; i++) {
        char id[16];
        snprintf(id, sizeof id, "e%d", i);
        append(f->j, id, "n", NULL, json_integer(i), false);
    }
    assert_int_equal(stat_of(f->j, "files"), 2);
    assert_int_equal(stat_of(f->j, "flushed"), 10);
    assert_int_equal(stat_of(f->j, "buffered"), 2);
    assert_query(f->eng, "SELECT CAST(count(DISTINCT id) AS VARCHAR) || '/' || CAST(count(*) AS VARCHAR) FROM journal",
                 "12/12");
}

static void write_through_and_close_flush(void **state)
{
    fixture *f = *state;
    append(f->j, "t", "tombstone", NULL, json_string("row 7"), true);
    assert_int_equal(stat_of(f->j, "buffered"), 0);
    assert_int_equal(stat_of(f->j, "files"), 1);
    append(f->j, "t", "note", NULL, json_string("later"), false);
    append(f->j, "t", "note", NULL, json_string("later still"), false);
    assert_int_equal(stat_of(f->j, "buffered"), 2);
    lh_journal_free(f->j); /* flushes */
    f->j = NULL;
    assert_int_equal(count_files(f->root, "events-", ".parquet"), 2);
    open_journal(f);
    assert_int_equal(stat_of(f->j, "buffered"), 0);
    assert_int_equal(stat_of(f->j, "flushed"), 3);
    assert_int_equal(stat_of(f->j, "events"), 3);
    json_t *s = lh_journal_stats(f->j);
    assert_true(json_is_string(json_object_get(s, "last_flush")));
    json_decref(s);
    json_t *h = NULL;
    assert_int_equal(lh_journal_history(f->j, "t", &h, &err), LH_OK);
    assert_int_equal(json_array_size(h), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 2), "new_value")), "later still");
    json_decref(h);
}

/* A writer appends, reports each acknowledged id through a pipe, and is killed with
 * SIGKILL (no close, no flush). Every acknowledged event must be there after reopening. */
static void acknowledged_events_survive_sigkill(void **state)
{
    (void)state;
    char root[256];
    lh_test_tmpdir(root, sizeof root);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        lh_store *s = NULL;
        lh_journal *j = NULL;
        if (lh_store_open_local(root, &s, &err) || lh_journal_open(s, &j, &err))
            _exit(3);
        for (int i = 0; i < 50; i++) {
            json_t *ev = json_pack("{s:s, s:s, s:i}", "entity", "row", "entity_id", "k", "new_value", i);
            json_t *batch = json_pack("[o]", ev), *stored = NULL;
            if (lh_journal_append_many(j, batch, false, &stored, &err))
                _exit(4);
            char line[64];
            int n = snprintf(line, sizeof line, "%s\n",
                             json_string_value(json_object_get(json_array_get(stored, 0), "id")));
            if (write(fds[1], line, (size_t)n) != n)
                _exit(5);
            json_decref(batch);
            json_decref(stored);
        }
        raise(SIGKILL);
        _exit(6);
    }
    close(fds[1]);
    char ids[50 * 40 + 1] = "";
    size_t len = 0;
    ssize_t n;
    while ((n = read(fds[0], ids + len, sizeof ids - 1 - len)) > 0)
        len += (size_t)n;
    ids[len] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    /* and a torn line, as if the kill had come in the middle of a write */
    char wal[400];
    snprintf(wal, sizeof wal, "%s/_journal/wal-00000000000000000000.jsonl", root);
    const char torn[] = "{\"id\":\"0000-torn\",\"ts\":\"2026-01-0";
    assert_int_equal(lh_file_append_sync(wal, torn, sizeof torn - 1, &err), LH_OK);

    fixture f;
    memset(&f, 0, sizeof f);
    snprintf(f.root, sizeof f.root, "%s", root);
    assert_int_equal(lh_store_open_local(root, &f.store, &err), LH_OK);
    open_engine(&f);
    open_journal(&f);
    assert_int_equal(stat_of(f.j, "buffered"), 50);
    append(f.j, "k", "after", NULL, json_string("restart"), false);
    int64_t flushed = 0;
    assert_int_equal(lh_journal_flush(f.j, &flushed, &err), LH_OK);
    assert_int_equal(flushed, 51);
    /* exactly the acknowledged ids, in order, then the new one */
    char sql[600];
    snprintf(sql, sizeof sql, "SELECT string_agg(id, chr(10) ORDER BY ts, id) || chr(10) FROM "
             "read_parquet('%s/_journal/events-*.parquet') WHERE entity = 'row'", root);
    char *got = query1(f.eng, sql);
    assert_string_equal(got, ids);
    free(got);
    assert_query(f.eng, "SELECT CAST(count(*) AS VARCHAR) FROM journal", "51");
    lh_journal_free(f.j);
    lh_engine_free(f.eng);
    lh_store_free(f.store);
    lh_test_rmtree(root);
}

/* A crash after a flush renamed its Parquet file but before it deleted the WAL segment:
 * the segment is dropped at open, not flushed twice. */
static void flushed_segment_left_behind_is_dropped(void **state)
{
    fixture *f = *state;
    append(f->j, "d", "version", NULL, json_integer(0), false);
    append(f->j, "d", "version", json_integer(0), json_integer(1), false);
    char wal[400];
    snprintf(wal, sizeof wal, "%s/_journal/wal-00000000000000000000.jsonl", f->root);
    lh_buf copy;
    lh_buf_init(&copy, 0);
    assert_int_equal(lh_file_read_all(wal, 1 << 20, &copy, &err), LH_OK);
    assert_int_equal(lh_journal_flush(f->j, NULL, &err), LH_OK);
    assert_int_equal(lh_file_write_atomic(wal, copy.data, copy.len, &err), LH_OK); /* as if never deleted */
    lh_buf_release(&copy);
    lh_journal_free(f->j);
    open_journal(f);
    assert_int_equal(stat_of(f->j, "buffered"), 0);
    assert_int_equal(stat_of(f->j, "events"), 2);
    assert_query(f->eng, "SELECT CAST(count(*) AS VARCHAR) FROM journal", "2");
    assert_int_equal(count_files(f->root, "wal-00000000000000000000", ".jsonl"), 0);
}

static void legacy_events_jsonl_is_migrated(void **state)
{
    fixture *f = *state;
    lh_journal_free(f->j);
    f->j = NULL;
    char legacy[400];
    snprintf(legacy, sizeof legacy, "%s/_journal/events.jsonl", f->root);
    const char *lines =
        "{\"entity\":\"dataset\",\"entity_id\":\"old\",\"id\":\"5b0c6a8e-0000-4000-8000-000000000001\","
        "\"ts\":\"2026-01-01T00:00:00.000Z\"}\n"
        "{\"entity\":\"dataset\",\"entity_id\":\"old\",\"field\":\"owner\",\"id\":\"5b0c6a8e-0000-4000-8000-000000000002\","
        "\"new_value\":\"ann\",\"ts\":\"2026-01-01T00:00:01.000Z\"}\n";
    assert_int_equal(lh_file_write_atomic(legacy, lines, strlen(lines), &err), LH_OK);
    /* a reader sees it before any writer migrates it */
    assert_int_equal(lh_journal_define_view(f->store, f->eng, &err), LH_OK);
    assert_query(f->eng, "SELECT CAST(count(*) AS VARCHAR) FROM journal WHERE entity_id = 'old'", "2");
    open_journal(f);
    assert_int_equal(count_files(f->root, "events.jsonl", ""), 0);
    assert_int_equal(stat_of(f->j, "buffered"), 2);
    assert_int_equal(lh_journal_flush(f->j, NULL, &err), LH_OK);
    json_t *h = NULL;
    assert_int_equal(lh_journal_history(f->j, "old", &h, &err), LH_OK);
    assert_int_equal(json_array_size(h), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "ts")),
                        "2026-01-01T00:00:01.000Z");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "new_value")), "ann");
    json_decref(h);
}

static void reader_view_sees_files_and_wal(void **state)
{
    fixture *f = *state;
    append(f->j, "r", "a", NULL, json_integer(1), false);
    assert_int_equal(lh_journal_flush(f->j, NULL, &err), LH_OK);
    append(f->j, "r", "b", NULL, json_integer(2), false);
    lh_engine *reader = NULL;
    lh_engine_config cfg = {.data_root = lh_store_root(f->store), .threads = 1};
    assert_int_equal(lh_engine_open(&cfg, &reader, &err), LH_OK);
    assert_int_equal(lh_journal_define_view(f->store, reader, &err), LH_OK);
    assert_query(reader, "SELECT string_agg(field, ',' ORDER BY ts, id) FROM journal", "a,b");
    lh_engine_free(reader);
}

static void events_are_validated(void **state)
{
    fixture *f = *state;
    const char *bad[] = {
        "{\"entity_id\":\"x\"}",                          /* no entity */
        "{\"entity\":\"d\",\"entity_id\":\"\"}",          /* empty id */
        "{\"entity\":\"d\",\"entity_id\":\"x\",\"colour\":\"red\"}",
        "{\"entity\":\"d\",\"entity_id\":\"x\",\"field\":7}",
        "[1]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *ev = json_loads(bad[i], 0, NULL);
        assert_int_equal(lh_journal_append(f->j, ev, false, &err), LH_EINVAL);
        json_decref(ev);
    }
    /* a batch with one bad event writes nothing */
    json_t *batch = json_loads("[{\"entity\":\"d\",\"entity_id\":\"x\"},{\"entity\":\"d\"}]", 0, NULL);
    assert_int_equal(lh_journal_append_many(f->j, batch, false, NULL, &err), LH_EINVAL);
    json_decref(batch);
    assert_int_equal(stat_of(f->j, "events"), 0);
    /* ids and ts given by the caller are replaced; ids are time-ordered */
    json_t *ev = json_loads("{\"entity\":\"d\",\"entity_id\":\"x\",\"id\":\"mine\",\"ts\":\"then\"}", 0, NULL);
    json_t *two = json_pack("[O,O]", ev, ev), *stored = NULL;
    assert_int_equal(lh_journal_append_many(f->j, two, false, &stored, &err), LH_OK);
    const char *id0 = json_string_value(json_object_get(json_array_get(stored, 0), "id"));
    const char *id1 = json_string_value(json_object_get(json_array_get(stored, 1), "id"));
    assert_int_equal(strlen(id0), 36);
    assert_int_equal(id0[14], '7');
    assert_true(strcmp(id0, id1) < 0);
    json_decref(stored);
    json_decref(two);
    json_decref(ev);
}

/* lh_journal_check agrees with the append to the byte: the largest event it accepts is
 * appended, one byte more is refused by both (it measures with an id and a ts of their
 * real lengths); a malformed event is LH_EINVAL; a check writes nothing. */
static json_t *event_of(size_t n)
{
    char *v = malloc(n + 1);
    assert_non_null(v);
    memset(v, 'v', n);
    v[n] = '\0';
    json_t *ev = json_pack("[{s:s, s:s, s:s}]", "entity", "d", "entity_id", "x", "new_value", v);
    free(v);
    return ev;
}

static void check_matches_the_append(void **state)
{
    fixture *f = *state;
    size_t lo = 1000, hi = LH_JOURNAL_MAX_EVENT; /* check(lo) passes, check(hi) fails */
    json_t *ev = event_of(hi);
    assert_int_equal(lh_journal_check(ev, &err), LH_ETOOBIG);
    json_decref(ev);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        ev = event_of(mid);
        if (lh_journal_check(ev, &err) == LH_OK)
            lo = mid;
        else
            hi = mid;
        json_decref(ev);
    }
    assert_int_equal(stat_of(f->j, "events"), 0);
    ev = event_of(hi);
    assert_int_equal(lh_journal_append_many(f->j, ev, false, NULL, &err), LH_ETOOBIG);
    json_decref(ev);
    ev = event_of(lo);
    assert_int_equal(lh_journal_append_many(f->j, ev, false, NULL, &err), LH_OK);
    json_decref(ev);
    assert_int_equal(stat_of(f->j, "events"), 1);
    ev = json_loads("[{\"entity\":\"d\"}]", 0, NULL);
    assert_int_equal(lh_journal_check(ev, &err), LH_EINVAL);
    json_decref(ev);
}

/* Regression (fixed; src/journal/journal.c, lh__journal_view_sql): the view's SELECT built
 * past its buffer's limit must report LH_ETOOBIG and leave no text (it said LH_ENOMEM, read
 * off a NULL .data, whatever the failure was); built within the limit it names every file. */
static void view_sql_past_the_limit_is_too_big(void **state)
{
    (void)state;
    char *parquet[] = {(char *)"events-a-00000000000000000001.parquet"};
    char *wal[] = {(char *)"wal-00000000000000000002.jsonl", (char *)"wal-00000000000000000003.jsonl"};
    lh_buf sql;
    lh_buf_init(&sql, 0);
    assert_int_equal(lh__journal_view_sql("/d/it's", parquet, 1, wal, 2, &sql), LH_OK);
    assert_non_null(strstr(lh_buf_cstr(&sql), "read_parquet(['/d/it''s/events-a-"));
    assert_non_null(strstr(lh_buf_cstr(&sql), "'/d/it''s/wal-00000000000000000003.jsonl']"));
    size_t full = sql.len;
    lh_buf_release(&sql);
    lh_buf_init(&sql, full - 1);
    assert_int_equal(lh__journal_view_sql("/d/it's", parquet, 1, wal, 2, &sql), LH_ETOOBIG);
    assert_string_equal(lh_buf_cstr(&sql), "");
    lh_buf_release(&sql);
}

/* lh_journal_merge: five parts become one file; every event once, in the writer's view,
 * after a reopen (the parts kept by the retention are superseded, not read) and in a
 * reader's view; with retention 0 the parts go. A run shorter than min_files is left. */
static void merge_keeps_every_event_once(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 5; i++)
        append(f->j, "m", "version", json_integer(i), json_integer(i + 1), true);
    assert_int_equal(count_files(f->root, "events-", ".parquet"), 5);
    int64_t merged = -1;
    assert_int_equal(lh_journal_merge(f->j, 6, 1 << 30, 3600000, &merged, &err), LH_OK);
    assert_int_equal(merged, 0); /* 5 < 6 */
    assert_int_equal(lh_journal_merge(f->j, 5, 1 << 30, 3600000, &merged, &err), LH_OK);
    assert_int_equal(merged, 5);
    /* the parts stay (retention), beside the merged file */
    assert_int_equal(count_files(f->root, "events-", ".parquet"), 6);
    assert_int_equal(count_files(f->root, "events-.*-[0-9]\\{20\\}-[0-9]\\{20\\}", ".parquet"), 1);
    assert_query(f->eng, "SELECT count(*) || ' ' || count(DISTINCT id) FROM journal", "5 5");
    /* the stats count the merged file only, as a reopen does */
    assert_int_equal(stat_of(f->j, "files"), 1);
    int64_t bytes = stat_of(f->j, "bytes");
    lh_journal_free(f->j);
    open_journal(f);
    assert_int_equal(stat_of(f->j, "files"), 1);
    assert_int_equal(stat_of(f->j, "bytes"), bytes);
    append(f->j, "m", "version", json_integer(5), json_integer(6), true);
    lh_journal_free(f->j);
    open_journal(f);
    assert_query(f->eng, "SELECT count(*) || ' ' || count(DISTINCT id) FROM journal", "6 6");
    assert_query(f->eng, "SELECT string_agg(new_value, ',' ORDER BY ts, id) FROM journal",
                 "1,2,3,4,5,6");
    assert_int_equal(lh_journal_define_view(f->store, f->eng, &err), LH_OK);
    assert_query(f->eng, "SELECT count(*) || ' ' || count(DISTINCT id) FROM journal", "6 6");
    assert_int_equal(lh_journal_bind_engine(f->j, f->eng, &err), LH_OK);
    /* retention 0: the merge of the merged file and the new part; superseded parts go */
    assert_int_equal(lh_journal_merge(f->j, 2, 1 << 30, 0, &merged, &err), LH_OK);
    assert_int_equal(merged, 2);
    assert_int_equal(count_files(f->root, "events-", ".parquet"), 1);
    assert_query(f->eng, "SELECT count(*) || ' ' || count(DISTINCT id) FROM journal", "6 6");
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        /* first: it forks, and should do so before any engine thread exists */
        cmocka_unit_test(acknowledged_events_survive_sigkill),
        cmocka_unit_test(view_sql_past_the_limit_is_too_big),
        cmocka_unit_test_setup_teardown(buffered_events_are_in_the_wal_and_visible, setup, teardown),
        cmocka_unit_test_setup_teardown(flush_writes_one_sorted_parquet_file, setup, teardown),
        cmocka_unit_test_setup_teardown(flush_by_size, setup, teardown),
        cmocka_unit_test_setup_teardown(write_through_and_close_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(flushed_segment_left_behind_is_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(legacy_events_jsonl_is_migrated, setup, teardown),
        cmocka_unit_test_setup_teardown(reader_view_sees_files_and_wal, setup, teardown),
        cmocka_unit_test_setup_teardown(events_are_validated, setup, teardown),
        cmocka_unit_test_setup_teardown(check_matches_the_append, setup, teardown),
        cmocka_unit_test_setup_teardown(merge_keeps_every_event_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
