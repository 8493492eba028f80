/* journal_flush.c: writing the buffered WAL segments to Parquet, and the flush timer. */
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

#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "journal/journal_int.h"

/* ---- flushing ---- */

/* Writes segments segs[0..n) as one Parquet file named for the last seq; *name gets it. */
static lh_status write_parquet(lh_journal *j, const segment *segs, size_t n, int64_t expect,
                               char name[128], int64_t *size, lh_err *err)
{
    char tmpname[64], compact[32];
    lh__journal_part_names(compact, tmpname);
    snprintf(name, 128, "events-%s-%020lld.parquet", compact, (long long)segs[n - 1].seq);
    char **wals = lh_calloc(n, sizeof *wals);
    lh_buf tmp, sql, body;
    lh_status st = lh__journal_in_dir(&j->dir, tmpname, &tmp);
    lh_buf_init(&sql, 0);
    lh_buf_init(&body, 0);
    if (st)
        st = lh_fail(err, st, "journal: directory path too long");
    else if (!wals)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        if (!(wals[i] = lh_malloc(64)))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        else
            lh__journal_wal_name(segs[i].seq, wals[i]);
    }
    if (!st && (st = lh__journal_view_sql(lh_buf_cstr(&j->dir), NULL, 0, wals, n, &body)))
        st = lh_fail(err, st, "journal: flush statement too long or out of memory");
    if (!st) {
        lh_buf_printf(&sql, "COPY (%s ORDER BY ts, id) TO ", lh_buf_cstr(&body));
        lh_buf_add_sql_string(&sql, lh_buf_cstr(&tmp));
        lh_buf_adds(&sql, " (FORMAT parquet, COMPRESSION snappy)");
        if ((st = lh_buf_status(&sql)))
            st = lh_fail(err, st, "journal: flush statement too long or out of memory");
        else
            st = lh_engine_exec(j->eng, lh_buf_cstr(&sql), err);
    }
    if (!st) {
        /* read it back: every event is there */
        lh_buf_reset(&sql);
        lh_buf_adds(&sql, "SELECT CAST(count(*) AS VARCHAR) FROM read_parquet(");
        lh_buf_add_sql_string(&sql, lh_buf_cstr(&tmp));
        lh_buf_adds(&sql, ")");
        json_t *row = NULL;
        int64_t got = -1;
        if ((st = lh_buf_status(&sql)))
            st = lh_fail(err, st, "out of memory");
        else
            st = lh_engine_query_row(j->eng, lh_buf_cstr(&sql), &row, err);
        if (!st)
            lh_parse_i64(json_string_value(json_array_get(row, 0)), &got);
        json_decref(row);
        if (!st && got != expect)
            st = lh_fail(err, LH_ECORRUPT, "journal: flush wrote %lld events, expected %lld",
                         (long long)got, (long long)expect);
    }
    if (!st)
        st = lh_fsync_path(lh_buf_cstr(&tmp), err);
    if (!st)
        st = lh_file_stat(lh_buf_cstr(&tmp), size, NULL, err);
    lh_fault_point("journal.before_rename");
    if (!st) {
        lh_buf key;
        lh_buf_init(&key, 1024);
        lh_buf_printf(&key, "%s/%s", DIR_KEY, name);
        if ((st = lh_buf_status(&key)))
            st = lh_fail(err, st, "journal: object key too long");
        else
            st = lh_store_put_file(j->store, lh_buf_cstr(&key), lh_buf_cstr(&tmp), err);
        lh_buf_release(&key);
    }
    if (st && tmp.len)
        lh_file_remove(lh_buf_cstr(&tmp), NULL);
    for (size_t i = 0; wals && i < n; i++)
        free(wals[i]);
    free(wals);
    lh_buf_release(&tmp);
    lh_buf_release(&sql);
    lh_buf_release(&body);
    return st;
}

