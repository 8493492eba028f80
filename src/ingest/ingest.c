/* ingest.c: the ingest pipeline (see ingest.h for the steps and their guarantees). */
#include "ingest/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/manifest.h"
#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "ingest/ingest_int.h"
#include "table/table.h"

/* Everything one ingest holds; released in one place. */
typedef struct job {
    lh_store *store;
    lh_catalog *cat;
    lh_engine *eng;
    const lh__staged *src;
    const char *actor;
    lh_ingest_result *res;
    lh_buf prefix, staged, converted, tmp_parquet, final_key, source, projection;
    json_t *options, *columns;
    json_t *converted_lineage;  /* facts a converter found (PDF title, warnings, ...) */
    json_t *new_schema;         /* the schema an append commits (schema evolution), or NULL */
    lh_table_snapshot *snap;
    char job_id[37];
    int64_t file_size;
    bool committed;
} job;

lh_status lh__ingest_built(const lh_buf *b, const char *what, lh_err *err)
{
    lh_status st = lh_buf_status(b);
    if (st == LH_ETOOBIG)
        return lh_fail(err, st, "%s is too long (over %zu bytes)", what, b->max);
    if (st)
        return lh_fail(err, st, "out of memory building %s", what);
    return LH_OK;
}

static void job_release(job *j)
{
    /* Each was checked when built; one that failed is empty (len 0) and names nothing. */
    if (j->staged.len)
        lh_file_remove(lh_buf_cstr(&j->staged), NULL);
    if (j->converted.len)
        lh_file_remove(lh_buf_cstr(&j->converted), NULL);
    if (j->tmp_parquet.len)
        lh_file_remove(lh_buf_cstr(&j->tmp_parquet), NULL);
    if (j->final_key.len && !j->committed)
        lh_store_delete(j->store, lh_buf_cstr(&j->final_key), NULL); /* never referenced: safe to drop */
    if (!j->committed && !j->snap && j->prefix.len) {
        /* A failed first ingest leaves no empty table directory behind (rmdir removes
         * only an empty one: another writer's files stay). */
        lh_buf dir;
        lh_buf_init(&dir, PATH_MAX);
        if (!lh_store_local_path(j->store, lh_buf_cstr(&j->prefix), &dir, NULL))
            rmdir(dir.data); /* lh_store_local_path checked what it built */
        lh_buf_release(&dir);
    }
    lh_buf *bufs[] = {&j->prefix, &j->staged, &j->converted, &j->tmp_parquet, &j->final_key,
                      &j->source, &j->projection};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lh_buf_release(bufs[i]);
    json_decref(j->options);
    json_decref(j->columns);
    json_decref(j->converted_lineage);
    json_decref(j->new_schema);
    lh_table_snapshot_free(j->snap);
}

/* True when arr (objects with a "name") holds name, compared case-insensitively as Delta
 * compares column names. */
static bool has_named(const json_t *arr, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (!strcasecmp(json_string_value(json_object_get(v, "name")) ?: "", name))
            return true;
    return false;
}

/* True when a commit of this table already carried these exact bytes: one still in the
 * log, or one its log cleanup deleted (the hashes it kept, catalog.h). */
