/* compact.c: compaction with physical deletion (mutations.h, DESIGN.md §4 and §5.3).
 *
 * Order of steps, each safe to be killed after:
 *   1. COPY the live rows minus tombstoned ones to tables/<name>/.tmp-<uuid>.parquet
 *      (a name no reader lists; a writer that opens the directory removes it);
 *   2. read it back in full: row count and sum(hash(row)) must equal the source's;
 *   3. fsync, rename to part-00000-<uuid>-c000.snappy.parquet (unreferenced until 4;
 *      vacuum removes it if we die here);
 *   4. one OPTIMIZE commit: remove every old file, add the new one;
 *   5. views and manifest follow; the erasure is journaled (keys as salted hashes);
 *   6. the tombstones are cleared. Killed between 4 and 6 they stay, and hide rows that
 *      are already gone: harmless, and the next compaction clears them.
 * Old files are deleted by vacuum, never before the commit that removes them.
 *
 * The automatic compaction (auto_compact.c) runs the same steps with two differences:
 * steps 1-2 (the scans and the COPY, the long part) run on an engine connection of their
 * own without the lake's write lock, so that readers and writers go on meanwhile; the
 * lock is taken before (to read the snapshot and the tombstones) and for steps 3-6, which
 * first check that nothing the rewrite depends on changed: every file rewritten is still
 * live, the schema and the tombstones are the same, and, when tombstones are applied, no
 * commit came in between (an appended file could hold a tombstoned key, which clearing the
 * tombstones would bring back). Anything else gives up (LH_ECONFLICT, the temp files
 * removed) and is tried again at the next round. It may rewrite only some of the files
 * (the small ones) and writes files of a target size (DuckDB's FILE_SIZE_BYTES) into a
 * temp directory, each renamed to its data file name in step 3. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/manifest.h"
#include "catalog/tombstones.h"
#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "lake/auto_compact.h"
#include "lake/lake_int.h"
#include "lake/mutations.h"
#include "storage/storage.h"
#include "table/table.h"

typedef struct compaction {
    lh_lake *lake;
    const char *name;
    const lh_auto_compact_policy *plan; /* NULL: every file into one, under the lock throughout */
    lh_table_snapshot *snap;
    lh_table_snapshot sub;    /* snap restricted to the files rewritten (sub.files owned) */
    json_t *lines;            /* tombstone lines applied */
    lh_buf prefix, dir, raw, filtered, tmp, final_key;
    char **outs;              /* the written files: temp paths, then (committed) keys */
    int64_t *out_rows, *out_sizes;
    size_t nout, capouts, caprows, capsizes;
    int64_t rows_before, rows_after, bytes_before, bytes_after, version, files_after;
    char hash[64];
} compaction;

static void compaction_release(compaction *c)
{
    for (size_t i = 0; i < c->nout; i++) {
        /* a written file not yet renamed (renamed ones hold their key) */
        if (c->outs[i] && c->tmp.len && !strncmp(c->outs[i], c->tmp.data, c->tmp.len))
            lh_file_remove(c->outs[i], NULL);
        free(c->outs[i]);
    }
    if (c->tmp.len && c->plan && c->plan->target_file_bytes > 0)
        rmdir(c->tmp.data);
    else if (c->tmp.len)
        lh_file_remove(c->tmp.data, NULL);
    free(c->outs);
    free(c->out_rows);
    free(c->out_sizes);
    lh_buf *bufs[] = {&c->prefix, &c->dir, &c->raw, &c->filtered, &c->tmp, &c->final_key};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lh_buf_release(bufs[i]);
    json_decref(c->lines);
    free(c->sub.files);
    lh_table_snapshot_free(c->snap);
}

/* Our own query's first row: on the admin connection under the lock, on a connection of
 * its own in the background (engine.h). */
static lh_status own_row(compaction *c, const char *sql, json_t **row, lh_err *err)
{
    lh_engine *e = lh__lake_engine(c->lake);
    if (c->plan)
        return lh_engine_side_query(e, sql, row, err);
    return row ? lh_engine_query_row(e, sql, row, err) : lh_engine_exec(e, sql, err);
}

