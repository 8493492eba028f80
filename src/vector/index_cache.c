/* index_cache.c: the server's loaded indexes, by name and build (job id, last embedding
 * time, table version: lh__vec_stamp), within a memory bound (search.h, lh_vec_cache). A
 * get reads the registry entry (one small file) and loads the index when the cached copy
 * is of another build or version (a rebuild under the same name, a refresh) or missing;
 * a loaded index
 * is shared by the requests that hold it (reference counts) and freed when the last one
 * gives it back after it left the cache. Loading runs outside the lock. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "storage/storage.h"
#include "vector/index.h"
#include "vector/search_int.h"

#define CACHE_MAX_ENTRIES 64

struct lh_vec_cache {
    pthread_mutex_t mu;
    size_t max_bytes, bytes;
    lh_vec_index *items[CACHE_MAX_ENTRIES];
    size_t n;
    uint64_t tick;
};

lh_status lh_vec_cache_new(size_t max_bytes, lh_vec_cache **out, lh_err *err)
{
    lh_vec_cache *c = lh_calloc(1, sizeof *c);
    if (!c)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    pthread_mutex_init(&c->mu, NULL);
    c->max_bytes = max_bytes;
    *out = c;
    return LH_OK;
}

/* Drops items[i] from the cache (freed now when no request holds it). Under mu. */
static void evict(lh_vec_cache *c, size_t i)
{
    lh_vec_index *idx = c->items[i];
    c->items[i] = c->items[--c->n];
    c->bytes -= idx->bytes;
    idx->cached = false;
    if (!idx->refs)
        lh_vec_index_free(idx);
}

void lh_vec_cache_free(lh_vec_cache *c)
{
    if (!c)
        return;
    while (c->n)
        evict(c, c->n - 1);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

lh_status lh_vec_cache_get(lh_vec_cache *c, const lh_vec_senv *env, const char *name,
                           lh_vec_index **out, lh_err *err)
{
    *out = NULL;
    /* which build is current: one small read of its registry entry */
    json_t *entry = NULL;
    lh_err ignored = {{0}};
    char *stamp = NULL;
    if (!lh_vec_registry_get(env->store, name, &entry, &ignored))
        stamp = lh__vec_stamp(entry);
    json_decref(entry);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++) {
        lh_vec_index *idx = c->items[i];
        if (strcmp(idx->name, name))
            continue;
        if (stamp && !strcmp(idx->stamp, stamp)) {
            idx->refs++;
            idx->used = ++c->tick;
            *out = idx;
            pthread_mutex_unlock(&c->mu);
            free(stamp);
            return LH_OK;
        }
        evict(c, i); /* an older build or version (or the index was dropped) */
        break;
    }
    pthread_mutex_unlock(&c->mu);
    free(stamp);
    lh_vec_index *idx = NULL;
    lh_status st = lh_vec_index_load(env, name, &idx, err);
    if (st)
        return st;
    pthread_mutex_lock(&c->mu);
    idx->refs = 1;
    idx->used = ++c->tick;
    if (idx->bytes <= c->max_bytes) {
        /* room: the least recently used first */
        while (c->n && (c->bytes + idx->bytes > c->max_bytes || c->n == CACHE_MAX_ENTRIES)) {
            size_t lru = 0;
            for (size_t i = 1; i < c->n; i++)
                if (c->items[i]->used < c->items[lru]->used)
                    lru = i;
            evict(c, lru);
        }
        /* a concurrent load of the same index may have won: keep one */
        bool dup = false;
        for (size_t i = 0; i < c->n && !dup; i++)
            dup = !strcmp(c->items[i]->name, name) && !strcmp(c->items[i]->stamp, idx->stamp);
        if (!dup) {
            c->items[c->n++] = idx;
            c->bytes += idx->bytes;
            idx->cached = true;
        }
    }
    pthread_mutex_unlock(&c->mu);
    *out = idx;
    return LH_OK;
}

void lh_vec_cache_put(lh_vec_cache *c, lh_vec_index *idx)
{
    if (!idx)
        return;
    pthread_mutex_lock(&c->mu);
    bool gone = --idx->refs == 0 && !idx->cached;
    pthread_mutex_unlock(&c->mu);
    if (gone)
        lh_vec_index_free(idx);
}

bool lh_vec_cache_drop(lh_vec_cache *c, const char *name)
{
    bool found = false;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n;) {
        if (strcmp(c->items[i]->name, name)) {
            i++;
            continue;
        }
        evict(c, i); /* moves the last item into i: look at i again */
        found = true;
    }
    pthread_mutex_unlock(&c->mu);
    return found;
}
