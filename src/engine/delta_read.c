/* delta_read.c: the engine's side of reading Delta tables: checkpoint Parquet -> actions
 * (and actions -> checkpoint Parquet for the writer), and the SELECT over a snapshot's
 * live files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/fsio.h"
#include "engine/engine_int.h"

/* ---- checkpoint reader ---- */

/* Each checkpoint row holds one non-null action column; to_json(row) gives us
 * {"txn":null,"add":{...},...}, which we split into one action object per non-null key. */
static lh_status emit_row(const char *text, size_t len, lh_action_cb cb, void *cb_ctx,
                          lh_err *err)
{
    json_error_t je;
    json_t *row = lh_json_loadb(text, len, 0, &je);
    if (!json_is_object(row)) {
        json_decref(row);
        return lh_fail(err, LH_ECORRUPT, "checkpoint row is not JSON: %s", je.text);
    }
    lh_status st = LH_OK;
    const char *k;
    json_t *v;
    json_object_foreach(row, k, v) {
        if (json_is_null(v))
            continue;
        json_t *action = json_pack("{s:O}", k, v);
        if (!action) {
            st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
        st = cb(cb_ctx, action, err);
        json_decref(action);
        if (st)
            break;
    }
    json_decref(row);
    return st;
}

/* ---- the direct read: the columns a snapshot uses, no JSON text per row ----
 *
 * to_json of every row and a JSON parse of each (the general read below) was most of the
 * cost of opening a table with many live files (a CLI append at #1000 spent 15% of its
 * time there). The snapshot needs of an add its path, size, modificationTime, stats and
 * partitionValues, of a remove its path, deletionTimestamp and size, and protocol and
 * metaData whole (one row each): those are read as columns and the actions built in C.
 * An add without stats text (another writer's, maybe with stats_parsed) comes whole as
 * JSON, as in the general read. A checkpoint whose columns do not bind so (another
 * writer's schema) is read the general way. */
enum {
    CP_ADD, CP_ADD_PATH, CP_ADD_SIZE, CP_ADD_MTIME, CP_ADD_STATS, CP_ADD_PV, CP_ADD_WHOLE,
    CP_RM, CP_RM_PATH, CP_RM_TS, CP_RM_SIZE, CP_PROTOCOL, CP_METADATA, CP_NCOLS
};

static const char DIRECT_COLUMNS[] =
    "SELECT \"add\" IS NOT NULL, CAST(\"add\".path AS VARCHAR), CAST(\"add\".size AS BIGINT), "
    "CAST(\"add\".modificationTime AS BIGINT), CAST(\"add\".stats AS VARCHAR), "
    "CASE WHEN \"add\".stats IS NOT NULL THEN CAST(to_json(\"add\".partitionValues) AS VARCHAR) END, "
    "CASE WHEN \"add\" IS NOT NULL AND \"add\".stats IS NULL THEN CAST(to_json(\"add\") AS VARCHAR) END, "
    "remove IS NOT NULL, CAST(remove.path AS VARCHAR), CAST(remove.deletionTimestamp AS BIGINT), "
    "CAST(remove.size AS BIGINT), "
    "CASE WHEN protocol IS NOT NULL THEN CAST(to_json(protocol) AS VARCHAR) END, "
    "CASE WHEN metaData IS NOT NULL THEN CAST(to_json(metaData) AS VARCHAR) END "
    "FROM read_parquet(";

typedef struct cp_chunk {
    void *data[CP_NCOLS];
    uint64_t *valid[CP_NCOLS];
} cp_chunk;

static bool cp_null(const cp_chunk *c, int col, idx_t r)
{
    return c->valid[col] && !duckdb_validity_row_is_valid(c->valid[col], r);
}

/* The column's value as a new JSON value (null when NULL). */
static json_t *cp_int(const cp_chunk *c, int col, idx_t r)
{
    return cp_null(c, col, r) ? json_null() : json_integer(((int64_t *)c->data[col])[r]);
}

static json_t *cp_str(const cp_chunk *c, int col, idx_t r)
{
    if (cp_null(c, col, r))
        return json_null();
    duckdb_string_t *s = (duckdb_string_t *)c->data[col] + r;
    return json_stringn(duckdb_string_t_data(s), duckdb_string_t_length(*s));
}

/* A JSON text column parsed (NULL when the value is NULL; *bad when it does not parse). */
static json_t *cp_json(const cp_chunk *c, int col, idx_t r, bool *bad)
{
    if (cp_null(c, col, r))
        return NULL;
    duckdb_string_t *s = (duckdb_string_t *)c->data[col] + r;
    json_t *j = lh_json_loadb(duckdb_string_t_data(s), duckdb_string_t_length(*s), 0, NULL);
    if (!j)
        *bad = true;
    return j;
}

/* Calls cb with {kind: value} (the reference to value taken). */
static lh_status cp_emit(const char *kind, json_t *value, lh_action_cb cb, void *cb_ctx,
                         lh_err *err)
{
    json_t *action = value ? json_object() : NULL;
    if (!action || json_object_set_new(action, kind, value)) {
        json_decref(action);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    lh_status st = cb(cb_ctx, action, err);
    json_decref(action);
    return st;
}

static lh_status cp_row(const cp_chunk *c, idx_t r, lh_action_cb cb, void *cb_ctx, lh_err *err)
{
    lh_status st = LH_OK;
    bool bad = false;
    if (((bool *)c->data[CP_ADD])[r]) {
        json_t *whole = cp_json(c, CP_ADD_WHOLE, r, &bad);
        if (!whole && !bad) {
            json_t *pv = cp_json(c, CP_ADD_PV, r, &bad);
            whole = json_object();
            if (whole && (json_object_set_new(whole, "path", cp_str(c, CP_ADD_PATH, r)) ||
                          json_object_set_new(whole, "size", cp_int(c, CP_ADD_SIZE, r)) ||
                          json_object_set_new(whole, "modificationTime", cp_int(c, CP_ADD_MTIME, r)) ||
                          json_object_set_new(whole, "stats", cp_str(c, CP_ADD_STATS, r)) ||
                          json_object_set_new(whole, "partitionValues", pv ? pv : json_null()))) {
                json_decref(whole);
                return lh_fail(err, LH_ENOMEM, "out of memory");
            }
        }
        if (bad)
            return lh_fail(err, LH_ECORRUPT, "checkpoint add row is not JSON");
        st = cp_emit("add", whole, cb, cb_ctx, err);
    }
    if (!st && ((bool *)c->data[CP_RM])[r]) {
        json_t *rm = json_object();
        if (rm && (json_object_set_new(rm, "path", cp_str(c, CP_RM_PATH, r)) ||
                   json_object_set_new(rm, "deletionTimestamp", cp_int(c, CP_RM_TS, r)) ||
                   json_object_set_new(rm, "size", cp_int(c, CP_RM_SIZE, r)))) {
            json_decref(rm);
            return lh_fail(err, LH_ENOMEM, "out of memory");
        }
        st = cp_emit("remove", rm, cb, cb_ctx, err);
    }
    static const struct {
        int col;
        const char *kind;
    } whole_cols[] = {{CP_PROTOCOL, "protocol"}, {CP_METADATA, "metaData"}};
    for (size_t i = 0; i < 2 && !st; i++) {
        json_t *v = cp_json(c, whole_cols[i].col, r, &bad);
        if (bad)
            return lh_fail(err, LH_ECORRUPT, "checkpoint %s row is not JSON", whole_cols[i].kind);
        if (v)
            st = cp_emit(whole_cols[i].kind, v, cb, cb_ctx, err);
    }
    return st;
}

/* The direct read; *bound false (and nothing called) when the columns do not bind. */
static lh_status read_checkpoint_direct(lh_engine *e, const char *local_path, lh_action_cb cb,
                                        void *cb_ctx, bool *bound, lh_err *err)
{
    *bound = false;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, DIRECT_COLUMNS);
    lh_buf_add_sql_string(&sql, local_path);
    lh_buf_adds(&sql, ", hive_partitioning=false)");
    lh_status st = lh_buf_status(&sql);
    if (st) {
        lh_buf_release(&sql);
        return lh_fail(err, st, "checkpoint path too long");
    }
    duckdb_result res;
    bool failed = lh__engine_admin_query(e, lh_buf_cstr(&sql), &res) == DuckDBError;
    lh_buf_release(&sql);
    if (failed || duckdb_column_count(&res) != CP_NCOLS) {
        duckdb_destroy_result(&res);
        return LH_OK;
    }
    *bound = true;
    for (;;) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(res);
        if (!chunk)
            break;
        cp_chunk c;
        for (int k = 0; k < CP_NCOLS; k++) {
            duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, (idx_t)k);
            c.data[k] = duckdb_vector_get_data(vec);
            c.valid[k] = duckdb_vector_get_validity(vec);
        }
        idx_t n = duckdb_data_chunk_get_size(chunk);
        for (idx_t r = 0; r < n && !st; r++)
            st = cp_row(&c, r, cb, cb_ctx, err);
        duckdb_destroy_data_chunk(&chunk);
        if (st)
            break;
    }
    duckdb_destroy_result(&res);
    return st;
}

