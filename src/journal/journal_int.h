/* journal_int.h: what the journal's files share: the on-disk names, the state, and the
 * helpers journal.c defines for journal_flush.c and journal_read.c. */
#ifndef LH_JOURNAL_JOURNAL_INT_H
#define LH_JOURNAL_JOURNAL_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "journal/journal.h"

#define DIR_KEY "_journal"
#define LEGACY_NAME "events.jsonl"           /* the first implementation's single file */
#define MAX_LINE LH_JOURNAL_MAX_EVENT          /* one event, as a JSON line */
#define MAX_APPEND ((size_t)128 << 20)       /* the lines of one append (one WAL write) */
#define MAX_WAL ((size_t)1 << 30)            /* one segment read back at open */
#define MAX_HISTORY 100000
#define MAX_RECENT 10000
#define DEFAULT_FLUSH_EVENTS 10000


typedef struct segment {
    int64_t seq;
    int64_t events;  /* valid lines */
    int64_t bytes;   /* file size */
} segment;

struct lh_journal {
    lh_store *store;
    lh_engine *eng;
    bool no_view;     /* lh_journal_attach_engine: `journal` is not defined by this journal */
    lh_buf dir;                 /* <root>/_journal */
    pthread_mutex_t mu;
    pthread_mutex_t flush_mu;
    segment *segs;              /* WAL segments not yet flushed, oldest first; last = current */
    size_t nsegs, capsegs;
    int fd;                     /* the current segment, O_APPEND */
    char **files;               /* Parquet file names (in dir), sorted */
    size_t nfiles, capfiles;
    int64_t flushed_events, parquet_bytes, last_flush_ms;
    bool sizes_pending;  /* parquet_bytes and last_flush_ms not yet read from the files */
    int64_t flush_events;
    int64_t id_ms;
    unsigned id_seq;
    pthread_mutex_t tmu;
    pthread_cond_t tcv;
    pthread_t timer;
    bool timer_on, stopping;
    int64_t interval_ms;
    int64_t stats_interval_ms;  /* interval_ms once the timer runs (under mu, for stats) */
};

/* The columns, in file order (id, ts, entity, ...); their types are in journal.c. */
extern const char *const lh__journal_cols[];
#define NCOLS 11
#define TS_COL 1

void lh__journal_wal_name(int64_t seq, char out[64]);
lh_status lh__journal_in_dir(const lh_buf *dir, const char *name, lh_buf *out);
lh_status lh__journal_view_sql(const char *dir, char *const *parquet, size_t np, char *const *jsonl,
                          size_t nj, lh_buf *sql);
lh_status lh__journal_define_locked(lh_journal *j, lh_err *err);
lh_status lh__journal_push_file(lh_journal *j, const char *name);
lh_status lh__journal_open_segment(lh_journal *j, int64_t seq, int64_t events, int64_t bytes,
                              lh_err *err);
int64_t lh__journal_buffered_locked(const lh_journal *j);
/* journal_merge.c: the segment range of a Parquet part's name ("events-<ts>-<hi>" covers
 * hi..hi, a merged "events-<ts>-<lo>-<hi>" lo..hi); false for another name. */
bool lh__journal_part_range(const char *name, int64_t *lo, int64_t *hi);
/* Whether names[i] is superseded by a merged file among names[0..n) (whose range holds
 * its own and is wider): its events are there, so no view reads it. */
bool lh__journal_superseded(char *const *names, size_t n, size_t i);
/* out[i] = lh__journal_superseded(names, n, i) for every i, in time linear in n times the
 * number of merged files among names. */
void lh__journal_superseded_all(char *const *names, size_t n, bool *out);

/* A new Parquet part's names: compact = the time now without separators (for
 * "events-<compact>-..."), tmpname = a unique ".tmp-<uuid>.parquet" to write it under. */
void lh__journal_part_names(char compact[32], char tmpname[64]);

#endif