static lh_status already_ingested(job *j, const char *dataset, bool *found, lh_err *err)
{
    *found = false;
    lh_buf key, text;
    lh_buf_init(&key, 1024);
    lh_buf_init(&text, LH_BUF_DEFAULT_MAX);
    lh_catalog_ingested_key(dataset, &key);
    lh_status st = lh_buf_status(&key) ? lh_fail(err, LH_EINVAL, "dataset name too long")
                                       : lh_store_get(j->store, key.data, LH_BUF_DEFAULT_MAX, &text, err);
    int64_t from = 0; /* the commits from here on are read */
    if (st == LH_ENOTFOUND) {
        st = LH_OK;
    } else if (!st) {
        json_t *rec = lh_json_loadb(text.data, text.len, 0, NULL);
        json_t *hashes = json_object_get(rec, "content_sha256");
        if (!json_is_array(hashes))
            st = lh_fail(err, LH_ECORRUPT, "dataset %s: the record of its ingested files is "
                         "damaged", dataset);
        size_t i;
        json_t *h;
        json_array_foreach(hashes, i, h)
            if (!strcmp(json_string_value(h) ?: "", j->res->sha256))
                *found = true;
        /* It holds every hash up to through_version of this table (the checkpoints keep it,
         * lake/log_cleanup.c): only the commits after it are read, not the whole history.
         * A record of another table of the same name (dropped, made again) says nothing
         * of this one's commits. */
        json_t *through = json_object_get(rec, "through_version");
        const char *tid = json_string_value(json_object_get(rec, "table_id"));
        if (json_is_integer(through) && tid && j->snap->table_id && !strcmp(tid, j->snap->table_id) &&
            json_integer_value(through) <= j->snap->version)
            from = json_integer_value(through) + 1;
        json_decref(rec);
    }
    lh_buf_release(&key);
    lh_buf_release(&text);
    if (st || *found)
        return st;
    json_t *hist = NULL;
    st = lh_table_history_from(j->store, j->prefix.data, from, &hist, err);
    if (st)
        return st;
    size_t i;
    json_t *h;
    json_array_foreach(hist, i, h) {
        const char *sha = json_string_value(
            json_object_get(json_object_get(h, "operationParameters"), "content_sha256"));
        if (sha && !strcmp(sha, j->res->sha256)) {
            *found = true;
            break;
        }
    }
    json_decref(hist);
    return LH_OK;
}

/* Columns of the SELECT that writes the file: [{"name","type"}]. */
static lh_status describe_projection(job *j, lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "SELECT column_name, column_type FROM (DESCRIBE SELECT %s FROM %s)",
                  j->projection.data, j->source.data);
    json_t *rows = NULL;
    lh_status st = lh__ingest_built(&sql, "the SQL describing the file", err);
    if (st) {
        lh_buf_release(&sql);
        return st;
    }
    st = lh_engine_query_rows(j->eng, sql.data, 100000, &rows, err);
    lh_buf_release(&sql);
    if (st) {
        lh__ingest_short_error(err);
        return lh_fail_wrap(err, LH_EINVAL, "cannot read the file");
    }
    j->columns = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        json_array_append_new(j->columns, json_pack("{s:O, s:O}", "name", json_array_get(r, 0),
                                                    "type", json_array_get(r, 1)));
    json_decref(rows);
    return LH_OK;
}

/* Compares the file's columns with the dataset's (schema_diff.c): safe changes give the
 * schema to commit, casts and renames rewrite the projection; unsafe ones are refused
 * unless allowed. With src->preview the diff is handed over instead. */
static lh_status evolve_schema(job *j, lh_err *err)
{
    lh_buf dir, file_sql, proj;
    lh_buf_init(&dir, PATH_MAX);
    lh_buf_init(&file_sql, 0);
    lh_buf_init(&proj, 0);
    json_t *diff = NULL;
    lh_status st = lh_store_local_path(j->store, j->prefix.data, &dir, err);
    if (!st) {
        lh_buf_printf(&file_sql, "SELECT %s FROM %s", j->projection.data, j->source.data);
        st = lh__ingest_built(&file_sql, "the SQL reading the file", err);
    }
    if (!st)
        st = lh__schema_diff(j->eng, dir.data, j->snap, j->res->dataset, j->columns, file_sql.data,
                             &diff, err);
    if (!st && j->src->preview) {
        json_object_set_new(diff, "format", json_string(j->res->format));
        *j->src->preview = diff;
        diff = NULL;
    } else if (!st) {
        st = lh__schema_plan(j->snap->schema, j->columns, diff, j->src->allow_schema_change,
                             &j->new_schema, &proj, err);
    }
    if (!st && proj.len) {
        /* Casts and renames: the written columns are a projection of the projection. The
         * built (and checked) strings move into the job: nothing is copied. */
        lh_buf_reset(&file_sql);
        lh_buf_printf(&file_sql, "(SELECT %s FROM %s)", j->projection.data, j->source.data);
        st = lh__ingest_built(&file_sql, "the SQL reading the file", err);
    }
    if (!st && proj.len) {
        lh_buf_release(&j->source);
        j->source = file_sql;
        lh_buf_init(&file_sql, 0);
        lh_buf_release(&j->projection);
        j->projection = proj; /* lh__schema_plan checked it */
        lh_buf_init(&proj, 0);
        json_decref(j->columns);
        j->columns = NULL;
        if (!st)
            st = describe_projection(j, err);
    }
    if (!st && diff && (json_array_size(json_object_get(diff, "rules")))) {
        json_decref(j->res->schema_changes);
        j->res->schema_changes = json_incref(json_object_get(diff, "rules"));
    }
    json_decref(diff);
    lh_buf_release(&dir);
    lh_buf_release(&file_sql);
    lh_buf_release(&proj);
    return st;
}

