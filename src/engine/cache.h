/* cache.h: the hot cache: datasets pinned into DuckDB memory (DESIGN.md §4, "pinned
 * datasets point at in-memory tables").
 *
 * Pinning copies what the dataset's public view "name" shows into the table
 * lh_cache.main."name" of an in-memory database attached with DuckDB's compression
 * (ATTACH ':memory:' AS lh_cache (COMPRESS)), then points the view at it. Compressed, so
 * that scans with selective filters stay at least as fast as over the Parquet files
 * (see docs/BENCHMARKS.md, "Hot cache"). User SQL cannot name lh_cache: the statement
 * gate allows the memory catalog only.
 *
 * Bytes are what DuckDB's in-memory table memory (duckdb_memory(), tag IN_MEMORY_TABLE)
 * grew by while the copy was made: an estimate (a query still reading a dropped copy
 * keeps its blocks a little longer). Over the byte budget, the least recently used pins
 * (pinned or hit longest ago) are evicted.
 *
 * Hits and misses count references: each query adds, for every dataset its SQL names
 * (as the statement gate saw it), a hit when that dataset is pinned and served from
 * memory, a miss otherwise (not pinned, or read at another version with as_of).
 *
 * Threads: pin, refresh and evict change DuckDB objects and must be called one at a
 * time (the lake calls them under its write lock); note and stats are thread-safe. */
#ifndef LH_ENGINE_CACHE_H
#define LH_ENGINE_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"

typedef struct lh_cache lh_cache;

/* A cache over engine e holding at most max_bytes (<= 0: a quarter of physical memory).
 * NULL when out of memory. The engine must outlive it. */
lh_cache *lh_cache_new(lh_engine *e, int64_t max_bytes);
/* Frees the bookkeeping; the copies go with the engine. NULL is fine. */
void lh_cache_free(lh_cache *c);

/* Must make the public view "name" read the dataset's files again (not the copy); called
 * before a copy is dropped, so that no query ever finds the view pointing nowhere. */
typedef lh_status (*lh_cache_restore_fn)(void *ctx, const char *name, lh_err *err);

/* Pins name: copies its public view into memory and points the view at the copy; then
 * evicts least recently used pins until the cache fits its budget. Already pinned: only
 * marks it used. A copy bigger than the whole budget is dropped again: LH_ETOOBIG. */
lh_status lh_cache_pin(lh_cache *c, const char *name, lh_cache_restore_fn restore, void *ctx,
                       lh_err *err);

/* After the public view "name" was redefined over new files (a commit): when name is
 * pinned, drops the old copy and makes a new one from the view, so that the pinned data
 * is never older than the last commit. Nothing to do when it is not pinned. On failure
 * the pin is dropped (the view keeps reading the files) and the error returned. */
lh_status lh_cache_refresh(lh_cache *c, const char *name, lh_cache_restore_fn restore,
                           void *ctx, lh_err *err);

/* Unpins name: restores its view, then drops the copy. LH_ENOTFOUND when not pinned. */
lh_status lh_cache_evict(lh_cache *c, const char *name, lh_cache_restore_fn restore, void *ctx,
                         lh_err *err);

/* True when name is pinned (thread-safe). */
bool lh_cache_pinned(lh_cache *c, const char *name);

/* Counts one query: names is an object whose keys are the datasets its SQL references;
 * shadowed (may be NULL) one whose keys are datasets it reads at another version
 * (misses even when pinned). Thread-safe. */
void lh_cache_note(lh_cache *c, const json_t *names, const json_t *shadowed);

/* {"max_bytes", "entries", "bytes", "hits", "misses", "evictions", "datasets": [{"dataset",
 * "pinned", "bytes", "rows", "hits", "misses", "evictions", "refreshes", "pinned_at",
 * "last_used_at"}]} (times in ms since the epoch, null when never). Caller owns it. */
json_t *lh_cache_stats(lh_cache *c);

#endif
