/* hnsw.c: the HNSW graph's memory, its searches and its small mutations.
 *
 * A search is the paper's (Malkov & Yashunin, algorithms 2 and 5): a greedy descent
 * through the upper layers to one entry of layer 0, then a beam search of width ef there.
 * Two binary heaps (candidates nearest first, results farthest first) and an epoch-tagged
 * visited array (no clearing per search) live in a scratch taken from the graph's pool, so
 * a query allocates nothing once the pool is warm. Before scoring a node's neighbours the
 * walk gathers the unvisited ones and prefetches each one's vector while the previous is
 * scored: the vectors (3 KB at 768 dims) are what a search waits for.
 *
 * Filters and deletions: every node routes, only allowed and live rows enter the results;
 * while fewer than ef have been found every visited node stays a candidate, so the beam
 * widens by itself until it has ef admissible rows or the graph is exhausted (which is why
 * a very selective filter is better answered exactly: lh_hnsw_filter_prefers_exact). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/alloc.h"
#include "ann/hnsw_int.h"

/* ---- parameters and levels ----------------------------------------------------------- */

lh_status lh_hnsw_params_check(const lh_hnsw_params *p, lh_err *err)
{
    if (p->M < 2 || p->M > LH_HNSW_M_MAX)
        return lh_fail(err, LH_EINVAL, "M must be between 2 and %d, not %u", LH_HNSW_M_MAX, p->M);
    if (p->ef_construction < 1 || p->ef_construction > LH_HNSW_EF_MAX)
        return lh_fail(err, LH_EINVAL, "ef_construction must be between 1 and %d, not %u",
                       LH_HNSW_EF_MAX, p->ef_construction);
    if (p->ef_search < 1 || p->ef_search > LH_HNSW_EF_MAX)
        return lh_fail(err, LH_EINVAL, "ef_search must be between 1 and %d, not %u",
                       LH_HNSW_EF_MAX, p->ef_search);
    return LH_OK;
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int lh__hnsw_level(const lh_hnsw *h, uint32_t row)
{
    uint64_t z = mix64(h->p.seed + 0x9e3779b97f4a7c15ull * ((uint64_t)row + 1));
    double u = ((double)(z >> 11) + 1.0) / 9007199254740992.0; /* (0, 1] */
    double l = floor(-log(u) * h->mult);
    return l >= LH__HNSW_LEVEL_MAX ? LH__HNSW_LEVEL_MAX : (int)l;
}

/* ---- memory -------------------------------------------------------------------------- */

lh_status lh__hnsw_new(const float *base, size_t nbase, size_t dims, lh_vec_metric metric,
                       const lh_hnsw_params *p, size_t cap, lh_hnsw **out, lh_err *err)
{
    *out = NULL;
    lh_status st = lh_hnsw_params_check(p, err);
    if (st)
        return st;
    if (dims == 0)
        return lh_fail(err, LH_EINVAL, "vectors must have at least one dimension");
    if (metric != LH_VEC_DOT && metric != LH_VEC_COSINE && metric != LH_VEC_L2)
        return lh_fail(err, LH_EINVAL, "unknown vector metric %d", (int)metric);
    if (nbase >= UINT32_MAX)
        return lh_fail(err, LH_ETOOBIG, "an HNSW graph holds fewer than 2^32 rows, not %zu",
                       nbase);
    lh_hnsw *h = lh_calloc(1, sizeof *h);
    if (!h)
        return lh_fail(err, LH_ENOMEM, "out of memory for an HNSW graph");
    h->base = base;
    h->nbase = nbase;
    h->dims = dims;
    h->metric = metric;
    h->p = *p;
    h->kern = lh_simd_kernels_get();
    h->M0 = 2 * p->M;
    h->l0_stride = 1 + (size_t)h->M0;
    h->up_stride = 1 + (size_t)p->M;
    h->mult = 1.0 / log((double)p->M);
    h->max_level = -1;
    pthread_mutex_init(&h->pool_mu, NULL);
    st = lh__hnsw_reserve(h, cap, err);
    if (st) {
        lh_hnsw_free(h);
        return st;
    }
    *out = h;
    return LH_OK;
}

void lh_hnsw_free(lh_hnsw *h)
{
    if (!h)
        return;
    if (h->map) {
        munmap(h->map, h->map_len);
    } else {
        free(h->levels);
        free(h->l0);
        free(h->up);
    }
    free(h->deleted);
    free(h->up_off);
    free(h->l0d);
    while (h->pool) {
        lh__hnsw_scratch *s = h->pool;
        h->pool = s->next;
        lh__hnsw_scratch_free(s);
    }
    pthread_mutex_destroy(&h->pool_mu);
    free(h);
}

lh_status lh__hnsw_own(lh_hnsw *h, lh_err *err)
{
    if (!h->map)
        return LH_OK;
    int8_t *levels = lh_malloc(h->cap ? h->cap : 1);
    uint32_t *l0 = lh_malloc((h->cap ? h->cap : 1) * h->l0_stride * sizeof *l0);
    uint32_t *up = lh_malloc((h->up_len ? h->up_len : 1) * sizeof *up);
    if (!levels || !l0 || !up) {
        free(levels);
        free(l0);
        free(up);
        return lh_fail(err, LH_ENOMEM, "out of memory for an HNSW graph of %zu rows", h->cap);
    }
    memcpy(levels, h->levels, h->cap);
    memcpy(l0, h->l0, h->cap * h->l0_stride * sizeof *l0);
    if (h->up_len)
        memcpy(up, h->up, h->up_len * sizeof *up);
    munmap(h->map, h->map_len);
    h->map = NULL;
    h->map_len = 0;
    h->levels = levels;
    h->l0 = l0;
    h->up = up;
    h->up_cap = h->up_len ? h->up_len : 1;
    return LH_OK;
}

void lh_hnsw_advise_huge(void *p, size_t bytes)
{
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1), hi = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

lh_status lh__hnsw_reserve(lh_hnsw *h, size_t cap, lh_err *err)
{
    if (cap <= h->cap && h->levels)
        return LH_OK;
    lh_status st = lh__hnsw_own(h, err);
    if (st)
        return st;
    if (cap < h->cap)
        cap = h->cap;
    size_t c = cap ? cap : 1;
    if (c > SIZE_MAX / (h->l0_stride * sizeof(uint32_t)))
        return lh_fail(err, LH_ETOOBIG, "an HNSW graph of %zu rows is too large", cap);
    /* fresh arrays of exactly c rows (the caller doubles: lh_hnsw_add), the old copied */
    size_t words = lh_vec_bitmap_words(c), old_words = lh_vec_bitmap_words(h->cap);
    int8_t *levels = lh_malloc(c);
    uint32_t *l0 = lh_malloc(c * h->l0_stride * sizeof *l0);
    if (l0) /* every node a search expands reads its list: one TLB miss less each */
        lh_hnsw_advise_huge(l0, c * h->l0_stride * sizeof *l0);
    uint32_t *up_off = lh_malloc(c * sizeof *up_off);
    uint64_t *deleted = lh_malloc(words * sizeof *deleted);
    if (!levels || !l0 || !up_off || !deleted) {
        free(levels);
        free(l0);
        free(up_off);
        free(deleted);
        return lh_fail(err, LH_ENOMEM, "out of memory for an HNSW graph of %zu rows", cap);
    }
    if (h->cap) {
        memcpy(levels, h->levels, h->cap);
        memcpy(l0, h->l0, h->cap * h->l0_stride * sizeof *l0);
        memcpy(up_off, h->up_off, h->cap * sizeof *up_off);
        memcpy(deleted, h->deleted, old_words * sizeof *deleted);
    }
    free(h->levels);
    free(h->l0);
    free(h->up_off);
    free(h->deleted);
    h->levels = levels;
    h->l0 = l0;
    h->up_off = up_off;
    h->deleted = deleted;
    memset(h->levels + h->cap, -1, c - h->cap);
    memset(h->up_off + h->cap, 0, (c - h->cap) * sizeof *h->up_off);
    for (size_t r = h->cap; r < c; r++)
        h->l0[r * h->l0_stride] = 0;
    memset(h->deleted + old_words, 0, (words - old_words) * sizeof *h->deleted);
    if (h->cap % 64 && old_words) /* bits past the old cap in its last word are clear */
        h->deleted[old_words - 1] &= ((uint64_t)1 << (h->cap % 64)) - 1;
    h->cap = c;
    return LH_OK;
}

/* ---- scratch --------------------------------------------------------------------------- */

void lh__hnsw_scratch_free(lh__hnsw_scratch *s)
{
    if (!s)
        return;
    free(s->visited);
    free(s->cand);
    free(s->res);
    free(s->q);
    free(s->w);
    free(s);
}

lh__hnsw_scratch *lh__hnsw_scratch_get(const lh_hnsw *h)
{
    lh_hnsw *m = (lh_hnsw *)h; /* the pool is the one mutable part of a searched graph */
    pthread_mutex_lock(&m->pool_mu);
    lh__hnsw_scratch *s = m->pool;
    if (s)
        m->pool = s->next;
    pthread_mutex_unlock(&m->pool_mu);
    if (!s) {
        s = lh_calloc(1, sizeof *s);
        if (!s)
            return NULL;
    }
    s->next = NULL;
    if (s->visited_cap < h->cap) {
        free(s->visited);
        s->visited = lh_calloc(h->cap, sizeof *s->visited);
        s->visited_cap = s->visited ? h->cap : 0;
        s->epoch = 0;
    }
    if (s->dims < h->dims) {
        free(s->q);
        free(s->w);
        s->q = lh_malloc(h->dims * sizeof *s->q);
        s->w = lh_malloc(h->dims * sizeof *s->w);
        s->dims = s->q && s->w ? h->dims : 0;
    }
    if (!s->visited || !s->dims) {
        lh__hnsw_scratch_free(s);
        return NULL;
    }
    return s;
}

void lh__hnsw_scratch_put(const lh_hnsw *h, lh__hnsw_scratch *s)
{
    if (!s)
        return;
    lh_hnsw *m = (lh_hnsw *)h;
    pthread_mutex_lock(&m->pool_mu);
    s->next = m->pool;
    m->pool = s;
    pthread_mutex_unlock(&m->pool_mu);
}

uint32_t lh__hnsw_epoch(lh__hnsw_scratch *s)
{
    if (++s->epoch == 0) {
        memset(s->visited, 0, s->visited_cap * sizeof *s->visited);
        s->epoch = 1;
    }
    return s->epoch;
}

/* ---- heaps ----------------------------------------------------------------------------- */

/* a is farther than b: the order of both heaps (ties by row, for determinism). */
static inline bool farther(lh__hnsw_pair a, lh__hnsw_pair b)
{
    return a.d > b.d || (a.d == b.d && a.id > b.id);
}

/* Max-heap (farthest at [0]) when far is true, min-heap otherwise. */
static inline void heap_push(lh__hnsw_pair *hp, size_t *n, lh__hnsw_pair v, bool far)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (far ? !farther(v, hp[p]) : !farther(hp[p], v))
            break;
        hp[i] = hp[p];
        i = p;
    }
    hp[i] = v;
}

