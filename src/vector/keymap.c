/* keymap.c: a loaded index's distinct source keys -> their chunks (search_int.h), so a
 * set of allowed keys becomes a bitmap of allowed rows in one pass. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "vector/search_int.h"

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    /* murmur3's finaliser: every input bit reaches the low bits the table masks */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

static bool same(const lh_vec_index *idx, uint32_t row, const char *s, size_t len)
{
    const lh__vec_row *r = &idx->rows[row];
    return r->key_len == len && !memcmp(lh__vec_str(idx, r->key), s, len);
}

int64_t lh__vec_keymap_find(const lh_vec_index *idx, const char *key, size_t len)
{
    const lh__vec_keymap *m = &idx->keys;
    if (!m->nslots)
        return -1;
    for (size_t i = hash(key, len) & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
        uint32_t s = m->slots[i];
        if (!s)
            return -1;
        if (same(idx, m->first[s - 1], key, len))
            return s - 1;
    }
}

lh_status lh__vec_keymap_build(lh_vec_index *idx, lh_err *err)
{
    lh__vec_keymap *m = &idx->keys;
    size_t nslots = 16;
    while (nslots < idx->n * 2)
        nslots *= 2;
    m->slots = lh_calloc(nslots, sizeof *m->slots);
    m->first = lh_calloc(idx->n ? idx->n : 1, sizeof *m->first);
    m->next = lh_calloc(idx->n ? idx->n : 1, sizeof *m->next);
    if (!m->slots || !m->first || !m->next)
        return lh_fail(err, LH_ENOMEM, "index %s: out of memory for its keys", idx->name);
    m->nslots = nslots;
    /* last[key id]: the chain's tail, so each key's rows stay in table order */
    uint32_t *last = lh_calloc(idx->n ? idx->n : 1, sizeof *last);
    if (!last)
        return lh_fail(err, LH_ENOMEM, "index %s: out of memory for its keys", idx->name);
    for (size_t r = 0; r < idx->n; r++) {
        const char *k = lh__vec_str(idx, idx->rows[r].key);
        size_t len = idx->rows[r].key_len;
        m->next[r] = UINT32_MAX;
        size_t i = hash(k, len) & (nslots - 1);
        for (;; i = (i + 1) & (nslots - 1)) {
            uint32_t s = m->slots[i];
            if (!s) {
                m->slots[i] = (uint32_t)m->nkeys + 1;
                m->first[m->nkeys] = last[m->nkeys] = (uint32_t)r;
                idx->rows[r].key_id = (uint32_t)m->nkeys++;
                break;
            }
            if (same(idx, m->first[s - 1], k, len)) {
                m->next[last[s - 1]] = (uint32_t)r;
                last[s - 1] = (uint32_t)r;
                idx->rows[r].key_id = s - 1;
                break;
            }
        }
    }
    free(last);
    return LH_OK;
}

void lh__vec_keymap_release(lh__vec_keymap *m)
{
    free(m->slots);
    free(m->first);
    free(m->next);
    memset(m, 0, sizeof *m);
}
