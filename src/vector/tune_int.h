/* tune_int.h: what the tuning files of src/vector share (emb_cache.c, hnsw_evals.c,
 * hnsw_trials.c, hnsw_journal.c, hnsw_best.c, hnsw_grid.c, hnsw_autotune.c). tune.h is the
 * contract. */
#ifndef LH_VECTOR_TUNE_INT_H
#define LH_VECTOR_TUNE_INT_H

#include "ann/hnsw.h"
#include "vector/search_int.h"
#include "vector/tune.h"

/* An eval set made ready for one index build: its query vectors and exact truth (what the
 * embedding cache holds). */
typedef struct lh__tune_set {
    char eval[72];
    char *stamp;               /* the index build (lh__vec_stamp) */
    lh_vec_index *idx;         /* a reference from lh_vec_cache_get */
    size_t nq, dims;
    float *queries;            /* nq x dims */
    uint32_t *truth;           /* nq x LH_TUNE_K rows */
    uint8_t *ntruth;           /* truth rows per query (0: the query embeds as zeros) */
    size_t bytes;              /* queries + truth */
    /* emb_cache.c */
    int refs;
    uint64_t used, hits;
    bool cached;
} lh__tune_set;

/* emb_cache.c: the set of eval for index (loaded and computed on a miss, through
 * lh__eval_prepare); give it back with lh__embcache_put. */
lh_status lh__embcache_get(const lh_vec_tune_env *te, const char *index, const char *eval,
                           lh__tune_set **out, lh_err *err);
void lh__embcache_put(lh_vec_embcache *c, lh__tune_set *set);
/* Drops the entries of eval (its file changed). */
void lh__embcache_forget(lh_vec_embcache *c, const char *eval);

/* hnsw_evals.c: the set of eval for idx (a reference from lh_vec_cache_get that the set
 * takes over on success; the caller keeps it on failure): reads the eval file (LH_ENOTFOUND; LH_EINVAL when it is another index's), embeds
 * or samples the queries, and computes and stores the truth when the file's is of another
 * build. */
lh_status lh__eval_prepare(const lh_vec_tune_env *te, lh_vec_index *idx, const char *eval,
                           lh__tune_set **out, lh_err *err);
void lh__tune_set_free(lh_vec_cache *indexes, lh__tune_set *set);
/* Reads _hnsw_evals/<name>.json (LH_ENOTFOUND "no eval set 'x'"). */
lh_status lh__eval_read(lh_store *s, const char *name, json_t **out, lh_err *err);
/* Writes doc as the file of its "name" (atomic replace); under lh__eval_lock, which every
 * write of an eval file holds (hnsw_evals.c, hnsw_eval_prepare.c). */
lh_status lh__eval_write(lh_store *s, const json_t *doc, lh_err *err);
void lh__eval_lock(void);
void lh__eval_unlock(void);

/* hnsw_trials.c: the pieces of a trial, shared with autotune. */
typedef int (*lh__tune_cancel_fn)(void *ctx, size_t done, size_t total);
lh_status lh__trial_build(const lh__tune_set *set, const lh_hnsw_params *p, lh__tune_cancel_fn cb,
                          void *ctx, lh_hnsw **out, double *build_ms, lh_err *err);
/* Searches every query of set on h with ef, and makes the trial object (not journalled). */
lh_status lh__trial_measure(const lh__tune_set *set, const lh_hnsw *h, const lh_hnsw_params *p,
                            double build_ms, const char *actor, const char *job_id, json_t **out,
                            lh_err *err);

/* hnsw_journal.c: appends trial to _hnsw_trials/<index>.jsonl (durable on return). */
lh_status lh__trial_append(lh_store *s, const char *index, const json_t *trial, lh_err *err);

/* hnsw_autotune.c: one autotune job (its JSON under a lock, its cancel flag), for the
 * server's tuner (hnsw_tuner.c). new copies te and req; run runs it to its end (saved);
 * snapshot is a copy of its JSON (caller owns); cancel makes it stop at its next build step
 * or config; done is true once run has returned. */
typedef struct lh__tune_job lh__tune_job;
lh__tune_job *lh__tune_job_new(const lh_vec_tune_env *te, const lh_vec_autotune_req *req,
                               const char *actor);
lh_status lh__tune_job_run(lh__tune_job *j, lh_err *err);
void lh__tune_job_save(lh__tune_job *j);
json_t *lh__tune_job_snapshot(lh__tune_job *j);
const char *lh__tune_job_id(const lh__tune_job *j);
void lh__tune_job_cancel(lh__tune_job *j);
bool lh__tune_job_done(lh__tune_job *j);
void lh__tune_job_free(lh__tune_job *j);

/* A new id: prefix, then the time in ms (13 digits, so ids sort by creation), then 8 random
 * hex digits ("t-0001765000000000-1a2b3c4d"). */
void lh__tune_id(const char *prefix, char out[48]);

#endif
