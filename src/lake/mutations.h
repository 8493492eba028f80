/* mutations.h: deleting rows from datasets (issue "Mutations", DESIGN.md §4, §5.3).
 *
 * A delete is first a tombstone: the key is appended (fsynced) to the dataset's tombstone
 * file and from then on hidden by the dataset's view ("__raw__<name>" still shows it).
 * Compaction then rewrites the live files without the tombstoned rows in one Delta
 * OPTIMIZE commit and clears the tombstones after it; vacuum deletes the files no longer
 * referenced. Writers only; each call holds the lake's write lock. */
#ifndef LH_LAKE_MUTATIONS_H
#define LH_LAKE_MUTATIONS_H

#include <jansson.h>

#include "lake/lake.h"

typedef struct lh_tombstone_request {
    const char *dataset;
    const char *column;     /* the key column; text (VARCHAR), int32 or int64 */
    const json_t *values;   /* array of strings or integers (strings of digits are fine for
                             * integer keys); at least one */
    const char *actor;      /* NULL = "cli" */
    const char *reason;     /* may be NULL */
} lh_tombstone_request;

/* Tombstones the keys: durable before it returns, visible to every later query. The
 * dataset keeps one key column: another one is LH_EINVAL naming the existing column, as
 * are a missing column, a column of another type and values that do not fit it. Records a
 * journal event (keys as salted hashes only). *out: {dataset, row_key_column, tombstoned,
 * total_tombstones}; caller owns it. */
lh_status lh_lake_tombstone(lh_lake *lake, const lh_tombstone_request *req, json_t **out,
                            lh_err *err);

/* The dataset's tombstones: {dataset, row_key_column (or null), count, tombstones: [lines]}.
 * Caller owns *out. */
lh_status lh_lake_tombstones(lh_lake *lake, const char *dataset, json_t **out, lh_err *err);

/* Rewrites the live files into one Snappy Parquet file without tombstoned rows, verified by
 * a full scan (row count and a hash of every column) before one OPTIMIZE commit that
 * removes the old files; then clears the tombstones and journals the erasure (keys as
 * salted hashes). Old files stay until lh_lake_vacuum. *out: {dataset, version,
 * files_before, files_after, rows_before, rows_after, bytes_before, bytes_after,
 * tombstones_applied, rows_dropped_by_tombstones, compacted}. Fault points:
 * compact.writing, compact.before_commit, compact.after_commit,
 * compact.before_clear_tombstones. */
lh_status lh_lake_compact(lh_lake *lake, const char *dataset, const char *actor, json_t **out,
                          lh_err *err);

/* Deletes the table's data files that the latest version does not reference and that were
 * removed (or, never committed, written) at least retention_hours ago. *out: {dataset,
 * files_deleted, bytes_deleted, files_kept, retention_hours}. */
lh_status lh_lake_vacuum(lh_lake *lake, const char *dataset, double retention_hours,
                         json_t **out, lh_err *err);

#endif
