/* sql_gate.c: the statement gate for user SQL (DESIGN.md §5 invariant 6).
 *
 * User SQL may only read catalog relations. The decision is made with DuckDB's own
 * parser, never by matching the SQL text:
 *
 *   1. The prepared statement's type must be SELECT or EXPLAIN. DESCRIBE, SHOW <query>
 *      and SUMMARIZE are SELECTs to DuckDB 1.4 (a SHOW_REF table reference, below).
 *   2. json_serialize_sql() turns the statement into DuckDB's parse tree (it refuses
 *      anything but SELECT statements), and the walk below checks every node of it
 *      against allow-lists. A node kind the gate does not know is denied, so a newer
 *      DuckDB that adds syntax fails closed.
 *
 * What the walk allows:
 *   - query nodes: SELECT, set operations, CTEs (plain, MATERIALIZED, RECURSIVE);
 *   - table references: catalog relations on the allow-list (lh__engine_relation_allowed),
 *     CTEs in scope, subqueries, joins, VALUES, PIVOT/UNPIVOT, the table functions in
 *     allowed_table_functions, and DESCRIBE/SUMMARIZE of a query that passes the gate;
 *   - expressions of the classes in allowed_expr_classes; function calls whose name is
 *     not in denied_functions (nor starts with a prefix in denied_prefixes).
 *
 * CTE scoping follows DuckDB's binder, checked against 1.4.4: a WITH item sees the items
 * before it (not itself, not later ones: `WITH t AS (SELECT * FROM t)` reads the real t);
 * the query body sees all of them; a recursive CTE sees itself only in the recursive
 * (right) side of its UNION; subqueries see the CTEs of the queries around them; CTE
 * names match case-insensitively; a qualified name (main.t) never means a CTE. The
 * gate's scope is never wider than DuckDB's, so a name it treats as a CTE is one, and
 * anything else must be an allowed relation.
 *
 * EXPLAIN is the one statement json_serialize_sql cannot serialize. The gate skips the
 * leading EXPLAIN keyword and runs the rest through the same check; EXPLAIN ANALYZE (it
 * executes the query) and EXPLAIN (options) leave a rest that is not a SELECT and so
 * are denied. The keyword skip only finds where the explained statement starts; DuckDB
 * still decides what that statement is. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/engine_int.h"

/* Deepest parse tree the walk follows (jansson stops at 2048 JSON levels anyway). */
#define GATE_MAX_DEPTH 4000
/* Relations listed in an "unknown relation" message. */
#define GATE_LIST_RELATIONS 10

/* ---- the lists ---------------------------------------------------------------- */

/* Table functions user SQL may call in FROM: they only generate rows from their
 * arguments. Everything else is denied: file readers (read_csv*, read_parquet,
 * read_json*, read_text, read_blob, parquet_*, glob, sniff_csv), catalog and settings
 * views (duckdb_*, pragma_*, which_secret), SQL runners (query, query_table,
 * json_execute_serialized_sql), state changers (checkpoint, enable_logging, ...), and
 * table macros (histogram reads any table by name). */
static const char *const allowed_table_functions[] = {
    "range", "generate_series", "unnest",
};

/* Scalar, aggregate and window functions user SQL may not call. Everything not listed
 * (string, math, date, list, struct, map, regexp, json, aggregates, window functions)
 * is allowed. Why each one is here:
 *   current_setting, getvariable       reveal settings (allowed_directories = data root)
 *                                      and session variables set by the server
 *   nextval, currval                   sequences: nextval changes state
 *   setseed                            changes the connection's random state
 *   txid_current, current_transaction_id   internal transaction ids
 *   write_log, parse_duckdb_log_message    write to / read DuckDB's log
 *   json_serialize_sql, json_deserialize_sql, json_serialize_plan,
 *   json_execute_serialized_sql        parse, plan (binds any relation) or run SQL text
 *   query, query_table                 run SQL text / read a relation named by a string
 *   read_text, read_blob, glob, sniff_csv   file access
 *   enable_logging, disable_logging, truncate_duckdb_logs, checkpoint,
 *   force_checkpoint                   change engine state
 *   which_secret, sql_auto_complete    reveal secrets' scopes / the catalog
 *   get_block_size, format_type        macros that query pragma_database_size() and
 *                                      duckdb_types() behind the gate's back
 *   getenv                             environment (DuckDB's CLI only, denied anyway)
 *   summary, histogram_values          table functions/macros reading a relation by name
 * Prefixes (denied_prefixes): duckdb_* (catalog, settings, secrets, logs), pragma_*,
 * read_*, parquet_*, iceberg_*, delta_*, and pg_* (pg_get_viewdef and
 * pg_get_constraintdef are macros over duckdb_views()/duckdb_constraints(); the
 * rest are catalog shims) except the harmless pg_typeof and pg_size_pretty; and the
 * engine's __internal_* helpers. version() is harmless and allowed. */
