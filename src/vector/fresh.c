/* fresh.c: the vector indexes follow their dataset's erasures and ingests (fresh.h).
 *
 * An erasure rewrites an index table the way compaction rewrites a dataset's: COPY of the
 * rows to keep into a temp file in the table directory, a full count read back (it must
 * equal the rows kept, and no erased key may be left), fsync, rename to a data file name,
 * one Delta commit that removes every old file and adds the new one. Old files stay until
 * vacuum (lake/vacuum.c deletes them with the dataset's own code, through
 * lh_vector_table_prefixes). Then the model files of the builtin provider: BM25 is rebuilt
 * over the chunks left (in table order, as a build numbers them) and the LSA vocabulary is
 * pruned of the terms none of them uses; both files are replaced whole (atomic put), and
 * the registry entry last (chunks, rows, bm25_table_version). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/bm25.h"
#include "ai/lsa.h"
#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "engine/engine.h"
#include "storage/storage.h"
#include "table/table.h"
#include "vector/fresh.h"

#define VEC_ROOT "_vectors"
#define ENTRY_MAX (4u << 20)       /* an index.json is small; this bounds a damaged one */
#define MODEL_MAX (1024u << 20)    /* LSA at 50,000 terms x 256 dims is ~52 MB */

lh_status lh_vector_table_prefix(const char *name, lh_buf *out)
{
    lh_buf_printf(out, VEC_ROOT "/%s", name);
    return lh_buf_status(out);
}

/* ---- the registry ------------------------------------------------------------------------ */

typedef struct entry_list {
    json_t *keys;  /* "_vectors/<name>/index.json" keys */
} entry_list;

static int list_entries(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    entry_list *l = ctx;
    const char *rest = key + strlen(VEC_ROOT "/");
    const char *slash = strchr(rest, '/');
    if (slash && slash > rest && !strcmp(slash, "/index.json"))
        json_array_append_new(l->keys, json_string(key));
    return 0;
}

static lh_status entry_key(const char *name, lh_buf *key, lh_err *err)
{
    lh_buf_reset(key);
    lh_vector_table_prefix(name, key);
    lh_buf_adds(key, "/index.json");
    lh_status st = lh_buf_status(key);
    return st ? lh_fail(err, st, "index %.100s: its registry key is too long", name) : LH_OK;
}

static lh_status put_entry(lh_store *s, const char *name, const json_t *entry, lh_err *err)
{
    lh_buf key;
    lh_buf_init(&key, 1024);
    lh_status st = entry_key(name, &key, err);
    char *text = st ? NULL : lh_json_dumps(entry, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!st && !text)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st && (st = lh_store_put(s, key.data, text, strlen(text), err)))
        st = lh_fail_wrap(err, st, "index %s: its registry entry cannot be written", name);
    free(text);
    lh_buf_release(&key);
    return st;
}

static int by_name(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "name"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "name"));
    return strcmp(x ? x : "", y ? y : "");
}

