/* fresh.h: erasure and staleness reach the vector indexes (issue 14, item 7).
 *
 * lake/ calls these at fixed points of its order of effects (DESIGN.md §1); nothing here
 * calls back up:
 *   - after an ingest commit (after lh_vec_mark_stale, vector/index.h, marked them stale):
 *     lh_vector_on_append says which of the dataset's indexes want a refresh now;
 *   - in compaction, after the dataset's commit and before its tombstones are cleared:
 *     lh_vector_erase rewrites every index of the dataset without the tombstoned keys (one
 *     Delta commit per index that held one) and prunes the builtin model's files; a failure
 *     fails the compaction with the tombstones kept (search still hides the keys), and the
 *     next compaction does it again;
 *   - in vacuum: lh_vector_table_prefixes names the index tables whose unreferenced files
 *     the dataset's vacuum deletes with the same code as the dataset's own.
 * Writers only (the lake's write lock held): the registry entries are read, changed and
 * replaced whole (atomic put), one writer at a time. */
#ifndef LH_VECTOR_FRESH_H
#define LH_VECTOR_FRESH_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct lh_store lh_store;
typedef struct lh_engine lh_engine;
typedef struct lh_vec_env lh_vec_env;

/* The registry entries (index.json objects, each with "name") of the indexes whose source
 * is dataset (NULL = every index), sorted by name, into *out (caller owns). An entry that
 * does not parse is skipped with a warning. No index at all: an empty array. */
lh_status lh_vector_indexes_of(lh_store *s, const char *dataset, json_t **out, lh_err *err);

/* Store key of index name's table directory ("_vectors/<name>"), appended to out; returns
 * out's status. */
lh_status lh_vector_table_prefix(const char *name, lh_buf *out);

/* The names of dataset's indexes whose refresh policy is "on_append" (an array; caller owns
 * *names). The lake hands them to the server's refresher after each ingest (marking the
 * indexes stale is lh_vec_mark_stale's, vector/index.h). */
lh_status lh_vector_on_append(lh_store *s, const char *dataset, json_t **names, lh_err *err);

/* Removes every chunk of the keys (a JSON array of strings or integers, the tombstoned key
 * values; integers are matched as their decimal text) from each index of dataset: the
 * index table is rewritten without them (verified by a full count, one Delta commit that
 * removes the old files; vacuum deletes those), and for the builtin model the BM25 file is
 * rebuilt from the chunks left and the LSA vocabulary loses the terms no chunk left uses
 * (lh_lsa_prune), so neither file keeps an erased word. *report (caller owns): array of
 * {index, chunks_removed, keys_removed, old_files_until_vacuum (the files the commit removed,
 * which still hold the chunks until vacuum deletes them), lsa_terms_dropped, bm25_rebuilt,
 * version (null when nothing was held)}. */
lh_status lh_vector_erase(lh_store *s, lh_engine *e, const char *dataset, const json_t *keys,
                          json_t **report, lh_err *err);

/* Store key prefixes (as lh_vector_table_prefix) of dataset's index tables that have a
 * Delta log, into *out (caller owns; an array of strings). */
lh_status lh_vector_table_prefixes(lh_store *s, const char *dataset, json_t **out, lh_err *err);

/* LH_OK when policy is a refresh policy: "manual", "on_append" or {"every_seconds": N},
 * 1 <= N <= 31536000; else LH_EINVAL saying so. */
lh_status lh_vector_check_refresh(const json_t *policy, lh_err *err);
/* Sets index name's refresh policy (checked as above); *entry gets the new registry entry
 * (caller owns). LH_ENOTFOUND for no such index. */
lh_status lh_vector_set_refresh(lh_store *s, const char *name, const json_t *policy,
                                json_t **entry, lh_err *err);

/* Brings index name up to its source dataset's latest version (vector/refresh.c): rows new
 * or changed since the index was embedded (by key and chunk content hashes, diff.h) are
 * chunked and embedded with the index's stored model, rows gone or changed lose their old
 * chunks, in one Delta commit of the index table; BM25 is rebuilt, the entry updated
 * (stale_since null) and a journal event {field "refresh"} recorded. Nothing changed: no
 * commit. *report (caller owns): {index, dataset, source_version, index_version, committed,
 * rows_new, rows_changed, rows_removed, rows_unchanged, chunks_embedded, chunks_removed}.
 * Builtin indexes only for now (LH_EUNSUPPORTED otherwise). The caller holds the data
 * directory's write lock. Fault point vector.refresh_before_commit. */
lh_status lh_vec_refresh(const lh_vec_env *env, const char *name, const char *actor,
                         json_t **report, lh_err *err);

#endif
