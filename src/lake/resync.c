/* resync.c: a dataset's manifest recomputed from its table: row count and size from the
 * live Parquet files' footers, columns from the table schema, PII re-detected over the
 * data. Opening a writer runs it for manifests behind their log (a crash between a commit
 * and its manifest update); `lakehouse resync` runs it on demand. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/manifest.h"
#include "core/fsio.h"
#include "core/util.h"
#include "engine/engine.h"
#include "ingest/ingest.h"
#include "lake/lake_int.h"
#include "storage/storage.h"
#include "table/table.h"

lh_status lh__lake_table_names(lh_lake *lake, json_t **names, lh_err *err)
{
    json_t *n = json_object();
    if (!n)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lh_status st = lh_table_list(lake->store, lh_catalog_tables_dir(), n, err);
    if (st)
        json_decref(n);
    else
        *names = n;
    return st;
}

/* True when both manifests flag the same PII on the same columns, at the same sensitivity. */
static bool pii_equal(const json_t *a, const json_t *b)
{
    json_t *ca = json_object_get(a, "columns"), *cb = json_object_get(b, "columns");
    if (json_array_size(ca) != json_array_size(cb) ||
        !json_equal(json_object_get(a, "sensitivity"), json_object_get(b, "sensitivity")))
        return false;
    const char *keys[] = {"pii", "pii_rules", "sensitivity"};
    for (size_t i = 0; i < json_array_size(ca); i++)
        for (size_t k = 0; k < 3; k++)
            if (!json_equal(json_object_get(json_array_get(ca, i), keys[k]),
                            json_object_get(json_array_get(cb, i), keys[k])))
                return false;
    return true;
}

