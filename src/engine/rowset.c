/* rowset.c: named sets of hidden row positions, per data file, and the SQL function that
 * tests a row against one during a scan (engine.h, "Row sets").
 *
 * A dataset with tombstones hides them by key (keyset.c): every query then reads the key
 * column and probes a hash table for every row, which doubled full scans (group-by,
 * count(*)). Data files never change once written, so the rows a key set hides in a file
 * are fixed positions: found once (when the tombstones or the files change) and kept as a
 * bitmap per file, the view tests `__lh_hidden_r('set', filename, file_row_number)`,
 * both columns DuckDB produces without reading the file. A file with no hidden row has
 * an entry with no bitmap (checked, clean); a file with no entry fails the query: a view
 * never shows rows of a file nobody checked.
 *
 * Loading a set keeps the entries of the set it replaces for files the new one does not
 * name, once: a query planned on the previous view (the previous file list) still finds
 * its files while it runs. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/engine_int.h"

typedef struct rowfile {
    char *path;
    size_t len;
    uint64_t *bits;     /* NULL: no hidden row */
    size_t nwords;
    bool carried;       /* kept from the previous set: not carried again */
} rowfile;

struct lh_rowset {
    char *name;
    rowfile *files;
    size_t n, cap;
};
typedef struct lh_rowset rowset;

struct lh__rowsets {
    pthread_rwlock_t lock;
    rowset **sets;
    size_t n, cap;
};

static void rowset_free(rowset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->files[i].path);
        free(s->files[i].bits);
    }
    free(s->files);
    free(s->name);
    free(s);
}

/* The entry of path in s, or NULL (linear: looked up once per file change in a scan). */
static rowfile *file_of(const rowset *s, const char *path, size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->files[i].len == len && !memcmp(s->files[i].path, path, len))
            return &s->files[i];
    return NULL;
}

static rowfile *file_add(rowset *s, const char *path, size_t len)
{
    rowfile *f = file_of(s, path, len);
    if (f)
        return f;
    if (lh_grow(&s->files, &s->cap, s->n + 1, sizeof *s->files))
        return NULL;
    f = &s->files[s->n];
    *f = (rowfile){.path = lh_malloc(len + 1), .len = len};
    if (!f->path)
        return NULL;
    memcpy(f->path, path, len);
    f->path[len] = '\0';
    s->n++;
    return f;
}

static lh_status set_bit(rowfile *f, int64_t pos)
{
    if (pos < 0)
        return LH_EINVAL;
    size_t w = (size_t)pos >> 6;
    if (w >= f->nwords) {
        size_t cap = f->nwords;
        if (lh_grow(&f->bits, &cap, w + 1, sizeof *f->bits))
            return LH_ENOMEM;
        memset(f->bits + f->nwords, 0, (cap - f->nwords) * sizeof *f->bits);
        f->nwords = cap;
    }
    f->bits[w] |= 1ULL << (pos & 63);
    return LH_OK;
}

static rowset *find(const lh__rowsets *rs, const char *name, size_t len, size_t *at)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strlen(rs->sets[i]->name) == len && !memcmp(rs->sets[i]->name, name, len)) {
            if (at)
                *at = i;
            return rs->sets[i];
        }
    return NULL;
}

/* __lh_hidden_r(set VARCHAR, file VARCHAR, pos BIGINT): whether the row at pos of file
 * is hidden (NULL for a NULL argument). */
