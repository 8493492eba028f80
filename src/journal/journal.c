/* journal.c: the first, simplest journal: every event is a JSON line appended (and
 * fsynced) to _journal/events.jsonl. Buffering and Parquet files come with the journal's
 * own issue; callers already use the final interface. */
#include "journal/journal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define EVENTS_KEY "_journal/events.jsonl"

struct lh_journal {
    lh_store *store;
    pthread_mutex_t mu;
};

lh_status lh_journal_open(lh_store *store, lh_journal **out, lh_err *err)
{
    lh_journal *j = calloc(1, sizeof *j);
    if (!j)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    j->store = store;
    pthread_mutex_init(&j->mu, NULL);
    *out = j;
    return LH_OK;
}

void lh_journal_free(lh_journal *j)
{
    if (!j)
        return;
    pthread_mutex_destroy(&j->mu);
    free(j);
}

lh_status lh_journal_append(lh_journal *j, json_t *event, bool write_through, lh_err *err)
{
    (void)write_through; /* every event is written through for now */
    json_t *e = json_deep_copy(event);
    char id[37], ts[32];
    lh_uuid4(id);
    lh_format_time(lh_now_ms(), ts);
    json_object_set_new(e, "id", json_string(id));
    json_object_set_new(e, "ts", json_string(ts));
    char *line = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(e);
    if (!line)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    size_t n = strlen(line);
    line[n] = '\n';
    pthread_mutex_lock(&j->mu);
    lh_status st = lh_store_append(j->store, EVENTS_KEY, line, n + 1, err);
    pthread_mutex_unlock(&j->mu);
    free(line);
    return st;
}
