/* graphs.h: the HNSW graphs an index is searched with, and their promotion (issue 15,
 * items 1 and 3). The graph itself is src/ann/hnsw.h; this file ties it to the indexes.
 *
 * Promotion record: _hnsw_promotions/<index>.json = {"index", "current": config | null,
 * "history": [config, ...]} where config = {trial_id (may be null), M, ef_construction,
 * ef_search, seed, promoted_at, promoted_by}; history holds what was current before, newest
 * last, at most LH_HNSW_HISTORY_MAX. Written with an atomic replace.
 *
 * Graph files: _vectors/<index>/hnsw/<stamp-hash>-M<m>-efc<e>-s<seed>.hnsw (hnsw.h's
 * versioned, checksummed format) for the index build they link (lh__vec_stamp): a file of
 * another build or version of the index is never used; a corrupt one is rebuilt.
 *
 * The server's graphs (lh_vec_graphs): index name -> the active graph (its params, the index
 * build it was made for), held by reference count. A search takes a reference and answers
 * with HNSW when the index has an active graph for the index build it loaded, exact
 * otherwise ("method" in the response); activation builds or loads the new graph outside
 * every lock and swaps it in with one pointer store, so no search fails or waits on it.
 * An index with a promoted config and no active graph is activated in the background on its
 * first search (that search and those until the graph is ready are answered exactly).
 * Thread-safe. */
#ifndef LH_VECTOR_GRAPHS_H
#define LH_VECTOR_GRAPHS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

typedef struct lh_store lh_store;
typedef struct lh_vec_cache lh_vec_cache;
typedef struct lh_vec_index lh_vec_index;
typedef struct lh_vec_senv lh_vec_senv;
typedef struct lh_hnsw lh_hnsw;
typedef struct lh_hnsw_params lh_hnsw_params;

#define LH_HNSW_HISTORY_MAX 50

/* ---- the promotion record ------------------------------------------------------------- */

/* *out = the record of index (a new object; {"index", "current": null, "history": []} when
 * none was ever promoted). LH_ENOTFOUND when index does not exist. */
lh_status lh_vec_promotion_get(lh_store *store, const char *index, json_t **out, lh_err *err);
/* The current config's params: *has = false when none is promoted. */
lh_status lh_vec_promoted_params(lh_store *store, const char *index, lh_hnsw_params *p, bool *has,
                                 lh_err *err);
/* Makes p current (trial_id may be NULL), pushing the former current onto the history
 * (oldest dropped beyond LH_HNSW_HISTORY_MAX). *out (may be NULL) = the new record. */
lh_status lh_vec_promote(lh_store *store, const char *index, const lh_hnsw_params *p,
                         const char *trial_id, const char *actor, json_t **out, lh_err *err);
/* The newest history entry becomes current again (and leaves the history); with an empty
 * history, current becomes null (back to exact search). LH_ECONFLICT when nothing is
 * promoted. */
lh_status lh_vec_rollback(lh_store *store, const char *index, json_t **out, lh_err *err);

/* ---- the server's graphs -------------------------------------------------------------- */

typedef struct lh_vec_graphs lh_vec_graphs;

lh_status lh_vec_graphs_new(lh_vec_graphs **out, lh_err *err);
/* Waits for background activations to finish, then frees every graph. */
void lh_vec_graphs_free(lh_vec_graphs *g);

/* Makes index searchable with HNSW: params p (NULL = the promoted config, or LH_HNSW_DEFAULTS
 * when none is promoted), for the index build the cache holds now; the graph file is used
 * when valid, else the graph is built on both cores and saved. Blocks until done; the old
 * graph keeps serving until the swap. *report (may be NULL) = {index, M, ef_construction,
 * ef_search, seed, source: "file" | "built" | "active", rows, build_ms, bytes}. */
lh_status lh_vec_graphs_activate(lh_vec_graphs *g, lh_vec_cache *cache, const lh_vec_senv *env,
                                 const char *index, const lh_hnsw_params *p, json_t **report,
                                 lh_err *err);
/* Drops index's active graph (searches fall back to exact); true when there was one. */
bool lh_vec_graphs_deactivate(lh_vec_graphs *g, const char *index);
/* {index: {M, ef_construction, ef_search, rows, bytes, building}} of the active graphs. */
json_t *lh_vec_graphs_stats(lh_vec_graphs *g);

/* For a search of idx: the active graph made for idx's build (a reference: give it back with
 * lh_vec_graphs_put), or NULL (exact). When the index has a promoted config and no graph for
 * this build, starts its background activation (env and cache must outlive g). */
typedef struct lh_vec_graph lh_vec_graph;
const lh_vec_graph *lh_vec_graphs_get(lh_vec_graphs *g, lh_vec_cache *cache,
                                      const lh_vec_senv *env, const lh_vec_index *idx);
const lh_hnsw *lh_vec_graph_hnsw(const lh_vec_graph *gr);
/* The ef_search the graph was activated with (the promoted config's). */
unsigned lh_vec_graph_ef(const lh_vec_graph *gr);
void lh_vec_graphs_put(lh_vec_graphs *g, const lh_vec_graph *gr);

/* Marks the rows of keys (strings or integers) of dataset deleted in every active graph over
 * it (the tombstone route calls this before it answers). */
void lh_vec_graphs_forget_keys(lh_vec_graphs *g, const char *dataset, const json_t *keys);

#endif