lh_status lh_vector_indexes_of(lh_store *s, const char *dataset, json_t **out, lh_err *err)
{
    entry_list l = {json_array()};
    json_t *res = json_array();
    lh_status st = l.keys && res ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_store_list(s, VEC_ROOT "/", list_entries, &l, err);
    if (st == LH_ENOTFOUND)
        st = LH_OK;
    size_t i;
    json_t *k;
    json_array_foreach(st ? NULL : l.keys, i, k) {
        const char *key = json_string_value(k);
        lh_buf text;
        lh_buf_init(&text, ENTRY_MAX);
        lh_err e2 = {{0}};
        lh_status gst = lh_store_get(s, key, ENTRY_MAX, &text, &e2);
        json_t *entry = gst ? NULL : lh_json_loadb(text.data, text.len, 0, NULL);
        lh_buf_release(&text);
        if (gst == LH_ENOMEM) {
            st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
        if (!json_is_object(entry)) {
            if (gst != LH_ENOTFOUND) /* dropped meanwhile: nothing to say */
                lh_log(LH_LOG_WARN, "vector index registry %s cannot be read, skipped: %s", key,
                       gst ? e2.msg : "not a JSON object");
            json_decref(entry);
            continue;
        }
        /* the name is the directory's (an entry cannot rename itself elsewhere) */
        const char *rest = key + strlen(VEC_ROOT "/");
        json_object_set_new(entry, "name", json_stringn(rest, (size_t)(strchr(rest, '/') - rest)));
        const char *src = json_string_value(json_object_get(json_object_get(entry, "source"),
                                                            "dataset"));
        if (!dataset || (src && !strcmp(src, dataset)))
            json_array_append(res, entry);
        json_decref(entry);
    }
    json_decref(l.keys);
    if (st) {
        json_decref(res);
        return st;
    }
    /* sorted by name (the listing is sorted by key already; keep it explicit) */
    size_t n = json_array_size(res);
    json_t **items = lh_calloc(n + 1, sizeof *items);
    if (!items) {
        json_decref(res);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(res, i));
    if (n > 1)
        qsort(items, n, sizeof *items, by_name);
    json_array_clear(res);
    for (i = 0; i < n; i++)
        json_array_append_new(res, items[i]);
    free(items);
    *out = res;
    return LH_OK;
}

static const char *entry_name(const json_t *entry)
{
    return json_string_value(json_object_get(entry, "name"));
}

static bool policy_on_append(const json_t *entry)
{
    const char *r = json_string_value(json_object_get(entry, "refresh"));
    return r && !strcmp(r, "on_append");
}

lh_status lh_vector_note_ingest(lh_store *s, const char *dataset, int64_t version,
                                json_t **on_append, lh_err *err)
{
    (void)version;
    json_t *list = NULL, *due = on_append ? json_array() : NULL;
    lh_status st = on_append && !due ? lh_fail(err, LH_ENOMEM, "out of memory")
                                     : lh_vector_indexes_of(s, dataset, &list, err);
    char now[32];
    lh_format_time(lh_now_ms(), now);
    size_t i;
    json_t *entry;
    json_array_foreach(st ? NULL : list, i, entry) {
        const char *name = entry_name(entry);
        if (json_is_null(json_object_get(entry, "stale_since")) ||
            !json_object_get(entry, "stale_since")) {
            json_t *copy = json_deep_copy(entry);
            if (!copy || json_object_del(copy, "name") ||
                json_object_set_new(copy, "stale_since", json_string(now))) {
                json_decref(copy);
                st = lh_fail(err, LH_ENOMEM, "out of memory");
                break;
            }
            st = put_entry(s, name, copy, err);
            json_decref(copy);
            if (st)
                break;
        }
        if (due && policy_on_append(entry))
            json_array_append_new(due, json_string(name));
    }
    json_decref(list);
    if (st) {
        json_decref(due);
        return st;
    }
    if (on_append)
        *on_append = due;
    return LH_OK;
}

lh_status lh_vector_stale(lh_store *s, json_t **out, lh_err *err)
{
    json_t *list = NULL, *res = json_array();
    lh_status st = res ? lh_vector_indexes_of(s, NULL, &list, err)
                       : lh_fail(err, LH_ENOMEM, "out of memory");
    size_t i;
    json_t *e;
    json_array_foreach(st ? NULL : list, i, e) {
        json_t *since = json_object_get(e, "stale_since");
        if (!json_is_string(since))
            continue;
        json_t *src = json_object_get(e, "source");
        json_t *refresh = json_object_get(e, "refresh");
        json_t *tv = json_object_get(src, "table_version");
        json_t *row = json_pack("{s:O, s:O?, s:O, s:O?, s:O?}", "index", json_object_get(e, "name"),
                                "dataset", json_object_get(src, "dataset"), "stale_since", since,
                                "refresh", refresh ? refresh : json_null(),
                                "table_version", tv ? tv : json_null());
        if (!row || json_array_append_new(res, row)) {
            st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
    }
    json_decref(list);
    if (st) {
        json_decref(res);
        return st;
    }
    *out = res;
    return LH_OK;
}

lh_status lh_vector_table_prefixes(lh_store *s, const char *dataset, json_t **out, lh_err *err)
{
    json_t *list = NULL, *res = json_array();
    lh_status st = res ? lh_vector_indexes_of(s, dataset, &list, err)
                       : lh_fail(err, LH_ENOMEM, "out of memory");
    size_t i;
    json_t *e;
    json_array_foreach(st ? NULL : list, i, e) {
        lh_buf prefix;
        lh_buf_init(&prefix, 1024);
        lh_vector_table_prefix(entry_name(e), &prefix);
        int64_t v;
        lh_err ignored;
        if (lh_buf_status(&prefix))
            st = lh_fail(err, lh_buf_status(&prefix), "out of memory");
        else if (!lh_table_latest_version(s, prefix.data, &v, &ignored))
            json_array_append_new(res, json_string(prefix.data));
        lh_buf_release(&prefix);
        if (st)
            break;
    }
    json_decref(list);
    if (st) {
        json_decref(res);
        return st;
    }
    *out = res;
    return LH_OK;
}

/* ---- erasure ----------------------------------------------------------------------------- */

typedef struct erase_job {
    lh_store *s;
    lh_engine *e;
    const char *name;       /* the index */
    json_t *entry;          /* its registry entry (a copy we change) */
    lh_buf prefix, dir, from, keylist, tmp, key;
    lh_table_snapshot *snap;
    int64_t total, removed, rows_removed, version;
    size_t lsa_dropped;
    bool bm25_rebuilt;
} erase_job;

/* The erased keys as text: a DuckDB VARCHAR[] constant (from_json over the JSON text). */
static lh_status key_list(const json_t *keys, lh_buf *out)
{
    json_t *texts = json_array();
    if (!texts)
        return LH_ENOMEM;
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k) {
        char num[32];
        if (json_is_integer(k))
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(k));
        const char *t = json_is_integer(k) ? num : json_string_value(k);
        if (t && json_array_append_new(texts, json_string(t))) {
            json_decref(texts);
            return LH_ENOMEM;
        }
    }
    char *text = lh_json_dumps(texts, JSON_COMPACT);
    json_decref(texts);
    if (!text)
        return LH_ENOMEM;
    lh_buf_adds(out, "from_json(");
    lh_buf_add_sql_string(out, text);
    lh_buf_adds(out, ", '[\"VARCHAR\"]')");
    free(text);
    return lh_buf_status(out);
}