static inline void heap_pop(lh__hnsw_pair *hp, size_t *n, bool far)
{
    lh__hnsw_pair v = hp[--(*n)];
    size_t i = 0, m = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= m)
            break;
        if (c + 1 < m && (far ? farther(hp[c + 1], hp[c]) : farther(hp[c], hp[c + 1])))
            c++;
        if (far ? !farther(hp[c], v) : !farther(v, hp[c]))
            break;
        hp[i] = hp[c];
        i = c;
    }
    if (m)
        hp[i] = v;
}

static bool reserve_pairs(lh__hnsw_pair **a, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    return lh_grow(a, cap, need, sizeof **a) == LH_OK;
}

/* ---- the walk -------------------------------------------------------------------------- */

/* How the walk scores a row: on the float rows, or on the int8 codes. */
typedef struct walk {
    const lh_hnsw *h;
    const float *q;
    const int8_t *codes;     /* NULL = float */
    const float *sqnorm;
    const int16_t *w;
    float wscale;
    const uint64_t *allow;   /* NULL = every row */
    bool filtered;           /* allow or deletions: admit rows one by one */
    uint32_t skip;           /* never a result (an insertion's own row) */
} walk;

/* Bytes of a vector prefetched ahead of its scoring: the hardware prefetcher follows a
 * sequential read once it has started. */
