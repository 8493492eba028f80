/* refresh.c: an index brought up to its source's latest version (fresh.h,
 * lh_vec_refresh), embedding only what changed:
 *   1. the index's rows by key: the signature of each key is its chunks' "ordinal:hash"
 *      pairs in order (one GROUP BY over the index table);
 *   2. the source now, read like a build reads it (ORDER BY key, text; tombstones applied),
 *      each row chunked with the index's chunker settings, nothing embedded: the same
 *      signatures; the two sides go to lh_vec_diff_compute;
 *   3. the rows to embed (new or changed) read again, chunked and embedded with the index's
 *      stored model (model/lsa.bin: not refitted) into one new Parquet file; the live files
 *      that hold a key to drop (changed or gone) rewritten without it into one file (COPY:
 *      every other row's vector keeps its bytes); one Delta commit removes those files and
 *      adds the two;
 *   4. BM25 rebuilt over every chunk in table order (its document numbers are the chunk
 *      numbers, index.h), then the registry entry: counts, source table_version,
 *      last_embedded_at, stale_since null.
 * Nothing changed: no commit, the entry only loses stale_since. The caller holds the lake's
 * write lock (no ingest, compaction or other refresh meanwhile). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ai.h"
#include "ai/bm25.h"
#include "ai/lsa.h"
#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "engine/engine.h"
#include "storage/storage.h"
#include "table/table.h"
#include "vector/diff.h"
#include "vector/fresh.h"
#include "vector/fresh_int.h"
#include "vector/index_int.h"

/* One chunk to embed. */
typedef lh__vec_keyed todo;

typedef struct refresh {
    const lh_vec_env *env;
    const char *name;
    json_t *entry;
    const char *dataset, *key_column, *text_column;
    lh_chunk_opts chunk;
    int64_t version;          /* the source's, read */
    lh_buf prefix;
    lh_table_snapshot *snap;
    lh_chunk_list chunks;     /* scratch */
    /* pass 1: the source's signatures, one per key with chunks */
    lh_vec_rowsig *cur;
    size_t ncur, capcur;
    char *acc_key;            /* the key being accumulated (rows of one key are adjacent) */
    char **pairs;             /* its "ordinal:hash" pairs */
    size_t npairs, cappairs;
    int64_t rows_with_text;
    /* pass 2 */
    json_t *embed_keys;       /* object used as a set */
    todo *todo;
    size_t ntodo, captodo;
    bool second;
} refresh;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The accumulated key's signature into cur (none when it had no chunk). */
static lh_status close_key(refresh *r, lh_err *err)
{
    if (!r->acc_key)
        return LH_OK;
    lh_status st = LH_OK;
    if (r->npairs) {
        qsort(r->pairs, r->npairs, sizeof *r->pairs, cmp_str);
        lh_buf sig;
        lh_buf_init(&sig, 0);
        for (size_t i = 0; i < r->npairs; i++) {
            lh_buf_adds(&sig, i ? "," : "");
            lh_buf_adds(&sig, r->pairs[i]);
        }
        if (lh_buf_status(&sig) ||
            lh_grow(&r->cur, &r->capcur, r->ncur + 1, sizeof *r->cur)) {
            lh_buf_release(&sig);
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        } else {
            r->cur[r->ncur].key = r->acc_key;
            r->cur[r->ncur].sig = lh_buf_detach(&sig);
            r->ncur++;
            r->acc_key = NULL;
        }
    }
    for (size_t i = 0; i < r->npairs; i++)
        free(r->pairs[i]);
    r->npairs = 0;
    free(r->acc_key);
    r->acc_key = NULL;
    return st;
}

static lh_status chunk_row(refresh *r, const char *key, size_t klen, const char *text,
                           size_t tlen, lh_err *err)
{
    char k[97];
    if (klen > 96)
        return lh_fail(err, LH_EINVAL, "a key of column '%s' is over 96 bytes: keys that long "
                       "cannot be indexed", r->key_column);
    memcpy(k, key, klen);
    k[klen] = '\0';
    return lh_chunk_text(&r->chunk, k, text, tlen, &r->chunks, err);
}

