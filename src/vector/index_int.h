/* index_int.h: what the index files of src/vector share (index.h is the contract). */
#ifndef LH_VECTOR_INDEX_INT_H
#define LH_VECTOR_INDEX_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "vector/index.h"

const char *lh__vec_jobs_dir(void);

/* A job being run: its JSON (under mu; the build updates it) and the cancel flag. */
typedef struct lh__vec_job {
    json_t *doc;            /* the job file's object */
    pthread_mutex_t mu;
    atomic_bool cancel;     /* set by cancel: the build stops at its next batch */
    atomic_bool stop;       /* set at shutdown: stops without a verdict (resumable) */
    lh_vec_progress_fn progress;
    void *progress_ctx;
} lh__vec_job;

/* A new job document for spec (state queued, a new id). Caller owns. */
json_t *lh__vec_job_new_doc(const lh_vec_spec *spec, int64_t source_version, const char *actor);
/* Writes the job file (atomic replace) from a snapshot taken under j->mu. */
lh_status lh__vec_job_save(lh_store *s, lh__vec_job *j, lh_err *err);
/* Reads the job file of id (caller owns *out). */
lh_status lh__vec_job_load(lh_store *s, const char *id, json_t **out, lh_err *err);
/* Every job file under _jobs/ (array, caller owns), newest first. */
lh_status lh__vec_job_list(lh_store *s, json_t **out, lh_err *err);
/* True for queued and running. */
bool lh__vec_job_unfinished(const json_t *doc);
/* True for an index build's job (kind "index"); the autotune jobs of tune.h share _jobs/
 * and GET /vectors/jobs but are never resumed as builds. */
bool lh__vec_job_is_build(const json_t *doc);

/* Runs (or resumes) the build of job j to its end: on return the job's state is
 * succeeded, failed or cancelled (saved), or unchanged running when j->stop was set. */
lh_status lh__vec_build_run(const lh_vec_env *env, lh__vec_job *j, lh_err *err);

/* Removes every file under _vectors/<name>/ (partial outputs of a build that did not
 * commit, or a dropped index). */
lh_status lh__vec_remove_dir(lh_store *s, const char *name, lh_err *err);

/* Deletes the HNSW promotion record of index name (promotion.c; absent is fine). */
lh_status lh__vec_promotion_remove(lh_store *s, const char *name, lh_err *err);

/* Spec of a job document (its "spec" member). */
lh_status lh__vec_spec_of_doc(const json_t *doc, lh_vec_spec *out, lh_err *err);

/* Records a journal event through env (if it has a journal). */
void lh__vec_journal(const lh_vec_env *env, const char *name, const char *field, json_t *value,
                     const char *actor);

/* The index stores L2-normalised rows (cosine = dot product, index.h): the builtin model
 * writes them so, a network provider's vectors are normalised by this (embed_pool.c)
 * before they are written, by builds and refreshes alike. A zero row stays zero. */
void lh__vec_normalise_rows(float *rows, size_t n, size_t dims);

/* splitmix64: one step of the build's randomness (the fit sample's, from a fixed seed, so
 * deterministic across runs; the retry jitter's). Inline here so build.c and
 * embed_pool.c share one copy. */
static inline uint64_t lh__vec_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* One chunk of a source row, with the row's key (owned by whoever holds the list). */
typedef struct lh__vec_keyed {
    char *key;
    size_t key_len;
    lh_chunk c;
} lh__vec_keyed;

/* Writes items[0, n) and their vectors (n x dims, row i = item i) as one Parquet file of
 * the index table's columns (index.h) at path, then fsyncs it (chunk_file.c). */
lh_status lh__vec_write_chunk_file(lh_engine *eng, const char *path, const lh__vec_keyed *items,
                                   size_t n, size_t dims, float *vecs, lh_err *err);

#endif