lh_status lh_journal_flush(lh_journal *j, int64_t *flushed, lh_err *err)
{
    if (flushed)
        *flushed = 0;
    if (!j->eng)
        return lh_fail(err, LH_EINTERNAL, "journal: no engine to write Parquet with");
    pthread_mutex_lock(&j->flush_mu);
    pthread_mutex_lock(&j->mu);
    int64_t expect = lh__journal_buffered_locked(j);
    size_t n = j->nsegs;
    segment *closed = NULL;
    lh_status st = LH_OK;
    if (expect > 0) {
        /* close every segment: appends go on into the next one while we write */
        closed = lh_malloc(n * sizeof *closed);
        if (!closed)
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        else
            memcpy(closed, j->segs, n * sizeof *closed);
        if (!st)
            st = lh__journal_open_segment(j, j->segs[n - 1].seq + 1, 0, 0, err);
        if (!st)
            st = lh__journal_define_locked(j, err);
    }
    pthread_mutex_unlock(&j->mu);
    char name[128];
    int64_t size = 0;
    if (!st && expect > 0)
        st = write_parquet(j, closed, n, expect, name, &size, err);
    lh_fault_point("journal.after_rename");
    if (!st && expect > 0) {
        pthread_mutex_lock(&j->mu);
        if (lh__journal_push_file(j, name))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        if (!st) {
            memmove(j->segs, j->segs + n, (j->nsegs - n) * sizeof *j->segs);
            j->nsegs -= n;
            j->flushed_events += expect;
            j->parquet_bytes += size;
            j->last_flush_ms = lh_now_ms();
            st = lh__journal_define_locked(j, err);
        }
        pthread_mutex_unlock(&j->mu);
        for (size_t i = 0; !st && i < n; i++) {
            char wn[64];
            lh_buf p;
            lh__journal_wal_name(closed[i].seq, wn);
            if (!lh__journal_in_dir(&j->dir, wn, &p))
                lh_file_remove(lh_buf_cstr(&p), NULL); /* a leftover is dropped at the next open */
            lh_buf_release(&p);
        }
        if (!st && flushed)
            *flushed = expect;
    }
    free(closed);
    pthread_mutex_unlock(&j->flush_mu);
    return st;
}

/* ---- the timer ---- */

static void *timer_main(void *arg)
{
    lh_journal *j = arg;
    pthread_mutex_lock(&j->tmu);
    while (!j->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += j->interval_ms / 1000;
        until.tv_nsec += (j->interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&j->tcv, &j->tmu, &until);
        if (j->stopping)
            break;
        pthread_mutex_unlock(&j->tmu);
        pthread_mutex_lock(&j->mu);
        bool any = lh__journal_buffered_locked(j) > 0;
        pthread_mutex_unlock(&j->mu);
        lh_err err;
        if (any && lh_journal_flush(j, NULL, &err))
            lh_log(LH_LOG_WARN, "journal: timed flush failed (will retry): %s", err.msg);
        pthread_mutex_lock(&j->tmu);
    }
    pthread_mutex_unlock(&j->tmu);
    return NULL;
}

lh_status lh_journal_start_timer(lh_journal *j, int64_t interval_ms, lh_err *err)
{
    if (interval_ms <= 0)
        return lh_fail(err, LH_EINVAL, "journal flush interval must be positive");
    pthread_mutex_lock(&j->tmu);
    lh_status st = LH_OK;
    if (!j->timer_on) {
        j->interval_ms = interval_ms;
        if (pthread_create(&j->timer, NULL, timer_main, j))
            st = lh_fail(err, LH_EINTERNAL, "journal: could not start the flush thread");
        else
            j->timer_on = true;
    }
    pthread_mutex_unlock(&j->tmu);
    if (!st) {
        pthread_mutex_lock(&j->mu);
        j->stats_interval_ms = interval_ms;
        pthread_mutex_unlock(&j->mu);
    }
    return st;
}

