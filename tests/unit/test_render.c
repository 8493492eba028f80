/* Rendering values in C (src/engine/render.c) against DuckDB's own CAST(v AS VARCHAR).
 *
 * For every type render.c accepts, a table is filled with edge values (NaN of both signs,
 * infinities, -0.0, subnormals, the limits of every integer width, the widest decimals,
 * dates and timestamps before 1970 and before year 1, infinities) and a seeded sweep of
 * random values (random bit patterns and decimal-looking values for DOUBLE, random stored integers for the
 * rest), then `SELECT v, CAST(v AS VARCHAR)` is read back and every v rendered in C must
 * equal DuckDB's text byte for byte. A last test runs user queries through the engine
 * (C rendering) and compares them with the same columns cast to VARCHAR in SQL, NULLs
 * and unicode included. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine_fixture.h"

#ifndef SWEEP
#define SWEEP 20000 /* values per sweep; a longer local run: -DSWEEP=1000000 */
#endif

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, seeded above */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* A random value in [-bound, bound]. */
static int64_t rnd_within(int64_t bound)
{
    /* in unsigned arithmetic: [0, 2 bound] - bound would overflow int64 for big bounds */
    return (int64_t)(rnd() % (2 * (uint64_t)bound + 1) - (uint64_t)bound);
}

typedef struct db {
    duckdb_database db;
    duckdb_connection conn;
} db;

static int setup(void **state)
{
    db *d = calloc(1, sizeof *d);
    if (!d || duckdb_open(NULL, &d->db) == DuckDBError || duckdb_connect(d->db, &d->conn) == DuckDBError)
        return -1;
    *state = d;
    return 0;
}

static int teardown_db(void **state)
{
    db *d = *state;
    duckdb_disconnect(&d->conn);
    duckdb_close(&d->db);
    free(d);
    return 0;
}

static void exec(db *d, const char *sql)
{
    duckdb_result res;
    if (duckdb_query(d->conn, sql, &res) == DuckDBError)
        fail_msg("%s: %s", sql, duckdb_result_error(&res));
    duckdb_destroy_result(&res);
}

/* Every row of `SELECT v, CAST(v AS VARCHAR) FROM t`: v rendered in C must be the text;
 * returns the rows compared. */
static size_t compare_table(db *d, const char *what)
{
    duckdb_result res;
    if (duckdb_query(d->conn, "SELECT v, CAST(v AS VARCHAR) FROM t", &res) == DuckDBError)
        fail_msg("%s: %s", what, duckdb_result_error(&res));
    duckdb_logical_type lt = duckdb_column_logical_type(&res, 0);
    lh__render r;
    bool ok = lh__render_plan(lt, &r);
    duckdb_destroy_logical_type(&lt);
    if (!ok)
        fail_msg("%s: not rendered in C", what);
    size_t rows = 0, bad = 0;
    duckdb_data_chunk ch;
    while ((ch = duckdb_fetch_chunk(res))) {
        idx_t n = duckdb_data_chunk_get_size(ch);
        duckdb_vector v = duckdb_data_chunk_get_vector(ch, 0), s = duckdb_data_chunk_get_vector(ch, 1);
        void *data = duckdb_vector_get_data(v);
        uint64_t *valid = duckdb_vector_get_validity(v);
        duckdb_string_t *text = duckdb_vector_get_data(s);
        for (idx_t i = 0; i < n; i++, rows++) {
            if (valid && !duckdb_validity_row_is_valid(valid, i))
                continue;
            char out[LH__RENDER_MAX];
            size_t len = lh__render_cell(&r, data, i, out);
            assert_true(len < LH__RENDER_MAX);
            uint32_t want_len = duckdb_string_t_length(text[i]);
            const char *want = duckdb_string_t_data(&text[i]);
            if (len != want_len || memcmp(out, want, len)) {
                if (bad++ < 10)
                    fprintf(stderr, "%s row %llu: C '%.*s', DuckDB '%.*s'\n", what,
                            (unsigned long long)rows, (int)len, out, (int)want_len, want);
            }
        }
        duckdb_destroy_data_chunk(&ch);
    }
    duckdb_destroy_result(&res);
    if (bad)
        fail_msg("%s: %zu of %zu values rendered differently", what, bad, rows);
    return rows;
}

typedef duckdb_value (*gen_fn)(void);

/* t(v type) with the edge values (SQL literals, comma-separated rows) and SWEEP values
 * from gen (appended) when given; then compared. */
