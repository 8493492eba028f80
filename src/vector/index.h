/* index.h: vector indexes over a dataset's text column (issue 14, items 2, 3 and 5;
 * layout in /work/vec_spec.md and docs/INTERNALS.md "Vector indexes").
 *
 * An index NAME lives under _vectors/NAME/: a Delta table (written with src/table) whose
 * Parquet files hold one row per chunk (key, chunk_id, ordinal, chunk_start, chunk_end,
 * chunk_text, content_hash, vector FLOAT[dims]), the builtin model's files under model/,
 * and the registry entry index.json, written last with an atomic replace: an index without
 * index.json does not exist (a build in progress, failed or cancelled is invisible).
 *
 * Chunk numbering: the table's rows, read file by file in path order (lh_table_snapshot's
 * order) and in row order within a file, are chunks 0, 1, 2, ...; BM25's document numbers
 * (model/bm25.bin) are those numbers. Files are named so that path order is write order.
 *
 * A build runs as a job (_jobs/<id>.json, state and checkpoint): it reads the source at
 * one table version (tombstones applied) through env->open_source, fits the LSA model on
 * a deterministic sample of at most LH_VEC_FIT_SAMPLE chunks (saved to model/lsa.bin before
 * any vector is written), then embeds every chunk in batches of source rows; each batch is
 * one Parquet file, renamed into place, then recorded in the checkpoint. A job killed at
 * any point resumes from its checkpoint: recorded batches are kept, files not recorded are
 * deleted and their rows embedded again, so no chunk is in the result twice or missing.
 *
 * Modules: the vector module knows no lake; the caller (lake/vectors.c) fills lh_vec_env. */
#ifndef LH_VECTOR_INDEX_H
#define LH_VECTOR_INDEX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"
#include "vector/chunker.h"

typedef struct lh_ai lh_ai;
typedef struct lh_store lh_store;
typedef struct lh_catalog lh_catalog;
typedef struct lh_engine lh_engine;
typedef struct lh_query lh_query;

/* LSA fit sample cap (docs/BENCHMARKS.md "Vector index build": measured so a 100K-row
 * demo index builds in well under a minute). */
#define LH_VEC_FIT_SAMPLE 50000
/* Source rows per embedded batch (one Parquet file, one checkpoint step). */
#define LH_VEC_BATCH_ROWS 8192
/* The builtin provider's embedding width. */
#define LH_VEC_BUILTIN_DIMS 256

/* What an index build needs from the data directory (borrowed; lake/vectors.c fills it). */
typedef struct lh_vec_env {
    lh_store *store;
    lh_catalog *catalog;
    lh_engine *engine;
    /* Opens sql (a SELECT over the relation named dataset) as a gated, streamed user query
     * that sees dataset at table version `version` with its tombstones applied. */
    lh_status (*open_source)(void *ctx, const char *sql, const char *dataset, int64_t version,
                             lh_query **out, lh_err *err);
    /* Records a journal event (borrowed) {entity, entity_id, field, old_value, new_value,
     * actor, source}; may be NULL. Failures are the callee's to log. */
    void (*journal)(void *ctx, json_t *event);
    void *ctx;
    /* The configured network provider and its embedding model (borrowed; NULL = builtin
     * only): a spec naming that provider builds through it (no fit, no model files). */
    lh_ai *network;
    const char *network_model;
    /* Index builds: embedding workers per job (0 = 1: the job's thread embeds) and retries
     * of a batch whose embedding failed with LH_EIO or LH_ETIMEOUT (0 = none), with
     * exponential backoff and jitter (build.c). */
    unsigned embed_workers;
    unsigned embed_retries;
} lh_vec_env;

/* What to build. Strings are NUL-terminated and fit the arrays (spec_from_json checks). */
typedef struct lh_vec_spec {
    char name[64];
    char dataset[64];
    char text_column[256];
    char key_column[256];
    char provider[32];   /* "builtin" (default) */
    char model[128];     /* builtin: "lsa-256" */
    lh_chunk_opts chunk;
} lh_vec_spec;

/* The spec of a request body {name?, dataset, text_column, key_column, provider?, model?,
 * chunk_size?, chunk_overlap?, chunk_unit?} (unknown fields refused, name defaulting to
 * <dataset>_<text_column>); LH_EINVAL naming the field on bad input. */
lh_status lh_vec_spec_from_json(const json_t *body, lh_vec_spec *out, lh_err *err);
/* The spec as JSON (the job file's "spec", the same fields as the body). Caller owns. */
json_t *lh_vec_spec_to_json(const lh_vec_spec *s);
/* Checks spec against the data directory before anything is written: a valid index name
 * (the dataset-name rules), chunk options, a known provider (not builtin:
 * LH_EUNSUPPORTED for now), the dataset and both columns (LH_ENOTFOUND), a text column
 * of a text type (LH_EINVAL), no index of that name yet (LH_EEXIST). */
lh_status lh_vec_spec_check(const lh_vec_env *env, const lh_vec_spec *spec, lh_err *err);