/* count(*) and the sum of every row's hash over the SELECT or table expression from. */
static lh_status count_and_hash(compaction *c, const char *from, int64_t *rows, char hash[64],
                                lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "SELECT CAST(count(*) AS VARCHAR), CAST(coalesce(sum(hash(__c)), 0) AS "
                  "VARCHAR) FROM %s AS __c", from);
    json_t *row = NULL;
    lh_status st = lh_buf_status(&sql);
    if (st)
        st = lh__lake_unbuilt(err, st, NULL, "the compaction's verifying query");
    else
        st = own_row(c, sql.data, &row, err);
    lh_buf_release(&sql);
    if (!st) {
        lh_parse_i64(json_string_value(json_array_get(row, 0)), rows);
        snprintf(hash, 64, "%s", json_string_value(json_array_get(row, 1)) ?: "");
    }
    json_decref(row);
    return st;
}

/* Records path (heap, taken) as written file c->nout. */
static lh_status push_out(compaction *c, char *path, lh_err *err)
{
    if (!path || lh_grow(&c->outs, &c->capouts, c->nout + 1, sizeof *c->outs) ||
        lh_grow(&c->out_rows, &c->caprows, c->nout + 1, sizeof *c->out_rows) ||
        lh_grow(&c->out_sizes, &c->capsizes, c->nout + 1, sizeof *c->out_sizes)) {
        free(path);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    c->outs[c->nout] = path;
    c->out_rows[c->nout] = c->out_sizes[c->nout] = 0;
    c->nout++;
    return LH_OK;
}

/* The files DuckDB wrote into the temp directory (names starting with prefix). */
static lh_status list_outputs(compaction *c, const char *prefix, lh_err *err)
{
    DIR *d = opendir(c->tmp.data);
    if (!d)
        return lh_fail(err, LH_EIO, "compaction of %s: the written files cannot be listed",
                       c->name);
    lh_status st = LH_OK;
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)))
            continue;
        lh_buf p;
        lh_buf_init(&p, PATH_MAX);
        lh_path_join(&p, c->tmp.data, e->d_name);
        st = lh_buf_status(&p) ? lh__lake_unbuilt(err, lh_buf_status(&p), c->name, "a written file's path")
                               : push_out(c, lh_strdup(p.data), err);
        lh_buf_release(&p);
    }
    closedir(d);
    if (!st && !c->nout)
        st = lh_fail(err, LH_EINTERNAL, "compaction of %s: no file was written", c->name);
    return st;
}

/* Steps 1-2: the new files, written and verified: together they hold exactly the rows of
 * c->filtered (count and hash); each is synced. c->outs names them (temp paths). */