static const char *const denied_functions[] = {
    "current_setting", "getvariable", "nextval", "currval", "setseed", "txid_current",
    "current_transaction_id", "write_log", "parse_duckdb_log_message",
    "json_serialize_sql", "json_deserialize_sql", "json_serialize_plan",
    "json_execute_serialized_sql", "query", "query_table", "read_text", "read_blob",
    "glob", "sniff_csv", "enable_logging", "disable_logging", "truncate_duckdb_logs",
    "checkpoint", "force_checkpoint", "which_secret", "sql_auto_complete",
    "get_block_size", "format_type", "getenv", "summary", "histogram_values",
};
static const char *const denied_prefixes[] = {
    "duckdb_", "pragma_", "read_", "parquet_", "iceberg_", "delta_", "pg_", "__internal",
};
static const char *const prefix_exceptions[] = {"pg_typeof", "pg_size_pretty"};

/* Expression classes (the "class" field) the walk knows. DEFAULT (INSERT only) and any
 * class a later DuckDB adds are denied. */
static const char *const allowed_expr_classes[] = {
    "BETWEEN", "CASE", "CAST", "COLLATE", "COLUMN_REF", "COMPARISON", "CONJUNCTION",
    "CONSTANT", "FUNCTION", "LAMBDA", "LAMBDA_REF", "OPERATOR", "PARAMETER",
    "POSITIONAL_REFERENCE", "STAR", "SUBQUERY", "WINDOW",
};

/* Operator kinds (class OPERATOR): NOT, IS [NOT] NULL, [NOT] IN, [] and [:], struct
 * field access, ARRAY[...], COALESCE, TRY(...), *COLUMNS unpacking, GROUPING(...). */
static const char *const allowed_operators[] = {
    "OPERATOR_NOT", "OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL", "COMPARE_IN",
    "COMPARE_NOT_IN", "ARRAY_EXTRACT", "ARRAY_SLICE", "STRUCT_EXTRACT",
    "ARRAY_CONSTRUCTOR", "OPERATOR_COALESCE", "OPERATOR_TRY", "OPERATOR_UNPACK",
    "GROUPING_FUNCTION",
};

/* Typed nodes without a "class" (the "type" field) whose members the walk simply
 * descends into: joins, subqueries, VALUES, PIVOT, no FROM, result modifiers and
 * ORDER BY terms. Query nodes, BASE_TABLE, TABLE_FUNCTION and SHOW_REF have their own
 * checks below. */
static const char *const plain_nodes[] = {
    "JOIN", "SUBQUERY", "EXPRESSION_LIST", "EMPTY", "PIVOT",
    "ORDER_MODIFIER", "LIMIT_MODIFIER", "LIMIT_PERCENT_MODIFIER", "DISTINCT_MODIFIER",
    "ORDER_DEFAULT", "ASCENDING", "DESCENDING",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(list[i], s))
            return true;
    return false;
}

static bool function_denied(const char *name)
{
    if (in_list(denied_functions, COUNT(denied_functions), name))
        return true;
    if (in_list(prefix_exceptions, COUNT(prefix_exceptions), name))
        return false;
    for (size_t i = 0; i < COUNT(denied_prefixes); i++)
        if (!strncasecmp(name, denied_prefixes[i], strlen(denied_prefixes[i])))
            return true;
    return false;
}

