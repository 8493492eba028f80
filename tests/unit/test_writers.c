/* Unit tests for the result writers (src/engine/writers.c), driven by hand: the tests
 * call the sink's begin/row/end directly with made-up columns and cells. Cells are given
 * with explicit lengths and point into larger strings, so a writer that reads past
 * lens[i] (or relies on a NUL) shows up as wrong output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "engine/writers.h"
#include "testutil.h"

/* Collects everything written; optionally fails on call number fail_on (1-based). */
typedef struct sink_out {
    lh_buf all;
    int calls;
    size_t max_piece;
    int fail_on;
} sink_out;

static lh_status collect(void *ctx, const char *data, size_t len, lh_err *err)
{
    sink_out *o = ctx;
    o->calls++;
    if (len > o->max_piece)
        o->max_piece = len;
    if (o->fail_on && o->calls >= o->fail_on)
        return lh_fail(err, LH_EIO, "client went away");
    return lh_buf_add(&o->all, data, len);
}

typedef struct run {
    sink_out out;
    lh_result_writer *w;
    lh_result_sink sink;
    lh_err err;
} run;

static void run_start(run *r, lh_result_format fmt, const lh_result_column *cols, size_t ncols)
{
    memset(r, 0, sizeof *r);
    lh_buf_init(&r->out.all, 0);
    assert_int_equal(lh_result_writer_new(fmt, collect, &r->out, &r->w, &r->err), LH_OK);
    r->sink = lh_result_writer_sink(r->w);
    assert_ptr_equal(r->sink.ctx, r->w);
    assert_int_equal(r->sink.begin(r->sink.ctx, cols, ncols, &r->err), LH_OK);
}

static void run_row(run *r, const char *const *cells, const size_t *lens)
{
    assert_int_equal(r->sink.row(r->sink.ctx, cells, lens, &r->err), LH_OK);
}

static void run_finish(run *r, uint64_t rows, bool truncated)
{
    assert_int_equal(r->sink.end(r->sink.ctx, rows, truncated, &r->err), LH_OK);
}

static void run_free(run *r)
{
    lh_result_writer_free(r->w);
    lh_buf_release(&r->out.all);
}

static const lh_result_column mixed_cols[] = {
    {"s", "VARCHAR", LH_CELL_STRING},
    {"n", "DOUBLE", LH_CELL_NUMBER},
    {"b", "BOOLEAN", LH_CELL_BOOL},
    {"j", "STRUCT(\"a\" INTEGER[])", LH_CELL_JSON},
    {"we\"ird\\", "VARCHAR", LH_CELL_STRING},
};

static void feed_mixed(run *r)
{
    /* row 1: escapes; every cell is followed by junk past its length ("abc|junk" with
     * length 3 is the cell "abc"): the writer must stop at the length */
    const char *c1[] = {"q\"b\\s/\x01\x1f\t\r\n\x7f caf\xc3\xa9|JUNK", "1.5e+10|9",
                        "true|x", "{\"a\":[1,2]}|]", "|x"};
    size_t l1[] = {18, 7, 4, 11, 0};
    run_row(r, c1, l1);
    /* row 2: NULLs everywhere */
    const char *c2[] = {NULL, NULL, NULL, NULL, NULL};
    size_t l2[] = {0, 0, 0, 0, 0};
    run_row(r, c2, l2);
    /* row 3: non-finite numbers are strings; negative and decimal numbers are bare */
    const char *c3[] = {"inf", "-inf", "false", "[]", "nan"};
    size_t l3[] = {3, 4, 5, 2, 3};
    run_row(r, c3, l3);
    const char *c4[] = {"x", "nan", "true", "null", ""};
    size_t l4[] = {1, 3, 4, 4, 0};
    run_row(r, c4, l4);
    const char *c5[] = {"-0.25", "-0.25", "true", "3", "Infinity"};
    size_t l5[] = {5, 5, 4, 1, 8};
    run_row(r, c5, l5);
}