#ifndef LH__HNSW_PREFETCH
#define LH__HNSW_PREFETCH 512
#endif

static inline void prefetch_row(const walk *k, uint32_t row)
{
    const char *p;
    size_t bytes;
    if (k->codes) {
        p = (const char *)(k->codes + (size_t)row * k->h->dims);
        bytes = k->h->dims;
    } else {
        p = (const char *)(k->h->base + (size_t)row * k->h->dims);
        bytes = k->h->dims * sizeof(float);
    }
    if (bytes > LH__HNSW_PREFETCH)
        bytes = LH__HNSW_PREFETCH;
    for (size_t o = 0; o < bytes; o += 64)
        __builtin_prefetch(p + o, 0, 3);
}

static inline float walk_dist(const walk *k, uint32_t row)
{
    if (!k->codes)
        return lh__hnsw_dist(k->h, k->q, row);
    int32_t dot;
    size_t dims = k->h->dims;
    k->h->kern->dot_i8_rows(k->w, k->codes + (size_t)row * dims, 1, dims, &dot);
    /* |q - x^|^2 - |q|^2 = |x^|^2 - 2 q.x^ (the same order as the true L2) */
    float d = k->h->metric == LH_VEC_L2 ? k->sqnorm[row] - 2.0f * k->wscale * (float)dot
                                        : -k->wscale * (float)dot;
    return isnan(d) ? INFINITY : d;
}

