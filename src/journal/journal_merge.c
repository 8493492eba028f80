/* journal_merge.c: merging the journal's small Parquet parts (journal.h, lh_journal_merge).
 *
 * A merged file is named "events-<ts>-<lo>-<hi>.parquet": it holds every event of the
 * parts it replaced, the first of which covered up to segment <lo> and the last up to
 * <hi> (its seq for the WAL rule stays <hi>). A part whose range lies within a merged
 * file's wider one is superseded: no view reads it (journal.c), and it is deleted once the
 * merged file is older than the retention. So a kill at any point leaves every event
 * exactly once: before the rename the parts are all there is; after it the merged file
 * supersedes them whether or not they are deleted yet. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "journal/journal_int.h"

static int64_t digits20(const char *d)
{
    char buf[21];
    for (int i = 0; i < 20; i++)
        if (d[i] < '0' || d[i] > '9')
            return -1;
    memcpy(buf, d, 20);
    buf[20] = '\0';
    int64_t v;
    return lh_parse_i64(buf, &v) ? -1 : v;
}

bool lh__journal_part_range(const char *name, int64_t *lo, int64_t *hi)
{
    size_t n = strlen(name);
    if (strncmp(name, "events-", 7) || n < 7 + 1 + 20 + 8 || strcmp(name + n - 8, ".parquet"))
        return false;
    const char *d = name + n - 8 - 20;
    if (d[-1] != '-' || (*hi = digits20(d)) < 0)
        return false;
    *lo = *hi;
    if ((size_t)(d - name) >= 7 + 21 + 1 && d[-22] == '-' && digits20(d - 21) >= 0)
        *lo = digits20(d - 21);
    return true;
}

bool lh__journal_superseded(char *const *names, size_t n, size_t i)
{
    int64_t lo, hi, klo, khi;
    if (!lh__journal_part_range(names[i], &lo, &hi))
        return false;
    for (size_t k = 0; k < n; k++)
        if (k != i && lh__journal_part_range(names[k], &klo, &khi) && klo < khi &&
            klo <= lo && hi <= khi && (klo < lo || hi < khi))
            return true;
    return false;
}

void lh__journal_superseded_all(char *const *names, size_t n, bool *out)
{
    /* The merged files (a range wider than one sequence) found once, and each part checked
     * against them only: asking lh__journal_superseded of every part compares every pair,
     * and a part is added by every CLI process that flushed events (a cost that grew with
     * each append). */
    int64_t *lo = lh_calloc(n + 1, sizeof *lo), *hi = lh_calloc(n + 1, sizeof *hi);
    size_t *merged = lh_calloc(n + 1, sizeof *merged);
    bool *valid = lh_calloc(n + 1, sizeof *valid);
    size_t m = 0;
    for (size_t i = 0; lo && hi && merged && valid && i < n; i++) {
        valid[i] = lh__journal_part_range(names[i], &lo[i], &hi[i]);
        if (valid[i] && lo[i] < hi[i])
            merged[m++] = i;
    }
    for (size_t i = 0; i < n; i++) {
        if (!lo || !hi || !merged || !valid) { /* out of memory: the same answer, slower */
            out[i] = lh__journal_superseded(names, n, i);
            continue;
        }
        out[i] = false;
        for (size_t x = 0; valid[i] && x < m && !out[i]; x++) {
            size_t k = merged[x]; /* strictly wider: never i itself */
            out[i] = lo[k] <= lo[i] && hi[i] <= hi[k] && (lo[k] < lo[i] || hi[i] < hi[k]);
        }
    }
    free(lo);
    free(hi);
    free(merged);
    free(valid);
}

static int cmp_hi(const void *a, const void *b)
{
    int64_t alo, ahi, blo, bhi;
    lh__journal_part_range(*(char *const *)a, &alo, &ahi);
    lh__journal_part_range(*(char *const *)b, &blo, &bhi);
    return ahi < bhi ? -1 : ahi > bhi;
}

