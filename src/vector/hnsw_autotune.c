/* hnsw_autotune.c: autotune jobs (tune.h): a grid of configs measured as trials, the best
 * over a recall gate promoted; run in the calling thread (the CLI) or on the server's tuner
 * thread (hnsw_tuner.c). The job's JSON is saved to _jobs/<id>.json (lh_vec_job_key) at each state change,
 * after each config and every second of a build, so GET /vectors/jobs/{id} follows it. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/util.h"
#include "storage/storage.h"
#include "vector/graphs.h"
#include "vector/index.h"
#include "vector/tune_int.h"

struct lh__tune_job {
    json_t *doc;               /* under mu */
    pthread_mutex_t mu;
    atomic_bool cancel;
    atomic_bool done;
    lh_vec_autotune_req req;   /* index and eval point into name / eval below */
    char index[72], eval[72], actor[128], id[48];
    lh_vec_autotune_progress progress;
    void *ctx;
    double saved_ms;
    lh_vec_tune_env te;
};
typedef lh__tune_job tjob;

static json_t *now_string(void)
{
    char ts[32];
    lh_format_time(lh_now_ms(), ts);
    return json_string(ts);
}

/* Saves the job file and tells the progress callback (a snapshot taken under mu). */
void lh__tune_job_save(tjob *j)
{
    pthread_mutex_lock(&j->mu);
    json_t *snap = json_deep_copy(j->doc);
    pthread_mutex_unlock(&j->mu);
    char *text = snap ? lh_json_dumps(snap, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
    lh_buf key;
    lh_buf_init(&key, 0);
    lh_err err;
    if (!text || lh_vec_job_key(j->id, &key) ||
        lh_store_put(j->te.senv.store, key.data, text, strlen(text), &err))
        lh_log(LH_LOG_WARN, "autotune job %s: its file was not saved", j->id);
    j->saved_ms = lh_mono_ms();
    if (j->progress && snap)
        j->progress(j->ctx, snap);
    free(text);
    lh_buf_release(&key);
    json_decref(snap);
}

static void put_field(tjob *j, const char *field, json_t *v)
{
    pthread_mutex_lock(&j->mu);
    json_object_set_new(j->doc, field, v);
    pthread_mutex_unlock(&j->mu);
}

static lh_status check_req(const lh_vec_tune_env *te, const lh_vec_autotune_req *req, lh_err *err)
{
    if (!(req->min_recall >= 0 && req->min_recall <= 2))
        return lh_fail(err, LH_EINVAL, "field 'min_recall' must be a number from 0 to 2");
    size_t total = req->grid.nM * req->grid.nefc * req->grid.nefs;
    if (!total || total > LH_TUNE_GRID_MAX)
        return lh_fail(err, LH_EINVAL, "the grid has %zu configs; 1 to %d", total, LH_TUNE_GRID_MAX);
    json_t *e = NULL, *ev = NULL;
    lh_status st = lh_vec_registry_get(te->senv.store, req->index ? req->index : "", &e, err);
    if (!st)
        st = lh__eval_read(te->senv.store, req->eval ? req->eval : "", &ev, err);
    const char *of = json_string_value(json_object_get(ev, "index")) ?: "";
    if (!st && strcmp(of, req->index))
        st = lh_fail(err, LH_EINVAL, "eval set '%s' is for index '%s', not '%s'", req->eval, of, req->index);
    json_decref(e);
    json_decref(ev);
    return st;
}

lh_status lh_vec_autotune_check(const lh_vec_tune_env *te, const lh_vec_autotune_req *req,
                                lh_err *err)
{
    return check_req(te, req, err);
}

tjob *lh__tune_job_new(const lh_vec_tune_env *te, const lh_vec_autotune_req *req, const char *actor)
{
    tjob *j = lh_calloc(1, sizeof *j);
    if (!j)
        return NULL;
    pthread_mutex_init(&j->mu, NULL);
    atomic_init(&j->cancel, false);
    atomic_init(&j->done, false);
    j->te = *te;
    j->req = *req;
    snprintf(j->index, sizeof j->index, "%s", req->index);
    snprintf(j->eval, sizeof j->eval, "%s", req->eval);
    snprintf(j->actor, sizeof j->actor, "%s", actor ? actor : "cli");
    j->req.index = j->index;
    j->req.eval = j->eval;
    /* "vj-" as index builds: GET /vectors/jobs lists both kinds (job.c) */
    lh__tune_id("vj-", j->id);
    size_t total = req->grid.nM * req->grid.nefc * req->grid.nefs;
    j->doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:I, s:i, s:f, s:s, s:[], s:n, s:n, "
                       "s:n, s:n, s:o, s:n, s:n, s:s}",
                       "id", j->id, "kind", "autotune", "index", j->index, "eval", j->eval, "state",
                       "queued", "min_recall", req->min_recall, "grid", lh_vec_grid_to_json(&req->grid),
                       "configs_total", (json_int_t)total, "configs_done", 0, "percent", 0.0, "phase",
                       "queued", "trials", "best", "promoted", "message", "error", "created_at",
                       now_string(), "started_at", "finished_at", "actor", j->actor);
    if (!j->doc) {
        pthread_mutex_destroy(&j->mu);
        free(j);
        return NULL;
    }
    return j;
}

