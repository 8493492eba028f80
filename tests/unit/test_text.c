/* Unit tests for the paragraph splitter of the text converter (src/ingest/text.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest_int.h"

/* Renders each paragraph as "LINE:[text]" into the buffer. */
static lh_status collect(void *ctx, const char *text, size_t len, int64_t line_start, lh_err *err)
{
    (void)err;
    return lh_buf_printf(ctx, "%lld:[%.*s]", (long long)line_start, (int)len, text);
}

static void expect_split(const char *input, const char *want)
{
    lh_buf b;
    lh_buf_init(&b, 0);
    lh_err err = {{0}};
    assert_int_equal(lh__text_split(input, strlen(input), collect, &b, &err), LH_OK);
    assert_string_equal(lh_buf_cstr(&b), want);
    lh_buf_release(&b);
}

static void paragraphs_and_lines(void **state)
{
    (void)state;
    expect_split("one", "1:[one]");
    expect_split("one\n", "1:[one]");
    expect_split("a\nb\n\nc\n", "1:[a\nb]4:[c]");
    expect_split("\n\n\na\n\n\n\nb", "4:[a]8:[b]");
    expect_split("", "");
    expect_split("\n \t\n\r\n", "");
}

static void whitespace_lines_separate(void **state)
{
    (void)state;
    /* A line of spaces and tabs is blank; indentation inside a paragraph is kept. */
    expect_split("a\n   \t \n  b\n    c", "1:[a]3:[  b\n    c]");
}

static void crlf_and_bom(void **state)
{
    (void)state;
    expect_split("\xef\xbb\xbfhi\r\nthere\r\n\r\nnext\r\n", "1:[hi\r\nthere]4:[next]");
    expect_split("x\r\n\r\n", "1:[x]");
}

static void utf8_passes_through(void **state)
{
    (void)state;
    expect_split("caf\xc3\xa9\n\n\xf0\x9f\x91\x8b", "1:[caf\xc3\xa9]3:[\xf0\x9f\x91\x8b]");
}

static lh_status stop_at_second(void *ctx, const char *text, size_t len, int64_t line_start, lh_err *err)
{
    (void)text;
    (void)len;
    int *seen = ctx;
    if (++*seen == 2)
        return lh_fail(err, LH_EINVAL, "stop at line %lld", (long long)line_start);
    return LH_OK;
}

static void callback_failure_stops(void **state)
{
    (void)state;
    int seen = 0;
    lh_err err = {{0}};
    const char *in = "a\n\nb\n\nc\n";
    assert_int_equal(lh__text_split(in, strlen(in), stop_at_second, &seen, &err), LH_EINVAL);
    assert_int_equal(seen, 2);
    assert_string_equal(err.msg, "stop at line 3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paragraphs_and_lines),
        cmocka_unit_test(whitespace_lines_separate),
        cmocka_unit_test(crlf_and_bom),
        cmocka_unit_test(utf8_passes_through),
        cmocka_unit_test(callback_failure_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
