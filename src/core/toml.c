/* toml.c: a strict TOML 1.0 reader (see toml.h for the JSON mapping and error shape).
 *
 * One pass, recursive descent over the bytes. The only subtle part of TOML is which
 * tables may be reopened; jansson objects cannot carry that, so a side table keyed by
 * node pointer records how each table came to exist (see enum table_kind). */
#include "core/toml.h"
#include "core/alloc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"

/* Nesting of arrays / inline tables; deeper input is hostile, not a config file, and
 * this bound keeps the recursion's stack use small. */
#define TOML_MAX_DEPTH 128
/* Parts of one dotted key or header. */
#define TOML_MAX_KEY_PARTS 128

/* How a table came to exist decides what may extend it later (TOML 1.0 "Table"):
 * IMPLICIT: created as a parent by a [a.b] header; one later [a] header may define it,
 *           and dotted keys may still add to it.
 * EXPLICIT: defined by a header (or an [[x]] element); never by a header again, and
 *           dotted keys from elsewhere may not reach into it.
 * DOTTED:   created by a dotted key; headers may add sub-tables below it but may not
 *           define it.
 * INLINE:   { ... }; complete once written, nothing may extend it.
 * AOT marks an array created by [[x]], the only kind of array [[x]] may append to. */
enum table_kind { K_NONE = 0, K_IMPLICIT, K_EXPLICIT, K_DOTTED, K_INLINE, K_AOT };

typedef struct kind_slot {
    const json_t *node;
    int kind;
} kind_slot;

typedef struct key_path {
    lh_buf text;                     /* all parts, back to back */
    size_t n;
    size_t off[TOML_MAX_KEY_PARTS];
    size_t len[TOML_MAX_KEY_PARTS];
    size_t pos[TOML_MAX_KEY_PARTS];  /* where each part starts, for error positions */
} key_path;

typedef struct parser {
    const char *s;
    size_t len, pos;
    const char *file;
    lh_err *err;
    json_t *root, *cur;
    kind_slot *slots;
    size_t nslots, nused;            /* nslots is 0 or a power of two */
    int depth;
} parser;

/* ---- errors ------------------------------------------------------------------------ */

static lh_status __attribute__((format(printf, 3, 4)))
perr(parser *p, size_t at, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at > p->len)
        at = p->len;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at; i++) {
        unsigned char c = (unsigned char)p->s[i];
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xc0) != 0x80) { /* count characters, not continuation bytes */
            col++;
        }
    }
    return lh_fail(p->err, LH_EINVAL, "%s:%zu:%zu: %s", p->file, line, col, msg);
}

static lh_status oom(parser *p) { return lh_fail(p->err, LH_ENOMEM, "%s: out of memory", p->file); }

/* ---- table kinds: open-addressing map from node pointer to kind --------------------- */

static size_t slot_of(const parser *p, const json_t *n)
{
    uint64_t h = (uint64_t)(uintptr_t)n * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (p->nslots - 1);
}

static int kind_get(const parser *p, const json_t *n)
{
    if (!p->nslots)
        return K_NONE;
    for (size_t i = slot_of(p, n);; i = (i + 1) & (p->nslots - 1)) {
        if (p->slots[i].node == n)
            return p->slots[i].kind;
        if (!p->slots[i].node)
            return K_NONE;
    }
}

static lh_status kind_set(parser *p, const json_t *n, int kind)
{
    if ((p->nused + 1) * 2 > p->nslots) {
        size_t nn = p->nslots ? p->nslots * 2 : 64;
        kind_slot *ns = lh_calloc(nn, sizeof *ns), *old = p->slots;
        if (!ns)
            return oom(p);
        size_t on = p->nslots;
        p->slots = ns;
        p->nslots = nn;
        p->nused = 0;
        for (size_t i = 0; i < on; i++)
            if (old[i].node)
                kind_set(p, old[i].node, old[i].kind); /* cannot grow again: room for all */
        free(old);
    }
    size_t i = slot_of(p, n);
    while (p->slots[i].node && p->slots[i].node != n)
        i = (i + 1) & (p->nslots - 1);
    if (!p->slots[i].node)
        p->nused++;
    p->slots[i].node = n;
    p->slots[i].kind = kind;
    return LH_OK;
}

