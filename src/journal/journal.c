/* journal.c: the event journal: a fsynced WAL of JSON lines as the buffer, Parquet files
 * written through the engine as the flushed form, and the SQL relation `journal` over
 * both (see journal.h for the on-disk contract).
 *
 * Locks: flush_mu serialises flushes (held across the engine's COPY); mu guards the
 * segment list, counters and the view definition and is never held across a COPY, so
 * appends go on (into the next segment) while a flush writes Parquet. tmu/tcv belong to
 * the timer thread. Order: flush_mu before mu; the engine's own locks are taken inside. */
#include "journal/journal.h"

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

/* The columns, in file order, and their DuckDB types. */
const char *const lh__journal_cols[NCOLS] = {"id", "ts", "entity", "entity_id", "field", "old_value",
                                              "new_value", "actor", "source", "workspace", "trace_id"};

/* Keys a caller may set (besides id and ts, which are ours). */
static const char *const TEXT_KEYS[] = {"entity", "entity_id", "field", "actor", "source",
                                        "workspace", "trace_id"};
#define NTEXT (sizeof TEXT_KEYS / sizeof TEXT_KEYS[0])

/* ---- names ---- */

void lh__journal_wal_name(int64_t seq, char out[64])
{
    snprintf(out, 64, "wal-%020lld.jsonl", (long long)seq);
}

/* seq of "wal-<seq>.jsonl", or -1. */
static int64_t wal_seq(const char *name)
{
    size_t n = strlen(name);
    if (n != 4 + 20 + 6 || strncmp(name, "wal-", 4) || strcmp(name + 24, ".jsonl"))
        return -1;
    char digits[21];
    memcpy(digits, name + 4, 20);
    digits[20] = '\0';
    int64_t v;
    return lh_parse_i64(digits, &v) ? -1 : v;
}

/* seq of "events-<ts>-<seq>.parquet" (the last segment it covers), or -1. */
static int64_t parquet_seq(const char *name)
{
    size_t n = strlen(name);
    if (strncmp(name, "events-", 7) || n < 7 + 1 + 20 + 8 || strcmp(name + n - 8, ".parquet"))
        return -1;
    const char *d = name + n - 8 - 20;
    if (d[-1] != '-')
        return -1;
    char digits[21];
    memcpy(digits, d, 20);
    digits[20] = '\0';
    int64_t v;
    return lh_parse_i64(digits, &v) ? -1 : v;
}

