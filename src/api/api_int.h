/* api_int.h: what the api module's files share. */
#ifndef LH_API_API_INT_H
#define LH_API_API_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "ai/ai.h"
#include "api/api.h"
#include "lake/lake.h"

typedef struct lh_metrics lh_metrics;
typedef struct lh_vec_cache lh_vec_cache;
typedef struct lh_vec_graphs lh_vec_graphs;
typedef struct lh_vec_jobs lh_vec_jobs;
typedef struct lh_vec_embcache lh_vec_embcache;
typedef struct lh_vec_tuner lh_vec_tuner;

typedef struct lh_api {
    lh_lake *lake;
    const lh_config *config;
    lh_metrics *metrics;
    lh_vec_jobs *vjobs;        /* vector index builds (vector/index.h) */
    double started_ms;
    int64_t query_timeout_ms;
    int64_t query_max_timeout_ms;
    /* /health's engine check (api_health.c): the last probe, reused for probe_ms */
    pthread_mutex_t health_mu;
    double health_checked_ms;  /* lh_mono_ms when the last probe ended; 0 = none yet */
    bool health_ok;
    char health_error[1024];   /* as lh_err.msg */
    int64_t health_probe_ms;
    /* [ai] (api_ai.c): the configuration, and the network provider it names (NULL with
     * provider = builtin, which is fitted per index) */
    lh_ai_config ai_config;
    lh_ai *ai;
    lh_vec_cache *vec_cache;   /* loaded vector indexes (api_vectors_search.c) */
    lh_vec_graphs *vec_graphs; /* their active HNSW graphs (vector/graphs.h) */
    /* HNSW tuning (api_hnsw.c, vector/tune.h): eval vectors and truth, autotune jobs */
    lh_vec_embcache *vec_emb;
    lh_vec_tuner *vec_tuner;
} lh_api;

/* Handlers, one per route (see routes.c). */
void lh__api_health(lh_http_req *r, void *app);
void lh__api_datasets_list(lh_http_req *r, void *app);
void lh__api_datasets_create(lh_http_req *r, void *app);
void lh__api_dataset_get(lh_http_req *r, void *app);
void lh__api_dataset_patch(lh_http_req *r, void *app);
void lh__api_dataset_history(lh_http_req *r, void *app);
void lh__api_resync(lh_http_req *r, void *app);
void lh__api_query_sql(lh_http_req *r, void *app);
void lh__api_ingest_file(lh_http_req *r, void *app);
void lh__api_ingest_db(lh_http_req *r, void *app);
void lh__api_ingest_pg_import(lh_http_req *r, void *app);
void lh__api_schema_diff(lh_http_req *r, void *app);
void lh__api_object_put(lh_http_req *r, void *app);
void lh__api_object_get(lh_http_req *r, void *app);
void lh__api_object_delete(lh_http_req *r, void *app);
void lh__api_objects_list(lh_http_req *r, void *app);
void lh__api_metrics(lh_http_req *r, void *app);
void lh__api_journal_history(lh_http_req *r, void *app);
void lh__api_journal_recent(lh_http_req *r, void *app);
void lh__api_journal_stats(lh_http_req *r, void *app);
void lh__api_journal_event(lh_http_req *r, void *app);
void lh__api_journal_update(lh_http_req *r, void *app);
void lh__api_journal_flush(lh_http_req *r, void *app);
void lh__api_cache_pin(lh_http_req *r, void *app);
void lh__api_cache_evict(lh_http_req *r, void *app);
void lh__api_cache_stats(lh_http_req *r, void *app);
void lh__api_tombstone_add(lh_http_req *r, void *app);
void lh__api_tombstone_list(lh_http_req *r, void *app);
void lh__api_compact(lh_http_req *r, void *app);
void lh__api_vacuum(lh_http_req *r, void *app);
void lh__api_ai_providers(lh_http_req *r, void *app);
void lh__api_ai_embed(lh_http_req *r, void *app);
void lh__api_ai_generate(lh_http_req *r, void *app);
void lh__api_ai_rerank(lh_http_req *r, void *app);
void lh__api_ai_sql(lh_http_req *r, void *app);
void lh__api_vectors_search(lh_http_req *r, void *app);
void lh__api_vectors_rag(lh_http_req *r, void *app);
void lh__api_vectors_evaluate(lh_http_req *r, void *app);
void lh__api_vectors_index(lh_http_req *r, void *app);
void lh__api_vectors_jobs(lh_http_req *r, void *app);
void lh__api_vectors_job(lh_http_req *r, void *app);
void lh__api_vectors_cancel(lh_http_req *r, void *app);
void lh__api_vectors_list(lh_http_req *r, void *app);
void lh__api_vectors_get(lh_http_req *r, void *app);
void lh__api_vectors_drop(lh_http_req *r, void *app);
void lh__api_vectors_stale(lh_http_req *r, void *app);
void lh__api_vectors_refresh(lh_http_req *r, void *app);
void lh__api_vectors_policy(lh_http_req *r, void *app);
/* HNSW tuning (api_hnsw.c) */
void lh__api_hnsw_eval_create(lh_http_req *r, void *app);
void lh__api_hnsw_evals(lh_http_req *r, void *app);
void lh__api_hnsw_autogen(lh_http_req *r, void *app);
void lh__api_hnsw_trial(lh_http_req *r, void *app);
void lh__api_hnsw_trials(lh_http_req *r, void *app);
void lh__api_hnsw_best(lh_http_req *r, void *app);
void lh__api_hnsw_cache_stats(lh_http_req *r, void *app);
void lh__api_hnsw_autotune(lh_http_req *r, void *app);
void lh__api_hnsw_promote(lh_http_req *r, void *app);
void lh__api_hnsw_rollback(lh_http_req *r, void *app);
void lh__api_hnsw_promoted(lh_http_req *r, void *app);
/* model profiles (api_profiles.c) */
void lh__api_profiles_create(lh_http_req *r, void *app);
void lh__api_profiles_list(lh_http_req *r, void *app);
void lh__api_profile_get(lh_http_req *r, void *app);
void lh__api_profile_delete(lh_http_req *r, void *app);
void lh__api_profile_activate(lh_http_req *r, void *app);
void lh__api_profile_deactivate(lh_http_req *r, void *app);
void lh__api_profile_search(lh_http_req *r, void *app);
/* POST /vectors/search's work (api_vectors_search.c); with profile (may be NULL) only an
 * index over one of its bound_datasets may be searched (403 naming them otherwise). */