/* A new empty table of the given kind stored under key in parent (which owns it). */
static lh_status new_table(parser *p, json_t *parent, const char *key, size_t klen, int kind,
                           json_t **out)
{
    json_t *t = json_object();
    if (!t || json_object_setn_new(parent, key, klen, t) != 0)
        return oom(p); /* setn_new consumed t either way */
    *out = t;
    return kind_set(p, t, kind);
}

/* ---- characters ---------------------------------------------------------------------- */

static int peek(const parser *p, size_t k)
{
    return p->pos + k < p->len ? (unsigned char)p->s[p->pos + k] : -1;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static bool is_bare(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == '-';
}

/* The control characters TOML forbids in comments and strings (tab is allowed). */
static bool is_control(int c) { return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f; }

static bool at_newline(const parser *p)
{
    return peek(p, 0) == '\n' || (peek(p, 0) == '\r' && peek(p, 1) == '\n');
}

static void skip_newline(parser *p) { p->pos += peek(p, 0) == '\r' ? 2 : 1; }

static void skip_ws(parser *p)
{
    while (peek(p, 0) == ' ' || peek(p, 0) == '\t')
        p->pos++;
}

static bool match(const parser *p, const char *word)
{
    size_t n = strlen(word);
    return p->len - p->pos >= n && memcmp(p->s + p->pos, word, n) == 0;
}

/* A comment runs to the end of the line; the newline itself is left for the caller. */
static lh_status skip_comment(parser *p)
{
    if (peek(p, 0) != '#')
        return LH_OK;
    for (p->pos++; p->pos < p->len && !at_newline(p); p->pos++) {
        int c = peek(p, 0);
        if (is_control(c))
            return perr(p, p->pos, "control character U+%04X is not allowed in a comment", c);
    }
    return LH_OK;
}

/* Whitespace, comments and newlines: what may sit between array elements. */
static lh_status skip_ws_nl(parser *p)
{
    for (;;) {
        skip_ws(p);
        lh_status st = skip_comment(p);
        if (st)
            return st;
        if (!at_newline(p))
            return LH_OK;
        skip_newline(p);
    }
}

/* After a key/value pair or a header only a comment may follow on the line. */
static lh_status expect_eol(parser *p)
{
    skip_ws(p);
    lh_status st = skip_comment(p);
    if (st)
        return st;
    if (p->pos >= p->len)
        return LH_OK;
    if (!at_newline(p)) {
        int c = peek(p, 0);
        if (c == '\r')
            return perr(p, p->pos, "a carriage return must be followed by a newline");
        return perr(p, p->pos, "expected a newline or end of file, found '%c'",
                    c >= 0x20 && c < 0x7f ? c : '?');
    }
    skip_newline(p);
    return LH_OK;
}

/* ---- strings ------------------------------------------------------------------------- */

static lh_status add(parser *p, lh_buf *b, const void *d, size_t n)
{
    return lh_buf_add(b, d, n) ? oom(p) : LH_OK;
}

static int hexval(int c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* \uXXXX or \UXXXXXXXX, with p->pos on the 'u'/'U'; appends the UTF-8 encoding. */
static lh_status unicode_escape(parser *p, lh_buf *out, size_t esc)
{
    int ndig = peek(p, 0) == 'u' ? 4 : 8;
    uint32_t cp = 0;
    p->pos++;
    for (int i = 0; i < ndig; i++, p->pos++) {
        int v = hexval(peek(p, 0));
        if (v < 0)
            return perr(p, p->pos, "expected %d hex digits in a \\%c escape", ndig,
                        ndig == 4 ? 'u' : 'U');
        cp = cp << 4 | (uint32_t)v;
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return perr(p, esc, "escape U+%04X is not a Unicode scalar value", (unsigned)cp);
    static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
    unsigned char u[4];
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (size_t i = n - 1; i > 0; i--, cp >>= 6)
        u[i] = (unsigned char)(0x80 | (cp & 0x3f));
    u[0] = (unsigned char)(lead[n] | cp);
    return add(p, out, u, n);
}

/* One escape after a backslash in a basic string; p->pos is on the backslash. */
static lh_status escape(parser *p, lh_buf *out, bool multi)
{
    size_t esc = p->pos++;
    int c = peek(p, 0);
    static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
    const char *hit = c > 0 ? strchr(from, c) : NULL;
    if (c == 'u' || c == 'U')
        return unicode_escape(p, out, esc);
    if (hit) {
        p->pos++;
        return add(p, out, &to[hit - from], 1);
    }
    if (multi && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
        /* Line-ending backslash: only whitespace may follow it on its line; it eats that
         * newline and all whitespace and newlines up to the next visible character. */
        skip_ws(p);
        if (!at_newline(p))
            return perr(p, esc, "a line-ending backslash must be the last thing on its line");
        while (peek(p, 0) == ' ' || peek(p, 0) == '\t' || at_newline(p))
            p->pos += peek(p, 0) == '\r' ? 2 : 1;
        return LH_OK;
    }
    if (c < 0)
        return perr(p, p->pos, "unterminated string");
    if (c >= 0x20 && c < 0x7f)
        return perr(p, esc, "invalid escape sequence '\\%c'", c);
    return perr(p, esc, "invalid escape sequence (backslash before U+%04X)", c);
}

/* A basic ("...", """...""") or literal ('...', '''...''') string; p->pos on the first
 * quote. The content is appended to out. */
static lh_status parse_string(parser *p, lh_buf *out, bool allow_multi)
{
    size_t start = p->pos;
    char q = (char)peek(p, 0);
    bool literal = q == '\'';
    bool multi = peek(p, 1) == q && peek(p, 2) == q;
    if (multi && !allow_multi)
        return perr(p, start, "a multi-line string cannot be a key");
    p->pos += multi ? 3 : 1;
    if (multi && at_newline(p)) /* a newline right after the opening quotes is trimmed */
        skip_newline(p);
    for (;;) {
        int c = peek(p, 0);
        lh_status st;
        if (c < 0)
            return perr(p, start, "unterminated string");
        if (c == q) {
            if (!multi) {
                p->pos++;
                return LH_OK;
            }
            size_t run = 0;
            while (peek(p, run) == q)
                run++;
            /* Up to two quotes may sit right before the closing three; a longer run
             * leaves its extra quotes to fail as trailing garbage. */
            size_t keep = run >= 3 ? (run - 3 > 2 ? 2 : run - 3) : run;
            for (size_t i = 0; i < keep; i++)
                if ((st = add(p, out, &q, 1)))
                    return st;
            p->pos += keep;
            if (run >= 3) {
                p->pos += 3;
                return LH_OK;
            }
            continue;
        }
        if (c == '\\' && !literal) {
            if ((st = escape(p, out, multi)))
                return st;
            continue;
        }
        if (at_newline(p)) {
            if (!multi)
                return perr(p, p->pos, "expected the closing quote before the end of line");
            skip_newline(p);
            if ((st = add(p, out, "\n", 1)))
                return st;
            continue;
        }
        if (is_control(c))
            return perr(p, p->pos, "control character U+%04X is not allowed in a string", c);
        if ((st = add(p, out, p->s + p->pos, 1)))
            return st;
        p->pos++;
    }
}

/* ---- keys ---------------------------------------------------------------------------- */

static const char *part(const key_path *k, size_t i)
{
    return k->text.len ? lh_buf_cstr(&k->text) + k->off[i] : "";
}

/* Human form of parts [0, upto] for messages; long keys are cut, the message stays useful. */
static const char *key_text(const key_path *k, size_t upto, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i <= upto && i < k->n; i++) {
        int w = snprintf(out + o, cap - o, "%s%.*s", i ? "." : "", (int)k->len[i], part(k, i));
        if (w < 0 || (size_t)w >= cap - o)
            break;
        o += (size_t)w;
    }
    return out;
}

/* key = part ( ws '.' ws part )*, each part bare, "basic" or 'literal'. */
static lh_status parse_key(parser *p, key_path *k)
{
    k->n = 0;
    lh_buf_reset(&k->text);
    for (;;) {
        skip_ws(p);
        if (k->n == TOML_MAX_KEY_PARTS)
            return perr(p, p->pos, "key has more than %d parts", TOML_MAX_KEY_PARTS);
        int c = peek(p, 0);
        size_t i = k->n, off = k->text.len;
        k->pos[i] = p->pos;
        if (c == '"' || c == '\'') {
            lh_status st = parse_string(p, &k->text, false);
            if (st)
                return st;
        } else if (is_bare(c)) {
            size_t s = p->pos;
            while (is_bare(peek(p, 0)))
                p->pos++;
            if (lh_buf_add(&k->text, p->s + s, p->pos - s))
                return oom(p);
        } else {
            return perr(p, p->pos, "expected a key");
        }
        k->off[i] = off;
        k->len[i] = k->text.len - off;
        k->n++;
        skip_ws(p);
        if (peek(p, 0) != '.')
            return LH_OK;
        p->pos++;
    }
}

/* ---- numbers and dates ------------------------------------------------------------- */

static bool is_base_digit(int c, int base)
{
    if (base == 16)
        return hexval(c) >= 0;
    return c >= '0' && c < '0' + base;
}

/* Copies digits of base into d[*n...] without underscores; each underscore must sit
 * between two digits. At least one digit is required. */
static lh_status scan_digits(parser *p, int base, char *d, size_t cap, size_t *n)
{
    size_t k = *n;
    bool prev = false;
    for (;;) {
        int c = peek(p, 0);
        if (c == '_') {
            if (!prev || !is_base_digit(peek(p, 1), base))
                return perr(p, p->pos, "an underscore in a number must be between two digits");
            p->pos++;
            prev = false;
            continue;
        }
        if (!is_base_digit(c, base))
            break;
        if (k + 4 >= cap)
            return perr(p, p->pos, "number is too long");
        d[k++] = (char)c;
        p->pos++;
        prev = true;
    }
    if (k == *n)
        return perr(p, p->pos, "expected a digit");
    d[k] = '\0';
    *n = k;
    return LH_OK;
}

static lh_status parse_number(parser *p, json_t **out)
{
    char d[320];
    size_t n = 0, start = p->pos;
    int sign = peek(p, 0);
    lh_status st;
    if (sign == '+' || sign == '-') {
        d[n++] = (char)sign;
        p->pos++;
    }
    if (match(p, "inf") || match(p, "nan")) {
        /* JSON has no inf/nan; toml.h documents the string stand-ins. */
        bool inf = peek(p, 0) == 'i';
        p->pos += 3;
        *out = json_string(inf ? (sign == '-' ? "-inf" : "inf") : "nan");
        return *out ? LH_OK : oom(p);
    }
    if (peek(p, 0) == '0' && (peek(p, 1) == 'x' || peek(p, 1) == 'o' || peek(p, 1) == 'b')) {
        if (n)
            return perr(p, start, "a sign is not allowed on a hex, octal or binary integer");
        int base = peek(p, 1) == 'x' ? 16 : peek(p, 1) == 'o' ? 8 : 2;
        p->pos += 2;
        if ((st = scan_digits(p, base, d, sizeof d, &n)))
            return st;
        errno = 0;
        unsigned long long v = strtoull(d, NULL, base);
        if (errno || v > INT64_MAX)
            return perr(p, start, "integer does not fit in 64 bits");
        *out = json_integer((json_int_t)v);
        return *out ? LH_OK : oom(p);
    }
    size_t int_start = n, digits_at = p->pos;
    if ((st = scan_digits(p, 10, d, sizeof d, &n)))
        return st;
    if (n - int_start > 1 && d[int_start] == '0')
        return perr(p, digits_at, "leading zeros are not allowed");
    bool is_float = false;
    if (peek(p, 0) == '.') {
        p->pos++;
        d[n++] = '.';
        if ((st = scan_digits(p, 10, d, sizeof d, &n)))
            return st;
        is_float = true;
    }
    if (peek(p, 0) == 'e' || peek(p, 0) == 'E') {
        p->pos++;
        d[n++] = 'e';
        if (peek(p, 0) == '+' || peek(p, 0) == '-')
            d[n++] = (char)p->s[p->pos++];
        if ((st = scan_digits(p, 10, d, sizeof d, &n)))
            return st;
        is_float = true;
    }
    errno = 0; /* strtod assumes the "C" numeric locale; we never call setlocale */
    if (is_float) {
        double v = strtod(d, NULL);
        if (!isfinite(v))
            return perr(p, start, "float is out of range");
        *out = json_real(v);
    } else {
        long long v = strtoll(d, NULL, 10);
        if (errno)
            return perr(p, start, "integer does not fit in 64 bits");
        *out = json_integer(v);
    }
    return *out ? LH_OK : oom(p);
}

/* Reads exactly n digits as a number, or returns -1 with p->pos left at the field's
 * start so the error points at the whole field. */
static int fixed_digits(parser *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(peek(p, i)))
            return -1;
        v = v * 10 + (p->s[p->pos + i] - '0');
    }
    p->pos += n;
    return v;
}

