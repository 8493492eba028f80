/* Unit tests for src/net/request.c (#included to reach its static helpers): the
 * Retry-After header in both of its forms (RFC 9110 10.2.3), and the reply's header
 * callback that keeps it. The requests themselves are exercised end to end against a
 * real server by tests/e2e/ai_providers.sh. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <time.h>

#include "net/request.c"

static int64_t ra(const char *v) { return parse_retry_after(v, strlen(v)); }

static void retry_after_seconds(void **state)
{
    (void)state;
    assert_int_equal(ra("1"), 1000);
    assert_int_equal(ra(" 120\r\n"), 120000);
    assert_int_equal(ra("0"), 0);
    assert_int_equal(ra("999999999"), 86400 * 1000LL); /* a day at most */
    assert_int_equal(ra("-5"), -1);
    assert_int_equal(ra("soon"), -1);
    assert_int_equal(ra(""), -1);
    assert_int_equal(ra("1.5"), -1);
}

static void retry_after_date(void **state)
{
    (void)state;
    char v[64];
    time_t t = time(NULL) + 30;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(v, sizeof v, "%a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    int64_t ms = ra(v);
    assert_true(ms > 25000 && ms <= 31000);
    assert_int_equal(ra("Wed, 21 Oct 2015 07:28:00 GMT"), 0); /* in the past: now */
    assert_int_equal(ra("Wed, 21 Oct 2015 07:28:00"), -1);     /* no zone */
    assert_int_equal(ra("Wed, 21 Oct 2015 07:28:00 GMT trailing"), -1);
}

static void header_callback(void **state)
{
    (void)state;
    lh_net_reply rep = {.retry_after_ms = -1};
    char h1[] = "HTTP/1.1 429 Too Many Requests\r\n";
    char h2[] = "retry-AFTER: 7\r\n";
    char h3[] = "Content-Type: application/json\r\n";
    assert_int_equal(on_header(h1, 1, strlen(h1), &rep), strlen(h1));
    assert_int_equal(on_header(h2, 1, strlen(h2), &rep), strlen(h2));
    assert_int_equal(on_header(h3, 1, strlen(h3), &rep), strlen(h3));
    assert_int_equal(rep.retry_after_ms, 7000);
    /* a later response on the same transfer has its own headers */
    char h4[] = "HTTP/1.1 200 OK\r\n";
    on_header(h4, 1, strlen(h4), &rep);
    assert_int_equal(rep.retry_after_ms, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retry_after_seconds),
        cmocka_unit_test(retry_after_date),
        cmocka_unit_test(header_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
