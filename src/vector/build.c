/* build.c: one index build, run or resumed from its checkpoint (index.h, the steps):
 *   1. count the source rows at the job's table version (for %, rows/s and ETA);
 *   2. fit: read every row, chunk it, keep a deterministic reservoir sample of at most
 *      LH_VEC_FIT_SAMPLE chunks, fit LSA on it, save model/lsa.bin, checkpoint "fitted";
 *   3. embed: read every row again in the same order (ORDER BY key, text), chunk, add
 *      every chunk to BM25; each batch of batch_rows source rows is embedded (by the
 *      workers of embed_pool.c, with their retries) and written here, in batch order, as
 *      one Parquet file (temp name, synced, renamed), then recorded in the job file.
 *      Batches the checkpoint already records are not embedded again: their rows are
 *      only chunked (BM25 needs them); files of the index directory that the checkpoint
 *      does not record (a kill between a rename and its checkpoint) are deleted first;
 *   4. commit the Delta table (version 0: every batch file), save model/bm25.bin, then
 *      the registry entry index.json (atomic replace): from then on the index exists.
 * Fault points (test build): vector.fitted, vector.batch_written.<n> (file renamed,
 * checkpoint not updated), vector.batch_saved.<n>, vector.committed, vector.before_registry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ai/ai.h"
#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "engine/engine.h"
#include "storage/storage.h"
#include "table/table.h"
#include "vector/embed_pool_int.h"
#include "vector/index_int.h"

/* One chunk waiting in the current batch. */
typedef lh__vec_keyed pending;

typedef struct build {
    const lh_vec_env *env;
    bool network;           /* a network provider (env->network, borrowed as ai): no fit */
    lh__vec_job *job;
    lh_vec_spec spec;
    int64_t version;
    size_t batch_rows;
    lh_buf prefix;          /* _vectors/<name> */
    lh_chunk_list chunks;   /* scratch */
    /* fit */
    char **sample;
    size_t *sample_len;
    size_t nsample, seen, fit_cap;
    uint64_t rng;
    /* embed */
    lh_bm25 *bm25;
    lh_ai *ai;
    size_t dims;
    pending *pend;
    size_t npend, cap_pend;
    size_t batch_no, rows_in_batch, rows_read, rows_with_text, chunks_total;
    size_t recorded;        /* batches the checkpoint held when this run started */
    double t_start;
    size_t rows_this_run;
    bool counting;          /* pass 3 row callback: only count/skip */
    /* the embedding workers (none with embed_workers <= 1: the job's thread embeds) */
    lh__vec_pool *pool;
} build;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_field(build *b, const char *k, json_t *v)
{
    pthread_mutex_lock(&b->job->mu);
    json_object_set_new(b->job->doc, k, v);
    pthread_mutex_unlock(&b->job->mu);
}

static void report(build *b)
{
    if (b->job->progress) {
        pthread_mutex_lock(&b->job->mu);
        json_t *copy = json_deep_copy(b->job->doc);
        pthread_mutex_unlock(&b->job->mu);
        if (copy)
            b->job->progress(b->job->progress_ctx, copy);
        json_decref(copy);
    }
}

static lh_status stopped(build *b, lh_err *err)
{
    if (atomic_load(&b->job->cancel))
        return lh_fail(err, LH_ECONFLICT, "the build of index '%s' was cancelled", b->spec.name);
    if (atomic_load(&b->job->stop))
        return lh_fail(err, LH_ECONFLICT, "the build of index '%s' was stopped (server shutting "
                       "down); it resumes at the next start", b->spec.name);
    return LH_OK;
}

/* stopped() as the embedding pool's stop check (called from its threads) */
static lh_status pool_stopped(void *ctx, lh_err *err)
{
    return stopped(ctx, err);
}

/* ---- reading the source -------------------------------------------------------------- */

typedef lh_status (*row_fn)(build *b, const char *key, size_t klen, const char *text, size_t tlen,
                            lh_err *err);

typedef struct scan_ctx {
    build *b;
    row_fn fn;
} scan_ctx;

static lh_status scan_row(void *ctx, const char *const *cells, const size_t *lens, lh_err *err)
{
    scan_ctx *s = ctx;
    return s->fn(s->b, cells[0], cells[0] ? lens[0] : 0, cells[1], cells[1] ? lens[1] : 0, err);
}

