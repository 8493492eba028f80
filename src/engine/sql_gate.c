/* sql_gate.c: the statement gate for user SQL (DESIGN.md section 5 invariant 6).
 *
 * User SQL may only read catalog relations. Every decision is made on what DuckDB itself
 * parsed, never by reading the SQL text (docs/SECURITY.md lists the layers):
 *
 *   1. The text must hold exactly one statement (duckdb_extract_statements, query.c).
 *   2. json_serialize_sql() turns it into DuckDB's parse tree (DuckDB refuses anything
 *      but SELECT there), and the walk below checks every node of the tree against
 *      allow-lists. A node kind, expression class or function the gate does not know is
 *      denied, so a newer DuckDB that adds syntax or functions fails closed.
 *   3. The prepared statement's type, as DuckDB reports it, must be SELECT. DESCRIBE,
 *      SHOW <query> and SUMMARIZE are SELECTs to DuckDB 1.4 (a SHOW_REF table reference).
 *      EXPLAIN is not a statement users send: it is an option of the API and the CLI
 *      that wraps a SELECT which passed this gate (query.c). An earlier gate skipped the
 *      EXPLAIN keyword itself and its comment skipper disagreed with DuckDB's lexer
 *      (nested block comments, a "--" comment ended by \r), which let EXPLAIN ANALYZE
 *      run any statement; nothing here reads the text any more.
 *
 * What the walk allows:
 *   - query nodes: SELECT, set operations, CTEs (plain, MATERIALIZED, RECURSIVE);
 *   - table references: catalog relations on the allow-list (lh__engine_relation_allowed),
 *     CTEs in scope, subqueries, joins, VALUES, PIVOT/UNPIVOT, the table functions in
 *     allowed_table_functions, and DESCRIBE/SUMMARIZE of a query that passes the gate;
 *   - expressions of the classes in allowed_expr_classes; function calls whose name is
 *     on the allow-list of gate_functions.c.
 *
 * CTE scoping follows DuckDB's binder, checked against 1.4.4: a WITH item sees the items
 * before it (not itself, not later ones: `WITH t AS (SELECT * FROM t)` reads the real t);
 * the query body sees all of them; a recursive CTE sees itself only in the recursive
 * (right) side of its UNION; subqueries see the CTEs of the queries around them; CTE
 * names match case-insensitively; a qualified name (main.t) never means a CTE. The
 * gate's scope is never wider than DuckDB's, so a name it treats as a CTE is one, and
 * anything else must be an allowed relation. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/util.h"
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

/* An unknown relation is "not found" (exit 3, HTTP 404), with the closest allowed name by
 * edit distance when one is plausible: a dataset before its __raw__ twin (the twin only
 * when the user typed __raw__ themselves). Otherwise the first datasets, twins left out. */
static lh_status relation_unknown(gate *g, const char *name)
{
    /* A quoted file path ('/etc/passwd', 'x.csv') asks DuckDB to read a file: forbidden,
     * and no dataset name has a slash or a dot. */
    if (strpbrk(name, "/\\."))
        return lh_fail(g->err, LH_EDENIED, "reading files is not allowed: \"%s\" is not a "
                       "dataset; name a dataset instead", name);
    size_t n = g->e->nrelations;
    bool raw_typed = !strncasecmp(name, "__raw", 5);
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t pass = 0; pass < 2 && !best; pass++) {
        for (size_t i = 0; i < n; i++) {
            const char *r = g->e->relations[i];
            bool raw = !strncasecmp(r, "__raw__", 7);
            if (raw != (pass == 1) || (raw && !raw_typed))
                continue;
            size_t d = lh_edit_distance(name, r);
            if (d < best_d) {
                best_d = d;
                best = r;
            }
        }
        size_t len = strlen(name), limit = len / 3 + 1;
        if (limit < 2)
            limit = 2;
        if (best && best_d > limit)
            best = NULL;
    }
    if (best)
        return lh_fail(g->err, LH_ENOTFOUND, "unknown relation \"%s\"; did you mean \"%s\"?",
                       name, best);
    lh_buf b;
    lh_buf_init(&b, 4096);
    size_t shown = 0, all = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncasecmp(g->e->relations[i], "__raw__", 7))
            continue;
        if (shown < GATE_LIST_RELATIONS)
            lh_buf_printf(&b, "%s%s", shown++ ? ", " : "", g->e->relations[i]);
        all++;
    }
    if (all > shown)
        lh_buf_printf(&b, ", ... (%zu in all)", all);
    lh_status st;
    if (!all)
        st = lh_fail(g->err, LH_ENOTFOUND, "unknown relation \"%s\"; no datasets are available",
                     name);
    else if (lh_buf_status(&b)) /* the list is a courtesy: without it, the count */
        st = lh_fail(g->err, LH_ENOTFOUND, "unknown relation \"%s\"; %zu datasets are known",
                     name, all);
    else
        st = lh_fail(g->err, LH_ENOTFOUND, "unknown relation \"%s\"; known datasets: %s", name,
                     lh_buf_cstr(&b));
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
    char why[512];
    if (lh__engine_relation_unavailable(g->e, name, why, sizeof why))
        return lh_fail(g->err, LH_EIO, "dataset %s cannot be read: %s", name, why);
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
    /* The call node itself names a table function (range here is the streaming table
     * function, not the scalar one the function allow-list refuses): check its arguments
     * and everything else, not its name as a scalar call. */
    static const char *const skip[] = {"function", NULL};
    lh_status st = walk_members(g, fn, sc, NULL);
    return st ? st : walk_members(g, o, sc, skip);
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
    if (n && !(frames = lh_calloc(n, sizeof *frames)))
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
        if (!lh__gate_function_allowed(name))
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

