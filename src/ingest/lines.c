/* lines.c: log and line files -> one row per non-blank line: source, line_no, text, plus
 * the parsed columns of a recognised log shape (docs/CLI.md lists them):
 *   json      JSON lines: timestamp, level, host, message
 *   syslog    RFC 5424: timestamp, host, app, pid, msgid, facility, level, message
 *   bsd       RFC 3164 (with or without <PRI>): timestamp (text: it has no year), host,
 *             app, pid, facility, level, message
 *   combined  Apache/nginx common or combined: host, ident, user, timestamp, method, path,
 *             protocol, status, bytes, referer, user_agent
 *   app       "2024-01-31 12:00:00[.fff][Z|+hh:mm] LEVEL message": timestamp, level, message
 * The shape is the first one (in that order) that parses at least half of the first 50
 * non-blank lines (a stack trace under an error line is not a log line of its own); lines it does not parse keep NULL parsed columns. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/util.h"
#include "ingest/ingest_int.h"

#define SAMPLE_LINES 50

typedef bool (*parse_fn)(const char *line, json_t *row);

typedef struct shape {
    const char *name;
    parse_fn parse;
    const char *columns[12][2]; /* name, DuckDB type; ends at a NULL name */
} shape;

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* An ISO 8601 date-time "YYYY-MM-DD[T ]HH:MM:SS[.f...][Z|(+|-)HH[:]MM]" at s: its length,
 * or 0. out (>= 40 bytes) receives it as "YYYY-MM-DD HH:MM:SS[.f][+HH:MM]". */
size_t lh__lines_iso_time(const char *s, char *out)
{
    if (!(digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' && digits(s + 8, 2) &&
          (s[10] == 'T' || s[10] == ' ') && digits(s + 11, 2) && s[13] == ':' &&
          digits(s + 14, 2) && s[16] == ':' && digits(s + 17, 2)))
        return 0;
    size_t i = 19, o = 19;
    memcpy(out, s, 19);
    out[10] = ' ';
    if (s[i] == '.' || s[i] == ',') {
        out[o++] = '.';
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            if (o < 26)
                out[o++] = s[i];
        if (out[o - 1] == '.')
            return 0;
    }
    if (s[i] == 'Z') {
        memcpy(out + o, "+00:00", 6);
        o += 6;
        i++;
    } else if ((s[i] == '+' || s[i] == '-') && digits(s + i + 1, 2)) {
        size_t mm = s[i + 3] == ':' ? 4 : 3;
        if (!digits(s + i + mm, 2))
            return 0;
        out[o++] = s[i];
        memcpy(out + o, s + i + 1, 2);
        out[o + 2] = ':';
        memcpy(out + o + 3, s + i + mm, 2);
        o += 5;
        i += mm + 2;
    }
    out[o] = '\0';
    return i;
}

static const char *const severities[] = {"emerg", "alert", "crit", "err",
                                         "warning", "notice", "info", "debug"};

/* "<PRI>" at *s: sets facility and level, advances *s. */
static bool parse_pri(const char **s, json_t *row)
{
    const char *p = *s;
    if (*p != '<')
        return false;
    size_t n = 0;
    while (n < 4 && p[1 + n] >= '0' && p[1 + n] <= '9')
        n++;
    if (!n || n > 3 || p[1 + n] != '>')
        return false;
    int pri = num(p + 1, n);
    if (pri > 191)
        return false;
    json_object_set_new(row, "facility", json_integer(pri / 8));
    json_object_set_new(row, "level", json_string(severities[pri % 8]));
    *s = p + n + 2;
    return true;
}

/* The next space-separated token at *s into a new JSON string (NULL for "-" when nil). */
static json_t *token(const char **s, bool nil)
{
    const char *p = *s, *e = strchr(p, ' ');
    if (!e || e == p)
        return NULL;
    *s = e + 1;
    if (nil && e - p == 1 && *p == '-')
        return json_null();
    return json_stringn(p, (size_t)(e - p));
}

static bool set_token(json_t *row, const char *key, const char **s, bool nil)
{
    json_t *v = token(s, nil);
    if (!v)
        return false;
    json_object_set_new(row, key, v);
    return true;
}

