/* jobs.c: running index builds as jobs: in the calling thread (the CLI) or on the
 * server's worker threads, resumed after a restart (index.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/util.h"
#include "storage/storage.h"
#include "table/table.h"
#include "vector/index_int.h"

/* The source's current table version (the version the build will read). */
static lh_status source_version(const lh_vec_env *env, const char *dataset, int64_t *v, lh_err *err)
{
    json_t *m = lh_catalog_get_copy(env->catalog, dataset);
    json_t *tv = json_object_get(m, "table_version");
    lh_status st = json_is_integer(tv) ? LH_OK
                 : lh_fail(err, LH_ENOTFOUND, "no dataset named '%.64s'", dataset);
    *v = json_integer_value(tv);
    json_decref(m);
    return st;
}

static size_t batch_rows(void)
{
#ifdef LH_FAULTS
    /* test hook: small batches, so that a small dataset makes several checkpoints */
    const char *v = getenv("LAKEHOUSE_VEC_BATCH_ROWS");
    long long n = v ? strtoll(v, NULL, 10) : 0;
    if (n > 0)
        return (size_t)n;
#endif
    return LH_VEC_BATCH_ROWS;
}

static lh__vec_job *job_new(json_t *doc)
{
    lh__vec_job *j = lh_calloc(1, sizeof *j);
    if (!j) {
        json_decref(doc);
        return NULL;
    }
    j->doc = doc;
    pthread_mutex_init(&j->mu, NULL);
    atomic_init(&j->cancel, false);
    atomic_init(&j->stop, false);
    return j;
}

