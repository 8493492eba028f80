/* embed_pool_int.h: the embedding workers of an index build (embed_pool.c), private to
 * src/vector. Kept apart from build.c so that the build's orchestration (read, chunk,
 * write, checkpoint, commit) and the threads, retries and backoff of embedding can each
 * be read alone: the pool knows nothing of jobs, files or checkpoints, only an lh_ai and
 * a stop check.
 *
 * Use: _new with a config, then per batch _submit it and _take finished batches (oldest
 * first) until at most _workers() - 1 are in flight, _take with keep 0 at the end, _free.
 * Every call is made by one thread (the job's); the pool's threads touch only the batches
 * in flight, the provider and the stop check. */
#ifndef LH_VECTOR_EMBED_POOL_INT_H
#define LH_VECTOR_EMBED_POOL_INT_H

#include "vector/index_int.h"

/* A batch of chunks to embed. The submitter fills pend, n, rows and no; the pool fills
 * vecs (n x dims, rows L2-normalised), st and, when st is not LH_OK, err. */
typedef struct lh__vec_ebatch {
    lh__vec_keyed *pend;    /* the chunks (keys and texts owned by the batch) */
    size_t n, rows, no;     /* chunks, source rows, batch number */
    float *vecs;
    lh_status st;
    lh_err err;
    int state;              /* the pool's (under its lock) */
} lh__vec_ebatch;

/* Frees e, its chunks and its vectors (NULL is fine). */
void lh__vec_ebatch_free(lh__vec_ebatch *e);

/* The stop check: LH_OK to go on, else a status with its message in err (a cancel or a
 * shutdown). Called from the pool's threads, between retries and every 10 ms of a backoff
 * wait: it must be thread-safe and cheap. */
typedef lh_status (*lh__vec_stop_fn)(void *ctx, lh_err *err);

typedef struct lh__vec_pool_cfg {
    lh_ai *ai;              /* borrowed; lh_ai_embed is called from several threads */
    size_t dims;            /* the width of ai's vectors */
    bool normalise;         /* L2-normalise the rows (a network provider's) */
    unsigned workers;       /* threads to start (at most 64); below 2, none: _submit embeds */
    unsigned retries;       /* further attempts after LH_EIO or LH_ETIMEOUT */
    const char *name;       /* the index's, for log lines (borrowed) */
    lh__vec_stop_fn stopped;
    void *stop_ctx;
} lh__vec_pool_cfg;

typedef struct lh__vec_pool lh__vec_pool;

/* A pool per cfg (copied; what it points to must outlive the pool). Threads that cannot
 * be started are done without, down to none. LH_ENOMEM only when the pool itself cannot be
 * allocated. Free with lh__vec_pool_free. */
lh_status lh__vec_pool_new(const lh__vec_pool_cfg *cfg, lh__vec_pool **out, lh_err *err);

/* Hands e to the pool (which owns it until _take returns it). Without threads e is
 * embedded here, before the call returns. At most _workers() (1 without threads) batches
 * may be in flight when this is called again: _take first. */
void lh__vec_pool_submit(lh__vec_pool *p, lh__vec_ebatch *e);

/* When more than keep batches are in flight: waits until the oldest is embedded (or has
 * failed: its st) and returns it, the caller owning it. Else NULL at once. So batches come
 * back in the order they were submitted, whichever thread embedded them. */
lh__vec_ebatch *lh__vec_pool_take(lh__vec_pool *p, size_t keep);

/* The threads started (0: the submitter embeds). */
size_t lh__vec_pool_workers(const lh__vec_pool *p);

/* The retries made so far, all threads together. */
unsigned lh__vec_pool_retries(lh__vec_pool *p);

/* Stops and joins the threads (a thread in lh_ai_embed finishes that call first) and
 * frees the batches still in flight, unwritten, and the pool. NULL is fine. */
void lh__vec_pool_free(lh__vec_pool *p);

#endif
