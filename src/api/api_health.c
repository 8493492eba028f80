/* api_health.c: GET /health.
 *
 * The engine check is a real query (SELECT 1 through the gate, with a 5 s timeout). It
 * used to run for every request, on a control worker; a probe per request cost a thread
 * hand-off and the engine's per-query work, and capped /health at a few hundred
 * requests a second. Now the result of the last probe is kept for [server]
 * health_probe_ms (default 1000): while it is that fresh, the quick handler answers in
 * the network thread from it (dataset count and uptime are read live); once it is
 * older, the request goes to a control worker, which probes the engine again and
 * answers. An engine that stops answering is therefore reported (503 "degraded") at
 * most health_probe_ms + 5 s after it stopped, as before at most 5 s. engine.age_ms
 * says how old the reported check is. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/util.h"
#include "engine/engine.h"

/* checked_ms: when the probe reported ended (engine.age_ms says how long ago). */
static void reply(lh_http_req *r, lh_api *a, bool ok, const char *error, double checked_ms)
{
    double now = lh_mono_ms();
    json_t *body = json_pack("{s:s, s:s, s:f, s:I, s:{s:b}, s:{s:b, s:I, s:s*}}", "status",
                             ok ? "ok" : "degraded", "version", LH_VERSION, "uptime_s",
                             (now - a->started_ms) / 1000.0, "datasets",
                             (json_int_t)lh_lake_dataset_count(a->lake), "storage", "ok", 1,
                             "engine", "ok", ok, "age_ms", (json_int_t)(now - checked_ms),
                             "error", ok ? NULL : error);
    lh_http_reply_json(r, ok ? 200 : 503, body);
}

/* The probe: SELECT 1 through the gate; remembers the outcome for the quick path. */
static bool probe(lh_api *a, char *error, size_t size, double *checked_ms)
{
    lh_query *q = NULL;
    lh_err err;
    lh_lake_query qo = {.timeout_ms = 5000};
    lh_status est = lh_lake_query_open(a->lake, "SELECT 1", &qo, &q, &err);
    lh_query_close(q);
    bool ok = !est;
    snprintf(error, size, "%s", ok ? "" : err.msg);
    pthread_mutex_lock(&a->health_mu);
    a->health_ok = ok;
    memcpy(a->health_error, error, size);
    a->health_checked_ms = *checked_ms = lh_mono_ms();
    pthread_mutex_unlock(&a->health_mu);
    return ok;
}

void lh__api_health(lh_http_req *r, void *app)
{
    lh_api *a = app;
    char error[sizeof a->health_error];
    if (!lh_http_quick(r)) { /* a control worker: probe the engine now */
        double checked_ms;
        bool ok = probe(a, error, sizeof error, &checked_ms);
        reply(r, a, ok, error, checked_ms);
        return;
    }
    /* the network thread: answer from the last probe while it is fresh */
    pthread_mutex_lock(&a->health_mu);
    bool fresh = a->health_checked_ms > 0 &&
                 lh_mono_ms() - a->health_checked_ms < (double)a->health_probe_ms;
    bool ok = a->health_ok;
    double checked_ms = a->health_checked_ms;
    memcpy(error, a->health_error, sizeof error);
    pthread_mutex_unlock(&a->health_mu);
    if (fresh)
        reply(r, a, ok, error, checked_ms);
    /* else no reply: the server runs this handler again on a control worker */
}
