/* dict.c: the term dictionary (strings -> dense ids), an open-addressing hash table over
 * one string pool. */
#include <stdlib.h>
#include <string.h>

#include "ai/ai_int.h"
#include "core/alloc.h"

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a, then a final mix for the low bits */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

void lh__ai_dict_init(lh__ai_dict *d)
{
    memset(d, 0, sizeof *d);
}

void lh__ai_dict_release(lh__ai_dict *d)
{
    free(d->slots);
    free(d->pool);
    free(d->off);
    free(d->len);
    memset(d, 0, sizeof *d);
}

const char *lh__ai_dict_str(const lh__ai_dict *d, uint32_t id, size_t *len)
{
    lh_assert(id < d->n);
    *len = d->len[id];
    return d->pool + d->off[id];
}

static bool same(const lh__ai_dict *d, uint32_t id, const char *s, size_t len)
{
    return d->len[id] == len && memcmp(d->pool + d->off[id], s, len) == 0;
}

int64_t lh__ai_dict_find(const lh__ai_dict *d, const char *s, size_t len)
{
    if (!d->nslots)
        return -1;
    size_t mask = d->nslots - 1;
    for (size_t i = hash_bytes(s, len) & mask;; i = (i + 1) & mask) {
        uint32_t v = d->slots[i];
        if (!v)
            return -1;
        if (same(d, v - 1, s, len))
            return v - 1;
    }
}

static void place(uint32_t *slots, size_t nslots, uint64_t h, uint32_t id)
{
    size_t mask = nslots - 1;
    size_t i = h & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = id + 1;
}

static lh_status rehash(lh__ai_dict *d, size_t nslots)
{
    uint32_t *slots = lh_calloc(nslots, sizeof *slots);
    if (!slots)
        return LH_ENOMEM;
    for (uint32_t id = 0; id < d->n; id++)
        place(slots, nslots, hash_bytes(d->pool + d->off[id], d->len[id]), id);
    free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    return LH_OK;
}

lh_status lh__ai_dict_intern(lh__ai_dict *d, const char *s, size_t len, uint32_t *id, bool *added)
{
    int64_t found = lh__ai_dict_find(d, s, len);
    if (added)
        *added = found < 0;
    if (found >= 0) {
        *id = (uint32_t)found;
        return LH_OK;
    }
    if (d->n >= UINT32_MAX - 1)
        return LH_ETOOBIG;
    /* keep the load under one half */
    if ((d->n + 1) * 2 > d->nslots) {
        lh_status st = rehash(d, d->nslots ? d->nslots * 2 : 1024);
        if (st)
            return st;
    }
    size_t cap = d->cap;
    lh_status st = lh_grow(&d->off, &cap, d->n + 1, sizeof *d->off);
    if (!st) {
        cap = d->cap;
        st = lh_grow(&d->len, &cap, d->n + 1, sizeof *d->len);
    }
    if (st)
        return st;
    d->cap = cap;
    st = lh_grow(&d->pool, &d->pool_cap, d->pool_len + len + 1, 1);
    if (st)
        return st;
    memcpy(d->pool + d->pool_len, s, len);
    d->pool[d->pool_len + len] = '\0';
    uint32_t nid = (uint32_t)d->n;
    d->off[nid] = d->pool_len;
    d->len[nid] = (uint32_t)len;
    d->pool_len += len + 1;
    d->n++;
    place(d->slots, d->nslots, hash_bytes(s, len), nid);
    *id = nid;
    return LH_OK;
}
