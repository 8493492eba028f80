/* Unit tests for the naming rule of flattened columns (src/ingest/projection.c), the
 * log-shape parsers of the lines converter (src/ingest/lines.c), and the ingest SQL
 * builders past their buffers' limits (an error, never a cut statement). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest_int.h"
#include "testutil.h"

/* Runs the projection over a description given as JSON text; returns the status and
 * leaves the final names (from the SELECT list's aliases) in names, "|"-separated. */
static lh_status project(const char *desc, char *names, size_t size, lh_buf *proj)
{
    json_t *rows = json_loads(desc, 0, NULL);
    assert_non_null(rows);
    json_t *renames = json_array();
    lh_err err = {{0}};
    lh_buf_init(proj, 0);
    lh_status st = lh__ingest_project_columns(rows, proj, renames, &err);
    names[0] = '\0';
    if (!st) {
        /* aliases: every ' AS "name"' not inside a CAST(... AS TYPE) */
        const char *p = lh_buf_cstr(proj);
        size_t o = 0;
        while ((p = strstr(p, " AS \""))) {
            p += 5;
            const char *e = strchr(p, '"');
            int n = snprintf(names + o, size - o, "%s%.*s", o ? "|" : "", (int)(e - p), p);
            o += (size_t)n;
            p = e;
        }
    }
    json_decref(rows);
    json_decref(renames);
    return st;
}

static void flattened_collisions_get_suffixes(void **state)
{
    (void)state;
    char names[1024];
    lh_buf proj;
    /* {"a":{"b_c":1,"b":{"c":2}}} */
    assert_int_equal(project("[[\"a\", \"STRUCT(b_c BIGINT, b STRUCT(c BIGINT))\"]]", names,
                             sizeof names, &proj), LH_OK);
    assert_string_equal(names, "a_b_c|a_b_c_2");
    lh_buf_release(&proj);
    /* a top-level name wins over a flattened one, even when it comes later */
    assert_int_equal(project("[[\"a\", \"STRUCT(b BIGINT)\"], [\"A_B\", \"VARCHAR\"], "
                             "[\"a_b_2\", \"VARCHAR\"]]", names, sizeof names, &proj), LH_OK);
    assert_string_equal(names, "a_b_3|A_B|a_b_2");
    lh_buf_release(&proj);
    /* GitHub: issue.labels_url next to issue.labels (a list of objects: JSON text) */
    assert_int_equal(project("[[\"issue\", \"STRUCT(labels_url VARCHAR, labels STRUCT(url VARCHAR, "
                             "\\\"name\\\" VARCHAR)[])\"]]", names, sizeof names, &proj), LH_OK);
    assert_string_equal(names, "issue_labels_url|issue_labels");
    assert_non_null(strstr(lh_buf_cstr(&proj), "CAST(to_json(struct_extract(\"issue\", 'labels')) AS VARCHAR)"));
    lh_buf_release(&proj);
}

static void top_level_duplicates_refused(void **state)
{
    (void)state;
    char names[256];
    lh_buf proj;
    assert_int_equal(project("[[\"a\", \"INTEGER\"], [\"A\", \"INTEGER\"]]", names, sizeof names, &proj),
                     LH_EINVAL);
    lh_buf_release(&proj);
}

static void wide_projection_is_flat(void **state)
{
    (void)state;
    /* 5,000 columns: one flat expression each, built in one pass */
    lh_buf d;
    lh_buf_init(&d, 0);
    lh_buf_adds(&d, "[");
    for (int i = 0; i < 5000; i++)
        lh_buf_printf(&d, "%s[\"c%d\", \"BIGINT\"]", i ? "," : "", i);
    lh_buf_adds(&d, "]");
    static char names[64 * 1024];
    lh_buf proj;
    assert_int_equal(project(lh_buf_cstr(&d), names, sizeof names, &proj), LH_OK);
    assert_null(strchr(lh_buf_cstr(&proj), '('));
    lh_buf_release(&proj);
    lh_buf_release(&d);
}

static const char *field(json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);
    static char buf[256];
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return json_is_string(v) ? json_string_value(v) : "(null)";
}

static void syslog_5424(void **state)
{
    (void)state;
    json_t *r = json_object();
    assert_true(lh__lines_syslog5424("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 "
                                     "- 'su root' failed for lonvick on /dev/pts/8", r));
    assert_string_equal(field(r, "timestamp"), "2003-10-11 22:14:15.003+00:00");
    assert_string_equal(field(r, "host"), "mymachine.example.com");
    assert_string_equal(field(r, "app"), "su");
    assert_string_equal(field(r, "pid"), "(null)");
    assert_string_equal(field(r, "msgid"), "ID47");
    assert_string_equal(field(r, "facility"), "4");
    assert_string_equal(field(r, "level"), "crit");
    assert_string_equal(field(r, "message"), "'su root' failed for lonvick on /dev/pts/8");
    json_object_clear(r);
    assert_true(lh__lines_syslog5424("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - "
                                     "[a@1 x=\"y\\]\"][b@2] msg", r));
    assert_string_equal(field(r, "timestamp"), "2003-08-24 05:14:15.000003-07:00");
    assert_string_equal(field(r, "message"), "msg");
    json_object_clear(r);
    assert_false(lh__lines_syslog5424("Mar  5 10:11:12 web01 sshd[1]: x", r));
    json_decref(r);
}

