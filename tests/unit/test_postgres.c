/* Unit tests for the PostgreSQL source's pure parts (no server): the redacted lineage
 * URI, scrubbing the password from messages, numeric typmods. Includes the .c under test
 * to reach its static functions (STYLE.md habit 10). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "../src/ingest/postgres.c"

/* Parses dsn with libpq and returns the redacted URI (static buffer). */
static const char *redacted(const char *dsn)
{
    static char out[1024];
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &msg);
    assert_non_null(opts);
    lh_buf b;
    lh_buf_init(&b, 0);
    redacted_uri(opts, &b);
    snprintf(out, sizeof out, "%s", lh_buf_cstr(&b));
    lh_buf_release(&b);
    PQconninfoFree(opts);
    return out;
}

static void uri_loses_its_password(void **state)
{
    (void)state;
    assert_string_equal(redacted("postgresql://u:p%40ss@db.example:5433/shop"),
                        "postgresql://u@db.example:5433/shop");
    assert_string_equal(redacted("postgres://u:pw@h/d?sslmode=require&password=x"),
                        "postgresql://u@h/d?sslmode=require");
    assert_string_equal(redacted("host=h port=1 user='a b' password=secret dbname=x"),
                        "postgresql://a%20b@h:1/x");
    assert_string_equal(redacted("postgresql://u:pw@[::1]:5432/d"), "postgresql://u@[::1]:5432/d");
    assert_string_equal(redacted("postgresql://u:pw@h1:1,h2:2/d"), "postgresql://u@/d?host=h1%2Ch2&port=1%2C2");
    assert_string_equal(redacted("host=/run/pg user=u password=pw"), "postgresql://u@?host=%2Frun%2Fpg");
}

static void raw_password_as_written(void **state)
{
    (void)state;
    char *p = lh__pg_uri_password("postgresql://u:p%40ss@h/d");
    assert_string_equal(p, "p%40ss");
    free(p);
    assert_null(lh__pg_uri_password("postgresql://u@h/d"));
    assert_null(lh__pg_uri_password("host=h password=x"));
}

static void messages_are_scrubbed(void **state)
{
    (void)state;
    lh_err err;
    snprintf(err.msg, sizeof err.msg, "bad 'hunter2' and p%%40ss then hunter2");
    pg_job j = {.password = "hunter2", .raw_password = (char *)"p%40ss"};
    scrub(&j, &err);
    assert_string_equal(err.msg, "bad '***' and *** then ***");
}

static void numeric_typmods(void **state)
{
    (void)state;
    char t[32];
    numeric_type(((12 << 16) | 2) + 4, t, sizeof t);
    assert_string_equal(t, "DECIMAL(12,2)");
    numeric_type(((38 << 16) | 0) + 4, t, sizeof t);
    assert_string_equal(t, "DECIMAL(38,0)");
    numeric_type(((39 << 16) | 2) + 4, t, sizeof t);
    assert_string_equal(t, "VARCHAR");
    numeric_type(-1, t, sizeof t); /* unconstrained */
    assert_string_equal(t, "VARCHAR");
    numeric_type(((5 << 16) | (0x800 - 2)) + 4, t, sizeof t); /* numeric(5,-2) */
    assert_string_equal(t, "VARCHAR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uri_loses_its_password),
        cmocka_unit_test(raw_password_as_written),
        cmocka_unit_test(messages_are_scrubbed),
        cmocka_unit_test(numeric_typmods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