static lh_status write_parquet(job *j, int64_t *rows, char **stats, lh_err *err)
{
    char id[37];
    lh_uuid4(id);
    lh_buf dir;
    lh_buf_init(&dir, PATH_MAX);
    lh_status st = lh_store_local_path(j->store, j->prefix.data, &dir, err);
    if (!st)
        st = lh_mkdirs(dir.data, err);
    if (!st) {
        lh_buf_printf(&j->tmp_parquet, "%s/.tmp-%s.parquet", dir.data, id);
        st = lh__ingest_built(&j->tmp_parquet, "the Parquet file's path", err);
    }
    lh_buf_release(&dir);
    if (st)
        return st;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "COPY (SELECT %s FROM %s) TO ", j->projection.data, j->source.data);
    lh_buf_add_sql_string(&sql, j->tmp_parquet.data);
    lh_buf_adds(&sql, " (FORMAT parquet, COMPRESSION snappy)");
    st = lh__ingest_built(&sql, "the SQL writing the Parquet file", err);
    if (st) {
        lh_buf_release(&sql);
        return st;
    }
    json_t *row = NULL;
    st = lh_engine_query_row(j->eng, sql.data, &row, err);
    lh_buf_release(&sql);
    if (st) {
        lh__ingest_short_error(err);
        return lh_fail_wrap(err, LH_EINVAL, "cannot read the file");
    }
    int64_t copied = -1;
    lh_parse_i64(json_string_value(json_array_get(row, 0)), &copied);
    json_decref(row);
    lh_fault_point("ingest.after_parquet");
    st = lh__ingest_file_stats(j->eng, j->tmp_parquet.data, j->columns, rows, stats, err);
    if (!st && *rows != copied)
        st = lh_fail(err, LH_ECORRUPT, "wrote %lld rows but read back %lld", (long long)copied,
                     (long long)*rows);
    if (!st)
        st = lh_fsync_path(j->tmp_parquet.data, err);
    if (!st) {
        lh_buf_printf(&j->final_key, "%s/part-00000-%s-c000.snappy.parquet", j->prefix.data, id);
        st = lh__ingest_built(&j->final_key, "the data file's key", err);
    }
    if (!st) {
        st = lh_store_put_file(j->store, j->final_key.data, j->tmp_parquet.data, err);
        if (!st)
            lh_buf_reset(&j->tmp_parquet); /* consumed by the rename */
        else
            lh_buf_reset(&j->final_key);
    }
    return st;
}

static lh_status commit(job *j, int64_t rows, const char *stats, lh_err *err)
{
    lh_object_info info;
    lh_status st = lh_store_head(j->store, j->final_key.data, &info, err);
    if (st)
        return st;
    j->file_size = info.size;
    json_t *schema = j->new_schema ? json_incref(j->new_schema) : NULL;
    if (!j->snap) {
        size_t n = json_array_size(j->columns);
        const char **names = lh_calloc(n, sizeof *names), **types = lh_calloc(n, sizeof *types);
        bool *nullable = lh_calloc(n, sizeof *nullable);
        for (size_t i = 0; names && types && nullable && i < n; i++) {
            json_t *c = json_array_get(j->columns, i);
            names[i] = json_string_value(json_object_get(c, "name"));
            types[i] = json_string_value(json_object_get(c, "type"));
            nullable[i] = true;
        }
        st = names && types && nullable
                 ? lh_table_schema_from_duckdb(names, types, nullable, n, &schema, err)
                 : lh_fail(err, LH_ENOMEM, "out of memory");
        free(names);
        free(types);
        free(nullable);
        if (st)
            return st;
    }
    const char *rel = j->final_key.data + j->prefix.len + 1;
    lh_table_add add = {rel, info.size, info.mtime_ms, stats};
    const char *uri = j->src->source_uri;
    const char *base = strrchr(uri, '/');
    json_t *params = json_pack("{s:s, s:s, s:s, s:I}", "mode", "Append", "content_sha256",
                               j->res->sha256, "source", base && base[1] ? base + 1 : uri,
                               "rows", (json_int_t)rows);
    lh_table_commit_spec spec = {
        .schema = schema,
        .table_id = j->snap ? j->snap->table_id : NULL,
        .adds = &add,
        .nadds = 1,
        .operation = j->snap ? "WRITE" : "CREATE TABLE",
        .operation_parameters = params,
    };
    lh_fault_point("ingest.before_commit");
    j->res->version = -1;
    st = lh_table_commit(j->store, j->prefix.data, j->snap ? j->snap->version : -1, &spec,
                         &j->res->version, err);
    json_decref(params);
    json_decref(schema);
    if (!st) {
        j->committed = true;
        lh_fault_point("ingest.after_commit");
    } else if (j->res->version >= 0) {
        j->committed = true; /* in the log already: its data file must stay (table.h) */
    }
    return st;
}

