/* journal.h: the event journal: an append-only record of changes (DESIGN.md §3
 * `_journal/`). Events are JSON objects {id, ts, entity, entity_id, field, old_value,
 * new_value, actor, source, workspace, trace_id}; id and ts are filled in here.
 *
 * Compliance events (tombstones, erasure, compaction) are appended with write_through:
 * durable (fsynced) before the call returns. Thread-safe. */
#ifndef LH_JOURNAL_JOURNAL_H
#define LH_JOURNAL_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/status.h"
#include "storage/storage.h"

typedef struct lh_journal lh_journal;

lh_status lh_journal_open(lh_store *store, lh_journal **out, lh_err *err);
/* Flushes what is buffered, then frees. */
void lh_journal_free(lh_journal *j);

/* Appends one event (borrowed; the journal copies it). */
lh_status lh_journal_append(lh_journal *j, json_t *event, bool write_through, lh_err *err);

#endif
