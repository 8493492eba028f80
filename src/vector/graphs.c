/* graphs.c: the server's HNSW graphs (graphs.h): index name -> the active graph, swapped in
 * whole by an activation, held by reference count by the searches using it.
 *
 * Why a graph holds a cache reference to its index: the graph borrows the index's matrix
 * (hnsw.h), so the loaded index must live as long as the graph, whatever the cache evicts.
 * Why activations are serialised (build_mu): a build already uses both cores; two at once
 * would only double the memory. Searches never take build_mu. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ann/hnsw.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/fsio.h"
#include "core/sha256.h"
#include "core/util.h"
#include "storage/storage.h"
#include "vector/graphs.h"
#include "vector/index.h"
#include "vector/search_int.h"

struct lh_vec_graph {
    lh_hnsw *h;
    lh_vec_index *idx;      /* a cache reference (the matrix the graph links) */
    lh_vec_cache *cache;
    lh_hnsw_params p;
    int refs;               /* under lh_vec_graphs.mu: the slot's own + one per search */
};

typedef struct slot {
    char *index;
    lh_vec_graph *cur;      /* NULL: exact search */
    bool building;          /* a background activation is queued or running */
    char *failed_stamp;     /* the build whose background activation failed (not retried) */
    char *unpromoted_stamp; /* the build whose promotion record was read and held no config:
                             * not read again per search (a promotion, rollback or profile
                             * reaches the graphs through activate or deactivate, which clear
                             * it) */
} slot;

struct lh_vec_graphs {
    pthread_mutex_t mu;
    pthread_cond_t idle;
    slot *slots;
    size_t n, cap;
    int background;         /* background activations running */
    bool closing;           /* set by free: background builds stop */
    pthread_mutex_t build_mu;
};

lh_status lh_vec_graphs_new(lh_vec_graphs **out, lh_err *err)
{
    lh_vec_graphs *g = lh_calloc(1, sizeof *g);
    if (!g)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    pthread_mutex_init(&g->mu, NULL);
    pthread_mutex_init(&g->build_mu, NULL);
    pthread_cond_init(&g->idle, NULL);
    *out = g;
    return LH_OK;
}

static void graph_free(lh_vec_graph *gr)
{
    lh_hnsw_free(gr->h);
    lh_vec_cache_put(gr->cache, gr->idx);
    free(gr);
}

/* Drops one reference; the last one frees the graph and its index reference. */
static void release(lh_vec_graphs *g, lh_vec_graph *gr)
{
    if (!gr)
        return;
    pthread_mutex_lock(&g->mu);
    bool last = --gr->refs == 0;
    pthread_mutex_unlock(&g->mu);
    if (last)
        graph_free(gr);
}