void lh__api_vectors_search_in(lh_http_req *r, lh_api *a, const json_t *profile);

/* Request-body helpers: refuse unknown fields (400 naming the field); fetch typed
 * optional fields. Each replies with the error itself and returns false on bad input. */
bool lh__api_only_fields(lh_http_req *r, const char *const *allowed);
bool lh__api_string(lh_http_req *r, const char *field, bool required, const char **out);
bool lh__api_int(lh_http_req *r, const char *field, int64_t min, int64_t max, int64_t *out);
/* An optional boolean field (400 and false when it is another type). */
bool lh__api_bool(lh_http_req *r, const char *field, bool *out);

/* Metrics (metrics.c). */
lh_metrics *lh__metrics_new(void);
void lh__metrics_free(lh_metrics *m);
void lh__metrics_observe(void *ctx, const lh_http_req *req, int status, double ms,
                         uint64_t bytes_in, uint64_t bytes_out);
void lh__metrics_count_query(lh_metrics *m, uint64_t rows);
void lh__metrics_count_ingest(lh_metrics *m, int64_t bytes, int64_t rows);
char *lh__metrics_render(lh_metrics *m);

/* Auth (auth.c): API keys as SHA-256 hashes in a mode-0600 TOML secrets file. */
typedef struct lh_keyring lh_keyring;
lh_status lh__keyring_load(const char *path, lh_keyring **out, lh_err *err);
void lh__keyring_free(lh_keyring *k);
/* The password stored as [db_passwords] ref = "..." in the secrets file at path (mode 0600
 * required, read at each call so that a rotated password needs no restart). *out is a heap
 * copy the caller wipes and frees. LH_ENOTFOUND for an unknown ref (the message names the
 * ref, never a password). */
lh_status lh__secrets_db_password(const char *path, const char *ref, char **out, lh_err *err);
bool lh__keyring_check(void *ctx, const char *key, char *principal, char *role);

#endif
