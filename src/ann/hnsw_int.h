/* hnsw_int.h: private to src/ann/hnsw*.c (and their unit test and fuzz harness).
 *
 * The graph's memory: layer 0 is one flat array of rows x (1 + 2M) uint32 (a count, then
 * the neighbour ids), so a search walks it without chasing pointers; the upper layers,
 * which hold about 1/M of the rows each, are lists of (1 + M) uint32 in one pool, a node's
 * levels 1..L side by side from up_off[row]. levels[row] is -1 for a row not in the graph.
 * After lh_hnsw_load the levels, layer 0 and the pool point into the mapped file; the
 * first change (add) copies them to the heap (hnsw_own). */
#ifndef LH_ANN_HNSW_INT_H
#define LH_ANN_HNSW_INT_H

#include <math.h>
#include <pthread.h>

#include "ann/ann_int.h"
#include "ann/hnsw.h"

/* Levels above this are clamped (a node's level is -ln(U) / ln(M): 32 is out of reach
 * for any M >= 2 and any U a 53-bit generator can give above 2^-46). */
#define LH__HNSW_LEVEL_MAX 32

/* The scratch of one search (or of one build worker): the visited tags, the two heaps,
 * a query copy and its int8 form. Reused through the graph's pool. */
typedef struct lh__hnsw_pair {
    float d;      /* distance: lower is nearer (-dot for DOT and COSINE, l2sq for L2) */
    uint32_t id;
} lh__hnsw_pair;

typedef struct lh__hnsw_scratch {
    struct lh__hnsw_scratch *next;
    uint32_t *visited;       /* visited[r] == epoch: seen in this search */
    size_t visited_cap;
    uint32_t epoch;
    lh__hnsw_pair *cand, *res;
    size_t cand_cap, res_cap;
    float *q;                /* dims: the query (COSINE: normalised) */
    int16_t *w;              /* dims: the int8 walk's query */
    size_t dims;
} lh__hnsw_scratch;

struct lh_hnsw {
    const float *base;       /* borrowed: nbase x dims */
    size_t nbase, dims;
    lh_vec_metric metric;
    lh_hnsw_params p;
    const lh_simd_kernels *kern;
    uint32_t M0;             /* layer-0 capacity: 2M */
    size_t l0_stride;        /* 1 + M0 */
    size_t up_stride;        /* 1 + M */
    double mult;             /* 1 / ln(M) */

    size_t cap;              /* rows the arrays below hold */
    size_t count;            /* rows in the graph (deleted included) */
    int8_t *levels;          /* cap */
    uint64_t *deleted;       /* lh_vec_bitmap_words(cap); always on the heap */
    uint32_t *l0;            /* cap x l0_stride */
    uint32_t *up_off;        /* cap: start of the node's level-1 list in up; heap */
    uint32_t *up;            /* up_len used of up_cap */
    size_t up_len, up_cap;
    float *l0d;              /* during lh_hnsw_build only: cap x M0, the distance of each
                              * layer-0 link to its node (a full list's prune then scores
                              * only the new link's rivals among each other), else NULL */
    size_t ndeleted;
    uint32_t entry;          /* valid when count > 0 */
    int max_level;           /* -1 when empty */

    void *map;               /* the mapped file, or NULL: levels, l0, up point into it */
    size_t map_len;

    pthread_mutex_t pool_mu; /* guards pool (searches run from many threads) */
    lh__hnsw_scratch *pool;
};

static inline uint32_t *lh__hnsw_links(const lh_hnsw *h, uint32_t row, int level)
{
    if (level == 0)
        return h->l0 + (size_t)row * h->l0_stride;
    return h->up + h->up_off[row] + (size_t)(level - 1) * h->up_stride;
}

/* The distance of q to row: lower is nearer; NaN becomes +inf so that the heaps stay
 * ordered (a NaN row is the farthest, as exact.h ranks it last). */
static inline float lh__hnsw_dist(const lh_hnsw *h, const float *q, uint32_t row)
{
    const float *x = h->base + (size_t)row * h->dims;
    float d = h->metric == LH_VEC_L2 ? h->kern->l2sq(q, x, h->dims) : -h->kern->dot(q, x, h->dims);
    return isnan(d) ? INFINITY : d;
}

static inline bool lh__hnsw_bit(const uint64_t *bits, uint32_t row)
{
    return (bits[row >> 6] >> (row & 63)) & 1;
}

/* The deleted flag as a search reads it: lh_hnsw_delete may set it meanwhile (hnsw.h). */
static inline bool lh__hnsw_deleted(const lh_hnsw *h, uint32_t row)
{
    return (__atomic_load_n(&h->deleted[row >> 6], __ATOMIC_RELAXED) >> (row & 63)) & 1;
}

/* The level of row for the graph's seed: a hash of (seed, row), so it does not depend on
 * the insertion order or the thread count. */
int lh__hnsw_level(const lh_hnsw *h, uint32_t row);

/* A new empty graph (count 0) over base; arrays sized for cap rows. */
lh_status lh__hnsw_new(const float *base, size_t nbase, size_t dims, lh_vec_metric metric,
                       const lh_hnsw_params *p, size_t cap, lh_hnsw **out, lh_err *err);

/* Grows the arrays to hold cap rows (copying a mapped graph to the heap first). */
lh_status lh__hnsw_reserve(lh_hnsw *h, size_t cap, lh_err *err);

/* Copies a mapped graph's levels, layer 0 and upper pool to the heap and unmaps it. */
lh_status lh__hnsw_own(lh_hnsw *h, lh_err *err);

/* A scratch for dims-wide queries over h->cap rows, from the pool or new; NULL when out
 * of memory. Give it back with lh__hnsw_scratch_put. */
lh__hnsw_scratch *lh__hnsw_scratch_get(const lh_hnsw *h);
void lh__hnsw_scratch_put(const lh_hnsw *h, lh__hnsw_scratch *s);
void lh__hnsw_scratch_free(lh__hnsw_scratch *s);
/* A fresh visited epoch (clears the tags on wrap-around). */
uint32_t lh__hnsw_epoch(lh__hnsw_scratch *s);

/* The ef nearest nodes of level `level` to q found from entry (a greedy beam search on the
 * graph as it stands), into s->res as a max-heap of *out_n pairs (unordered). skip: a row
 * never returned (UINT32_MAX = none). LH_ENOMEM only. */
lh_status lh__hnsw_search_layer(const lh_hnsw *h, lh__hnsw_scratch *s, const float *q,
                                uint32_t entry, int level, size_t ef, uint32_t skip,
                                size_t *out_n);

/* Inserts rows[0..count-1] (present in base, not in the graph) as one batch: every row
 * searches the graph as it stood before the batch (on `threads` workers), then the links
 * are written in row order. count 1 is the serial insertion of the paper. */
lh_status lh__hnsw_insert_batch(lh_hnsw *h, const uint32_t *rows, size_t count, int threads,
                                lh_err *err);

#endif