/* json_serialize_sql(sql) as a string, through a prepared internal query on conn (the
 * caller's own connection: a slow parse holds up that query only). The prepared query is
 * *cache when the caller keeps one (prepared here if NULL), else made for this call. */
static lh_status serialize(duckdb_connection conn, duckdb_prepared_statement *cache,
                           const char *sql, lh_buf *out, lh_err *err)
{
    duckdb_prepared_statement own = NULL;
    duckdb_prepared_statement *psp = cache ? cache : &own;
    duckdb_result res;
    lh_status st = LH_OK;
    if (!*psp && duckdb_prepare(conn, "SELECT json_serialize_sql(?::VARCHAR)", psp) == DuckDBError) {
        st = lh_fail(err, LH_EINTERNAL, "statement gate: %s", duckdb_prepare_error(*psp));
        duckdb_destroy_prepare(psp);
        *psp = NULL;
        return st;
    }
    duckdb_prepared_statement ps = *psp;
    if (duckdb_bind_varchar(ps, 1, sql) == DuckDBError) {
        if (own)
            duckdb_destroy_prepare(&own);
        return lh_fail(err, LH_EINVAL, "SQL is not valid UTF-8 text");
    }
    if (duckdb_execute_prepared(ps, &res) == DuckDBError) {
        st = lh__engine_result_error(&res, LH_EINTERNAL, "statement gate", err);
        duckdb_destroy_result(&res);
        if (own)
            duckdb_destroy_prepare(&own);
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
    /* The bound text stays in the kept statement until the next bind: clear it. */
    duckdb_clear_bindings(ps);
    if (own)
        duckdb_destroy_prepare(&own);
    return st;
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

lh_status lh__sql_gate_denied_type(duckdb_statement_type t, lh_err *err)
{
    if (t == DUCKDB_STATEMENT_TYPE_EXPLAIN)
        return lh_fail(err, LH_EDENIED, "EXPLAIN is not sent as SQL: ask for the plan with the "
                       "explain option (CLI --explain, HTTP \"explain\": true) and the query alone");
    return lh_fail(err, LH_EDENIED, "only read-only queries are allowed (SELECT, FROM, WITH, "
                   "VALUES, DESCRIBE, SUMMARIZE); got %s", statement_type_name(t));
}

static lh_status gate_tree(lh_engine *e, duckdb_connection conn, duckdb_prepared_statement *ser,
                           const char *sql, json_t *seen, lh_err *err)
{
    lh_buf text;
    lh_buf_init(&text, 0);
    lh_status st = serialize(conn, ser, sql, &text, err);
    json_t *root = NULL;
    if (!st) {
        json_error_t jerr;
        /* INT_AS_REAL: query_location is a uint64 (UINT64_MAX when unknown), too big for
         * json_int_t; the walk reads no numbers. */
        root = lh_json_loadb(lh_buf_cstr(&text), text.len, JSON_DECODE_INT_AS_REAL, &jerr);
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
            st = lh__engine_fail(err, LH_EINVAL, msg, sql);
        else if (!strcmp(type, "not implemented") && strstr(msg, "Only SELECT statements"))
            st = lh_fail(err, LH_EDENIED, "only read-only queries are allowed (SELECT, FROM, "
                         "WITH, VALUES, DESCRIBE, SUMMARIZE; for a plan, the explain option)");
        else
            st = lh_fail(err, LH_EDENIED, "query refused by the statement gate: %s", msg);
    } else {
        json_t *stmts = json_object_get(root, "statements");
        if (!json_is_array(stmts) || json_array_size(stmts) != 1) {
            st = lh_fail(err, LH_EDENIED, "exactly one statement is allowed");
        } else {
            pthread_rwlock_rdlock(&e->rel_lock);
            gate g = {e, err, 0, seen};
            st = walk(&g, json_array_get(stmts, 0), NULL);
            pthread_rwlock_unlock(&e->rel_lock);
        }
    }
    json_decref(root);
    return st;
}

lh_status lh__sql_gate_tree(lh_engine *e, duckdb_connection conn, const char *sql,
                            json_t *seen, lh_err *err)
{
    return gate_tree(e, conn, NULL, sql, seen, err);
}

/* Exactly one statement in sql: its handle, or an error saying why not. */
static lh_status extract_one(duckdb_connection conn, const char *sql,
                             duckdb_extracted_statements *stmts, lh_err *err)
{
    idx_t n = duckdb_extract_statements(conn, sql, stmts);
    if (n == 1)
        return LH_OK;
    const char *msg = n == 0 && *stmts ? duckdb_extract_statements_error(*stmts) : NULL;
    lh_status st = n > 1 ? lh_fail(err, LH_EINVAL, "exactly one statement is allowed; got %llu",
                                   (unsigned long long)n)
                 : msg   ? lh__engine_fail(err, LH_EINVAL, msg, sql)
                         : lh_fail(err, LH_EINVAL, "empty query");
    duckdb_destroy_extracted(stmts);
    return st;
}

/* Prepares the one extracted statement; a failure is reported as DuckDB said it, the
 * sandbox's refusals ("disabled", "Permission") as denials. */
static lh_status prepare_extracted(duckdb_connection conn, duckdb_extracted_statements stmts,
                                   const char *sql, duckdb_prepared_statement *out, lh_err *err)
{
    if (duckdb_prepare_extracted_statement(conn, stmts, 0, out) != DuckDBError)
        return LH_OK;
    const char *msg = duckdb_prepare_error(*out);
    lh_status st;
    if (msg && (strstr(msg, "disabled") || strstr(msg, "Permission")))
        st = lh__engine_fail(err, LH_EDENIED, msg, sql);
    else
        st = lh__engine_fail(err, LH_EINVAL, msg ? msg : "could not prepare the query", sql);
    duckdb_destroy_prepare(out);
    *out = NULL;
    return st;
}

lh_status lh__sql_gate_prepare(lh_engine *e, duckdb_connection conn, const char *sql,
                               size_t sql_len, json_t *seen, duckdb_prepared_statement *out,
                               lh_err *err)
{
    return lh__sql_gate_prepare_with(e, conn, NULL, sql, sql_len, seen, out, err);
}

lh_status lh__sql_gate_prepare_with(lh_engine *e, duckdb_connection conn,
                                    duckdb_prepared_statement *serialize_ps, const char *sql,
                                    size_t sql_len, json_t *seen,
                                    duckdb_prepared_statement *out, lh_err *err)
{
    *out = NULL;
    if (!sql)
        return lh_fail(err, LH_EINVAL, "no SQL given");
    if (sql_len > e->max_sql_bytes)
        return lh_fail(err, LH_ETOOBIG, "the query is %zu bytes; the limit is %zu "
                       "([query] max_sql_bytes)", sql_len, e->max_sql_bytes);
    if (memchr(sql, '\0', sql_len))
        return lh_fail(err, LH_EINVAL, "the query contains a NUL byte");
    duckdb_extracted_statements stmts = NULL;
    lh_status st = extract_one(conn, sql, &stmts, err);
    if (st)
        return st;
    st = gate_tree(e, conn, serialize_ps, sql, seen, err);
    if (st) {
        /* Never prepared: binding is not always free of effects (binding EXPORT DATABASE
         * creates its directory). */
        duckdb_destroy_extracted(&stmts);
        return st;
    }
    duckdb_prepared_statement ps = NULL;
    st = prepare_extracted(conn, stmts, sql, &ps, err);
    duckdb_destroy_extracted(&stmts);
    if (st)
        return st;
    duckdb_statement_type t = duckdb_prepared_statement_type(ps);
    if (t != DUCKDB_STATEMENT_TYPE_SELECT) {
        duckdb_destroy_prepare(&ps);
        return lh__sql_gate_denied_type(t, err);
    }
    *out = ps;
    return LH_OK;
}

lh_status lh__sql_gate_prepare_explain(duckdb_connection conn, const char *vetted,
                                       size_t len, duckdb_prepared_statement *out, lh_err *err)
{
    *out = NULL;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "EXPLAIN ");
    lh_buf_add(&sql, vetted, len);
    duckdb_extracted_statements stmts = NULL;
    lh_status st = lh_buf_status(&sql);
    if (st)
        st = lh_fail(err, st, "query too long to explain");
    else
        st = extract_one(conn, lh_buf_cstr(&sql), &stmts, err);
    lh_buf_release(&sql);
    if (st)
        return st;
    st = prepare_extracted(conn, stmts, vetted, out, err);
    duckdb_destroy_extracted(&stmts);
    if (!st && duckdb_prepared_statement_type(*out) != DUCKDB_STATEMENT_TYPE_EXPLAIN) {
        duckdb_destroy_prepare(out);
        *out = NULL;
        st = lh_fail(err, LH_EDENIED, "the plan of this query cannot be shown");
    }
    return st;
}
