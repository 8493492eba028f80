/* topk.c: the brute-force top-k scan: rows split into contiguous ranges, one per thread,
 * each kept in a bounded heap of its k best, the heaps merged at the end.
 *
 * The ranges start on 64-row boundaries, so a block of rows is one word of the allow
 * bitmap and a word of zeros skips its 64 rows unscored. The order of hits is total (key,
 * then row, NaN last), which is what makes the result independent of how the rows were
 * split: each range keeps its own k best under that order, and the k best of the union
 * are among them. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "ann/ann_int.h"

/* a ranks before b: higher key, then lower row; a NaN key after every number. */
static inline bool better(float ka, uint64_t ra, float kb, uint64_t rb)
{
    if (ka > kb)
        return true;
    if (ka < kb)
        return false;
    if (ka == kb)
        return ra < rb;
    bool na = isnan(ka), nb = isnan(kb);
    if (na != nb)
        return nb;
    return ra < rb;
}

static int hit_order(const void *x, const void *y)
{
    const lh_vec_hit *a = x, *b = y;
    if (better(a->score, a->row, b->score, b->row))
        return -1;
    return better(b->score, b->row, a->score, a->row) ? 1 : 0;
}

void lh__vec_sort_hits(lh_vec_hit *hits, size_t n)
{
    if (n > 1)
        qsort(hits, n, sizeof *hits, hit_order);
}

/* The heap keeps its worst hit at [0]: a candidate enters only when it beats that one. */
static void sift_down(lh_vec_hit *h, size_t n, size_t i)
{
    lh_vec_hit v = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && better(h[c].score, h[c].row, h[c + 1].score, h[c + 1].row))
            c++;
        if (!better(v.score, v.row, h[c].score, h[c].row))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
}

static void sift_up(lh_vec_hit *h, size_t i)
{
    lh_vec_hit v = h[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!better(h[p].score, h[p].row, v.score, v.row))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = v;
}

typedef struct scan_part {
    lh__vec_block_fn fn;
    const void *ctx;
    const uint64_t *allow;
    size_t lo, hi;       /* rows [lo, hi); lo a multiple of 64 */
    size_t cap;          /* heap capacity */
    lh_vec_hit *heap;
    size_t count;
    pthread_t tid;
} scan_part;

static inline void offer(scan_part *p, size_t row, float key)
{
    if (p->count < p->cap) {
        p->heap[p->count] = (lh_vec_hit){.row = row, .score = key};
        sift_up(p->heap, p->count++);
    } else if (better(key, row, p->heap[0].score, p->heap[0].row)) {
        p->heap[0] = (lh_vec_hit){.row = row, .score = key};
        sift_down(p->heap, p->count, 0);
    }
}

/* At most this many allowed rows in a block: they are scored one by one instead of the
 * block's 64 at once (a row costs about the same either way: the scan reads memory). */
#define SPARSE_ROWS 16

static void scan_range(scan_part *p)
{
    float keys[LH__VEC_BLOCK];
    for (size_t row0 = p->lo; row0 < p->hi; row0 += LH__VEC_BLOCK) {
        size_t nrows = p->hi - row0 < LH__VEC_BLOCK ? p->hi - row0 : LH__VEC_BLOCK;
        uint64_t word = p->allow ? p->allow[row0 / 64] : ~(uint64_t)0;
        if (nrows < 64)
            word &= ((uint64_t)1 << nrows) - 1;
        if (!word)
            continue;
        if (__builtin_popcountll(word) <= SPARSE_ROWS) {
            /* a selective filter: score only the allowed rows of the block (scoring all 64
             * made a filter keeping 1% of the rows cost nearly a full scan) */
            for (; word; word &= word - 1) {
                size_t i = (size_t)__builtin_ctzll(word);
                p->fn(p->ctx, row0 + i, 1, keys);
                offer(p, row0 + i, keys[0]);
            }
            continue;
        }
        p->fn(p->ctx, row0, nrows, keys);
        if (word == ~(uint64_t)0) {
            for (size_t i = 0; i < nrows; i++)
                offer(p, row0 + i, keys[i]);
        } else {
            for (; word; word &= word - 1) {
                size_t i = (size_t)__builtin_ctzll(word);
                offer(p, row0 + i, keys[i]);
            }
        }
    }
}

static void *scan_thread(void *arg)
{
    scan_range(arg);
    return NULL;
}

int lh__vec_threads(int threads, size_t n)
{
    long t = threads;
    if (t <= 0) {
        t = sysconf(_SC_NPROCESSORS_ONLN);
        if (t < 1)
            t = 1;
    }
    if (t > 256)
        t = 256;
    size_t blocks = (n + LH__VEC_BLOCK - 1) / LH__VEC_BLOCK;
    if ((size_t)t > blocks)
        t = blocks ? (long)blocks : 1;
    return (int)t;
}