/* PII flags from the new file's values, added to the manifest's (ingest_int.h). A failed
 * scan leaves the flags as they were: the data is committed, resync can redo it. */
static void scan_pii(job *j, int64_t rows, json_t *m)
{
    lh_buf path, from;
    lh_buf_init(&path, PATH_MAX);
    lh_buf_init(&from, 0);
    lh_err perr;
    lh_path_join(&path, lh_store_root(j->store), j->final_key.data);
    lh_status st = lh__ingest_built(&path, "the data file's path", &perr);
    if (!st) {
        lh_buf_adds(&from, "read_parquet(");
        lh_buf_add_sql_string(&from, path.data);
        lh_buf_adds(&from, ")");
        st = lh__ingest_built(&from, "the PII scan's SQL", &perr);
    }
    if (!st)
        st = lh__ingest_scan_pii_file(j->eng, from.data, j->columns, rows, m, &perr);
    if (st)
        lh_log(LH_LOG_WARN, "%s: %s", j->res->dataset, perr.msg);
    lh_buf_release(&path);
    lh_buf_release(&from);
}

static lh_status update_manifest(job *j, int64_t rows, lh_err *err)
{
    int64_t now = lh_now_ms();
    json_t *old = lh_catalog_get(j->cat, j->res->dataset);
    json_t *m = old ? json_deep_copy(old) : lh_manifest_new(j->res->dataset, now);
    int64_t prev_rows = old ? json_integer_value(json_object_get(old, "row_count")) : 0;
    int64_t prev_bytes = old ? json_integer_value(json_object_get(old, "size_bytes")) : 0;
    /* The dataset's columns after this commit (old ones, maybe widened, plus new ones). */
    json_t *cols = j->snap ? lh_table_schema_columns(j->new_schema ? j->new_schema
                                                                   : j->snap->schema)
                           : json_array();
    size_t i;
    json_t *c;
    if (!j->snap) {
        json_array_extend(cols, j->columns); /* a new dataset: the file's columns, unique */
    } else {
        json_array_foreach(j->columns, i, c)
            if (!has_named(cols, json_string_value(json_object_get(c, "name"))))
                json_array_append(cols, c);
    }
    lh_manifest_set_table(m, cols, prev_rows + rows, prev_bytes + j->file_size, j->res->version, now);
    scan_pii(j, rows, m);
    char ts[32];
    lh_format_time(now, ts);
    json_t *lineage = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:s}", "source_system",
                                j->src->source_system, "source_uri", j->src->source_uri,
                                "ingest_job", j->job_id, "content_sha256", j->res->sha256,
                                "ingested_at", ts, "actor", j->actor ? j->actor : "cli",
                                "parse_options", j->options, "format", j->res->format);
    if (j->src->lineage)
        json_object_update(lineage, j->src->lineage);
    json_object_update(lineage, j->converted_lineage);
    lh_manifest_set_lineage(m, lineage, now);
    json_decref(lineage);
    lh_status st = lh_catalog_put(j->cat, m, err);
    json_decref(m);
    json_decref(j->res->columns);
    j->res->columns = cols;
    return st;
}