static lh_status sig_row(refresh *r, const char *key, size_t klen, const char *text, size_t tlen,
                         lh_err *err)
{
    if (!key || !text)
        return LH_OK;
    r->rows_with_text++;
    lh_status st = LH_OK;
    if (!r->acc_key || strlen(r->acc_key) != klen || memcmp(r->acc_key, key, klen)) {
        if ((st = close_key(r, err)))
            return st;
        if (!(r->acc_key = lh_strndup(key, klen)))
            return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    if ((st = chunk_row(r, key, klen, text, tlen, err)))
        return st;
    for (size_t i = 0; i < r->chunks.n; i++) {
        char pair[16 + 65];
        snprintf(pair, sizeof pair, "%010u:%s", (unsigned)r->chunks.items[i].ordinal,
                 r->chunks.items[i].content_hash);
        char *p = lh_strdup(pair);
        if (!p || lh_grow(&r->pairs, &r->cappairs, r->npairs + 1, sizeof *r->pairs)) {
            free(p);
            return lh_fail(err, LH_ENOMEM, "out of memory");
        }
        r->pairs[r->npairs++] = p;
    }
    return LH_OK;
}

static lh_status todo_row(refresh *r, const char *key, size_t klen, const char *text, size_t tlen,
                          lh_err *err)
{
    if (!key || !text)
        return LH_OK;
    char k[97];
    snprintf(k, sizeof k, "%.*s", (int)(klen > 96 ? 96 : klen), key);
    if (klen > 96 || !json_object_get(r->embed_keys, k))
        return LH_OK;
    lh_status st = chunk_row(r, key, klen, text, tlen, err);
    for (size_t i = 0; !st && i < r->chunks.n; i++) {
        if (lh_grow(&r->todo, &r->captodo, r->ntodo + 1, sizeof *r->todo))
            return lh_fail(err, LH_ENOMEM, "out of memory");
        todo *t = &r->todo[r->ntodo];
        if (!(t->key = lh_strndup(key, klen)))
            return lh_fail(err, LH_ENOMEM, "out of memory");
        t->key_len = klen;
        t->c = r->chunks.items[i];
        r->chunks.items[i].text = NULL; /* moved */
        r->ntodo++;
    }
    return st;
}

typedef struct scan_ctx {
    refresh *r;
} scan_ctx;

static lh_status on_row(void *ctx, const char *const *cells, const size_t *lens, lh_err *err)
{
    refresh *r = ctx;
    const char *k = cells[0], *t = cells[1];
    size_t kl = k ? lens[0] : 0, tl = t ? lens[1] : 0;
    return r->second ? todo_row(r, k, kl, t, tl, err) : sig_row(r, k, kl, t, tl, err);
}

/* Streams the source (as a build reads it) into on_row. */
static lh_status scan_source(refresh *r, lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT CAST(__lh_k AS VARCHAR), __lh_t FROM (SELECT ");
    lh_buf_add_sql_ident(&sql, r->key_column);
    lh_buf_adds(&sql, " AS __lh_k, ");
    lh_buf_add_sql_ident(&sql, r->text_column);
    lh_buf_adds(&sql, " AS __lh_t FROM ");
    lh_buf_add_sql_ident(&sql, r->dataset);
    lh_buf_adds(&sql, ") ORDER BY __lh_k, __lh_t");
    lh_query *q = NULL;
    lh_status st = lh_buf_status(&sql) ? lh_fail(err, LH_ENOMEM, "the source query is too long")
                                       : r->env->open_source(r->env->ctx, sql.data, r->dataset,
                                                             r->version, &q, err);
    lh_buf_release(&sql);
    lh_result_sink sink = {NULL, on_row, NULL, r};
    bool done = false;
    while (!st && !done)
        st = lh_query_next(q, &sink, &done, err);
    if (q)
        lh_query_close(q);
    if (!st && !r->second)
        st = close_key(r, err);
    return st;
}

/* The index's signatures by key (rows: [key, sig] arrays; caller owns). */
static lh_status old_sigs(refresh *r, const char *from, json_t **rows, lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "SELECT key, string_agg(lpad(CAST(ordinal AS VARCHAR), 10, '0') || ':' "
                  "|| content_hash, ',' ORDER BY lpad(CAST(ordinal AS VARCHAR), 10, '0') || ':' "
                  "|| content_hash) FROM %s WHERE key IS NOT NULL GROUP BY key", from);
    lh_status st = lh_buf_status(&sql) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                       : lh_engine_query_rows(r->env->engine, sql.data,
                                                              (size_t)1 << 28, rows, err);
    lh_buf_release(&sql);
    return st;
}

/* Embeds the todo chunks and writes them as one Parquet file at tmp. */
static lh_status write_new(refresh *r, const char *tmp, lh_err *err)
{
    size_t n = r->ntodo;
    json_t *model = json_object_get(r->entry, "model");
    size_t dims = (size_t)json_integer_value(json_object_get(model, "dims"));
    lh_buf data;
    lh_buf_init(&data, (size_t)1 << 31);
    lh_lsa *lsa = NULL;
    lh_bm25 *empty = NULL;
    lh_ai *ai = NULL;
    lh_bm25_params bp = lh_bm25_defaults();
    /* a network provider's index: the configured provider embeds (checked in prepare) */
    bool network = strcmp(json_string_value(json_object_get(model, "provider")), "builtin");
    lh_status st = network ? LH_OK
                 : lh_vec_model_read(r->env->store, r->name, "model/lsa.bin", &data, err);
    if (!st && !network)
        st = lh_lsa_load(data.data, data.len, &lsa, err);
    lh_buf_release(&data);
    if (network)
        ai = r->env->network;
    else if (!st && lh_lsa_dims(lsa) != dims)
        st = lh_fail(err, LH_ECORRUPT, "index %s: its model has %zu dimensions and its entry "
                     "says %zu", r->name, lh_lsa_dims(lsa), dims);
    if (!st)
        st = lh_bm25_new(&bp, &empty, err);
    if (!st && !network) {
        st = lh_ai_builtin_new(lsa, empty, lh_ai_builtin_default_weight(), &ai, err);
        lsa = NULL;
        empty = NULL;
    }
    const char **texts = lh_calloc(n + 1, sizeof *texts);
    size_t *tlens = lh_calloc(n + 1, sizeof *tlens);
    float *vecs = lh_calloc((n + 1) * (dims ? dims : 1), sizeof *vecs);
    if (!st && (!texts || !tlens || !vecs))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        texts[i] = r->todo[i].c.text;
        tlens[i] = r->todo[i].c.end - r->todo[i].c.start;
    }
    /* in slices, so that one provider call stays bounded */
    for (size_t i = 0; !st && i < n; i += 256) {
        size_t m = n - i < 256 ? n - i : 256;
        st = lh_ai_embed(ai, texts + i, tlens + i, m, vecs + i * dims, err);
    }
    if (!st && network)
        lh__vec_normalise_rows(vecs, n, dims);
    if (!st)
        st = lh__vec_write_chunk_file(r->env->engine, tmp, r->todo, n, dims, vecs, err);
    if (!network)
        lh_ai_free(ai);
    lh_lsa_free(lsa);
    lh_bm25_free(empty);
    free(texts), free(tlens), free(vecs);
    return st;
}

