/* projection.c: the SELECT list that makes a source Delta-safe (names and types). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest_int.h"

#define MAX_COLUMNS LH_INGEST_MAX_COLUMNS

typedef struct proj {
    lh_buf *sql;
    json_t *renames;
    json_t *seen;   /* object: lowercase final name -> original path */
    size_t count;
    size_t index;   /* 1-based position of the top-level column being added */
    json_t *cols;   /* [{"name","type"}] of the SELECT list, or NULL to skip */
    bool nested;    /* a struct was flattened (its field types are not checked here) */
} proj;

static bool starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

/* Delta-safe column name: none of " ,;{}()\n\t=" (each becomes '_'). */
static void safe_name(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < size; p++)
        out[o++] = strchr(" ,;{}()\n\t=", *p) ? '_' : *p;
    out[o] = '\0';
}

/* True for a list or array type ("INTEGER[]", "STRUCT(a INTEGER)[]", "VARCHAR[3]"): the
 * type ends in ']', where a struct's ends in ')'. */
static bool is_list(const char *type)
{
    size_t n = strlen(type);
    return n && type[n - 1] == ']';
}

static void lower_copy(const char *in, char *out, size_t size)
{
    size_t i = 0;
    for (; in[i] && i + 1 < size; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
}

/* The Delta-safe name of a column at path ("s.b.c" for a nested field): unsafe
 * characters become '_', and so do the dots of a flattened path. */
static void final_name(const proj *p, const char *path, bool nested, char *safe, size_t size)
{
    safe_name(path, safe, size);
    if (nested)
        for (char *c = safe; *c; c++)
            if (*c == '.')
                *c = '_';
    if (!*safe)
        snprintf(safe, size, "column_%zu", p->index);
}

/* Splits "STRUCT(a BIGINT, "b c" STRUCT(x VARCHAR))" into its fields and calls back. */
typedef lh_status (*field_cb)(proj *p, const char *expr, const char *prefix, const char *name,
                              const char *type, lh_err *err);

static lh_status each_struct_field(proj *p, const char *expr, const char *prefix, const char *type,
                                   field_cb cb, lh_err *err)
{
    const char *s = type + strlen("STRUCT(");
    while (*s && *s != ')') {
        while (*s == ' ' || *s == ',')
            s++;
        char name[512];
        size_t n = 0;
        if (*s == '"') {
            for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
                if (*s == '"')
                    s++;
                if (n + 1 < sizeof name)
                    name[n++] = *s;
            }
            if (*s == '"')
                s++;
        } else {
            while (*s && *s != ' ' && n + 1 < sizeof name)
                name[n++] = *s++;
        }
        name[n] = '\0';
        while (*s == ' ')
            s++;
        /* the field's type runs to the next top-level ',' or the closing ')' */
        const char *t = s;
        int depth = 0;
        bool inq = false;
        for (; *s; s++) {
            if (*s == '"')
                inq = !inq;
            if (inq)
                continue;
            if (*s == '(')
                depth++;
            else if (*s == ')') {
                if (depth == 0)
                    break;
                depth--;
            } else if (*s == ',' && depth == 0)
                break;
        }
        char ftype[4096];
        snprintf(ftype, sizeof ftype, "%.*s", (int)(s - t), t);
        lh_buf child;
        lh_buf_init(&child, 1 << 16);
        lh_buf_printf(&child, "struct_extract(%s, ", expr);
        lh_buf_add_sql_string(&child, name);
        lh_buf_addc(&child, ')');
        lh_status st = lh__ingest_built(&child, "a nested field's expression", err);
        if (!st)
            st = cb(p, child.data, prefix, name, ftype, err);
        lh_buf_release(&child);
        if (st)
            return st;
    }
    return LH_OK;
}

