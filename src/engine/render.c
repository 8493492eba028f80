/* render.c: result values as text, read straight from DuckDB's vectors.
 *
 * Each function here writes byte for byte what DuckDB 1.4's CAST(x AS VARCHAR) gives for
 * the same value (tests/unit/test_render.c compares the two over edge values and a seeded
 * sweep of random bit patterns), so that rendering in C changed no output: before, every
 * column went through a SELECT CAST(#i AS VARCHAR) ... FROM (sql) wrapper, which cost a
 * second parse and bind of every query. Types not listed in lh__render_plan (intervals,
 * BLOB, ENUM, time zones, nested types...) keep that wrapper (query.c).
 *
 * The rules copied, found by asking DuckDB:
 *   - DOUBLE: the shortest digits that read back as the same value, fixed notation when the decimal exponent is from -4 to 15 (always with a fraction: "1.0"), else d[.ddd]e+XX with at least two exponent
 *     digits; "nan", "-nan", "inf", "-inf", "-0.0".
 *   - DECIMAL: the scaled integer with exactly `scale` fraction digits ("-0.50"), and
 *     no integer digit when width = scale (".50").
 *   - DATE: YYYY-MM-DD with at least four year digits; years up to 0 as "(1 - y) ... (BC)";
 *     "infinity" / "-infinity".
 *   - TIMESTAMP (all precisions): "<date> HH:MM:SS[.fraction]" with trailing zeros of the
 *     fraction dropped; " (BC)" goes after the date part.
 *   - TIME: HH:MM:SS[.fraction], up to 24:00:00.
 *   - UUID: the stored 128-bit value with its top bit flipped back, in lowercase hex. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

bool lh__render_plan(duckdb_logical_type t, lh__render *r)
{
    duckdb_type id = duckdb_get_type_id(t);
    r->id = id;
    r->phys = id;
    r->scale = r->width = 0;
    switch (id) {
    case DUCKDB_TYPE_BOOLEAN: case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER: case DUCKDB_TYPE_BIGINT: case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT: case DUCKDB_TYPE_UINTEGER: case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT: case DUCKDB_TYPE_UHUGEINT: case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_VARCHAR: case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIME: case DUCKDB_TYPE_TIMESTAMP: case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS: case DUCKDB_TYPE_TIMESTAMP_NS: case DUCKDB_TYPE_UUID:
        return true;
    case DUCKDB_TYPE_DECIMAL:
        r->scale = duckdb_decimal_scale(t);
        r->width = duckdb_decimal_width(t);
        r->phys = duckdb_decimal_internal_type(t);
        return r->phys == DUCKDB_TYPE_SMALLINT || r->phys == DUCKDB_TYPE_INTEGER ||
               r->phys == DUCKDB_TYPE_BIGINT || r->phys == DUCKDB_TYPE_HUGEINT;
    default:
        return false;
    }
}

/* ---- integers ------------------------------------------------------------------- */

/* The decimal digits of v, right-aligned so that they end at end; returns their start.
 * Two digits per 64-bit division: the 128-bit path only for values past 64 bits. */