static void refresh_release(refresh *r)
{
    for (size_t i = 0; i < r->ncur; i++) {
        free((char *)r->cur[i].key);
        free((char *)r->cur[i].sig);
    }
    free(r->cur);
    for (size_t i = 0; i < r->npairs; i++)
        free(r->pairs[i]);
    free(r->pairs);
    free(r->acc_key);
    for (size_t i = 0; i < r->ntodo; i++) {
        free(r->todo[i].key);
        free(r->todo[i].c.text);
    }
    free(r->todo);
    json_decref(r->embed_keys);
    lh_chunk_list_release(&r->chunks);
    lh_table_snapshot_free(r->snap);
    lh_buf_release(&r->prefix);
}

static lh_status spec_of(refresh *r, lh_err *err)
{
    json_t *src = json_object_get(r->entry, "source");
    json_t *ch = json_object_get(r->entry, "chunker");
    json_t *model = json_object_get(r->entry, "model");
    r->dataset = json_string_value(json_object_get(src, "dataset"));
    r->key_column = json_string_value(json_object_get(src, "key_column"));
    r->text_column = json_string_value(json_object_get(src, "text_column"));
    const char *unit = json_string_value(json_object_get(ch, "unit"));
    const char *provider = json_string_value(json_object_get(model, "provider"));
    r->chunk = lh_chunk_defaults();
    r->chunk.unit = unit && !strcmp(unit, "tokens") ? LH_CHUNK_TOKENS : LH_CHUNK_CHARS;
    r->chunk.size = (uint32_t)json_integer_value(json_object_get(ch, "size"));
    r->chunk.overlap = (uint32_t)json_integer_value(json_object_get(ch, "overlap"));
    if (!r->dataset || !r->key_column || !r->text_column)
        return lh_fail(err, LH_ECORRUPT, "the registry entry of vector index '%s' lacks its "
                       "source", r->name);
    /* a network provider's index embeds through that provider, configured now with the
     * model it was built with (another model's vectors would not compare with its own) */
    const char *mname = json_string_value(json_object_get(model, "name"));
    if (!provider)
        return lh_fail(err, LH_ECORRUPT, "the registry entry of vector index '%s' lacks its "
                       "model provider", r->name);
    if (strcmp(provider, "builtin") &&
        (!r->env->network || strcmp(lh_ai_name(r->env->network), provider) ||
         strcmp(mname ? mname : "", r->env->network_model ? r->env->network_model : "")))
        return lh_fail(err, LH_EUNSUPPORTED, "index '%s' was built with provider %s, model '%s': "
                       "configure that provider and model in [ai] to refresh it", r->name,
                       provider, mname ? mname : "?");
    return lh_chunk_check(&r->chunk, err);
}

