/* tombs.c: tombstoned keys in DuckDB. The file under _catalog/tombstones/ is the truth
 * (catalog/tombstones.c); here it becomes an in-memory table "__tomb__<name>" (kept for
 * lookups, compaction and the key cache) and, built from it, the engine's key set of the
 * same name, which the dataset's view tests row by row during the scan
 * (`WHERE k IS NULL OR NOT __lh_hidden_i('<name>', k)`, engine.h "Key sets"). A filter,
 * not a join: a LIMIT still ends the scan early, and no row is hashed into a join table
 * (the anti join this replaced made `ILIKE ... LIMIT 20` 19x slower with 100,000 keys,
 * docs/BENCHMARKS.md "Tombstones"). Never a NOT IN literal. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/tombstones.h"
#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "engine/engine.h"
#include "lake/lake_int.h"
#include "storage/storage.h"

struct lh__tombs {
    pthread_mutex_t mu;
    json_t *by_name;   /* name -> {"column", "type"} for datasets with tombstones */
    /* Datasets whose tombstones could not be loaded (name -> why): their reads fail, so
     * that a failure (out of memory, an unreadable file) never shows erased rows nor
     * lets a compaction clear tombstones it did not apply. lost_failure: a failure that
     * could not even be recorded; every dataset is then refused. */
    json_t *failed;
    bool lost_failure;
};

lh__tombs *lh__tombs_new(void)
{
    lh__tombs *t = lh_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->mu, NULL);
    t->by_name = json_object();
    t->failed = json_object();
    if (!t->by_name || !t->failed) {
        lh__tombs_free(t);
        return NULL;
    }
    return t;
}

void lh__tombs_free(lh__tombs *t)
{
    if (!t)
        return;
    json_decref(t->by_name);
    json_decref(t->failed);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

/* The quoted name of one of the dataset's relations, appended to out (dataset names are
 * [a-z0-9_] and prefixes ours, so they need no escaping inside the quotes). */
static void table_name(const char *prefix, const char *name, lh_buf *out)
{
    lh_buf_printf(out, "\"%s%s\"", prefix, name);
}

bool lh__tombs_column(lh_lake *lake, const char *name, char *column, char *type, size_t size)
{
    lh__tombs *t = lh__lake_tombs(lake);
    pthread_mutex_lock(&t->mu);
    json_t *e = json_object_get(t->by_name, name);
    if (e) {
        snprintf(column, size, "%s", json_string_value(json_object_get(e, "column")));
        snprintf(type, size, "%s", json_string_value(json_object_get(e, "type")));
    }
    pthread_mutex_unlock(&t->mu);
    return e != NULL;
}

static lh_status remember(lh_lake *lake, const char *name, const char *column,
                          const char *type, lh_err *err)
{
    lh__tombs *t = lh__lake_tombs(lake);
    pthread_mutex_lock(&t->mu);
    int rc = json_object_set_new(t->by_name, name,
                                 json_pack("{s:s, s:s}", "column", column, "type", type));
    pthread_mutex_unlock(&t->mu);
    return rc ? lh_fail(err, LH_ENOMEM, "out of memory") : LH_OK;
}

/* Records (or, st == LH_OK, clears) a failure to load the dataset's tombstones. */
static void set_failed(lh_lake *lake, const char *name, lh_status st, const char *why)
{
    lh__tombs *t = lh__lake_tombs(lake);
    pthread_mutex_lock(&t->mu);
    if (!st)
        json_object_del(t->failed, name);
    else if (json_object_set_new(t->failed, name, json_string(why)))
        t->lost_failure = true;
    pthread_mutex_unlock(&t->mu);
}

/* LH_OK unless the dataset's tombstones failed to load (then err says why). */
static lh_status check_loaded(lh_lake *lake, const char *name, lh_err *err)
{
    lh__tombs *t = lh__lake_tombs(lake);
    char why[200] = "";
    pthread_mutex_lock(&t->mu);
    bool failed = t->lost_failure;
    const json_t *w = json_object_get(t->failed, name);
    if (w) {
        failed = true;
        snprintf(why, sizeof why, ": %s", json_string_value(w));
    }
    pthread_mutex_unlock(&t->mu);
    return failed ? lh_fail(err, LH_EIO, "the tombstones of dataset %s could not be loaded%s; "
                            "it cannot be read until they are (restart or retry)", name, why)
                  : LH_OK;
}

/* Integer key types are tested as BIGINT; every other type as its text (the keys were
 * cast to the column's type when loaded, so equal values have the same text). */
static bool text_keys(const char *type)
{
    static const char *const ints[] = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT",
                                       "UTINYINT", "USMALLINT", "UINTEGER"};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        if (!strcasecmp(type, ints[i]))
            return false;
    return true;
}

