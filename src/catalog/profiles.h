/* profiles.h: model profiles (issue 15, item 4; DESIGN.md §3 `_catalog/profiles/<id>.json`).
 *
 * A profile names the embedding model an analyst's searches use, the generative model of
 * their answers, the datasets (or AI-safe views) they may search, and the HNSW config their
 * graphs are built with:
 *
 *   {"profile_version": 1, "id", "description", "embed": {"provider", "model"},
 *    "generate_model" (string or null), "bound_datasets": [name, ...],
 *    "hnsw": {"M", "ef_construction", "ef_search", "seed"} | null,
 *    "created_at" (ISO-8601 UTC), "created_by"}
 *
 * Each profile is one file, written once with a put-if-absent (atomic: a reader sees the
 * whole file or none) and removed by a delete; nothing is kept in memory, so a restart
 * (or another process) sees exactly what is in the bucket. This file is the only place
 * that spells the profiles' keys.
 *
 * Errors are one line naming the field or the problem (LH_EINVAL), LH_ENOTFOUND for an
 * unknown id, LH_EEXIST for a duplicate. Thread-safe (the store is). */
#ifndef LH_CATALOG_PROFILES_H
#define LH_CATALOG_PROFILES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct lh_store lh_store;
typedef struct lh_catalog lh_catalog;

#define LH_PROFILE_VERSION 1
/* Ids: 1-64 chars of [a-z0-9_-] (one safe path segment, no dots). */
#define LH_PROFILE_ID_MAX 64
/* Bindings per profile: a profile is an analyst's scope, not a list of every dataset; the
 * bound keeps one profile file, and each check of it, small. */
#define LH_PROFILE_BINDINGS_MAX 256
/* Free-text and model-name lengths (bytes). */
#define LH_PROFILE_DESCRIPTION_MAX 4096
#define LH_PROFILE_MODEL_MAX 128
/* The HNSW bounds of issue 15 (the autotune grid's): a profile's config stays inside them. */
#define LH_PROFILE_M_MIN 4
#define LH_PROFILE_M_MAX 64
#define LH_PROFILE_EFC_MIN 10
#define LH_PROFILE_EFC_MAX 400
#define LH_PROFILE_EFS_MIN 10
#define LH_PROFILE_EFS_MAX 200

/* LH_EINVAL naming the problem unless id is 1-64 chars of [a-z0-9_-]. */
lh_status lh_profiles_check_id(const char *id, lh_err *err);

/* "_catalog/profiles/<id>.json" appended to out (id checked first: LH_EINVAL). */
lh_status lh_profiles_key(const char *id, lh_buf *out, lh_err *err);

/* Checks a create request's body without looking at the bucket: only the fields id,
 * description, embed {provider, model}, generate_model, bound_datasets, hnsw (anything
 * else, created_at and created_by included, is refused by name); id by
 * lh_profiles_check_id; provider builtin, ollama or openai; embed.model required except
 * for builtin (whose one model, "lsa-256", is the default); bound_datasets 1 to
 * LH_PROFILE_BINDINGS_MAX distinct names of the dataset-name rules; hnsw null or all four
 * integers within the bounds above (seed >= 0). */
lh_status lh_profiles_check(const json_t *body, lh_err *err);

/* Creates the profile of body (lh_profiles_check, then every binding must be a dataset of
 * catalog or an AI-safe view in the bucket: LH_EINVAL "bound dataset 'x' is neither a
 * dataset nor an AI-safe view"), stamped with created_at = now_ms and created_by = actor
 * (NULL = "anonymous"). LH_EEXIST "profile 'x' already exists" and nothing written when
 * the id is taken. *out (may be NULL) = the stored profile (caller json_decref's). */
lh_status lh_profiles_create(lh_store *store, lh_catalog *catalog, const json_t *body,
                             const char *actor, int64_t now_ms, json_t **out, lh_err *err);

/* The stored profile (caller json_decref's): LH_ENOTFOUND "no profile 'x'", LH_ECORRUPT
 * when its file does not parse. */
lh_status lh_profiles_get(lh_store *store, const char *id, json_t **out, lh_err *err);

/* Every profile, sorted by id (a new array; caller json_decref's). A file that does not
 * parse is skipped with a warning. */
lh_status lh_profiles_list(lh_store *store, json_t **out, lh_err *err);

/* Removes the profile's file: LH_ENOTFOUND when there is none. */
lh_status lh_profiles_delete(lh_store *store, const char *id, lh_err *err);

/* True when profile (a stored one) binds name. */
bool lh_profiles_binds(const json_t *profile, const char *name);

#endif