static void job_free(lh__vec_job *j)
{
    if (!j)
        return;
    json_decref(j->doc);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

static json_t *job_snapshot(lh__vec_job *j)
{
    pthread_mutex_lock(&j->mu);
    json_t *c = json_deep_copy(j->doc);
    pthread_mutex_unlock(&j->mu);
    return c;
}

static lh_status new_job_doc(const lh_vec_env *env, const lh_vec_spec *spec, const char *actor,
                             json_t **doc, lh_err *err)
{
    int64_t v = 0;
    lh_status st = source_version(env, spec->dataset, &v, err);
    if (st)
        return st;
    *doc = lh__vec_job_new_doc(spec, v, actor);
    if (*doc)
        json_object_set_new(*doc, "batch_rows", json_integer((json_int_t)batch_rows()));
    return *doc ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
}

static json_t *public_doc(json_t *d);

/* ---- foreground --------------------------------------------------------------------- */

/* The unfinished job of the same spec on disk, if any (a killed foreground build). An
 * unfinished job of the same index name with another spec is superseded: marked cancelled
 * (its partial files are about to be replaced), so that no later start resumes it. */
static json_t *find_unfinished(const lh_vec_env *env, const lh_vec_spec *spec)
{
    json_t *all = NULL, *found = NULL, *want = lh_vec_spec_to_json(spec);
    lh_err err;
    if (!lh__vec_job_list(env->store, &all, &err)) {
        size_t i;
        json_t *d;
        json_array_foreach(all, i, d) {
            if (!lh__vec_job_unfinished(d) || !lh__vec_job_is_build(d))
                continue;
            if (!found && json_equal(json_object_get(d, "spec"), want)) {
                found = json_incref(d);
            } else if (!strcmp(json_string_value(json_object_get(d, "index")) ?: "", spec->name)) {
                json_object_set_new(d, "state", json_string("cancelled"));
                json_object_set_new(d, "error", json_string("superseded by a new build of the same index"));
                lh__vec_job old = {.doc = d};
                pthread_mutex_init(&old.mu, NULL);
                if (lh__vec_job_save(env->store, &old, &err))
                    lh_log(LH_LOG_WARN, "vector job: %s", err.msg);
                pthread_mutex_destroy(&old.mu);
            }
        }
    }
    json_decref(all);
    json_decref(want);
    return found;
}

lh_status lh_vec_build(const lh_vec_env *env, const lh_vec_spec *spec, const char *actor,
                       lh_vec_progress_fn progress, void *progress_ctx, json_t **job_out,
                       lh_err *err)
{
    if (job_out)
        *job_out = NULL;
    json_t *doc = find_unfinished(env, spec);
    lh_status st = LH_OK;
    if (doc) {
        /* resumed whatever point it reached (one killed after its registry entry was
         * written only finishes its job file) */
        lh_log(LH_LOG_INFO, "vector index %s: resuming job %s", spec->name,
               json_string_value(json_object_get(doc, "id")));
    } else {
        st = lh_vec_spec_check(env, spec, err);
        if (!st) {
            lh_err e2;
            (void)lh__vec_remove_dir(env->store, spec->name, &e2); /* leftovers of a failed build */
            st = new_job_doc(env, spec, actor, &doc, err);
        }
    }
    if (st)
        return st;
    lh__vec_job *j = job_new(doc);
    if (!j)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    j->progress = progress;
    j->progress_ctx = progress_ctx;
    st = lh__vec_build_run(env, j, err);
    if (job_out)
        *job_out = public_doc(job_snapshot(j));
    job_free(j);
    return st;
}

/* ---- the server's builder ------------------------------------------------------------ */

struct lh_vec_jobs {
    lh_vec_env env;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    lh__vec_job **q;       /* every job of this process, queued, running or finished */
    size_t n, cap;
    pthread_t *threads;
    int nthreads;
    bool stopping;
};

static lh__vec_job *next_queued(lh_vec_jobs *s)
{
    for (size_t i = 0; i < s->n; i++) {
        lh__vec_job *j = s->q[i];
        pthread_mutex_lock(&j->mu);
        const char *state = json_string_value(json_object_get(j->doc, "state"));
        bool queued = state && !strcmp(state, "queued") && !json_is_true(json_object_get(j->doc, "_taken"));
        if (queued)
            json_object_set_new(j->doc, "_taken", json_true());
        pthread_mutex_unlock(&j->mu);
        if (queued)
            return j;
    }
    return NULL;
}

static void *worker(void *arg)
{
    lh_vec_jobs *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        lh__vec_job *j = NULL;
        while (!s->stopping && !(j = next_queued(s)))
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->stopping)
            break;
        pthread_mutex_unlock(&s->mu);
        lh_err err;
        pthread_mutex_lock(&j->mu);
        json_object_del(j->doc, "_taken");
        pthread_mutex_unlock(&j->mu);
        if (atomic_load(&j->cancel)) {
            pthread_mutex_lock(&j->mu);
            json_object_set_new(j->doc, "state", json_string("cancelled"));
            pthread_mutex_unlock(&j->mu);
            (void)lh__vec_job_save(s->env.store, j, &err);
        } else if (lh__vec_build_run(&s->env, j, &err)) {
            lh_log(LH_LOG_INFO, "vector job: %s", err.msg);
        }
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static lh_status add_job(lh_vec_jobs *s, lh__vec_job *j, lh_err *err)
{
    if (lh_grow(&s->q, &s->cap, s->n + 1, sizeof *s->q))
        return lh_fail(err, LH_ENOMEM, "out of memory");
    s->q[s->n++] = j;
    pthread_cond_signal(&s->cv);
    return LH_OK;
}

lh_status lh_vec_jobs_start(const lh_vec_env *env, int workers, lh_vec_jobs **out, lh_err *err)
{
    *out = NULL;
    lh_vec_jobs *s = lh_calloc(1, sizeof *s);
    if (!s)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    s->env = *env;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    /* unfinished jobs on disk: queued again, oldest first (resumed from their checkpoint) */
    json_t *all = NULL;
    lh_status st = lh__vec_job_list(env->store, &all, err);
    for (size_t i = json_array_size(all); !st && i-- > 0;) {
        json_t *d = json_array_get(all, i);
        if (!lh__vec_job_unfinished(d) || !lh__vec_job_is_build(d))
            continue;
        json_object_set_new(d, "state", json_string("queued"));
        lh__vec_job *j = job_new(json_incref(d));
        if (!j || (st = add_job(s, j, err))) {
            job_free(j);
            st = st ? st : lh_fail(err, LH_ENOMEM, "out of memory");
        } else {
            lh_log(LH_LOG_INFO, "vector job %s: resuming", json_string_value(json_object_get(d, "id")));
        }
    }
    json_decref(all);
    s->nthreads = workers > 0 ? workers : 1;
    s->threads = st ? NULL : lh_calloc((size_t)s->nthreads, sizeof *s->threads);
    if (!st && !s->threads)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    int started = 0;
    for (; !st && started < s->nthreads; started++)
        if (pthread_create(&s->threads[started], NULL, worker, s))
            st = lh_fail(err, LH_EINTERNAL, "cannot start a vector job worker");
    if (st) {
        s->nthreads = started > 0 && st ? started - 1 : 0;
        lh_vec_jobs_stop(s);
        return st;
    }
    *out = s;
    return LH_OK;
}

void lh_vec_jobs_stop(lh_vec_jobs *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    for (size_t i = 0; i < s->n; i++)
        atomic_store(&s->q[i]->stop, true);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->nthreads; i++)
        pthread_join(s->threads[i], NULL);
    for (size_t i = 0; i < s->n; i++)
        job_free(s->q[i]);
    free(s->q);
    free(s->threads);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static bool busy_locked(lh_vec_jobs *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++) {
        lh__vec_job *j = s->q[i];
        pthread_mutex_lock(&j->mu);
        bool b = lh__vec_job_unfinished(j->doc) &&
                 !strcmp(json_string_value(json_object_get(j->doc, "index")) ?: "", name);
        pthread_mutex_unlock(&j->mu);
        if (b)
            return true;
    }
    return false;
}

bool lh_vec_jobs_busy(lh_vec_jobs *s, const char *name)
{
    pthread_mutex_lock(&s->mu);
    bool b = busy_locked(s, name);
    pthread_mutex_unlock(&s->mu);
    return b;
}