/* Rebuilds the engine's key set from "__tomb__<name>". */
static lh_status sync_set(lh_lake *lake, const char *name, const char *type, lh_err *err)
{
    bool text = text_keys(type);
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "SELECT CAST(k AS %s) FROM ", text ? "VARCHAR" : "BIGINT");
    table_name("__tomb__", name, &sql);
    lh_status st = lh_buf_status(&sql);
    st = st ? lh__lake_unbuilt(err, st, name, "the key set's query")
            : lh_engine_keyset_load(lh__lake_engine(lake), name, text, sql.data, err);
    lh_buf_release(&sql);
    return st;
}

lh_status lh__tombs_forget(lh_lake *lake, const char *name, lh_err *err)
{
    lh__tombs *t = lh__lake_tombs(lake);
    pthread_mutex_lock(&t->mu);
    json_object_del(t->by_name, name);
    pthread_mutex_unlock(&t->mu);
    /* The view stops using the table before the table goes. */
    lh_status st = lh__lake_define_view(lake, name, err);
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "DROP TABLE IF EXISTS ");
    table_name("__tomb__", name, &sql);
    if (!st && lh_buf_status(&sql))
        st = lh__lake_unbuilt(err, lh_buf_status(&sql), name, "the statement that drops the tombstones");
    if (!st)
        st = lh_engine_exec(lh__lake_engine(lake), sql.data, err);
    if (!st) {
        lh_engine_keyset_drop(lh__lake_engine(lake), name);
        lh_engine_rowset_drop(lh__lake_engine(lake), name);
    }
    lh_buf_release(&sql);
    return st;
}

/* The DuckDB type of a manifest column (case-insensitive name), or NULL. */
static const char *column_type(const json_t *m, const char *column)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(m, "columns"), i, c)
        if (!strcasecmp(json_string_value(json_object_get(c, "name")) ?: "", column))
            return json_string_value(json_object_get(c, "type"));
    return NULL;
}

/* A cache of the key set: "_catalog/tombstones/<name>.keys.parquet", written by the
 * writer after each tombstone call with the tombstone file's size in its metadata. At
 * open, a cache whose size matches the file (append-only: same size, same lines) is read
 * instead of parsing every JSON line; anything else falls back to the file. */
static void cache_path(lh_lake *lake, const char *name, lh_buf *out)
{
    lh_buf key;
    lh_buf_init(&key, 1024);
    lh_tombstones_cache_key(name, &key);
    if (!lh_buf_status(&key)) /* else out stays empty: no cache */
        lh_store_local_path(lh_lake_store(lake), key.data, out, NULL);
    lh_buf_release(&key);
}

static int64_t file_size(lh_lake *lake, const char *name)
{
    lh_buf key;
    lh_buf_init(&key, 1024);
    lh_tombstones_key(name, &key);
    lh_object_info info;
    int64_t size = lh_buf_status(&key) || lh_store_head(lh_lake_store(lake), key.data, &info, NULL)
                       ? -1 : info.size;
    lh_buf_release(&key);
    return size;
}

/* The local path of the rows cache (lh__tombs_rows_select), into out (empty: none). */
static void rows_cache_path(lh_lake *lake, const char *name, lh_buf *out)
{
    lh_buf key;
    lh_buf_init(&key, 1024);
    lh_tombstones_rows_cache_key(name, &key);
    if (!lh_buf_status(&key))
        lh_store_local_path(lh_lake_store(lake), key.data, out, NULL);
    lh_buf_release(&key);
}