static void json_writer_escapes_and_types(void **state)
{
    (void)state;
    run r;
    run_start(&r, LH_FORMAT_JSON, mixed_cols, 5);
    feed_mixed(&r);
    run_finish(&r, 5, true);
    const char *want =
        "{\"columns\":[{\"name\":\"s\",\"type\":\"VARCHAR\"},{\"name\":\"n\",\"type\":\"DOUBLE\"},"
        "{\"name\":\"b\",\"type\":\"BOOLEAN\"},{\"name\":\"j\",\"type\":\"STRUCT(\\\"a\\\" INTEGER[])\"},"
        "{\"name\":\"we\\\"ird\\\\\",\"type\":\"VARCHAR\"}],\"rows\":["
        "[\"q\\\"b\\\\s/\\u0001\\u001f\\t\\r\\n\x7f caf\xc3\xa9\",1.5e+10,true,{\"a\":[1,2]},\"\"],"
        "[null,null,null,null,null],"
        "[\"inf\",\"-inf\",false,[],\"nan\"],"
        "[\"x\",\"nan\",true,null,\"\"],"
        "[\"-0.25\",-0.25,true,3,\"Infinity\"]"
        "],\"row_count\":5,\"truncated\":true,\"elapsed_ms\":0.000}\n";
    assert_string_equal(lh_buf_cstr(&r.out.all), want);
    assert_int_equal(r.out.calls, 1); /* small result: one piece, at the end */

    /* and jansson reads it back to the same values */
    json_error_t jerr;
    json_t *doc = json_loadb(r.out.all.data, r.out.all.len, 0, &jerr);
    if (!doc)
        fail_msg("invalid JSON: %s at %d", jerr.text, jerr.position);
    json_t *rows = json_object_get(doc, "rows");
    assert_int_equal(json_array_size(rows), 5);
    json_t *r1 = json_array_get(rows, 0);
    assert_string_equal(json_string_value(json_array_get(r1, 0)),
                        "q\"b\\s/\x01\x1f\t\r\n\x7f caf\xc3\xa9");
    assert_true(json_is_real(json_array_get(r1, 1)));
    assert_true(json_real_value(json_array_get(r1, 1)) == 1.5e10);
    assert_true(json_is_true(json_array_get(r1, 2)));
    assert_int_equal(json_integer_value(json_array_get(json_object_get(json_array_get(r1, 3), "a"), 1)), 2);
    assert_true(json_is_null(json_array_get(json_array_get(rows, 1), 3)));
    assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 2), 1)), "-inf");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "columns"), 4), "name")),
                        "we\"ird\\");
    assert_int_equal(json_integer_value(json_object_get(doc, "row_count")), 5);
    assert_true(json_is_true(json_object_get(doc, "truncated")));
    json_decref(doc);
    run_free(&r);
}

static void json_writer_empty_result_and_elapsed(void **state)
{
    (void)state;
    run r;
    run_start(&r, LH_FORMAT_JSON, NULL, 0);
    lh_result_writer_set_start(r.w, lh_mono_ms() - 250.0);
    run_finish(&r, 0, false);
    json_error_t jerr;
    json_t *doc = json_loadb(r.out.all.data, r.out.all.len, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "columns")), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "rows")), 0);
    assert_int_equal(json_integer_value(json_object_get(doc, "row_count")), 0);
    assert_true(json_is_false(json_object_get(doc, "truncated")));
    double ms = json_real_value(json_object_get(doc, "elapsed_ms"));
    assert_true(ms >= 250.0 && ms < 60000.0);
    json_decref(doc);
    static const char head[] = "{\"columns\":[],\"rows\":[],\"row_count\":0,\"truncated\":false,\"elapsed_ms\":";
    assert_memory_equal(r.out.all.data, head, sizeof head - 1);
    run_free(&r);
}

static void ndjson_writer(void **state)
{
    (void)state;
    run r;
    run_start(&r, LH_FORMAT_NDJSON, mixed_cols, 5);
    feed_mixed(&r);
    run_finish(&r, 5, false);
    const char *want =
        "{\"s\":\"q\\\"b\\\\s/\\u0001\\u001f\\t\\r\\n\x7f caf\xc3\xa9\",\"n\":1.5e+10,\"b\":true,"
        "\"j\":{\"a\":[1,2]},\"we\\\"ird\\\\\":\"\"}\n"
        "{\"s\":null,\"n\":null,\"b\":null,\"j\":null,\"we\\\"ird\\\\\":null}\n"
        "{\"s\":\"inf\",\"n\":\"-inf\",\"b\":false,\"j\":[],\"we\\\"ird\\\\\":\"nan\"}\n"
        "{\"s\":\"x\",\"n\":\"nan\",\"b\":true,\"j\":null,\"we\\\"ird\\\\\":\"\"}\n"
        "{\"s\":\"-0.25\",\"n\":-0.25,\"b\":true,\"j\":3,\"we\\\"ird\\\\\":\"Infinity\"}\n";
    assert_string_equal(lh_buf_cstr(&r.out.all), want);
    /* every line is a JSON object on its own */
    char *text = strdup(r.out.all.data), *save = NULL;
    int lines = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t jerr;
        json_t *o = json_loads(line, 0, &jerr);
        if (!json_is_object(o))
            fail_msg("line %d is not a JSON object: %s", lines + 1, line);
        assert_int_equal(json_object_size(o), 5);
        json_decref(o);
        lines++;
    }
    free(text);
    assert_int_equal(lines, 5);
    run_free(&r);
    /* no rows: no output at all */
    run_start(&r, LH_FORMAT_NDJSON, mixed_cols, 5);
    run_finish(&r, 0, false);
    assert_int_equal(r.out.all.len, 0);
    assert_int_equal(r.out.calls, 0);
    run_free(&r);
}

