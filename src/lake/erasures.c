/* erasures.c: the erasure set, which keeps erased rows erased at every version a query can
 * still reach (mutations.h, docs/INTERNALS.md "Erasure set").
 *
 * Compaction removes tombstoned rows from the latest version only: the files that older
 * versions reference still hold them until vacuum deletes those files, and the tombstones
 * that hid them are cleared. So before clearing them compaction records one entry in
 * _catalog/erasures/<name>.json: the keys as SHA-256(salt || key) (the salt of
 * _catalog/erasure_salt, as in the journal), the version of the compaction commit, the
 * rows erased and the data files on disk then (every file an older version can name).
 * Every read of a version older than an entry's compaction version anti-joins the
 * entry's hashes ("__erased__<name>", an in-memory table; the salt sits in
 * "__erasure_salt__" so that no view text carries it). Vacuum drops an entry once none
 * of its files exists (no version that held the rows can be read any more) and then
 * strips the column statistics from the commits older than the entry's version, which
 * describe only unreadable versions but may carry an erased value as a min or max. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/tombstones.h"
#include "core/alloc.h"
#include "core/util.h"
#include "engine/engine.h"
#include "lake/lake_int.h"
#include "storage/storage.h"
#include "table/table.h"

struct lh__erasures {
    pthread_mutex_t mu;
    json_t *by_name;   /* name -> {"column", "newest": newest entry version} */
    /* Datasets whose set could not be loaded (name -> why): their older versions cannot
     * be read (they might show erased rows). lost_failure: one that could not be
     * recorded; older versions of every dataset are then refused. */
    json_t *failed;
    bool lost_failure;
};

lh__erasures *lh__erasures_new(void)
{
    lh__erasures *e = lh_calloc(1, sizeof *e);
    if (!e)
        return NULL;
    pthread_mutex_init(&e->mu, NULL);
    e->by_name = json_object();
    e->failed = json_object();
    if (!e->by_name || !e->failed) {
        lh__erasures_free(e);
        return NULL;
    }
    return e;
}

void lh__erasures_free(lh__erasures *e)
{
    if (!e)
        return;
    json_decref(e->by_name);
    json_decref(e->failed);
    pthread_mutex_destroy(&e->mu);
    free(e);
}

/* The set's store key into key: LH_OK, or a failure reported in err. */
static lh_status set_key(const char *name, lh_buf *key, lh_err *err)
{
    lh_tombstones_erasure_set_key(name, key);
    lh_status st = lh_buf_status(key);
    return st ? lh__lake_unbuilt(err, st, name, "the erasure set's key") : LH_OK;
}

/* The quoted name of the dataset's mirror table, appended to out (dataset names are
 * [a-z0-9_], so they need no escaping inside the quotes). */
static void table_name(const char *name, lh_buf *out)
{
    lh_buf_printf(out, "\"__erased__%s\"", name);
}

/* The dataset's set ({dataset, row_key_column, key_hash, entries: [...]}), or a fresh empty
 * one when there is none. Caller owns *out. */
static lh_status read_set(lh_lake *lake, const char *name, json_t **out, lh_err *err)
{
    lh_buf key, text;
    lh_buf_init(&key, 1024);
    lh_buf_init(&text, LH_BUF_DEFAULT_MAX);
    *out = NULL;
    lh_status st = set_key(name, &key, err);
    if (!st)
        st = lh_store_get(lh_lake_store(lake), key.data, LH_BUF_DEFAULT_MAX, &text, err);
    if (st == LH_ENOTFOUND) {
        st = LH_OK;
        *out = json_pack("{s:s, s:n, s:s, s:[]}", "dataset", name, "row_key_column", "key_hash",
                         lh_tombstones_key_hash_scheme(), "entries");
        if (!*out)
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    } else if (!st) {
        *out = lh_json_loadb(text.data, text.len, 0, NULL);
        if (!json_is_array(json_object_get(*out, "entries"))) {
            json_decref(*out);
            *out = NULL;
            st = lh_fail(err, LH_ECORRUPT, "dataset %s: the erasure set %s is not valid JSON",
                         name, key.data);
        }
    }
    lh_buf_release(&key);
    lh_buf_release(&text);
    return st;
}

