/* journal_read.c: history and recent events, read through the engine. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fsio.h"
#include "core/util.h"
#include "journal/journal_int.h"

/* ---- reading ---- */

json_t *lh_journal_stats(lh_journal *j)
{
    pthread_mutex_lock(&j->mu);
    if (j->sizes_pending) {
        /* The Parquet files' total size and newest time, read on the first ask (the
         * open does not stat them: lh_journal_open). */
        int64_t bytes = 0;
        for (size_t i = 0; i < j->nfiles; i++) {
            lh_buf p;
            int64_t size = 0, mtime = 0;
            if (!lh__journal_in_dir(&j->dir, j->files[i], &p) &&
                !lh_file_stat(lh_buf_cstr(&p), &size, &mtime, NULL)) {
                bytes += size;
                j->last_flush_ms = mtime > j->last_flush_ms ? mtime : j->last_flush_ms;
            }
            lh_buf_release(&p);
        }
        j->parquet_bytes = bytes;
        j->sizes_pending = false;
    }
    int64_t buffered = lh__journal_buffered_locked(j), wal_bytes = 0;
    for (size_t i = 0; i < j->nsegs; i++)
        wal_bytes += j->segs[i].bytes;
    char ts[32];
    if (j->last_flush_ms)
        lh_format_time(j->last_flush_ms, ts);
    json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:I, s:I}", "events",
                          (json_int_t)(j->flushed_events + buffered), "buffered",
                          (json_int_t)buffered, "flushed", (json_int_t)j->flushed_events, "files",
                          (json_int_t)j->nfiles, "bytes", (json_int_t)j->parquet_bytes,
                          "wal_bytes", (json_int_t)wal_bytes, "last_flush",
                          j->last_flush_ms ? ts : NULL, "flush_events",
                          (json_int_t)j->flush_events, "flush_interval_ms",
                          (json_int_t)j->stats_interval_ms);
    pthread_mutex_unlock(&j->mu);
    return o;
}

/* Runs SELECT <event columns> FROM journal <tail> and returns event objects. */
static lh_status select_events(lh_journal *j, const char *tail_sql, size_t max, json_t **out,
                               lh_err *err)
{
    if (!j->eng)
        return lh_fail(err, LH_EINTERNAL, "journal: no engine to read with");
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT ");
    for (size_t c = 0; c < NCOLS; c++) {
        if (c == TS_COL)
            lh_buf_adds(&sql, ", strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ')");
        else
            lh_buf_printf(&sql, "%s%s", c ? ", " : "", lh__journal_cols[c]);
    }
    lh_buf_printf(&sql, " FROM journal %s", tail_sql);
    json_t *rows = NULL;
    lh_status st = lh_buf_status(&sql);
    if (st) {
        lh_buf_release(&sql);
        return lh_fail(err, st, "journal: query too long or out of memory");
    }
    st = lh_engine_query_rows(j->eng, lh_buf_cstr(&sql), max, &rows, err);
    lh_buf_release(&sql);
    if (st == LH_ETOOBIG)
        return lh_fail(err, LH_ETOOBIG, "over %zu journal events match", max);
    if (st)
        return st;
    json_t *events = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *ev = json_object();
        for (size_t c = 0; c < NCOLS; c++)
            json_object_set(ev, lh__journal_cols[c], json_array_get(row, c));
        json_array_append_new(events, ev);
    }
    json_decref(rows);
    *out = events;
    return LH_OK;
}

lh_status lh_journal_history(lh_journal *j, const char *entity_id, json_t **out, lh_err *err)
{
    if (!entity_id || !*entity_id)
        return lh_fail(err, LH_EINVAL, "an entity id is required");
    lh_buf tail;
    lh_buf_init(&tail, 0);
    lh_buf_adds(&tail, "WHERE entity_id = ");
    lh_buf_add_sql_string(&tail, entity_id);
    lh_buf_adds(&tail, " ORDER BY ts, id");
    lh_status st = lh_buf_status(&tail);
    if (st)
        st = lh_fail(err, st, "entity id too long or out of memory");
    else
        st = select_events(j, lh_buf_cstr(&tail), MAX_HISTORY, out, err);
    lh_buf_release(&tail);
    return st;
}

lh_status lh_journal_recent(lh_journal *j, int64_t limit, json_t **out, lh_err *err)
{
    if (limit < 1 || limit > MAX_RECENT)
        return lh_fail(err, LH_EINVAL, "limit must be from 1 to %d", MAX_RECENT);
    char tail[64];
    snprintf(tail, sizeof tail, "ORDER BY ts DESC, id DESC LIMIT %lld", (long long)limit);
    return select_events(j, tail, (size_t)limit, out, err);
}