static lh_status write_verified(compaction *c, lh_err *err)
{
    char id[37];
    lh_uuid4(id);
    lh_table_temp_path(c->dir.data, id, &c->tmp);
    bool split = c->plan && c->plan->target_file_bytes > 0;
    char pattern[64];
    snprintf(pattern, sizeof pattern, ".tmp-%s-", id);
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "COPY (%s) TO ", c->filtered.data);
    lh_buf_add_sql_string(&sql, lh_buf_cstr(&c->tmp));
    lh_buf_adds(&sql, " (FORMAT parquet, COMPRESSION snappy");
    /* A directory of files of about the target size, each named like a temp file so
     * that the start-up sweep removes them if we are killed. */
    if (split)
        lh_buf_printf(&sql, ", FILE_SIZE_BYTES %lld, FILENAME_PATTERN '%s{i}'",
                      (long long)c->plan->target_file_bytes, pattern);
    lh_buf_adds(&sql, ")");
    lh_status st = lh_buf_status(&c->tmp) ? lh_buf_status(&c->tmp) : lh_buf_status(&sql);
    if (st)
        st = lh__lake_unbuilt(err, st, c->name, "the statement that writes the compacted file");
    else
        st = own_row(c, sql.data, NULL, err);
    lh_fault_point("compact.writing");
    if (!st)
        st = split ? list_outputs(c, pattern, err) : push_out(c, lh_strdup(c->tmp.data), err);
    if (split && st && c->tmp.len && !c->nout) {
        lh_err ignored; /* so that release removes what was written */
        list_outputs(c, pattern, &ignored);
    }
    int64_t rows = -1;
    char hash[64] = "";
    if (!st) {
        lh_buf_reset(&sql);
        lh_buf_adds(&sql, "read_parquet([");
        for (size_t i = 0; i < c->nout; i++) {
            lh_buf_adds(&sql, i ? ", " : "");
            lh_buf_add_sql_string(&sql, c->outs[i]);
        }
        lh_buf_adds(&sql, "])");
        st = lh_buf_status(&sql);
        st = st ? lh__lake_unbuilt(err, st, c->name, "the compaction's verifying query")
                : count_and_hash(c, sql.data, &rows, hash, err);
    }
    if (!st && (rows != c->rows_after || strcmp(hash, c->hash)))
        st = lh_fail(err, LH_ECORRUPT, "compaction of %s: the written file does not match its "
                     "source (%lld rows, hash %s; expected %lld rows, hash %s); nothing committed",
                     c->name, (long long)rows, hash, (long long)c->rows_after, c->hash);
    for (size_t i = 0; !st && i < c->nout; i++) {
        json_t *row = NULL;
        lh_buf_reset(&sql);
        lh_buf_adds(&sql, "SELECT CAST(count(*) AS VARCHAR) FROM read_parquet(");
        lh_buf_add_sql_string(&sql, c->outs[i]);
        lh_buf_adds(&sql, ")");
        st = lh_buf_status(&sql);
        st = st ? lh__lake_unbuilt(err, st, c->name, "the compaction's verifying query")
                : own_row(c, sql.data, &row, err);
        if (!st)
            lh_parse_i64(json_string_value(json_array_get(row, 0)), &c->out_rows[i]);
        json_decref(row);
        if (!st)
            st = lh_file_stat(c->outs[i], &c->out_sizes[i], NULL, err);
        if (!st)
            st = lh_fsync_path(c->outs[i], err);
    }
    lh_buf_release(&sql);
    return st;
}

/* Step 3: each written file renamed to a data file name (unreferenced until step 4;
 * vacuum removes it if we die here); c->outs then holds the keys relative to the table. */
static lh_status place(compaction *c, lh_err *err)
{
    lh_status st = LH_OK;
    for (size_t i = 0; !st && i < c->nout; i++) {
        char id[37];
        lh_uuid4(id);
        lh_buf_reset(&c->final_key);
        lh_buf_printf(&c->final_key, "%s/", c->prefix.data);
        lh_table_data_file_name(id, &c->final_key);
        st = lh_buf_status(&c->final_key);
        st = st ? lh__lake_unbuilt(err, st, c->name, "the compacted file's key")
                : lh_store_put_file(lh_lake_store(c->lake), c->final_key.data, c->outs[i], err);
        char *rel = st ? NULL : lh_strdup(c->final_key.data + c->prefix.len + 1);
        if (!st && !rel)
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        if (!st) {
            free(c->outs[i]);
            c->outs[i] = rel; /* consumed by the rename: release leaves it */
        }
    }
    if (!st) {
        if (c->plan && c->plan->target_file_bytes > 0)
            rmdir(c->tmp.data);
        lh_buf_reset(&c->tmp);
    }
    return st;
}

/* Step 4: read_version is the latest version (the snapshot's, or a later one whose
 * changes auto_compact's recheck allowed). */
