/* profile.h: what a model profile (catalog/profiles.h) does to the server's vector indexes
 * (issue 15, item 4): its HNSW config as graph parameters, activation (warm the indexes of
 * its bindings in the cache and give each an HNSW graph), deactivation, and the scope of a
 * search made through it.
 *
 * The indexes of a profile: every index whose source dataset is one of the profile's
 * bound_datasets and whose embedding model (registry entry model.provider / model.name) is
 * the profile's embed.provider / embed.model. An index of a bound dataset with another
 * model is listed as skipped, never touched. A binding to an AI-safe view has no index of
 * its own (indexes are built over datasets), so it adds none.
 *
 * Thread-safe: the cache and the graphs are; a profile is a JSON value the caller keeps
 * alive and unchanged during the call. */
#ifndef LH_VECTOR_PROFILE_H
#define LH_VECTOR_PROFILE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/status.h"

typedef struct lh_store lh_store;
typedef struct lh_vec_cache lh_vec_cache;
typedef struct lh_vec_graphs lh_vec_graphs;
typedef struct lh_vec_senv lh_vec_senv;
typedef struct lh_hnsw_params lh_hnsw_params;

/* The profile's "hnsw" as graph parameters, checked by lh_hnsw_params_check (LH_EINVAL
 * naming the parameter): *has = false (p untouched) when it is null or absent. */
lh_status lh_vec_profile_params(const json_t *profile, lh_hnsw_params *p, bool *has, lh_err *err);
/* The same check for a caller that needs no parameters (a profile being created). */
lh_status lh_vec_profile_check(const json_t *profile, lh_err *err);

/* The profile's indexes: *use = [{index, dataset}], *skipped = [{index, dataset, reason}]
 * (both new arrays, sorted by index name; caller json_decref's). */
lh_status lh_vec_profile_indexes(lh_store *store, const json_t *profile, json_t **use,
                                 json_t **skipped, lh_err *err);

/* Warms each of the profile's indexes in cache and activates its graph with the profile's
 * hnsw (NULL: the index's promoted config, else the defaults; vector/graphs.h), one after
 * the other. One index failing does not stop the others. *out = {profile, warmed: [{index,
 * dataset, rows, bytes, graph: the activation's report}], skipped: [{index, dataset,
 * reason}], failures: [{index, error}], duration_ms}; caller json_decref's. Returns an
 * error only when the indexes cannot be listed (or out of memory). */
lh_status lh_vec_profile_activate(lh_vec_graphs *g, lh_vec_cache *cache, const lh_vec_senv *env,
                                  const json_t *profile, json_t **out, lh_err *err);

/* Drops the graphs of the profile's indexes and evicts the indexes from cache (a search
 * still running keeps its own reference until it ends). *out = {profile, released:
 * [{index, dataset, graph: bool (one was active), evicted: bool (it was cached)}]}. */
lh_status lh_vec_profile_deactivate(lh_vec_graphs *g, lh_vec_cache *cache, lh_store *store,
                                    const json_t *profile, json_t **out, lh_err *err);

/* LH_OK when name is an index whose source dataset profile binds, or (when no index has
 * that name: a dataset name lh_vec_resolve will turn into its index) a bound name;
 * LH_EDENIED "profile 'p' may search only: a, b" otherwise, unknown names included (an
 * unbound dataset's indexes, or their absence, are not described); LH_EINVAL for a name
 * that cannot be an index's. */
lh_status lh_vec_profile_scope(lh_store *store, const json_t *profile, const char *name,
                               lh_err *err);

#endif