static void syslog_3164(void **state)
{
    (void)state;
    json_t *r = json_object();
    assert_true(lh__lines_syslog3164("Mar  5 10:11:12 web01 sshd[2211]: Accepted publickey", r));
    assert_string_equal(field(r, "timestamp"), "Mar  5 10:11:12");
    assert_string_equal(field(r, "host"), "web01");
    assert_string_equal(field(r, "app"), "sshd");
    assert_string_equal(field(r, "pid"), "2211");
    assert_string_equal(field(r, "message"), "Accepted publickey");
    json_object_clear(r);
    assert_true(lh__lines_syslog3164("<13>Oct 11 22:14:15 mymachine kernel: up", r));
    assert_string_equal(field(r, "level"), "notice");
    assert_string_equal(field(r, "facility"), "1");
    json_object_clear(r);
    assert_false(lh__lines_syslog3164("Foo  5 10:11:12 web01 sshd: x", r));
    assert_false(lh__lines_syslog3164("just a line of text", r));
    json_decref(r);
}

static void combined_log(void **state)
{
    (void)state;
    json_t *r = json_object();
    assert_true(lh__lines_combined("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif "
                                   "HTTP/1.0\" 200 2326 \"http://www.example.com/start.html\" "
                                   "\"Mozilla/4.08 [en] (Win98; I ;Nav)\"", r));
    assert_string_equal(field(r, "host"), "127.0.0.1");
    assert_string_equal(field(r, "ident"), "(null)");
    assert_string_equal(field(r, "user"), "frank");
    assert_string_equal(field(r, "timestamp"), "2000-10-10 13:55:36-07:00");
    assert_string_equal(field(r, "method"), "GET");
    assert_string_equal(field(r, "path"), "/apache_pb.gif");
    assert_string_equal(field(r, "protocol"), "HTTP/1.0");
    assert_string_equal(field(r, "status"), "200");
    assert_string_equal(field(r, "bytes"), "2326");
    assert_string_equal(field(r, "referer"), "http://www.example.com/start.html");
    assert_string_equal(field(r, "user_agent"), "Mozilla/4.08 [en] (Win98; I ;Nav)");
    json_object_clear(r);
    /* common log format: no referer or agent; "-" bytes */
    assert_true(lh__lines_combined("::1 - - [01/Jan/2024:00:00:00 +0000] \"HEAD / HTTP/1.1\" 304 -", r));
    assert_string_equal(field(r, "bytes"), "(null)");
    json_object_clear(r);
    assert_false(lh__lines_combined("127.0.0.1 - - [10/Foo/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1", r));
    json_decref(r);
}

static void json_and_app_lines(void **state)
{
    (void)state;
    json_t *r = json_object();
    assert_true(lh__lines_json("{\"@timestamp\":\"2024-03-05T10:11:12+01:00\",\"severity\":\"WARN\","
                               "\"message\":\"m\",\"hostname\":\"h\"}", r));
    assert_string_equal(field(r, "timestamp"), "2024-03-05 10:11:12+01:00");
    assert_string_equal(field(r, "level"), "WARN");
    assert_string_equal(field(r, "host"), "h");
    assert_string_equal(field(r, "message"), "m");
    json_object_clear(r);
    assert_false(lh__lines_json("{not json", r));
    assert_true(lh__lines_app("2024-03-05 10:11:12,345 ERROR Failed: timeout", r));
    assert_string_equal(field(r, "timestamp"), "2024-03-05 10:11:12.345");
    assert_string_equal(field(r, "level"), "ERROR");
    assert_string_equal(field(r, "message"), "Failed: timeout");
    json_object_clear(r);
    assert_true(lh__lines_app("2024-03-05T10:11:12Z [warn] disk", r));
    assert_string_equal(field(r, "level"), "WARN");
    json_object_clear(r);
    assert_false(lh__lines_app("2024-03-05 10:11:12 hello world", r));
    json_decref(r);
}

static void shape_needs_half_the_sample(void **state)
{
    (void)state;
    size_t at = 99;
    int hits[5] = {0, 0, 3, 0, 5};
    assert_string_equal(lh__lines_pick_shape(hits, 6, &at), "bsd");
    assert_int_equal(at, 2);
    int few[5] = {0, 0, 2, 0, 2};
    assert_null(lh__lines_pick_shape(few, 6, &at));
    assert_null(lh__lines_pick_shape(few, 0, &at));
}

