/* index_load.c: an index from its registry entry and Delta table into memory (search.h):
 * the vectors as one row-major matrix, each chunk's key, id, offsets and text, the int8
 * copy, and for the builtin provider its LSA model and BM25 statistics. */
#include <stdlib.h>
#include <string.h>

#include "ai/bm25.h"
#include "ai/lsa.h"
#include "ann/hnsw.h"
#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "engine/engine.h"
#include "storage/storage.h"
#include "table/table.h"
#include "vector/index.h"
#include "vector/search_int.h"

#define ENTRY_MAX (1u << 20)
#define MODEL_MAX ((size_t)4 << 30)

static lh_status read_entry(lh_store *store, const char *name, json_t **out, lh_err *err)
{
    lh_status st = lh_vec_registry_get(store, name, out, err);
    if (st == LH_ENOTFOUND)
        st = lh_fail(err, LH_ENOTFOUND, "no index '%s' (see `lakehouse vectors list`)", name);
    return st;
}

static const char *str_at(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);
    if (b)
        v = json_object_get(v, b);
    return json_string_value(v);
}

/* A BIGINT cell's text (the engine renders it) as a number; -1 when absent or bad. */
static int64_t cell_i64(const char *s, size_t len)
{
    char tmp[32];
    int64_t v;
    if (!s || !len || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return lh_parse_i64(tmp, &v) ? -1 : v;
}

typedef struct loader {
    lh_vec_index *idx;
    size_t cap_rows, cap_matrix;
    lh_status st;
} loader;

static size_t pool_add(lh_vec_index *idx, const char *s, size_t len)
{
    size_t off = idx->pool.len;
    if (s)
        lh_buf_add(&idx->pool, s, len);
    lh_buf_addc(&idx->pool, '\0');
    return off;
}

/* cells: key, chunk_id, chunk_start, chunk_end, chunk_text */
static lh_status on_row(void *ctx, const char *const *cells, const size_t *lens, size_t ncells,
                        const float *vec, lh_err *err)
{
    loader *l = ctx;
    lh_vec_index *idx = l->idx;
    if (ncells != 5 || !cells[0] || !cells[1])
        return lh_fail(err, LH_ECORRUPT, "index %s: a chunk without key or chunk_id", idx->name);
    if (idx->n >= UINT32_MAX - 1)
        return lh_fail(err, LH_ETOOBIG, "index %s: over 2^32 chunks", idx->name);
    lh_status st = lh_grow(&idx->rows, &l->cap_rows, idx->n + 1, sizeof *idx->rows);
    if (!st)
        st = lh_grow(&idx->matrix, &l->cap_matrix, (idx->n + 1) * idx->dims, sizeof *idx->matrix);
    if (st)
        return lh_fail(err, st, "index %s: out of memory loading %zu chunks", idx->name, idx->n);
    lh__vec_row *r = &idx->rows[idx->n];
    r->key = pool_add(idx, cells[0], lens[0]);
    r->key_len = lens[0];
    r->id = pool_add(idx, cells[1], lens[1]);
    r->id_len = lens[1];
    r->text = pool_add(idx, cells[4], lens[4]);
    r->text_len = cells[4] ? lens[4] : 0;
    r->start = cell_i64(cells[2], lens[2]);
    r->end = cell_i64(cells[3], lens[3]);
    float *dst = idx->matrix + idx->n * idx->dims;
    if (vec)
        memcpy(dst, vec, idx->dims * sizeof *dst);
    else
        memset(dst, 0, idx->dims * sizeof *dst);
    idx->n++;
    if ((st = lh_buf_status(&idx->pool)))
        return lh_fail(err, st, "index %s: out of memory loading its texts", idx->name);
    return LH_OK;
}

static lh_status read_table(const lh_vec_senv *env, lh_vec_index *idx, bool *ordered, lh_err *err)
{
    lh_buf prefix, dir, sel, sql;
    lh_buf_init(&prefix, 4096);
    lh_buf_init(&dir, 0);
    lh_buf_init(&sel, 0);
    lh_buf_init(&sql, 0);
    lh_table_snapshot *snap = NULL;
    lh_status st = lh_vec_index_prefix(idx->name, &prefix);
    if (!st) {
        lh_checkpoint_reader cp = lh_engine_checkpoint_reader(env->eng);
        st = lh_table_snapshot_load(env->store, lh_buf_cstr(&prefix), -1, &cp, &snap, err);
        if (st == LH_ENOTFOUND)
            st = lh_fail(err, LH_ENOTFOUND, "index %s has no table yet (is its build still "
                         "running? see `lakehouse vectors show %s`)", idx->name, idx->name);
    }
    if (!st) {
        idx->version = snap->version;
        lh_path_join(&dir, lh_store_root(env->store), lh_buf_cstr(&prefix));
        if ((st = lh_buf_status(&dir)))
            st = lh_fail(err, st, "index %s: path too long", idx->name);
    }
    /* Rows in file order, files in path order: the order the build numbered BM25's
     * documents in. A table whose files shadow the position column is read unordered
     * (BM25 is then rebuilt from the texts). */
    *ordered = false;
    if (!st) {
        st = lh_engine_snapshot_select_rows(env->eng, lh_buf_cstr(&dir), snap, true, NULL, &sel,
                                            err);
        if (!st)
            *ordered = true;
        else if (st == LH_EUNSUPPORTED) {
            lh_buf_reset(&sel);
            st = lh_engine_snapshot_select(env->eng, lh_buf_cstr(&dir), snap, &sel, err);
        }
    }
    if (!st && snap->nfiles) {
        lh_buf_adds(&sql, "SELECT CAST(key AS VARCHAR), CAST(chunk_id AS VARCHAR), "
                          "CAST(chunk_start AS BIGINT), CAST(chunk_end AS BIGINT), "
                          "CAST(chunk_text AS VARCHAR), ");
        /* the Delta schema says array<float>: a list to DuckDB, made the fixed array here */
        lh_buf_printf(&sql, "CAST(vector AS FLOAT[%zu]) FROM (", idx->dims);
        lh_buf_add(&sql, sel.data, sel.len);
        lh_buf_adds(&sql, *ordered ? ") ORDER BY __lh_file, __lh_pos" : ")");
        if ((st = lh_buf_status(&sql)))
            st = lh_fail(err, st, "index %s: statement too long", idx->name);
        loader l = {.idx = idx};
        /* The matrix at its final size before it is filled, advised onto huge pages: an HNSW
         * search touches vectors all over it, and on 4 KB pages each one costs a TLB miss
         * (about 20% of a search's p50 at 100K x 768; ann/hnsw.h). The entry's chunk count is
         * a hint only: on_row grows the matrix when the table holds more. */
        json_int_t hint = json_integer_value(json_object_get(idx->entry, "chunks"));
        if (!st && hint > 0 && hint < UINT32_MAX && idx->dims &&
            !lh_grow(&idx->matrix, &l.cap_matrix, (size_t)hint * idx->dims, sizeof *idx->matrix))
            lh_hnsw_advise_huge(idx->matrix, l.cap_matrix * sizeof *idx->matrix);
        if (!st)
            st = lh_engine_scan_vectors(env->eng, lh_buf_cstr(&sql), idx->dims, on_row, &l, err);
        if (st)
            lh_fail_wrap(err, st, "index %s", idx->name);
    }
    lh_table_snapshot_free(snap);
    lh_buf_release(&prefix);
    lh_buf_release(&dir);
    lh_buf_release(&sel);
    lh_buf_release(&sql);
    return st;
}

static lh_status read_model(const lh_vec_senv *env, const lh_vec_index *idx, const char *rel,
                            lh_buf *out, lh_err *err)
{
    if (!rel || !*rel || strstr(rel, "..") || rel[0] == '/')
        return lh_fail(err, LH_ECORRUPT, "index %s: registry entry names no valid model file",
                       idx->name);
    lh_status st = lh_vec_model_read(env->store, idx->name, rel, out, err);
    if (st)
        st = lh_fail_wrap(err, st == LH_ENOTFOUND ? LH_ECORRUPT : st, "index %s: model file %s",
                          idx->name, rel);
    return st;
}

/* The models: BM25 for every index (lexical and hybrid search), and the query embedder:
 * the builtin provider's LSA from model/lsa.bin, or for an index built by a network
 * provider the configured one when it is that provider (else dense search says so). */
static lh_status load_models(const lh_vec_senv *env, lh_vec_index *idx, bool ordered, lh_err *err)
{
    const json_t *files = json_object_get(idx->entry, "files");
    bool builtin = !strcmp(idx->provider, "builtin");
    lh_buf data;
    lh_buf_init(&data, 0);
    lh_lsa *lsa = NULL;
    lh_bm25 *bm25 = NULL;
    lh_status st = builtin ? read_model(env, idx, str_at(files, "lsa", NULL), &data, err) : LH_OK;
    if (!st && builtin && (st = lh_lsa_load(data.data, data.len, &lsa, err)))
        lh_fail_wrap(err, st, "index %s: LSA model", idx->name);
    if (!st && builtin && lh_lsa_dims(lsa) != idx->dims)
        st = lh_fail(err, LH_ECORRUPT, "index %s: its LSA model has %zu dimensions, its "
                     "registry %zu", idx->name, lh_lsa_dims(lsa), idx->dims);
    /* BM25 from its file when the file covers this version of the table (and its
     * documents are the rows in the order read), else from the chunk texts. */
    json_t *bv = json_object_get(files, "bm25_table_version");
    bool use_file = !st && ordered && json_is_integer(bv) &&
                    json_integer_value(bv) == idx->version && str_at(files, "bm25", NULL);
    if (use_file) {
        lh_buf_reset(&data);
        lh_err ignored = {{0}};
        if (read_model(env, idx, str_at(files, "bm25", NULL), &data, &ignored) ||
            lh_bm25_load(data.data, data.len, &bm25, &ignored) || lh_bm25_docs(bm25) != idx->n) {
            lh_bm25_free(bm25);
            bm25 = NULL;
        }
    }
    if (!st && !bm25) {
        idx->bm25_rebuilt = true;
        lh_bm25_params p = lh_bm25_defaults();
        st = lh_bm25_new(&p, &bm25, err);
        for (size_t i = 0; !st && i < idx->n; i++)
            st = lh_bm25_add(bm25, lh__vec_str(idx, idx->rows[i].text), idx->rows[i].text_len, err);
    }
    lh_buf_release(&data);
    if (st) {
        lh_lsa_free(lsa);
        lh_bm25_free(bm25);
        return st;
    }
    if (!builtin) {
        /* BM25 alone; queries are embedded by the configured provider, when it is this
         * index's (its dims were checked against the server when the index was built) */
        idx->bm25 = bm25;
        idx->bm25_owned = true;
        const char *model = str_at(idx->entry, "model", "name");
        if (env->network && !strcmp(lh_ai_name(env->network), idx->provider) && model &&
            env->network_model && !strcmp(model, env->network_model)) {
            idx->ai = env->network;
            idx->ai_borrowed = true;
        }
        return LH_OK;
    }
    idx->lsa = lsa;
    idx->bm25 = bm25;
    return lh_ai_builtin_new(lsa, bm25, lh_ai_builtin_default_weight(), &idx->ai, err);
}

static lh_status parse_entry(lh_vec_index *idx, lh_err *err)
{
    const json_t *e = idx->entry;
    const char *ds = str_at(e, "source", "dataset"), *kc = str_at(e, "source", "key_column"),
               *tc = str_at(e, "source", "text_column"), *prov = str_at(e, "model", "provider");
    json_t *dims = json_object_get(json_object_get(e, "model"), "dims");
    json_t *sv = json_object_get(json_object_get(e, "source"), "table_version");
    if (!ds || !kc || !tc || !prov || !json_is_integer(dims) || json_integer_value(dims) < 1 ||
        json_integer_value(dims) > 65536 || !json_is_integer(sv))
        return lh_fail(err, LH_ECORRUPT, "index %s: registry entry lacks source dataset, key or "
                       "text column, model provider or dims", idx->name);
    idx->dims = (size_t)json_integer_value(dims);
    idx->source_version = json_integer_value(sv);
    if (!(idx->dataset = lh_strdup(ds)) || !(idx->key_column = lh_strdup(kc)) ||
        !(idx->text_column = lh_strdup(tc)) || !(idx->provider = lh_strdup(prov)))
        return lh_fail(err, LH_ENOMEM, "out of memory");
    return LH_OK;
}

char *lh__vec_stamp(const json_t *entry)
{
    lh_buf b;
    lh_buf_init(&b, 1024);
    const char *job = json_string_value(json_object_get(entry, "job_id"));
    const char *at = json_string_value(json_object_get(entry, "last_embedded_at"));
    lh_buf_printf(&b, "%s|%s|%lld", job ? job : "", at ? at : "",
                  (long long)json_integer_value(json_object_get(entry, "table_version")));
    return lh_buf_detach(&b);
}

lh_status lh_vec_index_load(const lh_vec_senv *env, const char *name, lh_vec_index **out,
                            lh_err *err)
{
    *out = NULL;
    lh_status st = lh_catalog_check_name(name, err);
    if (st)
        return lh_fail(err, LH_EINVAL, "bad index name: %s", err->msg);
    lh_vec_index *idx = lh_calloc(1, sizeof *idx);
    if (!idx)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lh_buf_init(&idx->pool, 0);
    bool ordered = false;
    if (!(idx->name = lh_strdup(name)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = read_entry(env->store, name, &idx->entry, err);
    if (!st)
        st = parse_entry(idx, err);
    if (!st && !(idx->stamp = lh__vec_stamp(idx->entry)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = read_table(env, idx, &ordered, err);
    if (!st)
        st = lh__vec_keymap_build(idx, err);
    if (!st && idx->n)
        st = lh_vec_q8_new(idx->matrix, idx->n, idx->dims, &idx->q8, err);
    if (!st)
        st = load_models(env, idx, ordered, err);
    if (st) {
        lh_vec_index_free(idx);
        return st;
    }
    idx->bytes = sizeof *idx + idx->n * (idx->dims * sizeof(float) + sizeof *idx->rows + 8) +
                 idx->pool.cap + (idx->q8 ? lh_vec_q8_bytes(idx->q8) : 0) +
                 idx->keys.nslots * 4 + idx->keys.nkeys * 4;
    *out = idx;
    return LH_OK;
}

void lh_vec_index_free(lh_vec_index *idx)
{
    if (!idx)
        return;
    free(idx->name);
    free(idx->dataset);
    free(idx->key_column);
    free(idx->text_column);
    free(idx->provider);
    free(idx->stamp);
    json_decref(idx->entry);
    free(idx->matrix);
    free(idx->rows);
    lh_buf_release(&idx->pool);
    lh__vec_keymap_release(&idx->keys);
    lh_vec_q8_free(idx->q8);
    if (!idx->ai_borrowed)
        lh_ai_free(idx->ai);
    if (idx->bm25_owned)
        lh_bm25_free((lh_bm25 *)idx->bm25);
    free(idx);
}

const char *lh_vec_index_name(const lh_vec_index *idx) { return idx->name; }
const char *lh_vec_index_dataset(const lh_vec_index *idx) { return idx->dataset; }
const json_t *lh_vec_index_entry(const lh_vec_index *idx) { return idx->entry; }
size_t lh_vec_index_chunks(const lh_vec_index *idx) { return idx->n; }
size_t lh_vec_index_dims(const lh_vec_index *idx) { return idx->dims; }
int64_t lh_vec_index_version(const lh_vec_index *idx) { return idx->version; }
size_t lh_vec_index_bytes(const lh_vec_index *idx) { return idx->bytes; }

/* ---- which indexes a dataset has ---------------------------------------------------------- */

lh_status lh_vec_indexes_of(lh_store *store, const char *dataset, json_t **names, lh_err *err)
{
    json_t *entries = NULL;
    lh_status st = lh_vec_registry_list(store, dataset, NULL, &entries, err);
    if (st)
        return st;
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) {
        const char *n = json_string_value(json_object_get(e, "name"));
        if (n && json_array_append_new(out, json_string(n)))
            break;
    }
    json_decref(entries);
    if (!out || json_array_size(out) != i)
        return json_decref(out), lh_fail(err, LH_ENOMEM, "out of memory");
    *names = out;
    return LH_OK;
}

lh_status lh_vec_resolve(lh_store *store, const char *what, char **name, lh_err *err)
{
    *name = NULL;
    lh_status st = lh_catalog_check_name(what, err);
    if (st)
        return lh_fail(err, LH_EINVAL, "bad index name: %s", err->msg);
    json_t *e = NULL;
    lh_err ignored = {{0}};
    if (!read_entry(store, what, &e, &ignored)) {
        json_decref(e);
        if (!(*name = lh_strdup(what)))
            return lh_fail(err, LH_ENOMEM, "out of memory");
        return LH_OK;
    }
    json_t *names = NULL;
    if ((st = lh_vec_indexes_of(store, what, &names, err)))
        return st;
    size_t n = json_array_size(names);
    if (n == 1) {
        if (!(*name = lh_strdup(json_string_value(json_array_get(names, 0)))))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    } else if (n == 0) {
        st = lh_fail(err, LH_ENOTFOUND, "no index '%s', and no index of a dataset of that name "
                     "(create one: lakehouse vectors index %s --text COLUMN --key COLUMN)", what,
                     what);
    } else {
        lh_buf b;
        lh_buf_init(&b, 512);
        for (size_t i = 0; i < n; i++) {
            lh_buf_adds(&b, i ? ", " : "");
            lh_buf_adds(&b, json_string_value(json_array_get(names, i)));
        }
        st = lh_fail(err, LH_EINVAL, "dataset %s has %zu indexes; name the one to search: %s",
                     what, n, lh_buf_status(&b) ? "(too many to list)" : lh_buf_cstr(&b));
        lh_buf_release(&b);
    }
    json_decref(names);
    return st;
}