lh_status lh_vec_jobs_submit(lh_vec_jobs *s, const lh_vec_spec *spec, const char *actor,
                             json_t **job, lh_err *err)
{
    *job = NULL;
    pthread_mutex_lock(&s->mu);
    lh_status st = busy_locked(s, spec->name)
                       ? lh_fail(err, LH_ECONFLICT, "a build of vector index '%s' is already "
                                 "queued or running", spec->name)
                       : lh_vec_spec_check(&s->env, spec, err);
    json_t *doc = NULL;
    if (!st) {
        lh_err e2;
        (void)lh__vec_remove_dir(s->env.store, spec->name, &e2); /* leftovers of a failed build */
        st = new_job_doc(&s->env, spec, actor, &doc, err);
    }
    lh__vec_job *j = NULL;
    if (!st && !(j = job_new(doc)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh__vec_job_save(s->env.store, j, err);
    if (!st)
        st = add_job(s, j, err);
    if (st)
        job_free(j);
    else
        *job = job_snapshot(j);
    pthread_mutex_unlock(&s->mu);
    return st;
}

static lh__vec_job *find(lh_vec_jobs *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++) {
        pthread_mutex_lock(&s->q[i]->mu);
        bool same = !strcmp(json_string_value(json_object_get(s->q[i]->doc, "id")) ?: "", id);
        pthread_mutex_unlock(&s->q[i]->mu);
        if (same)
            return s->q[i];
    }
    return NULL;
}

static void clean_doc(json_t *d)
{
    json_object_del(d, "_taken");
    json_object_del(d, "batches"); /* the checkpoint's detail: "batches_done" says enough */
}

static json_t *public_doc(json_t *d)
{
    if (!d)
        return NULL;
    json_object_set_new(d, "batches_done", json_integer((json_int_t)json_array_size(json_object_get(d, "batches"))));
    clean_doc(d);
    return d;
}

lh_status lh_vec_jobs_list(lh_vec_jobs *s, json_t **out, lh_err *err)
{
    json_t *disk = NULL;
    lh_status st = lh__vec_job_list(s->env.store, &disk, err);
    if (st)
        return st;
    pthread_mutex_lock(&s->mu);
    size_t i;
    json_t *d;
    json_array_foreach(disk, i, d) {
        lh__vec_job *j = find(s, json_string_value(json_object_get(d, "id")) ?: "");
        if (j)
            json_array_set_new(disk, i, job_snapshot(j));
        public_doc(json_array_get(disk, i));
    }
    pthread_mutex_unlock(&s->mu);
    *out = disk;
    return LH_OK;
}

lh_status lh_vec_jobs_get(lh_vec_jobs *s, const char *id, json_t **out, lh_err *err)
{
    pthread_mutex_lock(&s->mu);
    lh__vec_job *j = find(s, id);
    *out = j ? job_snapshot(j) : NULL;
    pthread_mutex_unlock(&s->mu);
    lh_status st = *out ? LH_OK : lh__vec_job_load(s->env.store, id, out, err);
    public_doc(*out);
    return st;
}

lh_status lh_vec_jobs_cancel(lh_vec_jobs *s, const char *id, json_t **out, lh_err *err)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    lh__vec_job *j = find(s, id);
    lh_status st = LH_OK;
    if (!j) {
        json_t *d = NULL;
        st = lh__vec_job_load(s->env.store, id, &d, err);
        if (!st)
            st = lh_fail(err, LH_ECONFLICT, "job '%s' is %s: there is nothing to cancel", id,
                         json_string_value(json_object_get(d, "state")) ?: "finished");
        json_decref(d);
    } else {
        pthread_mutex_lock(&j->mu);
        bool live = lh__vec_job_unfinished(j->doc);
        const char *state = json_string_value(json_object_get(j->doc, "state"));
        bool queued = state && !strcmp(state, "queued") && !json_is_true(json_object_get(j->doc, "_taken"));
        if (!live)
            st = lh_fail(err, LH_ECONFLICT, "job '%s' is %s: there is nothing to cancel", id,
                         state ? state : "finished");
        else if (queued)
            json_object_set_new(j->doc, "state", json_string("cancelled"));
        pthread_mutex_unlock(&j->mu);
        if (!st) {
            atomic_store(&j->cancel, true);
            if (queued)
                st = lh__vec_job_save(s->env.store, j, err);
        }
    }
    if (!st && j) {
        /* a running job stops at its next batch: wait for its verdict so that the reply
         * says cancelled (a build checks the flag at least once per batch) */
        for (;;) {
            pthread_mutex_lock(&j->mu);
            bool live = lh__vec_job_unfinished(j->doc);
            pthread_mutex_unlock(&j->mu);
            if (!live)
                break;
            pthread_mutex_unlock(&s->mu);
            usleep(10000);
            pthread_mutex_lock(&s->mu);
        }
        *out = public_doc(job_snapshot(j));
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}