/* Mirrors the set into DuckDB and the in-memory map (entries empty: forgets it). */
static lh_status mirror(lh_lake *lake, const char *name, const json_t *set, lh_err *err)
{
    lh__erasures *e = lh__lake_erasures(lake);
    json_t *entries = json_object_get(set, "entries");
    lh_engine *eng = lh__lake_engine(lake);
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_status st = LH_OK;
    if (!json_array_size(entries)) {
        pthread_mutex_lock(&e->mu);
        json_object_del(e->by_name, name);
        pthread_mutex_unlock(&e->mu);
        lh_buf_adds(&sql, "DROP TABLE IF EXISTS ");
        table_name(name, &sql);
        st = lh_buf_status(&sql) ? lh__lake_unbuilt(err, lh_buf_status(&sql), name, "the erasure statement")
                                 : lh_engine_exec(eng, sql.data, err);
        lh_buf_release(&sql);
        return st;
    }
    char salt[65];
    if ((st = lh_tombstones_salt(lh_lake_store(lake), salt, err)))
        goto done;
    lh_buf_adds(&sql, "CREATE OR REPLACE TABLE __erasure_salt__ AS SELECT ");
    lh_buf_add_sql_string(&sql, salt);
    lh_buf_adds(&sql, " AS s");
    if ((st = lh_buf_status(&sql))) {
        st = lh__lake_unbuilt(err, st, name, "the erasure statement");
        goto done;
    }
    if ((st = lh_engine_exec(eng, sql.data, err)))
        goto done;
    /* One row per (hash, version); rebuilt whole: sets change rarely. Each entry's hashes
     * are one list constant (lh__tombs_add_list), not a VALUES row per hash: 100,000 of
     * those took seconds to parse at every open. */
    lh_buf_reset(&sql);
    lh_buf_adds(&sql, "CREATE OR REPLACE TABLE ");
    table_name(name, &sql);
    lh_buf_adds(&sql, " AS SELECT CAST(NULL AS VARCHAR) AS h, -1::BIGINT AS v WHERE false");
    size_t i;
    json_t *en;
    json_int_t newest = -1;
    json_array_foreach(entries, i, en) {
        json_int_t v = json_integer_value(json_object_get(en, "version"));
        if (v > newest)
            newest = v;
        json_t *hashes = json_object_get(en, "key_hashes");
        if (!json_array_size(hashes))
            continue;
        lh_buf_adds(&sql, " UNION ALL SELECT unnest(");
        if (!st)
            st = lh__tombs_add_list(&sql, hashes, "VARCHAR");
        lh_buf_printf(&sql, "), %lld::BIGINT", (long long)v);
    }
    if (!st)
        st = lh_buf_status(&sql);
    if (st)
        st = lh__lake_unbuilt(err, st, name, "the statement that loads the erasure set");
    else
        st = lh_engine_exec(eng, sql.data, err);
    if (!st) {
        pthread_mutex_lock(&e->mu);
        if (json_object_set_new(e->by_name, name, json_pack("{s:O, s:I}", "column",
                                json_object_get(set, "row_key_column"), "newest", newest)))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        pthread_mutex_unlock(&e->mu);
    }
done:
    lh_buf_release(&sql);
    return st;
}

static lh_status write_set(lh_lake *lake, const char *name, const json_t *set, lh_err *err)
{
    lh_buf key;
    lh_buf_init(&key, 1024);
    lh_status st = set_key(name, &key, err);
    if (st) {
        /* err set */
    } else if (!json_array_size(json_object_get(set, "entries"))) {
        st = lh_store_delete(lh_lake_store(lake), key.data, err);
        if (st == LH_ENOTFOUND)
            st = LH_OK;
    } else {
        char *text = lh_json_dumps(set, JSON_INDENT(1) | JSON_SORT_KEYS);
        st = text ? lh_store_put(lh_lake_store(lake), key.data, text, strlen(text), err)
                  : lh_fail(err, LH_ENOMEM, "out of memory");
        free(text);
    }
    lh_buf_release(&key);
    return st;
}

lh_status lh__erasures_load(lh_lake *lake, const char *name, lh_err *err)
{
    json_t *set = NULL;
    lh_status st = read_set(lake, name, &set, err);
    if (!st && json_array_size(json_object_get(set, "entries")))
        st = mirror(lake, name, set, err);
    json_decref(set);
    lh__erasures *e = lh__lake_erasures(lake);
    pthread_mutex_lock(&e->mu);
    if (!st)
        json_object_del(e->failed, name);
    else if (json_object_set_new(e->failed, name, json_string(err ? err->msg : "")))
        e->lost_failure = true;
    pthread_mutex_unlock(&e->mu);
    return st;
}