static void hidden_fn(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output)
{
    lh__rowsets *rs = duckdb_scalar_function_get_extra_info(info);
    idx_t n = duckdb_data_chunk_get_size(input);
    duckdb_vector names = duckdb_data_chunk_get_vector(input, 0);
    duckdb_vector files = duckdb_data_chunk_get_vector(input, 1);
    duckdb_vector poss = duckdb_data_chunk_get_vector(input, 2);
    duckdb_string_t *name_data = duckdb_vector_get_data(names);
    duckdb_string_t *file_data = duckdb_vector_get_data(files);
    int64_t *pos_data = duckdb_vector_get_data(poss);
    uint64_t *name_valid = duckdb_vector_get_validity(names);
    uint64_t *file_valid = duckdb_vector_get_validity(files);
    uint64_t *pos_valid = duckdb_vector_get_validity(poss);
    bool *out = duckdb_vector_get_data(output);
    duckdb_vector_ensure_validity_writable(output);
    uint64_t *out_valid = duckdb_vector_get_validity(output);
    const rowset *s = NULL;
    const rowfile *f = NULL;
    const char *last_name = NULL, *last_file = NULL;
    uint32_t last_name_len = 0, last_file_len = 0;
    const char *fail = NULL;
    pthread_rwlock_rdlock(&rs->lock);
    for (idx_t r = 0; r < n; r++) {
        /* NULL validity masks mean every row valid: tested inline, no call per row. */
        if ((name_valid && !(name_valid[r >> 6] >> (r & 63) & 1)) ||
            (file_valid && !(file_valid[r >> 6] >> (r & 63) & 1)) ||
            (pos_valid && !(pos_valid[r >> 6] >> (r & 63) & 1))) {
            duckdb_validity_set_row_invalid(out_valid, r);
            continue;
        }
        uint32_t nl = duckdb_string_t_length(name_data[r]);
        const char *nm = duckdb_string_t_data(&name_data[r]);
        if (!s || nl != last_name_len || (nm != last_name && memcmp(nm, last_name, nl))) {
            if (!(s = find(rs, nm, nl, NULL))) {
                fail = "the hidden rows of this dataset are not loaded";
                break;
            }
            last_name = nm;
            last_name_len = nl;
            f = NULL;
        }
        uint32_t fl = duckdb_string_t_length(file_data[r]);
        const char *fp = duckdb_string_t_data(&file_data[r]);
        /* A scan's chunk comes from one file: its name is the same pointer row after row
         * (long strings) or the same bytes (inlined ones). */
        if (!f || fl != last_file_len || (fp != last_file && memcmp(fp, last_file, fl))) {
            if (!(f = file_of(s, fp, fl))) {
                fail = "a data file of this dataset was not checked for hidden rows";
                break;
            }
            last_file = fp;
            last_file_len = fl;
        }
        int64_t p = pos_data[r];
        size_t w = (size_t)p >> 6;
        out[r] = f->bits && p >= 0 && w < f->nwords && (f->bits[w] >> (p & 63) & 1);
    }
    pthread_rwlock_unlock(&rs->lock);
    if (fail)
        duckdb_scalar_function_set_error(info, fail);
}

lh_status lh__engine_rowsets_open(lh_engine *e, lh_err *err)
{
    e->rowsets = lh_calloc(1, sizeof *e->rowsets);
    if (!e->rowsets)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    pthread_rwlock_init(&e->rowsets->lock, NULL);
    duckdb_scalar_function f = duckdb_create_scalar_function();
    duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_logical_type bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    duckdb_logical_type boolean = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    duckdb_scalar_function_set_name(f, "__lh_hidden_r");
    duckdb_scalar_function_add_parameter(f, varchar);
    duckdb_scalar_function_add_parameter(f, varchar);
    duckdb_scalar_function_add_parameter(f, bigint);
    duckdb_scalar_function_set_return_type(f, boolean);
    duckdb_scalar_function_set_extra_info(f, e->rowsets, NULL);
    duckdb_scalar_function_set_function(f, hidden_fn);
    duckdb_state s = duckdb_register_scalar_function(e->conn, f);
    duckdb_destroy_logical_type(&varchar);
    duckdb_destroy_logical_type(&bigint);
    duckdb_destroy_logical_type(&boolean);
    duckdb_destroy_scalar_function(&f);
    return s == DuckDBError ? lh_fail(err, LH_EINTERNAL, "register function __lh_hidden_r")
                            : LH_OK;
}

void lh__engine_rowsets_free(lh_engine *e)
{
    lh__rowsets *rs = e->rowsets;
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++)
        rowset_free(rs->sets[i]);
    free(rs->sets);
    pthread_rwlock_destroy(&rs->lock);
    free(rs);
    e->rowsets = NULL;
}

/* Copies into s the entries of old that s lacks and that were not carried already. */
static lh_status carry(rowset *s, const rowset *old)
{
    for (size_t i = 0; old && i < old->n; i++) {
        const rowfile *o = &old->files[i];
        if (o->carried || file_of(s, o->path, o->len))
            continue;
        rowfile *f = file_add(s, o->path, o->len);
        if (!f)
            return LH_ENOMEM;
        f->carried = true;
        if (o->bits) {
            if (!(f->bits = lh_calloc(o->nwords, sizeof *f->bits)))
                return LH_ENOMEM;
            memcpy(f->bits, o->bits, o->nwords * sizeof *f->bits);
            f->nwords = o->nwords;
        }
    }
    return LH_OK;
}

lh_rowset *lh_engine_rowset_new(const char *name)
{
    rowset *s = lh_calloc(1, sizeof *s);
    if (s && !(s->name = lh_strdup(name))) {
        free(s);
        s = NULL;
    }
    return s;
}

