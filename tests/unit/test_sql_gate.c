/* Unit tests for the statement gate (sql_gate.c): what user SQL may run.
 *
 * Each SQL is handled the way lh_engine_query does: extract statements, prepare the one
 * statement, ask the gate. Allowed queries are then executed, so that the gate is shown
 * not to refuse valid SQL and the test data is shown to be reachable. Denied queries
 * name a fragment the message must contain. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "engine_fixture.h"

static int setup(void **state)
{
    fixture *f = fixture_open(0);
    if (!f)
        return -1;
    lh_err err = {{0}};
    const char *ddl[] = {
        "CREATE VIEW people AS SELECT * FROM (VALUES (1, 'ann', 30), (2, 'bob', 40), "
        "(3, 'cyd', 50)) t(id, name, age)",
        "CREATE VIEW orders AS SELECT * FROM (VALUES (1, 10.5), (1, 20.0), (3, 7.25)) "
        "t(person_id, amount)",
        "CREATE TABLE hidden AS SELECT 'SECRET' AS v",
    };
    for (size_t i = 0; i < sizeof ddl / sizeof ddl[0]; i++)
        if (lh_engine_exec(f->e, ddl[i], &err)) {
            fprintf(stderr, "setup: %s\n", err.msg);
            return -1;
        }
    if (lh_engine_allow_relation(f->e, "people", &err) ||
        lh_engine_allow_relation(f->e, "orders", &err))
        return -1;
    *state = f;
    return 0;
}

/* Runs sql through the gate as lh_engine_query does. When rows is not NULL and the gate
 * allows it, executes the prepared statement and stores the number of rows (-1 when it
 * failed). */
static lh_status gate_sql(lh_engine *e, const char *sql, lh_err *err, long *rows)
{
    duckdb_prepared_statement ps = NULL;
    lh_status st = lh__sql_gate_prepare(e, e->conn, sql, sql ? strlen(sql) : 0, NULL, &ps, err);
    assert_true(st == LH_OK ? ps != NULL : ps == NULL);
    if (rows && st == LH_OK) {
        duckdb_result res;
        *rows = -1;
        if (duckdb_execute_prepared(ps, &res) == DuckDBSuccess) {
            *rows = 0;
            duckdb_data_chunk chunk;
            while ((chunk = duckdb_fetch_chunk(res)) != NULL) {
                *rows += (long)duckdb_data_chunk_get_size(chunk);
                duckdb_destroy_data_chunk(&chunk);
            }
        } else {
            fprintf(stderr, "execute %s: %s\n", sql, duckdb_result_error(&res));
        }
        duckdb_destroy_result(&res);
    }
    if (ps)
        duckdb_destroy_prepare(&ps);
    return st;
}

