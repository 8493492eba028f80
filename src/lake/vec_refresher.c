/* vec_refresher.c (lake): the server's background refresher of vector indexes (lake.h,
 * lh_vec_refresher_start). One thread: it refreshes the indexes an ingest queued (policy
 * on_append, through the lake's index-append hook) and, every tick, those with policy
 * {"every_seconds": N} that are stale and were last refreshed (or found stale) N seconds
 * ago or more. Each refresh is lh_lake_vector_refresh (the write lock held, so ingests wait
 * for it and it for them); a failed one is logged and journaled by nothing else, and
 * tried again at the next ingest or period. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/util.h"
#include "lake/lake_int.h"
#include "vector/fresh.h"

struct lh_vec_refresher {
    lh_lake *lake;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    json_t *queue;      /* index names (a set: object name -> true) */
    json_t *last;       /* scheduled: index name -> last time looked at (ms) */
    int64_t tick_ms;
    uint64_t done;      /* refreshes finished (for tests and /metrics later) */
};

static void on_append(void *ctx, const char *dataset, const json_t *indexes)
{
    (void)dataset;
    lh_vec_refresher *r = ctx;
    pthread_mutex_lock(&r->mu);
    size_t i;
    json_t *n;
    json_array_foreach(indexes, i, n)
        json_object_set_new(r->queue, json_string_value(n), json_true());
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void refresh_one(lh_vec_refresher *r, const char *name, const char *why)
{
    json_t *out = NULL;
    lh_err err = {{0}};
    lh_status st = lh_lake_vector_refresh(r->lake, name, why, &out, &err);
    if (st)
        lh_log(LH_LOG_WARN, "vector index %s: %s refresh failed: %s", name, why, err.msg);
    json_decref(out);
}

/* The scheduled indexes that are due now, added to due (names). */
static void scheduled(lh_vec_refresher *r, json_t *due)
{
    json_t *list = NULL;
    lh_err err = {{0}};
    if (lh_vector_indexes_of(lh_lake_store(r->lake), NULL, &list, &err)) {
        lh_log(LH_LOG_WARN, "vector refresher: %s", err.msg);
        return;
    }
    int64_t now = lh_now_ms();
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        const char *name = json_string_value(json_object_get(e, "name"));
        json_int_t every = json_integer_value(json_object_get(json_object_get(e, "refresh"),
                                                              "every_seconds"));
        if (!name || every <= 0)
            continue;
        json_t *seen = json_object_get(r->last, name);
        if (!seen) { /* first look: the period starts now */
            json_object_set_new(r->last, name, json_integer(now));
            continue;
        }
        if (now - json_integer_value(seen) < every * 1000)
            continue;
        json_object_set_new(r->last, name, json_integer(now));
        if (json_is_string(json_object_get(e, "stale_since")))
            json_array_append_new(due, json_string(name));
    }
    json_decref(list);
}

static void *run(void *arg)
{
    lh_vec_refresher *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        if (!json_object_size(r->queue)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t ns = (int64_t)ts.tv_nsec + (r->tick_ms % 1000) * 1000000;
            ts.tv_sec += (time_t)(r->tick_ms / 1000 + ns / 1000000000);
            ts.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&r->cv, &r->mu, &ts);
        }
        if (r->stop)
            break;
        json_t *todo = r->queue;
        r->queue = json_object();
        pthread_mutex_unlock(&r->mu);
        const char *name;
        json_t *v;
        json_object_foreach(todo, name, v)
            refresh_one(r, name, "on_append");
        json_decref(todo);
        json_t *due = json_array();
        if (due)
            scheduled(r, due);
        size_t i;
        json_t *n;
        json_array_foreach(due, i, n)
            refresh_one(r, json_string_value(n), "scheduled");
        json_decref(due);
        pthread_mutex_lock(&r->mu);
        if (!r->queue) /* out of memory above: start again empty */
            r->queue = json_object();
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

lh_status lh_vec_refresher_start(lh_lake *lake, int64_t tick_ms, lh_vec_refresher **out,
                                 lh_err *err)
{
    lh_vec_refresher *r = lh_calloc(1, sizeof *r);
    if (!r)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    r->lake = lake;
    r->tick_ms = tick_ms > 0 ? tick_ms : 1000;
    r->queue = json_object();
    r->last = json_object();
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    if (!r->queue || !r->last || pthread_create(&r->thread, NULL, run, r)) {
        json_decref(r->queue);
        json_decref(r->last);
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        free(r);
        return lh_fail(err, LH_EINTERNAL, "the vector refresher cannot start");
    }
    lh_lake_on_index_append(lake, on_append, r);
    *out = r;
    return LH_OK;
}

void lh_vec_refresher_stop(lh_vec_refresher *r)
{
    if (!r)
        return;
    lh__lake_lock(r->lake); /* no ingest is calling the hook now */
    lh_lake_on_index_append(r->lake, NULL, NULL);
    lh__lake_unlock(r->lake);
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    json_decref(r->queue);
    json_decref(r->last);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}