static lh_status expect_char(parser *p, char c, const char *what)
{
    if (peek(p, 0) != c)
        return perr(p, p->pos, "expected '%c' in %s", c, what);
    p->pos++;
    return LH_OK;
}

/* HH:MM:SS[.fraction]; seconds may be 60 for a leap second (RFC 3339). */
static lh_status scan_time(parser *p)
{
    size_t at = p->pos;
    lh_status st;
    int h = fixed_digits(p, 2);
    if (h < 0 || (st = expect_char(p, ':', "a time")))
        return h < 0 ? perr(p, p->pos, "expected a two-digit hour") : st;
    int m = fixed_digits(p, 2);
    if (m < 0 || (st = expect_char(p, ':', "a time")))
        return m < 0 ? perr(p, p->pos, "expected two-digit minutes") : st;
    int s = fixed_digits(p, 2);
    if (s < 0)
        return perr(p, p->pos, "expected two-digit seconds");
    if (h > 23 || m > 59 || s > 60)
        return perr(p, at, "time %02d:%02d:%02d is out of range", h, m, s);
    if (peek(p, 0) == '.') {
        p->pos++;
        if (!is_digit(peek(p, 0)))
            return perr(p, p->pos, "expected a digit after the decimal point of the seconds");
        while (is_digit(peek(p, 0)))
            p->pos++;
    }
    return LH_OK;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Dates and times stay strings (toml.h); this only checks their shape and ranges. */
static lh_status parse_datetime(parser *p, json_t **out)
{
    size_t start = p->pos;
    lh_status st;
    if (peek(p, 2) == ':') {
        if ((st = scan_time(p)))
            return st;
    } else {
        int y = fixed_digits(p, 4);
        if ((st = expect_char(p, '-', "a date")))
            return st;
        int mo = fixed_digits(p, 2);
        if (mo < 0 || (st = expect_char(p, '-', "a date")))
            return mo < 0 ? perr(p, p->pos, "expected a two-digit month") : st;
        int dd = fixed_digits(p, 2);
        if (dd < 0)
            return perr(p, p->pos, "expected a two-digit day");
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (mo < 1 || mo > 12 || dd < 1 ||
            dd > mdays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0))
            return perr(p, start, "date %04d-%02d-%02d does not exist", y, mo, dd);
        int c = peek(p, 0);
        if (c == 'T' || c == 't' || (c == ' ' && is_digit(peek(p, 1)))) {
            p->pos++;
            if ((st = scan_time(p)))
                return st;
            c = peek(p, 0);
            if (c == 'Z' || c == 'z') {
                p->pos++;
            } else if (c == '+' || c == '-') {
                p->pos++;
                size_t at = p->pos;
                int oh = fixed_digits(p, 2);
                if (oh < 0 || (st = expect_char(p, ':', "a time offset")))
                    return oh < 0 ? perr(p, p->pos, "expected a two-digit offset hour") : st;
                int om = fixed_digits(p, 2);
                if (om < 0)
                    return perr(p, p->pos, "expected two-digit offset minutes");
                if (oh > 23 || om > 59)
                    return perr(p, at, "time offset is out of range");
            }
        }
    }
    *out = json_stringn(p->s + start, p->pos - start);
    return *out ? LH_OK : oom(p);
}

