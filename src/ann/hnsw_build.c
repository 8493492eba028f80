/* hnsw_build.c: insertion (the paper's algorithms 1 and 4) and the parallel build.
 *
 * Rows are inserted in batches. Phase A: every row of the batch searches the graph as it
 * stood before the batch (read only, so the rows run on any number of workers) and picks
 * its M neighbours per level with the heuristic of algorithm 4 (a candidate is kept when
 * it is nearer the new row than every neighbour kept so far; keepPruned and
 * extendCandidates off, as hnswlib). Phase B: the rows' own link lists are written and
 * the reverse links are grouped by target node in row order; each group is applied by
 * one worker (a full list is pruned with the same heuristic), and as no two groups touch
 * the same list the result is the same on one worker or many. Then the entry point moves
 * to the highest new level, the first row in row order winning. Batch sizes depend only on
 * the graph's size, so a build is the same graph for every thread count.
 *
 * A batch of one row is the serial insertion of the paper; the first LH__HNSW_SERIAL
 * rows go in so, while the graph is too small for a batch's rows not to need each other.
 * Past that a batch is 1/64 of the graph (at most 1024 rows): a row then misses at most
 * about 1.5% of its would-be neighbours as direct candidates, which the reverse links of
 * later rows make up for (recall measured against the one-row-at-a-time build: docs/
 * INTERNALS.md "Approximate search"). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "ann/hnsw_int.h"

#ifndef LH__HNSW_SERIAL
#define LH__HNSW_SERIAL 1024
#endif
#define LH__HNSW_BATCH_DIV 64
#define LH__HNSW_BATCH_MAX 1024

typedef struct brow {
    uint32_t row;
    int level;      /* its level */
    int top;        /* the highest level it links on now: min(level, the graph's) */
    size_t off;     /* its lists in fwd: top + 1 lists of M pairs from off */
} brow;

typedef struct edge {
    uint32_t target, src;
    float d;
    uint32_t level;
    size_t seq;     /* row order within the batch: the order a group applies its edges */
} edge;

typedef struct batch {
    lh_hnsw *h;
    brow *rows;
    size_t n;
    lh__hnsw_pair *fwd;
    uint32_t *fcnt;        /* fcnt[off / M + l]: the pairs of list l */
    uint32_t entry;
    int max_level;
    edge *edges;
    size_t *groups;        /* group g = edges[groups[g] .. groups[g + 1]) */
    size_t ngroups;
    atomic_size_t next;
    atomic_bool failed;
} batch;