/* The dataset's columns as the manifest lists them, for a no-op result. */
static json_t *manifest_columns(const json_t *m)
{
    json_t *cols = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(m, "columns"), i, c)
        json_array_append_new(cols, json_pack("{s:O, s:O}", "name", json_object_get(c, "name"),
                                              "type", json_object_get(c, "type")));
    return cols;
}

/* Runs a converter (text, SMS, PDF, ...) over the staged original: it writes NDJSON rows
 * next to it, and DuckDB reads them with the converter's exact column types. */
static lh_status convert(job *j, lh_err *err)
{
    lh_buf_printf(&j->converted, "%s.ndjson", j->staged.data);
    lh_status st = lh__ingest_built(&j->converted, "the converted file's path", err);
    if (st)
        return st;
    json_t *cols = json_array(), *extra = json_object();
    const char *base = strrchr(j->src->source_uri, '/');
    if (!cols || !extra)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    else
        st = j->src->convert(j->staged.data, base ? base + 1 : j->src->source_uri,
                             j->converted.data, cols, extra, err);
    if (!st && !json_array_size(cols))
        st = lh_fail(err, LH_EINTERNAL, "converter declared no columns");
    if (!st) {
        lh_buf_adds(&j->source, "read_json(");
        lh_buf_add_sql_string(&j->source, j->converted.data);
        lh_buf_adds(&j->source, ", format='newline_delimited', columns={");
        size_t i;
        json_t *c;
        json_array_foreach(cols, i, c) {
            if (i)
                lh_buf_adds(&j->source, ", ");
            lh_buf_add_sql_string(&j->source, json_string_value(json_object_get(c, "name")));
            lh_buf_adds(&j->source, ": ");
            lh_buf_add_sql_string(&j->source, json_string_value(json_object_get(c, "type")));
        }
        lh_buf_adds(&j->source, "})");
        st = lh__ingest_built(&j->source, "the SQL reading the converted file", err);
        json_object_update(j->converted_lineage, extra);
    }
    json_decref(cols);
    json_decref(extra);
    return st;
}

lh_status lh__ingest_staged(lh_store *store, lh_catalog *cat, lh_engine *eng, const char *dataset,
                            const lh__staged *src, const char *actor, lh_ingest_result *res,
                            lh_err *err)
{
    job j = {.store = store, .cat = cat, .eng = eng, .src = src, .actor = actor, .res = res};
    lh_buf *bufs[] = {&j.prefix, &j.staged, &j.converted, &j.tmp_parquet, &j.final_key, &j.source,
                      &j.projection};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lh_buf_init(bufs[i], 0);
    j.options = json_object();
    j.converted_lineage = json_object();
    lh_uuid4(j.job_id);
    lh_buf_adds(&j.staged, src->path); /* removed with the job, whatever happens */
    snprintf(res->dataset, sizeof res->dataset, "%s", dataset);
    snprintf(res->sha256, sizeof res->sha256, "%s", src->sha256);
    snprintf(res->format, sizeof res->format, "%s", src->format);
    lh_catalog_table_prefix(dataset, &j.prefix);

    int64_t latest = -1;
    lh_status st = lh__ingest_built(&j.staged, "the staged file's path", err);
    if (!st)
        st = lh__ingest_built(&j.prefix, "the table's prefix", err);
    if (!st)
        st = lh_table_latest_version(store, j.prefix.data, &latest, err);
    if (st == LH_ENOTFOUND) {
        st = LH_OK;
        latest = -1;
    }
    if (!st && latest >= 0) {
        lh_checkpoint_reader cp = lh_engine_checkpoint_reader(eng);
        st = lh_table_snapshot_load(store, j.prefix.data, latest, &cp, &j.snap, err);
    }
    res->created = !st && latest < 0;
    /* Reading the source's shape first lets a pending hash finish meanwhile. */
    if (!st && src->source_sql) {
        lh_buf_adds(&j.source, src->source_sql);
        st = lh__ingest_built(&j.source, "the SQL reading the file", err);
    } else if (!st) {
        st = src->convert ? convert(&j, err)
                          : lh__ingest_source_sql(eng, src->read_as, j.staged.data, src->csv,
                                                  &j.source, j.options, err);
    }
    /* What staging did to the bytes, for lineage (the parse options). */
    if (!st && src->encoding)
        json_object_set_new(j.options, "encoding", json_string(src->encoding));
    if (!st && src->compression)
        json_object_set_new(j.options, "compression", json_string(src->compression));
    if (!st)
        st = lh__ingest_projection(eng, j.source.data, &j.projection, res->renames, &j.columns,
                                   err);
    /* The projection's own types save a DESCRIBE over the whole width; a flattened
     * struct's fields are described by DuckDB. */
    if (!st && !j.columns)
        st = describe_projection(&j, err);
    if (!st && src->preview) {
        st = j.snap ? evolve_schema(&j, err)
                    : lh_fail(err, LH_ENOTFOUND, "dataset '%s' does not exist", dataset);
        job_release(&j);
        return st;
    }
    if (!st && src->await_sha)
        st = src->await_sha(src->await_ctx, res->sha256, err);
    bool dup = false;
    if (!st && j.snap)
        st = already_ingested(&j, dataset, &dup, err);
    if (!st && dup) {
        res->deduplicated = true;
        res->version = latest;
        json_decref(res->columns);
        res->columns = manifest_columns(lh_catalog_get(cat, dataset));
        job_release(&j);
        return LH_OK;
    }
    if (!st && j.snap)
        st = evolve_schema(&j, err);
    int64_t rows = 0;
    char *stats = NULL;
    if (!st)
        st = write_parquet(&j, &rows, &stats, err);
    if (!st)
        st = commit(&j, rows, stats, err);
    free(stats);
    if (!st) {
        res->rows_added = rows;
        st = update_manifest(&j, rows, err);
    }
    job_release(&j);
    return st;
}