static void csv_writer_rfc4180(void **state)
{
    (void)state;
    static const lh_result_column cols[] = {
        {"id", "INTEGER", LH_CELL_NUMBER},
        {"a,b", "VARCHAR", LH_CELL_STRING},
        {"say \"x\"", "VARCHAR", LH_CELL_STRING},
    };
    run r;
    run_start(&r, LH_FORMAT_CSV, cols, 3);
    const char *c1[] = {"1|", "plain|", "he said \"hi\"|"};
    size_t l1[] = {1, 5, 12};
    run_row(&r, c1, l1);
    const char *c2[] = {"2", "x,y", "line1\nline2"};
    size_t l2[] = {1, 3, 11};
    run_row(&r, c2, l2);
    const char *c3[] = {NULL, "", " lead"};
    size_t l3[] = {0, 0, 5};
    run_row(&r, c3, l3);
    const char *c4[] = {"4", "trail ", "cr\rhere"};
    size_t l4[] = {1, 6, 7};
    run_row(&r, c4, l4);
    const char *c5[] = {"5", "caf\xc3\xa9", "\""};
    size_t l5[] = {1, 5, 1};
    run_row(&r, c5, l5);
    run_finish(&r, 5, false);
    const char *want = "id,\"a,b\",\"say \"\"x\"\"\"\r\n"
                       "1,plain,\"he said \"\"hi\"\"\"\r\n"
                       "2,\"x,y\",\"line1\nline2\"\r\n"
                       ",,\" lead\"\r\n"
                       "4,\"trail \",\"cr\rhere\"\r\n"
                       "5,caf\xc3\xa9,\"\"\"\"\r\n";
    assert_string_equal(lh_buf_cstr(&r.out.all), want);
    run_free(&r);
}

static void table_writer_aligns(void **state)
{
    (void)state;
    static const lh_result_column cols[] = {
        {"id", "INTEGER", LH_CELL_NUMBER},
        {"name", "VARCHAR", LH_CELL_STRING},
        {"note", "VARCHAR", LH_CELL_STRING},
    };
    run r;
    run_start(&r, LH_FORMAT_TABLE, cols, 3);
    const char *c1[] = {"1|", "ann|", "x|"};
    size_t l1[] = {1, 3, 1};
    run_row(&r, c1, l1);
    const char *c2[] = {"22", NULL, "caf\xc3\xa9"};
    size_t l2[] = {2, 0, 5};
    run_row(&r, c2, l2);
    const char *c3[] = {"333", "zo\xc3\xab", "a\tb\nc"};
    size_t l3[] = {3, 4, 5};
    run_row(&r, c3, l3);
    assert_int_equal(r.out.calls, 0); /* the table needs every row before it prints */
    run_finish(&r, 3, false);
    const char *want = "id  | name | note\n"
                       "----+------+------\n"
                       "1   | ann  | x\n"
                       "22  | NULL | caf\xc3\xa9\n"
                       "333 | zo\xc3\xab  | a b c\n"
                       "(3 rows)\n";
    assert_string_equal(lh_buf_cstr(&r.out.all), want);
    run_free(&r);

    /* one row, truncated by the caller's limit */
    run_start(&r, LH_FORMAT_TABLE, cols, 1);
    run_row(&r, c1, l1);
    run_finish(&r, 1, true);
    assert_string_equal(lh_buf_cstr(&r.out.all), "id\n--\n1\n(1 row, truncated by limit)\n");
    run_free(&r);
}