void lh__tombs_cache_remove(lh_lake *lake, const char *name)
{
    lh_buf path;
    lh_buf_init(&path, 4096);
    cache_path(lake, name, &path);
    if (path.len)
        lh_file_remove(path.data, NULL);
    lh_buf_reset(&path);
    rows_cache_path(lake, name, &path);
    if (path.len)
        lh_file_remove(path.data, NULL);
    lh_buf_release(&path);
}

void lh__tombs_cache_save(lh_lake *lake, const char *name)
{
    lh_buf path, tmp, sql;
    lh_buf_init(&path, 4096);
    lh_buf_init(&tmp, 4096);
    lh_buf_init(&sql, 0);
    cache_path(lake, name, &path);
    int64_t size = file_size(lake, name);
    lh_path_temp(lh_buf_cstr(&path), &tmp);
    lh_buf_adds(&sql, "COPY (SELECT k FROM ");
    table_name("__tomb__", name, &sql);
    lh_buf_adds(&sql, ") TO ");
    lh_buf_add_sql_string(&sql, lh_buf_cstr(&tmp));
    lh_buf_printf(&sql, " (FORMAT parquet, KV_METADATA {source_bytes: '%lld'})", (long long)size);
    lh_err err;
    /* A cache: a path or statement that cannot be built, like any failure, means none. */
    lh_status st = size < 0 || !path.len ? LH_ENOTFOUND
                   : lh_buf_status(&tmp)  ? lh_buf_status(&tmp)
                   : lh_buf_status(&sql)  ? lh_buf_status(&sql)
                                          : lh_engine_exec(lh__lake_engine(lake), sql.data, &err);
    if (!st && rename(tmp.data, path.data)) /* a cache: no fsync needed, a bad one is ignored */
        st = LH_EIO;
    if (st) {
        if (tmp.len)
            lh_file_remove(tmp.data, NULL);
        lh__tombs_cache_remove(lake, name);
    }
    lh_buf_release(&path);
    lh_buf_release(&tmp);
    lh_buf_release(&sql);
}

/* Fills "__tomb__<name>" from a cache that matches the file; false when there is none. */
static bool load_cache(lh_lake *lake, const char *name, const char *type)
{
    lh_buf path, sql;
    lh_buf_init(&path, 4096);
    lh_buf_init(&sql, 0);
    cache_path(lake, name, &path);
    int64_t size = file_size(lake, name);
    bool ok = false;
    json_t *row = NULL;
    if (path.len && size > 0 && !access(path.data, R_OK)) {
        lh_buf_adds(&sql, "SELECT CAST(value AS VARCHAR) FROM parquet_kv_metadata(");
        lh_buf_add_sql_string(&sql, path.data);
        lh_buf_adds(&sql, ") WHERE CAST(key AS VARCHAR) = 'source_bytes'");
        int64_t have = -1;
        if (!lh_buf_status(&sql) &&
            !lh_engine_query_row(lh__lake_engine(lake), sql.data, &row, NULL) &&
            !lh_parse_i64(json_string_value(json_array_get(row, 0)), &have) && have == size) {
            lh_buf_reset(&sql);
            lh_buf_adds(&sql, "CREATE OR REPLACE TABLE ");
            table_name("__tomb__", name, &sql);
            lh_buf_printf(&sql, " AS SELECT CAST(k AS %s) AS k FROM read_parquet(", type);
            lh_buf_add_sql_string(&sql, path.data);
            lh_buf_adds(&sql, ")");
            ok = !lh_buf_status(&sql) &&
                 lh_engine_exec(lh__lake_engine(lake), sql.data, NULL) == LH_OK;
        }
    }
    json_decref(row);
    lh_buf_release(&path);
    lh_buf_release(&sql);
    return ok;
}