lh_status lh__journal_in_dir(const lh_buf *dir, const char *name, lh_buf *out)
{
    lh_buf_init(out, PATH_MAX);
    return lh_path_join(out, lh_buf_cstr(dir), name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- the view ---- */

/* The SELECT of `journal` over the given Parquet and JSON-lines files (names in dir). */
lh_status lh__journal_view_sql(const char *dir, char *const *parquet, size_t np, char *const *jsonl,
                          size_t nj, lh_buf *sql)
{
    bool any = false;
    for (int part = 0; part < 2; part++) {
        char *const *names = part ? jsonl : parquet;
        size_t n = part ? nj : np;
        if (!n)
            continue;
        if (any)
            lh_buf_adds(sql, " UNION ALL ");
        any = true;
        lh_buf_adds(sql, "SELECT ");
        for (size_t c = 0; c < NCOLS; c++)
            lh_buf_printf(sql, "%s%s", c ? ", " : "", lh__journal_cols[c]);
        lh_buf_adds(sql, part ? " FROM read_json([" : " FROM read_parquet([");
        for (size_t i = 0; i < n; i++) {
            if (i)
                lh_buf_addc(sql, ',');
            lh_path_add_sql(sql, dir, names[i]);
        }
        if (part) {
            lh_buf_adds(sql, "], format='newline_delimited', ignore_errors=true, columns={");
            for (size_t c = 0; c < NCOLS; c++)
                lh_buf_printf(sql, "%s%s: '%s'", c ? ", " : "", lh__journal_cols[c],
                              c == TS_COL ? "TIMESTAMP" : "VARCHAR");
            /* a torn line being written right now reads as an all-NULL row */
            lh_buf_adds(sql, "}) WHERE id IS NOT NULL");
        } else {
            lh_buf_adds(sql, "])");
        }
    }
    if (!any) {
        lh_buf_adds(sql, "SELECT ");
        for (size_t c = 0; c < NCOLS; c++)
            lh_buf_printf(sql, "%sCAST(NULL AS %s) AS %s", c ? ", " : "",
                          c == TS_COL ? "TIMESTAMP" : "VARCHAR", lh__journal_cols[c]);
        lh_buf_adds(sql, " WHERE false");
    }
    return lh_buf_status(sql);
}

static lh_status define(lh_engine *eng, const char *dir, char *const *parquet, size_t np,
                        char *const *jsonl, size_t nj, lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_status st = lh__journal_view_sql(dir, parquet, np, jsonl, nj, &sql);
    if (st)
        st = lh_fail(err, st, "journal: view definition too long");
    if (!st)
        st = lh_engine_define_view(eng, "journal", lh_buf_cstr(&sql), err);
    if (!st)
        st = lh_engine_allow_relation(eng, "journal", err);
    lh_buf_release(&sql);
    return st;
}

/* Redefines `journal` over the current files and segments. Caller holds mu. */
lh_status lh__journal_define_locked(lh_journal *j, lh_err *err)
{
    if (!j->eng || j->no_view)
        return LH_OK;
    char **wals = lh_calloc(j->nsegs + 1, sizeof *wals);
    lh_status st = wals ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < j->nsegs; i++) {
        if (!(wals[i] = lh_malloc(64)))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        else
            lh__journal_wal_name(j->segs[i].seq, wals[i]);
    }
    if (!st)
        st = define(j->eng, lh_buf_cstr(&j->dir), j->files, j->nfiles, wals, j->nsegs, err);
    for (size_t i = 0; wals && i < j->nsegs; i++)
        free(wals[i]);
    free(wals);
    return st;
}

/* ---- opening: the segments and files on disk ---- */

static lh_status push_seg(lh_journal *j, segment s)
{
    lh_status st = lh_grow(&j->segs, &j->capsegs, j->nsegs + 1, sizeof *j->segs);
    if (st)
        return st;
    j->segs[j->nsegs++] = s;
    return LH_OK;
}

lh_status lh__journal_push_file(lh_journal *j, const char *name)
{
    lh_status st = lh_grow(&j->files, &j->capfiles, j->nfiles + 1, sizeof *j->files);
    if (st)
        return st;
    if (!(j->files[j->nfiles] = lh_strdup(name)))
        return LH_ENOMEM;
    j->nfiles++;
    return LH_OK;
}

/* Counts the segment's valid lines and cuts off a torn last line (a write that a crash
 * interrupted: never acknowledged, since acknowledgement follows the fsync). */
static lh_status scan_segment(const char *path, segment *s, lh_err *err)
{
    lh_buf data;
    lh_buf_init(&data, 0);
    lh_status st = lh_file_read_all(path, MAX_WAL, &data, err);
    if (st) {
        lh_buf_release(&data);
        return st;
    }
    const char *p = lh_buf_cstr(&data), *end = p + data.len;
    size_t good = 0;
    s->events = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        json_t *ev = lh_json_loadb(p, (size_t)(nl - p), 0, NULL);
        if (json_is_string(json_object_get(ev, "id")))
            s->events++;
        else if (nl > p)
            lh_log(LH_LOG_WARN, "journal: %s: skipping an unreadable line at byte %zu", path,
                   (size_t)(p - lh_buf_cstr(&data)));
        json_decref(ev);
        p = nl + 1;
        good = (size_t)(p - lh_buf_cstr(&data));
    }
    if (good < data.len) {
        lh_log(LH_LOG_WARN, "journal: %s: dropping a torn last line (%zu bytes)", path,
               data.len - good);
        if (truncate(path, (off_t)good))
            st = lh_fail(err, LH_EIO, "truncate %s: %s", path, strerror(errno));
        else
            st = lh_fsync_path(path, err);
    }
    s->bytes = (int64_t)good;
    lh_buf_release(&data);
    return st;
}