static inline bool admitted(const walk *k, uint32_t row)
{
    if (row == k->skip)
        return false;
    if (!k->filtered)
        return true;
    if (k->allow && !lh__hnsw_bit(k->allow, row))
        return false;
    return !lh__hnsw_deleted(k->h, row);
}

/* Greedy descent from (cur, dcur) through levels top..1: the nearest node found. */
static uint32_t descend(const walk *k, uint32_t cur, float dcur, int top)
{
    const lh_hnsw *h = k->h;
    for (int l = top; l >= 1; l--) {
        bool changed = true;
        while (changed) {
            changed = false;
            const uint32_t *ln = lh__hnsw_links(h, cur, l);
            uint32_t cnt = ln[0];
            for (uint32_t j = 1; j <= cnt; j++) {
                if (j < cnt)
                    prefetch_row(k, ln[j + 1]);
                float d = walk_dist(k, ln[j]);
                if (d < dcur || (d == dcur && ln[j] < cur)) {
                    dcur = d;
                    cur = ln[j];
                    changed = true;
                }
            }
        }
    }
    return cur;
}

/* The beam search of one level from entry: s->res gets up to ef admitted rows (a max-heap
 * of *out_n pairs). */
static lh_status beam(const walk *k, lh__hnsw_scratch *s, uint32_t entry, int level, size_t ef,
                      size_t *out_n)
{
    const lh_hnsw *h = k->h;
    *out_n = 0;
    if (!reserve_pairs(&s->res, &s->res_cap, ef + 1) ||
        !reserve_pairs(&s->cand, &s->cand_cap, ef + h->l0_stride + 64))
        return LH_ENOMEM;
    uint32_t epoch = lh__hnsw_epoch(s);
    uint32_t *vis = s->visited;
    size_t nc = 0, nr = 0;
    lh__hnsw_pair e = {walk_dist(k, entry), entry};
    vis[entry] = epoch;
    heap_push(s->cand, &nc, e, false);
    if (admitted(k, entry))
        heap_push(s->res, &nr, e, true);
    uint32_t todo[2 * LH_HNSW_M_MAX];
    while (nc) {
        lh__hnsw_pair c = s->cand[0];
        if (nr >= ef && c.d > s->res[0].d)
            break;
        heap_pop(s->cand, &nc, false);
        const uint32_t *ln = lh__hnsw_links(h, c.id, level);
        uint32_t cnt = ln[0], m = 0;
        for (uint32_t j = 1; j <= cnt; j++) {
            uint32_t id = ln[j];
            if (vis[id] != epoch) {
                vis[id] = epoch;
                todo[m++] = id;
            }
        }
        if (m)
            prefetch_row(k, todo[0]);
        if (nc + m > s->cand_cap && !reserve_pairs(&s->cand, &s->cand_cap, nc + m))
            return LH_ENOMEM;
        for (uint32_t i = 0; i < m; i++) {
            if (i + 1 < m)
                prefetch_row(k, todo[i + 1]);
            lh__hnsw_pair v = {walk_dist(k, todo[i]), todo[i]};
            if (nr < ef || farther(s->res[0], v)) {
                heap_push(s->cand, &nc, v, false);
                if (admitted(k, v.id)) {
                    heap_push(s->res, &nr, v, true);
                    if (nr > ef)
                        heap_pop(s->res, &nr, true);
                }
            }
        }
        if (nc) /* the links of the node expanded next (hnswlib does the same) */
            __builtin_prefetch(lh__hnsw_links(h, s->cand[0].id, level), 0, 3);
    }
    *out_n = nr;
    return LH_OK;
}