lh_status lh__tombs_load(lh_lake *lake, const char *name, lh_err *err)
{
    lh_store *s = lh_lake_store(lake);
    lh_buf key, path, sql;
    lh_buf_init(&key, 1024);
    lh_buf_init(&path, 4096);
    lh_buf_init(&sql, 0);
    lh_tombstones_key(name, &key);
    json_t *m = NULL;
    char column[256];
    lh_status st = lh_tombstones_column(s, name, column, sizeof column, err);
    if (st == LH_ENOTFOUND) {
        st = LH_OK; /* no tombstones (or only a torn line) */
        goto done;
    }
    if (st)
        goto done;
    if (!(m = lh_catalog_get_copy(lh_lake_catalog(lake), name))) {
        st = lh_fail(err, LH_ENOMEM, "out of memory");
        goto done;
    }
    const char *type = column_type(m, column);
    if (!type) {
        st = lh_fail(err, LH_ECORRUPT, "key column %s is not a column of the dataset", column);
        goto done;
    }
    if (load_cache(lake, name, type)) {
        if (!(st = sync_set(lake, name, type, err)))
            st = remember(lake, name, column, type, err);
        goto done;
    }
    if (lh_buf_status(&key)) {
        st = lh__lake_unbuilt(err, lh_buf_status(&key), name, "the tombstone file's key");
        goto done;
    }
    if ((st = lh_store_local_path(s, key.data, &path, err)))
        goto done;
    lh_buf_adds(&sql, "CREATE OR REPLACE TABLE ");
    table_name("__tomb__", name, &sql);
    lh_buf_printf(&sql, " AS SELECT DISTINCT k FROM (SELECT TRY_CAST(row_key_value AS %s) AS k "
                  "FROM read_json(", type);
    lh_buf_add_sql_string(&sql, lh_buf_cstr(&path));
    lh_buf_adds(&sql, ", format='newline_delimited', columns={'row_key_value': 'VARCHAR'}, "
                      "ignore_errors=true)) WHERE k IS NOT NULL");
    st = lh_buf_status(&sql);
    if (st)
        st = lh__lake_unbuilt(err, st, name, "the tombstone query");
    if (!st)
        st = lh_engine_exec(lh__lake_engine(lake), sql.data, err);
    if (!st)
        st = sync_set(lake, name, type, err);
    if (!st)
        st = remember(lake, name, column, type, err);
done:
    set_failed(lake, name, st, st && err ? err->msg : "");
    json_decref(m);
    lh_buf_release(&key);
    lh_buf_release(&path);
    lh_buf_release(&sql);
    return st;
}

lh_status lh__tombs_filter(lh_lake *lake, const char *name, lh_buf *sql, lh_err *err)
{
    char column[256], type[256];
    lh_status st = check_loaded(lake, name, err);
    if (st || !lh__tombs_column(lake, name, column, type, sizeof column))
        return st;
    lh_buf out;
    lh_buf_init(&out, 0);
    /* A NULL key matches no tombstone (as in a join); the set's name is the dataset's
     * ([a-z0-9_], quoted as a string anyway). */
    bool text = text_keys(type);
    lh_buf_adds(&out, "SELECT __r.* FROM (");
    lh_buf_adds(&out, lh_buf_cstr(sql));
    lh_buf_adds(&out, ") AS __r WHERE __r.");
    lh_buf_add_sql_ident(&out, column);
    lh_buf_printf(&out, " IS NULL OR NOT __lh_hidden_%s(", text ? "s" : "i");
    lh_buf_add_sql_string(&out, name);
    lh_buf_adds(&out, text && strcasecmp(type, "VARCHAR") ? ", CAST(__r." : ", __r.");
    lh_buf_add_sql_ident(&out, column);
    lh_buf_adds(&out, text && strcasecmp(type, "VARCHAR") ? " AS VARCHAR))" : ")");
    st = lh_buf_status(&out);
    if (!st) {
        lh_buf_reset(sql);
        st = lh_buf_add(sql, out.data, out.len);
    }
    lh_buf_release(&out);
    return st ? lh__lake_unbuilt(err, st, name, "the filtered view") : LH_OK;
}

lh_status lh__tombs_raw_view(lh_lake *lake, const char *name, lh_buf *sql, lh_err *err)
{
    lh_buf raw;
    lh_buf_init(&raw, 256);
    lh_buf_printf(&raw, "__raw__%s", name);
    lh_status st = lh_buf_status(&raw) ? lh_buf_status(&raw) : lh_buf_status(sql);
    if (st)
        st = lh__lake_unbuilt(err, st, name, "the raw view");
    else
        st = lh_engine_define_view(lh__lake_engine(lake), raw.data, sql->data, err);
    if (!st)
        st = lh_engine_allow_relation(lh__lake_engine(lake), raw.data, err);
    lh_buf_release(&raw);
    if (!st)
        st = lh__tombs_filter(lake, name, sql, err);
    return st;
}