lh_status lh_vec_refresh(const lh_vec_env *env, const char *name, const char *actor,
                         json_t **report, lh_err *err)
{
    refresh r = {.env = env, .name = name};
    lh_buf_init(&r.prefix, 0);
    lh_buf from, tmp_new, tmp_rw, key_new, key_rw, rel_new, rel_rw, dir, drop_list;
    lh_buf *bufs[] = {&from, &tmp_new, &tmp_rw, &key_new, &key_rw, &rel_new, &rel_rw, &dir,
                      &drop_list};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lh_buf_init(bufs[i], 0);
    json_t *old = NULL, *drop_keys = json_array(), *files = json_array(), *out = NULL;
    lh_vec_diff d = {0};
    lh_status st = lh_vec_registry_get(env->store, name, &r.entry, err);
    if (!st)
        st = spec_of(&r, err);
    json_t *m = st ? NULL : lh_catalog_get(env->catalog, r.dataset);
    if (!st && !m)
        st = lh_fail(err, LH_ENOTFOUND, "index '%s': its source dataset '%s' is gone", name,
                     r.dataset);
    r.version = json_integer_value(json_object_get(m, "table_version")); /* m is borrowed */
    if (!st && (lh_vec_index_prefix(name, &r.prefix) || !drop_keys || !files))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    lh_checkpoint_reader cp = lh_engine_checkpoint_reader(env->engine);
    if (!st)
        st = lh_table_snapshot_load(env->store, r.prefix.data, -1, &cp, &r.snap, err);
    if (!st && r.snap->nfiles)
        st = lh__vec_files_select(env->store, r.prefix.data, r.snap, NULL, &from, err);
    if (!st && r.snap->nfiles)
        st = old_sigs(&r, from.data, &old, err);
    /* pass 1 and the diff */
    if (!st)
        st = scan_source(&r, err);
    size_t nold = json_array_size(old);
    lh_vec_rowsig *olds = st ? NULL : lh_calloc(nold + 1, sizeof *olds);
    if (!st && !olds)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < nold; i++) {
        json_t *row = json_array_get(old, i);
        olds[i].key = json_string_value(json_array_get(row, 0));
        olds[i].sig = json_string_value(json_array_get(row, 1)) ?: "";
    }
    if (!st)
        st = lh_vec_diff_compute(olds, nold, r.cur, r.ncur, &d, err);
    r.embed_keys = json_object();
    if (!st && !r.embed_keys)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < d.nembed; i++)
        if (json_object_set_new(r.embed_keys, r.cur[d.embed[i]].key, json_true()))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < d.ndrop; i++)
        if (json_array_append_new(drop_keys, json_string(olds[d.drop[i]].key)))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    /* pass 2: the chunks to embed */
    if (!st && d.nembed) {
        r.second = true;
        st = scan_source(&r, err);
    }
    int64_t new_version = r.snap ? r.snap->version : -1, chunks_removed = 0, rows_kept = 0;
    int64_t keys_dropped = 0;
    bool commit = !st && (d.nembed || d.ndrop);
    char id[64], uuid[37];
    if (commit) {
        lh_uuid4(uuid);
        st = lh_store_local_path(env->store, r.prefix.data, &dir, err);
    }
    /* the new chunks' file */
    int64_t size_new = 0, size_rw = 0;
    if (commit && !st && r.ntodo) {
        snprintf(id, sizeof id, "v%08lld-%s", (long long)(r.snap->version + 1), uuid);
        if (lh_table_data_file_name(id, &rel_new) || lh_table_temp_path(dir.data, id, &tmp_new))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        if (!st)
            st = write_new(&r, tmp_new.data, err);
        if (!st)
            st = lh_file_stat(tmp_new.data, &size_new, NULL, err);
    }
    /* the files holding keys to drop, rewritten without them */
    if (commit && !st && d.ndrop) {
        snprintf(id, sizeof id, "v%08lld-r-%s", (long long)(r.snap->version + 1), uuid);
        if (lh_table_data_file_name(id, &rel_rw) || lh_table_temp_path(dir.data, id, &tmp_rw))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        if (!st)
            st = lh__vec_rewrite_without(env->store, env->engine, name, r.prefix.data, r.snap,
                                         drop_keys, tmp_rw.data, files, &chunks_removed,
                                         &rows_kept, &keys_dropped, err);
        if (!st && !json_array_size(files))
            lh_buf_reset(&rel_rw); /* no live file held them (cannot happen: they came from it) */
        if (!st && rel_rw.len)
            st = lh_file_stat(tmp_rw.data, &size_rw, NULL, err);
    }
    /* into place, then one commit */
    if (commit && !st && rel_new.len) {
        lh_buf_printf(&key_new, "%s/%s", r.prefix.data, rel_new.data);
        st = lh_buf_status(&key_new) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                     : lh_store_put_file(env->store, key_new.data, tmp_new.data, err);
        if (!st)
            lh_buf_reset(&tmp_new);
    }
    if (commit && !st && rel_rw.len && rows_kept > 0) {
        lh_buf_printf(&key_rw, "%s/%s", r.prefix.data, rel_rw.data);
        st = lh_buf_status(&key_rw) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                    : lh_store_put_file(env->store, key_rw.data, tmp_rw.data, err);
        if (!st)
            lh_buf_reset(&tmp_rw);
    }
    if (commit && !st) {
        size_t nrm = json_array_size(files);
        const char **removes = lh_calloc(nrm + 1, sizeof *removes);
        lh_table_add adds[2];
        size_t nadds = 0;
        char stats_new[64], stats_rw[64];
        int64_t now = lh_now_ms();
        snprintf(stats_new, sizeof stats_new, "{\"numRecords\":%zu}", r.ntodo);
        snprintf(stats_rw, sizeof stats_rw, "{\"numRecords\":%lld}", (long long)rows_kept);
        if (key_rw.len)
            adds[nadds++] = (lh_table_add){rel_rw.data, size_rw, now, stats_rw};
        if (key_new.len)
            adds[nadds++] = (lh_table_add){rel_new.data, size_new, now, stats_new};
        for (size_t i = 0; removes && i < nrm; i++)
            removes[i] = json_string_value(json_array_get(files, i));
        json_t *params = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "mode", "refresh", "source",
                                   r.dataset, "source_version", (json_int_t)r.version,
                                   "rows_embedded", (json_int_t)d.nembed, "chunks_embedded",
                                   (json_int_t)r.ntodo, "chunks_removed",
                                   (json_int_t)chunks_removed);
        lh_table_commit_spec spec = {.table_id = r.snap->table_id, .adds = adds, .nadds = nadds,
                                     .removes = removes, .nremoves = nrm, .operation = "WRITE",
                                     .operation_parameters = params};
        if (!removes || !params)
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        lh_fault_point("vector.refresh_before_commit");
        if (!st)
            st = lh_table_commit(env->store, r.prefix.data, r.snap->version, &spec, &new_version,
                                 err);
        json_decref(params);
        free(removes);
    }
    if (tmp_new.len)
        lh_file_remove(tmp_new.data, NULL);
    if (tmp_rw.len)
        lh_file_remove(tmp_rw.data, NULL);
    /* BM25 over the table as it is now, then the entry */
    int64_t chunks_total = 0;
    if (commit && !st)
        st = lh__vec_bm25_rebuild(env->store, env->engine, name, r.prefix.data, new_version,
                                  r.entry, &chunks_total, NULL, err);
    if (!st) {
        char now[32];
        lh_format_time(lh_now_ms(), now);
        json_t *src = json_object_get(r.entry, "source");
        json_object_set_new(src, "table_version", json_integer(r.version));
        json_object_set_new(r.entry, "stale_since", json_null());
        if (commit) {
            json_object_set_new(r.entry, "rows", json_integer(r.rows_with_text));
            json_object_set_new(r.entry, "chunks", json_integer(chunks_total));
            json_object_set_new(r.entry, "table_version", json_integer(new_version));
            json_object_set_new(r.entry, "last_embedded_at", json_string(now));
        }
        st = lh__vec_entry_put(env->store, name, r.entry, err);
    }
    if (!st) {
        out = json_pack("{s:s, s:s, s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:I}", "index", name,
                        "dataset", r.dataset, "source_version", (json_int_t)r.version,
                        "index_version", (json_int_t)new_version, "committed", commit,
                        "rows_new", (json_int_t)d.nnew, "rows_changed", (json_int_t)d.nchanged,
                        "rows_removed", (json_int_t)d.ngone, "rows_unchanged",
                        (json_int_t)d.nsame, "chunks_embedded", (json_int_t)r.ntodo,
                        "chunks_removed", (json_int_t)chunks_removed);
        if (!out)
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    }
    if (!st)
        lh__vec_journal(env, name, "refresh", out, actor);
    free(olds);
    json_decref(old);
    json_decref(drop_keys);
    json_decref(files);
    lh_vec_diff_release(&d);
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lh_buf_release(bufs[i]);
    json_decref(r.entry);
    refresh_release(&r);
    if (st) {
        json_decref(out);
        return st;
    }
    *report = out;
    return LH_OK;
}