lh_status lh__hnsw_search_layer(const lh_hnsw *h, lh__hnsw_scratch *s, const float *q,
                                uint32_t entry, int level, size_t ef, uint32_t skip,
                                size_t *out_n)
{
    walk k = {.h = h, .q = q, .skip = skip};
    return beam(&k, s, entry, level, ef, out_n);
}

/* ---- search ---------------------------------------------------------------------------- */

/* The int8 form of the (normalised) query, as quant.c builds it: w = q * scale in int16,
 * bounded so that no int32 sum overflows. */
static lh_status q8_query(const lh_hnsw *h, const lh_vec_q8 *q8, walk *k, lh__hnsw_scratch *s,
                          lh_err *err)
{
    size_t dims = h->dims;
    if (lh__vec_q8_dims(q8) != dims || lh__vec_q8_rows(q8) < h->nbase)
        return lh_fail(err, LH_EINVAL, "the int8 copy (%zu x %zu) does not cover the graph's "
                       "%zu x %zu rows", lh__vec_q8_rows(q8), lh__vec_q8_dims(q8), h->nbase, dims);
    size_t wmax = (size_t)INT32_MAX / (127 * dims);
    if (wmax > 32767)
        wmax = 32767;
    if (wmax < 127)
        return lh_fail(err, LH_EUNSUPPORTED, "int8 search supports up to %d dimensions, not %zu",
                       INT32_MAX / (127 * 127), dims);
    const float *scale = lh__vec_q8_scales(q8);
    float amax = 0;
    for (size_t d = 0; d < dims; d++) {
        float a = fabsf(s->q[d] * scale[d]);
        if (isfinite(a) && a > amax)
            amax = a;
    }
    float wscale = amax > 0 ? amax / (float)wmax : 0;
    for (size_t d = 0; d < dims; d++) {
        float v = s->q[d] * scale[d];
        s->w[d] = (int16_t)(wscale > 0 && isfinite(v) ? lrintf(v / wscale) : 0);
    }
    k->codes = lh__vec_q8_codes(q8);
    k->sqnorm = lh__vec_q8_sqnorms(q8);
    k->w = s->w;
    k->wscale = wscale;
    return LH_OK;
}

static int pair_order(const void *x, const void *y)
{
    const lh__hnsw_pair *a = x, *b = y;
    return farther(*b, *a) ? -1 : farther(*a, *b) ? 1 : 0;
}

