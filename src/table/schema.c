/* schema.c: Spark (Delta) schema JSON <-> DuckDB type names, nested types included. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table/table.h"

/* DuckDB spelling (and common aliases) -> Spark primitive. */
static const struct {
    const char *duck;
    const char *spark;
} prims[] = {
    {"BOOLEAN", "boolean"}, {"BOOL", "boolean"},     {"LOGICAL", "boolean"},
    {"TINYINT", "byte"},    {"INT1", "byte"},        {"SMALLINT", "short"},
    {"INT2", "short"},      {"SHORT", "short"},      {"INTEGER", "integer"},
    {"INT", "integer"},     {"INT4", "integer"},     {"SIGNED", "integer"},
    {"BIGINT", "long"},     {"INT8", "long"},        {"LONG", "long"},
    {"FLOAT", "float"},     {"REAL", "float"},       {"FLOAT4", "float"},
    {"DOUBLE", "double"},   {"FLOAT8", "double"},    {"VARCHAR", "string"},
    {"TEXT", "string"},     {"STRING", "string"},    {"CHAR", "string"},
    {"BPCHAR", "string"},   {"BLOB", "binary"},      {"BYTEA", "binary"},
    {"BINARY", "binary"},   {"VARBINARY", "binary"}, {"DATE", "date"},
    {"TIMESTAMPTZ", "timestamp"},
};

/* The reverse direction: Spark primitive -> DuckDB type name. */
static const struct {
    const char *spark;
    const char *duck;
} spark_prims[] = {
    {"boolean", "BOOLEAN"}, {"byte", "TINYINT"},  {"short", "SMALLINT"},
    {"integer", "INTEGER"}, {"long", "BIGINT"},   {"float", "FLOAT"},
    {"double", "DOUBLE"},   {"string", "VARCHAR"}, {"binary", "BLOB"},
    {"date", "DATE"},       {"timestamp", "TIMESTAMP WITH TIME ZONE"},
};

typedef struct parser {
    const char *p;
    const char *whole;
    lh_err *err;
} parser;