/* Rows of the live files, from their Parquet footers, into *rows. */
static lh_status count_rows(lh_lake *lake, const char *name, const char *dir,
                            const lh_table_snapshot *snap, int64_t *rows, lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT CAST(coalesce(sum(num_rows), 0) AS VARCHAR) FROM parquet_file_metadata([");
    lh_status st = LH_OK;
    for (size_t i = 0; i < snap->nfiles && !st; i++) {
        lh_buf p;
        lh_buf_init(&p, PATH_MAX);
        if (lh_path_join(&p, dir, snap->files[i].path))
            st = lh__lake_unbuilt(err, lh_buf_status(&p), name, "a data file's path");
        if (i)
            lh_buf_addc(&sql, ',');
        lh_buf_add_sql_string(&sql, lh_buf_cstr(&p));
        lh_buf_release(&p);
    }
    lh_buf_adds(&sql, "])");
    if (!st && lh_buf_status(&sql))
        st = lh__lake_unbuilt(err, lh_buf_status(&sql), name, "the footer query");
    json_t *row = NULL;
    if (!st)
        st = lh_engine_query_row(lake->eng, sql.data, &row, err);
    if (!st)
        lh_parse_i64(json_string_value(json_array_get(row, 0)), rows);
    json_decref(row);
    lh_buf_release(&sql);
    return st;
}

/* The fields of old (a manifest) that disagree with what the files say, appended to
 * changed; "manifest" alone when there is none (in memory or on disk). */
static void compare(lh_lake *lake, const char *name, const json_t *old, const json_t *cols,
                    int64_t rows, int64_t bytes, int64_t version, json_t *changed)
{
    /* The file, not only the copy in memory: someone may have removed it under us. */
    if (!old || !lh_catalog_on_disk(lake->cat, name)) {
        json_array_append_new(changed, json_string("manifest"));
        return;
    }
    if (json_integer_value(json_object_get(old, "row_count")) != rows)
        json_array_append_new(changed, json_string("row_count"));
    if (json_integer_value(json_object_get(old, "size_bytes")) != bytes)
        json_array_append_new(changed, json_string("size_bytes"));
    if (json_integer_value(json_object_get(old, "table_version")) != version)
        json_array_append_new(changed, json_string("table_version"));
    json_t *oc = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(old, "columns"), i, f)
        json_array_append_new(oc, json_pack("{s:O, s:O}", "name", json_object_get(f, "name"),
                                            "type", json_object_get(f, "type")));
    if (!json_equal(oc, cols))
        json_array_append_new(changed, json_string("columns"));
    json_decref(oc);
}

/* PII re-detected over the live files into m (replacing its flags). */
static lh_status rescan_pii(lh_lake *lake, const char *dir, const lh_table_snapshot *snap,
                            json_t *m, lh_err *err)
{
    lh_buf sql, from;
    lh_buf_init(&sql, 0);
    lh_buf_init(&from, 0);
    lh_status st = lh_engine_snapshot_select(lake->eng, dir, snap, &sql, err);
    if (!st) {
        lh_buf_printf(&from, "(%s)", sql.data);
        st = lh_buf_status(&from);
        st = st ? lh__lake_unbuilt(err, st, NULL, "the PII scan's query")
                : lh_ingest_scan_pii(lake->eng, from.data, m, true, err);
    }
    lh_buf_release(&from);
    lh_buf_release(&sql);
    return st;
}

lh_status lh__lake_resync_one(lh_lake *lake, const char *name, json_t *report, lh_err *err)
{
    lh_table_snapshot *snap = NULL;
    lh_status st = lh__lake_snapshot(lake, name, -1, &snap, err);
    if (st)
        return st;
    lh_buf dir;
    lh_buf_init(&dir, PATH_MAX);
    st = lh__lake_table_dir(lake, name, &dir, err);
    int64_t rows = 0, bytes = 0;
    for (size_t i = 0; i < snap->nfiles; i++)
        bytes += snap->files[i].size;
    if (!st && snap->nfiles)
        st = count_rows(lake, name, dir.data, snap, &rows, err);
    json_t *cols = lh_table_schema_columns(snap->schema);
    json_t *old = lh_catalog_get(lake->cat, name);
    json_t *changed = json_array();
    if (!st)
        compare(lake, name, old, cols, rows, bytes, snap->version, changed);
    json_t *m = NULL;
    if (!st) {
        int64_t now = lh_now_ms();
        m = old ? json_deep_copy(old) : lh_manifest_new(name, now);
        lh_manifest_set_table(m, cols, rows, bytes, snap->version, now);
        /* PII re-detected over the live files; a difference is a change like any other */
        if (snap->nfiles)
            st = rescan_pii(lake, dir.data, snap, m, err);
        if (!st && old && !pii_equal(old, m))
            json_array_append_new(changed, json_string("pii"));
    }
    if (!st && json_array_size(changed) && lake->writer)
        st = lh_catalog_put(lake->cat, m, err);
    json_decref(m);
    if (!st && report)
        json_array_append_new(report, json_pack("{s:s, s:b, s:O, s:I, s:I, s:I}", "dataset", name,
                                                "changed", json_array_size(changed) > 0, "fields",
                                                changed, "row_count", (json_int_t)rows, "size_bytes",
                                                (json_int_t)bytes, "table_version",
                                                (json_int_t)snap->version));
    json_decref(changed);
    json_decref(cols);
    lh_buf_release(&dir);
    lh_table_snapshot_free(snap);
    return st;
}

/* Resyncs one dataset (name) or every table (NULL) into *report. */
static lh_status resync(lh_lake *lake, const char *name, json_t **report, lh_err *err)
{
    json_t *out = json_array();
    lh_status st = LH_OK;
    if (name) {
        st = lh_catalog_check_name(name, err);
        if (!st)
            st = lh__lake_resync_one(lake, name, out, err);
        if (st == LH_ENOTFOUND)
            st = lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
    } else {
        json_t *names = NULL;
        st = lh__lake_table_names(lake, &names, err);
        const char *n;
        json_t *v;
        json_object_foreach(st ? NULL : names, n, v) {
            if (st)
                break;
            if (!lh_catalog_check_name(n, NULL))
                st = lh__lake_resync_one(lake, n, out, err);
        }
        json_decref(names);
    }
    if (st) {
        json_decref(out);
        return st;
    }
    *report = out;
    return LH_OK;
}

lh_status lh_lake_resync(lh_lake *lake, const char *name, json_t **report, lh_err *err)
{
    pthread_mutex_lock(&lake->write_mu);
    lh_status st = resync(lake, name, report, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}