/* ---- values, tables ------------------------------------------------------------------ */

static lh_status parse_value(parser *p, json_t **out);
static lh_status parse_keyval(parser *p, json_t *tbl, key_path *k);

static lh_status parse_array(parser *p, json_t **out)
{
    json_t *arr = json_array();
    lh_status st;
    if (!arr)
        return oom(p);
    for (p->pos++;;) {
        if ((st = skip_ws_nl(p)))
            goto fail;
        if (peek(p, 0) == ']')
            break;
        json_t *v = NULL;
        if ((st = parse_value(p, &v)))
            goto fail;
        if (json_array_append_new(arr, v)) {
            st = oom(p);
            goto fail;
        }
        if ((st = skip_ws_nl(p)))
            goto fail;
        if (peek(p, 0) == ',') {
            p->pos++;
            continue;
        }
        if (peek(p, 0) != ']') {
            st = perr(p, p->pos, p->pos < p->len ? "expected ',' or ']' in an array"
                                                 : "expected ']' to close the array");
            goto fail;
        }
        break;
    }
    p->pos++;
    *out = arr;
    return LH_OK;
fail:
    json_decref(arr);
    return st;
}

/* { k = v, ... } on one line (TOML 1.0: no newlines, no trailing comma). */
static lh_status parse_inline_table(parser *p, json_t **out)
{
    json_t *tbl = json_object();
    key_path *k = lh_calloc(1, sizeof *k);
    lh_status st = LH_OK;
    if (!tbl || !k || kind_set(p, tbl, K_INLINE)) {
        st = oom(p);
        goto done;
    }
    lh_buf_init(&k->text, LH_TOML_MAX_INPUT + 1);
    p->pos++;
    skip_ws(p);
    if (peek(p, 0) != '}') {
        for (;;) {
            if ((st = parse_keyval(p, tbl, k)))
                goto done;
            skip_ws(p);
            if (peek(p, 0) == '}')
                break;
            if (peek(p, 0) != ',') {
                st = perr(p, p->pos, at_newline(p) ? "expected '}': an inline table must "
                                                     "be on one line"
                                                   : "expected ',' or '}' in an inline table");
                goto done;
            }
            p->pos++;
            skip_ws(p);
            if (peek(p, 0) == '}') {
                st = perr(p, p->pos, "expected a key: no trailing comma in an inline table");
                goto done;
            }
        }
    }
    p->pos++;
done:
    if (k)
        lh_buf_release(&k->text);
    free(k);
    if (st)
        json_decref(tbl);
    else
        *out = tbl;
    return st;
}

