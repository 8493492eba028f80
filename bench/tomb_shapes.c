/* tomb_shapes.c: which SQL shape hides tombstoned keys without slowing queries down,
 * measured in plain DuckDB (in process, warm: no process start in the figures).
 *
 *   tomb_shapes CANDIDATES.csv WORK_DIR RUNS
 *
 * Writes the CSV (bench/gen_candidates) as four Parquet files of a quarter of the rows
 * each (as four appends would), makes a key table of every id ending in 3 (100,000 of
 * 1,000,000), and times five queries over a view per shape, runs alternated between the
 * shapes, printing per query and shape "<query> <shape> <median_ms> <ratio to none>
 * <rows>" (rows must agree between shapes, "none" apart):
 *   none        the files, no filter (the baseline);
 *   anti        r ANTI JOIN keys ON r.id = k (what lakehouse did before);
 *   not_exists  WHERE NOT EXISTS (SELECT 1 FROM keys WHERE k = r.id);
 *   not_in      WHERE r.id IS NULL OR NOT (r.id IN (SELECT k FROM keys)) (a mark join);
 *   udf         WHERE r.id IS NULL OR NOT hidden(r.id): a scalar function over a hash
 *               set in C, the shape lakehouse used before rowpos (src/engine/keyset.c; this is a
 *               minimal copy of it, for integer keys only);
 *   floor       WHERE r.id % 10 <> 3: the same rows hidden by arithmetic, no lookup at
 *               all: what any filter on the key costs (reading the key column), the
 *               floor of every shape above.
 *   rowpos      WHERE NOT hidden_pos(filename, file_row_number): the hidden rows as
 *               a bitmap of positions per file, found once by a scan of the key column
 *               (not timed: lakehouse does it when the tombstones or files change and
 *               caches it); no key column read, no hash probe. The shape lakehouse uses
 *               now (src/engine/rowset.c). With the keys spread over every file, as here,
 *               every file holds hidden rows: skipping clean files gains nothing.
 *
 * Built and run by bench/tombstone_filter.sh; not part of the product. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duckdb.h"

static duckdb_connection con;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, duckdb_result *r)
{
    fprintf(stderr, "tomb_shapes: %s: %s\n", what, r ? duckdb_result_error(r) : "failed");
    exit(1);
}

static void exec(const char *sql)
{
    duckdb_result r;
    if (duckdb_query(con, sql, &r) == DuckDBError)
        die(sql, &r);
    duckdb_destroy_result(&r);
}

/* Runs sql, reading every chunk; returns the milliseconds and the row count in *rows. */
static double timed(const char *sql, long *rows)
{
    double t = now_ms();
    duckdb_result r;
    if (duckdb_query(con, sql, &r) == DuckDBError)
        die(sql, &r);
    *rows = 0;
    for (duckdb_data_chunk c; (c = duckdb_fetch_chunk(r));) {
        *rows += (long)duckdb_data_chunk_get_size(c);
        duckdb_destroy_data_chunk(&c);
    }
    duckdb_destroy_result(&r);
    return now_ms() - t;
}

/* The hash set of the udf shape: open addressing over int64. */
static int64_t *set_keys;
static uint8_t *set_used;
static size_t set_mask;