static lh_status count_of(erase_job *j, const char *sql, int64_t *n, lh_err *err)
{
    json_t *row = NULL;
    lh_status st = lh_engine_query_row(j->e, sql, &row, err);
    if (!st && lh_parse_i64(json_string_value(json_array_get(row, 0)), n))
        st = lh_fail(err, LH_EINTERNAL, "index %s: a count did not come back as a number", j->name);
    json_decref(row);
    return st;
}

/* j->from = read_parquet([every live file]) of the index table; false when it has none. */
static lh_status live_files(erase_job *j, bool *any, lh_err *err)
{
    *any = j->snap->nfiles > 0;
    lh_buf_adds(&j->from, "read_parquet([");
    for (size_t i = 0; i < j->snap->nfiles; i++) {
        lh_buf_reset(&j->key);
        lh_buf_printf(&j->key, "%s/%s", j->prefix.data, j->snap->files[i].path);
        lh_buf path;
        lh_buf_init(&path, 0);
        lh_status st = lh_buf_status(&j->key);
        if (!st)
            st = lh_store_local_path(j->s, j->key.data, &path, err);
        else
            st = lh_fail(err, st, "index %s: a data file's key is too long", j->name);
        if (!st) {
            lh_buf_adds(&j->from, i ? ", " : "");
            lh_buf_add_sql_string(&j->from, path.data);
        }
        lh_buf_release(&path);
        if (st)
            return st;
    }
    lh_buf_adds(&j->from, "])");
    lh_status st = lh_buf_status(&j->from);
    return st ? lh_fail(err, st, "index %s: the list of its files is too long", j->name) : LH_OK;
}

