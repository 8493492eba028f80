/* lake_int.h: what the lake module's files share (not for other modules). */
#ifndef LH_LAKE_LAKE_INT_H
#define LH_LAKE_LAKE_INT_H

#include "lake/lake.h"
#include "table/table.h"

/* Tombstoned keys per dataset, mirrored into DuckDB (tombs.c). Each dataset with
 * tombstones has an in-memory table "__tomb__<name>" (one column k, typed like the key
 * column) and its public view is an anti-join of "__raw__<name>" against it. */
typedef struct lh__tombs lh__tombs;

lh__tombs *lh__tombs_new(void);
void lh__tombs_free(lh__tombs *t);

/* Reads the dataset's tombstone file (if any) into "__tomb__<name>" (at open). */
lh_status lh__tombs_load(lh_lake *lake, const char *name, lh_err *err);
/* Defines "__raw__<name>" AS *sql (allowed for user SQL), then turns *sql into the
 * filtered SELECT when the dataset has tombstones. */
lh_status lh__tombs_raw_view(lh_lake *lake, const char *name, lh_buf *sql, lh_err *err);
/* Turns *sql (a SELECT over the dataset's files) into the one that hides tombstoned rows;
 * unchanged when the dataset has none. Thread-safe. */
lh_status lh__tombs_filter(lh_lake *lake, const char *name, lh_buf *sql, lh_err *err);
/* The key column and its DuckDB type when the dataset has tombstones: true and both
 * copied (at most size bytes each), else false. Thread-safe. */
bool lh__tombs_column(lh_lake *lake, const char *name, char *column, char *type, size_t size);
/* Adds keys (an array of JSON strings or integers, already typed) to "__tomb__<name>",
 * creating it with column/type first when needed (*created then true). Writers only. */
lh_status lh__tombs_add(lh_lake *lake, const char *name, const char *column, const char *type,
                        const json_t *keys, bool *created, lh_err *err);
/* The key-set cache (tombs.c): saved by the writer after each tombstone call (best
 * effort), removed before the tombstone file is cleared. */
void lh__tombs_cache_save(lh_lake *lake, const char *name);
void lh__tombs_cache_remove(lh_lake *lake, const char *name);
/* Forgets the dataset's tombstones (after compaction): redefines its view without the
 * filter, then drops "__tomb__<name>". */
lh_status lh__tombs_forget(lh_lake *lake, const char *name, lh_err *err);

/* Accessors and wrappers over lake.c's internals. The write lock serialises writers. */
lh_engine *lh__lake_engine(lh_lake *lake);
lh__tombs *lh__lake_tombs(lh_lake *lake);
bool lh__lake_is_writer(const lh_lake *lake);
void lh__lake_lock(lh_lake *lake);
void lh__lake_unlock(lh_lake *lake);
lh_status lh__lake_table_select(lh_lake *lake, const char *name, int64_t version, lh_buf *sql,
                                lh_err *err);
lh_status lh__lake_snapshot(lh_lake *lake, const char *name, int64_t version,
                            lh_table_snapshot **snap, lh_err *err);
/* (Re)defines the dataset's views over its latest version. */
lh_status lh__lake_define_view(lh_lake *lake, const char *name, lh_err *err);

#endif