/* ---- the walk ------------------------------------------------------------------- */

/* CTE names visible at a point of the tree, innermost first; frames live on the stack
 * or in a query node's array for as long as the walk is below that node. */
typedef struct cte_scope {
    const char *name;
    const struct cte_scope *up;
} cte_scope;

typedef struct gate {
    lh_engine *e;
    lh_err *err;
    int depth;
    json_t *seen; /* NULL, or an object collecting the catalog relations referenced */
} gate;

static lh_status walk(gate *g, json_t *v, const cte_scope *sc);

static const char *str_member(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static bool cte_visible(const cte_scope *sc, const char *name)
{
    for (; sc; sc = sc->up)
        if (!strcasecmp(sc->name, name))
            return true;
    return false;
}

/* Walks every member of o except the keys in skip (NULL-terminated). */
static lh_status walk_members(gate *g, json_t *o, const cte_scope *sc, const char *const *skip)
{
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val) {
        bool skipped = false;
        for (size_t i = 0; skip && skip[i]; i++)
            if (!strcmp(skip[i], key))
                skipped = true;
        if (skipped)
            continue;
        lh_status st = walk(g, val, sc);
        if (st)
            return st;
    }
    return LH_OK;
}

/* A LogicalType ({"id", "type_info"}) or a constant Value ({"type": {...}, "is_null",
 * "value"}): data, never SQL to check. */
static bool inert(json_t *o)
{
    if (json_object_get(o, "id") && json_object_get(o, "type_info"))
        return true;
    return json_is_object(json_object_get(o, "type")) && json_object_get(o, "is_null");
}

static lh_status relation_unknown(gate *g, const char *name)
{
    lh_buf b;
    lh_buf_init(&b, 4096);
    size_t n = g->e->nrelations;
    for (size_t i = 0; i < n && i < GATE_LIST_RELATIONS; i++)
        lh_buf_printf(&b, "%s%s", i ? ", " : "", g->e->relations[i]);
    if (n > GATE_LIST_RELATIONS)
        lh_buf_printf(&b, ", ... (%zu in all)", n);
    lh_status st = n ? lh_fail(g->err, LH_EDENIED, "unknown relation \"%s\"; known datasets: %s",
                               name, lh_buf_cstr(&b))
                     : lh_fail(g->err, LH_EDENIED, "unknown relation \"%s\"; no datasets are "
                               "available", name);
    lh_buf_release(&b);
    return st;
}

/* BASE_TABLE: a CTE in scope (unqualified), or an allowed catalog relation, unqualified
 * or qualified with the default schema (main) and/or catalog (memory) only. */
static lh_status check_base_table(gate *g, json_t *o, const cte_scope *sc)
{
    const char *name = str_member(o, "table_name");
    const char *schema = str_member(o, "schema_name");
    const char *catalog = str_member(o, "catalog_name");
    json_t *at = json_object_get(o, "at_clause");
    if (at && !json_is_null(at))
        return lh_fail(g->err, LH_EDENIED, "time travel (AT ...) on \"%s\" is not allowed", name);
    if (!*schema && !*catalog && cte_visible(sc, name))
        return walk_members(g, o, sc, NULL);
    bool qual_ok = (!*catalog || !strcasecmp(catalog, "memory")) &&
                   (!*schema || !strcasecmp(schema, "main") ||
                    (!*catalog && !strcasecmp(schema, "memory")));
    if (!qual_ok)
        return lh_fail(g->err, LH_EDENIED, "relation \"%s%s%s%s%s\" is not allowed", catalog,
                       *catalog ? "." : "", schema, *schema ? "." : "", name);
    if (!lh__engine_relation_allowed(g->e, name))
        return relation_unknown(g, name);
    if (g->seen) {
        char lower[256];
        size_t i = 0;
        for (; name[i] && i + 1 < sizeof lower; i++)
            lower[i] = (char)tolower((unsigned char)name[i]);
        lower[i] = '\0';
        json_object_set_new(g->seen, lower, json_true());
    }
    return walk_members(g, o, sc, NULL);
}