/* Streams sql (over the source at the job's version) into fn row by row. */
static lh_status scan(build *b, const char *sql, row_fn fn, lh_err *err)
{
    lh_query *q = NULL;
    lh_status st = b->env->open_source(b->env->ctx, sql, b->spec.dataset, b->version, &q, err);
    if (st)
        return st;
    scan_ctx sc = {b, fn};
    lh_result_sink sink = {NULL, scan_row, NULL, &sc};
    bool done = false;
    while (!st && !done) {
        st = lh_query_next(q, &sink, &done, err);
        if (!st)
            st = stopped(b, err);
    }
    lh_query_close(q);
    return st;
}

/* SELECT key AS text, text ... ORDER BY key, text: the same order on every run. */
static lh_status source_sql(const build *b, bool count, lh_buf *sql, lh_err *err)
{
    if (count) {
        lh_buf_adds(sql, "SELECT CAST(count(*) AS VARCHAR), NULL FROM ");
        lh_buf_add_sql_ident(sql, b->spec.dataset);
    } else {
        lh_buf_adds(sql, "SELECT CAST(__lh_k AS VARCHAR), __lh_t FROM (SELECT ");
        lh_buf_add_sql_ident(sql, b->spec.key_column);
        lh_buf_adds(sql, " AS __lh_k, ");
        lh_buf_add_sql_ident(sql, b->spec.text_column);
        lh_buf_adds(sql, " AS __lh_t FROM ");
        lh_buf_add_sql_ident(sql, b->spec.dataset);
        lh_buf_adds(sql, ") ORDER BY __lh_k, __lh_t");
    }
    lh_status st = lh_buf_status(sql);
    return st ? lh_fail(err, st, "the source query is too long") : LH_OK;
}

static lh_status count_row(build *b, const char *key, size_t klen, const char *text, size_t tlen,
                           lh_err *err)
{
    (void)text, (void)tlen, (void)err;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(klen < 31 ? klen : 31), key ? key : "0");
    set_field(b, "rows_total", json_integer(strtoll(tmp, NULL, 10)));
    return LH_OK;
}

/* ---- pass 1: the fit ------------------------------------------------------------------- */

static lh_status chunk_row(build *b, const char *key, size_t klen, const char *text, size_t tlen,
                           lh_err *err)
{
    char k[97];
    if (klen > 96)
        return lh_fail(err, LH_EINVAL, "a key of column '%s' is over 96 bytes: keys that long "
                       "cannot be indexed", b->spec.key_column);
    memcpy(k, key, klen);
    k[klen] = '\0';
    return lh_chunk_text(&b->spec.chunk, k, text, tlen, &b->chunks, err);
}

static lh_status fit_row(build *b, const char *key, size_t klen, const char *text, size_t tlen,
                         lh_err *err)
{
    if (!key || !text)
        return LH_OK;
    lh_status st = chunk_row(b, key, klen, text, tlen, err);
    for (size_t i = 0; !st && i < b->chunks.n; i++) {
        lh_chunk *c = &b->chunks.items[i];
        size_t slot = b->nsample;
        if (b->nsample == b->fit_cap) {
            /* reservoir sampling (Algorithm R): chunk number seen is kept with probability
             * cap / (seen + 1), replacing a uniformly chosen one */
            uint64_t r = lh__vec_splitmix64(&b->rng) % (b->seen + 1);
            slot = r < b->fit_cap ? (size_t)r : SIZE_MAX;
        } else {
            b->nsample++;
        }
        b->seen++;
        if (slot == SIZE_MAX)
            continue;
        free(b->sample[slot]);
        b->sample[slot] = c->text;
        b->sample_len[slot] = c->end - c->start;
        c->text = NULL; /* moved */
    }
    return st;
}

/* The sample's size: LH_VEC_FIT_SAMPLE; in the test build LAKEHOUSE_VEC_FIT_SAMPLE may set
 * another (bench/vec_index.sh measures the fit's cost against it). */
static size_t fit_cap(void)
{
#ifdef LH_FAULTS
    const char *v = getenv("LAKEHOUSE_VEC_FIT_SAMPLE");
    long long n = v ? strtoll(v, NULL, 10) : 0;
    if (n > 0 && n <= 10000000)
        return (size_t)n;
#endif
    return LH_VEC_FIT_SAMPLE;
}