static int pair_cmp(const void *x, const void *y)
{
    const lh__hnsw_pair *a = x, *b = y;
    if (a->d < b->d)
        return -1;
    if (a->d > b->d)
        return 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int edge_cmp(const void *x, const void *y)
{
    const edge *a = x, *b = y;
    if (a->target != b->target)
        return a->target < b->target ? -1 : 1;
    if (a->level != b->level)
        return a->level < b->level ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static inline float row_dist(const lh_hnsw *h, uint32_t a, uint32_t b)
{
    return lh__hnsw_dist(h, h->base + (size_t)a * h->dims, b);
}

/* Algorithm 4 over c[0..n) sorted nearest first: up to m pairs into out; all of them when
 * there are fewer than m (as hnswlib). */
static size_t select_neighbours(const lh_hnsw *h, const lh__hnsw_pair *c, size_t n, size_t m,
                                lh__hnsw_pair *out)
{
    if (n <= m) {
        memmove(out, c, n * sizeof *out);
        return n;
    }
    size_t k = 0;
    for (size_t i = 0; i < n && k < m; i++) {
        bool good = true;
        for (size_t j = 0; j < k && good; j++)
            good = row_dist(h, c[i].id, out[j].id) >= c[i].d;
        if (good)
            out[k++] = c[i];
    }
    return k;
}

/* Phase A for one row: its neighbour lists in the frozen graph. */
static lh_status link_row(batch *b, lh__hnsw_scratch *s, size_t i)
{
    const lh_hnsw *h = b->h;
    brow *br = &b->rows[i];
    if (br->top < 0)
        return LH_OK;
    const float *q = h->base + (size_t)br->row * h->dims;
    uint32_t cur = b->entry;
    float dcur = lh__hnsw_dist(h, q, cur);
    for (int l = b->max_level; l > br->top; l--) {
        bool changed = true;
        while (changed) {
            changed = false;
            const uint32_t *ln = lh__hnsw_links(h, cur, l);
            for (uint32_t j = 1; j <= ln[0]; j++) {
                float d = lh__hnsw_dist(h, q, ln[j]);
                if (d < dcur || (d == dcur && ln[j] < cur)) {
                    dcur = d;
                    cur = ln[j];
                    changed = true;
                }
            }
        }
    }
    size_t M = h->p.M;
    for (int l = br->top; l >= 0; l--) {
        size_t nr = 0;
        lh_status st = lh__hnsw_search_layer(h, s, q, cur, l, h->p.ef_construction, br->row, &nr);
        if (st)
            return st;
        qsort(s->res, nr, sizeof *s->res, pair_cmp);
        b->fcnt[br->off / M + (size_t)l] =
            (uint32_t)select_neighbours(h, s->res, nr, M, b->fwd + br->off + (size_t)l * M);
        if (nr)
            cur = s->res[0].id;
    }
    return LH_OK;
}

/* Phase B2 for one group: the reverse links into one node's list at one level. */
static void apply_group(lh_hnsw *h, const edge *e, size_t n)
{
    uint32_t y = e[0].target;
    int l = (int)e[0].level;
    size_t cap = l ? h->p.M : h->M0;
    uint32_t *list = lh__hnsw_links(h, y, l);
    float *ld = l == 0 && h->l0d ? h->l0d + (size_t)y * h->M0 : NULL;
    lh__hnsw_pair c[2 * LH_HNSW_M_MAX + 1], sel[2 * LH_HNSW_M_MAX + 1];
    for (size_t i = 0; i < n; i++) {
        uint32_t cnt = list[0];
        bool dup = false;
        for (uint32_t j = 1; j <= cnt && !dup; j++)
            dup = list[j] == e[i].src;
        if (dup || e[i].src == y)
            continue;
        if (cnt < cap) {
            list[cnt + 1] = e[i].src;
            if (ld)
                ld[cnt] = e[i].d;
            list[0] = cnt + 1;
            continue;
        }
        /* the same bits either way: dot and l2sq are symmetric in their two rows */
        for (uint32_t j = 0; j < cnt; j++)
            c[j] = (lh__hnsw_pair){ld ? ld[j] : row_dist(h, y, list[1 + j]), list[1 + j]};
        c[cnt] = (lh__hnsw_pair){e[i].d, e[i].src};
        qsort(c, cnt + 1, sizeof *c, pair_cmp);
        size_t k = select_neighbours(h, c, cnt + 1, cap, sel);
        for (size_t j = 0; j < k; j++) {
            list[1 + j] = sel[j].id;
            if (ld)
                ld[j] = sel[j].d;
        }
        list[0] = (uint32_t)k;
    }
}

static void *phase_a(void *arg)
{
    batch *b = arg;
    lh__hnsw_scratch *s = lh__hnsw_scratch_get(b->h);
    if (!s) {
        atomic_store(&b->failed, true);
        return NULL;
    }
    for (;;) {
        size_t i = atomic_fetch_add(&b->next, 1);
        if (i >= b->n || atomic_load(&b->failed))
            break;
        if (link_row(b, s, i))
            atomic_store(&b->failed, true);
    }
    lh__hnsw_scratch_put(b->h, s);
    return NULL;
}

static void *phase_b(void *arg)
{
    batch *b = arg;
    for (;;) {
        size_t g = atomic_fetch_add(&b->next, 16);
        if (g >= b->ngroups)
            break;
        size_t end = g + 16 < b->ngroups ? g + 16 : b->ngroups;
        for (; g < end; g++)
            apply_group(b->h, b->edges + b->groups[g], b->groups[g + 1] - b->groups[g]);
    }
    return NULL;
}

/* Runs fn on `threads` workers (the calling thread is one); a worker that cannot start
 * leaves its share to the others (the work counter hands out what is left). */
static void run_workers(void *(*fn)(void *), batch *b, int threads)
{
    pthread_t tid[64];
    int started = 0;
    for (int t = 1; t < threads && t < 64; t++)
        if (pthread_create(&tid[started], NULL, fn, b) == 0)
            started++;
    fn(b);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

lh_status lh__hnsw_insert_batch(lh_hnsw *h, const uint32_t *rows, size_t count, int threads,
                                lh_err *err)
{
    if (count == 0)
        return LH_OK;
    if (h->max_level < 0 && count > 1) { /* the first row alone: the others need an entry */
        lh_status st = lh__hnsw_insert_batch(h, rows, 1, threads, err);
        return st ? st : lh__hnsw_insert_batch(h, rows + 1, count - 1, threads, err);
    }
    size_t M = h->p.M;
    lh_status st = LH_OK;
    batch b = {.h = h, .n = count, .entry = h->entry, .max_level = h->max_level};
    atomic_init(&b.next, 0);
    atomic_init(&b.failed, false);
    b.rows = lh_malloc(count * sizeof *b.rows);
    if (!b.rows)
        return lh_fail(err, LH_ENOMEM, "out of memory for an HNSW insertion");
    size_t nfwd = 0, upneed = 0;
    for (size_t i = 0; i < count; i++) {
        brow *br = &b.rows[i];
        br->row = rows[i];
        br->level = h->levels[rows[i]] >= 0 ? h->levels[rows[i]] : lh__hnsw_level(h, rows[i]);
        br->top = br->level < h->max_level ? br->level : h->max_level;
        br->off = nfwd;
        nfwd += (size_t)(br->top + 1) * M;
        if (h->levels[rows[i]] < 0)
            upneed += (size_t)br->level * h->up_stride;
    }
    if (h->up_len + upneed > UINT32_MAX) {
        free(b.rows);
        return lh_fail(err, LH_ETOOBIG, "the upper layers of the HNSW graph outgrew 2^32 links");
    }
    b.fwd = lh_malloc((nfwd ? nfwd : 1) * sizeof *b.fwd);
    b.fcnt = lh_calloc(nfwd / M + 1, sizeof *b.fcnt);
    if (!b.fwd || !b.fcnt || lh_grow(&h->up, &h->up_cap, h->up_len + upneed + 1, sizeof *h->up)) {
        st = lh_fail(err, LH_ENOMEM, "out of memory for an HNSW insertion");
        goto cleanup;
    }

    /* A: search the frozen graph */
    if (h->max_level >= 0)
        run_workers(phase_a, &b, count == 1 ? 1 : threads);
    if (atomic_load(&b.failed)) {
        st = lh_fail(err, LH_ENOMEM, "out of memory for an HNSW insertion");
        goto cleanup;
    }

    /* B1: the rows' own lists, in row order, and their reverse links */
    size_t nedges = 0;
    for (size_t i = 0; i < nfwd / M; i++)
        nedges += b.fcnt[i];
    b.edges = lh_malloc((nedges ? nedges : 1) * sizeof *b.edges);
    b.groups = lh_malloc((nedges + 1) * sizeof *b.groups);
    if (!b.edges || !b.groups) {
        st = lh_fail(err, LH_ENOMEM, "out of memory for an HNSW insertion");
        goto cleanup;
    }
    nedges = 0;
    for (size_t i = 0; i < count; i++) {
        brow *br = &b.rows[i];
        uint32_t x = br->row;
        if (h->levels[x] < 0) {
            h->up_off[x] = (uint32_t)h->up_len;
            for (int l = 1; l <= br->level; l++)
                h->up[h->up_len + (size_t)(l - 1) * h->up_stride] = 0;
            h->up_len += (size_t)br->level * h->up_stride;
            h->levels[x] = (int8_t)br->level;
            h->count++;
        } else if (lh__hnsw_bit(h->deleted, x)) { /* added again: undeleted, relinked */
            h->deleted[x >> 6] &= ~((uint64_t)1 << (x & 63));
            h->ndeleted--;
        }
        for (int l = 0; l <= br->level; l++) {
            uint32_t *list = lh__hnsw_links(h, x, l);
            uint32_t cnt = l <= br->top ? b.fcnt[br->off / M + (size_t)l] : 0;
            const lh__hnsw_pair *f = b.fwd + br->off + (size_t)l * M;
            list[0] = cnt;
            for (uint32_t j = 0; j < cnt; j++) {
                list[1 + j] = f[j].id;
                if (l == 0 && h->l0d)
                    h->l0d[(size_t)x * h->M0 + j] = f[j].d;
                b.edges[nedges] = (edge){.target = f[j].id, .src = x, .d = f[j].d,
                                         .level = (uint32_t)l, .seq = nedges};
                nedges++;
            }
        }
    }

    /* B2: reverse links, one group (target, level) per worker at a time */
    qsort(b.edges, nedges, sizeof *b.edges, edge_cmp);
    for (size_t i = 0; i < nedges; i++)
        if (i == 0 || b.edges[i].target != b.edges[i - 1].target ||
            b.edges[i].level != b.edges[i - 1].level)
            b.groups[b.ngroups++] = i;
    b.groups[b.ngroups] = nedges;
    atomic_store(&b.next, 0);
    run_workers(phase_b, &b, b.ngroups < 64 ? 1 : threads);

    /* the entry point: the highest level, the first row in row order among equals */
    for (size_t i = 0; i < count; i++)
        if (b.rows[i].level > h->max_level) {
            h->max_level = b.rows[i].level;
            h->entry = b.rows[i].row;
        }
cleanup:
    free(b.rows);
    free(b.fwd);
    free(b.fcnt);
    free(b.edges);
    free(b.groups);
    return st;
}

static size_t batch_size(size_t count)
{
    if (count < LH__HNSW_SERIAL)
        return 1;
    size_t b = count / LH__HNSW_BATCH_DIV;
    return b > LH__HNSW_BATCH_MAX ? LH__HNSW_BATCH_MAX : b;
}

lh_status lh_hnsw_build(const float *base, size_t n, size_t dims, lh_vec_metric metric,
                        const lh_hnsw_params *p, int threads, lh_hnsw_progress progress,
                        void *progress_ctx, lh_hnsw **out, lh_err *err)
{
    *out = NULL;
    lh_hnsw *h = NULL;
    lh_status st = lh__hnsw_new(base, n, dims, metric, p, n, &h, err);
    if (st)
        return st;
    if (threads <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        threads = c < 1 ? 1 : c > 64 ? 64 : (int)c;
    }
    if (threads > 64)
        threads = 64;
    uint32_t *rows = lh_malloc(LH__HNSW_BATCH_MAX * sizeof *rows);
    h->l0d = lh_malloc((n ? n : 1) * h->M0 * sizeof *h->l0d);
    if (!rows || !h->l0d) {
        free(rows);
        lh_hnsw_free(h);
        return lh_fail(err, LH_ENOMEM, "out of memory for an HNSW build");
    }
    size_t done = 0, reported = 0;
    while (done < n) {
        size_t bs = batch_size(done);
        if (bs > n - done)
            bs = n - done;
        for (size_t i = 0; i < bs; i++)
            rows[i] = (uint32_t)(done + i);
        if ((st = lh__hnsw_insert_batch(h, rows, bs, threads, err)))
            break;
        done += bs;
        if (progress && (done - reported >= 1024 || done == n)) {
            reported = done;
            if (progress(progress_ctx, done, n)) {
                st = lh_fail(err, LH_ECONFLICT, "the HNSW build was cancelled after %zu of %zu "
                             "rows", done, n);
                break;
            }
        }
    }
    free(rows);
    free(h->l0d);
    h->l0d = NULL;
    if (st) {
        lh_hnsw_free(h);
        return st;
    }
    *out = h;
    return LH_OK;
}