static lh_status commit(compaction *c, int64_t read_version, int64_t tombstones, lh_err *err)
{
    lh_store *s = lh_lake_store(c->lake);
    const char **removes = lh_calloc(c->sub.nfiles + 1, sizeof *removes);
    lh_table_add *adds = lh_calloc(c->nout + 1, sizeof *adds);
    char (*stats)[64] = lh_calloc(c->nout + 1, sizeof *stats);
    if (!removes || !adds || !stats) {
        free(removes);
        free(adds);
        free(stats);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < c->sub.nfiles; i++)
        removes[i] = c->sub.files[i].path;
    int64_t now = lh_now_ms();
    c->bytes_after = 0;
    for (size_t i = 0; i < c->nout; i++) {
        snprintf(stats[i], sizeof stats[i], "{\"numRecords\":%lld}", (long long)c->out_rows[i]);
        adds[i] = (lh_table_add){c->outs[i], c->out_sizes[i], now, stats[i]};
        c->bytes_after += c->out_sizes[i];
    }
    json_t *params = json_pack("{s:I, s:I, s:I, s:I, s:I}", "files_removed", (json_int_t)c->sub.nfiles,
                               "files_added", (json_int_t)c->nout,
                               "rows", (json_int_t)c->rows_after, "tombstones_applied",
                               (json_int_t)tombstones, "rows_dropped_by_tombstones",
                               (json_int_t)(c->rows_before - c->rows_after));
    if (c->plan)
        json_object_set_new(params, "auto", json_true());
    lh_table_commit_spec spec = {
        .table_id = c->snap->table_id,
        .adds = adds,
        .nadds = c->nout,
        .removes = removes,
        .nremoves = c->sub.nfiles,
        .operation = "OPTIMIZE",
        .operation_parameters = params,
    };
    lh_fault_point(c->plan ? "auto_compact.before_commit" : "compact.before_commit");
    lh_status st = lh_table_commit(s, c->prefix.data, read_version, &spec, &c->version, err);
    json_decref(params);
    free(removes);
    free(adds);
    free(stats);
    return st;
}

/* Distinct string values of field over the tombstone lines. */
static json_t *distinct(const json_t *lines, const char *field)
{
    json_t *seen = json_object(), *out = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l) {
        const char *v = json_string_value(json_object_get(l, field));
        if (v && !json_object_get(seen, v)) {
            json_object_set_new(seen, v, json_true());
            json_array_append_new(out, json_string(v));
        }
    }
    json_decref(seen);
    return out;
}

/* The erasure record of the tombstone lines for the compaction committed as version: the
 * salted hash of each key once into *hashes, and the journal events that carry them in
 * parts (lh__lake_hash_events) into *events. Caller owns both. */