/* <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD|-] MSG */
bool lh__lines_syslog5424(const char *s, json_t *row)
{
    if (!parse_pri(&s, row) || s[0] != '1' || s[1] != ' ')
        return false;
    s += 2;
    char ts[40];
    size_t n = lh__lines_iso_time(s, ts);
    if (n && s[n] == ' ')
        json_object_set_new(row, "timestamp", json_string(ts));
    else if (s[0] == '-' && s[1] == ' ')
        n = 1;
    else
        return false;
    s += n + 1;
    if (!set_token(row, "host", &s, true) || !set_token(row, "app", &s, true) ||
        !set_token(row, "pid", &s, true) || !set_token(row, "msgid", &s, true))
        return false;
    if (*s == '[') { /* structured data: skip [..] groups, honouring \] */
        while (*s == '[') {
            for (s++; *s && *s != ']'; s++)
                if (*s == '\\' && s[1])
                    s++;
            if (*s != ']')
                return false;
            s++;
        }
    } else if (*s == '-') {
        s++;
    } else {
        return false;
    }
    if (*s == ' ')
        s++;
    if (!strncmp(s, "\xef\xbb\xbf", 3))
        s += 3;
    json_object_set_new(row, "message", json_string(s));
    return true;
}

/* [<PRI>]Mmm dd hh:mm:ss HOST TAG[PID]: MSG */
bool lh__lines_syslog3164(const char *s, json_t *row)
{
    static const char *const months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    parse_pri(&s, row);
    bool month = false;
    for (int m = 0; m < 12 && !month; m++)
        month = !strncmp(s, months + 3 * m, 3);
    if (!month || s[3] != ' ' || !(s[4] == ' ' || (s[4] >= '0' && s[4] <= '9')) ||
        !digits(s + 5, 1) || s[6] != ' ' || !digits(s + 7, 2) || s[9] != ':' ||
        !digits(s + 10, 2) || s[12] != ':' || !digits(s + 13, 2) || s[15] != ' ')
        return false;
    json_object_set_new(row, "timestamp", json_stringn(s, 15));
    s += 16;
    if (!set_token(row, "host", &s, false))
        return false;
    /* TAG: letters up to '[' or ':' */
    const char *t = s;
    while (*t && *t != '[' && *t != ':' && *t != ' ')
        t++;
    if (t == s || (*t != '[' && *t != ':'))
        return false;
    json_object_set_new(row, "app", json_stringn(s, (size_t)(t - s)));
    if (*t == '[') {
        const char *e = strchr(t, ']');
        if (!e)
            return false;
        json_object_set_new(row, "pid", json_stringn(t + 1, (size_t)(e - t - 1)));
        t = e + 1;
    }
    if (*t != ':')
        return false;
    t++;
    if (*t == ' ')
        t++;
    json_object_set_new(row, "message", json_string(t));
    return true;
}

/* A "quoted" field at *s (with \" escapes) into a JSON string; advances past it. */
static json_t *quoted(const char **s)
{
    const char *p = *s;
    if (*p != '"')
        return NULL;
    lh_buf b;
    lh_buf_init(&b, 1 << 20);
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
            p++;
        lh_buf_addc(&b, *p);
    }
    /* A field over the buffer's limit is not parsed (the line's text column keeps it). */
    json_t *v = *p == '"' && !lh_buf_status(&b) ? json_stringn(lh_buf_cstr(&b), b.len) : NULL;
    lh_buf_release(&b);
    *s = *p ? p + 1 : p;
    return v;
}

/* HOST IDENT USER [dd/Mmm/yyyy:hh:mm:ss +zzzz] "METHOD PATH PROTO" STATUS BYTES
 * ["REFERER" "USER-AGENT"] */
