/* duckdb_baseline.c: the plain-DuckDB side of the foundation benchmarks.
 *
 *   duckdb_baseline copy CSV OUT.parquet
 *       Times COPY (FROM read_csv('CSV')) TO 'OUT' (FORMAT parquet, COMPRESSION snappy)
 *       in a fresh in-memory database and prints "copy_ms <ms>".
 *
 *   duckdb_baseline queries QUERIES.tsv DATA_DIR RUNS [NAME]
 *       Opens an in-memory database with a view per table over the very Parquet files
 *       lakehouse wrote (the live files in DATA_DIR/tables/<name>/_delta_log), then runs each query of
 *       QUERIES.tsv (NAME<TAB>SQL) RUNS times, fully materialising the result, and prints
 *       "<name> <median_ms> <min_ms> <first_ms> <rows>" (only query NAME when given).
 *
 *   duckdb_baseline breakdown CSV WORK_DIR
 *       Replays, step by step, the SQL that `lakehouse ingest` runs for a CSV (see
 *       src/ingest/: stage copy, sniff_csv, DESCRIBE, COPY with the projection, stats
 *       read-back, fsync) and prints "<step> <ms>" per step, plus variants that isolate
 *       what each difference from the plain COPY costs.
 *
 * Times are wall-clock milliseconds from CLOCK_MONOTONIC. Not part of the product. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "duckdb.h"

#define MAX_QUERIES 32
#define MAX_RUNS 1000
#define MAX_COLS 256

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A growable text buffer: enough for the SQL this program composes. */
typedef struct {
    char *data;
    size_t len, cap;
} text;

static void text_add(text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *d = realloc(t->data, cap);
        if (!d) {
            fprintf(stderr, "duckdb_baseline: out of memory\n");
            exit(1);
        }
        t->data = d;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n + 1);
    t->len += n;
}

/* Appends s as an SQL string literal ('' doubles a quote). */
static void text_add_literal(text *t, const char *s)
{
    text_add(t, "'");
    for (const char *p = s; *p; p++) {
        char c[3] = {*p, *p == '\'' ? '\'' : 0, 0};
        text_add(t, c);
    }
    text_add(t, "'");
}

/* Appends s as a quoted SQL identifier. */
static void text_add_ident(text *t, const char *s)
{
    text_add(t, "\"");
    for (const char *p = s; *p; p++) {
        char c[3] = {*p, *p == '"' ? '"' : 0, 0};
        text_add(t, c);
    }
    text_add(t, "\"");
}

static void text_free(text *t)
{
    free(t->data);
    t->data = NULL;
    t->len = t->cap = 0;
}

/* Runs sql, fully materialised; returns its row count or -1 (message on stderr). */
static long long run(duckdb_connection con, const char *sql, duckdb_result *keep)
{
    duckdb_result res;
    if (duckdb_query(con, sql, &res) == DuckDBError) {
        fprintf(stderr, "duckdb_baseline: %s\n  in: %.300s\n", duckdb_result_error(&res), sql);
        duckdb_destroy_result(&res);
        return -1;
    }
    long long rows = (long long)duckdb_row_count(&res);
    if (keep)
        *keep = res;
    else
        duckdb_destroy_result(&res);
    return rows;
}