static void expect_allowed(lh_engine *e, const char *const *sqls, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        lh_err err = {{0}};
        long rows = -1;
        lh_status st = gate_sql(e, sqls[i], &err, &rows);
        if (st != LH_OK) {
            fprintf(stderr, "wrongly denied (%d): %s\n  -> %s\n", st, sqls[i], err.msg);
            bad++;
        } else if (rows < 1) {
            fprintf(stderr, "allowed but returned %ld rows: %s\n", rows, sqls[i]);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

typedef struct denial {
    const char *sql;
    const char *msg;  /* fragment the message must contain */
} denial;

static void expect_denied(lh_engine *e, const denial *cases, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        lh_err err = {{0}};
        lh_status st = gate_sql(e, cases[i].sql, &err, NULL);
        /* An unknown relation is refused as "not found" (404, exit 3): the user typed a
         * name that is not there, which the message says with the closest one. */
        if (st == LH_ENOTFOUND && strstr(err.msg, "unknown relation"))
            st = LH_EDENIED;
        if (st != LH_EDENIED) {
            fprintf(stderr, "not denied (%d): %s\n  -> %s\n", st, cases[i].sql, err.msg);
            bad++;
        } else if (!strstr(err.msg, cases[i].msg)) {
            fprintf(stderr, "denied with the wrong message: %s\n  -> %s\n  (wanted '%s')\n",
                    cases[i].sql, err.msg, cases[i].msg);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void allowed_queries_pass_and_run(void **state)
{
    fixture *f = *state;
    static const char *const ok[] = {
        "SELECT * FROM people",
        "FROM people",
        "select name from PEOPLE where age > 20 order by name limit 5",
        "SELECT * FROM \"people\"",
        "VALUES (1, 'a'), (2, 'b')",
        "WITH adults AS (SELECT * FROM people WHERE age >= 18) SELECT count(*) FROM adults",
        "WITH a AS (SELECT 1 AS x), b AS MATERIALIZED (SELECT x + 1 AS y FROM a) "
        "SELECT * FROM a, b",
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) "
        "SELECT * FROM t",
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT * FROM (SELECT n + 1 FROM t "
        "WHERE n < 3)) SELECT * FROM t",
        /* a CTE named like a relation that is not allowed shadows it */
        "WITH hidden AS (SELECT 42 AS v) SELECT * FROM hidden",
        "WITH Hidden AS (SELECT 42 AS v) SELECT * FROM (SELECT * FROM HIDDEN) s",
        "SELECT p.name, o.amount FROM people p JOIN orders o ON o.person_id = p.id",
        "SELECT * FROM people p LEFT JOIN orders o ON o.person_id = p.id",
        "SELECT * FROM people CROSS JOIN orders",
        "SELECT id FROM people UNION SELECT person_id FROM orders EXCEPT SELECT 99",
        "SELECT name FROM people WHERE id IN (SELECT person_id FROM orders WHERE amount > "
        "(SELECT avg(amount) FROM orders))",
        "SELECT name, sum(age) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), "
        "row_number() OVER w, lag(age, 1, 0) OVER w FROM people WINDOW w AS (ORDER BY age)",
        "SELECT list_transform([1, 2, 3], x -> x * 2), [y + 1 FOR y IN [1, 2]], "
        "list_reduce([1, 2, 3], (a, b) -> a + b), list_filter([1, 2], lambda x: x > 1)",
        "SELECT COLUMNS('^(id|name)$') FROM people",
        "SELECT * EXCLUDE (age) FROM people",
        "SELECT CASE WHEN age > 35 THEN 'old' ELSE 'young' END, CAST(age AS VARCHAR), "
        "age::DOUBLE, TRY_CAST('x' AS INT), upper(name), regexp_replace(name, 'a', 'b'), "
        "date_trunc('month', DATE '2024-05-17'), {'k': id}.k, [1, 2, 3][2], "
        "coalesce(NULL, name), name ILIKE 'A%', age BETWEEN 1 AND 100, age IS NOT NULL, "
        "NOT (age = 1 OR age = 2) AND true, CAST(1.5 AS DECIMAL(10, 2)), INTERVAL 1 DAY "
        "FROM people",
        "SELECT name, count(*) FROM people GROUP BY ALL HAVING count(*) >= 1 ORDER BY ALL",
        "SELECT count(*) FILTER (WHERE age > 30), string_agg(name, ',' ORDER BY name), "
        "arg_max(name, age) FROM people",
        "SELECT id FROM people QUALIFY row_number() OVER (ORDER BY id) = 1",
        "SELECT x FROM people, LATERAL (SELECT people.id * 2 AS x)",
        "SELECT * FROM (FROM people) t WHERE t.id = 1",
        "SELECT EXISTS (FROM orders), (SELECT max(amount) FROM orders), 1 = ANY (SELECT 1)",
        "SELECT * FROM people PIVOT (sum(age) FOR name IN ('ann', 'bob'))",
        "UNPIVOT people ON age INTO NAME k VALUE v",
        "SELECT * FROM people USING SAMPLE 100%",
        "SELECT version(), pg_typeof(1), typeof(1), current_date, md5('x'), random() < 2",
        "SELECT #1, #2 FROM people",
        "SELECT * FROM range(10)",
        "SELECT * FROM generate_series(1, 3) g(i), unnest([1, 2]) u(j)",
        "SELECT * FROM people, range((SELECT count(*) FROM orders)) r(i)",
        "SELECT * FROM main.people",
        "TABLE people",
        "SELECT hidden.name FROM people AS hidden",
        "SELECT * FROM memory.main.people",
        "SELECT * FROM memory.people",
        "DESCRIBE people",
        "SHOW people",
        "DESCRIBE SELECT name FROM people",
        "SUMMARIZE people",
        "SUMMARIZE SELECT age FROM people",
        "SELECT json_extract('{\"a\": [1]}', '$.a'), to_json([1, 2]), json_valid('[]')",
        "SELECT concat('a', 'b'), 'a' || 'b', concat_ws(',', 'a', 'b'), strftime(now(), '%Y')",
    };
    expect_allowed(f->e, ok, N(ok));
}

static void write_and_admin_statements_are_denied(void **state)
{
    fixture *f = *state;
    static const denial no[] = {
        {"INSERT INTO hidden VALUES ('x')", "only read-only queries are allowed"},
        {"UPDATE hidden SET v = 'y'", "read-only"},
        {"DELETE FROM hidden", "read-only"},
        {"CREATE TABLE t2 (x INT)", "read-only"},
        {"CREATE MACRO m() AS 1", "read-only"},
        {"DROP TABLE hidden", "read-only"},
        {"ALTER TABLE hidden ADD COLUMN y INT", "read-only"},
        {"COPY people TO '/tmp/lh-gate-out.csv'", "read-only"},
        {"COPY (SELECT 1) TO 'out.parquet'", "read-only"},
        {"ATTACH ':memory:' AS db2", "read-only"},
        {"DETACH db2", "read-only"},
        {"INSTALL httpfs", "read-only"},
        {"LOAD httpfs", "read-only"},
        {"SET threads = 1", "read-only"},
        {"RESET threads", "read-only"},
        {"SET VARIABLE x = 1", "read-only"},
        {"USE memory", "read-only"},
        {"PRAGMA version", "read-only"},
        {"PRAGMA enable_profiling", "read-only"},
        {"CALL pragma_version()", "read-only"},
        {"CALL enable_logging()", "read-only"},
        {"EXPORT DATABASE '/tmp/lh-gate-export'", "read-only"},
        {"CHECKPOINT", "read-only"},
        {"VACUUM", "read-only"},
        {"ANALYZE", "read-only"},
        {"BEGIN TRANSACTION", "read-only"},
        {"PREPARE p AS SELECT 1", "read-only"},
        {"EXECUTE p", "read-only"},
    };
    expect_denied(f->e, no, N(no));
    /* DuckDB expands these into several statements while extracting them: refused as
     * more than one statement before anything is prepared. */
    static const char *const multi[] = {
        "IMPORT DATABASE '/tmp/lh-gate-export'",
        "PIVOT people ON name USING sum(age)",
    };
    for (size_t i = 0; i < N(multi); i++) {
        lh_err err = {{0}};
        assert_int_not_equal(gate_sql(f->e, multi[i], &err, NULL), LH_OK);
    }
}

static void file_and_catalog_functions_are_denied(void **state)
{
    fixture *f = *state;
    static const denial no[] = {
        {"SELECT * FROM read_csv('/etc/passwd')", "table function read_csv is not allowed"},
        {"SELECT * FROM read_csv_auto('x.csv')", "table function read_csv_auto"},
        {"SELECT * FROM read_parquet('x.parquet')", "table function read_parquet"},
        {"SELECT * FROM parquet_scan('x.parquet')", "table function parquet_scan"},
        {"SELECT * FROM parquet_metadata('x.parquet')", "table function parquet_metadata"},
        {"SELECT * FROM read_json('x.json')", "table function read_json"},
        {"SELECT * FROM read_ndjson_objects('x.json')", "table function read_ndjson_objects"},
        {"SELECT * FROM read_text('/etc/passwd')", "table function read_text"},
        {"SELECT * FROM read_blob('/etc/passwd')", "table function read_blob"},
        {"SELECT * FROM glob('*')", "table function glob"},
        {"SELECT * FROM sniff_csv('x.csv')", "table function sniff_csv"},
        {"SELECT * FROM query('SELECT * FROM hidden')", "table function query is"},
        {"SELECT * FROM query_table('hidden')", "table function query_table"},
        {"SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
         "table function json_execute_serialized_sql"},
        {"SELECT * FROM enable_logging()", "table function enable_logging"},
        {"SELECT * FROM checkpoint()", "table function checkpoint"},
        {"SELECT * FROM duckdb_settings()", "table function duckdb_settings"},
        {"SELECT * FROM duckdb_views()", "table function duckdb_views"},
        {"SELECT * FROM duckdb_secrets()", "table function duckdb_secrets"},
        {"SELECT * FROM pragma_table_info('hidden')", "table function pragma_table_info"},
        {"SELECT * FROM which_secret('s3://b/x', 's3')", "table function which_secret"},
        {"SELECT * FROM iceberg_scan('x')", "table function iceberg_scan"},
        {"SELECT * FROM delta_scan('x')", "table function delta_scan"},
        {"SELECT * FROM histogram(people, age)", "table function histogram"},
        {"SELECT current_setting('allowed_directories')", "function current_setting is"},
        {"SELECT getenv('HOME')", "function getenv"},
        {"SELECT getvariable('x')", "function getvariable"},
        {"SELECT nextval('seq')", "function nextval"},
        {"SELECT currval('seq')", "function currval"},
        {"SELECT setseed(0.5)", "function setseed"},
        {"SELECT txid_current()", "function txid_current"},
        {"SELECT write_log('x')", "function write_log"},
        {"SELECT json_serialize_plan('SELECT * FROM hidden')", "function json_serialize_plan"},
        {"SELECT pg_get_viewdef(1)", "function pg_get_viewdef"},
        {"SELECT get_block_size('memory')", "function get_block_size"},
        {"SELECT read_text('/etc/passwd')", "function read_text"},
        {"SELECT query('SELECT 1')", "function query"},
        {"SELECT enable_logging()", "function enable_logging"},
        {"SELECT system.main.current_setting('threads')", "function current_setting"},
        {"SELECT row_number() OVER (), duckdb_anything() FROM people", "function duckdb_anything"},
    };
    expect_denied(f->e, no, N(no));
}

static void relations_outside_the_catalog_are_denied(void **state)
{
    fixture *f = *state;
    static const denial no[] = {
        {"SELECT * FROM hidden", "unknown relation \"hidden\""},
        {"SELECT * FROM main.hidden", "unknown relation \"hidden\""},
        {"SELECT * FROM duckdb_settings", "unknown relation \"duckdb_settings\""},
        {"SELECT * FROM duckdb_tables", "unknown relation \"duckdb_tables\""},
        {"SELECT * FROM system.main.duckdb_settings", "relation \"system.main.duckdb_settings\""},
        {"SELECT * FROM information_schema.tables", "relation \"information_schema.tables\""},
        {"SELECT * FROM pg_catalog.pg_class", "relation \"pg_catalog.pg_class\" is not allowed"},
        {"SELECT * FROM sqlite_master", "unknown relation"},
        {"SELECT * FROM temp.main.people", "relation \"temp.main.people\" is not allowed"},
        {"SELECT * FROM system.people", "relation \"system.people\" is not allowed"},
        {"SELECT * FROM 'file.csv'", "reading files is not allowed: \"file.csv\""},
        {"FROM '/etc/passwd'", "reading files is not allowed: \"/etc/passwd\""},
        {"SELECT * FROM 'people.parquet'", "reading files is not allowed"},
        {"SELECT * FROM people AT (VERSION => 1)", "time travel"},
        {"SELECT * FROM people WHERE id IN (SELECT 1 FROM hidden)", "unknown relation"},
        {"SELECT * FROM people p JOIN hidden h ON true", "unknown relation"},
        {"SELECT * FROM people ORDER BY (SELECT count(*) FROM hidden)", "unknown relation"},
        {"SELECT * FROM people LIMIT (SELECT count(*) FROM hidden)", "unknown relation"},
        {"SELECT * FROM range((SELECT count(*) FROM hidden))", "unknown relation"},
        {"SELECT sum(id) FILTER (WHERE id IN (SELECT 1 FROM hidden)) FROM people",
         "unknown relation"},
        {"SELECT * FROM people UNION ALL SELECT 1, v, 1 FROM hidden", "unknown relation"},
        {"SELECT * FROM people PIVOT (sum(age) FOR name IN ('a')) p, hidden", "unknown relation"},
        {"TABLE hidden", "unknown relation \"hidden\""},
        {"SELECT * FROM people WHERE id IN (TABLE hidden)", "unknown relation"},
        {"FROM hidden SELECT v", "unknown relation"},
        {"SELECT * FROM people WHERE name = ANY (SELECT v FROM hidden)", "unknown relation"},
    };
    expect_denied(f->e, no, N(no));
}

static void nesting_and_cte_scoping(void **state)
{
    fixture *f = *state;
    static const denial no[] = {
        /* a CTE that hides a file read */
        {"WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x", "read_csv"},
        {"WITH x AS MATERIALIZED (FROM read_parquet('a.parquet')) FROM x", "read_parquet"},
        /* a file read deep inside a subquery in WHERE */
        {"SELECT * FROM people WHERE id IN (SELECT id FROM (SELECT * FROM people WHERE EXISTS "
         "(SELECT * FROM read_csv('/etc/passwd') WHERE 1 = (SELECT 1))) s)", "read_csv"},
        {"SELECT CASE WHEN (SELECT count(*) FROM glob('*')) > 0 THEN 1 END", "glob"},
        /* lambdas and list comprehensions */
        {"SELECT list_transform([1], x -> current_setting('threads'))", "current_setting"},
        {"SELECT [current_setting('threads') FOR x IN [1]]", "current_setting"},
        {"SELECT list_filter([1], x -> x IN (SELECT 1 FROM hidden))", "unknown relation"},
        {"SELECT sum(age) OVER (PARTITION BY (SELECT v FROM hidden)) FROM people", "hidden"},
        /* a WITH item does not see itself or later items: these read the real table */
        {"WITH hidden AS (SELECT * FROM hidden) SELECT * FROM hidden", "unknown relation"},
        {"WITH a AS (SELECT * FROM hidden), hidden AS (SELECT 1) SELECT * FROM a",
         "unknown relation"},
        {"WITH RECURSIVE a AS (SELECT * FROM hidden), hidden AS (SELECT 1) SELECT * FROM a",
         "unknown relation"},
        {"WITH hidden AS MATERIALIZED (SELECT * FROM hidden) SELECT * FROM hidden",
         "unknown relation"},
        /* the anchor of a recursive CTE reads the real table of that name */
        {"WITH RECURSIVE hidden(v) AS (SELECT * FROM hidden UNION ALL SELECT v FROM hidden "
         "WHERE false) SELECT * FROM hidden", "unknown relation"},
        {"WITH RECURSIVE hidden(v) AS (SELECT 'a' UNION ALL SELECT v FROM hidden WHERE false "
         "UNION ALL SELECT v FROM hidden) SELECT * FROM hidden", "unknown relation"},
        /* CTE scope ends with its query; a qualified name is never a CTE */
        {"SELECT * FROM (WITH hidden AS (SELECT 1) SELECT * FROM hidden) t, hidden",
         "unknown relation"},
        {"WITH x AS (SELECT 1) SELECT * FROM main.x", "unknown relation \"x\""},
        {"SELECT (WITH hidden AS (SELECT 1) FROM hidden), (FROM hidden)", "unknown relation"},
    };
    expect_denied(f->e, no, N(no));
}

static void explain_describe_show(void **state)
{
    fixture *f = *state;
    /* EXPLAIN is an option of the API, never a statement: DuckDB types every one of
     * these EXPLAIN, whatever the comments around it. */
    static const denial no[] = {
        {"EXPLAIN SELECT * FROM people", "the explain option"},
        {"EXPLAIN SELECT * FROM hidden", "the explain option"},
        {"EXPLAIN ANALYZE SELECT 1", "the explain option"},
        {"EXPLAIN (FORMAT json) SELECT 1", "the explain option"},
        {"EXPLAIN INSERT INTO hidden VALUES ('x')", "the explain option"},
        {"EXPLAIN COPY people TO 'x.csv'", "read-only"},
        {"/* c */ EXPLAIN SELECT * FROM people", "the explain option"},
        {"DESCRIBE hidden", "unknown relation \"hidden\""},
        {"DESCRIBE SELECT * FROM read_csv('/etc/passwd')", "read_csv"},
        {"SUMMARIZE hidden", "unknown relation"},
        {"SUMMARIZE FROM read_csv('/etc/passwd')", "read_csv"},
        {"SUMMARIZE SELECT current_setting('threads')", "current_setting"},
        {"SHOW TABLES", "SHOW \"tables\" is not allowed"},
        {"SHOW ALL TABLES", "is not allowed"},
        {"SHOW databases", "is not allowed"},
        {"SELECT * FROM (SHOW TABLES)", "is not allowed"},
    };
    expect_denied(f->e, no, N(no));
}

/* The bypass the security review found (issue 10): the old gate skipped a leading
 * EXPLAIN with its own comment skipper, which knew neither nested block comments nor a
 * "--" comment ended by \r, so it vetted "EXPLAIN SELECT 1" while DuckDB ran EXPLAIN
 * ANALYZE COPY ... TO a file. Each must be refused and write nothing. */
static void comment_tricks_cannot_smuggle_a_statement(void **state)
{
    fixture *f = *state;
    char path[512], sql[1024];
    static const char *const shapes[] = {
        "/* /* */ EXPLAIN SELECT 1 -- */ EXPLAIN ANALYZE COPY (SELECT 42 AS x) TO '%s'",
        "--\r EXPLAIN ANALYZE COPY (SELECT 7) TO '%s' /*\n EXPLAIN SELECT 1 -- */",
        "/* /* */ SELECT 1 -- */ COPY (SELECT 42 AS x) TO '%s'",
        "--\r COPY (SELECT 7) TO '%s' /*\n SELECT 1 -- */",
        "SELECT 1 /* /* */ ; COPY (SELECT 1) TO '%s' -- */",
        "EXPLAIN ANALYZE COPY (SELECT 1) TO '%s'",
        "/*/**/*/ EXPLAIN ANALYZE COPY (SELECT 1) TO '%s'",
        "EXPORT DATABASE '%s'", /* binding it would create the directory: never prepared */
    };
    snprintf(path, sizeof path, "%s/pwn.csv", f->root);
    for (size_t i = 0; i < N(shapes); i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* each shape is a literal above with one %s */
        snprintf(sql, sizeof sql, shapes[i], path);
#pragma GCC diagnostic pop
        lh_err err = {{0}};
        long rows = -1;
        lh_status st = gate_sql(f->e, sql, &err, &rows);
        /* Whatever DuckDB reads in it, running what the gate let through writes nothing
         * (shape 5 is one SELECT 1 to DuckDB: the rest is a nested comment). */
        assert_int_equal(access(path, F_OK), -1);
        if (strstr(shapes[i], "ANALYZE") && st == LH_OK)
            fail_msg("accepted: %s", sql);
    }
}

/* Functions off the allow-list, each for its reason (gate_functions.c). */
static void runaway_and_crashing_functions_are_denied(void **state)
{
    fixture *f = *state;
    static const denial no[] = {
        {"SELECT len(range(500000000))", "function range is not allowed"},
        {"SELECT generate_series(1, 10)", "function generate_series"},
        {"SELECT repeat('x', 1000000000)", "function repeat"},
        {"SELECT lpad('x', 1000000000, 'y')", "function lpad"},
        {"SELECT rpad('x', 1000000000, 'y')", "function rpad"},
        {"SELECT list_resize([1], 100000000)", "function list_resize"},
        {"SELECT printf('%02000000000d', 1)", "function printf"},
        {"SELECT format('{:>2000000000}', 'x')", "function format"},
        {"SELECT json_structure('[[1]]')", "function json_structure"},
        {"SELECT json_pretty('[1]')", "function json_pretty"},
        {"SELECT json_contains('[1]', '1')", "function json_contains"},
        {"SELECT json_merge_patch('{}', '{}')", "function json_merge_patch"},
        {"SELECT json_transform('1', '\"INTEGER\"')", "function json_transform"},
        {"SELECT from_json('1', '\"INTEGER\"')", "function from_json"},
        {"SELECT json_group_structure('[]'::JSON)", "function json_group_structure"},
        {"SELECT levenshtein('a', 'b')", "function levenshtein"},
        {"SELECT jaro_winkler_similarity('a', 'b')", "function jaro_winkler_similarity"},
        {"SELECT list_aggregate([1], 'sum')", "function list_aggregate"},
        {"SELECT aggregate([1], 'sum')", "function aggregate"},
        {"SELECT finalize(sum_state) FROM (SELECT sum(1) EXPORT_STATE AS sum_state)",
         "function finalize"},
        {"SELECT future_file_reader('x')", "function future_file_reader is not allowed"},
        {"SELECT list_transform([1], x -> repeat('a', 9))", "function repeat"},
    };
    expect_denied(f->e, no, N(no));
}

/* Every name on the allow-list is a function of the linked DuckDB (or a window-only
 * function), so a typo cannot hide; the functions DuckDB has beyond it are listed, for
 * whoever upgrades DuckDB to review. */
static void allow_list_matches_duckdb(void **state)
{
    fixture *f = *state;
    size_t n = 0;
    const char *const *names = lh__gate_allowed_functions(&n);
    assert_true(n > 400);
    lh_err err = {{0}};
    json_t *rows = NULL;
    assert_int_equal(lh_engine_query_rows(f->e, "SELECT DISTINCT function_name FROM "
                                          "duckdb_functions() WHERE function_type IN ('scalar', "
                                          "'aggregate', 'macro')", 100000, &rows, &err), LH_OK);
    static const char *const window_only[] = {"row_number", "rank", "dense_rank", "percent_rank",
                                              "cume_dist", "ntile", "lag", "lead", "first_value",
                                              "last_value", "nth_value", "fill"};
    int missing = 0;
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < N(window_only) && !found; j++)
            found = !strcmp(names[i], window_only[j]);
        size_t k;
        json_t *row;
        json_array_foreach(rows, k, row) {
            if (found)
                break;
            found = !strcmp(names[i], json_string_value(json_array_get(row, 0)));
        }
        if (!found) {
            fprintf(stderr, "allow-list names %s, which DuckDB does not have\n", names[i]);
            missing++;
        }
        if (i)
            assert_true(strcasecmp(names[i - 1], names[i]) < 0); /* sorted for bsearch */
    }
    assert_int_equal(missing, 0);
    size_t refused = 0;
    size_t k;
    json_t *row;
    json_array_foreach(rows, k, row)
        refused += !lh__gate_function_allowed(json_string_value(json_array_get(row, 0)));
    printf("allow-list: %zu functions allowed, %zu of DuckDB's refused\n", n, refused);
    assert_true(refused > 100);
    json_decref(rows);
}

static void messages_are_clear(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    assert_int_equal(gate_sql(f->e, "SELECT * FROM secrets", &err, NULL), LH_ENOTFOUND);
    assert_string_equal(err.msg, "unknown relation \"secrets\"; known datasets: people, orders");
    assert_int_equal(gate_sql(f->e, "SELECT * FROM peple", &err, NULL), LH_ENOTFOUND);
    assert_string_equal(err.msg, "unknown relation \"peple\"; did you mean \"people\"?");
    assert_int_equal(gate_sql(f->e, "SELECT * FROM ORDRES", &err, NULL), LH_ENOTFOUND);
    assert_string_equal(err.msg, "unknown relation \"ORDRES\"; did you mean \"orders\"?");
    /* a __raw__ twin is suggested only to someone who typed __raw__ */
    assert_int_equal(lh_engine_allow_relation(f->e, "__raw__people", &err), LH_OK);
    assert_int_equal(gate_sql(f->e, "SELECT * FROM __raw__peple", &err, NULL), LH_ENOTFOUND);
    assert_string_equal(err.msg, "unknown relation \"__raw__peple\"; did you mean \"__raw__people\"?");
    assert_int_equal(gate_sql(f->e, "SELECT * FROM __raw_people", &err, NULL), LH_ENOTFOUND);
    assert_string_equal(err.msg, "unknown relation \"__raw_people\"; did you mean \"__raw__people\"?");
    assert_int_equal(gate_sql(f->e, "SELECT * FROM zzzzzzzz", &err, NULL), LH_ENOTFOUND);
    assert_null(strstr(err.msg, "__raw__"));
    /* Parser errors: line and column in the user's text, no class prefix. */
    assert_int_equal(gate_sql(f->e, "SELEC 1", &err, NULL), LH_EINVAL);
    assert_string_equal(err.msg, "line 1, column 1: syntax error at \"SELEC\"");
    assert_int_equal(gate_sql(f->e, "SELECT 1,\n  2 3 4", &err, NULL), LH_EINVAL);
    assert_string_equal(err.msg, "line 2, column 5: syntax error at \"3\"");
    assert_int_equal(gate_sql(f->e, "INSERT INTO hidden SELECT 'x'", &err, NULL), LH_EDENIED);
    assert_string_equal(err.msg, "only read-only queries are allowed (SELECT, FROM, WITH, VALUES, "
                                 "DESCRIBE, SUMMARIZE; for a plan, the explain option)");
    assert_int_equal(gate_sql(f->e, "SELECT * FROM read_csv('/etc/passwd')", &err, NULL),
                     LH_EDENIED);
    assert_non_null(strstr(err.msg, "table function read_csv is not allowed"));

    /* With no datasets the message says so; with many, it lists the first ten. */
    lh_engine_clear_relations(f->e);
    assert_int_equal(gate_sql(f->e, "FROM people", &err, NULL), LH_ENOTFOUND);
    assert_string_equal(err.msg, "unknown relation \"people\"; no datasets are available");
    for (int i = 0; i < 12; i++) {
        char name[16];
        snprintf(name, sizeof name, "ds%02d", i);
        assert_int_equal(lh_engine_allow_relation(f->e, name, &err), LH_OK);
    }
    assert_int_equal(gate_sql(f->e, "FROM people", &err, NULL), LH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "ds00, ds01, ds02, ds03, ds04, ds05, ds06, ds07, ds08, ds09, "
                                     "... (12 in all)"));
    assert_null(strstr(err.msg, "ds10"));
    lh_engine_clear_relations(f->e);
    assert_int_equal(lh_engine_allow_relation(f->e, "people", &err), LH_OK);
    assert_int_equal(lh_engine_allow_relation(f->e, "orders", &err), LH_OK);
}

/* src/engine/errors.c: DuckDB's text as a user reads it. */
static void engine_messages_for_users(void **state)
{
    (void)state;
    char out[1024];
    lh__engine_user_message("Parser Error: syntax error at or near \"SELEC\"\n\nLINE 1: SELEC 1\n"
                            "        ^", "SELEC 1", out, sizeof out);
    assert_string_equal(out, "line 1, column 1: syntax error at \"SELEC\"");
    /* our wrapper around the user's query is not counted */
    lh__engine_user_message("Conversion Error: Could not convert string 'a' to INT32\n\nLINE 1: "
                            "SELECT CAST(#1 AS VARCHAR) FROM (select 'a'::int\n"
                            "                                                   ^",
                            "select 'a'::int", out, sizeof out);
    assert_string_equal(out, "line 1, column 11: Could not convert string 'a' to INT32");
    lh__engine_user_message("Binder Error: Max expression depth limit of 1000 exceeded. Use \"SET "
                            "max_expression_depth TO x\" to increase the maximum expression depth.",
                            "SELECT 1", out, sizeof out);
    assert_string_equal(out, "Max expression depth limit of 1000 exceeded.");
    lh__engine_user_message("IO Error: No files found that match the pattern \"/srv/d/tables/p/"
                            "part-1.parquet\"", NULL, out, sizeof out);
    assert_string_equal(out, "No files found that match the pattern a data file");
    lh__engine_user_message("Invalid Input Error: CSV Error on Line: 2\nOriginal Line: x", NULL,
                            out, sizeof out);
    assert_string_equal(out, "CSV Error on Line: 2\nOriginal Line: x");
}

static void bad_text_and_limits(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    /* Malformed SQL is bad input, with DuckDB's parser message. */
    assert_int_equal(gate_sql(f->e, "SELEC 1", &err, NULL), LH_EINVAL);
    assert_non_null(strstr(err.msg, "syntax error"));
    assert_int_equal(gate_sql(f->e, "SELECT * FROM", &err, NULL), LH_EINVAL);
    assert_int_equal(gate_sql(f->e, NULL, &err, NULL), LH_EINVAL);
    assert_int_equal(gate_sql(f->e, "", &err, NULL), LH_EINVAL);
    assert_int_equal(gate_sql(f->e, "SELECT 1; SELECT 2", &err, NULL), LH_EINVAL);
    assert_non_null(strstr(err.msg, "exactly one statement"));
    assert_int_equal(gate_sql(f->e, "SELECT 1; DROP TABLE hidden", &err, NULL), LH_EINVAL);
    /* Quotes and odd bytes in the SQL reach the parser intact (bound, not spliced). */
    long rows = 0;
    assert_int_equal(gate_sql(f->e, "SELECT 'it''s', '\\'", &err, &rows), LH_OK);
    assert_int_not_equal(gate_sql(f->e, "SELECT '\xff'", &err, NULL), LH_OK);
    /* A NUL byte inside the text would hide the rest from DuckDB. */
    duckdb_prepared_statement ps = NULL;
    assert_int_equal(lh__sql_gate_prepare(f->e, f->e->conn, "SELECT 1\0; DROP TABLE hidden", 29,
                                          NULL, &ps, &err), LH_EINVAL);
    /* Text over max_sql_bytes is refused before DuckDB parses it. */
    lh_buf b;
    lh_buf_init(&b, 0);
    lh_buf_adds(&b, "SELECT 1 AS x");
    while (b.len <= LH_ENGINE_SQL_DEFAULT)
        lh_buf_adds(&b, " /* padding padding padding */");
    assert_int_equal(gate_sql(f->e, lh_buf_cstr(&b), &err, NULL), LH_ETOOBIG);
    assert_non_null(strstr(err.msg, "max_sql_bytes"));
    /* Deep nesting is refused cleanly, not with a crash. */
    lh_buf_reset(&b);
    lh_buf_adds(&b, "SELECT ");
    for (int i = 0; i < 3000; i++)
        lh_buf_adds(&b, "abs(");
    lh_buf_adds(&b, "1");
    for (int i = 0; i < 3000; i++)
        lh_buf_adds(&b, ")");
    assert_int_equal(gate_sql(f->e, lh_buf_cstr(&b), &err, NULL), LH_EINVAL);
    lh_buf_reset(&b);
    for (int i = 0; i < 1500; i++)
        lh_buf_adds(&b, "SELECT * FROM (");
    lh_buf_adds(&b, "SELECT 1");
    for (int i = 0; i < 1500; i++)
        lh_buf_adds(&b, ")");
    lh_status st = gate_sql(f->e, lh_buf_cstr(&b), &err, NULL);
    assert_true(st == LH_EDENIED || st == LH_EINVAL);
    lh_buf_release(&b);
    /* The hidden table was never touched by any denied statement above. */
    json_t *row = NULL;
    assert_int_equal(lh_engine_query_row(f->e, "SELECT count(*)::VARCHAR FROM hidden", &row, &err),
                     LH_OK);
    assert_string_equal(json_string_value(json_array_get(row, 0)), "1");
    json_decref(row);
}

static lh_status gate_seen(lh_engine *e, const char *sql, json_t *seen, lh_err *err)
{
    duckdb_prepared_statement ps = NULL;
    lh_status st = lh__sql_gate_prepare(e, e->conn, sql, strlen(sql), seen, &ps, err);
    if (ps)
        duckdb_destroy_prepare(&ps);
    return st;
}

/* The relations a query names, as the hot cache counts them: catalog relations only,
 * lowercase, once each; CTEs and table functions are not relations. */
static void gate_reports_referenced_relations(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    json_t *seen = json_object();
    assert_int_equal(gate_seen(f->e, "WITH x AS (SELECT * FROM People) SELECT * "
                                             "FROM x JOIN orders o ON o.person_id = x.id, "
                                             "range(3) r WHERE x.id IN (SELECT person_id FROM "
                                             "ORDERS)", seen, &err), LH_OK);
    assert_int_equal(json_object_size(seen), 2);
    assert_non_null(json_object_get(seen, "people"));
    assert_non_null(json_object_get(seen, "orders"));
    json_object_clear(seen);
    assert_int_equal(gate_seen(f->e, "WITH people AS (SELECT 1 AS a) SELECT * FROM "
                                             "people", seen, &err), LH_OK);
    assert_int_equal(json_object_size(seen), 0);
    assert_int_equal(gate_seen(f->e, "SELECT (SELECT max(amount) FROM orders)",
                                             seen, &err), LH_OK);
    assert_int_equal(json_object_size(seen), 1);
    json_decref(seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allowed_queries_pass_and_run),
        cmocka_unit_test(write_and_admin_statements_are_denied),
        cmocka_unit_test(file_and_catalog_functions_are_denied),
        cmocka_unit_test(relations_outside_the_catalog_are_denied),
        cmocka_unit_test(nesting_and_cte_scoping),
        cmocka_unit_test(explain_describe_show),
        cmocka_unit_test(comment_tricks_cannot_smuggle_a_statement),
        cmocka_unit_test(runaway_and_crashing_functions_are_denied),
        cmocka_unit_test(allow_list_matches_duckdb),
        cmocka_unit_test(messages_are_clear),
        cmocka_unit_test(engine_messages_for_users),
        cmocka_unit_test(bad_text_and_limits),
        cmocka_unit_test(gate_reports_referenced_relations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