static void table_writer_cuts_long_cells(void **state)
{
    (void)state;
    static const lh_result_column cols[] = {{"t", "VARCHAR", LH_CELL_STRING}};
    char longa[101];
    memset(longa, 'a', 100);
    longa[100] = '\0';
    run r;
    run_start(&r, LH_FORMAT_TABLE, cols, 1);
    const char *c[] = {longa};
    size_t l[] = {100};
    run_row(&r, c, l);
    size_t l60[] = {60}; /* exactly the limit: not cut */
    run_row(&r, c, l60);
    run_finish(&r, 2, false);
    char want[512];
    snprintf(want, sizeof want, "t\n%.60s\n%.57s...\n%.60s\n(2 rows)\n",
             "------------------------------------------------------------", longa, longa);
    assert_string_equal(lh_buf_cstr(&r.out.all), want);
    run_free(&r);
}

/* Builds n copies of the UTF-8 sequence ch. */
static char *repeat(const char *ch, int n)
{
    size_t k = strlen(ch);
    char *s = malloc(k * (size_t)n + 1);
    assert_non_null(s);
    for (int i = 0; i < n; i++)
        memcpy(s + k * (size_t)i, ch, k);
    s[k * (size_t)n] = '\0';
    return s;
}

/* Regression (fixed; src/engine/writers.c, table_keep, lines ~168-176): a long cell is cut at a UTF-8
 * boundary at or below 60 bytes, but then "..." is written over the LAST THREE BYTES of
 * the kept part (memcpy(copy + keep - 3, "...", 3)), which splits a multi-byte sequence:
 * a cell of 40 x "é" (80 bytes) renders as 28 x "é" + "\xc3" + "..." (invalid UTF-8),
 * 20 x "😀" as 14 emoji + "\xf0" + "...". Expected: valid UTF-8, whole characters then
 * "...". Trivial fix: after choosing keep, step back 3 bytes and again to a character
 * boundary before writing "...". (With invalid UTF-8 input made only of continuation
 * bytes, keep can even reach 0 and copy + keep - 3 writes before the allocation.) */
static void table_writer_cut_keeps_utf8_whole(void **state)
{
    (void)state;
    static const lh_result_column cols[] = {{"t", "VARCHAR", LH_CELL_STRING}};
    const char *chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    for (size_t k = 0; k < 3; k++) {
        char *s = repeat(chars[k], 40);
        run r;
        run_start(&r, LH_FORMAT_TABLE, cols, 1);
        const char *c[] = {s};
        size_t l[] = {strlen(s)};
        run_row(&r, c, l);
        run_finish(&r, 1, false);
        /* take the output and free everything first, so that a failure leaks nothing */
        char out[512];
        lh_strlcpy(out, lh_buf_cstr(&r.out.all), sizeof out);
        run_free(&r);
        char prefix[64];
        lh_strlcpy(prefix, s, sizeof prefix);
        free(s);
        if (!lh_utf8_valid(out, strlen(out)))
            fail_msg("table output is not valid UTF-8 for %zu-byte characters", strlen(chars[k]));
        /* the cell line: whole characters, then "..." */
        const char *line = strchr(strchr(out, '\n') + 1, '\n') + 1;
        const char *dots = strstr(line, "...\n");
        assert_non_null(dots);
        size_t kept = (size_t)(dots - line);
        assert_int_equal(kept % strlen(chars[k]), 0);
        assert_true(kept + 3 <= 60 && kept + 3 > 60 - 2 * strlen(chars[k]));
        assert_memory_equal(line, prefix, kept);
    }
}

static void table_writer_caps_rows(void **state)
{
    (void)state;
    static const lh_result_column cols[] = {{"n", "BIGINT", LH_CELL_NUMBER}};
    run r;
    run_start(&r, LH_FORMAT_TABLE, cols, 1);
    char num[32];
    for (int i = 0; i < 1005; i++) {
        int n = snprintf(num, sizeof num, "%d", i);
        const char *c[] = {num};
        size_t l[] = {(size_t)n};
        run_row(&r, c, l);
    }
    run_finish(&r, 1005, false);
    const char *out = lh_buf_cstr(&r.out.all);
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 2 + 1000 + 2);
    assert_non_null(strstr(out, "\n998\n999\n... 5 more rows not shown\n(1005 rows)\n"));
    assert_null(strstr(out, "\n1000\n"));
    /* the last column is not padded; the rule is as wide as "999" */
    assert_memory_equal(out, "n\n---\n0\n1\n", 10);
    run_free(&r);
}