void lh_engine_rowset_free(lh_rowset *s) { rowset_free(s); }

bool lh_engine_rowset_has(const lh_rowset *s, const char *file)
{
    return file_of(s, file, strlen(file)) != NULL;
}

int64_t lh_engine_rowset_hidden(const lh_rowset *s)
{
    int64_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!s->files[i].carried)
            for (size_t w = 0; w < s->files[i].nwords; w++)
                n += __builtin_popcountll(s->files[i].bits[w]);
    return n;
}

/* Runs sql (our own) on the admin connection and checks its two column types. */
static lh_status run_two(lh_engine *e, const char *sql, duckdb_type second, duckdb_result *res,
                         lh_err *err)
{
    if (lh__engine_admin_query(e, sql, res) == DuckDBError) {
        lh_status st = lh__engine_result_error(res, LH_EINTERNAL, "engine", err);
        duckdb_destroy_result(res);
        return st;
    }
    if (duckdb_column_count(res) != 2 || duckdb_column_type(res, 0) != DUCKDB_TYPE_VARCHAR ||
        duckdb_column_type(res, 1) != second) {
        duckdb_destroy_result(res);
        return lh_fail(err, LH_EINTERNAL, "row set: the query must return (VARCHAR, %s)",
                       second == DUCKDB_TYPE_BLOB ? "BLOB" : "BIGINT");
    }
    return LH_OK;
}

lh_status lh_engine_rowset_add_positions(lh_engine *e, lh_rowset *s, const char *sql, lh_err *err)
{
    duckdb_result res;
    lh_status st = run_two(e, sql, DUCKDB_TYPE_BIGINT, &res, err);
    if (st)
        return st;
    for (duckdb_data_chunk c; !st && (c = duckdb_fetch_chunk(res));) {
        duckdb_vector fv = duckdb_data_chunk_get_vector(c, 0);
        duckdb_vector pv = duckdb_data_chunk_get_vector(c, 1);
        duckdb_string_t *fd = duckdb_vector_get_data(fv);
        int64_t *pd = duckdb_vector_get_data(pv);
        uint64_t *fvalid = duckdb_vector_get_validity(fv);
        uint64_t *pvalid = duckdb_vector_get_validity(pv);
        idx_t n = duckdb_data_chunk_get_size(c);
        rowfile *f = NULL;
        for (idx_t r = 0; r < n && !st; r++) {
            if (!duckdb_validity_row_is_valid(fvalid, r))
                continue;
            uint32_t len = duckdb_string_t_length(fd[r]);
            const char *p = duckdb_string_t_data(&fd[r]);
            if (!f || f->len != len || memcmp(f->path, p, len))
                f = file_add(s, p, len);
            if (!f)
                st = lh_fail(err, LH_ENOMEM, "out of memory");
            else if (duckdb_validity_row_is_valid(pvalid, r) && (st = set_bit(f, pd[r])))
                st = lh_fail(err, st, st == LH_ENOMEM ? "out of memory"
                                                      : "row set: a negative position");
        }
        duckdb_destroy_data_chunk(&c);
    }
    duckdb_destroy_result(&res);
    return st;
}

lh_status lh_engine_rowset_add_bitmaps(lh_engine *e, lh_rowset *s, const char *sql, lh_err *err)
{
    duckdb_result res;
    lh_status st = run_two(e, sql, DUCKDB_TYPE_BLOB, &res, err);
    if (st)
        return st;
    for (duckdb_data_chunk c; !st && (c = duckdb_fetch_chunk(res));) {
        duckdb_vector fv = duckdb_data_chunk_get_vector(c, 0);
        duckdb_vector bv = duckdb_data_chunk_get_vector(c, 1);
        duckdb_string_t *fd = duckdb_vector_get_data(fv);
        duckdb_string_t *bd = duckdb_vector_get_data(bv);
        uint64_t *fvalid = duckdb_vector_get_validity(fv);
        uint64_t *bvalid = duckdb_vector_get_validity(bv);
        idx_t n = duckdb_data_chunk_get_size(c);
        for (idx_t r = 0; r < n && !st; r++) {
            if (!duckdb_validity_row_is_valid(fvalid, r))
                continue;
            rowfile *f = file_add(s, duckdb_string_t_data(&fd[r]), duckdb_string_t_length(fd[r]));
            if (!f) {
                st = lh_fail(err, LH_ENOMEM, "out of memory");
                break;
            }
            if (!duckdb_validity_row_is_valid(bvalid, r))
                continue;
            uint32_t len = duckdb_string_t_length(bd[r]);
            size_t words = (len + 7) / 8;
            free(f->bits);
            f->nwords = 0;
            if (words && !(f->bits = lh_calloc(words, sizeof *f->bits))) {
                st = lh_fail(err, LH_ENOMEM, "out of memory");
                break;
            }
            memcpy(f->bits, duckdb_string_t_data(&bd[r]), len);
            f->nwords = words;
        }
        duckdb_destroy_data_chunk(&c);
    }
    duckdb_destroy_result(&res);
    return st;
}

