/* journal.h: the event journal: an append-only record of changes (DESIGN.md §3
 * `_journal/`). Events are JSON objects {id, ts, entity, entity_id, field, old_value,
 * new_value, actor, source, workspace, trace_id}; id and ts are filled in here (id is a
 * time-ordered UUIDv7, so ids sort in append order within one process).
 *
 * On disk (all under <root>/_journal/):
 *   wal-<seq>.jsonl          the buffer: events not yet in Parquet, one JSON line each,
 *                            appended and fsynced before an append returns. A flush
 *                            closes the current segment and starts the next one.
 *   events-<ts>-<seq>.parquet  flushed events (every segment up to <seq>), sorted by
 *                            (ts, id); written to a .tmp- name, verified, fsynced,
 *                            renamed, and only then are the segments deleted. A segment
 *                            whose seq a Parquet name covers is already flushed (a crash
 *                            between the rename and the delete) and is dropped at open.
 * So an acknowledged event survives kill -9: it is in the WAL or in Parquet, never in
 * neither and never in both once opened. Flushes happen by size (flush_events buffered),
 * by time (the timer thread, lh_journal_start_timer), on lh_journal_flush and in
 * lh_journal_free. Compliance events (tombstones, erasure, compaction) are appended with
 * write_through: flushed to Parquet before the call returns.
 *
 * Values: every column is text except ts (TIMESTAMP, UTC). old_value and new_value keep
 * strings as they are and store other JSON values (numbers, booleans, objects) as their
 * JSON text. SQL sees the relation `journal`: the Parquet files plus the WAL segments, so
 * buffered events are visible at once.
 *
 * All functions are thread-safe. */
#ifndef LH_JOURNAL_JOURNAL_H
#define LH_JOURNAL_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"
#include "engine/engine.h"
#include "storage/storage.h"

typedef struct lh_journal lh_journal;

/* Opens the journal of the store's bucket as its writer (the caller holds the directory's
 * writer lock): replays the WAL (a torn last line from a crash is cut off; it was never
 * acknowledged), drops segments that a Parquet file already covers, removes temp files,
 * and moves the first implementation's _journal/events.jsonl into a WAL segment. Until
 * lh_journal_bind_engine, events go to the WAL only. Free with lh_journal_free. */
lh_status lh_journal_open(lh_store *store, lh_journal **out, lh_err *err);
/* Stops the timer, flushes what is buffered (failures are logged; the WAL keeps the
 * events for the next open), then frees. NULL is fine. */
void lh_journal_free(lh_journal *j);

/* Lets the journal write Parquet through eng (borrowed; must outlive the journal) and
 * defines the SQL relation `journal` (allowed for user SQL). */
lh_status lh_journal_bind_engine(lh_journal *j, lh_engine *eng, lh_err *err);
/* Lets the journal write Parquet through eng like lh_journal_bind_engine, but neither
 * defines `journal` nor counts the events of its Parquet files (both read every file's
 * footer: a cost that grows with each process that flushed one): for a process that
 * appends and exits. lh_journal_stats's "flushed" and "events" then count only what this
 * process flushed. A later lh_journal_bind_engine does both. */
void lh_journal_attach_engine(lh_journal *j, lh_engine *eng);

/* Defines the relation `journal` for a reader that holds no journal (no writer lock):
 * whatever Parquet files and WAL segments exist now. */
lh_status lh_journal_define_view(lh_store *store, lh_engine *eng, lh_err *err);

/* Appends one event (borrowed; the journal copies it). entity and entity_id are required
 * non-empty strings; field, actor, source, workspace, trace_id are strings or absent;
 * old_value/new_value any JSON; other keys are LH_EINVAL (id/ts are overwritten). The
 * event is durable (fsynced WAL) when this returns LH_OK. With write_through it is also
 * flushed to Parquet before returning; should that flush fail, the event is still
 * durable in the WAL, the failure is logged, and LH_OK is returned (a retry would
 * duplicate the event). */
lh_status lh_journal_append(lh_journal *j, json_t *event, bool write_through, lh_err *err);