static lh_status check_table_function(gate *g, json_t *o, const cte_scope *sc)
{
    json_t *fn = json_object_get(o, "function");
    const char *name = str_member(fn, "function_name");
    if (!json_is_object(fn) || strcmp(str_member(fn, "class"), "FUNCTION"))
        return lh_fail(g->err, LH_EDENIED, "unrecognised table function call is not allowed");
    if (!in_list(allowed_table_functions, COUNT(allowed_table_functions), name))
        return lh_fail(g->err, LH_EDENIED, "table function %s is not allowed (allowed: range, "
                       "generate_series, unnest)", name);
    return walk_members(g, o, sc, NULL);
}

/* SHOW_REF: DESCRIBE / SHOW / SUMMARIZE. Allowed over a query (DESCRIBE people becomes
 * DESCRIBE (SELECT * FROM people)); SHOW TABLES, SHOW DATABASES and the like carry a
 * name and no query, and list the engine's catalog: denied. */
static lh_status check_show_ref(gate *g, json_t *o, const cte_scope *sc)
{
    const char *kind = str_member(o, "show_type");
    json_t *q = json_object_get(o, "query");
    if (!json_is_object(q) || (strcmp(kind, "DESCRIBE") && strcmp(kind, "SUMMARY"))) {
        const char *what = str_member(o, "table_name");
        return lh_fail(g->err, LH_EDENIED, "SHOW %s is not allowed; DESCRIBE or SUMMARIZE a "
                       "dataset or a query instead", *what ? what : kind);
    }
    return walk(g, q, sc);
}

/* Query nodes: SELECT_NODE, SET_OPERATION_NODE, CTE_NODE, RECURSIVE_CTE_NODE. Each may
 * carry a cte_map (its WITH clause); see the scoping rules at the top of the file. */
static lh_status check_query_node(gate *g, json_t *o, const char *type, const cte_scope *sc)
{
    json_t *map = json_object_get(json_object_get(o, "cte_map"), "map");
    size_t n = json_is_array(map) ? json_array_size(map) : 0;
    cte_scope *frames = NULL;
    lh_status st = LH_OK;
    if (n && !(frames = calloc(n, sizeof *frames)))
        return lh_fail(g->err, LH_ENOMEM, "out of memory");
    const cte_scope *body = sc;
    for (size_t i = 0; i < n && !st; i++) {
        json_t *item = json_array_get(map, i);
        const char *name = json_string_value(json_object_get(item, "key"));
        if (!name) {
            st = lh_fail(g->err, LH_EDENIED, "unrecognised WITH clause");
            break;
        }
        st = walk(g, json_object_get(item, "value"), body); /* sees the items before it */
        frames[i].name = name;
        frames[i].up = body;
        body = &frames[i];
    }
    if (!st && !strcmp(type, "RECURSIVE_CTE_NODE")) {
        /* The anchor (left) does not see the CTE itself; the recursive side does. */
        cte_scope self = {str_member(o, "cte_name"), body};
        st = walk(g, json_object_get(o, "left"), body);
        if (!st)
            st = walk(g, json_object_get(o, "right"), &self);
        static const char *const skip[] = {"cte_map", "left", "right", NULL};
        if (!st)
            st = walk_members(g, o, body, skip);
    } else if (!st && !strcmp(type, "CTE_NODE")) {
        /* A MATERIALIZED item: query is its definition (sees the items before it in
         * this WITH), child the query that uses it. */
        const char *name = str_member(o, "cte_name");
        const cte_scope *def = sc; /* name not in this map: only the outer scope */
        for (size_t i = 0; i < n; i++)
            if (!strcasecmp(frames[i].name, name)) {
                def = i ? &frames[i - 1] : sc;
                break;
            }
        cte_scope self = {name, sc};
        st = walk(g, json_object_get(o, "query"), def);
        if (!st)
            st = walk(g, json_object_get(o, "child"), &self);
        static const char *const skip[] = {"cte_map", "query", "child", NULL};
        if (!st)
            st = walk_members(g, o, sc, skip);
    } else if (!st) {
        static const char *const skip[] = {"cte_map", NULL};
        st = walk_members(g, o, body, skip);
    }
    free(frames);
    return st;
}

