/* serve.c: `lakehouse serve`: open the data directory as its writer, listen, and stop
 * cleanly on SIGTERM/SIGINT (stop accepting, finish in-flight requests up to a deadline). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "vector/search.h"
#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "journal/journal.h"
#include "lake/auto_compact.h"
#include "storage/storage.h"
#include "vector/graphs.h"
#include "vector/index.h"
#include "vector/tune.h"

typedef struct observer {
    lh_metrics *metrics;
    bool access_log;
} observer;

/* One structured line per request on stderr, and the metrics. */
static void observe(void *ctx, const lh_http_req *req, int status, double ms, uint64_t bytes_in,
                    uint64_t bytes_out)
{
    observer *o = ctx;
    lh__metrics_observe(o->metrics, req, status, ms, bytes_in, bytes_out);
    if (!o->access_log)
        return;
    char ts[32];
    lh_format_time(lh_now_ms(), ts);
    const char *route = lh_http_route_pattern(req);
    json_t *line = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:i, s:f, s:I, s:I, s:s}", "ts", ts,
                             "request_id", lh_http_request_id(req), "method", lh_http_method(req),
                             "path", lh_http_path(req), "route", route, "status", status, "ms", ms,
                             "bytes_in", (json_int_t)bytes_in, "bytes_out", (json_int_t)bytes_out,
                             "principal", lh_http_principal(req));
    char *text = lh_json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text)
        fprintf(stderr, "%s\n", text);
    free(text);
    json_decref(line);
}

static void interrupt_all(void *app)
{
    lh_api *a = app;
    lh_log(LH_LOG_WARN, "shutdown deadline passed: interrupting running queries and AI requests");
    lh_lake_interrupt(a->lake);
    lh_ai_interrupt(a->ai); /* a request in flight or a Retry-After sleep ends within ~1 s */
}

/* [tracing] exporter: none | stdout | file (with [tracing] file). */
static const char *trace_path(const lh_config *cfg)
{
    const char *exp = lh_config_str(cfg, "tracing.exporter", "none");
    if (!strcmp(exp, "stdout"))
        return "-";
    if (!strcmp(exp, "file"))
        return lh_config_str(cfg, "tracing.file", "");
    return NULL;
}

/* A [server] list key as a NULL-free array of borrowed strings (they live as long as the
 * config); *n = 0 and NULL when empty. The caller frees the array. */
static const char **config_list(const lh_config *cfg, const char *key, size_t *n)
{
    const json_t *a = lh_config_get(cfg, key);
    *n = 0;
    if (!json_is_array(a) || !json_array_size(a))
        return NULL;
    const char **out = lh_calloc(json_array_size(a), sizeof *out);
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v)
        if (out && json_is_string(v))
            out[(*n)++] = json_string_value(v);
    return out;
}