static lh_status add_column(proj *p, const char *expr, const char *prefix, const char *name,
                            const char *type, lh_err *err)
{
    /* path is the dotted position in the source ("s.b.c"); nesting becomes "_". */
    char path[1024];
    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", name);
    /* A list of structs ("STRUCT(...)[]") is a list: kept whole as JSON text below. */
    if (starts(type, "STRUCT(") && !is_list(type)) {
        p->nested = true;
        return each_struct_field(p, expr, path, type, add_column, err);
    }
    if (++p->count > MAX_COLUMNS)
        return lh_fail(err, LH_EINVAL, "more than %d columns", MAX_COLUMNS);

    char safe[1024];
    final_name(p, path, *prefix != '\0', safe, sizeof safe);
    if (*prefix) {
        /* A flattened name that another column already has gets the first free suffix
         * _2, _3, ... (docs/CLI.md): top-level names were taken first, then flattened
         * ones in the file's column order. */
        char lower[1040];
        lower_copy(safe, lower, sizeof lower);
        if (json_object_get(p->seen, lower)) {
            char base[1024];
            snprintf(base, sizeof base, "%s", safe);
            for (unsigned k = 2; json_object_get(p->seen, lower); k++) {
                snprintf(safe, sizeof safe, "%.1000s_%u", base, k);
                lower_copy(safe, lower, sizeof lower);
            }
        }
        json_object_set_new(p->seen, lower, json_string(path));
    }
    if (strcmp(safe, path))
        json_array_append_new(p->renames, json_pack("{s:s, s:s}", "from", path, "to", safe));

    /* Types Delta (protocol 1,2) cannot hold become the nearest type it can. */
    const char *cast = NULL;
    bool to_json = false;
    if (!strcmp(type, "TIMESTAMP") || starts(type, "TIMESTAMP_"))
        cast = "TIMESTAMP WITH TIME ZONE";
    else if (!strcmp(type, "HUGEINT") || !strcmp(type, "UHUGEINT"))
        cast = "DECIMAL(38,0)";
    else if (!strcmp(type, "UTINYINT"))
        cast = "SMALLINT";
    else if (!strcmp(type, "USMALLINT"))
        cast = "INTEGER";
    else if (!strcmp(type, "UINTEGER"))
        cast = "BIGINT";
    else if (!strcmp(type, "UBIGINT"))
        cast = "DECIMAL(20,0)";
    else if (!strcmp(type, "UUID") || starts(type, "ENUM(") || !strcmp(type, "INTERVAL") ||
             starts(type, "TIME") || !strcmp(type, "BIT") || !strcmp(type, "JSON") ||
             !strcmp(type, "NULL") || starts(type, "UNION("))
        cast = "VARCHAR";
    else if (is_list(type) || starts(type, "MAP("))
        to_json = true;
    /* TIME WITH TIME ZONE also starts with TIME; TIMESTAMP WITH TIME ZONE is kept. */
    if (!strcmp(type, "TIMESTAMP WITH TIME ZONE"))
        cast = NULL;

    /* Unchecked: project() checks the whole SELECT list once, at its end. */
    lh_buf_adds(p->sql, p->count > 1 ? ", " : "");
    if (to_json)
        lh_buf_printf(p->sql, "CAST(to_json(%s) AS VARCHAR)", expr);
    else if (cast)
        lh_buf_printf(p->sql, "CAST(%s AS %s)", expr, cast);
    else
        lh_buf_adds(p->sql, expr);
    lh_buf_adds(p->sql, " AS ");
    lh_buf_add_sql_ident(p->sql, safe);
    if (p->cols)
        json_array_append_new(p->cols, json_pack("{s:s, s:s}", "name", safe, "type",
                                                 to_json ? "VARCHAR" : cast ? cast : type));
    return LH_OK;
}

static lh_status project(const json_t *rows, lh_buf *projection, json_t *renames, json_t **columns,
                         lh_err *err)
{
    proj p = {projection, renames, json_object(), 0, 0, columns ? json_array() : NULL, false};
    lh_status st = LH_OK;
    size_t i;
    json_t *row;
    /* Top-level names first: two of them that differ only in case are refused (a CSV
     * header or a query result naming a column twice is a mistake to fix at the source);
     * names made by flattening then yield to them (add_column). */
    json_array_foreach(rows, i, row) {
        const char *name = json_string_value(json_array_get(row, 0));
        const char *type = json_string_value(json_array_get(row, 1));
        if (type && starts(type, "STRUCT(") && !is_list(type))
            continue;
        char safe[1024], lower[1024];
        p.index = i + 1;
        final_name(&p, name ? name : "", false, safe, sizeof safe);
        lower_copy(safe, lower, sizeof lower);
        if (json_object_get(p.seen, lower)) {
            st = lh_fail(err, LH_EINVAL, "duplicate column name '%s' (column names are "
                         "case-insensitive)", safe);
            break;
        }
        json_object_set_new(p.seen, lower, json_string(name ? name : ""));
    }
    json_array_foreach(rows, i, row) {
        if (st)
            break;
        p.index = i + 1;
        const char *name = json_string_value(json_array_get(row, 0));
        const char *type = json_string_value(json_array_get(row, 1));
        lh_buf expr;
        lh_buf_init(&expr, 4096);
        lh_buf_add_sql_ident(&expr, name ? name : "");
        st = lh__ingest_built(&expr, "a column's name", err);
        if (!st)
            st = add_column(&p, expr.data, "", name ? name : "", type ? type : "VARCHAR", err);
        lh_buf_release(&expr);
    }
    if (!st && p.count == 0)
        st = lh_fail(err, LH_EINVAL, "the file has no columns");
    if (!st)
        st = lh__ingest_built(projection, "the projection", err);
    json_decref(p.seen);
    if (columns && !st && !p.nested)
        *columns = p.cols;
    else
        json_decref(p.cols);
    return st;
}

lh_status lh__ingest_project_columns(const json_t *rows, lh_buf *projection, json_t *renames,
                                     lh_err *err)
{
    return project(rows, projection, renames, NULL, err);
}

lh_status lh__ingest_projection(lh_engine *eng, const char *source, lh_buf *projection,
                                json_t *renames, json_t **columns, lh_err *err)
{
    if (columns)
        *columns = NULL;
    /* The file is described once; the SELECT list is then built from that description
     * alone, one flat expression per column (no nesting grows with the width). */
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM %s)", source);
    json_t *rows = NULL;
    lh_status st = lh__ingest_built(&sql, "the SQL describing the file", err);
    if (st) {
        lh_buf_release(&sql);
        return st;
    }
    st = lh_engine_query_rows(eng, sql.data, MAX_COLUMNS, &rows, err);
    lh_buf_release(&sql);
    if (st) {
        lh__ingest_short_error(err);
        return st == LH_ETOOBIG ? st : lh_fail_wrap(err, LH_EINVAL, "cannot read the file");
    }
    st = project(rows, projection, renames, columns, err);
    json_decref(rows);
    return st;
}