static lh_status fit(build *b, const char *sql, lh_lsa **lsa, lh_err *err)
{
    b->fit_cap = fit_cap();
    b->sample = lh_calloc(b->fit_cap, sizeof *b->sample);
    b->sample_len = lh_calloc(b->fit_cap, sizeof *b->sample_len);
    if (!b->sample || !b->sample_len)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    b->rng = 0x6c616b65686f7573ull; /* fixed: the same sample on every run */
    set_field(b, "phase", json_string("fitting"));
    report(b);
    lh_status st = scan(b, sql, fit_row, err);
    if (!st && !b->nsample)
        st = lh_fail(err, LH_EINVAL, "column '%s' of dataset '%s' has no text to index",
                     b->spec.text_column, b->spec.dataset);
    lh_lsa_params p = lh_lsa_defaults();
    p.dims = LH_VEC_BUILTIN_DIMS;
    if (!st)
        st = lh_lsa_fit(&p, (const char *const *)b->sample, b->sample_len, b->nsample, lsa, err);
    for (size_t i = 0; i < b->nsample; i++)
        free(b->sample[i]);
    free(b->sample);
    free(b->sample_len);
    b->sample = NULL;
    b->sample_len = NULL;
    return st;
}

/* ---- pass 2: embed and write ----------------------------------------------------------- */

static void pend_clear(build *b)
{
    for (size_t i = 0; i < b->npend; i++) {
        free(b->pend[i].key);
        free(b->pend[i].c.text);
    }
    b->npend = 0;
}

/* Deletes data files of the index directory that the checkpoint does not record. */
typedef struct orphan_ctx {
    json_t *keep;    /* object: recorded file names */
    json_t *drop;    /* array of keys */
    size_t plen;
} orphan_ctx;

static int find_orphans(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    orphan_ctx *o = ctx;
    const char *rel = key + o->plen;
    if (lh_table_is_data_path(rel) && !json_object_get(o->keep, rel))
        json_array_append_new(o->drop, json_string(key));
    return 0;
}

static lh_status drop_orphans(build *b, lh_err *err)
{
    orphan_ctx o = {json_object(), json_array(), b->prefix.len + 1};
    size_t i;
    json_t *bt;
    pthread_mutex_lock(&b->job->mu);
    json_array_foreach(json_object_get(b->job->doc, "batches"), i, bt)
        json_object_set_new(o.keep, json_string_value(json_object_get(bt, "file")) ?: "",
                            json_true());
    pthread_mutex_unlock(&b->job->mu);
    lh_buf p;
    lh_buf_init(&p, 0);
    lh_buf_printf(&p, "%s/", b->prefix.data);
    lh_status st = lh_store_list(b->env->store, p.data, find_orphans, &o, err);
    if (st == LH_ENOTFOUND)
        st = LH_OK;
    json_t *k;
    json_array_foreach(o.drop, i, k)
        if (!st) {
            lh_log(LH_LOG_INFO, "vector index %s: removing %s, written after the last checkpoint",
                   b->spec.name, json_string_value(k));
            st = lh_store_delete(b->env->store, json_string_value(k), err);
        }
    json_decref(o.keep);
    json_decref(o.drop);
    lh_buf_release(&p);
    return st;
}

#ifdef LH_FAULTS
/* Test hook: while the file LAKEHOUSE_VEC_PAUSE_FILE exists, a build waits before each
 * batch (so a test can cancel or kill it mid-job without timing assumptions). */
static void test_pause(build *b)
{
    const char *f = getenv("LAKEHOUSE_VEC_PAUSE_FILE");
    while (f && *f && access(f, F_OK) == 0 && !atomic_load(&b->job->cancel) &&
           !atomic_load(&b->job->stop))
        usleep(10000);
}
#endif

static void update_progress(build *b)
{
    double el = mono_s() - b->t_start;
    pthread_mutex_lock(&b->job->mu);
    json_t *d = b->job->doc;
    json_int_t total = json_integer_value(json_object_get(d, "rows_total"));
    double rate = el > 0 ? (double)b->rows_this_run / el : 0;
    json_object_set_new(d, "rows_done", json_integer((json_int_t)b->rows_read));
    json_object_set_new(d, "chunks_done", json_integer((json_int_t)b->chunks_total));
    json_object_set_new(d, "percent", json_real(total > 0 ? 100.0 * (double)b->rows_read / (double)total : 0));
    json_object_set_new(d, "rows_per_s", json_real(rate));
    json_object_set_new(d, "eta_s", rate > 0 && total > 0
                                        ? json_real(((double)total - (double)b->rows_read) / rate)
                                        : json_null());
    pthread_mutex_unlock(&b->job->mu);
}

