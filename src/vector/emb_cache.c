/* emb_cache.c: the embedding cache of tuning (tune.h, lh_vec_embcache): per (eval, index
 * build) the eval's query vectors and exact truth, pinned in memory and shared by trials,
 * each holding a reference to its loaded index. A get takes the index from the loaded-index
 * cache (which reads the registry entry: a rebuilt or refreshed index is a new build, so a
 * new entry), then looks for (eval, build); a miss prepares the set outside the lock
 * (hnsw_evals.c). Entries in use are never freed; the least recently used unused ones go
 * first when a bound is passed. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "vector/tune_int.h"

struct lh_vec_embcache {
    pthread_mutex_t mu;
    lh_vec_cache *indexes;
    size_t max_bytes, bytes;
    lh__tune_set *items[LH_EMBCACHE_ENTRIES];
    size_t n;
    uint64_t tick, hits, misses, evictions;
    uint64_t generation;       /* bumped by forget: a set prepared across it is not kept */
};

lh_status lh_vec_embcache_new(size_t max_bytes, lh_vec_cache *indexes, lh_vec_embcache **out,
                              lh_err *err)
{
    lh_vec_embcache *c = lh_calloc(1, sizeof *c);
    if (!c)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    pthread_mutex_init(&c->mu, NULL);
    c->indexes = indexes;
    c->max_bytes = max_bytes;
    *out = c;
    return LH_OK;
}

/* Takes items[i] out (freed now unless in use). Under mu. */
static void drop(lh_vec_embcache *c, size_t i)
{
    lh__tune_set *s = c->items[i];
    c->items[i] = c->items[--c->n];
    c->bytes -= s->bytes;
    s->cached = false;
    if (!s->refs)
        lh__tune_set_free(c->indexes, s);
}

void lh_vec_embcache_free(lh_vec_embcache *c)
{
    if (!c)
        return;
    while (c->n)
        drop(c, c->n - 1);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Room for one more entry of bytes: the least recently used unused entries go. Under mu. */
static void make_room(lh_vec_embcache *c, size_t bytes)
{
    while (c->n && (c->bytes + bytes > c->max_bytes || c->n == LH_EMBCACHE_ENTRIES)) {
        size_t lru = SIZE_MAX;
        for (size_t i = 0; i < c->n; i++)
            if (!c->items[i]->refs && (lru == SIZE_MAX || c->items[i]->used < c->items[lru]->used))
                lru = i;
        if (lru == SIZE_MAX)
            return; /* everything is in use */
        drop(c, lru);
        c->evictions++;
    }
}

lh_status lh__embcache_get(const lh_vec_tune_env *te, const char *index, const char *eval,
                           lh__tune_set **out, lh_err *err)
{
    lh_vec_embcache *c = te->emb;
    *out = NULL;
    lh_vec_index *idx = NULL;
    lh_status st = lh_vec_cache_get(te->indexes, &te->senv, index, &idx, err);
    if (st)
        return st;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++) {
        lh__tune_set *s = c->items[i];
        if (strcmp(s->eval, eval) || strcmp(s->idx->name, idx->name))
            continue;
        if (!strcmp(s->stamp, idx->stamp)) {
            s->refs++;
            s->hits++;
            s->used = ++c->tick;
            c->hits++;
            *out = s;
            break;
        }
        drop(c, i--); /* of an older build of the index: never asked for again */
    }
    if (!*out)
        c->misses++;
    uint64_t gen = c->generation;
    pthread_mutex_unlock(&c->mu);
    if (*out) {
        lh_vec_cache_put(te->indexes, idx);
        return LH_OK;
    }
    lh__tune_set *s = NULL;
    st = lh__eval_prepare(te, idx, eval, &s, err);
    if (st) {
        lh_vec_cache_put(te->indexes, idx);
        return st;
    } /* else the set holds the reference */
    pthread_mutex_lock(&c->mu);
    s->refs = 1;
    s->used = ++c->tick;
    /* a concurrent miss of the same set may have won: keep one */
    bool dup = false;
    for (size_t i = 0; i < c->n && !dup; i++)
        dup = !strcmp(c->items[i]->eval, eval) && !strcmp(c->items[i]->idx->name, s->idx->name) &&
              !strcmp(c->items[i]->stamp, s->stamp);
    if (!dup && s->bytes <= c->max_bytes && gen == c->generation) {
        make_room(c, s->bytes);
        if (c->n < LH_EMBCACHE_ENTRIES && c->bytes + s->bytes <= c->max_bytes) {
            c->items[c->n++] = s;
            c->bytes += s->bytes;
            s->cached = true;
        }
    }
    pthread_mutex_unlock(&c->mu);
    *out = s;
    return LH_OK;
}

void lh__embcache_put(lh_vec_embcache *c, lh__tune_set *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&c->mu);
    bool gone = --s->refs == 0 && !s->cached;
    pthread_mutex_unlock(&c->mu);
    if (gone)
        lh__tune_set_free(c->indexes, s);
}

void lh__embcache_forget(lh_vec_embcache *c, const char *eval)
{
    pthread_mutex_lock(&c->mu);
    c->generation++;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->items[i]->eval, eval))
            drop(c, i--);
    pthread_mutex_unlock(&c->mu);
}

json_t *lh_vec_embcache_stats(lh_vec_embcache *c)
{
    json_t *items = json_array();
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; items && i < c->n; i++) {
        const lh__tune_set *s = c->items[i];
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:b}", "eval",
                                               s->eval, "index", s->idx->name, "stamp", s->stamp,
                                               "queries", (json_int_t)s->nq, "dims",
                                               (json_int_t)s->dims, "bytes", (json_int_t)s->bytes,
                                               "hits", (json_int_t)s->hits, "in_use", s->refs > 0));
    }
    json_t *out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "entries", (json_int_t)c->n,
                            "bytes", (json_int_t)c->bytes, "max_entries",
                            (json_int_t)LH_EMBCACHE_ENTRIES, "max_bytes", (json_int_t)c->max_bytes,
                            "hits", (json_int_t)c->hits, "misses", (json_int_t)c->misses,
                            "evictions", (json_int_t)c->evictions, "items",
                            items ? items : json_array());
    pthread_mutex_unlock(&c->mu);
    return out;
}