static lh_status read_checkpoint(void *self, const char *local_path, lh_action_cb cb,
                                 void *cb_ctx, lh_err *err)
{
    lh_engine *e = self;
    bool bound = false;
    lh_status dst = read_checkpoint_direct(e, local_path, cb, cb_ctx, &bound, err);
    if (bound || dst)
        return dst;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT CAST(to_json(t) AS VARCHAR) FROM read_parquet(");
    lh_buf_add_sql_string(&sql, local_path);
    lh_buf_adds(&sql, ", hive_partitioning=false) AS t");
    lh_status st = lh_buf_status(&sql);
    if (st) {
        lh_buf_release(&sql);
        return lh_fail(err, st, "checkpoint path too long");
    }
    duckdb_result res;
    if (lh__engine_admin_query(e, lh_buf_cstr(&sql), &res) == DuckDBError) {
        st = lh__engine_result_error(&res, LH_ECORRUPT, "read checkpoint", err);
        duckdb_destroy_result(&res);
        lh_buf_release(&sql);
        return st;
    }
    lh_buf_release(&sql);
    for (;;) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(res);
        if (!chunk)
            break;
        idx_t n = duckdb_data_chunk_get_size(chunk);
        duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, 0);
        uint64_t *validity = duckdb_vector_get_validity(vec);
        duckdb_string_t *strs = duckdb_vector_get_data(vec);
        for (idx_t r = 0; r < n && !st; r++) {
            if (validity && !duckdb_validity_row_is_valid(validity, r))
                continue;
            st = emit_row(duckdb_string_t_data(&strs[r]), duckdb_string_t_length(strs[r]), cb,
                          cb_ctx, err);
        }
        duckdb_destroy_data_chunk(&chunk);
        if (st)
            break;
    }
    duckdb_destroy_result(&res);
    return st;
}