static void check_type(db *d, const char *type, const char *edges, gen_fn gen)
{
    char sql[4096];
    exec(d, "DROP TABLE IF EXISTS t");
    snprintf(sql, sizeof sql, "CREATE TABLE t(v %s)", type);
    exec(d, sql);
    snprintf(sql, sizeof sql, "INSERT INTO t SELECT CAST(x AS %s) FROM (VALUES %s) e(x)", type, edges);
    exec(d, sql);
    exec(d, "INSERT INTO t VALUES (NULL)");
    if (gen) {
        duckdb_appender app;
        assert_int_equal(duckdb_appender_create(d->conn, NULL, "t", &app), DuckDBSuccess);
        for (int i = 0; i < SWEEP; i++) {
            duckdb_value v = gen();
            if (duckdb_append_value(app, v) == DuckDBError || duckdb_appender_end_row(app) == DuckDBError)
                fail_msg("%s: append: %s", type, duckdb_appender_error(app));
            duckdb_destroy_value(&v);
        }
        assert_int_equal(duckdb_appender_destroy(&app), DuckDBSuccess);
    }
    size_t rows = compare_table(d, type);
    printf("%-16s %zu values\n", type, rows);
}

static duckdb_value g_double_bits(void)
{
    uint64_t b = rnd();
    double x;
    memcpy(&x, &b, sizeof x);
    return duckdb_create_double(x);
}

/* Decimal-looking doubles: k / 10^p, the values people store. */
static duckdb_value g_double_decimal(void)
{
    static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12};
    double x = (double)rnd_within(1000000000000000LL) / p10[rnd() % 13];
    if (rnd() % 4 == 0)
        x *= p10[rnd() % 13] * p10[rnd() % 13];
    return duckdb_create_double(x);
}

static duckdb_value g_bigint(void) { return duckdb_create_int64((int64_t)rnd() >> (rnd() % 64)); }
static duckdb_value g_ubigint(void) { return duckdb_create_uint64(rnd() >> (rnd() % 64)); }

static duckdb_value g_hugeint(void)
{
    duckdb_hugeint h = {rnd(), (int64_t)rnd() >> (rnd() % 64)};
    return duckdb_create_hugeint(h);
}

static duckdb_value g_uhugeint(void)
{
    duckdb_uhugeint h = {rnd(), rnd() >> (rnd() % 64)};
    return duckdb_create_uhugeint(h);
}

__extension__ typedef __int128 i128;

static duckdb_value decimal_of(uint8_t width, uint8_t scale)
{
    /* a random value with up to width digits */
    i128 bound = 1, v = 0;
    for (int i = 0; i < width; i++)
        bound *= 10;
    v = (i128)((((unsigned __int128)rnd() << 64) | rnd()) % (unsigned __int128)bound);
    v >>= rnd() % 100; /* short values too */
    if (rnd() & 1)
        v = -v;
    duckdb_decimal dec = {width, scale, {(uint64_t)v, (int64_t)(v >> 64)}};
    return duckdb_create_decimal(dec);
}
static duckdb_value g_dec_4_1(void) { return decimal_of(4, 1); }
static duckdb_value g_dec_9_4(void) { return decimal_of(9, 4); }
static duckdb_value g_dec_18_6(void) { return decimal_of(18, 6); }
static duckdb_value g_dec_18_18(void) { return decimal_of(18, 18); }
static duckdb_value g_dec_38_10(void) { return decimal_of(38, 10); }
static duckdb_value g_dec_38_0(void) { return decimal_of(38, 0); }

static duckdb_value g_date(void)
{
    duckdb_date dt = {(int32_t)(rnd() % 2 ? rnd_within(2000000000) : rnd_within(1000000))};
    return duckdb_create_date(dt);
}

/* Timestamps: mostly within a few thousand years of 1970, some near the limits. */
static int64_t ts_units(int64_t per_sec, int64_t limit)
{
    int64_t span = 4000LL * 366 * 86400; /* seconds */
    return rnd() % 2 ? rnd_within(span) * per_sec + rnd_within(per_sec - 1) : rnd_within(limit);
}
static duckdb_value g_ts(void)
{
    duckdb_timestamp t = {ts_units(1000000, 9000000000000000000LL)};
    return duckdb_create_timestamp(t);
}
static duckdb_value g_ts_s(void)
{
    duckdb_timestamp_s t = {ts_units(1, 9000000000000LL)};
    return duckdb_create_timestamp_s(t);
}
static duckdb_value g_ts_ms(void)
{
    duckdb_timestamp_ms t = {ts_units(1000, 9000000000000000LL)};
    return duckdb_create_timestamp_ms(t);
}
static duckdb_value g_ts_ns(void)
{
    duckdb_timestamp_ns t = {rnd_within(9000000000000000000LL)};
    return duckdb_create_timestamp_ns(t);
}
static duckdb_value g_time(void)
{
    duckdb_time t = {(int64_t)(rnd() % 86400000001ull)};
    return duckdb_create_time(t);
}
static duckdb_value g_uuid(void)
{
    duckdb_uhugeint u = {rnd(), rnd()};
    return duckdb_create_uuid(u);
}