/* Writes embedded batch e as one Parquet file (temp name, synced, renamed) and records it
 * in the checkpoint. The job's thread only, in batch order: a batch is recorded only once
 * every earlier one is, so a resume keeps exactly the recorded prefix. */
static lh_status write_batch(build *b, lh__vec_ebatch *e, lh_err *err)
{
    size_t n = e->n, dims = b->dims;
    lh_status st = e->st;
    if (st) {
        *err = e->err;
        return st;
    }
    lh_buf tmp, name, key, id;
    lh_buf_init(&tmp, 0);
    lh_buf_init(&name, 0);
    lh_buf_init(&key, 0);
    lh_buf_init(&id, 0);
    /* file name: path order = batch order (index.h, chunk numbering) */
    char uuid[37];
    lh_uuid4(uuid);
    lh_buf_printf(&id, "b%06zu-%s", e->no, uuid);
    lh_buf dir;
    lh_buf_init(&dir, 0);
    if (!st && (lh_table_data_file_name(id.data, &name) ||
                lh_store_local_path(b->env->store, b->prefix.data, &dir, err) ||
                lh_table_temp_path(dir.data, id.data, &tmp)))
        st = lh_buf_status(&name) ? lh_fail(err, LH_ENOMEM, "out of memory")
           : lh_buf_status(&tmp) ? lh_fail(err, LH_ENOMEM, "out of memory") : LH_EIO;
    if (!st)
        st = lh_mkdirs(dir.data, err);
    if (!st)
        st = lh__vec_write_chunk_file(b->env->engine, tmp.data, e->pend, n, dims, e->vecs, err);
    lh_buf_printf(&key, "%s/%s", b->prefix.data, lh_buf_cstr(&name));
    if (!st && lh_buf_status(&key))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_store_put_file(b->env->store, key.data, tmp.data, err);
    else if (tmp.data)
        (void)unlink(tmp.data);
    lh_object_info info = {0};
    if (!st)
        st = lh_store_head(b->env->store, key.data, &info, err);
    if (!st) {
        char fp[64];
        snprintf(fp, sizeof fp, "vector.batch_written.%zu", e->no);
        lh_fault_point(fp);
        pthread_mutex_lock(&b->job->mu);
        json_array_append_new(json_object_get(b->job->doc, "batches"),
                              json_pack("{s:s, s:I, s:I, s:I}", "file", name.data, "rows",
                                        (json_int_t)e->rows, "chunks", (json_int_t)n,
                                        "size", (json_int_t)info.size));
        pthread_mutex_unlock(&b->job->mu);
        b->chunks_total += n;
        b->rows_this_run += e->rows;
        update_progress(b);
        st = lh__vec_job_save(b->env->store, b->job, err);
        snprintf(fp, sizeof fp, "vector.batch_saved.%zu", e->no);
        lh_fault_point(fp);
        report(b);
    }
    lh_buf_release(&dir);
    lh_buf_release(&tmp);
    lh_buf_release(&name);
    lh_buf_release(&key);
    lh_buf_release(&id);
    return st;
}

/* Writes the oldest in-flight batches, in order, until at most keep are in flight. */
static lh_status drain(build *b, size_t keep, lh_err *err)
{
    lh_status st = LH_OK;
    lh__vec_ebatch *e;
    while (!st && (e = lh__vec_pool_take(b->pool, keep))) {
        st = write_batch(b, e, err);
        lh__vec_ebatch_free(e);
    }
    return st;
}

/* The pending chunks become batch number b->batch_no: embedded (by the workers, or here
 * with one) and written, or (already recorded) checked against the checkpoint and
 * dropped. */