lh_checkpoint_reader lh_engine_checkpoint_reader(lh_engine *e)
{
    return (lh_checkpoint_reader){.read = read_checkpoint, .self = e};
}

/* ---- checkpoint writer ---- */

/* The V1 checkpoint columns as Spark and delta-rs write them (PROTOCOL.md, "Checkpoint
 * Schema"): every action a nullable struct, string maps as Parquet maps. */
static const char CHECKPOINT_COLUMNS[] =
    "{'txn': 'STRUCT(appId VARCHAR, \"version\" BIGINT, lastUpdated BIGINT)', "
    "'add': 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
    "modificationTime BIGINT, dataChange BOOLEAN, tags MAP(VARCHAR, VARCHAR), stats VARCHAR)', "
    "'remove': 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, "
    "extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
    "tags MAP(VARCHAR, VARCHAR))', "
    "'metaData': 'STRUCT(id VARCHAR, \"name\" VARCHAR, description VARCHAR, "
    "format STRUCT(provider VARCHAR, \"options\" MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, "
    "partitionColumns VARCHAR[], \"configuration\" MAP(VARCHAR, VARCHAR), createdTime BIGINT)', "
    "'protocol': 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)'}";

static lh_status write_checkpoint(void *self, const char *actions_path, const char *out_path,
                                  int64_t *rows, lh_err *err)
{
    lh_engine *e = self;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    /* One JSON line can be as large as a stats string: no object size limit of ours. */
    lh_buf_adds(&sql, "COPY (SELECT txn, \"add\", remove, metaData, protocol FROM read_json(");
    lh_buf_add_sql_string(&sql, actions_path);
    lh_buf_printf(&sql, ", format='newline_delimited', maximum_object_size=1073741824, "
                        "columns=%s)) TO ", CHECKPOINT_COLUMNS);
    lh_buf_add_sql_string(&sql, out_path);
    lh_buf_adds(&sql, " (FORMAT parquet, COMPRESSION snappy)");
    lh_status st = lh_buf_status(&sql);
    if (st) {
        lh_buf_release(&sql);
        return lh_fail(err, st, st == LH_ENOMEM ? "out of memory" : "checkpoint path too long");
    }
    duckdb_result res;
    if (lh__engine_admin_query(e, lh_buf_cstr(&sql), &res) == DuckDBError)
        st = lh__engine_result_error(&res, LH_EIO, "write checkpoint", err);
    else
        *rows = duckdb_value_int64(&res, 0, 0);
    duckdb_destroy_result(&res);
    lh_buf_release(&sql);
    return st;
}