static void floats_and_doubles(void **state)
{
    db *d = *state;
    const char *edges =
        "('nan'), ('-nan'), ('inf'), ('-inf'), ('0'), ('-0.0'), ('1'), ('-1'), ('0.1'), ('0.3'),"
        "('1e15'), ('1e16'), ('9007199254740993'), ('123456789012345.67'), ('1e-4'), ('1e-5'),"
        "('0.000123456789'), ('2.5e-05'), ('5e-324'), ('2.2250738585072014e-308'),"
        "('1.7976931348623157e308'), ('-1.5e300'), ('1e100'), ('1e21'), ('100'), ('12345678.9'),"
        "('3.4028235e38'), ('1.1754944e-38'), ('1.4e-45'), ('16777217'), ('0.2'), ('-3.14159')";
    check_type(d, "DOUBLE", edges, g_double_bits);
    check_type(d, "DOUBLE", edges, g_double_decimal);
    /* FLOAT stays with DuckDB's CAST (its text is not always the shortest: render.c);
     * the engine test below checks that its values still come out as CAST gives them. */
    duckdb_logical_type ft = duckdb_create_logical_type(DUCKDB_TYPE_FLOAT);
    lh__render r;
    assert_false(lh__render_plan(ft, &r));
    duckdb_destroy_logical_type(&ft);
}

static void integers_and_decimals(void **state)
{
    db *d = *state;
    check_type(d, "BOOLEAN", "(true), (false)", NULL);
    check_type(d, "TINYINT", "(-128), (127), (0), (-1)", NULL);
    check_type(d, "SMALLINT", "(-32768), (32767), (0)", NULL);
    check_type(d, "INTEGER", "(-2147483648), (2147483647), (0)", NULL);
    check_type(d, "BIGINT", "(-9223372036854775808), (9223372036854775807), (0)", g_bigint);
    check_type(d, "UTINYINT", "(0), (255)", NULL);
    check_type(d, "USMALLINT", "(0), (65535)", NULL);
    check_type(d, "UINTEGER", "(0), (4294967295)", NULL);
    check_type(d, "UBIGINT", "(0), (18446744073709551615)", g_ubigint);
    check_type(d, "HUGEINT", "('-170141183460469231731687303715884105728'), "
               "('170141183460469231731687303715884105727'), ('0'), ('-1')", g_hugeint);
    check_type(d, "UHUGEINT", "('0'), ('340282366920938463463374607431768211455')", g_uhugeint);
    check_type(d, "DECIMAL(4,1)", "('-999.9'), ('999.9'), ('0'), ('-0.5'), ('0.1')", g_dec_4_1);
    check_type(d, "DECIMAL(9,4)", "('-99999.9999'), ('0.0001'), ('-0.0001')", g_dec_9_4);
    check_type(d, "DECIMAL(18,6)", "('-999999999999.999999'), ('1'), ('-1')", g_dec_18_6);
    check_type(d, "DECIMAL(18,18)", "('0.999999999999999999'), ('-0.000000000000000001')", g_dec_18_18);
    check_type(d, "DECIMAL(38,10)", "('-9999999999999999999999999999.9999999999'), "
               "('9999999999999999999999999999.9999999999'), ('0')", g_dec_38_10);
    check_type(d, "DECIMAL(38,0)", "('-99999999999999999999999999999999999999'), ('0')", g_dec_38_0);
    check_type(d, "UUID", "('00000000-0000-0000-0000-000000000000'), "
               "('ffffffff-ffff-ffff-ffff-ffffffffffff'), ('80000000-0000-0000-0000-000000000000'), "
               "('7fffffff-ffff-ffff-ffff-ffffffffffff')", g_uuid);
}