static lh_status erasure_events(compaction *c, int64_t version, const char *actor,
                                json_t **hashes, json_t **events, lh_err *err)
{
    char salt[65];
    lh_status st = lh_tombstones_salt(lh_lake_store(c->lake), salt, err);
    if (st)
        return st;
    json_t *hs = json_array(), *seen = json_object();
    if (!hs || !seen)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    size_t i;
    json_t *l;
    json_array_foreach(st ? NULL : c->lines, i, l) {
        json_t *v = json_object_get(l, "row_key_value");
        char text[32], hash[65];
        if (json_is_integer(v))
            snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
        lh_tombstones_key_hash(salt, json_is_integer(v) ? text : json_string_value(v) ?: "", hash);
        if (!hash[0] || (!json_object_get(seen, hash) &&
            (json_object_set_new(seen, hash, json_true()) ||
             json_array_append_new(hs, json_string(hash))))) { /* "": no memory */
            st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
    }
    json_decref(seen);
    json_t *first = json_array_get(c->lines, 0);
    json_t *ev = st ? NULL : json_pack("{s:s, s:s, s:s, s:n, s:{s:O, s:I, s:I, s:I, s:o, s:o, s:O, s:s}, s:s, s:s}",
                   "entity", "dataset", "entity_id", c->name, "field", "erasure", "old_value",
                   "new_value", "row_key_column", json_object_get(first, "row_key_column"),
                   "keys", (json_int_t)json_array_size(hs),
                   "rows_erased", (json_int_t)(c->rows_before - c->rows_after), "version",
                   (json_int_t)version, "requested_by", distinct(c->lines, "actor"), "reasons",
                   distinct(c->lines, "reason"), "requested_at",
                   json_object_get(first, "deleted_at"), "key_hash",
                   lh_tombstones_key_hash_scheme(), "actor", actor,
                   "source", "compaction");
    if (!st && !ev)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh__lake_hash_events(ev, hs, events, err);
    json_decref(ev);
    if (st) {
        json_decref(hs);
        return st;
    }
    *hashes = hs;
    return LH_OK;
}

/* Step 5's journal records: the compaction, and the erasure when rows were deleted. */
static lh_status journal(compaction *c, bool committed, const char *actor, lh_err *err)
{
    lh_journal *j = lh_lake_journal(c->lake);
    lh_status st = LH_OK;
    json_t *ev = NULL;
    if (committed) {
        ev = json_pack("{s:s, s:s, s:s, s:n, s:{s:I, s:I, s:I, s:I}, s:s, s:s}", "entity",
                           "dataset", "entity_id", c->name, "field", "compaction", "old_value",
                           "new_value", "version", (json_int_t)c->version, "files_removed",
                           (json_int_t)c->sub.nfiles, "rows_before", (json_int_t)c->rows_before,
                           "rows_after", (json_int_t)c->rows_after, "actor", actor, "source",
                           "compaction");
        st = lh_journal_append(j, ev, true, err);
        json_decref(ev);
    }
    if (st || !json_array_size(c->lines))
        return st;
    json_t *hashes = NULL, *events = NULL;
    if ((st = erasure_events(c, c->version, actor, &hashes, &events, err)))
        return st;
    json_t *first = json_array_get(c->lines, 0);
    /* The erasure set first: once the tombstones go, it is what hides the rows at the
     * versions that still hold them (erasures.c). */
    const char *column = json_string_value(json_object_get(first, "row_key_column")) ?: "";
    if (committed) {
        st = lh__erasures_record(c->lake, c->name, column, hashes,
                                 c->rows_before - c->rows_after, c->version,
                                 (const char *const *)c->outs, c->nout, err);
    } else {
        const char **keep = lh_calloc(c->snap->nfiles + 1, sizeof *keep);
        for (size_t f = 0; keep && f < c->snap->nfiles; f++)
            keep[f] = c->snap->files[f].path;
        st = keep ? lh__erasures_record(c->lake, c->name, column, hashes, 0, c->version, keep,
                                        c->snap->nfiles, err)
                  : lh_fail(err, LH_ENOMEM, "out of memory");
        free(keep);
    }
    if (!st)
        st = lh_journal_append_many(j, events, true, NULL, err);
    json_decref(events);
    json_decref(hashes);
    return st;
}

/* What older files still hold, when vacuum removes them, and --erase-now. */
static lh_status erasure_report(compaction *c, const lh_compact_opts *opts, json_t *out,
                                lh_err *err)
{
    json_t *vac = NULL, *pending = NULL;
    lh_status st = LH_OK;
    if (opts && opts->erase_now)
        st = lh__lake_vacuum_locked(c->lake, c->name, 0, &vac, err);
    if (!st)
        st = lh__erasures_pending(c->lake, c->name, &pending, err);
    if (st) {
        json_decref(vac);
        return st;
    }
    double hours = opts && opts->retention_hours >= 0 ? opts->retention_hours : 168;
    json_int_t oldest = json_integer_value(json_object_get(pending, "oldest_erasure_ms"));
    json_t *e = json_pack("{s:O, s:O, s:f, s:b, s:I}", "erased_rows_in_old_files",
                          json_object_get(pending, "erased_rows_in_old_files"),
                          "old_files_with_erased_rows",
                          json_object_get(pending, "old_files_with_erased_rows"),
                          "retention_hours", hours, "erased_now", opts && opts->erase_now,
                          "files_vacuumed_now",
                          (json_int_t)json_integer_value(json_object_get(vac, "files_deleted")));
    if (json_integer_value(json_object_get(pending, "old_files_with_erased_rows"))) {
        char when[32];
        lh_format_time(oldest + (int64_t)(hours * 3600000.0), when);
        json_object_set_new(e, "vacuum_removes_them_after", json_string(when));
    } else {
        json_object_set_new(e, "vacuum_removes_them_after", json_null());
    }
    json_object_set_new(out, "erasure", e);
    json_decref(vac);
    json_decref(pending);
    return LH_OK;
}

/* The files a plan rewrites: with tombstones every one (they are cleared after); else
 * those under the small-file size, and those over twice the target (split). */
static lh_status select_files(compaction *c, bool all, lh_err *err)
{
    c->sub = *c->snap;
    c->sub.files = lh_calloc(c->snap->nfiles + 1, sizeof *c->sub.files);
    c->sub.nfiles = 0;
    if (!c->sub.files)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    const lh_auto_compact_policy *p = c->plan;
    for (size_t i = 0; i < c->snap->nfiles; i++) {
        int64_t z = c->snap->files[i].size;
        if (all || !p || z < p->small_file_bytes ||
            (p->target_file_bytes > 0 && z > 2 * p->target_file_bytes))
            c->sub.files[c->sub.nfiles++] = c->snap->files[i];
    }
    return LH_OK;
}

/* Under the lock: the snapshot, the tombstones, the files to rewrite and the queries. */
static lh_status prepare(compaction *c, lh_err *err)
{
    lh_lake *lake = c->lake;
    json_t *m = lh_catalog_get(lh_lake_catalog(lake), c->name);
    if (!m)
        return lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", c->name);
    lh_status st = lh__lake_snapshot(lake, c->name, -1, &c->snap, err);
    if (st == LH_ENOTFOUND)
        return lh_fail(err, LH_EINVAL, "dataset %s has no data to compact yet", c->name);
    if (st)
        return st;
    if (json_array_size(c->snap->partition_columns))
        return lh_fail(err, LH_EUNSUPPORTED, "dataset %s is partitioned; compaction of "
                       "partitioned tables is not supported", c->name);
    lh_catalog_table_prefix(c->name, &c->prefix);
    if ((st = lh_buf_status(&c->prefix)))
        return lh__lake_unbuilt(err, st, c->name, "the table's key");
    if ((st = lh__lake_table_dir(lake, c->name, &c->dir, err)))
        return st;
    if ((st = lh_tombstones_load(lh_lake_store(lake), c->name, &c->lines, err)))
        return st;
    int64_t ntomb = (int64_t)json_array_size(c->lines);
    if ((st = select_files(c, ntomb > 0, err)))
        return st;
    for (size_t i = 0; i < c->sub.nfiles; i++)
        c->bytes_before += c->sub.files[i].size;
    /* Tombstones that could not be mirrored when the directory was opened (out of memory,
     * say) would filter nothing: the rows would be kept and the tombstones cleared. Load
     * them now, or compact nothing. */
    char tcol[256], ttype[256];
    if (ntomb && !lh__tombs_column(lake, c->name, tcol, ttype, sizeof tcol) &&
        (st = lh__tombs_load(lake, c->name, err)))
        return st;
    if ((st = lh__lake_files_select(lake, c->name, &c->sub, &c->raw, err)))
        return st;
    lh_buf_adds(&c->filtered, c->raw.data);
    if ((st = lh_buf_status(&c->filtered)))
        return lh__lake_unbuilt(err, st, c->name, "the compaction's query");
    return lh__tombs_filter(lake, c->name, &c->filtered, err);
}

/* The counts and hashes of the source, then steps 1-2 (without the lock in the
 * background). *work: whether there is anything to rewrite. */
static lh_status scan_and_write(compaction *c, bool *work, lh_err *err)
{
    lh_buf from;
    lh_buf_init(&from, 0);
    lh_buf_printf(&from, "(%s)", c->raw.data);
    char raw_hash[64];
    lh_status st = lh_buf_status(&from);
    st = st ? lh__lake_unbuilt(err, st, c->name, "the compaction's query")
            : count_and_hash(c, from.data, &c->rows_before, raw_hash, err);
    lh_buf_reset(&from);
    lh_buf_printf(&from, "(%s)", c->filtered.data);
    if (!st && (st = lh_buf_status(&from)))
        st = lh__lake_unbuilt(err, st, c->name, "the compaction's query");
    if (!st)
        st = count_and_hash(c, from.data, &c->rows_after, c->hash, err);
    lh_buf_release(&from);
    if (st)
        return st;
    *work = c->rows_after != c->rows_before ||
            (c->plan ? c->sub.nfiles > 1 || (c->sub.nfiles == 1 && c->plan->target_file_bytes > 0 &&
                                              c->sub.files[0].size > 2 * c->plan->target_file_bytes)
                     : c->snap->nfiles > 1);
    return *work ? write_verified(c, err) : LH_OK;
}

/* Under the lock, for a rewrite done without it: what it rests on must not have changed
 * since prepare. *latest gets the version to commit on. */
static lh_status recheck(compaction *c, int64_t *latest, lh_err *err)
{
    lh_table_snapshot *now = NULL;
    json_t *lines = NULL;
    lh_status st = lh__lake_snapshot(c->lake, c->name, -1, &now, err);
    if (!st)
        st = lh_tombstones_load(lh_lake_store(c->lake), c->name, &lines, err);
    const char *why = NULL;
    if (st) {
        /* err set */
    } else if (strcmp(now->schema_string ?: "", c->snap->schema_string ?: "") ||
               strcmp(now->table_id ?: "", c->snap->table_id ?: "")) {
        why = "its schema changed";
    } else if (!json_equal(lines, c->lines) &&
               (json_array_size(lines) || json_array_size(c->lines))) {
        why = "its tombstones changed";
    } else if (json_array_size(c->lines) && now->version != c->snap->version) {
        why = "rows were written while tombstones were being applied";
    } else {
        /* both lists are sorted by path */
        size_t j = 0;
        for (size_t i = 0; i < c->sub.nfiles && !why; i++) {
            while (j < now->nfiles && strcmp(now->files[j].path, c->sub.files[i].path) < 0)
                j++;
            if (j == now->nfiles || strcmp(now->files[j].path, c->sub.files[i].path))
                why = "a file it rewrote was removed by another commit";
        }
    }
    if (why)
        st = lh_fail(err, LH_ECONFLICT, "compaction of %s: %s; nothing committed (tried again "
                     "later)", c->name, why);
    if (!st) {
        *latest = now->version;
        c->files_after = (int64_t)(now->nfiles - c->sub.nfiles + c->nout);
    }
    json_decref(lines);
    lh_table_snapshot_free(now);
    return st;
}

/* Steps 3-6 and the report. latest: the version committed on. */
static lh_status finish(compaction *c, bool work, int64_t latest, const char *actor,
                        const lh_compact_opts *opts, json_t **out, lh_err *err)
{
    lh_lake *lake = c->lake;
    lh_status st = LH_OK;
    int64_t ntomb = (int64_t)json_array_size(c->lines);
    c->version = latest;
    /* The erasure record is journaled after the commit: check now that it can be, so that
     * one that cannot refuses the compaction instead of failing after it (and again at
     * every retry, the tombstones never cleared). */
    if (ntomb) {
        json_t *hashes = NULL, *events = NULL;
        st = erasure_events(c, c->version + (work ? 1 : 0), actor, &hashes, &events, err);
        if (!st && (st = lh_journal_check(events, err)))
            st = lh_fail_wrap(err, st, "compaction of %s: nothing was compacted; the erasure "
                              "record of its %lld tombstones cannot be journaled", c->name,
                              (long long)ntomb);
        if (!st && (st = lh__erasures_check(lake, c->name, hashes, err)))
            st = lh_fail_wrap(err, st, "compaction of %s: nothing was compacted", c->name);
        json_decref(hashes);
        json_decref(events);
        if (st)
            return st;
    }
    if (work && !(st = place(c, err)) && !(st = commit(c, latest, ntomb, err))) {
        lh_fault_point(c->plan ? "auto_compact.after_commit" : "compact.after_commit");
        lh__lake_checkpoint(lake, c->name, c->version);
        json_t *m = lh_catalog_get(lh_lake_catalog(lake), c->name);
        json_t *cols = lh_table_schema_columns(c->snap->schema);
        json_t *nm = json_deep_copy(m);
        /* Rows and bytes of files committed since the snapshot are in the manifest already. */
        int64_t rows = json_integer_value(json_object_get(m, "row_count")) -
                       (c->rows_before - c->rows_after);
        int64_t bytes = json_integer_value(json_object_get(m, "size_bytes")) - c->bytes_before +
                        c->bytes_after;
        if (!c->plan) {
            rows = c->rows_after;
            bytes = c->bytes_after;
        }
        lh_manifest_set_table(nm, cols, rows, bytes, c->version, lh_now_ms());
        st = lh__lake_define_view(lake, c->name, err);
        if (!st)
            st = lh_catalog_put(lh_lake_catalog(lake), nm, err);
        json_decref(nm);
        json_decref(cols);
        if (!st)
            st = journal(c, true, actor, err);
    }
    if (!work) {
        /* Nothing to rewrite; tombstones left here by a compaction killed after its commit
         * still get their erasure record before they go. */
        c->bytes_after = c->bytes_before;
        if (ntomb)
            st = journal(c, false, actor, err);
    }
    json_t *vectors = NULL; /* the indexes lose the keys before the tombstones go */
    if (!st && ntomb)
        st = lh__lake_vectors_erase(lake, c->name, c->lines, actor, &vectors, err);
    if (!st && ntomb) {
        lh_fault_point("compact.before_clear_tombstones");
        lh__tombs_cache_remove(lake, c->name); /* first: a cache never outlives its file */
        st = lh_tombstones_clear(lh_lake_store(lake), c->name, err);
        if (!st)
            st = lh__tombs_forget(lake, c->name, err);
    }
    if (!c->plan || !work)
        c->files_after = work ? 1 : (int64_t)c->snap->nfiles;
    if (!st)
        *out = json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "dataset",
                         c->name, "compacted", work, "version", (json_int_t)c->version,
                         "files_before", (json_int_t)c->snap->nfiles, "files_after",
                         (json_int_t)c->files_after, "rows_before",
                         (json_int_t)c->rows_before, "rows_after", (json_int_t)c->rows_after,
                         "bytes_before", (json_int_t)c->bytes_before, "bytes_after",
                         (json_int_t)c->bytes_after, "tombstones_applied", (json_int_t)ntomb,
                         "rows_dropped_by_tombstones", (json_int_t)(c->rows_before - c->rows_after));
    if (!st && vectors)
        json_object_set(*out, "vectors", vectors);
    json_decref(vectors);
    if (!st && (st = erasure_report(c, opts, *out, err))) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

static void compaction_init(compaction *c, lh_lake *lake, const char *dataset,
                            const lh_auto_compact_policy *plan)
{
    *c = (compaction){.lake = lake, .name = dataset, .plan = plan};
    lh_buf *bufs[] = {&c->prefix, &c->dir, &c->raw, &c->filtered, &c->tmp, &c->final_key};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lh_buf_init(bufs[i], 0);
}

lh_status lh_lake_compact(lh_lake *lake, const char *dataset, const char *actor,
                          const lh_compact_opts *opts, json_t **out, lh_err *err)
{
    lh_assert(lh__lake_is_writer(lake));
    lh_status st = lh_catalog_check_name(dataset, err);
    if (st)
        return st;
    compaction c;
    compaction_init(&c, lake, dataset, NULL);
    bool work = false;
    lh__lake_lock(lake);
    st = prepare(&c, err);
    if (!st)
        st = scan_and_write(&c, &work, err);
    if (!st)
        st = finish(&c, work, c.snap->version, actor ? actor : "cli", opts, out, err);
    lh__lake_unlock(lake);
    compaction_release(&c);
    return st;
}

lh_status lh__lake_compact_background(lh_lake *lake, const char *dataset,
                                      const lh_auto_compact_policy *plan, bool hold_lock,
                                      json_t **out, lh_err *err)
{
    lh_assert(lh__lake_is_writer(lake) && plan);
    compaction c;
    compaction_init(&c, lake, dataset, plan);
    bool work = false;
    lh__lake_lock(lake);
    lh_status st = prepare(&c, err);
    if (!hold_lock)
        lh__lake_unlock(lake);
    if (!st)
        st = scan_and_write(&c, &work, err);
    lh_compact_opts opts = {.retention_hours = lake->retention_hours};
    int64_t latest = -1;
    *out = NULL;
    if (!st && (work || json_array_size(c.lines))) { /* else nothing to do: no commit */
        if (!hold_lock)
            lh__lake_lock(lake);
        st = recheck(&c, &latest, err);
        if (!st)
            st = finish(&c, work, latest, "auto-compaction", &opts, out, err);
        if (!hold_lock)
            lh__lake_unlock(lake);
    }
    if (hold_lock)
        lh__lake_unlock(lake);
    compaction_release(&c);
    return st;
}
