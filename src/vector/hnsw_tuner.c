/* hnsw_tuner.c: the server's autotune runner (tune.h, lh_vec_tuner): one job at a time on
 * its own thread; shutdown cancels the running job and joins its thread; jobs a killed
 * server left running are marked failed at start (they do not resume). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/util.h"
#include "storage/storage.h"
#include "vector/index_int.h"
#include "vector/tune_int.h"

struct lh_vec_tuner {
    lh_vec_tune_env te;
    pthread_mutex_t mu;
    lh__tune_job *job;         /* the last job started (running or done) */
    pthread_t thread;
    bool joinable;
};

/* Jobs a killed or stopped server left queued or running: failed (they cannot resume). */
static void fail_leftovers(lh_store *s)
{
    json_t *all = NULL;
    lh_err err;
    if (lh__vec_job_list(s, &all, &err))
        return;
    size_t i;
    json_t *d;
    json_array_foreach(all, i, d) {
        if (strcmp(json_string_value(json_object_get(d, "kind")) ?: "", "autotune") ||
            !lh__vec_job_unfinished(d))
            continue;
        json_object_set_new(d, "state", json_string("failed"));
        json_object_set_new(d, "error", json_string("interrupted: the server stopped while it ran"));
        char *text = lh_json_dumps(d, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        lh_buf key;
        lh_buf_init(&key, 0);
        if (!text || lh_vec_job_key(json_string_value(json_object_get(d, "id")), &key) ||
            lh_store_put(s, key.data, text, strlen(text), &err))
            lh_log(LH_LOG_WARN, "an interrupted autotune job could not be marked failed");
        free(text);
        lh_buf_release(&key);
    }
    json_decref(all);
}

lh_status lh_vec_tuner_new(const lh_vec_tune_env *te, lh_vec_tuner **out, lh_err *err)
{
    lh_vec_tuner *t = lh_calloc(1, sizeof *t);
    if (!t)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    t->te = *te;
    pthread_mutex_init(&t->mu, NULL);
    fail_leftovers(te->senv.store);
    *out = t;
    return LH_OK;
}

static void *thread_main(void *arg)
{
    lh__tune_job *j = arg;
    lh_err err;
    if (lh__tune_job_run(j, &err))
        lh_log(LH_LOG_INFO, "autotune job %s: %s", lh__tune_job_id(j), err.msg);
    return NULL;
}

/* Joins and frees the finished job. Under mu. */
static void reap(lh_vec_tuner *t)
{
    if (t->joinable)
        pthread_join(t->thread, NULL);
    t->joinable = false;
    lh__tune_job_free(t->job);
    t->job = NULL;
}

lh_status lh_vec_tuner_submit(lh_vec_tuner *t, const lh_vec_autotune_req *req, const char *actor,
                              json_t **job, lh_err *err)
{
    *job = NULL;
    lh_status st = lh_vec_autotune_check(&t->te, req, err);
    if (st)
        return st;
    pthread_mutex_lock(&t->mu);
    if (t->job && !lh__tune_job_done(t->job)) {
        /* one at a time: a graph build already takes both cores */
        st = lh_fail(err, LH_ECONFLICT, "autotune job %s is running; wait for it or cancel it "
                     "(POST /vectors/jobs/%s/cancel)", lh__tune_job_id(t->job), lh__tune_job_id(t->job));
    } else {
        reap(t);
        lh__tune_job *j = lh__tune_job_new(&t->te, req, actor);
        if (!j)
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        if (!st) {
            lh__tune_job_save(j);
            *job = lh__tune_job_snapshot(j);
            if (pthread_create(&t->thread, NULL, thread_main, j)) {
                st = lh_fail(err, LH_EINTERNAL, "cannot start the autotune thread");
                json_decref(*job);
                *job = NULL;
                lh__tune_job_free(j);
            } else {
                t->job = j;
                t->joinable = true;
            }
        }
    }
    pthread_mutex_unlock(&t->mu);
    return st;
}

lh_status lh_vec_tuner_cancel(lh_vec_tuner *t, const char *id, lh_err *err)
{
    pthread_mutex_lock(&t->mu);
    bool mine = t->job && !strcmp(lh__tune_job_id(t->job), id) && !lh__tune_job_done(t->job);
    if (mine)
        lh__tune_job_cancel(t->job);
    pthread_mutex_unlock(&t->mu);
    return mine ? LH_OK : lh_fail(err, LH_ENOTFOUND, "no running autotune job '%.64s'", id);
}

void lh_vec_tuner_free(lh_vec_tuner *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    if (t->job)
        lh__tune_job_cancel(t->job); /* stops at its next build step or config */
    reap(t);
    pthread_mutex_unlock(&t->mu);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