static lh_status check_expr(gate *g, json_t *o, const char *cls, const cte_scope *sc)
{
    const char *type = str_member(o, "type");
    if (!in_list(allowed_expr_classes, COUNT(allowed_expr_classes), cls))
        return lh_fail(g->err, LH_EDENIED, "SQL expression %s (%s) is not allowed", cls, type);
    if (!strcmp(cls, "OPERATOR") && !in_list(allowed_operators, COUNT(allowed_operators), type))
        return lh_fail(g->err, LH_EDENIED, "SQL operator %s is not allowed", type);
    if (!strcmp(cls, "FUNCTION") || !strcmp(cls, "WINDOW")) {
        const char *name = str_member(o, "function_name");
        if (function_denied(name))
            return lh_fail(g->err, LH_EDENIED, "function %s is not allowed", name);
    }
    return walk_members(g, o, sc, NULL);
}

static lh_status walk_node(gate *g, json_t *o, const cte_scope *sc)
{
    if (inert(o))
        return LH_OK;
    const char *cls = json_string_value(json_object_get(o, "class"));
    const char *type = json_string_value(json_object_get(o, "type"));
    if (cls)
        return check_expr(g, o, cls, sc);
    if (!type)
        return walk_members(g, o, sc, NULL); /* a plain container: statement, WITH item... */
    if (!strcmp(type, "SELECT_NODE") || !strcmp(type, "SET_OPERATION_NODE") ||
        !strcmp(type, "CTE_NODE") || !strcmp(type, "RECURSIVE_CTE_NODE"))
        return check_query_node(g, o, type, sc);
    if (!strcmp(type, "BASE_TABLE"))
        return check_base_table(g, o, sc);
    if (!strcmp(type, "TABLE_FUNCTION"))
        return check_table_function(g, o, sc);
    if (!strcmp(type, "SHOW_REF"))
        return check_show_ref(g, o, sc);
    if (in_list(plain_nodes, COUNT(plain_nodes), type))
        return walk_members(g, o, sc, NULL);
    return lh_fail(g->err, LH_EDENIED, "SQL construct %s is not allowed", type);
}

static lh_status walk(gate *g, json_t *v, const cte_scope *sc)
{
    if (!json_is_object(v) && !json_is_array(v))
        return LH_OK;
    if (++g->depth > GATE_MAX_DEPTH) {
        g->depth--;
        return lh_fail(g->err, LH_EDENIED, "query is too deeply nested");
    }
    lh_status st = LH_OK;
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if ((st = walk(g, x, sc)))
                break;
        }
    } else {
        st = walk_node(g, v, sc);
    }
    g->depth--;
    return st;
}

/* ---- serializing and deciding ---------------------------------------------------- */

/* json_serialize_sql(sql) as a string, through a prepared internal query on the gate's
 * connection (the caller holds gate_mu). */
static lh_status serialize_locked(lh_engine *e, const char *sql, lh_buf *out, lh_err *err)
{
    duckdb_prepared_statement ps = NULL;
    duckdb_result res;
    lh_status st = LH_OK;
    if (duckdb_prepare(e->gate_conn, "SELECT json_serialize_sql(?::VARCHAR)", &ps) == DuckDBError) {
        st = lh_fail(err, LH_EINTERNAL, "statement gate: %s", duckdb_prepare_error(ps));
        duckdb_destroy_prepare(&ps);
        return st;
    }
    if (duckdb_bind_varchar(ps, 1, sql) == DuckDBError) {
        duckdb_destroy_prepare(&ps);
        return lh_fail(err, LH_EINVAL, "SQL is not valid UTF-8 text");
    }
    if (duckdb_execute_prepared(ps, &res) == DuckDBError) {
        st = lh__engine_result_error(&res, LH_EINTERNAL, "statement gate", err);
        duckdb_destroy_result(&res);
        duckdb_destroy_prepare(&ps);
        return st;
    }
    duckdb_data_chunk chunk = duckdb_fetch_chunk(res);
    if (!chunk || duckdb_data_chunk_get_size(chunk) < 1) {
        st = lh_fail(err, LH_EINTERNAL, "statement gate: json_serialize_sql returned no row");
    } else {
        duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, 0);
        uint64_t *validity = duckdb_vector_get_validity(vec);
        if (validity && !duckdb_validity_row_is_valid(validity, 0)) {
            st = lh_fail(err, LH_EINTERNAL, "statement gate: json_serialize_sql returned NULL");
        } else {
            duckdb_string_t *s = (duckdb_string_t *)duckdb_vector_get_data(vec);
            st = lh_buf_add(out, duckdb_string_t_data(s), duckdb_string_t_length(*s));
            if (st)
                st = lh_fail(err, st, "statement gate: query too large to check");
        }
    }
    if (chunk)
        duckdb_destroy_data_chunk(&chunk);
    duckdb_destroy_result(&res);
    duckdb_destroy_prepare(&ps);
    return st;
}