lh_status lh__tombs_add_list(lh_buf *sql, const json_t *vals, const char *type)
{
    char *text = lh_json_dumps(vals, JSON_COMPACT);
    if (!text)
        return LH_ENOMEM;
    lh_buf_adds(sql, "from_json(");
    lh_buf_add_sql_string(sql, text);
    lh_buf_printf(sql, ", '[\"%s\"]')", type);
    free(text);
    return lh_buf_status(sql);
}

lh_status lh__tombs_add(lh_lake *lake, const char *name, const char *column, const char *type,
                        const json_t *keys, bool *created, lh_err *err)
{
    char have_col[256], have_type[256];
    *created = !lh__tombs_column(lake, name, have_col, have_type, sizeof have_col);
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_status st = LH_OK;
    if (*created) {
        lh_buf_adds(&sql, "CREATE OR REPLACE TABLE ");
        table_name("__tomb__", name, &sql);
        lh_buf_printf(&sql, " (k %s)", type);
        st = lh_buf_status(&sql);
        st = st ? lh__lake_unbuilt(err, st, name, "the tombstone table's definition")
                : lh_engine_exec(lh__lake_engine(lake), sql.data, err);
    }
    /* Batches of keys as one list constant each (lh__tombs_add_list); only keys not
     * already there, so the table stays a set. */
    size_t n = json_array_size(keys);
    for (size_t i = 0; !st && i < n;) {
        json_t *batch = json_array();
        for (size_t b = 0; batch && i < n && b < 10000; b++, i++)
            if (json_array_append(batch, json_array_get(keys, i)))
                break;
        lh_buf_reset(&sql);
        lh_buf_adds(&sql, "INSERT INTO ");
        table_name("__tomb__", name, &sql);
        lh_buf_adds(&sql, " SELECT DISTINCT k FROM (SELECT unnest(");
        st = batch ? lh__tombs_add_list(&sql, batch, type) : LH_ENOMEM;
        json_decref(batch);
        lh_buf_adds(&sql, ") AS k) AS v WHERE k NOT IN (SELECT k FROM ");
        table_name("__tomb__", name, &sql);
        lh_buf_adds(&sql, ")");
        if (!st)
            st = lh_buf_status(&sql);
        st = st ? lh__lake_unbuilt(err, st, name, "a statement with a batch of tombstones")
                : lh_engine_exec(lh__lake_engine(lake), sql.data, err);
    }
    lh_buf_release(&sql);
    if (!st)
        st = sync_set(lake, name, type, err);
    if (!st && *created)
        st = remember(lake, name, column, type, err);
    /* The keys are on disk already: until a reload, reads must fail rather than show them. */
    if (st)
        set_failed(lake, name, st, err ? err->msg : "");
    return st;
}

/* ---- hidden rows by position ----
 *
 * The latest version's view does not test keys: the rows the tombstones hide are found
 * once per data file (a scan of the key column through the key set, the same test as the
 * key filter) and kept as the engine's row set of the dataset's name, which the view tests
 * by (file, position) (engine.h "Row sets"): no key column read, no hash probe, and a view
 * without any filter when no file holds a tombstoned key. Data files never change, so a
 * file's positions hold until the tombstones change; the writer keeps them in
 * "_catalog/tombstones/<name>.rows.parquet" (file, position; a NULL position marks a file
 * checked), stamped with the tombstone file's size like the key cache, and a later open
 * reads them from there and scans only the files the cache has not checked. */

/* The file paths of snap as the view's read_parquet names them (lh_path_add_sql), as a
 * JSON array of strings. */