void lh__tune_job_free(tjob *j)
{
    if (!j)
        return;
    json_decref(j->doc);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

/* The build's progress: the cancel flag, and the job file every second. */
static int build_progress(void *ctx, size_t done, size_t total)
{
    tjob *j = ctx;
    if (lh_mono_ms() - j->saved_ms >= 1000) {
        put_field(j, "build_rows_done", json_integer((json_int_t)done));
        put_field(j, "build_rows_total", json_integer((json_int_t)total));
        lh__tune_job_save(j);
    }
    return atomic_load(&j->cancel) ? 1 : 0;
}

static json_t *brief(const json_t *t)
{
    return json_pack("{s:O, s:O, s:O, s:O}", "trial_id", json_object_get(t, "trial_id"), "params",
                     json_object_get(t, "params"), "recall", json_object_get(t, "recall"), "p50_us",
                     json_object_get(t, "p50_us"));
}

/* a beats b: higher recall, then lower p50 (the earlier trial keeps a tie) */
static bool beats(const json_t *a, const json_t *b)
{
    double ra = json_number_value(json_object_get(a, "recall"));
    double rb = json_number_value(json_object_get(b, "recall"));
    if (ra != rb)
        return ra > rb;
    return json_number_value(json_object_get(a, "p50_us")) < json_number_value(json_object_get(b, "p50_us"));
}

/* Measures every config; *winner / *seen (new references or NULL) = the best trial over the
 * gate / the best seen. */
static lh_status sweep(tjob *j, lh__tune_set *set, json_t **winner, json_t **seen, lh_err *err)
{
    const lh_vec_grid *g = &j->req.grid;
    size_t done = 0, total = g->nM * g->nefc * g->nefs;
    lh_status st = LH_OK;
    for (size_t a = 0; !st && a < g->nM; a++)
        for (size_t b = 0; !st && b < g->nefc; b++) {
            lh_hnsw_params p = {g->M[a], g->ef_construction[b], g->ef_search[0], j->req.seed};
            char phase[96];
            snprintf(phase, sizeof phase, "building M=%u ef_construction=%u", p.M, p.ef_construction);
            put_field(j, "phase", json_string(phase));
            lh__tune_job_save(j);
            lh_hnsw *h = NULL;
            double build_ms = 0;
            st = lh__trial_build(set, &p, build_progress, j, &h, &build_ms, err);
            for (size_t c = 0; !st && c < g->nefs; c++) {
                if (atomic_load(&j->cancel)) {
                    st = lh_fail(err, LH_ECONFLICT, "the autotune was cancelled");
                    break;
                }
                p.ef_search = g->ef_search[c];
                json_t *t = NULL;
                st = lh__trial_measure(set, h, &p, build_ms, j->actor, j->id, &t, err);
                if (!st)
                    st = lh__trial_append(j->te.senv.store, j->index, t, err);
                if (!st) {
                    done++;
                    snprintf(phase, sizeof phase, "measured M=%u ef_construction=%u ef_search=%u",
                             p.M, p.ef_construction, p.ef_search);
                    put_field(j, "phase", json_string(phase));
                    if (!*seen || beats(t, *seen)) {
                        json_decref(*seen);
                        *seen = json_incref(t);
                    }
                    if (json_number_value(json_object_get(t, "recall")) >= j->req.min_recall &&
                        (!*winner || beats(t, *winner))) {
                        json_decref(*winner);
                        *winner = json_incref(t);
                    }
                    pthread_mutex_lock(&j->mu);
                    json_array_append(json_object_get(j->doc, "trials"), json_object_get(t, "trial_id"));
                    json_object_set_new(j->doc, "configs_done", json_integer((json_int_t)done));
                    json_object_set_new(j->doc, "percent", json_real(100.0 * (double)done / (double)total));
                    json_object_set_new(j->doc, "best", *winner ? brief(*winner) : json_null());
                    json_object_set_new(j->doc, "best_recall_seen", json_object_get(*seen, "recall")
                                        ? json_incref(json_object_get(*seen, "recall")) : json_null());
                    pthread_mutex_unlock(&j->mu);
                    lh__tune_job_save(j);
                }
                json_decref(t);
            }
            lh_hnsw_free(h);
        }
    return st;
}

/* Promotes winner, and activates it when the server's graphs are there. */
static lh_status promote(tjob *j, const json_t *winner, lh_err *err)
{
    lh_hnsw_params p;
    if (!lh_vec_trial_params(winner, &p))
        return lh_fail(err, LH_EINTERNAL, "the winning trial has no params");
    const char *tid = json_string_value(json_object_get(winner, "trial_id"));
    put_field(j, "phase", json_string("promoting"));
    lh__tune_job_save(j);
    lh_status st = lh_vec_promote(j->te.senv.store, j->index, &p, tid, j->actor, NULL, err);
    if (st)
        return st;
    json_t *pr = brief(winner);
    if (j->te.graphs) {
        json_t *report = NULL;
        lh_err e2;
        if (lh_vec_graphs_activate(j->te.graphs, j->te.indexes, &j->te.senv, j->index, &p, &report, &e2))
            json_object_set_new(pr, "activation", json_pack("{s:s}", "error", e2.msg));
        else
            json_object_set_new(pr, "activation", report);
    }
    put_field(j, "promoted", pr);
    char msg[320];
    snprintf(msg, sizeof msg, "promoted trial %s: recall %.4f at p50 %.1f us (M %u, ef_construction "
             "%u, ef_search %u)", tid, json_number_value(json_object_get(winner, "recall")),
             json_number_value(json_object_get(winner, "p50_us")), p.M, p.ef_construction, p.ef_search);
    put_field(j, "message", json_string(msg));
    return LH_OK;
}

lh_status lh__tune_job_run(tjob *j, lh_err *err)
{
    put_field(j, "state", json_string("running"));
    put_field(j, "phase", json_string("preparing the eval set"));
    put_field(j, "started_at", now_string());
    lh__tune_job_save(j);
    lh__tune_set *s = NULL;
    json_t *winner = NULL, *seen = NULL;
    lh_status st = lh__embcache_get(&j->te, j->index, j->eval, &s, err);
    if (!st)
        st = sweep(j, s, &winner, &seen, err);
    lh__embcache_put(j->te.emb, s);
    if (!st && winner) {
        st = promote(j, winner, err);
    } else if (!st) {
        char msg[320];
        snprintf(msg, sizeof msg, "no config reached recall %.4f; the best recall seen was %.4f "
                 "(trial %s): nothing promoted", j->req.min_recall,
                 json_number_value(json_object_get(seen, "recall")),
                 json_string_value(json_object_get(seen, "trial_id")) ?: "none");
        put_field(j, "message", json_string(msg));
    }
    bool cancelled = st && atomic_load(&j->cancel);
    if (cancelled)
        lh_fail(err, st, "the autotune was cancelled after %lld of %lld configs",
                (long long)json_integer_value(json_object_get(j->doc, "configs_done")),
                (long long)json_integer_value(json_object_get(j->doc, "configs_total")));
    put_field(j, "state", json_string(!st ? "succeeded" : cancelled ? "cancelled" : "failed"));
    put_field(j, "phase", json_string("done"));
    if (st)
        put_field(j, "error", json_string(err->msg));
    put_field(j, "finished_at", now_string());
    lh__tune_job_save(j);
    json_decref(winner);
    json_decref(seen);
    atomic_store(&j->done, true);
    return st;
}

lh_status lh_vec_autotune_run(const lh_vec_tune_env *te, const lh_vec_autotune_req *req,
                              const char *actor, lh_vec_autotune_progress progress, void *ctx,
                              json_t **job_out, lh_err *err)
{
    if (job_out)
        *job_out = NULL;
    lh_status st = check_req(te, req, err);
    if (st)
        return st;
    tjob *j = lh__tune_job_new(te, req, actor);
    if (!j)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    j->progress = progress;
    j->ctx = ctx;
    st = lh__tune_job_run(j, err);
    if (job_out)
        *job_out = json_deep_copy(j->doc);
    lh__tune_job_free(j);
    return st;
}


const char *lh__tune_job_id(const tjob *j) { return j->id; }

json_t *lh__tune_job_snapshot(tjob *j)
{
    pthread_mutex_lock(&j->mu);
    json_t *c = json_deep_copy(j->doc);
    pthread_mutex_unlock(&j->mu);
    return c;
}

void lh__tune_job_cancel(tjob *j) { atomic_store(&j->cancel, true); }
bool lh__tune_job_done(tjob *j) { return atomic_load(&j->done); }