/* Engine messages quote the staged copy's path ("Malformed JSON in file /data/_staging/
 * <uuid>.json"): callers, HTTP clients among them, see the name they gave instead. */
static void hide_path(lh_err *err, const char *path, const char *shown)
{
    const char *base = strrchr(shown, '/');
    base = base && base[1] ? base + 1 : shown;
    size_t n = strlen(path);
    char *hit;
    /* Every occurrence (DuckDB may quote the file twice). */
    for (int k = 0; k < 8 && err && n && (hit = strstr(err->msg, path)); k++) {
        lh_buf out;
        lh_buf_init(&out, sizeof err->msg * 2);
        lh_buf_add(&out, err->msg, (size_t)(hit - err->msg));
        lh_buf_adds(&out, base);
        lh_buf_adds(&out, hit + n);
        bool built = !lh_buf_status(&out); /* else the message stays as it is */
        if (built)
            lh_strlcpy(err->msg, out.data, sizeof err->msg);
        lh_buf_release(&out);
        if (!built)
            break;
    }
}

/* The name without a compression suffix: x.csv.gz -> x.csv (the format and the dataset
 * name come from what is inside). */
static void strip_compression(const char *shown, char *out, size_t cap)
{
    snprintf(out, cap, "%s", shown);
    char *dot = strrchr(out, '.');
    static const char *exts[] = {"gz", "gzip", "zst", "zstd", "bz2", "xz"};
    for (size_t i = 0; dot && dot != out && dot[-1] != '/' && i < sizeof exts / sizeof exts[0]; i++)
        if (!strcasecmp(dot + 1, exts[i])) {
            *dot = '\0';
            return;
        }
}

/* The first bytes of a regular file; false when it is not one or cannot be read (format
 * detection then says why). */
