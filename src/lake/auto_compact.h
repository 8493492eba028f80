/* auto_compact.h: the automatic compaction ([storage] auto_compact*, docs/CLI.md).
 *
 * A dataset is compacted without anyone asking when
 *   - at least min_files of its live files are small (under small_file_bytes): they are
 *     merged into files of about target_file_bytes (files over twice the target are split
 *     at the same time); or
 *   - it has at least tombstones tombstoned keys, or its oldest tombstone is tombstone_age_s
 *     old: every file is rewritten without the tombstoned rows and the tombstones are
 *     cleared (the erasure is recorded and journaled as by lh_lake_compact; vacuum settles
 *     it under its usual retention).
 * Either way it is the verified compaction of lh_lake_compact (mutations.h): the written
 * files are read back and must hold exactly the rows they replace before one OPTIMIZE
 * commit. The scans and writes run without the lake's write lock; the commit takes it, and
 * gives up when a concurrent write changed what the rewrite rests on (tried again at the
 * next round). The journal's own Parquet parts are merged the same way (journal.h,
 * lh_journal_merge) when there are journal_min_files of them.
 *
 * The server runs a compactor thread (lh_auto_compactor_start); one-shot CLI commands run
 * one round for the dataset they wrote only with [storage] auto_compact_cli = true. */
#ifndef LH_LAKE_AUTO_COMPACT_H
#define LH_LAKE_AUTO_COMPACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "lake/lake.h"

struct lh_auto_compact_policy {
    bool enabled;               /* [storage] auto_compact (true) */
    int64_t min_files;          /* auto_compact_min_files (10); 0 = small files never trigger */
    int64_t small_file_bytes;   /* auto_compact_small_file_bytes (16 MiB) */
    int64_t target_file_bytes;  /* auto_compact_target_file_bytes (128 MiB) */
    int64_t tombstones;         /* auto_compact_tombstones (1000); 0 = count never triggers */
    int64_t tombstone_age_s;    /* auto_compact_tombstone_age_s (86400); 0 = age never */
    int64_t interval_ms;        /* auto_compact_interval_ms (10000): between rounds */
    int64_t journal_min_files;  /* [journal] merge_min_files (32); 0 = never merged */
    int64_t journal_retention_hours; /* [journal] merge_retention_hours (24): merged parts
                                      * are deleted this long after the merge */
};
typedef struct lh_auto_compact_policy lh_auto_compact_policy;

/* The policy from the configuration (every key has a default; see config.c). */
void lh_auto_compact_policy_load(const lh_config *cfg, lh_auto_compact_policy *out);

/* Why dataset name is due for compaction under p ("small files" or "tombstones"), or NULL
 * when it is not (or cannot be read: the next round tries again). Thread-safe. */
const char *lh_auto_compact_due(lh_lake *lake, const char *name, const lh_auto_compact_policy *p);

/* One round: every dataset (or only dataset, when not NULL) that is due is compacted, then
 * the journal's parts merged when due. *report (may be NULL) gets an array of
 * {dataset, reason, ok, result | error}; caller owns it. Errors of single datasets are in
 * the report and the log, not returned. Writers only. */
lh_status lh_auto_compact_round(lh_lake *lake, const lh_auto_compact_policy *p,
                                const char *dataset, json_t **report, lh_err *err);

/* The server's compactor: a thread running a round every p->interval_ms (p is copied).
 * NULL with p->enabled false. Stop it (joins; a round in progress is interrupted with the
 * lake's other engine work, so stop after the HTTP server) with lh_auto_compactor_stop. */
typedef struct lh_auto_compactor lh_auto_compactor;
lh_status lh_auto_compactor_start(lh_lake *lake, const lh_auto_compact_policy *p,
                                  lh_auto_compactor **out, lh_err *err);
void lh_auto_compactor_stop(lh_auto_compactor *ac);

#endif