/* Opens (creating) segment seq as the current one and appends it to the list. */
lh_status lh__journal_open_segment(lh_journal *j, int64_t seq, int64_t events, int64_t bytes,
                              lh_err *err)
{
    char name[64];
    lh__journal_wal_name(seq, name);
    lh_buf path;
    lh_status st = lh__journal_in_dir(&j->dir, name, &path);
    if (st)
        st = lh_fail(err, st, "journal: segment path too long");
    int fd = st ? -1 : open(lh_buf_cstr(&path), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (!st && fd < 0)
        st = lh_fail(err, LH_EIO, "open %s: %s", lh_buf_cstr(&path), strerror(errno));
    if (!st)
        st = lh_fsync_dir(lh_buf_cstr(&j->dir), err); /* the new entry survives a crash */
    if (!st && push_seg(j, (segment){seq, events, bytes}))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (st) {
        if (fd >= 0)
            close(fd);
    } else {
        if (j->fd >= 0)
            close(j->fd);
        j->fd = fd;
    }
    lh_buf_release(&path);
    return st;
}

typedef struct listing {
    char **parquet, **wal;
    size_t np, nw, capp, capw;
    bool legacy;
} listing;

static void listing_release(listing *l)
{
    for (size_t i = 0; i < l->np; i++)
        free(l->parquet[i]);
    for (size_t i = 0; i < l->nw; i++)
        free(l->wal[i]);
    free(l->parquet);
    free(l->wal);
}

static bool listing_add(char ***arr, size_t *n, size_t *cap, const char *name)
{
    if (lh_grow(arr, cap, *n + 1, sizeof **arr))
        return false;
    return ((*arr)[*n] = lh_strdup(name)) ? (++*n, true) : false;
}

/* The journal directory's Parquet files and WAL segments (sorted); temp files of a killed
 * flush are removed when remove_tmp. A missing directory is an empty listing. */
static lh_status list_dir(const char *dir, bool remove_tmp, listing *l, lh_err *err)
{
    memset(l, 0, sizeof *l);
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? LH_OK : lh_fail(err, LH_EIO, "opendir %s: %s", dir, strerror(errno));
    struct dirent *e;
    bool ok = true;
    while (ok && (e = readdir(d))) {
        const char *n = e->d_name;
        if (!strncmp(n, ".tmp-", 5) && remove_tmp) {
            /* removed by the caller through the store, which never follows a link */
        } else if (parquet_seq(n) >= 0) {
            ok = listing_add(&l->parquet, &l->np, &l->capp, n);
        } else if (wal_seq(n) >= 0) {
            ok = listing_add(&l->wal, &l->nw, &l->capw, n);
        } else if (!strcmp(n, LEGACY_NAME)) {
            l->legacy = true;
        }
    }
    closedir(d);
    if (!ok) {
        listing_release(l);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    if (l->np > 1)
        qsort(l->parquet, l->np, sizeof *l->parquet, cmp_str);
    if (l->nw > 1)
        qsort(l->wal, l->nw, sizeof *l->wal, cmp_str);
    return LH_OK;
}

static lh_status load(lh_journal *j, lh_err *err)
{
    listing l;
    /* temp files of a killed flush; a journal directory that is a link is refused here */
    lh_status st = lh_store_sweep(j->store, DIR_KEY, ".tmp-", 0, err);
    if (!st)
        st = list_dir(lh_buf_cstr(&j->dir), true, &l, err);
    if (st)
        return st;
    int64_t covered = -1, maxseq = -1;
    bool *superseded = lh_calloc(l.np + 1, sizeof *superseded);
    if (!superseded)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    else
        lh__journal_superseded_all(l.parquet, l.np, superseded);
    for (size_t i = 0; i < l.np && !st; i++) {
        int64_t s = parquet_seq(l.parquet[i]);
        covered = s > covered ? s : covered;
        /* its events are in a merged file (journal_merge.c): not read twice */
        if (superseded[i])
            continue;
        /* their sizes and times only when the stats are asked for (one stat per file,
         * and a CLI run that never asks adds a file each time) */
        j->sizes_pending = true;
        if (lh__journal_push_file(j, l.parquet[i]))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    }
    free(superseded);
    maxseq = covered;
    for (size_t i = 0; i < l.nw && !st; i++) {
        int64_t seq = wal_seq(l.wal[i]);
        maxseq = seq > maxseq ? seq : maxseq;
        lh_buf p;
        st = lh__journal_in_dir(&j->dir, l.wal[i], &p);
        if (!st && seq <= covered) {
            /* flushed, but a crash came before its delete */
            st = lh_file_remove(lh_buf_cstr(&p), err);
        } else if (!st) {
            segment s = {seq, 0, 0};
            st = scan_segment(lh_buf_cstr(&p), &s, err);
            if (!st && push_seg(j, s))
                st = lh_fail(err, LH_ENOMEM, "out of memory");
        }
        lh_buf_release(&p);
    }
    if (!st && l.legacy) {
        /* The first implementation's events.jsonl holds the same JSON lines: it becomes
         * a WAL segment and is flushed like any other. */
        lh_buf from, to;
        char name[64];
        lh__journal_wal_name(++maxseq, name);
        lh_status fst = lh__journal_in_dir(&j->dir, LEGACY_NAME, &from);
        lh_status tst = lh__journal_in_dir(&j->dir, name, &to); /* both initialised */
        if (fst || tst)
            st = lh_fail(err, fst ? fst : tst, "journal: path too long");
        else if (rename(lh_buf_cstr(&from), lh_buf_cstr(&to)))
            st = lh_fail(err, LH_EIO, "rename %s: %s", lh_buf_cstr(&from), strerror(errno));
        if (!st)
            st = lh_fsync_dir(lh_buf_cstr(&j->dir), err);
        segment s = {maxseq, 0, 0};
        if (!st)
            st = scan_segment(lh_buf_cstr(&to), &s, err);
        if (!st && push_seg(j, s))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        if (!st)
            lh_log(LH_LOG_INFO, "journal: moved %s (%lld events) to %s", LEGACY_NAME,
                   (long long)s.events, name);
        lh_buf_release(&from);
        lh_buf_release(&to);
    }
    if (!st) {
        /* The newest segment stays the current one; else start one. */
        if (j->nsegs) {
            segment last = j->segs[--j->nsegs];
            st = lh__journal_open_segment(j, last.seq, last.events, last.bytes, err);
        } else {
            st = lh__journal_open_segment(j, maxseq + 1, 0, 0, err);
        }
    }
    listing_release(&l);
    return st;
}

lh_status lh_journal_open(lh_store *store, lh_journal **out, lh_err *err)
{
    lh_journal *j = lh_calloc(1, sizeof *j);
    if (!j)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    j->store = store;
    j->fd = -1;
    j->flush_events = DEFAULT_FLUSH_EVENTS;
    pthread_mutex_init(&j->mu, NULL);
    pthread_mutex_init(&j->flush_mu, NULL);
    pthread_mutex_init(&j->tmu, NULL);
    pthread_cond_init(&j->tcv, NULL);
    lh_buf_init(&j->dir, PATH_MAX);
    lh_status st = lh_path_join(&j->dir, lh_store_root(store), DIR_KEY);
    if (st)
        st = lh_fail(err, st, "journal: data directory path too long");
    else
        st = lh_mkdirs(lh_buf_cstr(&j->dir), err);
    if (!st)
        st = load(j, err);
    if (st) {
        lh_journal_free(j);
        return st;
    }
    *out = j;
    return LH_OK;
}

lh_status lh_journal_bind_engine(lh_journal *j, lh_engine *eng, lh_err *err)
{
    pthread_mutex_lock(&j->mu);
    j->eng = eng;
    j->no_view = false;
    lh_status st = LH_OK;
    if (j->nfiles) {
        lh_buf sql;
        lh_buf_init(&sql, 0);
        lh_buf_adds(&sql, "SELECT CAST(coalesce(sum(num_rows), 0) AS VARCHAR) FROM parquet_file_metadata([");
        for (size_t i = 0; i < j->nfiles; i++) {
            if (i)
                lh_buf_addc(&sql, ',');
            lh_path_add_sql(&sql, lh_buf_cstr(&j->dir), j->files[i]);
        }
        lh_buf_adds(&sql, "])");
        json_t *row = NULL;
        if ((st = lh_buf_status(&sql)))
            st = lh_fail(err, st, "journal: %zu files, statement too long", j->nfiles);
        else
            st = lh_engine_query_row(eng, lh_buf_cstr(&sql), &row, err);
        if (!st)
            lh_parse_i64(json_string_value(json_array_get(row, 0)), &j->flushed_events);
        json_decref(row);
        lh_buf_release(&sql);
    }
    if (!st)
        st = lh__journal_define_locked(j, err);
    pthread_mutex_unlock(&j->mu);
    return st;
}

void lh_journal_attach_engine(lh_journal *j, lh_engine *eng)
{
    pthread_mutex_lock(&j->mu);
    j->eng = eng;
    j->no_view = true;
    pthread_mutex_unlock(&j->mu);
}

lh_status lh_journal_define_view(lh_store *store, lh_engine *eng, lh_err *err)
{
    lh_buf dir;
    lh_buf_init(&dir, PATH_MAX);
    lh_status st = lh_path_join(&dir, lh_store_root(store), DIR_KEY);
    listing l;
    if (st)
        st = lh_fail(err, st, "journal: data directory path too long");
    else
        st = list_dir(lh_buf_cstr(&dir), false, &l, err);
    if (!st) {
        /* segments a Parquet file covers were flushed before a crash: not twice */
        int64_t covered = -1;
        for (size_t i = 0; i < l.np; i++)
            covered = parquet_seq(l.parquet[i]) > covered ? parquet_seq(l.parquet[i]) : covered;
        size_t keep = 0;
        for (size_t i = 0; i < l.nw; i++) {
            if (wal_seq(l.wal[i]) <= covered)
                free(l.wal[i]);
            else
                l.wal[keep++] = l.wal[i];
        }
        l.nw = keep;
        /* parts a merged file supersedes (journal_merge.c): not twice either */
        bool *drop = lh_calloc(l.np + 1, sizeof *drop);
        if (!drop)
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        if (drop)
            lh__journal_superseded_all(l.parquet, l.np, drop);
        keep = 0;
        for (size_t i = 0; drop && i < l.np; i++) {
            if (drop[i])
                free(l.parquet[i]);
            else
                l.parquet[keep++] = l.parquet[i];
        }
        if (drop)
            l.np = keep;
        free(drop);
        /* a legacy file not yet migrated is read like a segment */
        if (l.legacy && !listing_add(&l.wal, &l.nw, &l.capw, LEGACY_NAME))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        if (!st)
            st = define(eng, lh_buf_cstr(&dir), l.parquet, l.np, l.wal, l.nw, err);
        listing_release(&l);
    }
    lh_buf_release(&dir);
    return st;
}

/* ---- appending ---- */

int64_t lh__journal_buffered_locked(const lh_journal *j)
{
    int64_t n = 0;
    for (size_t i = 0; i < j->nsegs; i++)
        n += j->segs[i].events;
    return n;
}

/* A time-ordered UUIDv7 (48-bit ms, then a 12-bit counter within the ms, then random),
 * and its ms. Caller holds mu. */
static int64_t next_id(lh_journal *j, char id[37])
{
    int64_t now = lh_now_ms();
    if (now > j->id_ms) {
        j->id_ms = now;
        j->id_seq = 0;
    } else if (++j->id_seq > 0xfff) {
        j->id_ms++;
        j->id_seq = 0;
    }
    char r[17];
    lh_random_hex(r, 8);
    unsigned variant = 8u | ((unsigned)(r[0] >= 'a' ? r[0] - 'a' + 10 : r[0] - '0') & 3u);
    snprintf(id, 37, "%08llx-%04llx-7%03x-%x%.3s-%.12s",
             (unsigned long long)((uint64_t)j->id_ms >> 16) & 0xffffffffULL,
             (unsigned long long)((uint64_t)j->id_ms & 0xffff), j->id_seq & 0xfff, variant, r + 1,
             r + 4);
    return j->id_ms;
}

/* Checks one caller event and returns it in file column order, without id/ts. */
static lh_status normalize(json_t *ev, json_t **out, lh_err *err)
{
    if (!json_is_object(ev))
        return lh_fail(err, LH_EINVAL, "a journal event must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(ev, key, v) {
        bool known = !strcmp(key, "id") || !strcmp(key, "ts") || !strcmp(key, "old_value") ||
                     !strcmp(key, "new_value");
        for (size_t i = 0; i < NTEXT && !known; i++)
            known = !strcmp(key, TEXT_KEYS[i]);
        if (!known)
            return lh_fail(err, LH_EINVAL, "journal event: unknown field '%.64s'", key);
    }
    json_t *o = json_object();
    lh_status st = LH_OK;
    for (size_t c = 0; c < NCOLS && !st; c++) {
        const char *name = lh__journal_cols[c];
        v = json_object_get(ev, name);
        if (c < 2) {
            json_object_set_new(o, name, json_null()); /* id and ts come later */
        } else if (!strcmp(name, "old_value") || !strcmp(name, "new_value")) {
            if (!v || json_is_null(v)) {
                json_object_set_new(o, name, json_null());
            } else if (json_is_string(v)) {
                json_object_set(o, name, v);
            } else {
                char *text = lh_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
                if (!text)
                    st = lh_fail(err, LH_ENOMEM, "out of memory");
                else
                    json_object_set_new(o, name, json_string(text));
                free(text);
            }
        } else {
            bool required = !strcmp(name, "entity") || !strcmp(name, "entity_id");
            if (v && !json_is_null(v) && !json_is_string(v))
                st = lh_fail(err, LH_EINVAL, "journal event: field '%s' must be a string", name);
            else if (required && (!v || !json_string_length(v)))
                st = lh_fail(err, LH_EINVAL, "journal event: field '%s' is required", name);
            else
                json_object_set(o, name, v ? v : json_null());
        }
    }
    if (st) {
        json_decref(o);
        return st;
    }
    *out = o;
    return LH_OK;
}

/* What the server itself records (lake/: ingest, metadata edits, compaction, erasure,
 * vacuum, tombstones). A posted event may not look like one: the audit trail is only
 * worth reading if "erasure by compaction" cannot be forged by any API caller. */
static const char *const SYSTEM_SOURCES[] = {"ingest", "ingest.postgres", "metadata",
                                             "compaction", "compact", "erasure", "vacuum",
                                             "tombstone", "lakehouse", "system"};
static const char *const SYSTEM_FIELDS[] = {"version", "compaction", "erasure", "vacuum",
                                            "tombstone"};

static bool in_set(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (!strcmp(s, set[i]))
            return true;
    return false;
}

lh_status lh_journal_append_user(lh_journal *j, json_t *events, json_t **stored, lh_err *err)
{
    if (!json_is_array(events))
        return lh_fail(err, LH_EINVAL, "no journal events to append");
    json_t *marked = json_array();
    size_t i;
    json_t *ev;
    lh_status st = LH_OK;
    json_array_foreach(events, i, ev) {
        const char *entity = json_string_value(json_object_get(ev, "entity"));
        const char *field = json_string_value(json_object_get(ev, "field"));
        const char *source = json_string_value(json_object_get(ev, "source"));
        if (entity && !strcmp(entity, LH_JOURNAL_SYSTEM_ENTITY)) {
            st = lh_fail(err, LH_EINVAL, "entity '%s' is reserved for events the server records",
                         entity);
        } else if (in_set(field, SYSTEM_FIELDS, sizeof SYSTEM_FIELDS / sizeof *SYSTEM_FIELDS)) {
            st = lh_fail(err, LH_EINVAL, "field '%s' is reserved for events the server records",
                         field);
        } else if (in_set(source, SYSTEM_SOURCES, sizeof SYSTEM_SOURCES / sizeof *SYSTEM_SOURCES) ||
                   (source && !strncmp(source, LH_JOURNAL_USER_SOURCE, 4))) {
            st = lh_fail(err, LH_EINVAL, "source '%s' is reserved for events the server records",
                         source);
        }
        if (st)
            break;
        json_t *c = json_copy(ev);
        lh_buf src;
        lh_buf_init(&src, 1024);
        if (source)
            lh_buf_printf(&src, LH_JOURNAL_USER_SOURCE ":%s", source);
        else
            lh_buf_adds(&src, LH_JOURNAL_USER_SOURCE);
        st = lh_buf_status(&src);
        if (st)
            st = lh_fail(err, st, "event source '%.64s...' too long", source ? source : "");
        else
            json_object_set_new(c, "source", json_string(lh_buf_cstr(&src)));
        lh_buf_release(&src);
        if (st) {
            json_decref(c);
            break;
        }
        json_array_append_new(marked, c);
    }
    if (!st)
        st = lh_journal_append_many(j, marked, false, stored, err);
    json_decref(marked);
    return st;
}

/* The events in file column order without id/ts, each checked (normalize), into *out. */
static lh_status normalize_all(const json_t *events, json_t **out, lh_err *err)
{
    if (!json_is_array(events) || !json_array_size(events))
        return lh_fail(err, LH_EINVAL, "no journal events to append");
    json_t *norm = json_array();
    if (!norm)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lh_status st = LH_OK;
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev) {
        json_t *o = NULL;
        if ((st = normalize(ev, &o, err)))
            break;
        if (json_array_append_new(norm, o)) {
            st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
    }
    if (st) {
        json_decref(norm);
        return st;
    }
    *out = norm;
    return LH_OK;
}

/* The limits append_many enforces once it holds the lock, checked before: each line as
 * it will be written (an id and a ts have fixed lengths) and their sum. */
static lh_status check_sizes(json_t *norm, lh_err *err)
{
    char ts[32];
    lh_format_time(lh_now_ms(), ts);
    size_t total = 0, i;
    json_t *ev;
    json_array_foreach(norm, i, ev) {
        json_object_set_new(ev, "id", json_string("00000000-0000-7000-8000-000000000000"));
        json_object_set_new(ev, "ts", json_string(ts));
        char *line = lh_json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
        size_t n = line ? strlen(line) : 0;
        free(line);
        if (!line)
            return lh_fail(err, LH_ENOMEM, "out of memory");
        if (n > MAX_LINE)
            return lh_fail(err, LH_ETOOBIG, "journal event over %zu bytes", MAX_LINE);
        total += n + 1;
        if (total > MAX_APPEND)
            return lh_fail(err, LH_ETOOBIG, "journal events over %zu MiB in one append",
                           MAX_APPEND >> 20);
    }
    return LH_OK;
}

lh_status lh_journal_check(const json_t *events, lh_err *err)
{
    json_t *norm = NULL;
    lh_status st = normalize_all(events, &norm, err);
    if (!st)
        st = check_sizes(norm, err);
    json_decref(norm);
    return st;
}

lh_status lh_journal_append_many(lh_journal *j, json_t *events, bool write_through,
                                 json_t **stored, lh_err *err)
{
    json_t *norm = NULL;
    lh_status st = normalize_all(events, &norm, err);
    if (st)
        return st;
    size_t i;
    json_t *ev;
    lh_buf lines;
    lh_buf_init(&lines, MAX_APPEND);
    bool due = false;
    if (!st) {
        pthread_mutex_lock(&j->mu);
        json_array_foreach(norm, i, ev) {
            char id[37], ts[32];
            lh_format_time(next_id(j, id), ts);
            json_object_set_new(ev, "id", json_string(id));
            json_object_set_new(ev, "ts", json_string(ts));
            char *line = lh_json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (!line)
                st = lh_fail(err, LH_ENOMEM, "out of memory");
            else if (strlen(line) > MAX_LINE)
                st = lh_fail(err, LH_ETOOBIG, "journal event over %zu bytes", MAX_LINE);
            if (!st) {
                lh_buf_adds(&lines, line);
                lh_buf_addc(&lines, '\n');
            }
            free(line);
            if (st)
                break;
        }
        if (!st && (st = lh_buf_status(&lines)))
            st = st == LH_ETOOBIG ? lh_fail(err, st, "journal events over %zu MiB in one append",
                                            MAX_APPEND >> 20)
                                  : lh_fail(err, st, "out of memory");
        segment *cur = &j->segs[j->nsegs - 1];
        if (!st)
            st = lh_write_all(j->fd, lh_buf_cstr(&lines), lines.len, "the journal", err);
        if (!st)
            st = lh_fsync_fd(j->fd, "the journal", err);
        if (st) {
            /* nothing half-written stays behind a later, acknowledged line */
            if (ftruncate(j->fd, (off_t)cur->bytes))
                lh_log(LH_LOG_ERROR, "journal: could not cut a failed write: %s", strerror(errno));
        } else {
            cur->events += (int64_t)json_array_size(norm);
            cur->bytes += (int64_t)lines.len;
            due = lh__journal_buffered_locked(j) >= j->flush_events;
        }
        pthread_mutex_unlock(&j->mu);
    }
    lh_buf_release(&lines);
    if (!st && (write_through || due) && j->eng) {
        lh_err ferr;
        if (lh_journal_flush(j, NULL, &ferr))
            lh_log(LH_LOG_WARN, "journal: flush failed (the events stay in the WAL): %s", ferr.msg);
    }
    if (!st && stored)
        *stored = json_incref(norm);
    json_decref(norm);
    return st;
}

lh_status lh_journal_append(lh_journal *j, json_t *event, bool write_through, lh_err *err)
{
    json_t *one = json_pack("[O]", event);
    if (!one)
        return lh_fail(err, LH_EINVAL, "a journal event must be a JSON object");
    lh_status st = lh_journal_append_many(j, one, write_through, NULL, err);
    json_decref(one);
    return st;
}

void lh_journal_set_flush_events(lh_journal *j, int64_t n)
{
    pthread_mutex_lock(&j->mu);
    j->flush_events = n > 0 ? n : 1;
    pthread_mutex_unlock(&j->mu);
}

void lh_journal_free(lh_journal *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->tmu);
    j->stopping = true;
    pthread_cond_signal(&j->tcv);
    bool joined = j->timer_on;
    pthread_mutex_unlock(&j->tmu);
    if (joined)
        pthread_join(j->timer, NULL);
    if (j->eng && j->nsegs && lh__journal_buffered_locked(j) > 0) {
        lh_err err;
        if (lh_journal_flush(j, NULL, &err))
            lh_log(LH_LOG_WARN, "journal: flush at close failed (the WAL keeps the events): %s",
                   err.msg);
    }
    if (j->fd >= 0)
        close(j->fd);
    for (size_t i = 0; i < j->nfiles; i++)
        free(j->files[i]);
    free(j->files);
    free(j->segs);
    lh_buf_release(&j->dir);
    pthread_mutex_destroy(&j->mu);
    pthread_mutex_destroy(&j->flush_mu);
    pthread_mutex_destroy(&j->tmu);
    pthread_cond_destroy(&j->tcv);
    free(j);
}


void lh__journal_part_names(char compact[32], char tmpname[64])
{
    char uuid[37], ts[32];
    lh_uuid4(uuid);
    snprintf(tmpname, 64, ".tmp-%s.parquet", uuid);
    lh_format_time(lh_now_ms(), ts);
    size_t k = 0;
    for (const char *p = ts; *p && k + 1 < 32; p++)
        if (*p != '-' && *p != ':' && *p != '.')
            compact[k++] = *p;
    compact[k] = '\0';
}