/* One shared connection for every gate check: serialising a parse tree takes
 * microseconds, so threads barely wait for it. */
static lh_status serialize(lh_engine *e, const char *sql, lh_buf *out, lh_err *err)
{
    pthread_mutex_lock(&e->gate_mu);
    lh_status st = serialize_locked(e, sql, out, err);
    pthread_mutex_unlock(&e->gate_mu);
    return st;
}

/* Checks that sql is exactly one SELECT whose parse tree passes the walk; *not_select
 * tells a statement DuckDB would not serialize (not a SELECT) from other denials. */
static lh_status check_select(lh_engine *e, const char *sql, bool *not_select, json_t *seen,
                              lh_err *err)
{
    *not_select = false;
    lh_buf text;
    lh_buf_init(&text, 0);
    lh_status st = serialize(e, sql, &text, err);
    json_t *root = NULL;
    if (!st) {
        json_error_t jerr;
        /* INT_AS_REAL: query_location is a uint64 (UINT64_MAX when unknown), too big for
         * json_int_t; the walk reads no numbers. */
        root = json_loadb(text.data ? text.data : "", text.len, JSON_DECODE_INT_AS_REAL, &jerr);
        if (!root)
            st = lh_fail(err, LH_EDENIED, "query is too complex for the statement gate (%s)",
                         jerr.text);
    }
    lh_buf_release(&text);
    if (st)
        return st;
    if (json_is_true(json_object_get(root, "error"))) {
        const char *type = str_member(root, "error_type");
        const char *msg = str_member(root, "error_message");
        if (!strcmp(type, "parser"))
            st = lh_fail(err, LH_EINVAL, "Parser Error: %s", msg);
        else if ((*not_select = !strcmp(type, "not implemented") &&
                               strstr(msg, "Only SELECT statements")))
            st = lh_fail(err, LH_EDENIED, "only read-only queries are allowed (SELECT, FROM, WITH, "
                         "VALUES, DESCRIBE, SUMMARIZE, EXPLAIN)");
        else
            st = lh_fail(err, LH_EDENIED, "query refused by the statement gate: %s", msg);
    } else {
        json_t *stmts = json_object_get(root, "statements");
        if (!json_is_array(stmts) || json_array_size(stmts) != 1) {
            st = lh_fail(err, LH_EDENIED, "exactly one statement is allowed");
        } else {
            gate g = {e, err, 0, seen};
            st = walk(&g, json_array_get(stmts, 0), NULL);
        }
    }
    json_decref(root);
    return st;
}

/* Skips whitespace and SQL comments; NULL when a block comment does not end. */
static const char *skip_blank(const char *p)
{
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            if (!end)
                return NULL;
            p = end + 2;
        } else {
            return p;
        }
    }
}

/* The statement an EXPLAIN explains: the text after the leading keyword, or NULL. */
static const char *explained(const char *sql)
{
    const char *p = skip_blank(sql);
    if (!p || strncasecmp(p, "explain", 7))
        return NULL;
    p += 7;
    if (!isspace((unsigned char)*p) && !(p[0] == '-' && p[1] == '-') && !(p[0] == '/' && p[1] == '*'))
        return NULL;
    return p;
}