bool lh__lines_combined(const char *s, json_t *row)
{
    static const char *const months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (!set_token(row, "host", &s, true) || !set_token(row, "ident", &s, true) ||
        !set_token(row, "user", &s, true))
        return false;
    /* [10/Oct/2000:13:55:36 -0700] */
    if (s[0] != '[' || !digits(s + 1, 2) || s[3] != '/' || s[7] != '/' || !digits(s + 8, 4) ||
        s[12] != ':' || !digits(s + 13, 2) || s[15] != ':' || !digits(s + 16, 2) || s[18] != ':' ||
        !digits(s + 19, 2) || s[21] != ' ' || (s[22] != '+' && s[22] != '-') ||
        !digits(s + 23, 4) || s[27] != ']' || s[28] != ' ')
        return false;
    int month = 0;
    for (int m = 0; m < 12 && !month; m++)
        if (!strncmp(s + 4, months + 3 * m, 3))
            month = m + 1;
    if (!month)
        return false;
    char ts[40] = "YYYY-MM-DD hh:mm:ss+hh:mm";
    memcpy(ts, s + 8, 4);
    ts[5] = (char)('0' + month / 10);
    ts[6] = (char)('0' + month % 10);
    memcpy(ts + 8, s + 1, 2);
    memcpy(ts + 11, s + 13, 8);
    ts[19] = s[22];
    memcpy(ts + 20, s + 23, 2);
    memcpy(ts + 23, s + 25, 2);
    json_object_set_new(row, "timestamp", json_string(ts));
    s += 29;
    json_t *req = quoted(&s);
    if (!req || *s != ' ') {
        json_decref(req);
        return false;
    }
    s++;
    /* "GET /path HTTP/1.1": split in three when it has that shape */
    const char *r = json_string_value(req), *sp1 = strchr(r, ' ');
    const char *sp2 = sp1 ? strrchr(r, ' ') : NULL;
    if (sp1 && sp2 > sp1) {
        json_object_set_new(row, "method", json_stringn(r, (size_t)(sp1 - r)));
        json_object_set_new(row, "path", json_stringn(sp1 + 1, (size_t)(sp2 - sp1 - 1)));
        json_object_set_new(row, "protocol", json_string(sp2 + 1));
    }
    json_decref(req);
    const char *st = s;
    while (*s >= '0' && *s <= '9')
        s++;
    if (s - st != 3 || (*s != ' '))
        return false;
    json_object_set_new(row, "status", json_integer(num(st, 3)));
    s++;
    const char *b = s;
    while (*s >= '0' && *s <= '9')
        s++;
    if (s > b)
        json_object_set_new(row, "bytes", json_integer(strtoll(b, NULL, 10)));
    else if (*s == '-')
        s++;
    else
        return false;
    if (*s == ' ' && s[1] == '"') {
        s++;
        json_t *ref = quoted(&s);
        if (!ref || *s != ' ') {
            json_decref(ref);
            return false;
        }
        json_object_set_new(row, "referer", strcmp(json_string_value(ref), "-") ? ref : json_null());
        if (json_is_null(json_object_get(row, "referer")))
            json_decref(ref);
        s++;
        json_t *ua = quoted(&s);
        if (!ua)
            return false;
        json_object_set_new(row, "user_agent", strcmp(json_string_value(ua), "-") ? ua : json_null());
        if (json_is_null(json_object_get(row, "user_agent")))
            json_decref(ua);
    }
    while (*s == ' ')
        s++;
    return true;
}

static const char *const levels[] = {"TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING",
                                     "ERROR", "ERR", "FATAL", "CRITICAL", "CRIT", "SEVERE"};

/* YYYY-MM-DD hh:mm:ss[.fff][zone] LEVEL message (the level may be in [] and any case) */
bool lh__lines_app(const char *s, json_t *row)
{
    char ts[40];
    size_t n = lh__lines_iso_time(s, ts);
    if (!n || s[n] != ' ')
        return false;
    s += n + 1;
    bool br = *s == '[';
    s += br;
    const char *e = s;
    while ((*e >= 'A' && *e <= 'Z') || (*e >= 'a' && *e <= 'z'))
        e++;
    const char *lv = NULL;
    for (size_t i = 0; i < sizeof levels / sizeof levels[0] && !lv; i++)
        if (strlen(levels[i]) == (size_t)(e - s) && !strncasecmp(levels[i], s, (size_t)(e - s)))
            lv = levels[i];
    if (!lv || (br && *e++ != ']') || (*e && *e != ' ' && *e != ':'))
        return false;
    while (*e == ' ' || *e == ':')
        e++;
    json_object_set_new(row, "timestamp", json_string(ts));
    json_object_set_new(row, "level", json_string(lv));
    json_object_set_new(row, "message", json_string(e));
    return true;
}

/* The first of keys that obj holds, or NULL. */
static json_t *any_key(json_t *obj, const char *const *keys)
{
    for (; *keys; keys++) {
        json_t *v = json_object_get(obj, *keys);
        if (v && !json_is_null(v))
            return v;
    }
    return NULL;
}

static json_t *as_text(json_t *v)
{
    if (json_is_string(v))
        return json_string(json_string_value(v));
    if (json_is_number(v) || json_is_boolean(v)) {
        char *t = lh_json_dumps(v, JSON_ENCODE_ANY);
        json_t *r = t ? json_string(t) : NULL;
        free(t);
        return r;
    }
    return v ? json_null() : NULL;
}