/* Appends an array of events as one WAL write (all or nothing: every event is checked
 * before any is written). *stored (may be NULL) gets the events as recorded (with id and
 * ts); caller json_decref's. */
lh_status lh_journal_append_many(lh_journal *j, json_t *events, bool write_through,
                                 json_t **stored, lh_err *err);

/* Checks events as lh_journal_append_many does, writing nothing: LH_EINVAL for a
 * malformed event, LH_ETOOBIG for one whose line would be over LH_JOURNAL_MAX_EVENT bytes
 * or for lines over 128 MiB in all. After LH_OK, appending the same events can fail only
 * by I/O or memory: a writer checks its events with this before its own write, so that a
 * record that cannot be journaled refuses the change instead of following it. Touches no
 * journal; thread-safe. */
#define LH_JOURNAL_MAX_EVENT ((size_t)1 << 20)
lh_status lh_journal_check(const json_t *events, lh_err *err);

/* Events posted by API callers (POST /journal/event, /journal/update), told apart from
 * the ones the server records: every posted event's source is stored as "user" (none
 * given) or "user:<given>", a prefix no system event carries. Refused with LH_EINVAL and
 * the reason, before anything is written: entity "dataset" (the entity of every system
 * event), a system field (version, compaction, erasure, vacuum, tombstone) and a system
 * source (ingest, ingest.postgres, metadata, compaction, compact, erasure, vacuum,
 * tombstone, lakehouse, system) or one starting with "user". Otherwise as
 * lh_journal_append_many (events borrowed, *stored as recorded). Thread-safe. */
#define LH_JOURNAL_SYSTEM_ENTITY "dataset"
#define LH_JOURNAL_USER_SOURCE "user"
lh_status lh_journal_append_user(lh_journal *j, json_t *events, json_t **stored, lh_err *err);

/* Writes every buffered event as one Parquet file now. *flushed (may be NULL) gets the
 * number of events written (0 when nothing was buffered). LH_EINTERNAL without an engine. */
lh_status lh_journal_flush(lh_journal *j, int64_t *flushed, lh_err *err);

/* Sets the size threshold: an append that brings the buffer to n events flushes. */
void lh_journal_set_flush_events(lh_journal *j, int64_t n);

/* Starts a background thread that flushes a non-empty buffer every interval_ms (the
 * server; the CLI relies on lh_journal_free). Stopped by lh_journal_free. */
lh_status lh_journal_start_timer(lh_journal *j, int64_t interval_ms, lh_err *err);

/* {"events","buffered","flushed","files","bytes","wal_bytes","last_flush"(RFC 3339 or
 * null),"flush_events","flush_interval_ms"}; caller json_decref's. */
json_t *lh_journal_stats(lh_journal *j);

/* Every event of entity_id, oldest first (at most 100,000, else LH_ETOOBIG), as an array
 * of event objects; caller json_decref's *out. */
lh_status lh_journal_history(lh_journal *j, const char *entity_id, json_t **out, lh_err *err);

/* The newest limit events (1..10,000), newest first, buffered ones included. */
lh_status lh_journal_recent(lh_journal *j, int64_t limit, json_t **out, lh_err *err);

/* Merges the newest run of Parquet parts under small_bytes each into one file when there
 * are at least min_files of them (the automatic compaction's round, auto_compact.h): the
 * merge is written to a temp name, read back (as many events as the parts hold), synced,
 * renamed "events-<ts>-<lo>-<hi>.parquet", and from then on the parts it replaces are
 * superseded (no view reads them); they are deleted once the merged file is retention_ms
 * old. No event is dropped: the journal is the audit record. Appends and flushes go on
 * meanwhile. *merged gets how many parts were merged (0: none due). Fault points:
 * journal.merge_before_rename, journal.merge_after_rename. Thread-safe (one merge at a
 * time: the compactor's). */
lh_status lh_journal_merge(lh_journal *j, int64_t min_files, int64_t small_bytes,
                           int64_t retention_ms, int64_t *merged, lh_err *err);

#endif