static lh_status parse_value(parser *p, json_t **out)
{
    lh_status st;
    int c = peek(p, 0);
    *out = NULL;
    if (c == '[' || c == '{') {
        if (p->depth >= TOML_MAX_DEPTH)
            return perr(p, p->pos, "arrays and inline tables nest deeper than %d",
                        TOML_MAX_DEPTH);
        p->depth++;
        st = c == '[' ? parse_array(p, out) : parse_inline_table(p, out);
        p->depth--;
        return st;
    }
    if (c == '"' || c == '\'') {
        lh_buf b;
        lh_buf_init(&b, LH_TOML_MAX_INPUT + 1);
        st = parse_string(p, &b, true);
        if (!st && !(*out = json_stringn(lh_buf_cstr(&b), b.len)))
            st = oom(p);
        lh_buf_release(&b);
        return st;
    }
    if (match(p, "true") || match(p, "false")) {
        *out = json_boolean(c == 't');
        p->pos += c == 't' ? 4 : 5;
        return LH_OK;
    }
    if (is_digit(c) && is_digit(peek(p, 1)) &&
        (peek(p, 2) == ':' ||
         (is_digit(peek(p, 2)) && is_digit(peek(p, 3)) && peek(p, 4) == '-')))
        return parse_datetime(p, out);
    if (is_digit(c) || c == '+' || c == '-' || match(p, "inf") || match(p, "nan"))
        return parse_number(p, out);
    if (c < 0 || at_newline(p))
        return perr(p, p->pos, "expected a value");
    return perr(p, p->pos, "expected a value (string, number, boolean, date, array or "
                           "inline table)");
}