/* The table rewritten without the keys, committed; j->version the new version. */
static lh_status rewrite_table(erase_job *j, lh_err *err)
{
    char id[37];
    lh_uuid4(id);
    lh_status st = lh_store_local_path(j->s, j->prefix.data, &j->dir, err);
    if (!st)
        st = lh_table_temp_path(j->dir.data, id, &j->tmp) ? LH_ENOMEM : LH_OK;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "COPY (SELECT * FROM %s WHERE key IS NULL OR key NOT IN (SELECT unnest(%s))) TO ",
                  j->from.data, j->keylist.data);
    lh_buf_add_sql_string(&sql, lh_buf_cstr(&j->tmp));
    lh_buf_adds(&sql, " (FORMAT parquet, COMPRESSION snappy)");
    if (!st && lh_buf_status(&sql))
        st = lh_fail(err, LH_ENOMEM, "index %s: the rewrite's statement is too long", j->name);
    if (!st)
        st = lh_engine_exec(j->e, sql.data, err);
    lh_fault_point("vector.erase_written");
    /* read it back: every row kept, no erased key */
    int64_t rows = -1, left = -1, size = 0;
    if (!st) {
        lh_buf_reset(&sql);
        lh_buf_adds(&sql, "SELECT CAST(count(*) AS VARCHAR) FROM read_parquet(");
        lh_buf_add_sql_string(&sql, j->tmp.data);
        lh_buf_adds(&sql, ")");
        st = lh_buf_status(&sql) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                 : count_of(j, sql.data, &rows, err);
    }
    if (!st) {
        lh_buf_reset(&sql);
        lh_buf_adds(&sql, "SELECT CAST(count(*) AS VARCHAR) FROM read_parquet(");
        lh_buf_add_sql_string(&sql, j->tmp.data);
        lh_buf_printf(&sql, ") WHERE key IN (SELECT unnest(%s))", j->keylist.data);
        st = lh_buf_status(&sql) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                 : count_of(j, sql.data, &left, err);
    }
    if (!st && (rows != j->total - j->removed || left != 0))
        st = lh_fail(err, LH_ECORRUPT, "index %s: the rewritten table does not match (%lld rows "
                     "with %lld erased; expected %lld with none); nothing committed", j->name,
                     (long long)rows, (long long)left, (long long)(j->total - j->removed));
    if (!st)
        st = lh_file_stat(j->tmp.data, &size, NULL, err);
    if (!st)
        st = lh_fsync_path(j->tmp.data, err);
    /* renamed to a data file name: unreferenced until the commit (vacuum's if we die) */
    lh_buf rel;
    lh_buf_init(&rel, 0);
    lh_table_data_file_name(id, &rel);
    lh_buf_reset(&j->key);
    lh_buf_printf(&j->key, "%s/%s", j->prefix.data, lh_buf_cstr(&rel));
    if (!st && (lh_buf_status(&rel) || lh_buf_status(&j->key)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st && !(st = lh_store_put_file(j->s, j->key.data, j->tmp.data, err)))
        lh_buf_reset(&j->tmp); /* consumed by the rename */
    const char **removes = st ? NULL : lh_calloc(j->snap->nfiles + 1, sizeof *removes);
    if (!st && !removes)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < j->snap->nfiles; i++)
        removes[i] = j->snap->files[i].path;
    char stats[64];
    snprintf(stats, sizeof stats, "{\"numRecords\":%lld}", (long long)rows);
    lh_table_add add = {rel.data, size, lh_now_ms(), stats};
    json_t *params = st ? NULL : json_pack("{s:s, s:I, s:I}", "reason", "erasure",
                                           "chunks_removed", (json_int_t)j->removed,
                                           "rows_removed", (json_int_t)j->rows_removed);
    if (!st && !params)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    lh_table_commit_spec spec = {
        .table_id = j->snap->table_id,
        .adds = &add,
        .nadds = 1,
        .removes = removes,
        .nremoves = j->snap->nfiles,
        .operation = "DELETE",
        .operation_parameters = params,
    };
    lh_fault_point("vector.erase_before_commit");
    if (!st)
        st = lh_table_commit(j->s, j->prefix.data, j->snap->version, &spec, &j->version, err);
    if (st && j->tmp.len)
        lh_file_remove(j->tmp.data, NULL);
    json_decref(params);
    free(removes);
    lh_buf_release(&rel);
    lh_buf_release(&sql);
    return st;
}

static lh_status get_model(erase_job *j, const char *rel, lh_buf *out, lh_err *err)
{
    lh_buf_reset(&j->key);
    lh_buf_printf(&j->key, "%s/%s", j->prefix.data, rel);
    if (lh_buf_status(&j->key))
        return lh_fail(err, LH_EINVAL, "index %s: a model file's key is too long", j->name);
    lh_status st = lh_store_check_key(j->key.data, err);
    return st ? st : lh_store_get(j->s, j->key.data, MODEL_MAX, out, err);
}