static char *digits_u64(uint64_t v, char *end)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    while (v >= 100) {
        unsigned k = (unsigned)(v % 100) * 2;
        v /= 100;
        *--end = pairs[k + 1];
        *--end = pairs[k];
    }
    if (v >= 10) {
        *--end = pairs[v * 2 + 1];
        *--end = pairs[v * 2];
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

static char *digits_u128(u128 v, char *end)
{
    while (v > UINT64_MAX) {
        /* 19 digits at a time: v = hi * 10^19 + lo */
        const uint64_t p19 = 10000000000000000000ull;
        uint64_t lo = (uint64_t)(v % p19);
        v /= p19;
        char *start = digits_u64(lo, end);
        while (end - start < 19)
            *--start = '0';
        end = start;
    }
    return digits_u64((uint64_t)v, end);
}

static size_t put_u128(u128 v, bool neg, char *out)
{
    char tmp[48];
    char *s = digits_u128(v, tmp + sizeof tmp);
    size_t n = (size_t)(tmp + sizeof tmp - s), k = 0;
    if (neg)
        out[k++] = '-';
    memcpy(out + k, s, n);
    return k + n;
}

static size_t put_i128(i128 v, char *out)
{
    return v < 0 ? put_u128((u128)0 - (u128)v, true, out) : put_u128((u128)v, false, out);
}

static size_t put_i64(int64_t v, char *out)
{
    char tmp[24];
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *s = digits_u64(m, tmp + sizeof tmp);
    size_t n = (size_t)(tmp + sizeof tmp - s), k = 0;
    if (v < 0)
        out[k++] = '-';
    memcpy(out + k, s, n);
    return k + n;
}

/* v / 10^scale with exactly scale fraction digits; no integer digit when the type has
 * none (DECIMAL(18,18): ".5", "-.5"), as DuckDB writes it. */
static size_t put_decimal(i128 v, unsigned width, unsigned scale, char *out)
{
    if (!scale)
        return put_i128(v, out);
    bool neg = v < 0;
    u128 m = neg ? (u128)0 - (u128)v : (u128)v;
    char tmp[64];
    char *end = tmp + sizeof tmp, *s = digits_u128(m, end);
    while ((size_t)(end - s) < scale + (width > scale)) /* an integer digit if any */
        *--s = '0';
    size_t n = (size_t)(end - s), ip = n - scale, k = 0;
    if (neg)
        out[k++] = '-';
    memcpy(out + k, s, ip);
    k += ip;
    out[k++] = '.';
    memcpy(out + k, s + ip, scale);
    return k + scale;
}

/* ---- floating point -------------------------------------------------------------- */

static size_t put_str(const char *s, char *out)
{
    size_t n = strlen(s);
    memcpy(out, s, n);
    return n;
}

/* The shortest round-trip digits of v: any value that some decimal of at most 15
 * significant digits reads back as is that decimal rounded to 15 digits (DBL_DIG), so 15
 * digits with trailing zeros dropped are the shortest; otherwise 16, then 17 (which
 * always reads back). Subnormals hold fewer digits, so for them the search starts at 1.
 * (FLOAT is not rendered here: DuckDB's text for about 0.7% of floats is longer than
 * the shortest, its formatter's fallback path, so FLOAT keeps the CAST.) */
static size_t put_double(double v, char *out)
{
    if (isnan(v))
        return put_str(signbit(v) ? "-nan" : "nan", out);
    if (isinf(v))
        return put_str(v < 0 ? "-inf" : "inf", out);
    if (v == 0)
        return put_str(signbit(v) ? "-0.0" : "0.0", out);
    char sci[40];
    for (int p = fabs(v) < DBL_MIN ? 1 : 15; p <= 17; p++) {
        snprintf(sci, sizeof sci, "%.*e", p - 1, v);
        if (p == 17 || strtod(sci, NULL) == v)
            break;
    }
    /* sci is [-]d.ddde[+-]XX */
    const char *s = sci;
    size_t k = 0;
    if (*s == '-')
        out[k++] = '-', s++;
    char dig[24];
    size_t nd = 0;
    for (; *s && *s != 'e'; s++)
        if (*s != '.')
            dig[nd++] = *s;
    int exp = (int)strtol(s + 1, NULL, 10);
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    if (exp > -5 && exp < 16) {
        if (exp >= 0) {
            for (int i = 0; i <= exp; i++)
                out[k++] = (size_t)i < nd ? dig[i] : '0';
            out[k++] = '.';
            if ((size_t)exp + 1 < nd) {
                memcpy(out + k, dig + exp + 1, nd - (size_t)exp - 1);
                k += nd - (size_t)exp - 1;
            } else {
                out[k++] = '0';
            }
        } else {
            out[k++] = '0';
            out[k++] = '.';
            for (int i = 0; i < -exp - 1; i++)
                out[k++] = '0';
            memcpy(out + k, dig, nd);
            k += nd;
        }
        return k;
    }
    out[k++] = dig[0];
    if (nd > 1) {
        out[k++] = '.';
        memcpy(out + k, dig + 1, nd - 1);
        k += nd - 1;
    }
    out[k++] = 'e';
    out[k++] = exp < 0 ? '-' : '+';
    int a = exp < 0 ? -exp : exp;
    if (a >= 100)
        out[k++] = (char)('0' + a / 100);
    out[k++] = (char)('0' + a / 10 % 10);
    out[k++] = (char)('0' + a % 10);
    return k;
}

/* ---- dates and times -------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Proleptic Gregorian year, month, day of a day count from 1970-01-01. */
static void civil(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static size_t put_2(int v, char *out)
{
    out[0] = (char)('0' + v / 10);
    out[1] = (char)('0' + v % 10);
    return 2;
}

/* YYYY-MM-DD, and whether the year is BC (the caller places " (BC)"). */
static size_t put_date(int64_t days, bool *bc, char *out)
{
    int64_t y;
    int m, d;
    civil(days, &y, &m, &d);
    *bc = y <= 0;
    if (*bc)
        y = 1 - y;
    char tmp[24];
    char *s = digits_u128((u128)y, tmp + sizeof tmp);
    while (tmp + sizeof tmp - s < 4)
        *--s = '0';
    size_t k = (size_t)(tmp + sizeof tmp - s);
    memcpy(out, s, k);
    out[k++] = '-';
    k += put_2(m, out + k);
    out[k++] = '-';
    k += put_2(d, out + k);
    return k;
}

/* HH:MM:SS[.f] of t units since midnight (per_sec units a second, 10^digits). */
static size_t put_time(int64_t t, int64_t per_sec, int digits, char *out)
{
    int64_t secs = t / per_sec, frac = t % per_sec;
    size_t k = put_2((int)(secs / 3600), out);
    out[k++] = ':';
    k += put_2((int)(secs / 60 % 60), out + k);
    out[k++] = ':';
    k += put_2((int)(secs % 60), out + k);
    if (frac) {
        out[k++] = '.';
        char f[12];
        for (int i = digits - 1; i >= 0; i--, frac /= 10)
            f[i] = (char)('0' + frac % 10);
        int n = digits;
        while (n > 1 && f[n - 1] == '0')
            n--;
        memcpy(out + k, f, (size_t)n);
        k += (size_t)n;
    }
    return k;
}

static size_t put_timestamp(int64_t v, int64_t per_sec, int digits, char *out)
{
    if (v == INT64_MAX)
        return put_str("infinity", out);
    if (v == -INT64_MAX)
        return put_str("-infinity", out);
    int64_t per_day = per_sec * 86400;
    int64_t days = floor_div(v, per_day), rest = v - days * per_day;
    bool bc;
    size_t k = put_date(days, &bc, out);
    if (bc)
        k += put_str(" (BC)", out + k);
    out[k++] = ' ';
    return k + put_time(rest, per_sec, digits, out + k);
}

static size_t put_uuid(duckdb_hugeint h, char *out)
{
    uint64_t hi = (uint64_t)h.upper ^ ((uint64_t)1 << 63), lo = h.lower;
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (int i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[k++] = '-';
        uint64_t w = i < 16 ? hi : lo;
        out[k++] = hex[(w >> (60 - 4 * (i % 16))) & 15];
    }
    return k;
}

/* ---- one cell --------------------------------------------------------------------- */

static i128 hugeint_of(duckdb_hugeint h)
{
    return (i128)(((u128)(uint64_t)h.upper << 64) | h.lower);
}

size_t lh__render_cell(const lh__render *r, const void *data, idx_t row, char *out)
{
    switch (r->id) {
    case DUCKDB_TYPE_BOOLEAN:
        return put_str(((const bool *)data)[row] ? "true" : "false", out);
    case DUCKDB_TYPE_TINYINT: return put_i64(((const int8_t *)data)[row], out);
    case DUCKDB_TYPE_SMALLINT: return put_i64(((const int16_t *)data)[row], out);
    case DUCKDB_TYPE_INTEGER: return put_i64(((const int32_t *)data)[row], out);
    case DUCKDB_TYPE_BIGINT: return put_i64(((const int64_t *)data)[row], out);
    case DUCKDB_TYPE_UTINYINT: return put_u128(((const uint8_t *)data)[row], false, out);
    case DUCKDB_TYPE_USMALLINT: return put_u128(((const uint16_t *)data)[row], false, out);
    case DUCKDB_TYPE_UINTEGER: return put_u128(((const uint32_t *)data)[row], false, out);
    case DUCKDB_TYPE_UBIGINT: return put_u128(((const uint64_t *)data)[row], false, out);
    case DUCKDB_TYPE_HUGEINT: return put_i128(hugeint_of(((const duckdb_hugeint *)data)[row]), out);
    case DUCKDB_TYPE_UHUGEINT: {
        duckdb_uhugeint u = ((const duckdb_uhugeint *)data)[row];
        return put_u128(((u128)u.upper << 64) | u.lower, false, out);
    }
    case DUCKDB_TYPE_DOUBLE: return put_double(((const double *)data)[row], out);
    case DUCKDB_TYPE_DECIMAL:
        switch (r->phys) {
        case DUCKDB_TYPE_SMALLINT: return put_decimal(((const int16_t *)data)[row], r->width, r->scale, out);
        case DUCKDB_TYPE_INTEGER: return put_decimal(((const int32_t *)data)[row], r->width, r->scale, out);
        case DUCKDB_TYPE_BIGINT: return put_decimal(((const int64_t *)data)[row], r->width, r->scale, out);
        default: return put_decimal(hugeint_of(((const duckdb_hugeint *)data)[row]), r->width, r->scale, out);
        }
    case DUCKDB_TYPE_DATE: {
        int32_t d = ((const int32_t *)data)[row];
        if (d == INT32_MAX)
            return put_str("infinity", out);
        if (d == -INT32_MAX)
            return put_str("-infinity", out);
        bool bc;
        size_t k = put_date(d, &bc, out);
        return bc ? k + put_str(" (BC)", out + k) : k;
    }
    case DUCKDB_TYPE_TIME: return put_time(((const int64_t *)data)[row], 1000000, 6, out);
    case DUCKDB_TYPE_TIMESTAMP: return put_timestamp(((const int64_t *)data)[row], 1000000, 6, out);
    case DUCKDB_TYPE_TIMESTAMP_S: return put_timestamp(((const int64_t *)data)[row], 1, 0, out);
    case DUCKDB_TYPE_TIMESTAMP_MS: return put_timestamp(((const int64_t *)data)[row], 1000, 3, out);
    case DUCKDB_TYPE_TIMESTAMP_NS:
        return put_timestamp(((const int64_t *)data)[row], 1000000000, 9, out);
    case DUCKDB_TYPE_UUID: return put_uuid(((const duckdb_hugeint *)data)[row], out);
    default:
        lh_assert(!"lh__render_cell: a type lh__render_plan did not accept");
        return 0;
    }
}