/* k.e.y = value into tbl. Intermediate parts may only walk through tables that dotted
 * keys created (or header parents not yet defined); anything else was defined elsewhere
 * and TOML forbids extending it from here. */
static lh_status parse_keyval(parser *p, json_t *tbl, key_path *k)
{
    char kt[256];
    lh_status st = parse_key(p, k);
    if (st)
        return st;
    if (peek(p, 0) != '=')
        return perr(p, p->pos, "expected '=' after the key");
    p->pos++;
    skip_ws(p);
    json_t *t = tbl;
    for (size_t i = 0; i + 1 < k->n; i++) {
        json_t *v = json_object_getn(t, part(k, i), k->len[i]);
        if (!v) {
            if ((st = new_table(p, t, part(k, i), k->len[i], K_DOTTED, &t)))
                return st;
            continue;
        }
        int kind = kind_get(p, v);
        if (!json_is_object(v) || (kind != K_DOTTED && kind != K_IMPLICIT))
            return perr(p, k->pos[i], "key '%s' is already defined and cannot be extended "
                        "with dotted keys here", key_text(k, i, kt, sizeof kt));
        if (kind == K_IMPLICIT && (st = kind_set(p, v, K_DOTTED)))
            return st;
        t = v;
    }
    size_t last = k->n - 1;
    if (json_object_getn(t, part(k, last), k->len[last]))
        return perr(p, k->pos[last], "duplicate key '%s'", key_text(k, last, kt, sizeof kt));
    json_t *v = NULL;
    if ((st = parse_value(p, &v)))
        return st;
    if (json_object_setn_new(t, part(k, last), k->len[last], v))
        return oom(p);
    return LH_OK;
}