void lh_vec_graphs_free(lh_vec_graphs *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->closing = true;
    while (g->background)
        pthread_cond_wait(&g->idle, &g->mu);
    pthread_mutex_unlock(&g->mu);
    for (size_t i = 0; i < g->n; i++) {
        release(g, g->slots[i].cur);
        free(g->slots[i].index);
        free(g->slots[i].failed_stamp);
        free(g->slots[i].unpromoted_stamp);
    }
    free(g->slots);
    pthread_cond_destroy(&g->idle);
    pthread_mutex_destroy(&g->build_mu);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* The slot of index (created when create; NULL when absent or out of memory). Under mu. */
static slot *find(lh_vec_graphs *g, const char *index, bool create)
{
    for (size_t i = 0; i < g->n; i++)
        if (!strcmp(g->slots[i].index, index))
            return &g->slots[i];
    if (!create || lh_grow(&g->slots, &g->cap, g->n + 1, sizeof *g->slots))
        return NULL;
    slot *s = &g->slots[g->n];
    *s = (slot){.index = lh_strdup(index)};
    if (!s->index)
        return NULL;
    g->n++;
    return s;
}

/* The same graph (ef_search is a search-time setting, not part of the graph). */
static bool same_graph(const lh_hnsw_params *a, const lh_hnsw_params *b)
{
    return a->M == b->M && a->ef_construction == b->ef_construction && a->seed == b->seed;
}

static bool same_params(const lh_hnsw_params *a, const lh_hnsw_params *b)
{
    return same_graph(a, b) && a->ef_search == b->ef_search;
}

/* "<16 hex of sha256(stamp)>-": the prefix of every graph file of one index build. */
static void build_prefix(const lh_vec_index *idx, char out[18])
{
    char hex[65];
    lh_sha256_hex(idx->stamp, strlen(idx->stamp), hex);
    memcpy(out, hex, 16);
    out[16] = '-';
    out[17] = '\0';
}

/* The local path of the graph file of idx with params p; *dir gets its directory. The
 * file does not depend on ef_search (a search-time setting), so one file serves every
 * promoted ef_search of a build. */
static lh_status graph_path(lh_store *store, const lh_vec_index *idx, const lh_hnsw_params *p,
                            lh_buf *path, lh_buf *dir, lh_err *err)
{
    char prefix[18];
    build_prefix(idx, prefix);
    lh_buf rel, key;
    lh_buf_init(&rel, 0);
    lh_buf_init(&key, 0);
    lh_buf_printf(&rel, "hnsw/%sM%u-efc%u-s%llu.hnsw", prefix, p->M, p->ef_construction,
                  (unsigned long long)p->seed);
    lh_status st = lh_buf_status(&rel) ? lh_fail(err, LH_ENOMEM, "out of memory") : LH_OK;
    if (!st && lh_vec_index_key(idx->name, rel.data, &key))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_store_local_path(store, key.data, path, err);
    lh_buf_reset(&key);
    if (!st && lh_vec_index_key(idx->name, "hnsw", &key))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_store_local_path(store, key.data, dir, err);
    lh_buf_release(&rel);
    lh_buf_release(&key);
    return st;
}

typedef struct sweep_ctx {
    lh_store *store;
    const char *index;
    char prefix[18];
} sweep_ctx;

static int sweep_one(void *ctx, const char *name, lh_entry_kind kind)
{
    sweep_ctx *c = ctx;
    if (kind != LH_ENTRY_FILE || !strncmp(name, c->prefix, 16))
        return 0;
    lh_buf rel, key;
    lh_buf_init(&rel, 0);
    lh_buf_init(&key, 0);
    lh_buf_printf(&rel, "hnsw/%s", name);
    lh_err err;
    if (!lh_buf_status(&rel) && !lh_vec_index_key(c->index, rel.data, &key))
        (void)lh_store_delete(c->store, key.data, &err);
    lh_buf_release(&rel);
    lh_buf_release(&key);
    return 0;
}

/* Removes the graph files of other builds of idx (a refresh or rebuild made them useless). */
static void sweep_old(lh_store *store, const lh_vec_index *idx)
{
    sweep_ctx c = {.store = store, .index = idx->name};
    build_prefix(idx, c.prefix);
    lh_buf key;
    lh_buf_init(&key, 0);
    lh_err err;
    if (!lh_vec_index_key(idx->name, "hnsw", &key))
        (void)lh_store_list_dir(store, key.data, sweep_one, &c, &err);
    lh_buf_release(&key);
}

static int stop_when_closing(void *ctx, size_t done, size_t total)
{
    (void)done;
    (void)total;
    lh_vec_graphs *g = ctx;
    pthread_mutex_lock(&g->mu);
    bool stop = g->closing;
    pthread_mutex_unlock(&g->mu);
    return stop;
}

/* The graph of idx with p: from its file when that is valid for this build, else built on
 * every core and saved (a failed save is logged: the graph still serves). */
static lh_status make_graph(lh_vec_graphs *g, lh_store *store, const lh_vec_index *idx,
                            const lh_hnsw_params *p, lh_hnsw **out, const char **source,
                            lh_err *err)
{
    lh_buf path, dir;
    lh_buf_init(&path, 0);
    lh_buf_init(&dir, 0);
    lh_status st = graph_path(store, idx, p, &path, &dir, err);
    int64_t version = -1;
    lh_err lerr;
    lh_status ls = st ? st : lh_hnsw_load(path.data, idx->matrix, idx->n, idx->dims, out, &version,
                                         &lerr);
    if (!ls && (version != idx->version || lh_hnsw_size(*out) != idx->n ||
                !same_graph(lh_hnsw_get_params(*out), p))) {
        lh_hnsw_free(*out); /* another table version under the same stamp: not ours */
        *out = NULL;
        ls = LH_ECORRUPT;
        snprintf(lerr.msg, sizeof lerr.msg, "it was made for other rows or parameters");
    }
    if (!st && !ls) {
        *source = "file";
    } else if (!st) {
        if (ls != LH_ENOTFOUND)
            lh_log(LH_LOG_WARN, "vector index '%s': graph file not used (%s); rebuilding",
                   idx->name, lerr.msg);
        st = lh_hnsw_build(idx->matrix, idx->n, idx->dims, LH_VEC_COSINE, p, 0, stop_when_closing,
                           g, out, err);
        *source = "built";
        lh_err serr;
        if (!st && (lh_mkdirs(dir.data, &serr) || lh_hnsw_save(*out, idx->version, path.data,
                                                               &serr)))
            lh_log(LH_LOG_WARN, "vector index '%s': graph not saved: %s", idx->name, serr.msg);
        else if (!st)
            sweep_old(store, idx);
    }
    lh_buf_release(&path);
    lh_buf_release(&dir);
    return st;
}

lh_status lh_vec_graphs_activate(lh_vec_graphs *g, lh_vec_cache *cache, const lh_vec_senv *env,
                                 const char *index, const lh_hnsw_params *p, json_t **report,
                                 lh_err *err)
{
    if (report)
        *report = NULL;
    lh_hnsw_params params = LH_HNSW_DEFAULTS;
    bool has = false;
    lh_status st = p ? lh_hnsw_params_check(p, err)
                     : lh_vec_promoted_params(env->store, index, &params, &has, err);
    if (st)
        return st;
    if (p)
        params = *p;
    pthread_mutex_lock(&g->build_mu);
    int64_t t0 = lh_now_ms();
    lh_vec_index *idx = NULL;
    st = lh_vec_cache_get(cache, env, index, &idx, err);
    const char *source = "active";
    lh_vec_graph *gr = NULL;
    if (!st) {
        pthread_mutex_lock(&g->mu);
        slot *s = find(g, index, false);
        if (s && s->cur && !strcmp(s->cur->idx->stamp, idx->stamp) &&
            same_params(&s->cur->p, &params)) {
            gr = s->cur; /* already what was asked for */
            gr->refs++;
        }
        pthread_mutex_unlock(&g->mu);
    }
    if (!st && !gr) {
        lh_hnsw *h = NULL;
        st = make_graph(g, env->store, idx, &params, &h, &source, err);
        if (!st && !(gr = lh_calloc(1, sizeof *gr))) {
            lh_hnsw_free(h);
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        }
        if (!st) {
            *gr = (lh_vec_graph){.h = h, .idx = idx, .cache = cache, .p = params, .refs = 2};
            idx = NULL; /* the graph holds the reference now */
            pthread_mutex_lock(&g->mu);
            slot *s = find(g, index, true);
            lh_vec_graph *old = s ? s->cur : NULL;
            if (s) {
                s->cur = gr; /* the swap: searches from now on take the new graph */
                free(s->failed_stamp);
                s->failed_stamp = NULL;
                free(s->unpromoted_stamp);
                s->unpromoted_stamp = NULL;
            } else {
                gr->refs--;
            }
            pthread_mutex_unlock(&g->mu);
            if (!s)
                st = lh_fail(err, LH_ENOMEM, "out of memory");
            release(g, old);
        }
    }
    if (!st && report) {
        const lh_vec_index *x = gr->idx;
        *report = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s, s:I, s:I, s:I}", "index", index, "M",
                            (json_int_t)params.M, "ef_construction",
                            (json_int_t)params.ef_construction, "ef_search",
                            (json_int_t)params.ef_search, "seed", (json_int_t)params.seed,
                            "source", source, "rows", (json_int_t)x->n, "build_ms",
                            (json_int_t)(lh_now_ms() - t0), "bytes",
                            (json_int_t)lh_hnsw_bytes(gr->h));
    }
    release(g, gr);
    lh_vec_cache_put(cache, idx);
    pthread_mutex_unlock(&g->build_mu);
    return st;
}