static void dates_and_times(void **state)
{
    db *d = *state;
    check_type(d, "DATE", "('1969-12-31'), ('1970-01-01'), ('0001-01-01'), ('0001-12-31 (BC)'), "
               "('5001-03-01 (BC)'), ('99999-12-31'), ('infinity'), ('-infinity'), ('0010-02-28'), "
               "('1900-02-28'), ('2000-02-29'), ('1600-03-01')", g_date);
    const char *ts = "('1969-12-31 23:59:59.999999'), ('1960-01-01 00:00:00.5'), "
                     "('2020-01-01 10:00:00.0001'), ('infinity'), ('-infinity'), "
                     "('0001-12-31 (BC) 23:59:59'), ('1970-01-01 00:00:00'), ('1583-10-15 12:00:00')";
    check_type(d, "TIMESTAMP", ts, g_ts);
    check_type(d, "TIMESTAMP_S", ts, g_ts_s);
    check_type(d, "TIMESTAMP_MS", ts, g_ts_ms);
    check_type(d, "TIMESTAMP_NS", "('1969-12-31 23:59:59.999999999'), ('2020-01-01 00:00:00.000001'), "
               "('1677-09-22 00:00:00'), ('infinity'), ('-infinity')", g_ts_ns);
    check_type(d, "TIME", "('00:00:00'), ('24:00:00'), ('23:59:59.999999'), ('01:02:03.000001')", g_time);
}

/* ---- through the engine: user queries rendered in C vs the same columns cast in SQL ---- */

typedef struct rows {
    json_t *all;
} rows;

static lh_status r_begin(void *ctx, const lh_result_column *cols, size_t n, lh_err *err)
{
    (void)ctx, (void)cols, (void)n, (void)err;
    return LH_OK;
}
static lh_status r_row(void *ctx, const char *const *cells, const size_t *lens, lh_err *err)
{
    (void)err;
    rows *r = ctx;
    json_t *row = json_array();
    for (size_t i = 0; i < 9; i++)
        json_array_append_new(row, cells[i] ? json_stringn(cells[i], lens[i]) : json_null());
    json_array_append_new(r->all, row);
    return LH_OK;
}
static lh_status r_end(void *ctx, uint64_t n, bool truncated, lh_err *err)
{
    (void)ctx, (void)n, (void)truncated, (void)err;
    return LH_OK;
}

static json_t *user_rows(lh_engine *e, const char *sql)
{
    rows r = {json_array()};
    lh_result_sink sink = {r_begin, r_row, r_end, &r};
    lh_err err = {{0}};
    if (lh_engine_query(e, sql, NULL, &sink, &err))
        fail_msg("%s: %s", sql, err.msg);
    return r.all;
}

static void engine_output_equals_sql_cast(void **state)
{
    (void)state;
    fixture *f = fixture_open(2);
    assert_non_null(f);
    lh_err err = {{0}};
    if (lh_engine_exec(f->e,
            "CREATE VIEW vals AS SELECT * FROM (VALUES "
            "(1, 'caf\xc3\xa9 \xe2\x82\xac\xf0\x9f\x98\x80', 'nan'::DOUBLE, -0.0::DOUBLE, "
            " 12345678901234567890.123456789::DECIMAL(38,9), DATE '1969-07-20', "
            " TIMESTAMP '1969-07-20 20:17:40.5', true, 1.5::FLOAT),"
            "(2, NULL, NULL, 'inf'::DOUBLE, NULL, NULL, NULL, NULL, NULL),"
            "(3, '', 1e-7, 0.1, -0.01, DATE '0044-03-15' - 365 * 100, "
            " TIMESTAMP '0001-01-01 00:00:00' - INTERVAL 1 microsecond, false, 'nan'::FLOAT)"
            ") v(k, s, x, y, d, dt, ts, b, fl)", &err) ||
        lh_engine_allow_relation(f->e, "vals", &err))
        fail_msg("setup: %s", err.msg);
    json_t *c = user_rows(f->e, "SELECT * FROM vals ORDER BY k");
    json_t *sql = user_rows(f->e, "SELECT CAST(k AS VARCHAR), s, CAST(x AS VARCHAR), "
                            "CAST(y AS VARCHAR), CAST(d AS VARCHAR), CAST(dt AS VARCHAR), "
                            "CAST(ts AS VARCHAR), CAST(b AS VARCHAR), CAST(fl AS VARCHAR) "
                            "FROM vals ORDER BY k");
    char *a = json_dumps(c, JSON_COMPACT), *b = json_dumps(sql, JSON_COMPACT);
    printf("C:   %s\nSQL: %s\n", a, b);
    assert_int_equal(json_array_size(c), 3);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(c);
    json_decref(sql);
    teardown((void **)&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(floats_and_doubles, setup, teardown_db),
        cmocka_unit_test_setup_teardown(integers_and_decimals, setup, teardown_db),
        cmocka_unit_test_setup_teardown(dates_and_times, setup, teardown_db),
        cmocka_unit_test(engine_output_equals_sql_cast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