/* [a.b.c] or [[a.b.c]]; p->pos on the first '['. Makes the new table current. */
static lh_status parse_header(parser *p, key_path *k)
{
    char kt[256];
    size_t start = p->pos++;
    bool aot = peek(p, 0) == '[';
    lh_status st;
    if (aot)
        p->pos++;
    if ((st = parse_key(p, k)))
        return st;
    if (peek(p, 0) != ']' || (aot && peek(p, 1) != ']'))
        return perr(p, p->pos, aot ? "expected ']]' to close the array-of-tables header"
                                   : "expected ']' to close the table header");
    p->pos += aot ? 2 : 1;
    json_t *t = p->root;
    for (size_t i = 0; i + 1 < k->n; i++) {
        json_t *v = json_object_getn(t, part(k, i), k->len[i]);
        int kind = v ? kind_get(p, v) : K_NONE;
        if (!v) {
            if ((st = new_table(p, t, part(k, i), k->len[i], K_IMPLICIT, &t)))
                return st;
        } else if (json_is_object(v) && kind != K_INLINE) {
            t = v;
        } else if (json_is_array(v) && kind == K_AOT) {
            t = json_array_get(v, json_array_size(v) - 1); /* the latest [[ ]] element */
        } else {
            return perr(p, k->pos[i], "key '%s' is already defined as %s and cannot hold "
                        "a table", key_text(k, i, kt, sizeof kt),
                        json_is_object(v) ? "an inline table"
                        : json_is_array(v) ? "an array" : "a value");
        }
    }
    size_t last = k->n - 1;
    key_text(k, last, kt, sizeof kt);
    json_t *v = json_object_getn(t, part(k, last), k->len[last]);
    int kind = v ? kind_get(p, v) : K_NONE;
    if (!aot) {
        if (!v)
            return new_table(p, t, part(k, last), k->len[last], K_EXPLICIT, &p->cur);
        if (json_is_object(v) && kind == K_IMPLICIT) {
            p->cur = v;
            return kind_set(p, v, K_EXPLICIT);
        }
        return perr(p, start, "table [%s] is already defined%s", kt,
                    kind == K_DOTTED ? " by dotted keys"
                    : kind == K_INLINE ? " as an inline table"
                    : json_is_array(v) ? " as an array" : "");
    }
    if (!v) {
        v = json_array();
        if (!v || json_object_setn_new(t, part(k, last), k->len[last], v))
            return oom(p);
        if ((st = kind_set(p, v, K_AOT)))
            return st;
    } else if (!json_is_array(v) || kind != K_AOT) {
        return perr(p, start, json_is_array(v) ? "cannot append to the static array '%s'"
                                               : "key '%s' is already defined as a table, "
                                                 "not an array of tables", kt);
    }
    json_t *elem = json_object();
    if (!elem || json_array_append_new(v, elem))
        return oom(p);
    p->cur = elem;
    return kind_set(p, elem, K_EXPLICIT);
}