static json_t *file_paths(const char *dir, const lh_table_snapshot *snap)
{
    json_t *a = json_array();
    size_t n = strlen(dir);
    while (n > 0 && dir[n - 1] == '/')
        n--;
    for (size_t i = 0; a && i < snap->nfiles; i++) {
        lh_buf p;
        lh_buf_init(&p, 0);
        lh_buf_add(&p, dir, n);
        lh_buf_addc(&p, '/');
        lh_buf_adds(&p, snap->files[i].path);
        if (lh_buf_status(&p) || json_array_append_new(a, json_string(p.data))) {
            json_decref(a);
            a = NULL;
        }
        lh_buf_release(&p);
    }
    return a;
}

/* Whether the rows cache at path was written for the tombstone file's current size. */
static bool cache_valid(lh_lake *lake, const char *path, int64_t size)
{
    json_t *row = NULL;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    int64_t have = -1;
    if (size > 0 && !access(path, R_OK)) {
        lh_buf_adds(&sql, "SELECT CAST(value AS VARCHAR) FROM parquet_kv_metadata(");
        lh_buf_add_sql_string(&sql, path);
        lh_buf_adds(&sql, ") WHERE CAST(key AS VARCHAR) = 'source_bytes'");
        if (!lh_buf_status(&sql) &&
            !lh_engine_query_row(lh__lake_engine(lake), sql.data, &row, NULL))
            lh_parse_i64(json_string_value(json_array_get(row, 0)), &have);
    }
    json_decref(row);
    lh_buf_release(&sql);
    return have == size && size > 0;
}

/* Adds to rs the files of snap the cache (when valid) does not hold, by a scan of their
 * key column through the key set (*scanned: how many files). */
static lh_status scan_rows(lh_lake *lake, const char *name, const lh_table_snapshot *snap,
                           const char *dir, json_t *paths, lh_rowset *rs, size_t *scanned,
                           lh_err *err)
{
    char column[256], type[256];
    if (!lh__tombs_column(lake, name, column, type, sizeof column))
        return lh_fail(err, LH_ENOTFOUND, "no tombstones");
    bool text = text_keys(type);
    lh_table_snapshot sub = *snap;
    sub.files = lh_calloc(snap->nfiles, sizeof *sub.files);
    json_t *missing = json_array();
    lh_buf sql, sel;
    lh_buf_init(&sql, 0);
    lh_buf_init(&sel, 0);
    lh_status st = LH_OK;
    sub.nfiles = 0;
    for (size_t i = 0; sub.files && missing && i < snap->nfiles; i++) {
        json_t *p = json_array_get(paths, i);
        if (lh_engine_rowset_has(rs, json_string_value(p)))
            continue;
        sub.files[sub.nfiles++] = snap->files[i];
        if (json_array_append(missing, p))
            st = LH_ENOMEM;
    }
    if (st || !sub.files || !missing) {
        st = lh_fail(err, LH_ENOMEM, "out of memory");
        goto done;
    }
    *scanned = sub.nfiles;
    if (!sub.nfiles)
        goto done;
    if ((st = lh_engine_snapshot_select_rows(lh__lake_engine(lake), dir, &sub, true, NULL, &sel,
                                             err)))
        goto done;
    lh_buf_adds(&sql, "SELECT __r.__lh_file, __r.__lh_pos FROM (");
    lh_buf_add(&sql, sel.data, sel.len);
    lh_buf_adds(&sql, ") AS __r WHERE __r.");
    lh_buf_add_sql_ident(&sql, column);
    lh_buf_printf(&sql, " IS NOT NULL AND __lh_hidden_%s(", text ? "s" : "i");
    lh_buf_add_sql_string(&sql, name);
    lh_buf_adds(&sql, text && strcasecmp(type, "VARCHAR") ? ", CAST(__r." : ", __r.");
    lh_buf_add_sql_ident(&sql, column);
    lh_buf_adds(&sql, text && strcasecmp(type, "VARCHAR") ? " AS VARCHAR))" : ")");
    lh_buf_adds(&sql, " UNION ALL SELECT unnest(");
    st = lh__tombs_add_list(&sql, missing, "VARCHAR");
    lh_buf_adds(&sql, "), CAST(NULL AS BIGINT)");
    if (!st)
        st = lh_buf_status(&sql);
    st = st ? lh__lake_unbuilt(err, st, name, "the query of its hidden rows")
            : lh_engine_rowset_add_positions(lh__lake_engine(lake), rs, sql.data, err);
done:
    free(sub.files);
    json_decref(missing);
    lh_buf_release(&sql);
    lh_buf_release(&sel);
    return st;
}

