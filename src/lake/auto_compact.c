/* auto_compact.c: the automatic compaction's policy and the server's compactor thread
 * (auto_compact.h). The compaction itself is compact.c's. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/tombstones.h"
#include "core/alloc.h"
#include "core/util.h"
#include "journal/journal.h"
#include "lake/auto_compact.h"
#include "lake/lake_int.h"
#include "storage/storage.h"

void lh_auto_compact_policy_load(const lh_config *cfg, lh_auto_compact_policy *p)
{
    *p = (lh_auto_compact_policy){
        .enabled = lh_config_bool(cfg, "storage.auto_compact", true),
        .min_files = lh_config_int(cfg, "storage.auto_compact_min_files", 10),
        .small_file_bytes = lh_config_int(cfg, "storage.auto_compact_small_file_bytes", 16 << 20),
        .target_file_bytes = lh_config_int(cfg, "storage.auto_compact_target_file_bytes", 128 << 20),
        .tombstones = lh_config_int(cfg, "storage.auto_compact_tombstones", 1000),
        .tombstone_age_s = lh_config_int(cfg, "storage.auto_compact_tombstone_age_s", 86400),
        .interval_ms = lh_config_int(cfg, "storage.auto_compact_interval_ms", 10000),
        .journal_min_files = lh_config_int(cfg, "journal.merge_min_files", 32),
        .journal_retention_hours = lh_config_int(cfg, "journal.merge_retention_hours", 24),
    };
}

/* Milliseconds since the epoch of "YYYY-MM-DDTHH:MM:SS(.mmm)Z" (lh_format_time's), or -1. */
static int64_t parse_time(const char *s)
{
    struct tm tm = {0};
    int ms = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) * 1000 + ms;
}

/* Whether the dataset's tombstones are due: count or age of the oldest. */
static bool tombstones_due(lh_lake *lake, const char *name, const lh_auto_compact_policy *p)
{
    char col[256], type[256];
    if ((p->tombstones <= 0 && p->tombstone_age_s <= 0) ||
        !lh__tombs_column(lake, name, col, type, sizeof col))
        return false;
    json_t *lines = NULL;
    lh_err err;
    if (lh_tombstones_load(lh_lake_store(lake), name, &lines, &err))
        return false;
    size_t n = json_array_size(lines);
    bool due = n && p->tombstones > 0 && (int64_t)n >= p->tombstones;
    if (n && !due && p->tombstone_age_s > 0) {
        /* appended in order: the first line is the oldest */
        int64_t at = parse_time(json_string_value(json_object_get(json_array_get(lines, 0),
                                                                   "deleted_at")));
        due = at >= 0 && lh_now_ms() - at >= p->tombstone_age_s * 1000;
    }
    json_decref(lines);
    return due;
}

const char *lh_auto_compact_due(lh_lake *lake, const char *name, const lh_auto_compact_policy *p)
{
    if (tombstones_due(lake, name, p))
        return "tombstones";
    if (p->min_files <= 0)
        return NULL;
    lh_table_snapshot *snap = NULL;
    lh_err err;
    if (lh__lake_snapshot(lake, name, -1, &snap, &err))
        return NULL;
    int64_t small = 0;
    for (size_t i = 0; i < snap->nfiles; i++)
        small += snap->files[i].size < p->small_file_bytes;
    bool due = !json_array_size(snap->partition_columns) && small >= p->min_files &&
               small >= 2;
    lh_table_snapshot_free(snap);
    return due ? "small files" : NULL;
}