static bool peek(const char *path, unsigned char *head, size_t cap, size_t *n)
{
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat sb;
    if (fd < 0)
        return false;
    bool ok = !fstat(fd, &sb) && S_ISREG(sb.st_mode);
    ssize_t k = ok ? read(fd, head, cap) : -1;
    close(fd);
    if (k <= 0)
        return false;
    *n = (size_t)k;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

/* lh_ingest_file, or with preview non-NULL lh_ingest_schema_diff. */
static lh_status ingest_file(lh_store *store, lh_catalog *cat, lh_engine *eng,
                             const lh_ingest_request *req, json_t **preview,
                             lh_ingest_result *res, lh_err *err)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    res->renames = json_array();
    char format[16], dataset[64], id[37], plain[PATH_MAX];
    lh_uuid4(id);
    lh_buf staged;
    lh_buf_init(&staged, PATH_MAX);
    const char *shown = req->filename ? req->filename : req->path;
    strip_compression(shown, plain, sizeof plain);
    /* Staging converts (one pass: hash, decompress, decode to UTF-8) when the first bytes
     * ask for it; else it hard-links and a helper thread hashes and validates. */
    static __thread unsigned char head[65536];
    size_t hn = 0, bom = 0;
    bool regular = peek(req->path, head, sizeof head, &hn);
    const char *zkind = regular ? lh__ingest_compression(head, hn) : NULL;
    const char *enc = hn ? lh__ingest_sniff_encoding(head, hn, hn < sizeof head, &bom) : "utf-8";
    bool utf16 = !strncmp(enc, "utf-16", 6);
    const char *rq = req->format;
    bool binary = (rq && (!strcmp(rq, "pdf") || !strcmp(rq, "sms"))) ||
                  (!rq && (ends_with(plain, ".pdf") || ends_with(plain, ".xml")));
    bool transform = regular && (zkind || (!binary && (utf16 || req->encoding)));
    lh_status st = LH_OK;
    if (!transform) {
        st = lh__ingest_detect_format(req->path, shown, req->format, format, err);
        bool convertible = !st && strcmp(format, "pdf") && strcmp(format, "sms");
        if (convertible && !strcmp(enc, "binary"))
            st = lh_fail(err, LH_EINVAL, "%s holds binary data (control characters), not text", shown);
        transform = !st && convertible && (strcmp(enc, "utf-8") || bom);
    }
    if (!st)
        st = req->name ? lh_catalog_check_name(req->name, err)
                       : lh_catalog_name_from_path(plain, dataset, sizeof dataset, err);
    if (!st && req->name)
        snprintf(dataset, sizeof dataset, "%s", req->name);
    if (!st) {
        lh_buf dir;
        lh_buf_init(&dir, PATH_MAX);
        lh_path_join(&dir, lh_store_root(store), "_staging");
        st = lh__ingest_built(&dir, "the staging directory's path", err);
        if (!st)
            st = lh_mkdirs(dir.data, err);
        if (!st) {
            lh_buf_printf(&staged, "%s/%s.%s", dir.data, id, transform ? "decoded" : format);
            st = lh__ingest_built(&staged, "the staged file's path", err);
        }
        lh_buf_release(&dir);
    }
    lh__staged src = {.path = lh_buf_cstr(&staged), .format = format, .read_as = format,
                      .source_system = "file", .source_uri = req->source_uri ? req->source_uri : shown,
                      .allow_schema_change = req->allow_schema_change, .preview = preview,
                      .csv = &req->csv};
    int64_t size = 0;
    lh__hash_job *hash = NULL;
    lh__decode_info info = {0};
    if (!st && transform) {
        lh__decode_opts o = {.decompress = true, .encode = !binary, .text = !binary,
                             .encoding = req->encoding};
        int in = open(req->path, O_RDONLY | O_CLOEXEC);
        int out = in < 0 ? -1 : open(staged.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (in < 0 || out < 0)
            st = lh_fail(err, LH_EIO, "cannot stage %s: %s", plain, strerror(errno));
        else
            st = lh__ingest_decode(in, out, &o, src.sha256, &info, err);
        if (in >= 0)
            close(in);
        if (out >= 0)
            close(out);
        if (!st)
            st = lh__ingest_detect_format(staged.data, plain, req->format, format, err);
        if (!st && info.encoding[0] && (!strcmp(format, "pdf") || !strcmp(format, "sms")) &&
            (strcmp(info.encoding, "utf-8") || info.bom))
            st = lh_fail(err, LH_EINVAL, "%s is %s: --encoding applies to CSV, JSON and text only",
                         plain, !strcmp(format, "pdf") ? "a PDF" : "XML");
        if (!st) {
            src.encoding = info.encoding[0] ? info.encoding : NULL;
            src.compression = info.compression[0] ? info.compression : NULL;
            src.convert = lh__ingest_converter(format);
            st = lh__ingest_staged(store, cat, eng, dataset, &src, req->actor, res, err);
        } else if (staged.len) {
            lh_file_remove(staged.data, NULL);
        }
    } else if (!st) {
        st = lh__ingest_stage_copy(req->path, staged.data, NULL, &size, err);
        bool text = strcmp(format, "pdf") != 0;
        if (!st)
            st = lh__hash_start(staged.data, text, text && strcmp(format, "sms"), &hash, err);
        if (!st) {
            src.encoding = text && strcmp(format, "sms") ? "utf-8" : NULL;
            src.convert = lh__ingest_converter(format);
            src.await_sha = lh__hash_wait;
            src.await_ctx = hash;
            st = lh__ingest_staged(store, cat, eng, dataset, &src, req->actor, res, err);
            /* A text file with a NUL byte or a byte that is not UTF-8 may fail in the reader
             * before the hash is awaited: the hashing pass's finding is the clearer reason. */
            char sha[65];
            lh_err herr;
            if (st && st != LH_ENOMEM && lh__hash_wait(hash, sha, &herr) == LH_EINVAL)
                st = lh_fail(err, LH_EINVAL, "%s", herr.msg);
        } else if (staged.len) {
            lh_file_remove(staged.data, NULL);
        }
    }
    lh__hash_free(hash); /* joins the thread first: it may still read the staged file */
    if (st && staged.len)
        hide_path(err, staged.data, shown);
    lh_buf_release(&staged);
    if (st && st != LH_ENOMEM)
        lh_fail_wrap(err, st, "%s %s", preview ? "compare" : "ingest", shown);
    return st;
}

lh_status lh_ingest_file(lh_store *store, lh_catalog *cat, lh_engine *eng,
                         const lh_ingest_request *req, lh_ingest_result *res, lh_err *err)
{
    return ingest_file(store, cat, eng, req, NULL, res, err);
}

lh_status lh_ingest_schema_diff(lh_store *store, lh_catalog *cat, lh_engine *eng,
                                const lh_ingest_request *req, json_t **diff, lh_err *err)
{
    *diff = NULL;
    if (!req->name)
        return lh_fail(err, LH_EINVAL, "a schema diff needs the dataset's name");
    lh_status st = lh_catalog_check_name(req->name, err);
    if (st)
        return st;
    lh_buf prefix;
    lh_buf_init(&prefix, 0);
    lh_catalog_table_prefix(req->name, &prefix);
    int64_t latest = -1;
    st = lh__ingest_built(&prefix, "the table's prefix", err);
    if (!st)
        st = lh_table_latest_version(store, prefix.data, &latest, err);
    lh_buf_release(&prefix);
    if (st == LH_ENOTFOUND)
        return lh_fail(err, LH_ENOTFOUND, "dataset '%s' does not exist", req->name);
    if (st)
        return st;
    lh_ingest_result res;
    st = ingest_file(store, cat, eng, req, diff, &res, err);
    lh_ingest_result_release(&res);
    return st;
}

void lh_ingest_result_release(lh_ingest_result *res)
{
    json_decref(res->columns);
    json_decref(res->renames);
    json_decref(res->schema_changes);
    res->columns = res->renames = res->schema_changes = NULL;
}

json_t *lh_ingest_result_json(const lh_ingest_result *r)
{
    json_t *names = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(r->columns, i, c) {
        if (names && json_array_append(names, json_object_get(c, "name"))) {
            json_decref(names);
            names = NULL;
        }
    }
    if (!names)
        return NULL;
    /* "o" steals (also when json_pack fails), so the shared arrays are increfed first */
    return json_pack("{s:s, s:I, s:I, s:b, s:b, s:o, s:o, s:s, s:s, s:o}", "dataset",
                     r->dataset, "version", (json_int_t)r->version, "rows_added",
                     (json_int_t)r->rows_added, "deduplicated", r->deduplicated, "created",
                     r->created, "columns", names, "renames",
                     r->renames ? json_incref(r->renames) : json_array(), "sha256", r->sha256,
                     "format", r->format, "schema_changes",
                     r->schema_changes ? json_incref(r->schema_changes) : json_null());
}

lh_status lh_ingest_sweep_staging(lh_store *store, lh_err *err)
{
    return lh_store_sweep(store, "_staging", NULL, 0, err);
}