lh_checkpoint_writer lh_engine_checkpoint_writer(lh_engine *e)
{
    return (lh_checkpoint_writer){.write = write_checkpoint, .self = e};
}

/* ---- snapshot SELECT ---- */

typedef struct col_info {
    const char *name;     /* borrowed from the schema */
    char *type;           /* DuckDB type name */
    int partition_index;  /* index into the partition VALUES columns, or -1 */
} col_info;

static bool is_partition_column(const lh_table_snapshot *snap, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(snap->partition_columns, i, v) {
        const char *pc = json_string_value(v);
        if (pc && !strcasecmp(pc, name))
            return true;
    }
    return false;
}

/* The file list literal ['dir/a.parquet', ...], into the caller's builder. */
static void file_list(const char *table_dir, const lh_table_snapshot *snap, lh_buf *out)
{
    lh_buf_addc(out, '[');
    for (size_t i = 0; i < snap->nfiles; i++) {
        if (i)
            lh_buf_addc(out, ',');
        lh_path_add_sql(out, table_dir, snap->files[i].path);
    }
    lh_buf_addc(out, ']');
}

/* A partition value as a VARCHAR expression ready for CAST to its column type, into the
 * caller's builder. Timestamps without an offset are UTC in the Delta log. */
static void partition_literal(const char *v, const char *type, lh_buf *out)
{
    if (!v) {
        lh_buf_adds(out, "CAST(NULL AS VARCHAR)");
        return;
    }
    bool utc = !strcmp(type, "TIMESTAMP WITH TIME ZONE") && !strchr(v, 'Z') && !strchr(v, '+');
    if (utc)
        lh_buf_addc(out, '(');
    lh_buf_add_sql_string(out, v);
    if (utc)
        lh_buf_adds(out, " || '+00')");
}

/* The DESCRIBE row of a column: the exact name (by index, the rows keyed by name: a scan
 * per column made wide tables quadratic), else the first case-insensitive match. */
static json_t *file_column_row(json_t *desc, json_t *index, const char *name)
{
    json_t *row = json_object_get(index, name);
    if (row)
        return row;
    size_t i;
    json_array_foreach(desc, i, row) {
        const char *n = json_string_value(json_array_get(row, 0));
        if (n && !strcasecmp(n, name))
            return row;
    }
    return NULL;
}

/* Column name -> its DuckDB type in the union of the files (rows from DESCRIBE). */
static const char *file_column_type(json_t *desc, json_t *index, const char *name)
{
    return json_string_value(json_array_get(file_column_row(desc, index, name), 1));
}

static const char *file_column_name(json_t *desc, json_t *index, const char *name)
{
    return json_string_value(json_array_get(file_column_row(desc, index, name), 0));
}

