/* stats.c: per-file Delta statistics from the written file's Parquet footer. Reading the
 * footer back also verifies that the file is complete and holds the rows COPY reported.
 * (A full data scan would cost about a seventh of the whole ingest; the source file is
 * still at hand, so an ingest can always be repeated. Rewrites that replace the only
 * copy of data, as compaction will, must verify with a full scan.) */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ingest/ingest_int.h"

typedef enum { STAT_NONE, STAT_INT, STAT_FLOAT, STAT_DATE, STAT_TIMESTAMP } stat_kind;

static stat_kind kind_for(const char *type)
{
    static const char *ints[] = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT"};
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(type, ints[i]))
            return STAT_INT;
    if (!strcmp(type, "FLOAT") || !strcmp(type, "DOUBLE"))
        return STAT_FLOAT;
    /* No min/max for text: the Delta log is never rewritten, so a value in a commit's
     * stats would outlive its row's erasure (names, e-mails, ids as text). Numbers and
     * dates keep their statistics for data skipping. */
    if (!strcmp(type, "VARCHAR"))
        return STAT_NONE;
    if (!strcmp(type, "DATE"))
        return STAT_DATE;
    if (!strcmp(type, "TIMESTAMP WITH TIME ZONE"))
        return STAT_TIMESTAMP;
    return STAT_NONE; /* booleans, blobs, decimals: null counts only */
}

/* Converts one min/max text into its JSON stats value, or NULL to leave it out. */
static json_t *stat_value(stat_kind k, const char *text)
{
    if (!text)
        return NULL;
    int64_t v;
    switch (k) {
    case STAT_INT:
        return lh_parse_i64(text, &v) ? NULL : json_integer(v);
    case STAT_FLOAT: {
        char *end;
        double d = strtod(text, &end);
        return *end || d != d || d > 1.7e308 || d < -1.7e308 ? NULL : json_real(d);
    }
    case STAT_DATE:
        return json_string(text);
    case STAT_TIMESTAMP: {
        if (lh_parse_i64(text, &v))
            return NULL;
        char ts[32];
        lh_format_time(v, ts);
        return json_string(ts);
    }
    default:
        return NULL;
    }
}

lh_status lh__ingest_file_stats(lh_engine *eng, const char *parquet_path, json_t *columns,
                                int64_t *rows, char **stats_json, lh_err *err)
{
    /* From the file's footer, which DuckDB has just written from the data: min/max/null
     * counts per row group, combined per column with typed comparisons. A row group
     * without a statistic leaves the column's min/max out (readers then scan it). */
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "WITH md AS (SELECT * FROM parquet_metadata(");
    lh_buf_add_sql_string(&sql, parquet_path);
    lh_buf_adds(&sql, ")) SELECT CAST((SELECT sum(num_rows) FROM parquet_file_metadata(");
    lh_buf_add_sql_string(&sql, parquet_path);
    lh_buf_adds(&sql, ")) AS VARCHAR)");
    size_t i;
    json_t *col;
    json_array_foreach(columns, i, col) {
        const char *name = json_string_value(json_object_get(col, "name"));
        const char *type = json_string_value(json_object_get(col, "type"));
        stat_kind k = kind_for(type);
        lh_buf where;
        lh_buf_init(&where, 4096);
        lh_buf_adds(&where, "FROM md WHERE path_in_schema = ");
        lh_buf_add_sql_string(&where, name);
        if (k == STAT_NONE) {
            lh_buf_adds(&sql, ", NULL, NULL");
        } else {
            const char *wrap_l = k == STAT_TIMESTAMP ? "epoch_ms(" : "";
            const char *wrap_r = k == STAT_TIMESTAMP ? ")" : "";
            lh_buf_printf(&sql, ", (SELECT CASE WHEN count(stats_min_value) = count(*) THEN "
                                "CAST(%smin(TRY_CAST(stats_min_value AS %s))%s AS VARCHAR) END %s)",
                          wrap_l, type, wrap_r, where.data);
            lh_buf_printf(&sql, ", (SELECT CASE WHEN count(stats_max_value) = count(*) THEN "
                                "CAST(%smax(TRY_CAST(stats_max_value AS %s))%s AS VARCHAR) END %s)",
                          wrap_l, type, wrap_r, where.data);
        }
        lh_buf_printf(&sql, ", (SELECT CAST(sum(stats_null_count) AS VARCHAR) %s)", where.data);
        lh_buf_release(&where);
    }
    lh_status st = sql.len ? LH_OK : LH_ENOMEM;
    json_t *row = NULL;
    if (!st)
        st = lh_engine_query_row(eng, sql.data, &row, err);
    lh_buf_release(&sql);
    if (st)
        return lh_fail_wrap(err, LH_ECORRUPT, "reading back the written Parquet file");

    int64_t n = 0;
    lh_parse_i64(json_string_value(json_array_get(row, 0)), &n);
    json_t *mins = json_object(), *maxs = json_object(), *nulls = json_object();
    json_array_foreach(columns, i, col) {
        const char *name = json_string_value(json_object_get(col, "name"));
        stat_kind k = kind_for(json_string_value(json_object_get(col, "type")));
        json_t *mn = stat_value(k, json_string_value(json_array_get(row, 1 + 3 * i)));
        json_t *mx = stat_value(k, json_string_value(json_array_get(row, 2 + 3 * i)));
        if (mn && mx) {
            json_object_set_new(mins, name, mn);
            json_object_set_new(maxs, name, mx);
        } else {
            json_decref(mn);
            json_decref(mx);
        }
        int64_t nc = 0;
        lh_parse_i64(json_string_value(json_array_get(row, 3 + 3 * i)), &nc);
        json_object_set_new(nulls, name, json_integer(nc));
    }
    json_t *stats = json_pack("{s:I, s:o, s:o, s:o}", "numRecords", (json_int_t)n, "minValues", mins,
                              "maxValues", maxs, "nullCount", nulls);
    *stats_json = json_dumps(stats, JSON_COMPACT);
    json_decref(stats);
    json_decref(row);
    *rows = n;
    return *stats_json ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
}