static lh_status flush_batch(build *b, lh_err *err)
{
    lh_status st = LH_OK;
    if (b->batch_no < b->recorded) {
        pthread_mutex_lock(&b->job->mu);
        json_t *bt = json_array_get(json_object_get(b->job->doc, "batches"), b->batch_no);
        json_int_t want = json_integer_value(json_object_get(bt, "chunks"));
        pthread_mutex_unlock(&b->job->mu);
        if (want != (json_int_t)b->npend)
            st = lh_fail(err, LH_ECORRUPT, "resuming index '%s': batch %zu had %lld chunks and "
                         "now has %zu (the source changed under the job)", b->spec.name,
                         b->batch_no, (long long)want, b->npend);
        b->chunks_total += b->npend;
        pend_clear(b);
        b->batch_no++;
        b->rows_in_batch = 0;
        return st;
    }
#ifdef LH_FAULTS
    test_pause(b);
#endif
    if ((st = stopped(b, err)))
        return st;
    lh__vec_ebatch *e = lh_calloc(1, sizeof *e);
    if (!e)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    e->pend = b->pend;
    e->n = b->npend;
    e->rows = b->rows_in_batch;
    e->no = b->batch_no;
    b->pend = NULL;
    b->npend = b->cap_pend = 0;
    b->batch_no++;
    b->rows_in_batch = 0;
    lh__vec_pool_submit(b->pool, e);
    /* every worker busy (none: embedded already): wait for the oldest batch and write it */
    size_t workers = lh__vec_pool_workers(b->pool);
    return drain(b, workers ? workers - 1 : 0, err);
}

static lh_status embed_row(build *b, const char *key, size_t klen, const char *text, size_t tlen,
                           lh_err *err)
{
    lh_status st = LH_OK;
    b->rows_read++;
    b->rows_in_batch++;
    if (key && text) {
        b->rows_with_text++;
        st = chunk_row(b, key, klen, text, tlen, err);
        for (size_t i = 0; !st && i < b->chunks.n; i++) {
            lh_chunk *c = &b->chunks.items[i];
            if ((st = lh_bm25_add(b->bm25, c->text, c->end - c->start, err)))
                break;
            if ((st = lh_grow(&b->pend, &b->cap_pend, b->npend + 1, sizeof *b->pend))) {
                st = lh_fail(err, st, "out of memory");
                break;
            }
            pending *p = &b->pend[b->npend];
            if (!(p->key = lh_strndup(key, klen))) {
                st = lh_fail(err, LH_ENOMEM, "out of memory");
                break;
            }
            p->key_len = klen;
            p->c = *c;
            c->text = NULL; /* moved */
            b->npend++;
        }
    }
    if (!st && b->rows_in_batch == b->batch_rows)
        st = flush_batch(b, err);
    return st;
}

/* ---- commit ---------------------------------------------------------------------------- */