/* One output column's expression, into the caller's builder (checked once when done). */
static void column_expr(const col_info *c, json_t *desc, json_t *index, lh_buf *sql)
{
    lh_buf_adds(sql, "CAST(");
    if (c->partition_index >= 0) {
        if (!strcmp(c->type, "BLOB"))  /* the log holds the raw bytes as text */
            lh_buf_printf(sql, "encode(p.p%d)", c->partition_index);
        else
            lh_buf_printf(sql, "p.p%d", c->partition_index);
    } else {
        const char *ft = file_column_type(desc, index, c->name);
        const char *fname = file_column_name(desc, index, c->name);
        if (!ft) {
            lh_buf_adds(sql, "NULL");
        } else if (!strcmp(c->type, "TIMESTAMP WITH TIME ZONE") && !strncmp(ft, "TIMESTAMP", 9) &&
                   strcmp(ft, "TIMESTAMP WITH TIME ZONE")) {
            /* INT96 and non-adjusted timestamps hold UTC wall-clock values. */
            lh_buf_adds(sql, "timezone('UTC', CAST(d.");
            lh_buf_add_sql_ident(sql, fname);
            lh_buf_adds(sql, " AS TIMESTAMP))");
        } else {
            lh_buf_adds(sql, "d.");
            lh_buf_add_sql_ident(sql, fname);
        }
    }
    lh_buf_printf(sql, " AS %s) AS ", c->type);
    lh_buf_add_sql_ident(sql, c->name);
}

typedef struct row_opts {
    bool positions;       /* add __lh_file, __lh_pos */
    const char *row_set;  /* hide the rows of this row set */
} row_opts;

static lh_status build_select(lh_engine *e, const char *table_dir, const lh_table_snapshot *snap,
                              col_info *cols, size_t ncols, int nparts, const row_opts *ro,
                              lh_buf *sql, lh_err *err)
{
    lh_status st = LH_OK;
    if (snap->nfiles == 0) {
        lh_buf_adds(sql, "SELECT ");
        for (size_t i = 0; i < ncols; i++) {
            lh_buf_printf(sql, "%sCAST(NULL AS %s) AS ", i ? ", " : "", cols[i].type);
            lh_buf_add_sql_ident(sql, cols[i].name);
        }
        if (ro->positions)
            lh_buf_adds(sql, ", CAST(NULL AS VARCHAR) AS __lh_file, CAST(NULL AS BIGINT) AS __lh_pos");
        lh_buf_adds(sql, " WHERE false");
        st = lh_buf_status(sql);
        return st ? lh_fail(err, st, "snapshot query too long") : LH_OK;
    }
    lh_buf files, q;
    lh_buf_init(&files, 0);
    lh_buf_init(&q, 0);
    json_t *desc = NULL, *index = NULL;
    file_list(table_dir, snap, &files);
    if ((st = lh_buf_status(&files))) {
        st = lh_fail(err, st, "snapshot query too long");
        goto cleanup;
    }
    lh_buf_printf(&q, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(%s,"
                      " hive_partitioning=false, union_by_name=true))", lh_buf_cstr(&files));
    if ((st = lh_buf_status(&q))) {
        st = lh_fail(err, st, "snapshot query too long");
        goto cleanup;
    }
    if ((st = lh_engine_query_rows(e, lh_buf_cstr(&q), 100000, &desc, err))) {
        /* The dataset's name, not its directory: paths in the data directory are ours. */
        const char *base = strrchr(table_dir, '/');
        base = base && base[1] ? base + 1 : table_dir;
        lh_fail_wrap(err, LH_ECORRUPT, "read the data files of %s", base);
        st = LH_ECORRUPT;
        goto cleanup;
    }
    index = json_object();
    size_t k;
    json_t *row;
    json_array_foreach(desc, k, row) {
        const char *n = json_string_value(json_array_get(row, 0));
        if (n && !json_object_get(index, n))
            json_object_set(index, n, row);
        /* A file's own column of that name shadows DuckDB's virtual one. */
        if (n && (ro->positions || ro->row_set) && !strcasecmp(n, "file_row_number")) {
            st = lh_fail(err, LH_EUNSUPPORTED, "a column named file_row_number");
            goto cleanup;
        }
    }
    lh_buf_adds(sql, "SELECT ");
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            lh_buf_adds(sql, ", ");
        column_expr(&cols[i], desc, index, sql);
    }
    if (ro->positions)
        lh_buf_adds(sql, ", d.__lh_file AS __lh_file, d.file_row_number AS __lh_pos");
    lh_buf_printf(sql, " FROM read_parquet(%s, hive_partitioning=false, union_by_name=true, "
                       "filename='__lh_file') AS d", lh_buf_cstr(&files));
    if (nparts > 0) {
        lh_buf_adds(sql, " JOIN (VALUES ");
        for (size_t f = 0; f < snap->nfiles; f++) {
            lh_buf_adds(sql, f ? ", (" : "(");
            lh_path_add_sql(sql, table_dir, snap->files[f].path);
            for (size_t i = 0; i < ncols; i++) {
                if (cols[i].partition_index < 0)
                    continue;
                const char *v = NULL;
                const char *key;
                json_t *jv;
                json_object_foreach(snap->files[f].partition_values, key, jv)
                    if (!strcasecmp(key, cols[i].name))
                        v = json_string_value(jv);
                lh_buf_adds(sql, ", ");
                partition_literal(v, cols[i].type, sql);
            }
            lh_buf_addc(sql, ')');
        }
        lh_buf_adds(sql, ") AS p(__lh_f");
        for (int i = 0; i < nparts; i++)
            lh_buf_printf(sql, ", p%d", i);
        lh_buf_adds(sql, ") ON d.__lh_file = p.__lh_f");
    }
    if (ro->row_set) {
        lh_buf_adds(sql, " WHERE NOT __lh_hidden_r(");
        lh_buf_add_sql_string(sql, ro->row_set);
        lh_buf_adds(sql, ", d.__lh_file, d.file_row_number)");
    }
    st = lh_buf_status(sql);
    if (st)
        st = lh_fail(err, st, "snapshot query too long");
cleanup:
    json_decref(index);
    json_decref(desc);
    lh_buf_release(&files);
    lh_buf_release(&q);
    return st;
}

