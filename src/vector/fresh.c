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
#include "vector/fresh_int.h"
#include "vector/index.h"

#define MODEL_MAX (1024u << 20)    /* LSA at 50,000 terms x 256 dims is ~52 MB */

lh_status lh_vector_table_prefix(const char *name, lh_buf *out)
{
    return lh_vec_index_prefix(name, out);
}

/* ---- the registry (vector/index.h owns its layout and reading) -------------------------- */

static lh_status put_entry(lh_store *s, const char *name, const json_t *entry, lh_err *err)
{
    lh_buf key;
    lh_buf_init(&key, 1024);
    lh_status st = lh_vec_index_key(name, "index.json", &key)
                       ? lh_fail(err, LH_ENOMEM, "index %.100s: its registry key is too long", name)
                       : LH_OK;
    char *text = st ? NULL : lh_json_dumps(entry, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!st && !text)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st && (st = lh_store_put(s, key.data, text, strlen(text), err)))
        st = lh_fail_wrap(err, st, "index %s: its registry entry cannot be written", name);
    free(text);
    lh_buf_release(&key);
    return st;
}

lh_status lh_vector_indexes_of(lh_store *s, const char *dataset, json_t **out, lh_err *err)
{
    return lh_vec_registry_list(s, dataset, NULL, out, err);
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

lh_status lh_vector_on_append(lh_store *s, const char *dataset, json_t **names, lh_err *err)
{
    json_t *list = NULL, *due = json_array();
    lh_status st = due ? lh_vector_indexes_of(s, dataset, &list, err)
                       : lh_fail(err, LH_ENOMEM, "out of memory");
    size_t i;
    json_t *entry;
    json_array_foreach(st ? NULL : list, i, entry) {
        if (policy_on_append(entry) && json_array_append_new(due, json_string(entry_name(entry)))) {
            st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
    }
    json_decref(list);
    if (st) {
        json_decref(due);
        return st;
    }
    *names = due;
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

lh_status lh_vector_check_refresh(const json_t *policy, lh_err *err)
{
    const char *p = json_string_value(policy);
    if (p && (!strcmp(p, "manual") || !strcmp(p, "on_append")))
        return LH_OK;
    json_t *every = json_object_get(policy, "every_seconds");
    if (json_is_object(policy) && json_object_size(policy) == 1 && json_is_integer(every) &&
        json_integer_value(every) >= 1 && json_integer_value(every) <= 31536000)
        return LH_OK;
    return lh_fail(err, LH_EINVAL, "refresh must be \"manual\", \"on_append\" or "
                   "{\"every_seconds\": N} with N from 1 to 31536000");
}

lh_status lh_vector_set_refresh(lh_store *s, const char *name, const json_t *policy,
                                json_t **entry, lh_err *err)
{
    json_t *found = NULL;
    lh_status st = lh_vector_check_refresh(policy, err);
    if (!st)
        st = lh_vec_registry_get(s, name, &found, err);
    if (!st) {
        json_t *copy = json_deep_copy(policy);
        if (!copy || json_object_set_new(found, "refresh", copy))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    }
    if (!st)
        st = put_entry(s, name, found, err);
    if (!st)
        *entry = json_incref(found);
    json_decref(found);
    return st;
}

/* ---- shared with refresh.c (fresh_int.h) ------------------------------------------------ */

lh_status lh__vec_entry_put(lh_store *s, const char *name, const json_t *entry, lh_err *err)
{
    return put_entry(s, name, entry, err);
}

lh_status lh__vec_files_select(lh_store *s, const char *prefix, const lh_table_snapshot *snap,
                               const json_t *only, lh_buf *out, lh_err *err)
{
    lh_buf_adds(out, "read_parquet([");
    size_t n = only ? json_array_size(only) : snap->nfiles, listed = 0;
    lh_status st = LH_OK;
    for (size_t i = 0; !st && i < n; i++) {
        const char *rel = only ? json_string_value(json_array_get(only, i)) : snap->files[i].path;
        lh_buf key, path;
        lh_buf_init(&key, 0);
        lh_buf_init(&path, 0);
        lh_buf_printf(&key, "%s/%s", prefix, rel ? rel : "");
        st = lh_buf_status(&key) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                 : lh_store_local_path(s, key.data, &path, err);
        if (!st) {
            lh_buf_adds(out, listed++ ? ", " : "");
            lh_buf_add_sql_string(out, path.data);
        }
        lh_buf_release(&key);
        lh_buf_release(&path);
    }
    lh_buf_adds(out, "])");
    if (!st && lh_buf_status(out))
        st = lh_fail(err, LH_ENOMEM, "the list of an index's files is too long");
    return st;
}

/* The keys as a DuckDB VARCHAR[] constant (from_json over the JSON text). */
static lh_status key_list(const json_t *keys, lh_buf *out)
{
    char *text = lh_json_dumps(keys, JSON_COMPACT);
    if (!text)
        return LH_ENOMEM;
    lh_buf_adds(out, "from_json(");
    lh_buf_add_sql_string(out, text);
    lh_buf_adds(out, ", '[\"VARCHAR\"]')");
    free(text);
    return lh_buf_status(out);
}

lh_status lh__vec_rewrite_without(lh_store *s, lh_engine *e, const char *name,
                                  const char *prefix, const lh_table_snapshot *snap,
                                  const json_t *keys, const char *tmp, json_t *files,
                                  int64_t *removed, int64_t *kept, int64_t *keys_removed,
                                  lh_err *err)
{
    *removed = *kept = *keys_removed = 0;
    if (!snap->nfiles || !json_array_size(keys))
        return LH_OK;
    lh_buf list, from, sql;
    lh_buf_init(&list, 0);
    lh_buf_init(&from, 0);
    lh_buf_init(&sql, 0);
    lh_status st = key_list(keys, &list) ? lh_fail(err, LH_ENOMEM, "out of memory for the keys")
                                         : lh__vec_files_select(s, prefix, snap, NULL, &from, err);
    /* which files hold a key, and how many chunks each file has and loses */
    json_t *rows = NULL;
    if (!st) {
        /* from is "read_parquet([...])": the same call with filename = true */
        lh_buf_printf(&sql, "SELECT filename, CAST(count(*) AS VARCHAR), CAST(count(*) FILTER "
                      "(WHERE key IN (SELECT unnest(%s))) AS VARCHAR) FROM %.*s, filename = true) "
                      "GROUP BY filename", list.data, (int)(from.len - 1), from.data);
        st = lh_buf_status(&sql) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                 : lh_engine_query_rows(e, sql.data, snap->nfiles + 1, &rows, err);
    }
    /* the affected files, by their path relative to the table (the snapshot's spelling) */
    json_t *hit = json_object();
    int64_t total = 0;
    size_t i;
    json_t *row;
    json_array_foreach(st ? NULL : rows, i, row) {
        int64_t n = 0, k = 0;
        lh_parse_i64(json_string_value(json_array_get(row, 1)), &n);
        lh_parse_i64(json_string_value(json_array_get(row, 2)), &k);
        if (k > 0 && hit) {
            json_object_set_new(hit, json_string_value(json_array_get(row, 0)) ?: "",
                                json_true());
            total += n;
            *removed += k;
        }
    }
    json_decref(rows);
    json_t *only = json_array();
    if (!st && (!hit || !only))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t f = 0; !st && f < snap->nfiles; f++) {
        lh_buf key, path;
        lh_buf_init(&key, 0);
        lh_buf_init(&path, 0);
        lh_buf_printf(&key, "%s/%s", prefix, snap->files[f].path);
        st = lh_buf_status(&key) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                 : lh_store_local_path(s, key.data, &path, err);
        if (!st && json_object_get(hit, path.data) &&
            (json_array_append_new(only, json_string(snap->files[f].path)) ||
             json_array_append_new(files, json_string(snap->files[f].path))))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        lh_buf_release(&key);
        lh_buf_release(&path);
    }
    json_decref(hit);
    if (!st && json_array_size(only)) {
        lh_buf_reset(&from);
        st = lh__vec_files_select(s, prefix, snap, only, &from, err);
        lh_buf_reset(&sql);
        lh_buf_printf(&sql, "COPY (SELECT * FROM %s WHERE key IS NULL OR key NOT IN (SELECT "
                      "unnest(%s))) TO ", from.data, list.data);
        lh_buf_add_sql_string(&sql, tmp);
        lh_buf_adds(&sql, " (FORMAT parquet, COMPRESSION snappy)");
        if (!st && lh_buf_status(&sql))
            st = lh_fail(err, LH_ENOMEM, "index %s: the rewrite's statement is too long", name);
        if (!st)
            st = lh_engine_exec(e, sql.data, err);
        lh_fault_point("vector.rewrite_written");
        if (!st) {
            lh_buf_reset(&sql);
            lh_buf_printf(&sql, "SELECT CAST(count(DISTINCT key) AS VARCHAR) FROM %s WHERE key IN "
                          "(SELECT unnest(%s))", from.data, list.data);
            json_t *d = NULL;
            st = lh_buf_status(&sql) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                     : lh_engine_query_row(e, sql.data, &d, err);
            if (!st)
                lh_parse_i64(json_string_value(json_array_get(d, 0)), keys_removed);
            json_decref(d);
        }
        /* read back: every row kept, no key left */
        int64_t rows_back = -1, left = -1;
        lh_buf_reset(&sql);
        lh_buf_adds(&sql, "SELECT CAST(count(*) AS VARCHAR), CAST(count(*) FILTER (WHERE key IN "
                    "(SELECT unnest(");
        lh_buf_adds(&sql, list.data);
        lh_buf_adds(&sql, "))) AS VARCHAR) FROM read_parquet(");
        lh_buf_add_sql_string(&sql, tmp);
        lh_buf_adds(&sql, ")");
        json_t *back = NULL;
        if (!st)
            st = lh_buf_status(&sql) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                     : lh_engine_query_row(e, sql.data, &back, err);
        if (!st && (lh_parse_i64(json_string_value(json_array_get(back, 0)), &rows_back) ||
                    lh_parse_i64(json_string_value(json_array_get(back, 1)), &left)))
            st = lh_fail(err, LH_EINTERNAL, "index %s: the rewrite's counts did not come back",
                         name);
        json_decref(back);
        if (!st && (rows_back != total - *removed || left != 0))
            st = lh_fail(err, LH_ECORRUPT, "index %s: the rewritten file does not match (%lld "
                         "chunks, %lld of erased keys; expected %lld and none); nothing committed",
                         name, (long long)rows_back, (long long)left,
                         (long long)(total - *removed));
        if (!st)
            st = lh_fsync_path(tmp, err);
        if (st)
            lh_file_remove(tmp, NULL);
        *kept = rows_back;
    }
    json_decref(only);
    lh_buf_release(&list);
    lh_buf_release(&from);
    lh_buf_release(&sql);
    if (st)
        json_array_clear(files);
    return st;
}

static lh_status get_model(lh_store *s, const char *prefix, const char *rel, lh_buf *out,
                           lh_err *err)
{
    lh_buf key;
    lh_buf_init(&key, 0);
    lh_buf_printf(&key, "%s/%s", prefix, rel);
    lh_status st = lh_buf_status(&key) ? lh_fail(err, LH_EINVAL, "a model file's key is too long")
                                       : lh_store_check_key(key.data, err);
    if (!st)
        st = lh_store_get(s, key.data, MODEL_MAX, out, err);
    lh_buf_release(&key);
    return st;
}

static lh_status put_model(lh_store *s, const char *prefix, const char *rel, const lh_buf *data,
                           lh_err *err)
{
    lh_buf key;
    lh_buf_init(&key, 0);
    lh_buf_printf(&key, "%s/%s", prefix, rel);
    lh_status st = lh_buf_status(&key) ? lh_fail(err, LH_EINVAL, "a model file's key is too long")
                                       : lh_store_check_key(key.data, err);
    if (!st)
        st = lh_store_put(s, key.data, data->data, data->len, err);
    lh_buf_release(&key);
    return st;
}

lh_status lh__vec_bm25_rebuild(lh_store *s, lh_engine *e, const char *name, const char *prefix,
                               int64_t version, json_t *entry, int64_t *chunks,
                               size_t *lsa_dropped, lh_err *err)
{
    json_t *files = json_object_get(entry, "files");
    const char *lsa_rel = json_string_value(json_object_get(files, "lsa"));
    const char *bm25_rel = json_string_value(json_object_get(files, "bm25"));
    if (lsa_dropped)
        *lsa_dropped = 0;
    /* every chunk of that version, in table order */
    lh_table_snapshot *snap = NULL;
    lh_checkpoint_reader cp = lh_engine_checkpoint_reader(e);
    lh_status st = lh_table_snapshot_load(s, prefix, version, &cp, &snap, err);
    lh_buf sql, from;
    lh_buf_init(&sql, 0);
    lh_buf_init(&from, 0);
    json_t *rows = NULL;
    if (!st && snap->nfiles) {
        st = lh__vec_files_select(s, prefix, snap, NULL, &from, err);
        lh_buf_printf(&sql, "SELECT chunk_text FROM %s", from.data);
        if (!st && lh_buf_status(&sql))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        if (!st)
            st = lh_engine_query_rows(e, sql.data, (size_t)1 << 28, &rows, err);
    }
    lh_table_snapshot_free(snap);
    lh_buf_release(&sql);
    lh_buf_release(&from);
    size_t n = json_array_size(rows);
    if (chunks)
        *chunks = (int64_t)n;
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
        st = get_model(s, prefix, bm25_rel, &data, err);
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
            st = put_model(s, prefix, bm25_rel, &data, err);
        if (!st)
            json_object_set_new(files, "bm25_table_version", json_integer(version));
    }
    if (!st && lsa_rel && lsa_dropped) {
        lh_lsa *m = NULL;
        lh_buf_reset(&data);
        st = get_model(s, prefix, lsa_rel, &data, err);
        if (!st)
            st = lh_lsa_load(data.data, data.len, &m, err);
        if (!st)
            st = lh_lsa_prune(m, texts, lens, n, lsa_dropped, err);
        lh_buf_reset(&data);
        if (!st && *lsa_dropped && lh_lsa_save(m, &data))
            st = lh_fail(err, LH_ENOMEM, "out of memory saving the LSA file");
        if (!st && *lsa_dropped)
            st = put_model(s, prefix, lsa_rel, &data, err);
        lh_lsa_free(m);
    }
    lh_buf_release(&data);
    free(texts);
    free(lens);
    json_decref(rows);
    if (st)
        st = lh_fail_wrap(err, st, "index %s: its model files", name);
    return st;
}

/* ---- erasure ----------------------------------------------------------------------------- */

/* The keys as text (integers as their decimal digits: index tables hold text keys). */
static json_t *keys_as_text(const json_t *keys)
{
    json_t *texts = json_array();
    size_t i;
    json_t *k;
    json_array_foreach(texts ? keys : NULL, i, k) {
        char num[32];
        if (json_is_integer(k))
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(k));
        const char *t = json_is_integer(k) ? num : json_string_value(k);
        if (t && json_array_append_new(texts, json_string(t))) {
            json_decref(texts);
            return NULL;
        }
    }
    return texts;
}