/* ---- layout (layout.c): the only place that spells these keys ---------------------- */

/* "_vectors" */
const char *lh_vec_root_key(void);
/* "_vectors/<name>" (the Delta table's prefix), appended to out; buffer status returned. */
lh_status lh_vec_index_prefix(const char *name, lh_buf *out);
/* "_vectors/<name>/<rel>", e.g. rel "index.json", "model/lsa.bin", "model/bm25.bin". */
lh_status lh_vec_index_key(const char *name, const char *rel, lh_buf *out);
/* "_jobs/<id>.json". */
lh_status lh_vec_job_key(const char *id, lh_buf *out);

/* ---- registry (registry.c) ---------------------------------------------------------- */

/* The registry entry of index name (caller owns *out): LH_ENOTFOUND "no vector index
 * named 'x'" when it has none (or the name is invalid: LH_EINVAL). */
lh_status lh_vec_registry_get(lh_store *s, const char *name, json_t **out, lh_err *err);
/* Every registry entry, sorted by name; source / model (may be NULL) keep those whose
 * source.dataset / model.name match. Caller owns *out (an array). */
lh_status lh_vec_registry_list(lh_store *s, const char *source, const char *model, json_t **out,
                               lh_err *err);
/* Deletes the index: its registry entry first (so it is gone at once), then every file
 * under _vectors/<name>/. LH_ENOTFOUND when there is none. Journals {field "drop"}. */
lh_status lh_vec_index_drop(const lh_vec_env *env, const char *name, const char *actor, lh_err *err);

/* Staleness (issue 14, item 7): an ingest that committed version `version` of dataset
 * marks every index of it built from an older version stale (stale_since = now, the entry
 * replaced atomically; an index already stale keeps its first time). *marked gets how
 * many. The lake calls it after each committed ingest. */
lh_status lh_vec_mark_stale(lh_store *s, const char *dataset, int64_t version, size_t *marked,
                            lh_err *err);
/* The registry entries whose stale_since is set, sorted by name. Caller owns *out. */
lh_status lh_vec_registry_stale(lh_store *s, json_t **out, lh_err *err);

/* ---- the model files of a builtin index (for search) ---------------------------------
 * Reads model/lsa.bin or model/bm25.bin of index name into *out (caller lh_buf_release's). */
lh_status lh_vec_model_read(lh_store *s, const char *name, const char *rel, lh_buf *out,
                            lh_err *err);

/* ---- jobs (job.c, jobs.c) ------------------------------------------------------------ */

/* A job as JSON: {id, kind "index", index, state queued|running|succeeded|failed|
 * cancelled, spec, source_version, created_at, started_at, finished_at, rows_total,
 * rows_done, chunks_done, percent, rows_per_s, eta_s, error, actor}. */

/* Called after each batch (and at each state change) with the job (borrowed). */
typedef void (*lh_vec_progress_fn)(void *ctx, const json_t *job);

/* Runs a build in the calling thread (the CLI's foreground build): a new job, or the
 * unfinished job of the same index and spec found under _jobs/ (a killed build resumes).
 * *job_out (may be NULL; caller owns) gets the final job. The build's own error is
 * returned (the job file says failed). */
lh_status lh_vec_build(const lh_vec_env *env, const lh_vec_spec *spec, const char *actor,
                       lh_vec_progress_fn progress, void *progress_ctx, json_t **job_out,
                       lh_err *err);

/* The background builder of a server: worker threads run queued jobs one at a time per
 * worker; unfinished jobs found under _jobs/ at start are queued again (resumed). */
typedef struct lh_vec_jobs lh_vec_jobs;
lh_status lh_vec_jobs_start(const lh_vec_env *env, int workers, lh_vec_jobs **out, lh_err *err);
/* Stops the workers (a running job stops at its next batch and stays resumable). */
void lh_vec_jobs_stop(lh_vec_jobs *j);
/* Checks spec (lh_vec_spec_check; also LH_ECONFLICT while a job builds that index) and
 * queues a build; *job gets its JSON (caller owns). */
lh_status lh_vec_jobs_submit(lh_vec_jobs *j, const lh_vec_spec *spec, const char *actor,
                             json_t **job, lh_err *err);
/* Every job known (this server's and those on disk), newest first. Caller owns. */
lh_status lh_vec_jobs_list(lh_vec_jobs *j, json_t **out, lh_err *err);
/* One job (LH_ENOTFOUND "no job 'x'"). Caller owns. */
lh_status lh_vec_jobs_get(lh_vec_jobs *j, const char *id, json_t **out, lh_err *err);
/* Cancels a queued or running job (a running one stops at its next batch; its partial
 * files are removed); LH_ECONFLICT for a finished one. *out gets the job. */
lh_status lh_vec_jobs_cancel(lh_vec_jobs *j, const char *id, json_t **out, lh_err *err);
/* True while a job of this server queues or builds index name. */
bool lh_vec_jobs_busy(lh_vec_jobs *j, const char *name);

#endif