/* One JSON object per line: timestamp (ISO text or epoch seconds/milliseconds), level,
 * host, message under their usual key names. */
bool lh__lines_json(const char *s, json_t *row)
{
    static const char *const ts_keys[] = {"timestamp", "@timestamp", "time", "ts", "date", NULL};
    static const char *const lv_keys[] = {"level", "severity", "lvl", "log.level", "loglevel", NULL};
    static const char *const host_keys[] = {"host", "hostname", "host.name", NULL};
    static const char *const msg_keys[] = {"message", "msg", "event", NULL};
    if (*s != '{')
        return false;
    json_t *o = lh_json_loadb(s, strlen(s), JSON_DECODE_ANY, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return false;
    }
    json_t *ts = any_key(o, ts_keys);
    char iso[40];
    if (json_is_string(ts) && lh__lines_iso_time(json_string_value(ts), iso) ==
                                  strlen(json_string_value(ts))) {
        json_object_set_new(row, "timestamp", json_string(iso));
    } else if (json_is_number(ts)) {
        double d = json_number_value(ts);
        int64_t ms = (int64_t)(d > 1e11 ? d : d * 1000.0);
        char out[32];
        lh_format_time(ms, out);
        json_object_set_new(row, "timestamp", json_string(out));
    }
    json_t *v;
    if ((v = as_text(any_key(o, lv_keys))))
        json_object_set_new(row, "level", v);
    if ((v = as_text(any_key(o, host_keys))))
        json_object_set_new(row, "host", v);
    if ((v = as_text(any_key(o, msg_keys))))
        json_object_set_new(row, "message", v);
    json_decref(o);
    return true;
}

static const shape shapes[] = {
    {"json", lh__lines_json,
     {{"timestamp", "TIMESTAMP WITH TIME ZONE"}, {"level", "VARCHAR"}, {"host", "VARCHAR"},
      {"message", "VARCHAR"}}},
    {"syslog", lh__lines_syslog5424,
     {{"timestamp", "TIMESTAMP WITH TIME ZONE"}, {"host", "VARCHAR"}, {"app", "VARCHAR"},
      {"pid", "VARCHAR"}, {"msgid", "VARCHAR"}, {"facility", "INTEGER"}, {"level", "VARCHAR"},
      {"message", "VARCHAR"}}},
    {"bsd", lh__lines_syslog3164,
     {{"timestamp", "VARCHAR"}, {"host", "VARCHAR"}, {"app", "VARCHAR"}, {"pid", "VARCHAR"},
      {"facility", "INTEGER"}, {"level", "VARCHAR"}, {"message", "VARCHAR"}}},
    {"combined", lh__lines_combined,
     {{"host", "VARCHAR"}, {"ident", "VARCHAR"}, {"user", "VARCHAR"},
      {"timestamp", "TIMESTAMP WITH TIME ZONE"}, {"method", "VARCHAR"}, {"path", "VARCHAR"},
      {"protocol", "VARCHAR"}, {"status", "INTEGER"}, {"bytes", "BIGINT"}, {"referer", "VARCHAR"},
      {"user_agent", "VARCHAR"}}},
    {"app", lh__lines_app,
     {{"timestamp", "TIMESTAMP WITH TIME ZONE"}, {"level", "VARCHAR"}, {"message", "VARCHAR"}}},
};

/* Calls fn for each non-blank line (CR before LF dropped, a leading BOM skipped). */
typedef lh_status (*line_fn)(void *ctx, const char *line, size_t len, int64_t line_no, lh_err *err);

static lh_status each_line(const char *data, size_t len, line_fn fn, void *ctx, lh_err *err)
{
    size_t pos = len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3) ? 3 : 0;
    for (int64_t line = 1; pos < len; line++) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t ce = end > pos && data[end - 1] == '\r' ? end - 1 : end;
        size_t k = pos;
        while (k < ce && strchr(" \t\f\v", data[k]) && data[k])
            k++;
        if (k < ce) {
            lh_status st = fn(ctx, data + pos, ce - pos, line, err);
            if (st)
                return st;
        }
        pos = nl ? end + 1 : len;
    }
    return LH_OK;
}

typedef struct lines_job {
    lh__rows rows;
    const char *source;
    const shape *shape;     /* NULL: no parsed columns */
    lh_buf line;
    int64_t parsed, sampled;
    int hits[sizeof shapes / sizeof shapes[0]];
} lines_job;