static lh_status snapshot_select(lh_engine *e, const char *table_dir,
                                 const lh_table_snapshot *snap, const row_opts *ro, lh_buf *sql,
                                 lh_err *err)
{
    json_t *fields = json_object_get(snap->schema, "fields");
    size_t ncols = json_array_size(fields);
    if (ncols == 0)
        return lh_fail(err, LH_ECORRUPT, "table schema has no columns");
    col_info *cols = lh_calloc(ncols, sizeof *cols);
    if (!cols)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lh_status st = LH_OK;
    int nparts = 0;
    lh_buf t;
    lh_buf_init(&t, 0);
    for (size_t i = 0; i < ncols && !st; i++) {
        json_t *f = json_array_get(fields, i);
        cols[i].name = json_string_value(json_object_get(f, "name"));
        if (!cols[i].name) {
            st = lh_fail(err, LH_ECORRUPT, "schema field %zu has no name", i);
            break;
        }
        lh_buf_reset(&t);
        if ((st = lh_table_duckdb_type(json_object_get(f, "type"), &t, err)))
            break;
        if (!(cols[i].type = lh_buf_detach(&t))) {
            st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
        cols[i].partition_index = is_partition_column(snap, cols[i].name) ? nparts++ : -1;
    }
    if (!st)
        st = build_select(e, table_dir, snap, cols, ncols, nparts, ro, sql, err);
    for (size_t i = 0; i < ncols; i++)
        free(cols[i].type);
    free(cols);
    lh_buf_release(&t);
    return st;
}

lh_status lh_engine_snapshot_select(lh_engine *e, const char *table_dir,
                                    const lh_table_snapshot *snap, lh_buf *sql, lh_err *err)
{
    return snapshot_select(e, table_dir, snap, &(row_opts){0}, sql, err);
}

lh_status lh_engine_snapshot_select_rows(lh_engine *e, const char *table_dir,
                                         const lh_table_snapshot *snap, bool positions,
                                         const char *row_set, lh_buf *sql, lh_err *err)
{
    return snapshot_select(e, table_dir, snap, &(row_opts){positions, row_set}, sql, err);
}