/* Deletes the parts superseded by a merged file older than retention_ms. */
static void drop_superseded(lh_journal *j, int64_t retention_ms)
{
    DIR *d = opendir(lh_buf_cstr(&j->dir));
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        int64_t lo, hi;
        if (lh__journal_part_range(e->d_name, &lo, &hi) &&
            !lh_grow(&names, &cap, n + 1, sizeof *names) && (names[n] = lh_strdup(e->d_name)))
            n++;
    }
    closedir(d);
    int64_t now = lh_now_ms();
    for (size_t i = 0; i < n; i++) {
        if (!lh__journal_superseded(names, n, i))
            continue;
        int64_t lo, hi, klo, khi, mtime = 0, size = 0;
        lh__journal_part_range(names[i], &lo, &hi);
        bool old = false;
        for (size_t k = 0; k < n && !old; k++) {
            lh_buf p;
            if (k == i || !lh__journal_part_range(names[k], &klo, &khi) || klo >= khi ||
                klo > lo || hi > khi)
                continue;
            if (!lh__journal_in_dir(&j->dir, names[k], &p) &&
                !lh_file_stat(lh_buf_cstr(&p), &size, &mtime, NULL))
                old = now - mtime >= retention_ms;
            lh_buf_release(&p);
        }
        if (!old)
            continue;
        lh_buf p;
        if (!lh__journal_in_dir(&j->dir, names[i], &p))
            lh_file_remove(lh_buf_cstr(&p), NULL);
        lh_buf_release(&p);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Writes, verifies and renames the merge of files[0..n) (sorted by seq). */
static lh_status merge_run(lh_journal *j, char **files, size_t n, char name[160], int64_t *size,
                           lh_err *err)
{
    int64_t lo, hi, x;
    lh__journal_part_range(files[0], &lo, &x);
    lh__journal_part_range(files[n - 1], &x, &hi);
    char compact[32], tmpname[64];
    lh__journal_part_names(compact, tmpname);
    snprintf(name, 160, "events-%s-%020lld-%020lld.parquet", compact, (long long)lo, (long long)hi);
    lh_buf tmp, list, sql;
    lh_status st = lh__journal_in_dir(&j->dir, tmpname, &tmp);
    lh_buf_init(&list, 0);
    lh_buf_init(&sql, 0);
    lh_buf_adds(&list, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            lh_buf_addc(&list, ',');
        lh_path_add_sql(&list, lh_buf_cstr(&j->dir), files[i]);
    }
    lh_buf_adds(&list, "]");
    lh_buf_printf(&sql, "SELECT CAST(sum(num_rows) AS VARCHAR) FROM parquet_file_metadata(%s)",
                  lh_buf_cstr(&list));
    json_t *row = NULL;
    int64_t expect = -1, got = -2;
    if (st || (st = lh_buf_status(&list)) || (st = lh_buf_status(&sql)))
        st = lh_fail(err, st, "journal merge: statement too long or out of memory");
    else
        st = lh_engine_side_query(j->eng, lh_buf_cstr(&sql), &row, err);
    if (!st)
        lh_parse_i64(json_string_value(json_array_get(row, 0)), &expect);
    json_decref(row);
    row = NULL;
    if (!st) {
        lh_buf_reset(&sql);
        lh_buf_printf(&sql, "COPY (SELECT * FROM read_parquet(%s) ORDER BY ts, id) TO ",
                      lh_buf_cstr(&list));
        lh_buf_add_sql_string(&sql, lh_buf_cstr(&tmp));
        lh_buf_adds(&sql, " (FORMAT parquet, COMPRESSION snappy)");
        st = lh_buf_status(&sql) ? lh_fail(err, LH_ENOMEM, "journal merge: statement too long")
                                 : lh_engine_side_query(j->eng, lh_buf_cstr(&sql), NULL, err);
    }
    if (!st) {
        lh_buf_reset(&sql);
        lh_buf_adds(&sql, "SELECT CAST(count(*) AS VARCHAR) FROM read_parquet(");
        lh_buf_add_sql_string(&sql, lh_buf_cstr(&tmp));
        lh_buf_adds(&sql, ")");
        st = lh_buf_status(&sql) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                 : lh_engine_side_query(j->eng, lh_buf_cstr(&sql), &row, err);
        if (!st)
            lh_parse_i64(json_string_value(json_array_get(row, 0)), &got);
        json_decref(row);
        if (!st && got != expect)
            st = lh_fail(err, LH_ECORRUPT, "journal merge wrote %lld events, expected %lld; "
                         "nothing replaced", (long long)got, (long long)expect);
    }
    if (!st)
        st = lh_fsync_path(lh_buf_cstr(&tmp), err);
    if (!st)
        st = lh_file_stat(lh_buf_cstr(&tmp), size, NULL, err);
    lh_fault_point("journal.merge_before_rename");
    if (!st) {
        lh_buf key;
        lh_buf_init(&key, 1024);
        lh_buf_printf(&key, "%s/%s", DIR_KEY, name);
        st = lh_buf_status(&key) ? lh_fail(err, LH_ENOMEM, "journal: object key too long")
                                 : lh_store_put_file(j->store, lh_buf_cstr(&key), lh_buf_cstr(&tmp), err);
        lh_buf_release(&key);
    }
    if (st && tmp.len)
        lh_file_remove(lh_buf_cstr(&tmp), NULL);
    lh_buf_release(&tmp);
    lh_buf_release(&list);
    lh_buf_release(&sql);
    return st;
}

lh_status lh_journal_merge(lh_journal *j, int64_t min_files, int64_t small_bytes,
                           int64_t retention_ms, int64_t *merged, lh_err *err)
{
    *merged = 0;
    if (!j->eng || min_files < 2)
        return LH_OK;
    /* The parts now, by seq; flushes only add newer ones meanwhile. */
    pthread_mutex_lock(&j->mu);
    size_t n = j->nfiles;
    char **files = lh_calloc(n + 1, sizeof *files);
    for (size_t i = 0; files && i < n; i++)
        if (!(files[i] = lh_strdup(j->files[i])))
            n = i;
    pthread_mutex_unlock(&j->mu);
    if (!files)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    qsort(files, n, sizeof *files, cmp_hi);
    /* the newest run of small parts */
    size_t first = n;
    int64_t run_bytes = 0;
    while (first > 0) {
        lh_buf p;
        int64_t size = -1;
        if (!lh__journal_in_dir(&j->dir, files[first - 1], &p))
            lh_file_stat(lh_buf_cstr(&p), &size, NULL, NULL);
        lh_buf_release(&p);
        if (size < 0 || size >= small_bytes)
            break;
        run_bytes += size;
        first--;
    }
    lh_status st = LH_OK;
    if (n - first >= (size_t)min_files) {
        char name[160];
        int64_t size = 0;
        st = merge_run(j, files + first, n - first, name, &size, err);
        lh_fault_point("journal.merge_after_rename");
        if (!st) {
            pthread_mutex_lock(&j->mu);
            size_t keep = 0;
            for (size_t i = 0; i < j->nfiles; i++) {
                bool gone = false;
                for (size_t k = first; k < n && !gone; k++)
                    gone = !strcmp(j->files[i], files[k]);
                if (gone)
                    free(j->files[i]);
                else
                    j->files[keep++] = j->files[i];
            }
            j->nfiles = keep;
            j->parquet_bytes += size - run_bytes;
            if (lh__journal_push_file(j, name))
                st = lh_fail(err, LH_ENOMEM, "out of memory");
            if (!st)
                st = lh__journal_define_locked(j, err);
            pthread_mutex_unlock(&j->mu);
            *merged = (int64_t)(n - first);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    if (!st)
        drop_superseded(j, retention_ms);
    return st;
}