lh_status lh_hnsw_search(const lh_hnsw *h, const float *query, const lh_hnsw_search_opts *opts,
                         lh_vec_hit *out, size_t *out_n, lh_err *err)
{
    *out_n = 0;
    if (opts->k == 0)
        return lh_fail(err, LH_EINVAL, "k must be at least 1");
    if (h->count == 0 || h->max_level < 0)
        return LH_OK;
    size_t ef = opts->ef ? opts->ef : h->p.ef_search;
    if (ef < opts->k)
        ef = opts->k;
    lh__hnsw_scratch *s = lh__hnsw_scratch_get(h);
    if (!s)
        return lh_fail(err, LH_ENOMEM, "out of memory for an HNSW search");
    lh_status st = LH_OK;
    memcpy(s->q, query, h->dims * sizeof *s->q);
    if (h->metric == LH_VEC_COSINE)
        lh_vec_normalize(s->q, h->dims);
    walk k = {.h = h, .q = s->q, .allow = opts->allow, .skip = UINT32_MAX,
              .filtered = opts->allow || __atomic_load_n(&h->ndeleted, __ATOMIC_RELAXED)};
    if (opts->q8 && (st = q8_query(h, opts->q8, &k, s, err)))
        goto cleanup;
    uint32_t ep = descend(&k, h->entry, walk_dist(&k, h->entry), h->max_level);
    size_t nr = 0;
    if (beam(&k, s, ep, 0, ef, &nr)) {
        st = lh_fail(err, LH_ENOMEM, "out of memory for an HNSW search (ef %zu)", ef);
        goto cleanup;
    }
    lh__hnsw_pair *r = s->res;
    if (k.codes) /* the walk's order was approximate: score the beam exactly */
        for (size_t i = 0; i < nr; i++)
            r[i].d = lh__hnsw_dist(h, s->q, r[i].id);
    qsort(r, nr, sizeof *r, pair_order);
    size_t m = nr < opts->k ? nr : opts->k;
    for (size_t i = 0; i < m; i++) {
        float d = r[i].d;
        if (isinf(d)) /* a NaN mapped to +inf for the walk: report it as it is */
            d = h->metric == LH_VEC_L2 ? h->kern->l2sq(s->q, h->base + (size_t)r[i].id * h->dims, h->dims)
                                       : -h->kern->dot(s->q, h->base + (size_t)r[i].id * h->dims, h->dims);
        out[i].row = r[i].id;
        out[i].score = -d; /* a key: higher is better */
    }
    lh__vec_sort_hits(out, m); /* exact.h's order: ties by row, NaN last */
    if (h->metric == LH_VEC_L2)
        for (size_t i = 0; i < m; i++)
            out[i].score = -out[i].score;
    *out_n = m;
cleanup:
    lh__hnsw_scratch_put(h, s);
    return st;
}

bool lh_hnsw_filter_prefers_exact(size_t allowed, size_t n)
{
    return (double)allowed < LH_HNSW_FILTER_MIN_FRACTION * (double)n;
}

/* ---- small mutations and accessors ----------------------------------------------------- */

void lh_hnsw_set_base(lh_hnsw *h, const float *base, size_t n)
{
    for (size_t r = n; r < h->cap; r++) /* every row the graph holds stays in the base */
        lh_assert(h->levels[r] < 0);
    h->base = base;
    h->nbase = n;
}

lh_status lh_hnsw_add(lh_hnsw *h, uint32_t row, lh_err *err)
{
    if (row >= h->nbase)
        return lh_fail(err, LH_EINVAL, "row %u is past the %zu rows of the graph's vectors", row,
                       h->nbase);
    if (row < h->cap && h->levels[row] >= 0 && !lh__hnsw_bit(h->deleted, row))
        return lh_fail(err, LH_EEXIST, "row %u is already in the graph", row);
    size_t want = h->cap;
    while (want <= row)
        want = want ? want * 2 : 64;
    if (want > h->nbase)
        want = h->nbase;
    lh_status st = lh__hnsw_reserve(h, want, err);
    if (st)
        return st;
    if ((st = lh__hnsw_own(h, err)))
        return st;
    return lh__hnsw_insert_batch(h, &row, 1, 1, err);
}

void lh_hnsw_delete(lh_hnsw *h, uint32_t row)
{
    /* atomic: searches may be reading these words (hnsw.h); deletes are serialised by the
     * caller, so the test above cannot race another delete of the same row */
    if (row >= h->cap || h->levels[row] < 0 || lh__hnsw_deleted(h, row))
        return;
    __atomic_fetch_or(&h->deleted[row >> 6], (uint64_t)1 << (row & 63), __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->ndeleted, 1, __ATOMIC_RELAXED);
}

bool lh_hnsw_is_deleted(const lh_hnsw *h, uint32_t row)
{
    return row < h->cap && h->levels[row] >= 0 && lh__hnsw_bit(h->deleted, row);
}

size_t lh_hnsw_size(const lh_hnsw *h)
{
    return h->count;
}

size_t lh_hnsw_dims(const lh_hnsw *h)
{
    return h->dims;
}

lh_vec_metric lh_hnsw_metric(const lh_hnsw *h)
{
    return h->metric;
}

const lh_hnsw_params *lh_hnsw_get_params(const lh_hnsw *h)
{
    return &h->p;
}

size_t lh_hnsw_bytes(const lh_hnsw *h)
{
    return sizeof *h + h->cap * (1 + h->l0_stride * sizeof(uint32_t) + sizeof(uint32_t)) +
           lh_vec_bitmap_words(h->cap) * sizeof(uint64_t) + h->up_len * sizeof(uint32_t);
}
