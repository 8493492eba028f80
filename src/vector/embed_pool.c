/* embed_pool.c: embedding an index build's batches on worker threads (issue 14 item 5),
 * with retries (embed_pool_int.h is the interface, build.c the one user).
 * The submitter keeps the batches in flight in one list, oldest first; a worker takes the
 * oldest queued one, embeds it outside the lock and marks it done; _take hands back only
 * the oldest, so the build writes and checkpoints in batch order however the threads
 * finish. Transient provider failures are retried here, with exponential backoff and
 * jitter, because a batch's embedding is the only step that talks to the network. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ai/ai.h"
#include "core/alloc.h"
#include "core/util.h"
#include "vector/embed_pool_int.h"

enum { EB_QUEUED, EB_TAKEN, EB_DONE };
enum { MAX_WORKERS = 64 };

struct lh__vec_pool {
    lh__vec_pool_cfg cfg;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    bool quit;
    pthread_t th[MAX_WORKERS];
    size_t nth;
    /* batches in flight, oldest first: at most nth (1 without threads) between calls */
    lh__vec_ebatch *fl[MAX_WORKERS + 1];
    size_t nfl;
    atomic_uint retries_done;
};

void lh__vec_normalise_rows(float *v, size_t n, size_t dims)
{
    for (size_t r = 0; r < n; r++) {
        float *row = v + r * dims;
        double ss = 0;
        for (size_t j = 0; j < dims; j++)
            ss += (double)row[j] * row[j];
        if (ss > 0) {
            float inv = (float)(1.0 / sqrt(ss));
            for (size_t j = 0; j < dims; j++)
                row[j] *= inv;
        }
    }
}

static double mono_s(void)
{
    return lh_mono_ms() / 1000.0;
}

/* Embeds batch e (its chunks' texts) into e->vecs, retrying after LH_EIO or LH_ETIMEOUT
 * (a network provider's transient failures) up to cfg.retries times with exponential
 * backoff and jitter; a cancel or stop ends the wait. Runs in a worker (or in the
 * submitter's thread without workers): touches only e, the provider and the stop check. */
static lh_status embed_batch(lh__vec_pool *p, lh__vec_ebatch *e, lh_err *err)
{
    const lh__vec_pool_cfg *c = &p->cfg;
    size_t n = e->n;
    const char **texts = lh_calloc(n + 1, sizeof *texts);
    size_t *tlens = lh_calloc(n + 1, sizeof *tlens);
    e->vecs = lh_calloc((n + 1) * c->dims, sizeof *e->vecs);
    lh_status st = texts && tlens && e->vecs ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        texts[i] = e->pend[i].c.text;
        tlens[i] = e->pend[i].c.end - e->pend[i].c.start;
    }
    uint64_t rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)e->no << 32) ^ (uint64_t)(mono_s() * 1e9);
    for (unsigned attempt = 0; !st && n; attempt++) {
        st = lh_ai_embed(c->ai, texts, tlens, n, e->vecs, err);
        if (!st || (st != LH_EIO && st != LH_ETIMEOUT) || attempt >= c->retries)
            break;
        /* backoff: 200 ms doubling per attempt (capped at 30 s), half of it jittered */
        int64_t ms = attempt < 8 ? (int64_t)200 << attempt : 30000;
        if (ms > 30000)
            ms = 30000;
        ms = ms / 2 + (int64_t)(lh__vec_splitmix64(&rng) % (uint64_t)(ms / 2 + 1));
        lh_log(LH_LOG_WARN, "vector index %s: batch %zu: %s; retry %u of %u in %lld ms",
               c->name, e->no, err->msg, attempt + 1, c->retries, (long long)ms);
        atomic_fetch_add(&p->retries_done, 1);
        double until = mono_s() + (double)ms / 1000.0;
        lh_err scratch;
        while (mono_s() < until && !c->stopped(c->stop_ctx, &scratch))
            usleep(10000);
        st = c->stopped(c->stop_ctx, err); /* LH_OK: try again */
    }
    if (!st && c->normalise)
        lh__vec_normalise_rows(e->vecs, n, c->dims);
    free(texts);
    free(tlens);
    return st;
}

void lh__vec_ebatch_free(lh__vec_ebatch *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++) {
        free(e->pend[i].key);
        free(e->pend[i].c.text);
    }
    free(e->pend);
    free(e->vecs);
    free(e);
}

/* A worker: embeds the oldest queued batch of the in-flight list until told to quit. */
static void *embed_worker(void *arg)
{
    lh__vec_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        lh__vec_ebatch *e = NULL;
        for (size_t i = 0; !p->quit && !e && i < p->nfl; i++)
            if (p->fl[i]->state == EB_QUEUED)
                e = p->fl[i];
        if (p->quit)
            break;
        if (!e) {
            pthread_cond_wait(&p->work, &p->mu);
            continue;
        }
        e->state = EB_TAKEN;
        pthread_mutex_unlock(&p->mu);
        lh_status st = embed_batch(p, e, &e->err);
        pthread_mutex_lock(&p->mu);
        e->st = st;
        e->state = EB_DONE;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

lh_status lh__vec_pool_new(const lh__vec_pool_cfg *cfg, lh__vec_pool **out, lh_err *err)
{
    lh__vec_pool *p = lh_calloc(1, sizeof *p);
    *out = p;
    if (!p)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    p->cfg = *cfg;
    atomic_init(&p->retries_done, 0);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    unsigned want = cfg->workers > MAX_WORKERS ? MAX_WORKERS : cfg->workers;
    for (unsigned i = 0; want >= 2 && i < want; i++) {
        if (pthread_create(&p->th[p->nth], NULL, embed_worker, p))
            break;
        p->nth++;
    }
    return LH_OK;
}

void lh__vec_pool_submit(lh__vec_pool *p, lh__vec_ebatch *e)
{
    if (!p->nth) {
        e->st = embed_batch(p, e, &e->err);
        e->state = EB_DONE;
    } else {
        e->state = EB_QUEUED;
    }
    pthread_mutex_lock(&p->mu);
    lh_assert(p->nfl < (p->nth ? p->nth : 1));
    p->fl[p->nfl++] = e;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

lh__vec_ebatch *lh__vec_pool_take(lh__vec_pool *p, size_t keep)
{
    lh__vec_ebatch *e = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->nfl > keep) {
        while (p->fl[0]->state != EB_DONE)
            pthread_cond_wait(&p->done, &p->mu);
        e = p->fl[0];
        memmove(p->fl, p->fl + 1, (p->nfl - 1) * sizeof *p->fl);
        p->nfl--;
    }
    pthread_mutex_unlock(&p->mu);
    return e;
}

size_t lh__vec_pool_workers(const lh__vec_pool *p)
{
    return p->nth;
}

unsigned lh__vec_pool_retries(lh__vec_pool *p)
{
    return atomic_load(&p->retries_done);
}

void lh__vec_pool_free(lh__vec_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->nth; i++)
        pthread_join(p->th[i], NULL);
    for (size_t i = 0; i < p->nfl; i++)
        lh__vec_ebatch_free(p->fl[i]);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