lh_status lh__tombs_rows_select(lh_lake *lake, const char *name, const lh_table_snapshot *snap,
                                const char *dir, lh_buf *sql, lh_err *err)
{
    char column[256], type[256];
    if (check_loaded(lake, name, NULL) || !lh__tombs_column(lake, name, column, type, sizeof column) ||
        snap->nfiles == 0)
        return LH_OK; /* the key filter (or its refusal) stands */
    lh_engine *eng = lh__lake_engine(lake);
    lh_buf cache, q, out, tmp;
    lh_buf_init(&cache, 4096);
    lh_buf_init(&q, 0);
    lh_buf_init(&out, 0);
    lh_buf_init(&tmp, 4096);
    lh_err why = {{0}};
    json_t *paths = file_paths(dir, snap);
    lh_rowset *rs = lh_engine_rowset_new(name);
    int64_t size = file_size(lake, name);
    size_t scanned = 0;
    bool from_cache = false;
    lh_status st = paths && rs ? LH_OK : lh_fail(&why, LH_ENOMEM, "out of memory");
    rows_cache_path(lake, name, &cache);
    if (!st && cache.len && cache_valid(lake, cache.data, size)) {
        lh_buf_adds(&q, "SELECT CAST(file AS VARCHAR), CAST(bits AS BLOB) FROM read_parquet(");
        lh_buf_add_sql_string(&q, cache.data);
        lh_buf_adds(&q, ") WHERE file IN (SELECT unnest(");
        st = lh__tombs_add_list(&q, paths, "VARCHAR");
        lh_buf_adds(&q, "))");
        if (!st)
            st = lh_buf_status(&q);
        /* A cache that cannot be read is no cache: start over by scanning. */
        if (st || lh_engine_rowset_add_bitmaps(eng, rs, q.data, NULL)) {
            lh_engine_rowset_free(rs);
            rs = lh_engine_rowset_new(name);
            st = rs ? LH_OK : lh_fail(&why, LH_ENOMEM, "out of memory");
        } else {
            from_cache = true;
        }
    }
    if (!st)
        st = scan_rows(lake, name, snap, dir, paths, rs, &scanned, &why);
    int64_t hidden = st ? 0 : lh_engine_rowset_hidden(rs);
    /* The writer keeps the cache: rewritten when it lacked a file (or had none). */
    if (!st && lh__lake_is_writer(lake) && cache.len && size > 0 && (scanned || !from_cache)) {
        lh_path_temp(cache.data, &tmp);
        lh_buf_reset(&q);
        lh_buf_printf(&q, "{source_bytes: '%lld'}", (long long)size);
        if (lh_buf_status(&tmp) || lh_buf_status(&q) ||
            lh_engine_rowset_save(eng, rs, tmp.data, q.data, NULL) || rename(tmp.data, cache.data)) {
            if (tmp.len)
                lh_file_remove(tmp.data, NULL);
            lh_file_remove(cache.data, NULL);
        }
    }
    if (!st && hidden) {
        st = lh_engine_rowset_install(eng, rs, &why);
        rs = NULL;
    }
    if (!st)
        st = lh_engine_snapshot_select_rows(eng, dir, snap, false, hidden ? name : NULL, &out,
                                            &why);
    if (!st) {
        lh_buf_reset(sql);
        st = lh_buf_add(sql, out.data, out.len);
        if (st) /* sql is half rewritten: the caller must not use it */
            st = lh__lake_unbuilt(err, st, name, "the filtered view");
    } else {
        if (st != LH_EUNSUPPORTED)
            lh_log(LH_LOG_WARN, "dataset %s: its tombstones are tested by key (slower): %s",
                   name, why.msg);
        st = LH_OK;
    }
    lh_engine_rowset_free(rs);
    json_decref(paths);
    lh_buf_release(&cache);
    lh_buf_release(&q);
    lh_buf_release(&out);
    lh_buf_release(&tmp);
    return st;
}