static void skip_ws(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static bool eat(parser *ps, char c)
{
    skip_ws(ps);
    if (*ps->p != c)
        return false;
    ps->p++;
    return true;
}

/* Reads a bare word [A-Za-z0-9_] into w (uppercased). */
static size_t word(parser *ps, char *w, size_t cap)
{
    skip_ws(ps);
    size_t n = 0;
    while (isalnum((unsigned char)*ps->p) || *ps->p == '_') {
        if (n + 1 < cap)
            w[n++] = (char)toupper((unsigned char)*ps->p);
        ps->p++;
    }
    w[n] = '\0';
    return n;
}

/* Peeks whether the next words are kws[0..n) and consumes them if so. */
static bool eat_words(parser *ps, const char *const *kws, size_t n)
{
    const char *save = ps->p;
    char w[32];
    for (size_t i = 0; i < n; i++) {
        word(ps, w, sizeof w);
        if (strcmp(w, kws[i])) {
            ps->p = save;
            return false;
        }
    }
    return true;
}

static lh_status bad(parser *ps, lh_status st, const char *what)
{
    return lh_fail(ps->err, st, "%s in type '%s'", what, ps->whole);
}

static lh_status parse_type(parser *ps, json_t **out, int depth);

/* A struct field name: "quoted ""name""" or a bare word (case kept). */
static lh_status field_name(parser *ps, lh_buf *name)
{
    skip_ws(ps);
    lh_buf_reset(name);
    if (*ps->p == '"') {
        ps->p++;
        for (;;) {
            if (!*ps->p)
                return bad(ps, LH_EINVAL, "unterminated field name");
            if (*ps->p == '"' && ps->p[1] != '"')
                break;
            if (*ps->p == '"')
                ps->p++;
            lh_buf_addc(name, *ps->p++);
        }
        ps->p++;
    } else {
        while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
            lh_buf_addc(name, *ps->p++);
    }
    lh_status st = lh_buf_status(name);
    if (st)
        return bad(ps, st, st == LH_ETOOBIG ? "field name too long" : "out of memory");
    if (name->len == 0)
        return bad(ps, LH_EINVAL, "missing field name");
    return LH_OK;
}

static json_t *make_field(const char *name, json_t *type, bool nullable)
{
    return json_pack("{s:s, s:o, s:b, s:{}}", "name", name, "type", type, "nullable", nullable,
                     "metadata");
}

static lh_status parse_struct(parser *ps, json_t **out, int depth)
{
    json_t *fields = json_array();
    lh_buf name;
    lh_buf_init(&name, 4096);
    lh_status st = eat(ps, '(') ? LH_OK : bad(ps, LH_EINVAL, "expected '(' after STRUCT");
    while (!st) {
        json_t *t = NULL;
        if ((st = field_name(ps, &name)) || (st = parse_type(ps, &t, depth + 1)))
            break;
        json_array_append_new(fields, make_field(lh_buf_cstr(&name), t, true));
        if (eat(ps, ')'))
            break;
        if (!eat(ps, ','))
            st = bad(ps, LH_EINVAL, "expected ',' or ')' in STRUCT");
    }
    lh_buf_release(&name);
    if (st) {
        json_decref(fields);
        return st;
    }
    *out = json_pack("{s:s, s:o}", "type", "struct", "fields", fields);
    return LH_OK;
}

static lh_status parse_base(parser *ps, json_t **out, int depth)
{
    char w[32];
    const char *start = ps->p;
    if (!word(ps, w, sizeof w))
        return bad(ps, LH_EINVAL, "expected a type name");
    if (!strcmp(w, "STRUCT") || !strcmp(w, "ROW"))
        return parse_struct(ps, out, depth);
    if (!strcmp(w, "MAP") || !strcmp(w, "LIST")) {
        json_t *k = NULL, *v = NULL;
        bool is_map = !strcmp(w, "MAP");
        if (!eat(ps, '('))
            return bad(ps, LH_EINVAL, "expected '('");
        lh_status st = parse_type(ps, &k, depth + 1);
        if (!st && is_map)
            st = eat(ps, ',') ? parse_type(ps, &v, depth + 1) : bad(ps, LH_EINVAL, "expected ','");
        if (!st && !eat(ps, ')'))
            st = bad(ps, LH_EINVAL, "expected ')'");
        if (st) {
            json_decref(k);
            json_decref(v);
            return st;
        }
        *out = is_map ? json_pack("{s:s, s:o, s:o, s:b}", "type", "map", "keyType", k, "valueType",
                                  v, "valueContainsNull", 1)
                      : json_pack("{s:s, s:o, s:b}", "type", "array", "elementType", k,
                                  "containsNull", 1);
        return LH_OK;
    }
    if (!strcmp(w, "DECIMAL") || !strcmp(w, "NUMERIC")) {
        long long p = 18, s = 3;  /* DuckDB's default DECIMAL */
        if (eat(ps, '(')) {
            char *end;
            skip_ws(ps);
            p = strtoll(ps->p, &end, 10);
            ps->p = end;
            s = 0;
            if (eat(ps, ',')) {
                skip_ws(ps);
                s = strtoll(ps->p, &end, 10);
                ps->p = end;
            }
            if (!eat(ps, ')'))
                return bad(ps, LH_EINVAL, "expected ')' after DECIMAL precision");
        }
        if (p < 1 || p > 38 || s < 0 || s > p)
            return bad(ps, LH_EUNSUPPORTED, "DECIMAL precision/scale out of range");
        char t[32];
        snprintf(t, sizeof t, "decimal(%lld,%lld)", p, s);
        *out = json_string(t);
        return LH_OK;
    }
    if (!strcmp(w, "TIMESTAMP")) {
        static const char *const wtz[] = {"WITH", "TIME", "ZONE"};
        if (eat_words(ps, wtz, 3)) {
            *out = json_string("timestamp");
            return LH_OK;
        }
        return bad(ps, LH_EUNSUPPORTED,
                   "TIMESTAMP without time zone is timestamp_ntz, not in Delta protocol (1,2); "
                   "convert it to TIMESTAMP WITH TIME ZONE");
    }
    if (!strcmp(w, "VARCHAR") || !strcmp(w, "CHAR")) {
        if (eat(ps, '(')) {  /* VARCHAR(n): the length is not enforced */
            while (*ps->p && *ps->p != ')')
                ps->p++;
            if (!eat(ps, ')'))
                return bad(ps, LH_EINVAL, "expected ')'");
        }
    }
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        if (!strcmp(w, prims[i].duck)) {
            *out = json_string(prims[i].spark);
            return LH_OK;
        }
    return lh_fail(ps->err, LH_EUNSUPPORTED, "type %.*s has no Delta (1,2) equivalent",
                   (int)(ps->p - start), start);
}

static lh_status parse_type(parser *ps, json_t **out, int depth)
{
    if (depth > 64)
        return bad(ps, LH_EINVAL, "type nested too deeply");
    json_t *t = NULL;
    lh_status st = parse_base(ps, &t, depth);
    if (st)
        return st;
    /* Postfix list/array markers: T[] and T[n] both become a Delta array. */
    while (eat(ps, '[')) {
        skip_ws(ps);
        while (isdigit((unsigned char)*ps->p))
            ps->p++;
        if (!eat(ps, ']')) {
            json_decref(t);
            return bad(ps, LH_EINVAL, "expected ']'");
        }
        t = json_pack("{s:s, s:o, s:b}", "type", "array", "elementType", t, "containsNull", 1);
    }
    if (!t)
        return lh_fail(ps->err, LH_ENOMEM, "out of memory");
    *out = t;
    return LH_OK;
}

/* Characters Delta refuses in column names without column mapping. */
static bool delta_safe_name(const char *name)
{
    return *name && !strpbrk(name, " ,;{}()\n\t=");
}

lh_status lh_table_schema_from_duckdb(const char *const *names, const char *const *types,
                                      const bool *nullable, size_t n, json_t **out, lh_err *err)
{
    json_t *fields = json_array();
    if (!fields)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!delta_safe_name(names[i])) {
            json_decref(fields);
            return lh_fail(err, LH_EINVAL,
                           "column name '%s' is not Delta-safe (no space or any of ,;{}()=)",
                           names[i]);
        }
        parser ps = {.p = types[i], .whole = types[i], .err = err};
        json_t *t = NULL;
        lh_status st = parse_type(&ps, &t, 0);
        if (!st && (skip_ws(&ps), *ps.p)) {
            json_decref(t);
            st = bad(&ps, LH_EINVAL, "trailing text");
        }
        if (st) {
            json_decref(fields);
            return lh_fail_wrap(err, st, "column '%s'", names[i]);
        }
        json_array_append_new(fields, make_field(names[i], t, nullable ? nullable[i] : true));
    }
    *out = json_pack("{s:s, s:o}", "type", "struct", "fields", fields);
    return *out ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
}