lh_status lh__erasures_filter(lh_lake *lake, const char *name, int64_t version, lh_buf *sql,
                              lh_err *err)
{
    lh__erasures *e = lh__lake_erasures(lake);
    char column[256] = "";
    json_int_t newest = -1;
    pthread_mutex_lock(&e->mu);
    json_t *x = json_object_get(e->by_name, name);
    if (x) {
        snprintf(column, sizeof column, "%s", json_string_value(json_object_get(x, "column")) ?: "");
        newest = json_integer_value(json_object_get(x, "newest"));
    }
    bool failed = e->lost_failure || json_object_get(e->failed, name);
    pthread_mutex_unlock(&e->mu);
    if (failed && version >= 0)
        return lh_fail(err, LH_EIO, "dataset %s: its erasure set could not be loaded, so older "
                       "versions cannot be read until it is (restart or retry)", name);
    /* The latest version (-1) and versions at or after every compaction never hold the
     * rows: no filter, no cost. */
    if (!x || version < 0 || version >= newest)
        return LH_OK;
    lh_buf out;
    lh_buf_init(&out, 0);
    lh_buf_adds(&out, "SELECT __x.* FROM (");
    lh_buf_adds(&out, lh_buf_cstr(sql));
    lh_buf_adds(&out, ") AS __x ANTI JOIN (SELECT h FROM ");
    table_name(name, &out);
    lh_buf_printf(&out, " WHERE v > %lld) AS __e ON sha256((SELECT s FROM __erasure_salt__) || "
                  "CAST(__x.", (long long)version);
    lh_buf_add_sql_ident(&out, column);
    lh_buf_adds(&out, " AS VARCHAR)) = __e.h");
    lh_status st = lh_buf_status(&out);
    if (!st) {
        lh_buf_reset(sql);
        st = lh_buf_add(sql, out.data, out.len);
    }
    lh_buf_release(&out);
    return st ? lh__lake_unbuilt(err, st, name, "the erasure filter") : LH_OK;
}

typedef struct file_listing {
    size_t plen;
    json_t *files;
    const char *const *keep;
    size_t nkeep;
} file_listing;

static int list_cb(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    file_listing *l = ctx;
    const char *rel = key + l->plen;
    if (!lh_table_is_data_path(rel))
        return 0;
    for (size_t i = 0; i < l->nkeep; i++)
        if (!strcmp(rel, l->keep[i]))
            return 0;
    json_array_append_new(l->files, json_string(rel));
    return 0;
}

/* The table's data files on disk (relative names) but those in keep. Caller owns *out. */
static lh_status data_files(lh_lake *lake, const char *name, const char *const *keep,
                            size_t nkeep, json_t **out, lh_err *err)
{
    lh_buf prefix;
    lh_buf_init(&prefix, 1024);
    lh_catalog_table_prefix(name, &prefix);
    lh_buf_addc(&prefix, '/');
    file_listing l = {prefix.len, json_array(), keep, nkeep};
    lh_status st = lh_buf_status(&prefix);
    if (st)
        st = lh__lake_unbuilt(err, st, name, "the table's key");
    else if (!l.files)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    else
        st = lh_store_list(lh_lake_store(lake), prefix.data, list_cb, &l, err);
    lh_buf_release(&prefix);
    if (st)
        json_decref(l.files);
    else
        *out = l.files;
    return st;
}

lh_status lh__erasures_record(lh_lake *lake, const char *name, const char *column,
                              const json_t *hashes, int64_t rows, int64_t version,
                              const char *const *keep, size_t nkeep, lh_err *err)
{
    json_t *set = NULL, *files = NULL;
    lh_status st = read_set(lake, name, &set, err);
    if (!st)
        st = data_files(lake, name, keep, nkeep, &files, err);
    if (!st && !json_array_size(files)) {
        json_decref(files); /* nothing on disk holds the rows: nothing to record */
        goto done;
    }
    if (!st) {
        json_object_set_new(set, "row_key_column", json_string(column));
        json_array_append_new(json_object_get(set, "entries"),
                              json_pack("{s:I, s:I, s:I, s:O, s:o}", "version", (json_int_t)version,
                                        "rows", (json_int_t)rows, "erased_at",
                                        (json_int_t)lh_now_ms(), "key_hashes", hashes, "files",
                                        files));
        st = write_set(lake, name, set, err);
    }
    if (!st)
        st = mirror(lake, name, set, err);
done:
    json_decref(set);
    return st;
}

