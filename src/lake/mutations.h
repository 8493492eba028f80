/* mutations.h: deleting rows from datasets (issue "Mutations", DESIGN.md §4, §5.3).
 *
 * A delete is first a tombstone: the key is appended (fsynced) to the dataset's tombstone
 * file and from then on hidden by the dataset's view ("__raw__<name>" still shows it).
 * Compaction then rewrites the live files without the tombstoned rows in one Delta
 * OPTIMIZE commit and clears the tombstones after it; vacuum deletes the files no longer
 * referenced (see lh_lake_compact for the versions in between). Writers only; each call holds the lake's write lock. */
#ifndef LH_LAKE_MUTATIONS_H
#define LH_LAKE_MUTATIONS_H

#include <jansson.h>
#include <stdbool.h>

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

typedef struct lh_compact_opts {
    bool erase_now;          /* vacuum (retention 0) right after: old files that hold
                              * erased rows are deleted at once */
    double retention_hours;  /* the vacuum retention the report counts with; < 0 = 168 */
} lh_compact_opts;

/* Rewrites the live files into one Snappy Parquet file without tombstoned rows, verified by
 * a full scan (row count and a hash of every column) before one OPTIMIZE commit that
 * removes the old files; then records the erased keys in the dataset's erasure set (salted
 * hashes; every read of an older version hides them until vacuum has deleted the files
 * that hold them), journals the erasure (keys as salted hashes) and clears the tombstones.
 * Old files stay until lh_lake_vacuum, or are vacuumed at once with opts->erase_now
 * (opts may be NULL). *out: {dataset, version, files_before, files_after, rows_before,
 * rows_after, bytes_before, bytes_after, tombstones_applied, rows_dropped_by_tombstones,
 * compacted, erasure: {erased_rows_in_old_files, old_files_with_erased_rows,
 * retention_hours, vacuum_removes_them_after (UTC time or null), erased_now,
 * files_vacuumed_now}}. Fault points: compact.writing, compact.before_commit,
 * compact.after_commit, compact.before_clear_tombstones. */
lh_status lh_lake_compact(lh_lake *lake, const char *dataset, const char *actor,
                          const lh_compact_opts *opts, json_t **out, lh_err *err);

/* Deletes the table's data files that the latest version does not reference and that were
 * removed (or, never committed, written) at least retention_hours ago. Then settles the
 * erasure set: an entry none of whose files is left is dropped, after the JSON commits
 * older than its compaction lose their column statistics (they describe only versions
 * that can no longer be read, and a min or max may be an erased value). *out: {dataset,
 * files_deleted, bytes_deleted, files_kept, retention_hours, version, erasure:
 * {entries_settled, erased_rows_in_old_files, old_files_with_erased_rows,
 * commits_stripped_of_stats}}. */
lh_status lh_lake_vacuum(lh_lake *lake, const char *dataset, double retention_hours,
                         json_t **out, lh_err *err);

#endif