static lh_status commit_table(build *b, int64_t *version, lh_err *err)
{
    lh_status st = lh_table_latest_version(b->env->store, b->prefix.data, version, err);
    if (!st)
        return LH_OK; /* committed before a kill: the batches are the table */
    if (st != LH_ENOTFOUND)
        return st;
    static const char *const names[] = {"key", "chunk_id", "ordinal", "chunk_start", "chunk_end",
                                        "chunk_text", "content_hash", "vector"};
    char vt[32];
    snprintf(vt, sizeof vt, "FLOAT[%zu]", b->dims);
    const char *types[] = {"VARCHAR", "VARCHAR", "INTEGER", "BIGINT", "BIGINT", "VARCHAR",
                           "VARCHAR", vt};
    json_t *schema = NULL;
    if ((st = lh_table_schema_from_duckdb(names, types, NULL, 8, &schema, err)))
        return st;
    pthread_mutex_lock(&b->job->mu);
    json_t *batches = json_deep_copy(json_object_get(b->job->doc, "batches"));
    pthread_mutex_unlock(&b->job->mu);
    size_t n = json_array_size(batches);
    lh_table_add *adds = lh_calloc(n + 1, sizeof *adds);
    char **stats = lh_calloc(n + 1, sizeof *stats);
    if (!adds || !stats || !batches)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    int64_t now = lh_now_ms();
    for (size_t i = 0; !st && i < n; i++) {
        json_t *bt = json_array_get(batches, i);
        json_t *s = json_pack("{s:I}", "numRecords", json_integer_value(json_object_get(bt, "chunks")));
        stats[i] = s ? lh_json_dumps(s, JSON_COMPACT) : NULL;
        json_decref(s);
        if (!stats[i]) {
            st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
        adds[i] = (lh_table_add){json_string_value(json_object_get(bt, "file")),
                                 json_integer_value(json_object_get(bt, "size")), now, stats[i]};
    }
    json_t *params = json_pack("{s:s, s:s}", "mode", "Overwrite", "source", b->spec.dataset);
    lh_table_commit_spec cs = {.schema = schema, .adds = adds, .nadds = n,
                               .operation = "CREATE TABLE", .operation_parameters = params};
    if (!st)
        st = lh_table_commit(b->env->store, b->prefix.data, -1, &cs, version, err);
    for (size_t i = 0; stats && i < n; i++)
        free(stats[i]);
    free(stats);
    free(adds);
    json_decref(params);
    json_decref(batches);
    json_decref(schema);
    return st;
}

static lh_status put_blob(build *b, const char *rel, const lh_buf *data, lh_err *err)
{
    lh_buf key;
    lh_buf_init(&key, 0);
    lh_status st = lh_vec_index_key(b->spec.name, rel, &key);
    st = st ? lh_fail(err, st, "out of memory") : lh_buf_status(data) ? lh_fail(err, LH_ENOMEM, "out of memory")
       : lh_store_put(b->env->store, key.data, data->data, data->len, err);
    lh_buf_release(&key);
    return st;
}

static lh_status write_registry(build *b, int64_t table_version, lh_err *err)
{
    char now[32];
    lh_format_time(lh_now_ms(), now);
    pthread_mutex_lock(&b->job->mu);
    json_t *created = json_incref(json_object_get(b->job->doc, "created_at"));
    json_t *id = json_incref(json_object_get(b->job->doc, "id"));
    pthread_mutex_unlock(&b->job->mu);
    json_t *e = json_pack(
        "{s:i, s:s, s:{s:s, s:I, s:s, s:s}, s:{s:s, s:s, s:i, s:I, s:s}, s:{s:s, s:i, s:i}, "
        "s:I, s:I, s:I, s:o, s:s, s:n, s:s, s:{s:o, s:s, s:I}, s:o}",
        "format", 1, "name", b->spec.name, "source", "dataset", b->spec.dataset, "table_version",
        (json_int_t)b->version, "text_column", b->spec.text_column, "key_column",
        b->spec.key_column, "model", "provider", b->spec.provider, "name", b->spec.model,
        "version", 1, "dims", (json_int_t)b->dims, "metric", "cosine", "chunker", "unit",
        b->spec.chunk.unit == LH_CHUNK_TOKENS ? "tokens" : "chars", "size", (int)b->spec.chunk.size,
        "overlap", (int)b->spec.chunk.overlap, "rows", (json_int_t)b->rows_with_text, "chunks",
        (json_int_t)b->chunks_total, "table_version", (json_int_t)table_version, "created_at",
        created ? created : json_string(now), "last_embedded_at", now, "stale_since", "refresh",
        "manual", "files", "lsa", b->network ? json_null() : json_string("model/lsa.bin"), "bm25", "model/bm25.bin", "bm25_table_version",
        (json_int_t)table_version, "job_id", id ? id : json_null());
    /* an ingest committed while the job ran (after it read its version): stale already */
    json_t *m = lh_catalog_get_copy(b->env->catalog, b->spec.dataset);
    if (e && json_integer_value(json_object_get(m, "table_version")) > b->version)
        json_object_set_new(e, "stale_since", json_string(now));
    json_decref(m);
    char *text = e ? lh_json_dumps(e, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    lh_buf data;
    lh_buf_init(&data, 0);
    if (text)
        lh_buf_adds(&data, text);
    lh_fault_point("vector.before_registry");
    lh_status st = text ? put_blob(b, "index.json", &data, err) : lh_fail(err, LH_ENOMEM, "out of memory");
    lh_buf_release(&data);
    free(text);
    json_decref(e);
    return st;
}

/* ---- the whole build -------------------------------------------------------------------- */

static lh_status run(build *b, lh_err *err)
{
    lh_buf sql, count;
    lh_buf_init(&sql, 0);
    lh_buf_init(&count, 0);
    lh_lsa *lsa = NULL;
    lh_bm25 *empty = NULL;
    double t0 = mono_s(), t_count = 0, t_fit = 0, t_embed = 0;
    lh_status st = source_sql(b, false, &sql, err);
    if (!st)
        st = source_sql(b, true, &count, err);
    if (!st) {
        set_field(b, "phase", json_string("counting"));
        report(b);
        st = scan(b, count.data, count_row, err);
    }
    t_count = mono_s();
    pthread_mutex_lock(&b->job->mu);
    bool fitted = json_is_true(json_object_get(b->job->doc, "fitted"));
    pthread_mutex_unlock(&b->job->mu);
    lh_buf model;
    lh_buf_init(&model, (size_t)1 << 31);
    if (!st && b->network) {
        /* a network provider embeds as configured: nothing to fit, no model file; the
         * width is the server's (asked once when [ai] dims is not set) */
        size_t dims = 0;
        st = lh_ai_dims_resolve(b->env->network, &dims, err);
        if (!st && (dims < 1 || dims > 65536))
            st = lh_fail(err, LH_EIO, "provider %s answered vectors of %zu dimensions",
                         b->spec.provider, dims);
        b->dims = dims;
    } else if (!st && fitted) {
        /* the model every recorded batch was embedded with */
        st = lh_vec_model_read(b->env->store, b->spec.name, "model/lsa.bin", &model, err);
        if (!st)
            st = lh_lsa_load(model.data, model.len, &lsa, err);
    } else if (!st) {
        st = fit(b, sql.data, &lsa, err);
        if (!st && lh_lsa_save(lsa, &model))
            st = lh_fail(err, LH_ENOMEM, "out of memory saving the model");
        if (!st)
            st = put_blob(b, "model/lsa.bin", &model, err);
        if (!st) {
            set_field(b, "fitted", json_true());
            st = lh__vec_job_save(b->env->store, b->job, err);
            lh_fault_point("vector.fitted");
        }
    }
    lh_buf_release(&model);
    lh_bm25_params bp = lh_bm25_defaults();
    if (!st)
        st = lh_bm25_new(&bp, &b->bm25, err);
    if (!st)
        st = lh_bm25_new(&bp, &empty, err);
    if (!st && b->network) {
        b->ai = b->env->network;
    } else if (!st) {
        b->dims = lh_lsa_dims(lsa);
        lh_lsa *l = lsa;
        lsa = NULL;
        lh_bm25 *e = empty;
        empty = NULL;
        st = lh_ai_builtin_new(l, e, lh_ai_builtin_default_weight(), &b->ai, err);
    }
    t_fit = mono_s();
    if (!st)
        st = drop_orphans(b, err);
    if (!st) {
        pthread_mutex_lock(&b->job->mu);
        b->recorded = json_array_size(json_object_get(b->job->doc, "batches"));
        json_object_set_new(b->job->doc, "phase", json_string("embedding"));
        pthread_mutex_unlock(&b->job->mu);
        report(b);
        b->t_start = mono_s();
        lh__vec_pool_cfg pc = {.ai = b->ai, .dims = b->dims, .normalise = b->network,
                               .workers = b->env->embed_workers,
                               .retries = b->env->embed_retries, .name = b->spec.name,
                               .stopped = pool_stopped, .stop_ctx = b};
        st = lh__vec_pool_new(&pc, &b->pool, err);
    }
    if (!st)
        st = scan(b, sql.data, embed_row, err);
    if (!st && (b->npend || b->rows_in_batch))
        st = flush_batch(b, err);
    if (!st)
        st = drain(b, 0, err);
    size_t workers = b->pool ? lh__vec_pool_workers(b->pool) : 0;
    unsigned retries = b->pool ? lh__vec_pool_retries(b->pool) : 0;
    /* on a failure, batches still in flight are dropped (not recorded) */
    lh__vec_pool_free(b->pool);
    b->pool = NULL;
    if (!st)
        set_field(b, "embed", json_pack("{s:I, s:I}", "workers", (json_int_t)(workers ? workers : 1),
                                        "retries", (json_int_t)retries));
    if (!st && b->batch_no < b->recorded)
        st = lh_fail(err, LH_ECORRUPT, "resuming index '%s': the checkpoint has %zu batches and "
                     "the source only %zu (the source changed under the job)", b->spec.name,
                     b->recorded, b->batch_no);
    if (!st)
        st = stopped(b, err);
    t_embed = mono_s();
    int64_t tv = 0;
    if (!st) {
        set_field(b, "phase", json_string("committing"));
        update_progress(b);
        st = commit_table(b, &tv, err);
        lh_fault_point("vector.committed");
    }
    if (!st) {
        lh_buf bm;
        lh_buf_init(&bm, (size_t)1 << 31);
        if (lh_bm25_save(b->bm25, &bm))
            st = lh_fail(err, LH_ENOMEM, "out of memory saving BM25");
        else
            st = put_blob(b, "model/bm25.bin", &bm, err);
        lh_buf_release(&bm);
    }
    if (!st) {
        /* where this run's time went (seconds; a resumed run counts its own part only) */
        double t_end = mono_s();
        set_field(b, "timings", json_pack("{s:f, s:f, s:f, s:f}", "count_s", t_count - t0,
                                          "fit_s", t_fit - t_count, "embed_s", t_embed - t_fit,
                                          "commit_s", t_end - t_embed));
        st = write_registry(b, tv, err);
    }
    lh_lsa_free(lsa);
    lh_bm25_free(empty);
    lh_buf_release(&sql);
    lh_buf_release(&count);
    return st;
}

static void finish(build *b, const char *state, const char *error)
{
    char now[32];
    lh_format_time(lh_now_ms(), now);
    pthread_mutex_lock(&b->job->mu);
    json_object_set_new(b->job->doc, "state", json_string(state));
    json_object_set_new(b->job->doc, "finished_at", json_string(now));
    json_object_set_new(b->job->doc, "error", error ? json_string(error) : json_null());
    if (!strcmp(state, "succeeded"))
        json_object_set_new(b->job->doc, "percent", json_real(100));
    json_object_del(b->job->doc, "phase");
    pthread_mutex_unlock(&b->job->mu);
}

lh_status lh__vec_build_run(const lh_vec_env *env, lh__vec_job *j, lh_err *err)
{
    build b;
    memset(&b, 0, sizeof b);
    b.env = env;
    b.job = j;
    lh_buf_init(&b.prefix, 0);
    pthread_mutex_lock(&j->mu);
    b.version = json_integer_value(json_object_get(j->doc, "source_version"));
    json_int_t br = json_integer_value(json_object_get(j->doc, "batch_rows"));
    lh_status st = lh__vec_spec_of_doc(j->doc, &b.spec, err);
    char now[32];
    lh_format_time(lh_now_ms(), now);
    json_object_set_new(j->doc, "state", json_string("running"));
    if (json_is_null(json_object_get(j->doc, "started_at")))
        json_object_set_new(j->doc, "started_at", json_string(now));
    pthread_mutex_unlock(&j->mu);
    b.batch_rows = br > 0 ? (size_t)br : LH_VEC_BATCH_ROWS;
    b.network = !st && strcmp(b.spec.provider, "builtin");
    if (!st && b.network && !env->network)
        st = lh_fail(err, LH_EUNSUPPORTED, "index '%s' is built with provider %s, which is not "
                     "configured now ([ai] provider)", b.spec.name, b.spec.provider);
    if (!st && b.network && !b.spec.model[0] && env->network_model)
        snprintf(b.spec.model, sizeof b.spec.model, "%s", env->network_model);
    if (!st && lh_vec_index_prefix(b.spec.name, &b.prefix))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh__vec_job_save(env->store, j, err);
    if (!st)
        st = run(&b, err);
    bool stop = st && atomic_load(&j->stop) && !atomic_load(&j->cancel);
    if (!stop) {
        if (!st) {
            finish(&b, "succeeded", NULL);
            json_t *v = json_pack("{s:s, s:I, s:I, s:I, s:s}", "dataset", b.spec.dataset,
                                  "table_version", (json_int_t)b.version, "rows",
                                  (json_int_t)b.rows_with_text, "chunks", (json_int_t)b.chunks_total,
                                  "model", b.spec.model);
            pthread_mutex_lock(&j->mu);
            const char *actor = json_string_value(json_object_get(j->doc, "actor"));
            char who[128];
            snprintf(who, sizeof who, "%s", actor ? actor : "cli");
            pthread_mutex_unlock(&j->mu);
            lh__vec_journal(env, b.spec.name, "build", v, who);
            json_decref(v);
        } else {
            bool cancel = atomic_load(&j->cancel);
            finish(&b, cancel ? "cancelled" : "failed", err->msg);
            lh_err e2;
            /* partial outputs go; a registry entry is never there (it is written last) */
            json_t *entry = NULL;
            if (lh_vec_registry_get(env->store, b.spec.name, &entry, &e2) == LH_ENOTFOUND &&
                b.spec.name[0])
                (void)lh__vec_remove_dir(env->store, b.spec.name, &e2);
            json_decref(entry);
        }
        lh_err e3;
        if (lh__vec_job_save(env->store, j, &e3))
            lh_log(LH_LOG_WARN, "vector job: %s", e3.msg);
        report(&b);
    }
    lh__vec_pool_free(b.pool);
    pend_clear(&b);
    free(b.pend);
    lh_chunk_list_release(&b.chunks);
    lh_bm25_free(b.bm25);
    if (!b.network)
        lh_ai_free(b.ai);
    lh_buf_release(&b.prefix);
    return st;
}