static uint64_t mix(int64_t v)
{
    uint64_t x = (uint64_t)v;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static bool set_has(int64_t v)
{
    for (size_t i = mix(v) & set_mask; set_used[i]; i = (i + 1) & set_mask)
        if (set_keys[i] == v)
            return true;
    return false;
}

static void set_load(void)
{
    duckdb_result r;
    if (duckdb_query(con, "SELECT CAST(k AS BIGINT) FROM keys", &r) == DuckDBError)
        die("keys", &r);
    size_t n = (size_t)duckdb_row_count(&r), cap = 16;
    while (cap < 2 * n + 16)
        cap *= 2;
    set_mask = cap - 1;
    set_keys = calloc(cap, sizeof *set_keys);
    set_used = calloc(cap, 1);
    if (!set_keys || !set_used)
        die("out of memory", NULL);
    for (duckdb_data_chunk c; (c = duckdb_fetch_chunk(r));) {
        int64_t *v = duckdb_vector_get_data(duckdb_data_chunk_get_vector(c, 0));
        for (idx_t i = 0; i < duckdb_data_chunk_get_size(c); i++) {
            size_t j = mix(v[i]) & set_mask;
            while (set_used[j] && set_keys[j] != v[i])
                j = (j + 1) & set_mask;
            set_used[j] = 1;
            set_keys[j] = v[i];
        }
        duckdb_destroy_data_chunk(&c);
    }
    duckdb_destroy_result(&r);
}

static void hidden(duckdb_function_info info, duckdb_data_chunk in, duckdb_vector out)
{
    (void)info;
    duckdb_vector keys = duckdb_data_chunk_get_vector(in, 0);
    int64_t *v = duckdb_vector_get_data(keys);
    uint64_t *valid = duckdb_vector_get_validity(keys);
    bool *o = duckdb_vector_get_data(out);
    duckdb_vector_ensure_validity_writable(out);
    uint64_t *ovalid = duckdb_vector_get_validity(out);
    idx_t n = duckdb_data_chunk_get_size(in);
    for (idx_t i = 0; i < n; i++) {
        if (!duckdb_validity_row_is_valid(valid, i))
            duckdb_validity_set_row_invalid(ovalid, i);
        else
            o[i] = set_has(v[i]);
    }
}

/* The rowpos shape: per file, a bitmap of the row positions whose key is tombstoned,
 * found once by a scan of the key column (as lakehouse does when the tombstones or the
 * table change), then tested by position: no key column read, no hash probe. */
#define NFILES 4
static char *pos_name[NFILES];
static uint64_t *pos_bits[NFILES];
static size_t pos_words[NFILES];

static void pos_load(const char *files)
{
    char sql[8192];
    snprintf(sql, sizeof sql, "SELECT filename, file_row_number FROM read_parquet([%s], "
             "filename=true, file_row_number=true) WHERE id %% 10 = 3", files);
    duckdb_result r;
    if (duckdb_query(con, sql, &r) == DuckDBError)
        die("positions", &r);
    for (duckdb_data_chunk c; (c = duckdb_fetch_chunk(r));) {
        duckdb_string_t *fn = duckdb_vector_get_data(duckdb_data_chunk_get_vector(c, 0));
        int64_t *p = duckdb_vector_get_data(duckdb_data_chunk_get_vector(c, 1));
        for (idx_t i = 0; i < duckdb_data_chunk_get_size(c); i++) {
            uint32_t len = duckdb_string_t_length(fn[i]);
            const char *s = duckdb_string_t_data(&fn[i]);
            int f = 0;
            while (f < NFILES && pos_name[f] && (strlen(pos_name[f]) != len || memcmp(pos_name[f], s, len)))
                f++;
            if (f == NFILES)
                die("more files than expected", NULL);
            if (!pos_name[f]) {
                pos_name[f] = strndup(s, len);
                pos_words[f] = 1 << 16;
                pos_bits[f] = calloc(pos_words[f], 8);
            }
            size_t w = (size_t)p[i] >> 6;
            if (w >= pos_words[f]) {
                size_t nw = pos_words[f];
                while (nw <= w)
                    nw *= 2;
                pos_bits[f] = realloc(pos_bits[f], nw * 8);
                memset(pos_bits[f] + pos_words[f], 0, (nw - pos_words[f]) * 8);
                pos_words[f] = nw;
            }
            pos_bits[f][w] |= 1ULL << (p[i] & 63);
        }
        duckdb_destroy_data_chunk(&c);
    }
    duckdb_destroy_result(&r);
}

static void hidden_pos(duckdb_function_info info, duckdb_data_chunk in, duckdb_vector out)
{
    (void)info;
    duckdb_string_t *fn = duckdb_vector_get_data(duckdb_data_chunk_get_vector(in, 0));
    int64_t *p = duckdb_vector_get_data(duckdb_data_chunk_get_vector(in, 1));
    bool *o = duckdb_vector_get_data(out);
    idx_t n = duckdb_data_chunk_get_size(in);
    const char *last = NULL;
    uint32_t last_len = 0;
    int f = -1;
    for (idx_t i = 0; i < n; i++) {
        uint32_t len = duckdb_string_t_length(fn[i]);
        const char *s = duckdb_string_t_data(&fn[i]);
        if (s != last || len != last_len) {
            last = s;
            last_len = len;
            for (f = 0; f < NFILES && pos_name[f] && (strlen(pos_name[f]) != len || memcmp(pos_name[f], s, len)); f++)
                ;
            if (f == NFILES || !pos_name[f])
                f = -1;
        }
        size_t w = (size_t)p[i] >> 6;
        o[i] = f >= 0 && w < pos_words[f] && (pos_bits[f][w] >> (p[i] & 63) & 1);
    }
}

static void register_udf(void)
{
    {
        duckdb_scalar_function f = duckdb_create_scalar_function();
        duckdb_logical_type vc = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
        duckdb_logical_type big = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
        duckdb_logical_type b = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
        duckdb_scalar_function_set_name(f, "hidden_pos");
        duckdb_scalar_function_add_parameter(f, vc);
        duckdb_scalar_function_add_parameter(f, big);
        duckdb_scalar_function_set_return_type(f, b);
        duckdb_scalar_function_set_function(f, hidden_pos);
        if (duckdb_register_scalar_function(con, f) == DuckDBError)
            die("register hidden_pos()", NULL);
        duckdb_destroy_logical_type(&vc);
        duckdb_destroy_logical_type(&big);
        duckdb_destroy_logical_type(&b);
        duckdb_destroy_scalar_function(&f);
    }
    duckdb_scalar_function f = duckdb_create_scalar_function();
    duckdb_logical_type big = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    duckdb_logical_type b = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    duckdb_scalar_function_set_name(f, "hidden");
    duckdb_scalar_function_add_parameter(f, big);
    duckdb_scalar_function_set_return_type(f, b);
    duckdb_scalar_function_set_function(f, hidden);
    if (duckdb_register_scalar_function(con, f) == DuckDBError)
        die("register hidden()", NULL);
    duckdb_destroy_logical_type(&big);
    duckdb_destroy_logical_type(&b);
    duckdb_destroy_scalar_function(&f);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define MAX_RUNS 64

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: tomb_shapes CANDIDATES.csv WORK_DIR RUNS\n");
        return 2;
    }
    const char *csv = argv[1], *dir = argv[2];
    int runs = atoi(argv[3]);
    if (runs < 1 || runs > MAX_RUNS)
        runs = 5;
    duckdb_database db;
    if (duckdb_open(NULL, &db) == DuckDBError || duckdb_connect(db, &con) == DuckDBError)
        die("open DuckDB", NULL);
    char sql[16384], files[4096] = "";
    size_t used = 0;
    for (int f = 0; f < 4; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/part%d.parquet", dir, f);
        snprintf(sql, sizeof sql, "COPY (SELECT * FROM read_csv('%s') WHERE id %% 4 = %d "
                 "ORDER BY id) TO '%s' (FORMAT parquet)", csv, f, path);
        FILE *probe = fopen(path, "rb");
        if (probe)
            fclose(probe);
        else
            exec(sql);
        used += (size_t)snprintf(files + used, sizeof files - used, "%s'%s'", f ? "," : "", path);
    }
    snprintf(sql, sizeof sql, "CREATE TABLE keys AS SELECT id AS k FROM read_parquet([%s]) "
             "WHERE id %% 10 = 3", files);
    exec(sql);
    register_udf();
    set_load();
    pos_load(files);

    static const char *const shapes[][2] = {
        {"none", "SELECT * FROM read_parquet([%s])"},
        {"anti", "SELECT r.* FROM read_parquet([%s]) AS r ANTI JOIN keys AS t ON r.id = t.k"},
        {"not_exists", "SELECT * FROM read_parquet([%s]) AS r WHERE NOT EXISTS "
                       "(SELECT 1 FROM keys AS t WHERE t.k = r.id)"},
        {"not_in", "SELECT * FROM read_parquet([%s]) AS r WHERE r.id IS NULL OR "
                   "NOT (r.id IN (SELECT k FROM keys))"},
        {"udf", "SELECT * FROM read_parquet([%s]) AS r WHERE r.id IS NULL OR NOT hidden(r.id)"},
        {"floor", "SELECT * FROM read_parquet([%s]) AS r WHERE r.id %% 10 <> 3"},
        {"rowpos", "SELECT * EXCLUDE (filename, file_row_number) FROM read_parquet([%s], "
                   "filename=true, file_row_number=true) AS r "
                   "WHERE NOT hidden_pos(r.filename, r.file_row_number)"},
    };
    static const char *const queries[][2] = {
        {"point_lookup", "SELECT * FROM v_%s WHERE id = 777777"},
        {"ilike_limit20", "SELECT * FROM v_%s WHERE resume_text ILIKE '%%kubernetes%%' LIMIT 20"},
        {"star_limit20", "SELECT * FROM v_%s LIMIT 20"},
        {"groupby_count", "SELECT city, count(*) AS n FROM v_%s GROUP BY city ORDER BY n DESC, city LIMIT 10"},
        {"count_star", "SELECT count(*) FROM v_%s"},
    };
    enum { NS = sizeof shapes / sizeof *shapes, NQ = sizeof queries / sizeof *queries };
    for (int s = 0; s < NS; s++) {
        char body[8192];
        snprintf(body, sizeof body, shapes[s][1], files);
        snprintf(sql, sizeof sql, "CREATE VIEW v_%s AS %s", shapes[s][0], body);
        exec(sql);
    }
    for (int q = 0; q < NQ; q++) {
        static double t[NS][MAX_RUNS];
        long rows[NS];
        for (int s = 0; s < NS; s++) { /* warm-up */
            snprintf(sql, sizeof sql, queries[q][1], shapes[s][0]);
            timed(sql, &rows[s]);
        }
        for (int r = 0; r < runs; r++)
            for (int s = 0; s < NS; s++) {
                snprintf(sql, sizeof sql, queries[q][1], shapes[s][0]);
                t[s][r] = timed(sql, &rows[s]);
            }
        double base = 0;
        for (int s = 0; s < NS; s++) {
            qsort(t[s], (size_t)runs, sizeof(double), cmp_double);
            double m = runs % 2 ? t[s][runs / 2] : (t[s][runs / 2 - 1] + t[s][runs / 2]) / 2;
            if (!s)
                base = m;
            printf("%s %s %.2f %.2f %ld\n", queries[q][0], shapes[s][0], m, m / base, rows[s]);
            fflush(stdout);
        }
    }
    duckdb_disconnect(&con);
    duckdb_close(&db);
    return 0;
}