/* ---- builders past their limits (core/buf.h: sticky errors, one check per builder) ---- */

/* A column name longer than the 4 KiB its quoted identifier may take: an error naming
 * it, not a projection built around a missing expression (this crashed: the failed
 * identifier's NULL was appended as the column's expression). */
static void overlong_column_name_is_an_error(void **state)
{
    (void)state;
    static char name[5001];
    memset(name, 'x', sizeof name - 1);
    json_t *rows = json_pack("[[s, s]]", name, "VARCHAR");
    json_t *renames = json_array();
    lh_buf proj;
    lh_buf_init(&proj, 0);
    lh_err err = {{0}};
    assert_int_equal(lh__ingest_project_columns(rows, &proj, renames, &err), LH_ETOOBIG);
    assert_non_null(strstr(err.msg, "column's name is too long"));
    lh_buf_release(&proj);
    json_decref(rows);
    json_decref(renames);
}

/* The SELECT list past the projection buffer's limit: an error, never a list cut short. */
static void projection_past_its_limit_is_an_error(void **state)
{
    (void)state;
    json_t *rows = json_array();
    for (int i = 0; i < 50; i++) {
        char name[32];
        snprintf(name, sizeof name, "column_%d", i);
        json_array_append_new(rows, json_pack("[s, s]", name, "BIGINT"));
    }
    json_t *renames = json_array();
    lh_buf proj;
    lh_buf_init(&proj, 256);
    lh_err err = {{0}};
    assert_int_equal(lh__ingest_project_columns(rows, &proj, renames, &err), LH_ETOOBIG);
    assert_non_null(strstr(err.msg, "projection is too long (over 256 bytes)"));
    assert_int_equal(lh_buf_status(&proj), LH_ETOOBIG);
    assert_int_equal(proj.len, 0);
    lh_buf_release(&proj);
    json_decref(rows);
    json_decref(renames);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The reader call for a staged JSON and a staged CSV file, built into a buffer too small
 * for it: the builder reports LH_ETOOBIG (it used to return LH_OK with an empty or cut
 * read_json(...)/read_csv(...) call, which the pipeline then ran). With room, the same
 * calls give the whole statement. */
static void source_sql_past_its_limit_is_an_error(void **state)
{
    (void)state;
    char dir[512], json_path[600], csv_path[600];
    lh_test_tmpdir(dir, sizeof dir);
    snprintf(json_path, sizeof json_path, "%s/rows.json", dir);
    snprintf(csv_path, sizeof csv_path, "%s/rows.csv", dir);
    write_file(json_path, "{\"a\": 1}\n{\"a\": 2}\n");
    write_file(csv_path, "id,name\n1,ann\n2,bob\n");
    lh_engine_config cfg = {.data_root = dir};
    lh_engine *eng = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_engine_open(&cfg, &eng, &err), LH_OK);
    const char *formats[] = {"json", "csv"}, *paths[] = {json_path, csv_path};
    for (int i = 0; i < 2; i++) {
        json_t *options = json_object();
        lh_buf small;
        lh_buf_init(&small, 48);
        memset(&err, 0, sizeof err);
        assert_int_equal(lh__ingest_source_sql(eng, formats[i], paths[i], NULL, &small, options,
                                               &err), LH_ETOOBIG);
        assert_non_null(strstr(err.msg, "is too long (over 48 bytes)"));
        assert_string_equal(lh_buf_cstr(&small), "");
        lh_buf_release(&small);
        lh_buf whole;
        lh_buf_init(&whole, 0);
        assert_int_equal(lh__ingest_source_sql(eng, formats[i], paths[i], NULL, &whole, options,
                                               &err), LH_OK);
        const char *sql = lh_buf_cstr(&whole);
        assert_true(!strncmp(sql, i ? "read_csv('" : "read_json('", i ? 10 : 11));
        assert_int_equal(sql[whole.len - 1], ')');
        lh_buf_release(&whole);
        json_decref(options);
    }
    lh_engine_free(eng);
    lh_test_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flattened_collisions_get_suffixes),
        cmocka_unit_test(top_level_duplicates_refused),
        cmocka_unit_test(wide_projection_is_flat),
        cmocka_unit_test(syslog_5424),
        cmocka_unit_test(syslog_3164),
        cmocka_unit_test(combined_log),
        cmocka_unit_test(json_and_app_lines),
        cmocka_unit_test(shape_needs_half_the_sample),
        cmocka_unit_test(overlong_column_name_is_an_error),
        cmocka_unit_test(projection_past_its_limit_is_an_error),
        cmocka_unit_test(source_sql_past_its_limit_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