static lh_status check_line(lines_job *t, const char *p, size_t n, int64_t line_no, lh_err *err)
{
    if (memchr(p, '\0', n))
        return lh_fail(err, LH_EINVAL, "holds binary data (a NUL byte at line %lld), not text",
                       (long long)line_no);
    if (!lh_utf8_valid(p, n))
        return lh_fail(err, LH_EINVAL, "is not valid UTF-8 text (line %lld); convert it to UTF-8 first",
                       (long long)line_no);
    if (n > LH__ROW_MAX_BYTES)
        return lh_fail(err, LH_ETOOBIG, "line %lld is over %zu MiB", (long long)line_no,
                       LH__ROW_MAX_BYTES >> 20);
    lh_buf_reset(&t->line);
    lh_buf_add(&t->line, p, n);
    return lh__ingest_built(&t->line, "a line", err);
}

static lh_status sample_line(void *ctx, const char *p, size_t n, int64_t line_no, lh_err *err)
{
    lines_job *t = ctx;
    if (t->sampled >= SAMPLE_LINES)
        return LH_OK;
    lh_status st = check_line(t, p, n, line_no, err);
    if (st)
        return st;
    t->sampled++;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        json_t *row = json_object();
        t->hits[i] += shapes[i].parse(lh_buf_cstr(&t->line), row);
        json_decref(row);
    }
    return LH_OK;
}

static lh_status put_line(void *ctx, const char *p, size_t n, int64_t line_no, lh_err *err)
{
    lines_job *t = ctx;
    lh_status st = check_line(t, p, n, line_no, err);
    if (st)
        return st;
    const char *text = lh_buf_cstr(&t->line);
    json_t *row = json_pack("{s:s, s:I, s:s%}", "source", t->source, "line_no",
                            (json_int_t)line_no, "text", text, t->line.len);
    if (row && t->shape) {
        json_t *parsed = json_object();
        if (t->shape->parse(text, parsed)) {
            t->parsed++;
            json_object_update(row, parsed);
        }
        json_decref(parsed);
    }
    return lh__rows_put(&t->rows, row, err);
}

/* The first shape that parsed at least half of the sampled lines, or NULL. */
const char *lh__lines_pick_shape(const int *hits, int64_t sampled, size_t *index)
{
    for (size_t i = 0; sampled && i < sizeof shapes / sizeof shapes[0]; i++)
        if (hits[i] * 2 >= sampled) {
            *index = i;
            return shapes[i].name;
        }
    return NULL;
}

lh_status lh__convert_lines(const char *in_path, const char *source_name, const char *out_path,
                            json_t *columns, json_t *lineage, lh_err *err)
{
    void *map = NULL;
    size_t len = 0;
    lh_status mst = lh__ingest_map(in_path, &map, &len, err);
    if (mst)
        return mst;

    lines_job t = {.source = source_name};
    lh_buf_init(&t.line, LH__ROW_MAX_BYTES + 1);
    lh_status st = map ? each_line(map, len, sample_line, &t, err) : LH_OK;
    size_t si = 0;
    const char *shape_name = st ? NULL : lh__lines_pick_shape(t.hits, t.sampled, &si);
    t.shape = shape_name ? &shapes[si] : NULL;
    if (!st)
        st = lh__rows_open(&t.rows, out_path, err);
    if (!st && map)
        st = each_line(map, len, put_line, &t, err);
    lh_status cst = lh__rows_close(&t.rows, err);
    st = st ? st : cst;
    if (!st && !t.rows.count)
        st = lh_fail(err, LH_EINVAL, "holds no text (only white space)");
    if (!st) {
        lh__rows_column(columns, "source", "VARCHAR");
        lh__rows_column(columns, "line_no", "BIGINT");
        lh__rows_column(columns, "text", "VARCHAR");
        for (size_t c = 0; t.shape && c < 12 && t.shape->columns[c][0]; c++)
            lh__rows_column(columns, t.shape->columns[c][0], t.shape->columns[c][1]);
        json_object_set_new(lineage, "lines",
                            json_pack("{s:I, s:s?, s:I}", "rows", (json_int_t)t.rows.count,
                                      "shape", shape_name, "parsed", (json_int_t)t.parsed));
    }
    lh_buf_release(&t.line);
    if (map)
        munmap(map, len);
    return st;
}