lh_status lh_api_serve(const lh_api_options *opts, lh_err *err)
{
    const lh_config *cfg = opts->config;
    /* Signals go to sigwait below only: block them before any thread starts. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    lh_api api = {.config = cfg, .started_ms = lh_mono_ms()};
    api.query_timeout_ms = lh_config_int(cfg, "query.timeout_ms", 30000);
    api.query_max_timeout_ms = lh_config_int(cfg, "query.max_timeout_ms", 600000);
    api.health_probe_ms = lh_config_int(cfg, "server.health_probe_ms", 1000);
    pthread_mutex_init(&api.health_mu, NULL);
    lh_keyring *keys = NULL;
    lh_http_server *srv = NULL;
    lh_auto_compactor *compactor = NULL;
    lh_vec_refresher *refresher = NULL;
    lh_lake_options lo = {.data_dir = opts->data_dir, .writer = true,
                          .embed_workers = (unsigned)lh_config_int(cfg, "vectors.embed_workers", 2),
                          .embed_retries = (unsigned)lh_config_int(cfg, "vectors.embed_retries", 3),
                          .cache_max_bytes = lh_config_int(cfg, "cache.max_bytes", 0),
                          .memory_limit = lh_config_str(cfg, "engine.memory_limit", ""),
                          .max_temp_size = lh_config_str(cfg, "engine.max_temp_size", ""),
                          .max_sql_bytes = (size_t)lh_config_int(cfg, "query.max_sql_bytes", 0),
                          .checkpoint_interval = (int)lh_config_int(cfg, "storage.checkpoint_interval", 10),
                          .retention_hours = (double)lh_config_int(cfg, "storage.vacuum_retention_hours", 168)};
    lh_status st = lh_http_load(err); /* before the data directory is opened */
    /* [ai]: a bad setting fails the start, not the first request; a network provider
     * makes no request until used */
    if (!st)
        st = lh_ai_config_load(cfg, &api.ai_config, err);
    if (!st && strcmp(api.ai_config.provider, "builtin"))
        st = lh_ai_network_new(&api.ai_config, &api.ai, err);
    if (!st && lh_config_bool(cfg, "auth.enabled", false))
        st = lh__keyring_load(lh_config_str(cfg, "auth.secrets_file", ""), &keys, err);
    if (!st)
        st = lh_lake_open(&lo, &api.lake, err);
    if (!st) /* index builds, query embeddings and RAG answers of that provider's indexes */
        lh_lake_set_ai(api.lake, api.ai, api.ai_config.model);
    if (!st) {
        /* the journal flushes by size and every flush_interval_ms; lh_lake_free flushes
         * the rest at shutdown, after the last request */
        lh_journal *jr = lh_lake_journal(api.lake);
        lh_journal_set_flush_events(jr, lh_config_int(cfg, "journal.flush_events", 10000));
        st = lh_journal_start_timer(jr, lh_config_int(cfg, "journal.flush_interval_ms", 5000), err);
    }
    if (!st) {
        /* [storage] auto_compact: small files merged and tombstones applied in the
         * background (lake/auto_compact.h) */
        lh_auto_compact_policy acp;
        lh_auto_compact_policy_load(cfg, &acp);
        st = lh_auto_compactor_start(api.lake, &acp, &compactor, err);
    }
    if (!st) {
        /* vector index builds: background workers; unfinished jobs resume here */
        lh_vec_env venv;
        lh_lake_vec_env(api.lake, &venv);
        st = lh_vec_jobs_start(&venv, 1, &api.vjobs, err);
    }
    if (!st) /* indexes with refresh on_append or every_seconds (lake.h) */
        st = lh_vec_refresher_start(api.lake, lh_config_int(cfg, "vectors.refresh_tick_ms", 1000),
                                    &refresher, err);
    if (!st && !(api.metrics = lh__metrics_new()))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    /* loaded vector indexes, kept by (index, table version) within a bound (search.h) */
    if (!st)
        st = lh_vec_cache_new(LH_VEC_CACHE_BYTES, &api.vec_cache, err);
    if (!st) /* their HNSW graphs: promoted ones activate on their first search */
        st = lh_vec_graphs_new(&api.vec_graphs, err);
    /* HNSW tuning: the embedding cache of trials and the autotune thread (vector/tune.h) */
    lh_vec_tune_env tune_env = {.indexes = api.vec_cache, .graphs = api.vec_graphs};
    if (!st)
        st = lh_vec_embcache_new(LH_EMBCACHE_BYTES, api.vec_cache, &api.vec_emb, err);
    if (!st) {
        tune_env.emb = api.vec_emb;
        lh_lake_vec_senv(api.lake, &tune_env.senv);
        st = lh_vec_tuner_new(&tune_env, &api.vec_tuner, err);
    }
    lh_buf staging;
    lh_buf_init(&staging, 4096);
    if (!st) {
        if ((st = lh_path_join(&staging, lh_store_root(lh_lake_store(api.lake)), "_staging")))
            st = lh_fail(err, st, "staging directory path too long");
        else
            st = lh_mkdirs(lh_buf_cstr(&staging), err);
    }
    observer obs = {api.metrics, lh_config_bool(cfg, "server.access_log", true)};
    size_t nhosts = 0, norigins = 0;
    const char **hosts = config_list(cfg, "server.allowed_hosts", &nhosts);
    const char **origins = config_list(cfg, "server.allowed_origins", &norigins);
    if (!st) {
        size_t nroutes = 0;
        const lh_http_route *routes = lh_api_routes(&nroutes);
        int64_t timeout_ms = lh_config_int(cfg, "server.request_timeout_ms", 30000);
        lh_http_config hc = {
            .bind = opts->bind ? opts->bind : lh_config_str(cfg, "server.bind", "127.0.0.1:3100"),
            .threads = (unsigned)lh_config_int(cfg, "server.threads", 0),
            .workers = (unsigned)lh_config_int(cfg, "server.workers", 0),
            .connection_timeout_s = (unsigned)((timeout_ms + 999) / 1000),
            .header_timeout_ms = (unsigned)lh_config_int(cfg, "server.header_timeout_ms", 10000),
            .per_ip_connections = (unsigned)lh_config_int(cfg, "server.per_ip_connections", 64),
            .header_limit = (size_t)lh_config_int(cfg, "server.header_limit_bytes", 65536),
            .max_body = lh_config_int(cfg, "server.max_body_bytes", (int64_t)1 << 30),
            .staging_dir = lh_buf_cstr(&staging),
            .routes = routes,
            .nroutes = nroutes,
            .app = &api,
            .auth = keys ? lh__keyring_check : NULL,
            .auth_ctx = keys,
            .health_open = lh_config_bool(cfg, "auth.health_open", true),
            .allowed_hosts = hosts,
            .nallowed_hosts = nhosts,
            .allowed_origins = origins,
            .nallowed_origins = norigins,
            .allow_unauthenticated_remote = opts->allow_unauthenticated_remote ||
                                            lh_config_bool(cfg, "server.allow_unauthenticated_remote", false),
            .observe = observe,
            .observe_ctx = &obs,
            .trace_path = trace_path(cfg),
            .on_deadline = interrupt_all,
        };
        st = lh_http_start(&hc, &srv, err);
    }
    if (!st) {
        char url[96];
        const char *bind = opts->bind ? opts->bind : lh_config_str(cfg, "server.bind", "127.0.0.1:3100");
        const char *colon = strrchr(bind, ':');
        snprintf(url, sizeof url, "http://%.*s:%u", (int)(colon - bind), bind, lh_http_port(srv));
        lh_lake_set_lock_note(api.lake, url); /* lets the CLI find the server */
        if (opts->on_ready)
            opts->on_ready(url, opts->ready_ctx);
        int sig = 0;
        sigwait(&sigs, &sig);
        lh_log(LH_LOG_INFO, "signal %d: stopping (in-flight requests get up to %lld ms)", sig,
               (long long)lh_config_int(cfg, "server.shutdown_ms", 10000));
        lh_http_stop(srv, lh_config_int(cfg, "server.shutdown_ms", 10000));
    }
    lh_auto_compactor_stop(compactor); /* after the last request, before the lake goes */
    lh_vec_jobs_stop(api.vjobs);       /* a running build stops at its next batch (resumable) */
    lh_vec_tuner_free(api.vec_tuner);  /* a running autotune stops at its next step (cancelled) */
    lh_vec_refresher_stop(refresher);  /* a refresh in progress ends first */
    lh_buf_release(&staging);
    free(hosts);
    free(origins);
    lh__metrics_free(api.metrics);
    lh_vec_embcache_free(api.vec_emb);  /* its sets hold indexes: before the cache */
    lh_vec_graphs_free(api.vec_graphs); /* waits for background graph builds; before the cache */
    lh_vec_cache_free(api.vec_cache);
    lh_lake_free(api.lake);
    lh__keyring_free(keys);
    lh_ai_free(api.ai);
    lh_ai_config_release(&api.ai_config);
    pthread_mutex_destroy(&api.health_mu);
    return st;
}