/* Appends the DuckDB name of t to out without checking each add (lh_table_duckdb_type
 * checks the builder once); returns only the schema's own errors. */
static lh_status duck_type(const json_t *t, lh_buf *out, int depth, lh_err *err)
{
    if (depth > 64)
        return lh_fail(err, LH_EINVAL, "schema nested too deeply");
    if (json_is_string(t)) {
        const char *s = json_string_value(t);
        for (size_t i = 0; i < sizeof spark_prims / sizeof spark_prims[0]; i++)
            if (!strcmp(s, spark_prims[i].spark)) {
                lh_buf_adds(out, spark_prims[i].duck);
                return LH_OK;
            }
        long long p, sc;
        char tail;
        if (sscanf(s, "decimal(%lld ,%lld %c", &p, &sc, &tail) == 3 && tail == ')' &&
            p >= 1 && p <= 38 && sc >= 0 && sc <= p) {
            lh_buf_printf(out, "DECIMAL(%lld,%lld)", p, sc);
            return LH_OK;
        }
        return lh_fail(err, LH_EUNSUPPORTED, "Delta type '%s' is not supported", s);
    }
    const char *kind = json_string_value(json_object_get(t, "type"));
    if (!kind)
        return lh_fail(err, LH_EINVAL, "schema type is neither a name nor an object");
    lh_status st = LH_OK;
    if (!strcmp(kind, "struct")) {
        json_t *fields = json_object_get(t, "fields");
        if (!json_is_array(fields) || json_array_size(fields) == 0)
            return lh_fail(err, LH_EINVAL, "struct type without fields");
        lh_buf_adds(out, "STRUCT(");
        size_t i;
        json_t *f;
        json_array_foreach(fields, i, f) {
            const char *name = json_string_value(json_object_get(f, "name"));
            if (!name)
                return lh_fail(err, LH_EINVAL, "struct field without a name");
            if (i)
                lh_buf_adds(out, ", ");
            lh_buf_add_sql_ident(out, name);
            lh_buf_addc(out, ' ');
            if ((st = duck_type(json_object_get(f, "type"), out, depth + 1, err)))
                return st;
        }
        lh_buf_addc(out, ')');
        return LH_OK;
    }
    if (!strcmp(kind, "array")) {
        if ((st = duck_type(json_object_get(t, "elementType"), out, depth + 1, err)))
            return st;
        lh_buf_adds(out, "[]");
        return LH_OK;
    }
    if (!strcmp(kind, "map")) {
        lh_buf_adds(out, "MAP(");
        if ((st = duck_type(json_object_get(t, "keyType"), out, depth + 1, err)))
            return st;
        lh_buf_adds(out, ", ");
        if ((st = duck_type(json_object_get(t, "valueType"), out, depth + 1, err)))
            return st;
        lh_buf_addc(out, ')');
        return LH_OK;
    }
    return lh_fail(err, LH_EUNSUPPORTED, "Delta type kind '%s' is not supported", kind);
}

lh_status lh_table_duckdb_type(const json_t *spark_type, lh_buf *out, lh_err *err)
{
    lh_status st = duck_type(spark_type, out, 0, err);
    if (!st && (st = lh_buf_status(out)))
        st = st == LH_ETOOBIG ? lh_fail(err, st, "type name too long")
                              : lh_fail(err, st, "out of memory");
    return st;
}

json_t *lh_table_schema_columns(const json_t *schema)
{
    json_t *cols = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(schema, "fields"), i, f) {
        lh_buf t;
        lh_buf_init(&t, 4096);
        lh_status st = lh_table_duckdb_type(json_object_get(f, "type"), &t, NULL);
        json_array_append_new(cols, json_pack("{s:O, s:s}", "name", json_object_get(f, "name"),
                                              "type", st ? "" : lh_buf_cstr(&t)));
        lh_buf_release(&t);
    }
    return cols;
}