lh_status lh__vec_scan(size_t n, lh__vec_block_fn fn, const void *ctx, size_t k, int threads,
                       const uint64_t *allow, lh_vec_hit *out, size_t *out_n, lh_err *err)
{
    *out_n = 0;
    if (k == 0)
        return lh_fail(err, LH_EINVAL, "k must be at least 1");
    if (n == 0)
        return LH_OK;
    size_t kcap = k < n ? k : n;
    size_t blocks = (n + LH__VEC_BLOCK - 1) / LH__VEC_BLOCK;
    int nt = threads < 1 ? 1 : threads;
    if ((size_t)nt > blocks)
        nt = (int)blocks;

    scan_part *parts = lh_calloc((size_t)nt, sizeof *parts);
    lh_vec_hit *heaps = lh_malloc((size_t)nt * kcap * sizeof *heaps);
    if (!parts || !heaps) {
        free(parts);
        free(heaps);
        return lh_fail(err, LH_ENOMEM, "out of memory for a top-%zu search", k);
    }
    for (int t = 0; t < nt; t++) {
        scan_part *p = &parts[t];
        p->fn = fn;
        p->ctx = ctx;
        p->allow = allow;
        p->lo = blocks * (size_t)t / (size_t)nt * LH__VEC_BLOCK;
        p->hi = blocks * (size_t)(t + 1) / (size_t)nt * LH__VEC_BLOCK;
        if (p->hi > n)
            p->hi = n;
        p->cap = kcap;
        p->heap = heaps + (size_t)t * kcap;
    }
    /* The calling thread takes range 0, and any range whose thread could not start. */
    bool *started = lh_calloc((size_t)nt, sizeof *started);
    for (int t = 1; t < nt && started; t++)
        started[t] = pthread_create(&parts[t].tid, NULL, scan_thread, &parts[t]) == 0;
    for (int t = 0; t < nt; t++)
        if (t == 0 || !started || !started[t])
            scan_range(&parts[t]);
    for (int t = 1; t < nt && started; t++)
        if (started[t])
            pthread_join(parts[t].tid, NULL);
    free(started);

    /* Merge: the heaps side by side, in order, and the best kcap of them. */
    size_t total = 0;
    for (int t = 0; t < nt; t++) {
        memmove(heaps + total, parts[t].heap, parts[t].count * sizeof *heaps);
        total += parts[t].count;
    }
    lh__vec_sort_hits(heaps, total);
    size_t m = total < kcap ? total : kcap;
    memcpy(out, heaps, m * sizeof *out);
    *out_n = m;
    free(parts);
    free(heaps);
    return LH_OK;
}

/* ---- float search ------------------------------------------------------------------- */

typedef struct float_ctx {
    const lh_simd_kernels *kern;
    const float *matrix;
    size_t dims;
    const float *query;
    lh_vec_metric metric;
} float_ctx;

static void float_block(const void *arg, size_t row0, size_t nrows, float *keys)
{
    const float_ctx *c = arg;
    const float *rows = c->matrix + row0 * c->dims;
    if (c->metric == LH_VEC_L2) {
        c->kern->l2sq_rows(c->query, rows, nrows, c->dims, keys);
        for (size_t i = 0; i < nrows; i++)
            keys[i] = -keys[i];
    } else {
        c->kern->dot_rows(c->query, rows, nrows, c->dims, keys);
    }
}

lh_status lh_vec_search(const float *matrix, size_t n, size_t dims, const float *query,
                        const lh_vec_search_opts *opts, lh_vec_hit *out, size_t *out_n,
                        lh_err *err)
{
    *out_n = 0;
    if (dims == 0)
        return lh_fail(err, LH_EINVAL, "vectors must have at least one dimension");
    if (opts->metric != LH_VEC_DOT && opts->metric != LH_VEC_COSINE && opts->metric != LH_VEC_L2)
        return lh_fail(err, LH_EINVAL, "unknown vector metric %d", (int)opts->metric);
    if (opts->k == 0)
        return lh_fail(err, LH_EINVAL, "k must be at least 1");
    float_ctx c = {.kern = lh_simd_kernels_get(), .matrix = matrix, .dims = dims,
                   .query = query, .metric = opts->metric};
    float *copy = NULL;
    if (opts->metric == LH_VEC_COSINE) {
        copy = lh_malloc(dims * sizeof *copy);
        if (!copy)
            return lh_fail(err, LH_ENOMEM, "out of memory for a query of %zu dimensions", dims);
        memcpy(copy, query, dims * sizeof *copy);
        lh_vec_normalize(copy, dims);
        c.query = copy;
    }
    lh_status st = lh__vec_scan(n, float_block, &c, opts->k, lh__vec_threads(opts->threads, n),
                                opts->allow, out, out_n, err);
    if (st == LH_OK && opts->metric == LH_VEC_L2)
        for (size_t i = 0; i < *out_n; i++)
            out[i].score = -out[i].score;
    free(copy);
    return st;
}