static const char *statement_type_name(duckdb_statement_type t)
{
    static const char *const names[] = {
        "an invalid statement", "SELECT", "INSERT", "UPDATE", "EXPLAIN", "DELETE", "PREPARE",
        "CREATE", "EXECUTE", "ALTER", "a transaction statement", "COPY", "ANALYZE", "SET",
        "CREATE FUNCTION", "DROP", "EXPORT", "PRAGMA", "VACUUM", "CALL", "SET/RESET", "LOAD",
        "a relation", "an extension statement", "a logical plan", "ATTACH", "DETACH",
        "several statements",
    };
    return (size_t)t < COUNT(names) ? names[t] : "an unknown statement";
}

static lh_status gate_check(lh_engine *e, const char *sql, duckdb_prepared_statement prepared,
                            json_t *seen, lh_err *err);

lh_status lh__sql_gate_check(lh_engine *e, const char *sql, duckdb_prepared_statement prepared,
                             lh_err *err)
{
    pthread_rwlock_rdlock(&e->rel_lock);
    lh_status st = lh__sql_gate_check_locked(e, sql, prepared, err);
    pthread_rwlock_unlock(&e->rel_lock);
    return st;
}

lh_status lh__sql_gate_check_seen(lh_engine *e, const char *sql,
                                  duckdb_prepared_statement prepared, json_t *seen, lh_err *err)
{
    pthread_rwlock_rdlock(&e->rel_lock);
    lh_status st = gate_check(e, sql, prepared, seen, err);
    pthread_rwlock_unlock(&e->rel_lock);
    return st;
}

lh_status lh__sql_gate_check_locked(lh_engine *e, const char *sql,
                                    duckdb_prepared_statement prepared, lh_err *err)
{
    return gate_check(e, sql, prepared, NULL, err);
}

static lh_status gate_check(lh_engine *e, const char *sql, duckdb_prepared_statement prepared,
                            json_t *seen, lh_err *err)
{
    if (!sql)
        return lh_fail(err, LH_EINVAL, "no SQL given");
    /* A failed prepare has no type, and asking DuckDB 1.4.4 for it throws an uncaught
     * C++ exception (abort), so check the error first: without a type, the parse-tree
     * check alone decides (it accepts SELECT statements only). */
    duckdb_statement_type t = DUCKDB_STATEMENT_TYPE_INVALID;
    if (prepared && !duckdb_prepare_error(prepared))
        t = duckdb_prepared_statement_type(prepared);
    if (t == DUCKDB_STATEMENT_TYPE_EXPLAIN) {
        const char *inner = explained(sql);
        if (!inner)
            return lh_fail(err, LH_EDENIED, "EXPLAIN must start the statement");
        bool not_select;
        lh_status st = check_select(e, inner, &not_select, seen, err);
        if (not_select || st == LH_EINVAL) /* DuckDB parsed the whole EXPLAIN: valid SQL */
            return lh_fail(err, LH_EDENIED, "only EXPLAIN of a read-only query is allowed "
                           "(not EXPLAIN ANALYZE, which runs it, nor EXPLAIN options)");
        return st;
    }
    if (t != DUCKDB_STATEMENT_TYPE_SELECT && t != DUCKDB_STATEMENT_TYPE_INVALID)
        return lh_fail(err, LH_EDENIED, "only read-only queries are allowed; got %s",
                       statement_type_name(t));
    bool not_select;
    lh_status st = check_select(e, sql, &not_select, seen, err);
    if (not_select && t == DUCKDB_STATEMENT_TYPE_INVALID && explained(sql)) {
        /* Probably an EXPLAIN that failed to prepare: denied either way, but say why when
         * the explained statement is itself denied. */
        lh_err inner_err;
        lh_status inner = check_select(e, explained(sql), &not_select, NULL, &inner_err);
        if (inner == LH_EDENIED && !not_select)
            return lh_fail(err, LH_EDENIED, "%s", inner_err.msg);
        if (inner != LH_OK)
            return lh_fail(err, LH_EDENIED, "only EXPLAIN of a read-only query is allowed "
                           "(not EXPLAIN ANALYZE, which runs it, nor EXPLAIN options)");
    }
    return st;
}
