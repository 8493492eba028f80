/* search.h: search, RAG and evaluation over a vector index (issue 14, items 4, 6, 8).
 *
 * An index (the registry entry _vectors/<index>/index.json and its Delta table, see
 * /work/vec_spec.md and docs/INTERNALS.md "Search and RAG") is loaded into memory once:
 * the vectors as one row-major matrix for lh_vec_search, every chunk's key, id, byte
 * offsets and text, and for the builtin provider its LSA model (to embed queries) and
 * BM25 statistics (lexical search). A loaded index is immutable and may serve searches
 * from several threads at once; the server keeps loaded indexes in an lh_vec_cache.
 *
 * Anything that looks at the SOURCE dataset (the `where` filter, its tombstones, the
 * columns returned, the text a citation quotes) goes through the caller's gated query
 * runner (lh_vec_senv.sql: the lake's user-query path, with time travel), so it sees what
 * any user query would see: tombstoned keys are gone the moment the tombstone call
 * returns, and a predicate is checked by DuckDB's parser and the SQL gate, never by
 * reading its text.
 *
 * Results and errors: every function returns lh_status with a one-line message naming
 * the problem (unknown index or column, k out of range, ...); nothing here writes. */
#ifndef LH_VECTOR_SEARCH_H
#define LH_VECTOR_SEARCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct lh_engine lh_engine;
typedef struct lh_store lh_store;
typedef struct lh_result_sink lh_result_sink;
typedef struct lh_ai lh_ai;
typedef struct lh_vec_cache lh_vec_cache;
typedef struct lh_vec_graphs lh_vec_graphs;

/* What search needs from the process it runs in (the CLI's lake or the server's). */
typedef struct lh_vec_senv {
    lh_store *store;
    lh_engine *eng;
    /* Runs a user query through the statement gate into sink, as `POST /query` would:
     * as_of (borrowed, may be NULL) maps dataset -> Delta version for this query alone. */
    lh_status (*sql)(void *ctx, const char *sql, const json_t *as_of, const lh_result_sink *sink,
                     lh_err *err);
    void *sql_ctx;
    /* The generative provider for RAG answers (NULL, or one that answers
     * LH_EUNSUPPORTED: the extractive answer is given). Borrowed. */
    lh_ai *generator;
    /* The configured network provider (borrowed, NULL = builtin only): it embeds the
     * queries of indexes built with it (lh_ai_name must match the index's provider). */
    lh_ai *network;
    const char *network_model; /* its embedding model: must be the index's too */
    /* The server's HNSW graphs and loaded indexes (vector/graphs.h; both NULL = exact search
     * only, as the CLI does): a search uses the index's active graph. Borrowed. */
    lh_vec_graphs *graphs;
    lh_vec_cache *cache;
} lh_vec_senv;

/* ---- a loaded index ---------------------------------------------------------------------- */

typedef struct lh_vec_index lh_vec_index;

/* Largest k a search accepts. */
#define LH_VEC_K_MAX 1000

/* Loads index name at its table's latest version. LH_ENOTFOUND ("no index 'x'; see
 * `lakehouse vectors list`") when it does not exist; LH_ECORRUPT when its files
 * disagree with its registry entry. Free with lh_vec_index_free. */
lh_status lh_vec_index_load(const lh_vec_senv *env, const char *name, lh_vec_index **out,
                            lh_err *err);
void lh_vec_index_free(lh_vec_index *idx);

const char *lh_vec_index_name(const lh_vec_index *idx);
const char *lh_vec_index_dataset(const lh_vec_index *idx);
/* The registry entry (borrowed; lives as long as idx). */
const json_t *lh_vec_index_entry(const lh_vec_index *idx);
size_t lh_vec_index_chunks(const lh_vec_index *idx);
size_t lh_vec_index_dims(const lh_vec_index *idx);
/* The version of the index's own Delta table that was loaded. */
int64_t lh_vec_index_version(const lh_vec_index *idx);
/* The memory it holds, in bytes (what the cache counts). */
size_t lh_vec_index_bytes(const lh_vec_index *idx);

/* The index names whose source is dataset (a new array of strings; caller json_decref's). */
lh_status lh_vec_indexes_of(lh_store *store, const char *dataset, json_t **names, lh_err *err);

/* Resolves what a user typed as the index to search: an index name, or a dataset name
 * with exactly one index (several: LH_EINVAL listing them). *name gets a copy. */