static lh_status put_model(erase_job *j, const char *rel, const lh_buf *data, lh_err *err)
{
    lh_buf_reset(&j->key);
    lh_buf_printf(&j->key, "%s/%s", j->prefix.data, rel);
    if (lh_buf_status(&j->key))
        return lh_fail(err, LH_EINVAL, "index %s: a model file's key is too long", j->name);
    return lh_store_put(j->s, j->key.data, data->data, data->len, err);
}

/* The builtin model's files over the chunks left (see the file's comment). */
static lh_status refit_models(erase_job *j, lh_err *err)
{
    json_t *files = json_object_get(j->entry, "files");
    const char *lsa_rel = json_string_value(json_object_get(files, "lsa"));
    const char *bm25_rel = json_string_value(json_object_get(files, "bm25"));
    if (!lsa_rel && !bm25_rel)
        return LH_OK;
    /* the chunks left, in table order */
    json_t *rows = NULL;
    lh_buf sql, path;
    lh_buf_init(&sql, 0);
    lh_buf_init(&path, 0);
    /* j->key: the new data file's key (rewrite_table) */
    lh_status st = lh_store_local_path(j->s, j->key.data, &path, err);
    lh_buf_adds(&sql, "SELECT chunk_text FROM read_parquet(");
    lh_buf_add_sql_string(&sql, lh_buf_cstr(&path));
    lh_buf_adds(&sql, ")");
    lh_buf_release(&path);
    if (!st && lh_buf_status(&sql))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_engine_query_rows(j->e, sql.data, (size_t)(j->total - j->removed) + 1, &rows, err);
    lh_buf_release(&sql);
    size_t n = json_array_size(rows);
    const char **texts = st ? NULL : lh_calloc(n + 1, sizeof *texts);
    size_t *lens = st ? NULL : lh_calloc(n + 1, sizeof *lens);
    if (!st && (!texts || !lens))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        json_t *t = json_array_get(json_array_get(rows, i), 0);
        texts[i] = json_is_string(t) ? json_string_value(t) : "";
        lens[i] = json_is_string(t) ? json_string_length(t) : 0;
    }
    lh_buf data;
    lh_buf_init(&data, MODEL_MAX);
    if (!st && bm25_rel) {
        lh_bm25 *old = NULL, *fresh = NULL;
        st = get_model(j, bm25_rel, &data, err);
        if (!st)
            st = lh_bm25_load(data.data, data.len, &old, err);
        lh_bm25_params p = old ? lh_bm25_get_params(old) : lh_bm25_defaults();
        lh_bm25_free(old);
        if (!st)
            st = lh_bm25_new(&p, &fresh, err);
        for (size_t i = 0; !st && i < n; i++)
            st = lh_bm25_add(fresh, texts[i], lens[i], err);
        lh_buf_reset(&data);
        if (!st && lh_bm25_save(fresh, &data))
            st = lh_fail(err, LH_ENOMEM, "out of memory saving the BM25 file");
        lh_bm25_free(fresh);
        if (!st)
            st = put_model(j, bm25_rel, &data, err);
        if (!st) {
            j->bm25_rebuilt = true;
            json_object_set_new(files, "bm25_table_version", json_integer(j->version));
        }
    }
    if (!st && lsa_rel) {
        lh_lsa *m = NULL;
        lh_buf_reset(&data);
        st = get_model(j, lsa_rel, &data, err);
        if (!st)
            st = lh_lsa_load(data.data, data.len, &m, err);
        if (!st)
            st = lh_lsa_prune(m, texts, lens, n, &j->lsa_dropped, err);
        lh_buf_reset(&data);
        if (!st && j->lsa_dropped && lh_lsa_save(m, &data))
            st = lh_fail(err, LH_ENOMEM, "out of memory saving the LSA file");
        if (!st && j->lsa_dropped)
            st = put_model(j, lsa_rel, &data, err);
        lh_lsa_free(m);
    }
    lh_buf_release(&data);
    free(texts);
    free(lens);
    json_decref(rows);
    if (st)
        st = lh_fail_wrap(err, st, "index %s: its model files cannot follow the erasure", j->name);
    return st;
}