lh_status lh__erasures_check(lh_lake *lake, const char *name, const json_t *hashes, lh_err *err)
{
    json_t *set = NULL, *files = NULL;
    lh_status st = read_set(lake, name, &set, err);
    if (!st)
        st = data_files(lake, name, NULL, 0, &files, err);
    json_t *entry = st ? NULL : json_pack("{s:I, s:I, s:I, s:O, s:o}", "version", (json_int_t)0,
                                          "rows", (json_int_t)0, "erased_at",
                                          (json_int_t)lh_now_ms(), "key_hashes", hashes,
                                          "files", files);
    if (!st && (!entry || json_array_append_new(json_object_get(set, "entries"), entry)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    /* as write_set dumps it; its mirror's statement (mirror) is shorter than this text */
    char *text = st ? NULL : lh_json_dumps(set, JSON_INDENT(1) | JSON_SORT_KEYS);
    if (!st && !text)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st && strlen(text) > LH_BUF_DEFAULT_MAX)
        st = lh_fail(err, LH_ETOOBIG, "dataset %s: its erasure set would be %zu bytes with these "
                     "%zu keys, over the %zu MiB it may hold; vacuum to settle older erasures, "
                     "then compact again", name, strlen(text), json_array_size(hashes),
                     LH_BUF_DEFAULT_MAX >> 20);
    free(text);
    json_decref(set);
    return st;
}

static bool file_exists(lh_lake *lake, const char *name, const char *rel)
{
    lh_buf key;
    lh_buf_init(&key, 4096);
    lh_catalog_table_prefix(name, &key);
    lh_buf_printf(&key, "/%s", rel);
    lh_object_info info;
    /* a key too long to build names no file */
    bool yes = !lh_buf_status(&key) &&
               lh_store_head(lh_lake_store(lake), key.data, &info, NULL) == LH_OK;
    lh_buf_release(&key);
    return yes;
}

/* Removes "stats" from the add actions of the JSON commits older than version, and the
 * checkpoints older than it. A commit is rewritten (atomically) only when it carried
 * statistics. */
static lh_status strip_stats(lh_lake *lake, const char *name, int64_t version, int64_t *stripped,
                             lh_err *err)
{
    lh_store *s = lh_lake_store(lake);
    lh_status st = LH_OK;
    for (int64_t v = 0; !st && v < version; v++) {
        lh_buf key, text, out;
        lh_buf_init(&key, 4096);
        lh_buf_init(&text, LH_BUF_DEFAULT_MAX);
        lh_buf_init(&out, LH_BUF_DEFAULT_MAX);
        lh_buf prefix;
        lh_buf_init(&prefix, 4096);
        lh_catalog_table_prefix(name, &prefix);
        lh_table_commit_key(lh_buf_cstr(&prefix), v, &key);
        st = lh_buf_status(&prefix) ? lh_buf_status(&prefix) : lh_buf_status(&key);
        lh_buf_release(&prefix);
        if (st)
            st = lh__lake_unbuilt(err, st, name, "the commit's key");
        else
            st = lh_store_get(s, key.data, LH_BUF_DEFAULT_MAX, &text, err);
        if (st == LH_ENOTFOUND)
            st = LH_OK; /* cleaned up, or a checkpoint stands for it */
        bool changed = false;
        for (size_t pos = 0; !st && pos < text.len;) {
            const char *line = text.data + pos;
            const char *nl = memchr(line, '\n', text.len - pos);
            size_t n = nl ? (size_t)(nl - line) : text.len - pos;
            pos += n + 1;
            json_t *a = n ? lh_json_loadb(line, n, 0, NULL) : NULL;
            json_t *add = json_object_get(a, "add");
            if (add && json_object_get(add, "stats")) {
                json_object_del(add, "stats");
                char *t = lh_json_dumps(a, JSON_COMPACT);
                if (!t)
                    st = LH_ENOMEM;
                lh_buf_adds(&out, t ? t : "");
                free(t);
                changed = true;
            } else if (n) {
                lh_buf_add(&out, line, n);
            }
            if (n)
                lh_buf_addc(&out, '\n');
            json_decref(a);
        }
        if (!st)
            st = lh_buf_status(&out);
        if (st == LH_ENOMEM || st == LH_ETOOBIG)
            st = lh_fail(err, st, "dataset %s: commit %lld is too large to rewrite", name,
                         (long long)v);
        if (!st && changed) {
            st = lh_store_put(s, key.data, out.data, out.len, err);
            (*stripped)++;
        }
        lh_buf_release(&key);
        lh_buf_release(&text);
        lh_buf_release(&out);
    }
    /* Checkpoints below version hold the same statistics (those files were live then). */
    if (!st) {
        lh_buf prefix;
        lh_buf_init(&prefix, 4096);
        lh_catalog_table_prefix(name, &prefix);
        st = lh_buf_status(&prefix);
        st = st ? lh__lake_unbuilt(err, st, name, "the table's key")
                : lh_table_drop_checkpoints_before(s, prefix.data, version, NULL, err);
        lh_buf_release(&prefix);
    }
    return st;
}

lh_status lh__erasures_settle(lh_lake *lake, const char *name, json_t **out, lh_err *err)
{
    json_t *set = NULL;
    lh_status st = read_set(lake, name, &set, err);
    if (st)
        return st;
    json_t *entries = json_object_get(set, "entries"), *keep = json_array();
    json_int_t settled = 0, pending_rows = 0, pending_files = 0;
    int64_t stripped = 0;
    size_t i, k;
    json_t *en, *f;
    json_array_foreach(entries, i, en) {
        json_int_t left = 0;
        json_array_foreach(json_object_get(en, "files"), k, f)
            left += file_exists(lake, name, json_string_value(f));
        if (left) {
            json_array_append(keep, en);
            pending_rows += json_integer_value(json_object_get(en, "rows"));
            pending_files += left;
            continue;
        }
        /* Every file that held the rows is gone: finish in the log, then forget. */
        if ((st = strip_stats(lake, name, json_integer_value(json_object_get(en, "version")),
                              &stripped, err)))
            break;
        settled++;
    }
    if (!st && settled) {
        json_object_set(set, "entries", keep);
        st = write_set(lake, name, set, err);
        if (!st)
            st = mirror(lake, name, set, err);
    }
    if (!st)
        *out = json_pack("{s:I, s:I, s:I, s:I}", "entries_settled", settled,
                         "erased_rows_in_old_files", pending_rows, "old_files_with_erased_rows",
                         pending_files, "commits_stripped_of_stats", (json_int_t)stripped);
    json_decref(keep);
    json_decref(set);
    return st;
}

lh_status lh__erasures_settle_check(lh_lake *lake, const char *name, lh_err *err)
{
    json_t *set = NULL;
    lh_status st = read_set(lake, name, &set, err);
    if (st)
        return st;
    json_int_t newest = -1;
    size_t i;
    json_t *en;
    json_array_foreach(json_object_get(set, "entries"), i, en)
        if (json_integer_value(json_object_get(en, "version")) > newest)
            newest = json_integer_value(json_object_get(en, "version"));
    json_decref(set);
    lh_buf prefix, key;
    lh_buf_init(&prefix, 4096);
    lh_buf_init(&key, 4096);
    lh_catalog_table_prefix(name, &prefix);
    if ((st = lh_buf_status(&prefix)))
        st = lh__lake_unbuilt(err, st, name, "the table's key");
    for (json_int_t v = 0; !st && v < newest; v++) {
        lh_buf_reset(&key);
        lh_object_info info;
        if ((st = lh_table_commit_key(prefix.data, v, &key))) {
            st = lh__lake_unbuilt(err, st, name, "the commit's key");
        } else if (!lh_store_head(lh_lake_store(lake), key.data, &info, NULL) &&
                   info.size > (int64_t)LH_BUF_DEFAULT_MAX - 1) {
            st = lh_fail(err, LH_ETOOBIG, "dataset %s: commit %lld is too large to rewrite "
                         "without its statistics (over 64 MiB), so vacuum would fail after "
                         "deleting files; nothing was deleted", name, (long long)v);
        }
    }
    lh_buf_release(&prefix);
    lh_buf_release(&key);
    return st;
}

lh_status lh__erasures_pending(lh_lake *lake, const char *name, json_t **out, lh_err *err)
{
    json_t *set = NULL;
    lh_status st = read_set(lake, name, &set, err);
    if (st)
        return st;
    json_int_t rows = 0, files = 0, oldest = 0;
    size_t i, k;
    json_t *en, *f;
    json_array_foreach(json_object_get(set, "entries"), i, en) {
        json_int_t left = 0;
        json_array_foreach(json_object_get(en, "files"), k, f)
            left += file_exists(lake, name, json_string_value(f));
        if (!left)
            continue;
        rows += json_integer_value(json_object_get(en, "rows"));
        files += left;
        json_int_t at = json_integer_value(json_object_get(en, "erased_at"));
        if (!oldest || at < oldest)
            oldest = at;
    }
    *out = json_pack("{s:I, s:I, s:I}", "erased_rows_in_old_files", rows,
                     "old_files_with_erased_rows", files, "oldest_erasure_ms", oldest);
    json_decref(set);
    return st;
}