static int open_db(duckdb_database *db, duckdb_connection *con)
{
    if (duckdb_open(NULL, db) == DuckDBError || duckdb_connect(*db, con) == DuckDBError) {
        fprintf(stderr, "duckdb_baseline: cannot open DuckDB\n");
        return 1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- copy ---------------------------------------------------------------------- */

static int cmd_copy(const char *csv, const char *out)
{
    duckdb_database db;
    duckdb_connection con;
    if (open_db(&db, &con))
        return 1;
    text sql = {0};
    text_add(&sql, "COPY (FROM read_csv(");
    text_add_literal(&sql, csv);
    text_add(&sql, ")) TO ");
    text_add_literal(&sql, out);
    text_add(&sql, " (FORMAT parquet, COMPRESSION snappy)");
    double t0 = now_ms();
    long long rc = run(con, sql.data, NULL);
    double t1 = now_ms();
    text_free(&sql);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    if (rc < 0)
        return 1;
    printf("copy_ms %.1f\n", t1 - t0);
    return 0;
}

/* ---- queries ------------------------------------------------------------------- */

typedef struct {
    char name[64];
    char *sql;
} query;

/* Reads NAME<TAB>SQL lines; '#' lines and blank lines are skipped. */
static int load_queries(const char *path, query *q, int *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "duckdb_baseline: open %s: %s\n", path, strerror(errno));
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    *n = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        if (*n == MAX_QUERIES)
            break;
        *tab = '\0';
        snprintf(q[*n].name, sizeof q[*n].name, "%s", line);
        q[*n].sql = strdup(tab + 1);
        if (!q[*n].sql)
            break;
        (*n)++;
    }
    free(line);
    fclose(f);
    return *n ? 0 : 1;
}

/* A view over the table's live files as its Delta log lists them (adds minus removes over
 * the JSON commits), not a glob of the directory: after a compaction the directory still
 * holds the replaced files until vacuum, and a glob would read their rows twice. (A log
 * whose early commits were cleaned up behind a checkpoint is not handled here.) */
static int create_view(duckdb_connection con, const char *data_dir, const char *table)
{
    text dir = {0}, log = {0}, sql = {0};
    text_add(&dir, data_dir);
    text_add(&dir, "/tables/");
    text_add(&dir, table);
    text_add(&dir, "/");
    text_add(&log, dir.data);
    text_add(&log, "_delta_log/*.json");
    text_add(&sql, "SELECT '[' || string_agg('''' || replace(p, '''', '''''') || '''', ', ') || ']' "
                   "FROM (SELECT ");
    text_add_literal(&sql, dir.data);
    text_add(&sql, " || json_extract_string(json, '$.add.path') AS p FROM read_ndjson_objects(");
    text_add_literal(&sql, log.data);
    text_add(&sql, ") WHERE json_extract_string(json, '$.add.path') IS NOT NULL EXCEPT SELECT ");
    text_add_literal(&sql, dir.data);
    text_add(&sql, " || json_extract_string(json, '$.remove.path') FROM read_ndjson_objects(");
    text_add_literal(&sql, log.data);
    text_add(&sql, ") WHERE json_extract_string(json, '$.remove.path') IS NOT NULL)");
    duckdb_result res;
    char *list = NULL;
    if (duckdb_query(con, sql.data, &res) == DuckDBError)
        fprintf(stderr, "duckdb_baseline: the Delta log of %s: %s\n", table, duckdb_result_error(&res));
    else
        list = duckdb_value_varchar(&res, 0, 0);
    duckdb_destroy_result(&res);
    text_free(&sql);
    text_free(&dir);
    text_free(&log);
    if (!list)
        return 1;
    text view = {0};
    text_add(&view, "CREATE VIEW ");
    text_add_ident(&view, table);
    text_add(&view, " AS FROM read_parquet(");
    text_add(&view, list);
    text_add(&view, ")");
    duckdb_free(list);
    long long rc = run(con, view.data, NULL);
    text_free(&view);
    return rc < 0;
}

static int cmd_queries(const char *tsv, const char *data_dir, int runs, const char *only)
{
    query q[MAX_QUERIES];
    int nq = 0;
    if (load_queries(tsv, q, &nq))
        return 1;
    duckdb_database db;
    duckdb_connection con;
    if (open_db(&db, &con))
        return 1;
    int rc = create_view(con, data_dir, "candidates") || create_view(con, data_dir, "recruiters");
    static double t[MAX_RUNS];
    for (int i = 0; !rc && i < nq; i++) {
        if (only && strcmp(only, q[i].name))
            continue;
        long long rows = 0;
        for (int r = 0; r < runs && !rc; r++) {
            double t0 = now_ms();
            rows = run(con, q[i].sql, NULL);
            t[r] = now_ms() - t0;
            rc = rows < 0;
        }
        if (rc)
            break;
        double first = t[0], lo = t[0];
        for (int r = 1; r < runs; r++)
            lo = t[r] < lo ? t[r] : lo;
        printf("%s %.2f %.2f %.2f %lld\n", q[i].name, median(t, runs), lo, first, rows);
        fflush(stdout);
    }
    for (int i = 0; i < nq; i++)
        free(q[i].sql);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    return rc;
}