static void round_one(lh_lake *lake, const lh_auto_compact_policy *p, const char *name,
                      json_t *report)
{
    /* a lazy_views writer (the CLI) loads the dataset's tombstones and erasure set now:
     * the policy and the compaction read them */
    lh__lake_prepare_dataset(lake, name);
    const char *why = lh_auto_compact_due(lake, name, p);
    if (!why)
        return;
    json_t *out = NULL;
    lh_err err = {{0}};
    lh_status st = lh__lake_compact_background(lake, name, p, false, &out, &err);
    if (st == LH_ECONFLICT && !strcmp(why, "tombstones")) {
        /* Appends that never pause would make every try at applying the tombstones give
         * up (a commit came in between): erased rows must still leave the files, so this
         * one holds the write lock throughout, as a manual compaction does. */
        lh_log(LH_LOG_INFO, "auto-compaction: %s; again under the write lock", err.msg);
        st = lh__lake_compact_background(lake, name, p, true, &out, &err);
    }
    if (st == LH_ECONFLICT)
        lh_log(LH_LOG_INFO, "auto-compaction: %s", err.msg);
    else if (st)
        lh_log(LH_LOG_WARN, "auto-compaction of %s (%s) failed: %s", name, why, err.msg);
    else if (out)
        lh_log(LH_LOG_INFO, "auto-compaction of %s (%s): %lld files into %lld, version %lld",
               name, why, (long long)json_integer_value(json_object_get(out, "files_before")),
               (long long)json_integer_value(json_object_get(out, "files_after")),
               (long long)json_integer_value(json_object_get(out, "version")));
    if (report && (st || out))
        json_array_append_new(report, st ? json_pack("{s:s, s:s, s:b, s:s}", "dataset", name,
                                                     "reason", why, "ok", false, "error", err.msg)
                                         : json_pack("{s:s, s:s, s:b, s:O}", "dataset", name,
                                                     "reason", why, "ok", true, "result", out));
    json_decref(out);
}

lh_status lh_auto_compact_round(lh_lake *lake, const lh_auto_compact_policy *p,
                                const char *dataset, json_t **report, lh_err *err)
{
    lh_assert(lh__lake_is_writer(lake));
    json_t *rep = report ? json_array() : NULL;
    if (report && !rep)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    if (dataset) {
        round_one(lake, p, dataset, rep);
    } else {
        json_t *all = lh_lake_datasets(lake);
        size_t i;
        json_t *m;
        json_array_foreach(all, i, m) {
            if (json_integer_value(json_object_get(m, "table_version")) >= 0)
                round_one(lake, p, json_string_value(json_object_get(m, "name")), rep);
        }
        json_decref(all);
    }
    lh_journal *j = lh_lake_journal(lake);
    int64_t merged = 0;
    lh_err jerr = {{0}};
    if (j && p->journal_min_files > 0 &&
        lh_journal_merge(j, p->journal_min_files, p->small_file_bytes,
                         p->journal_retention_hours * 3600 * 1000, &merged, &jerr))
        lh_log(LH_LOG_WARN, "journal merge failed (tried again later): %s", jerr.msg);
    if (report)
        *report = rep;
    return LH_OK;
}

struct lh_auto_compactor {
    lh_lake *lake;
    lh_auto_compact_policy p;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
};

static void *compactor_main(void *arg)
{
    lh_auto_compactor *ac = arg;
    pthread_mutex_lock(&ac->mu);
    while (!ac->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += ac->p.interval_ms / 1000;
        until.tv_nsec += (ac->p.interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&ac->cv, &ac->mu, &until);
        if (ac->stopping)
            break;
        pthread_mutex_unlock(&ac->mu);
        lh_err err;
        lh_auto_compact_round(ac->lake, &ac->p, NULL, NULL, &err);
        pthread_mutex_lock(&ac->mu);
    }
    pthread_mutex_unlock(&ac->mu);
    return NULL;
}

lh_status lh_auto_compactor_start(lh_lake *lake, const lh_auto_compact_policy *p,
                                  lh_auto_compactor **out, lh_err *err)
{
    *out = NULL;
    if (!p->enabled)
        return LH_OK;
    if (p->interval_ms <= 0)
        return lh_fail(err, LH_EINVAL, "[storage] auto_compact_interval_ms must be positive");
    lh_auto_compactor *ac = lh_calloc(1, sizeof *ac);
    if (!ac)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    ac->lake = lake;
    ac->p = *p;
    pthread_mutex_init(&ac->mu, NULL);
    pthread_cond_init(&ac->cv, NULL);
    if (pthread_create(&ac->thread, NULL, compactor_main, ac)) {
        pthread_mutex_destroy(&ac->mu);
        pthread_cond_destroy(&ac->cv);
        free(ac);
        return lh_fail(err, LH_EINTERNAL, "could not start the auto-compaction thread");
    }
    *out = ac;
    return LH_OK;
}

void lh_auto_compactor_stop(lh_auto_compactor *ac)
{
    if (!ac)
        return;
    pthread_mutex_lock(&ac->mu);
    ac->stopping = true;
    pthread_cond_signal(&ac->cv);
    pthread_mutex_unlock(&ac->mu);
    lh_lake_interrupt(ac->lake); /* a round in progress ends at its next engine call */
    pthread_join(ac->thread, NULL);
    pthread_mutex_destroy(&ac->mu);
    pthread_cond_destroy(&ac->cv);
    free(ac);
}