bool lh_vec_graphs_deactivate(lh_vec_graphs *g, const char *index)
{
    pthread_mutex_lock(&g->mu);
    slot *s = find(g, index, false);
    lh_vec_graph *old = s ? s->cur : NULL;
    if (s) {
        s->cur = NULL;
        free(s->unpromoted_stamp); /* the record may have changed: read it again */
        s->unpromoted_stamp = NULL;
    }
    pthread_mutex_unlock(&g->mu);
    release(g, old);
    return old != NULL;
}

json_t *lh_vec_graphs_stats(lh_vec_graphs *g)
{
    json_t *out = json_object();
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; out && i < g->n; i++) {
        const slot *s = &g->slots[i];
        if (!s->cur && !s->building)
            continue;
        json_t *o = json_pack("{s:b}", "building", s->building);
        if (o && s->cur)
            json_object_update_new(
                o, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "M", (json_int_t)s->cur->p.M,
                             "ef_construction", (json_int_t)s->cur->p.ef_construction,
                             "ef_search", (json_int_t)s->cur->p.ef_search, "seed",
                             (json_int_t)s->cur->p.seed, "rows", (json_int_t)s->cur->idx->n,
                             "bytes", (json_int_t)lh_hnsw_bytes(s->cur->h)));
        json_object_set_new(out, s->index, o);
    }
    pthread_mutex_unlock(&g->mu);
    return out;
}