lh_status lh_vec_resolve(lh_store *store, const char *index_or_dataset, char **name, lh_err *err);

/* ---- the server's cache ------------------------------------------------------------------ */

/* Loaded indexes kept by (name, build and table version), at most max_bytes together (the least
 * recently used go first; one index larger than the bound is loaded for its request and
 * not kept). Thread-safe. */
/* The server's bound: 2 GiB (a 100,000-chunk index of 256 dimensions holds ~160 MB). */
#define LH_VEC_CACHE_BYTES ((size_t)2 << 30)
lh_status lh_vec_cache_new(size_t max_bytes, lh_vec_cache **out, lh_err *err);
void lh_vec_cache_free(lh_vec_cache *c);
/* The loaded index name as its registry entry now says (loading it if it is not cached);
 * give it back with lh_vec_cache_put. */
lh_status lh_vec_cache_get(lh_vec_cache *c, const lh_vec_senv *env, const char *name,
                           lh_vec_index **out, lh_err *err);
void lh_vec_cache_put(lh_vec_cache *c, lh_vec_index *idx);
/* Evicts index name from the cache (profile deactivation): true when it was cached. A request
 * (or a graph) still holding it keeps it until its lh_vec_cache_put. */
bool lh_vec_cache_drop(lh_vec_cache *c, const char *name);

/* ---- search -------------------------------------------------------------------------------- */

typedef enum lh_vec_mode {
    LH_VEC_MODE_HYBRID = 0,
    LH_VEC_MODE_DENSE = 1,
    LH_VEC_MODE_LEXICAL = 2,
} lh_vec_mode;

/* "dense", "lexical", "hybrid" -> mode; false for anything else. */
bool lh_vec_mode_parse(const char *s, lh_vec_mode *out);
const char *lh_vec_mode_name(lh_vec_mode m);

typedef struct lh_vec_query {
    const char *query;         /* text (NULL when vector is given) */
    const float *vector;       /* a query vector of nvector floats (dense only) */
    size_t nvector;
    size_t k;                  /* 1..LH_VEC_K_MAX */
    const char *where;         /* SQL predicate over the source's columns, or NULL */
    lh_vec_mode mode;
    const json_t *columns;     /* array of source column names to return, or NULL */
    float weight;              /* dense weight of hybrid, 0..1; < 0 = the default */
    bool rrf;                  /* hybrid by reciprocal rank fusion instead of the weighted sum */
    bool int8;                 /* dense: scan an int8 copy, re-rank exactly */
    bool exact;                /* dense: exact search even when the index has an HNSW graph */
    const json_t *as_of;       /* source dataset versions for where/columns (time travel) */
} lh_vec_query;

/* Searches idx: *out = {index, mode, method, results: [{key, chunk_id, score, table_version,
 * text, columns: {...}}]} (caller json_decref's). method: "hnsw" when the dense side was
 * answered by the index's active graph (env->graphs; vector/graphs.h), "exact" otherwise
 * (no graph, q->exact, lexical mode, or a filter keeping too few rows for the graph). */
lh_status lh_vec_search_json(const lh_vec_senv *env, const lh_vec_index *idx,
                             const lh_vec_query *q, json_t **out, lh_err *err);

/* ---- RAG ------------------------------------------------------------------------------------ */

/* Answers question from idx: hybrid search (k chunks, where, as_of), rerank, answer.
 * *out = {index, question, answer, provider, citations: [{dataset, key, chunk_id,
 * table_version, score, quote, start, end}]}: start/end are character offsets of quote in
 * the source row's text at table_version (substring(text, start + 1, end - start)). */
lh_status lh_vec_rag_json(const lh_vec_senv *env, const lh_vec_index *idx, const char *question,
                          size_t k, const char *where, const json_t *as_of, json_t **out,
                          lh_err *err);

/* ---- evaluation ----------------------------------------------------------------------------- */

/* Scores idx on judged queries held in two datasets: queries (query_id, text) and
 * judgements (query_id, key, grade), each read through env->sql. modes: array of mode
 * names (NULL = all three). *out = {index, queries, k, modes: {mode: {ndcg_at_10,
 * recall_at_k}}}. */
lh_status lh_vec_evaluate_json(const lh_vec_senv *env, const lh_vec_index *idx,
                               const char *queries, const char *judgements, const json_t *modes,
                               size_t k, json_t **out, lh_err *err);

#endif