static lh_status erase_one(erase_job *j, const json_t *keys, json_t *report, lh_err *err)
{
    lh_status st = lh_vector_table_prefix(j->name, &j->prefix);
    if (st)
        return lh_fail(err, st, "index %.100s: its table key is too long", j->name);
    lh_checkpoint_reader cp = lh_engine_checkpoint_reader(j->e);
    st = lh_table_snapshot_load(j->s, j->prefix.data, -1, &cp, &j->snap, err);
    if (st == LH_ENOTFOUND) /* registered, table not written yet (a build in progress) */
        return LH_OK;
    bool any = false;
    if (!st)
        st = live_files(j, &any, err);
    if (!st && any && key_list(keys, &j->keylist))
        st = lh_fail(err, LH_ENOMEM, "out of memory for the list of erased keys");
    json_t *row = NULL;
    if (!st && any) {
        lh_buf sql;
        lh_buf_init(&sql, 0);
        lh_buf_printf(&sql, "SELECT CAST(count(*) AS VARCHAR), CAST(count(*) FILTER (WHERE key "
                      "IN (SELECT unnest(%s))) AS VARCHAR), CAST(count(DISTINCT key) FILTER "
                      "(WHERE key IN (SELECT unnest(%s))) AS VARCHAR) FROM %s",
                      j->keylist.data, j->keylist.data, j->from.data);
        st = lh_buf_status(&sql) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                 : lh_engine_query_row(j->e, sql.data, &row, err);
        lh_buf_release(&sql);
        if (!st && (lh_parse_i64(json_string_value(json_array_get(row, 0)), &j->total) ||
                    lh_parse_i64(json_string_value(json_array_get(row, 1)), &j->removed) ||
                    lh_parse_i64(json_string_value(json_array_get(row, 2)), &j->rows_removed)))
            st = lh_fail(err, LH_EINTERNAL, "index %s: its counts did not come back", j->name);
        json_decref(row);
    }
    if (!st && j->removed > 0)
        st = rewrite_table(j, err);
    if (!st && j->removed > 0)
        st = refit_models(j, err);
    if (!st && j->removed > 0) {
        json_int_t chunks = json_integer_value(json_object_get(j->entry, "chunks"));
        json_int_t rows = json_integer_value(json_object_get(j->entry, "rows"));
        json_object_set_new(j->entry, "chunks", json_integer(chunks > j->removed ? chunks - j->removed : 0));
        json_object_set_new(j->entry, "rows", json_integer(rows > j->rows_removed ? rows - j->rows_removed : 0));
        json_object_del(j->entry, "name");
        st = put_entry(j->s, j->name, j->entry, err);
    }
    json_t *line = st ? NULL : json_pack("{s:s, s:I, s:I, s:I, s:b}", "index", j->name,
                                         "chunks_removed", (json_int_t)j->removed,
                                         "rows_removed", (json_int_t)j->rows_removed,
                                         "lsa_terms_dropped", (json_int_t)j->lsa_dropped,
                                         "bm25_rebuilt", j->bm25_rebuilt);
    if (line)
        json_object_set_new(line, "version", j->removed ? json_integer(j->version) : json_null());
    if (!st && (!line || json_array_append_new(report, line)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    return st;
}

lh_status lh_vector_erase(lh_store *s, lh_engine *e, const char *dataset, const json_t *keys,
                          json_t **report, lh_err *err)
{
    json_t *list = NULL, *res = json_array();
    lh_status st = res ? lh_vector_indexes_of(s, dataset, &list, err)
                       : lh_fail(err, LH_ENOMEM, "out of memory");
    size_t i;
    json_t *entry;
    json_array_foreach(st || !json_array_size(keys) ? NULL : list, i, entry) {
        erase_job j = {.s = s, .e = e, .name = entry_name(entry), .entry = entry};
        lh_buf *bufs[] = {&j.prefix, &j.dir, &j.from, &j.keylist, &j.tmp, &j.key};
        for (size_t b = 0; b < sizeof bufs / sizeof bufs[0]; b++)
            lh_buf_init(bufs[b], 0);
        st = erase_one(&j, keys, res, err);
        for (size_t b = 0; b < sizeof bufs / sizeof bufs[0]; b++)
            lh_buf_release(bufs[b]);
        lh_table_snapshot_free(j.snap);
        if (st) {
            st = lh_fail_wrap(err, st, "the erased keys stay tombstoned (hidden from search) "
                              "and the next compaction tries again");
            break;
        }
    }
    json_decref(list);
    if (st) {
        json_decref(res);
        return st;
    }
    *report = res;
    return LH_OK;
}