/* ---- background activation (a promoted index's first search) ------------------------ */

typedef struct bg_job {
    lh_vec_graphs *g;
    lh_vec_cache *cache;
    lh_vec_senv env;        /* a copy: the request that started it is gone by then */
    char *index;
    char *stamp;            /* the build the search saw */
    lh_hnsw_params p;
    bool has_params;        /* rebuild with the active graph's params (else the promoted) */
} bg_job;

static void *bg_run(void *arg)
{
    bg_job *j = arg;
    lh_err err;
    lh_status st = lh_vec_graphs_activate(j->g, j->cache, &j->env, j->index,
                                          j->has_params ? &j->p : NULL, NULL, &err);
    if (st)
        lh_log(LH_LOG_WARN, "vector index '%s': HNSW graph not activated: %s", j->index, err.msg);
    lh_vec_graphs *g = j->g;
    pthread_mutex_lock(&g->mu);
    slot *s = find(g, j->index, false);
    if (s) {
        s->building = false;
        if (st) {
            free(s->failed_stamp);
            s->failed_stamp = j->stamp;
            j->stamp = NULL;
        }
    }
    g->background--;
    pthread_cond_broadcast(&g->idle);
    pthread_mutex_unlock(&g->mu);
    free(j->index);
    free(j->stamp);
    free(j);
    return NULL;
}