static void big_result_is_flushed_in_pieces(void **state)
{
    (void)state;
    static const lh_result_column cols[] = {
        {"i", "BIGINT", LH_CELL_NUMBER},
        {"s", "VARCHAR", LH_CELL_STRING},
    };
    run r;
    run_start(&r, LH_FORMAT_CSV, cols, 2);
    lh_buf want;
    lh_buf_init(&want, 0);
    lh_buf_adds(&want, "i,s\r\n");
    char num[32];
    for (int i = 0; i < 50000; i++) {
        int n = snprintf(num, sizeof num, "%d", i);
        const char *c[] = {num, "payload-text"};
        size_t l[] = {(size_t)n, 12};
        run_row(&r, c, l);
        lh_buf_printf(&want, "%d,payload-text\r\n", i);
    }
    int before_end = r.out.calls;
    run_finish(&r, 50000, false);
    /* ~0.9 MB in pieces of about 64 KiB: many calls, none huge, nothing lost */
    assert_true(want.len > 800000);
    assert_true(before_end >= (int)(want.len / (64 * 1024)) - 1);
    assert_int_equal(r.out.calls, before_end + 1);
    assert_true(r.out.max_piece < 64 * 1024 + 64);
    assert_int_equal(r.out.all.len, want.len);
    assert_memory_equal(r.out.all.data, want.data, want.len);
    lh_buf_release(&want);
    run_free(&r);
}

static void write_error_stops_with_its_status(void **state)
{
    (void)state;
    static const lh_result_column cols[] = {{"s", "VARCHAR", LH_CELL_STRING}};
    run r;
    run_start(&r, LH_FORMAT_NDJSON, cols, 1);
    r.out.fail_on = 1;
    char big[1000];
    memset(big, 'z', sizeof big);
    const char *c[] = {big};
    size_t l[] = {sizeof big};
    lh_status st = LH_OK;
    int rows = 0;
    while (rows < 1000 && !(st = r.sink.row(r.sink.ctx, c, l, &r.err)))
        rows++;
    /* the first flush (at 64 KiB, i.e. the 65th 1009-byte line) fails, and says why */
    assert_int_equal(st, LH_EIO);
    assert_string_equal(r.err.msg, "client went away");
    assert_int_equal(rows, 64);
    assert_int_equal(r.out.calls, 1);
    run_free(&r);

    /* a failure at the final flush is reported by end() */
    run_start(&r, LH_FORMAT_JSON, cols, 1);
    r.out.fail_on = 1;
    run_row(&r, c, l);
    r.err.msg[0] = '\0';
    assert_int_equal(r.sink.end(r.sink.ctx, 1, false, &r.err), LH_EIO);
    assert_string_equal(r.err.msg, "client went away");
    run_free(&r);
}

static void format_names(void **state)
{
    (void)state;
    lh_result_format f = LH_FORMAT_TABLE;
    assert_int_equal(lh_result_format_parse("json", &f, NULL), LH_OK);
    assert_int_equal(f, LH_FORMAT_JSON);
    assert_int_equal(lh_result_format_parse("ndjson", &f, NULL), LH_OK);
    assert_int_equal(f, LH_FORMAT_NDJSON);
    assert_int_equal(lh_result_format_parse("csv", &f, NULL), LH_OK);
    assert_int_equal(f, LH_FORMAT_CSV);
    assert_int_equal(lh_result_format_parse("table", &f, NULL), LH_OK);
    assert_int_equal(f, LH_FORMAT_TABLE);
    lh_err err = {{0}};
    assert_int_equal(lh_result_format_parse("JSON", &f, &err), LH_EINVAL);
    assert_string_equal(err.msg, "unknown format 'JSON' (expected table, csv, json or ndjson)");
    assert_int_equal(lh_result_format_parse(NULL, &f, &err), LH_EINVAL);
    assert_int_equal(lh_result_format_parse("", &f, &err), LH_EINVAL);
    assert_int_equal(f, LH_FORMAT_TABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_writer_escapes_and_types),
        cmocka_unit_test(json_writer_empty_result_and_elapsed),
        cmocka_unit_test(ndjson_writer),
        cmocka_unit_test(csv_writer_rfc4180),
        cmocka_unit_test(table_writer_aligns),
        cmocka_unit_test(table_writer_cuts_long_cells),
        cmocka_unit_test(table_writer_cut_keeps_utf8_whole),
        cmocka_unit_test(table_writer_caps_rows),
        cmocka_unit_test(big_result_is_flushed_in_pieces),
        cmocka_unit_test(write_error_stops_with_its_status),
        cmocka_unit_test(format_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