/* ---- breakdown ----------------------------------------------------------------- */

/* Copies src to dst in 1 MiB chunks and fsyncs dst: the staging copy without the hash. */
static int stage_copy(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    static char chunk[1 << 20];
    int rc = in < 0 || out < 0;
    while (!rc) {
        ssize_t n = read(in, chunk, sizeof chunk);
        if (n <= 0) {
            rc = n < 0;
            break;
        }
        for (ssize_t off = 0; off < n && !rc;) {
            ssize_t w = write(out, chunk + off, (size_t)(n - off));
            rc = w < 0;
            off += w > 0 ? w : 0;
        }
    }
    if (!rc)
        rc = fsync(out) != 0;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (rc)
        fprintf(stderr, "duckdb_baseline: stage copy %s -> %s failed\n", src, dst);
    return rc;
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    int rc = fd < 0 || fsync(fd) != 0;
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The string in row r, column c of a materialised result (caller free()s), or NULL. */
static char *cell(duckdb_result *res, idx_t c, idx_t r)
{
    if (duckdb_value_is_null(res, c, r))
        return NULL;
    char *v = duckdb_value_varchar(res, c, r);
    char *copy = v ? strdup(v) : NULL;
    duckdb_free(v);
    return copy;
}

typedef struct {
    char *name, *type;
} column;

static void step(const char *name, double ms)
{
    printf("%s %.1f\n", name, ms);
    fflush(stdout);
}

/* COPY (SELECT select_list FROM source) TO out, timed. */
static int timed_copy(duckdb_connection con, const char *label, const char *select_list,
                      const char *source, const char *out)
{
    text sql = {0};
    text_add(&sql, "COPY (SELECT ");
    text_add(&sql, select_list);
    text_add(&sql, " FROM ");
    text_add(&sql, source);
    text_add(&sql, ") TO ");
    text_add_literal(&sql, out);
    text_add(&sql, " (FORMAT parquet, COMPRESSION snappy)");
    double t0 = now_ms();
    long long rc = run(con, sql.data, NULL);
    step(label, now_ms() - t0);
    text_free(&sql);
    unlink(out);
    return rc < 0;
}

static int cmd_breakdown(const char *csv, const char *work)
{
    duckdb_database db;
    duckdb_connection con;
    if (open_db(&db, &con))
        return 1;
    text staged = {0}, parquet = {0}, scratch = {0}, sql = {0}, source = {0}, proj = {0};
    text_add(&staged, work);
    text_add(&staged, "/staged.csv");
    text_add(&parquet, work);
    text_add(&parquet, "/out.parquet");
    text_add(&scratch, work);
    text_add(&scratch, "/scratch.parquet");
    column cols[MAX_COLS];
    int ncols = 0, rc = 0;
    double t0 = now_ms(), total0 = t0;

    /* 1. staging copy (lakehouse also SHA-256es the bytes in the same pass; the script
     *    times sha256sum separately). */
    rc = stage_copy(csv, staged.data);
    step("stage_copy_fsync", now_ms() - t0);

    /* 2. sniff_csv, strict, as src/ingest/source.c asks for the dialect. */
    duckdb_result res;
    if (!rc) {
        text_add(&sql, "SELECT Delimiter, Quote, Escape, HasHeader FROM sniff_csv(");
        text_add_literal(&sql, staged.data);
        text_add(&sql, ", strict_mode=true)");
        t0 = now_ms();
        rc = run(con, sql.data, &res) < 0;
        step("sniff_csv", now_ms() - t0);
    }
    if (!rc) {
        char *delim = cell(&res, 0, 0), *quote = cell(&res, 1, 0), *escape = cell(&res, 2, 0);
        char *header = cell(&res, 3, 0);
        text_add(&source, "read_csv(");
        text_add_literal(&source, staged.data);
        text_add(&source, ", delim=");
        text_add_literal(&source, delim ? delim : ",");
        text_add(&source, ", quote=");
        text_add_literal(&source, quote && strcmp(quote, "(empty)") ? quote : "");
        text_add(&source, ", escape=");
        text_add_literal(&source, escape && strcmp(escape, "(empty)") ? escape : "");
        text_add(&source, ", header=");
        text_add(&source, header && !strcmp(header, "true") ? "true" : "false");
        text_add(&source, ", skip=0, strict_mode=true, null_padding=false)");
        free(delim);
        free(quote);
        free(escape);
        free(header);
        duckdb_destroy_result(&res);
    }

    /* 3. DESCRIBE the source (names and types, for the projection). */
    if (!rc) {
        sql.len = 0;
        text_add(&sql, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ");
        text_add(&sql, source.data);
        text_add(&sql, ")");
        t0 = now_ms();
        rc = run(con, sql.data, &res) < 0;
        step("describe_source", now_ms() - t0);
    }
    if (!rc) {
        idx_t n = duckdb_row_count(&res);
        for (idx_t r = 0; r < n && ncols < MAX_COLS; r++, ncols++) {
            cols[ncols].name = cell(&res, 0, r);
            cols[ncols].type = cell(&res, 1, r);
            if (ncols)
                text_add(&proj, ", ");
            /* Delta (protocol 1,2) has no TIMESTAMP without zone: lakehouse casts. */
            if (!strcmp(cols[ncols].type, "TIMESTAMP")) {
                text_add(&proj, "CAST(");
                text_add_ident(&proj, cols[ncols].name);
                text_add(&proj, " AS TIMESTAMP WITH TIME ZONE) AS ");
                free(cols[ncols].type);
                cols[ncols].type = strdup("TIMESTAMP WITH TIME ZONE");
            }
            text_add_ident(&proj, cols[ncols].name);
        }
        duckdb_destroy_result(&res);
    }

    /* 4. DESCRIBE the projection (the column list that goes into the Delta schema). */
    if (!rc) {
        sql.len = 0;
        text_add(&sql, "SELECT column_name, column_type FROM (DESCRIBE SELECT ");
        text_add(&sql, proj.data);
        text_add(&sql, " FROM ");
        text_add(&sql, source.data);
        text_add(&sql, ")");
        t0 = now_ms();
        rc = run(con, sql.data, NULL) < 0;
        step("describe_projection", now_ms() - t0);
    }

    /* 5. The COPY itself, as lakehouse writes it. */
    if (!rc) {
        sql.len = 0;
        text_add(&sql, "COPY (SELECT ");
        text_add(&sql, proj.data);
        text_add(&sql, " FROM ");
        text_add(&sql, source.data);
        text_add(&sql, ") TO ");
        text_add_literal(&sql, parquet.data);
        text_add(&sql, " (FORMAT parquet, COMPRESSION snappy)");
        t0 = now_ms();
        rc = run(con, sql.data, NULL) < 0;
        step("copy_to_parquet", now_ms() - t0);
    }

    /* 6. Stats read-back: count, min/max per int/float/varchar/date/timestamptz column,
     *    null count per column, one full scan (src/ingest/stats.c). */
    if (!rc) {
        sql.len = 0;
        text_add(&sql, "SELECT CAST(count(*) AS VARCHAR)");
        for (int i = 0; i < ncols; i++) {
            const char *ty = cols[i].type;
            int minmax = !strcmp(ty, "TINYINT") || !strcmp(ty, "SMALLINT") || !strcmp(ty, "INTEGER") ||
                         !strcmp(ty, "BIGINT") || !strcmp(ty, "FLOAT") || !strcmp(ty, "DOUBLE") ||
                         !strcmp(ty, "VARCHAR") || !strcmp(ty, "DATE");
            int tstz = !strcmp(ty, "TIMESTAMP WITH TIME ZONE");
            text id = {0};
            text_add_ident(&id, cols[i].name);
            const char *fmt[] = {tstz ? ", CAST(epoch_ms(min(" : ", CAST(min(",
                                 tstz ? ")) AS VARCHAR), CAST(epoch_ms(max(" : ") AS VARCHAR), CAST(max(",
                                 tstz ? ")) AS VARCHAR)" : ") AS VARCHAR)"};
            if (minmax || tstz) {
                text_add(&sql, fmt[0]);
                text_add(&sql, id.data);
                text_add(&sql, fmt[1]);
                text_add(&sql, id.data);
                text_add(&sql, fmt[2]);
            } else {
                text_add(&sql, ", NULL, NULL");
            }
            text_add(&sql, ", CAST(count(*) - count(");
            text_add(&sql, id.data);
            text_add(&sql, ") AS VARCHAR)");
            text_free(&id);
        }
        text_add(&sql, " FROM read_parquet(");
        text_add_literal(&sql, parquet.data);
        text_add(&sql, ")");
        t0 = now_ms();
        rc = run(con, sql.data, NULL) < 0;
        step("stats_readback", now_ms() - t0);
        /* The same numbers from the Parquet footer alone (no data pages read). */
        sql.len = 0;
        text_add(&sql, "SELECT path_in_schema, sum(num_values), min(stats_min_value), "
                       "max(stats_max_value), sum(stats_null_count) FROM parquet_metadata(");
        text_add_literal(&sql, parquet.data);
        text_add(&sql, ") GROUP BY path_in_schema");
        t0 = now_ms();
        rc = rc || run(con, sql.data, NULL) < 0;
        step("alt_stats_from_footer", now_ms() - t0);
    }

    /* 7. fsync of the Parquet file before the rename into the table. */
    if (!rc) {
        t0 = now_ms();
        rc = fsync_path(parquet.data);
        step("fsync_parquet", now_ms() - t0);
        step("total_steps", now_ms() - total0);
    }

    /* Variants, to price each difference from the plain COPY. */
    if (!rc) {
        text plain = {0};
        text_add(&plain, "read_csv(");
        text_add_literal(&plain, staged.data);
        text_add(&plain, ")");
        rc = timed_copy(con, "variant_plain_copy", "*", plain.data, scratch.data);
        if (!rc)
            rc = timed_copy(con, "variant_explicit_strict_no_cast", "*", source.data, scratch.data);
        if (!rc)
            rc = timed_copy(con, "variant_plain_with_cast", proj.data, plain.data, scratch.data);
        text_free(&plain);
    }

    for (int i = 0; i < ncols; i++) {
        free(cols[i].name);
        free(cols[i].type);
    }
    unlink(staged.data);
    unlink(parquet.data);
    text *all[] = {&staged, &parquet, &scratch, &sql, &source, &proj};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        text_free(all[i]);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "copy"))
        return cmd_copy(argv[2], argv[3]);
    if ((argc == 5 || argc == 6) && !strcmp(argv[1], "queries")) {
        char *end;
        long runs = strtol(argv[4], &end, 10);
        if (*end || runs < 1 || runs > MAX_RUNS) {
            fprintf(stderr, "duckdb_baseline: RUNS must be 1..%d\n", MAX_RUNS);
            return 2;
        }
        return cmd_queries(argv[2], argv[3], (int)runs, argc == 6 ? argv[5] : NULL);
    }
    if (argc == 4 && !strcmp(argv[1], "breakdown"))
        return cmd_breakdown(argv[2], argv[3]);
    fprintf(stderr, "usage: duckdb_baseline copy CSV OUT.parquet\n"
                    "       duckdb_baseline queries QUERIES.tsv DATA_DIR RUNS [NAME]\n"
                    "       duckdb_baseline breakdown CSV WORK_DIR\n");
    return 2;
}