/* Starts the background activation of idx (under mu; the slot is s). */
static void start_background(lh_vec_graphs *g, slot *s, lh_vec_cache *cache,
                             const lh_vec_senv *env, const lh_vec_index *idx,
                             const lh_hnsw_params *p)
{
    bg_job *j = lh_calloc(1, sizeof *j);
    if (!j)
        return;
    *j = (bg_job){.g = g, .cache = cache, .env = *env, .index = lh_strdup(idx->name),
                  .stamp = lh_strdup(idx->stamp), .has_params = p != NULL};
    if (p)
        j->p = *p;
    pthread_attr_t attr;
    pthread_t t;
    bool ok = j->index && j->stamp && !pthread_attr_init(&attr);
    if (ok) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        ok = !pthread_create(&t, &attr, bg_run, j);
        pthread_attr_destroy(&attr);
    }
    if (!ok) {
        free(j->index);
        free(j->stamp);
        free(j);
        return;
    }
    s->building = true;
    g->background++;
}

const lh_vec_graph *lh_vec_graphs_get(lh_vec_graphs *g, lh_vec_cache *cache,
                                      const lh_vec_senv *env, const lh_vec_index *idx)
{
    pthread_mutex_lock(&g->mu);
    slot *s = find(g, idx->name, false);
    lh_vec_graph *gr = s ? s->cur : NULL;
    if (gr && !strcmp(gr->idx->stamp, idx->stamp)) {
        gr->refs++;
        pthread_mutex_unlock(&g->mu);
        return gr;
    }
    bool quiet = g->closing ||
                 (s && (s->building ||
                        (s->failed_stamp && !strcmp(s->failed_stamp, idx->stamp)) ||
                        (!gr && s->unpromoted_stamp && !strcmp(s->unpromoted_stamp, idx->stamp))));
    lh_hnsw_params p;
    bool rebuild = gr != NULL; /* a graph of an older build: the same params on this one */
    if (rebuild)
        p = gr->p;
    pthread_mutex_unlock(&g->mu);
    if (quiet)
        return NULL;
    bool promoted = false;
    lh_err err;
    if (!rebuild && lh_vec_promoted_params(env->store, idx->name, &p, &promoted, &err))
        promoted = false;
    if (!rebuild && !promoted) {
        pthread_mutex_lock(&g->mu);
        s = find(g, idx->name, true);
        if (s && !s->cur) {
            free(s->unpromoted_stamp);
            s->unpromoted_stamp = lh_strdup(idx->stamp); /* NULL: read again next time */
        }
        pthread_mutex_unlock(&g->mu);
        return NULL;
    }
    pthread_mutex_lock(&g->mu);
    s = find(g, idx->name, true);
    if (s && !s->building && !g->closing)
        start_background(g, s, cache, env, idx, rebuild ? &p : NULL);
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

const lh_hnsw *lh_vec_graph_hnsw(const lh_vec_graph *gr) { return gr->h; }

unsigned lh_vec_graph_ef(const lh_vec_graph *gr) { return gr->p.ef_search; }

void lh_vec_graphs_put(lh_vec_graphs *g, const lh_vec_graph *gr)
{
    release(g, (lh_vec_graph *)gr);
}

void lh_vec_graphs_forget_keys(lh_vec_graphs *g, const char *dataset, const json_t *keys)
{
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < g->n; i++) {
        lh_vec_graph *gr = g->slots[i].cur;
        if (!gr || strcmp(gr->idx->dataset, dataset))
            continue;
        size_t k;
        json_t *key;
        json_array_foreach(keys, k, key) {
            char num[24]; /* an integer key: the index holds keys as text */
            const char *s = json_string_value(key);
            if (json_is_integer(key)) {
                snprintf(num, sizeof num, "%lld", (long long)json_integer_value(key));
                s = num;
            }
            int64_t id = s ? lh__vec_keymap_find(gr->idx, s, strlen(s)) : -1;
            for (uint32_t r = id >= 0 ? gr->idx->keys.first[id] : UINT32_MAX; r != UINT32_MAX;
                 r = gr->idx->keys.next[r])
                lh_hnsw_delete(gr->h, r);
        }
    }
    pthread_mutex_unlock(&g->mu);
}