lh_status lh_engine_rowset_save(lh_engine *e, const lh_rowset *s, const char *path,
                                const char *kv_metadata, lh_err *err)
{
    static const char table[] = "__lh_rowset_save__";
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "COPY (SELECT file, bits FROM %s ORDER BY file) TO ", table);
    lh_buf_add_sql_string(&sql, path);
    lh_buf_printf(&sql, " (FORMAT parquet, KV_METADATA %s)", kv_metadata);
    lh_status st = lh_buf_status(&sql);
    if (st) {
        lh_buf_release(&sql);
        return lh_fail(err, st, "row set: path too long");
    }
    duckdb_result res;
    duckdb_appender app = NULL;
    pthread_mutex_lock(&e->admin_mu);
    if (duckdb_query(e->conn, "CREATE OR REPLACE TABLE __lh_rowset_save__ (file VARCHAR, bits BLOB)",
                     &res) == DuckDBError)
        st = lh__engine_result_error(&res, LH_EINTERNAL, "engine", err);
    duckdb_destroy_result(&res);
    if (!st && duckdb_appender_create(e->conn, NULL, table, &app) == DuckDBError)
        st = lh_fail(err, LH_EINTERNAL, "row set: %s", duckdb_appender_error(app));
    for (size_t i = 0; !st && i < s->n; i++) {
        const rowfile *f = &s->files[i];
        if (f->carried)
            continue;
        bool any = false;
        for (size_t w = 0; w < f->nwords && !any; w++)
            any = f->bits[w] != 0;
        if (duckdb_append_varchar_length(app, f->path, f->len) == DuckDBError ||
            (any ? duckdb_append_blob(app, f->bits, f->nwords * sizeof *f->bits)
                 : duckdb_append_null(app)) == DuckDBError ||
            duckdb_appender_end_row(app) == DuckDBError)
            st = lh_fail(err, LH_EINTERNAL, "row set: %s", duckdb_appender_error(app));
    }
    if (app && duckdb_appender_destroy(&app) == DuckDBError && !st)
        st = lh_fail(err, LH_EINTERNAL, "row set: the appender failed");
    if (!st) {
        if (duckdb_query(e->conn, sql.data, &res) == DuckDBError)
            st = lh__engine_result_error(&res, LH_EIO, "save row set", err);
        duckdb_destroy_result(&res);
    }
    if (duckdb_query(e->conn, "DROP TABLE IF EXISTS __lh_rowset_save__", &res) == DuckDBError && !st)
        st = lh__engine_result_error(&res, LH_EINTERNAL, "engine", err);
    duckdb_destroy_result(&res);
    lh__engine_policy_changed(e); /* the catalog changed (stmt_cache.c) */
    pthread_mutex_unlock(&e->admin_mu);
    lh_buf_release(&sql);
    return st;
}

lh_status lh_engine_rowset_install(lh_engine *e, lh_rowset *s, lh_err *err)
{
    lh__rowsets *rs = e->rowsets;
    pthread_rwlock_wrlock(&rs->lock);
    size_t at;
    rowset *old = find(rs, s->name, strlen(s->name), &at);
    lh_status st = carry(s, old);
    if (!st && old)
        rs->sets[at] = s;
    else if (!st && !(st = lh_grow(&rs->sets, &rs->cap, rs->n + 1, sizeof *rs->sets)))
        rs->sets[rs->n++] = s;
    pthread_rwlock_unlock(&rs->lock);
    rowset_free(st ? s : old);
    return st ? lh_fail(err, LH_ENOMEM, "out of memory") : LH_OK;
}

void lh_engine_rowset_drop(lh_engine *e, const char *name)
{
    lh__rowsets *rs = e->rowsets;
    pthread_rwlock_wrlock(&rs->lock);
    size_t at;
    rowset *s = find(rs, name, strlen(name), &at);
    if (s)
        rs->sets[at] = rs->sets[--rs->n];
    pthread_rwlock_unlock(&rs->lock);
    rowset_free(s);
}