static lh_status parse_document(parser *p)
{
    key_path *k = lh_calloc(1, sizeof *k);
    lh_status st = LH_OK;
    if (!k)
        return oom(p);
    lh_buf_init(&k->text, LH_TOML_MAX_INPUT + 1);
    if (match(p, "\xEF\xBB\xBF")) /* a UTF-8 byte order mark carries no content */
        p->pos += 3;
    while (p->pos < p->len) {
        skip_ws(p);
        int c = peek(p, 0);
        if (c == '[')
            st = parse_header(p, k);
        else if (c >= 0 && c != '#' && !at_newline(p))
            st = parse_keyval(p, p->cur, k);
        if (st || (st = expect_eol(p)))
            break;
    }
    lh_buf_release(&k->text);
    free(k);
    return st;
}

/* Reports the first byte that is not valid UTF-8, checking one character at a time with
 * the shared validator so the position is exact. */
static lh_status check_utf8(parser *p)
{
    if (lh_utf8_valid(p->s, p->len))
        return LH_OK;
    for (size_t i = 0; i < p->len;) {
        unsigned char c = (unsigned char)p->s[i];
        size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
        if (n > p->len - i || !lh_utf8_valid(p->s + i, n))
            return perr(p, i, "invalid UTF-8");
        i += n;
    }
    return perr(p, p->len, "invalid UTF-8"); /* unreachable if the two checks agree */
}

lh_status lh_toml_parse(const char *text, size_t len, const char *filename, json_t **out,
                        lh_err *err)
{
    parser p = {.s = text ? text : "", .len = text ? len : 0, .err = err,
                .file = filename ? filename : "<input>"};
    *out = NULL;
    if (p.len > LH_TOML_MAX_INPUT)
        return lh_fail(err, LH_ETOOBIG, "%s: input is larger than 16 MiB", p.file);
    lh_status st = check_utf8(&p);
    if (st)
        return st;
    if (!(p.root = json_object()))
        return oom(&p);
    p.cur = p.root;
    if (!(st = kind_set(&p, p.root, K_EXPLICIT)))
        st = parse_document(&p);
    free(p.slots);
    if (st) {
        json_decref(p.root);
        return st;
    }
    *out = p.root;
    return LH_OK;
}