/* One index: its files without the keys (one commit), its model files, its entry. */
static lh_status erase_one(lh_store *s, lh_engine *e, json_t *entry, const json_t *keys,
                           json_t *report, lh_err *err)
{
    const char *name = entry_name(entry);
    lh_buf prefix, dir, tmp, rel, key;
    lh_buf *bufs[] = {&prefix, &dir, &tmp, &rel, &key};
    for (size_t b = 0; b < sizeof bufs / sizeof bufs[0]; b++)
        lh_buf_init(bufs[b], 0);
    lh_table_snapshot *snap = NULL;
    json_t *files = json_array();
    int64_t removed = 0, kept = 0, version = -1, chunks = 0, keys_removed = 0;
    size_t dropped = 0;
    lh_status st = lh_vector_table_prefix(name, &prefix) || !files
                       ? lh_fail(err, LH_ENOMEM, "out of memory") : LH_OK;
    lh_checkpoint_reader cp = lh_engine_checkpoint_reader(e);
    if (!st)
        st = lh_table_snapshot_load(s, prefix.data, -1, &cp, &snap, err);
    bool skip = st == LH_ENOTFOUND; /* registered, no table yet: nothing to erase */
    if (skip)
        st = LH_OK;
    char id[64], uuid[37];
    lh_uuid4(uuid);
    if (!st && !skip) {
        snprintf(id, sizeof id, "v%08lld-e-%s", (long long)(snap->version + 1), uuid);
        st = lh_store_local_path(s, prefix.data, &dir, err);
        if (!st && (lh_table_temp_path(dir.data, id, &tmp) || lh_table_data_file_name(id, &rel)))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        if (!st)
            st = lh__vec_rewrite_without(s, e, name, prefix.data, snap, keys, tmp.data, files,
                                         &removed, &kept, &keys_removed, err);
    }
    int64_t size = 0;
    bool add = kept > 0;
    if (!st && removed && add) {
        st = lh_file_stat(tmp.data, &size, NULL, err);
        lh_buf_printf(&key, "%s/%s", prefix.data, rel.data);
        if (!st && lh_buf_status(&key))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        /* renamed to a data file name: unreferenced until the commit (vacuum's if we die) */
        if (!st && !(st = lh_store_put_file(s, key.data, tmp.data, err)))
            lh_buf_reset(&tmp);
    }
    if (!st && removed) {
        size_t nrm = json_array_size(files);
        const char **removes = lh_calloc(nrm + 1, sizeof *removes);
        for (size_t i = 0; removes && i < nrm; i++)
            removes[i] = json_string_value(json_array_get(files, i));
        char stats[64];
        snprintf(stats, sizeof stats, "{\"numRecords\":%lld}", (long long)kept);
        lh_table_add a = {rel.data, size, lh_now_ms(), stats};
        json_t *params = json_pack("{s:s, s:I}", "reason", "erasure", "chunks_removed",
                                   (json_int_t)removed);
        lh_table_commit_spec spec = {.table_id = snap->table_id, .adds = &a, .nadds = add ? 1 : 0,
                                     .removes = removes, .nremoves = nrm, .operation = "DELETE",
                                     .operation_parameters = params};
        if (!removes || !params)
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        lh_fault_point("vector.erase_before_commit");
        if (!st)
            st = lh_table_commit(s, prefix.data, snap->version, &spec, &version, err);
        json_decref(params);
        free(removes);
    }
    if (tmp.len)
        lh_file_remove(tmp.data, NULL);
    /* the model files and the entry follow the table */
    if (!st && removed)
        st = lh__vec_bm25_rebuild(s, e, name, prefix.data, version, entry, &chunks, &dropped, err);
    if (!st && removed) {
        json_int_t rows = json_integer_value(json_object_get(entry, "rows")) - keys_removed;
        json_object_set_new(entry, "chunks", json_integer(chunks));
        json_object_set_new(entry, "table_version", json_integer(version));
        json_object_set_new(entry, "rows", json_integer(rows > 0 ? rows : 0));
        st = put_entry(s, name, entry, err);
    }
    json_t *line = st ? NULL : json_pack("{s:s, s:I, s:I, s:I, s:I, s:b}", "index", name,
                                         "chunks_removed", (json_int_t)removed,
                                         "keys_removed", (json_int_t)keys_removed,
                                         "old_files_until_vacuum",
                                         (json_int_t)(removed ? json_array_size(files) : 0),
                                         "lsa_terms_dropped", (json_int_t)dropped,
                                         "bm25_rebuilt", removed > 0);
    if (line)
        json_object_set_new(line, "version", removed ? json_integer(version) : json_null());
    if (!st && (!line || json_array_append_new(report, line)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    json_decref(files);
    lh_table_snapshot_free(snap);
    for (size_t b = 0; b < sizeof bufs / sizeof bufs[0]; b++)
        lh_buf_release(bufs[b]);
    return st;
}

lh_status lh_vector_erase(lh_store *s, lh_engine *e, const char *dataset, const json_t *keys,
                          json_t **report, lh_err *err)
{
    json_t *list = NULL, *res = json_array(), *texts = keys_as_text(keys);
    lh_status st = res && texts ? lh_vector_indexes_of(s, dataset, &list, err)
                                : lh_fail(err, LH_ENOMEM, "out of memory");
    size_t i;
    json_t *entry;
    json_array_foreach(st || !json_array_size(texts) ? NULL : list, i, entry) {
        st = erase_one(s, e, entry, texts, res, err);
        if (st) {
            st = lh_fail_wrap(err, st, "the erased keys stay tombstoned (hidden from search) "
                              "and the next compaction tries again");
            break;
        }
    }
    json_decref(list);
    json_decref(texts);
    if (st) {
        json_decref(res);
        return st;
    }
    *report = res;
    return LH_OK;
}
