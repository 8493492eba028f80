/* stats.c: per-file Delta statistics from the written file's Parquet footer. Reading the
 * footer back also verifies that the file is complete and holds the rows COPY reported.
 * (A full data scan would cost about a seventh of the whole ingest; the source file is
 * still at hand, so an ingest can always be repeated. Rewrites that replace the only
 * copy of data, as compaction will, must verify with a full scan.) */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
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
     * without a statistic leaves the column's min/max out (readers then scan it).
     * One grouped query over the footer whatever the width: a subquery per column made
     * the statement grow with the column count (500 columns passed DuckDB's expression
     * depth limit). Each kind's typed min/max is computed for every column; the column's
     * type picks which one is kept. */
    lh_buf sql;
    lh_buf_init(&sql, 0);
    /* The row count comes from the same query (each column chunk carries its row
     * group's row count): one statement over the footer, not two. */
    lh_buf_adds(&sql, "SELECT path_in_schema, CAST(count(*) = count(stats_min_value) AND "
                      "count(*) = count(stats_max_value) AS VARCHAR), "
                      "CAST(sum(stats_null_count) AS VARCHAR)");
    static const char *const kinds[] = {"BIGINT", "DOUBLE", "DATE", "TIMESTAMP WITH TIME ZONE"};
    for (size_t k = 0; k < 4; k++) {
        const char *l = k == 3 ? "epoch_ms(" : "", *r = k == 3 ? ")" : "";
        lh_buf_printf(&sql, ", CAST(%smin(TRY_CAST(stats_min_value AS %s))%s AS VARCHAR)"
                            ", CAST(%smax(TRY_CAST(stats_max_value AS %s))%s AS VARCHAR)",
                      l, kinds[k], r, l, kinds[k], r);
    }
    lh_buf_adds(&sql, ", CAST(sum(row_group_num_rows) AS VARCHAR) FROM parquet_metadata(");
    lh_buf_add_sql_string(&sql, parquet_path);
    lh_buf_adds(&sql, ") GROUP BY path_in_schema");
    json_t *groups = NULL;
    lh_status st = lh__ingest_built(&sql, "the SQL reading the Parquet footer", err);
    if (st) {
        lh_buf_release(&sql);
        return st;
    }
    st = lh_engine_query_rows(eng, sql.data, (size_t)LH_INGEST_MAX_COLUMNS * 4, &groups, err);
    lh_buf_release(&sql);
    if (st)
        return lh_fail_wrap(err, LH_ECORRUPT, "reading back the written Parquet file");
    json_t *by_name = json_object();
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
        if (json_string_value(json_array_get(g, 0)))
            json_object_set(by_name, json_string_value(json_array_get(g, 0)), g);

    /* Every column of a flat file holds every row: the file's count is any column's (the
     * largest, should a writer ever leave a chunk out); no row group, no rows. */
    int64_t n = 0;
    json_array_foreach(groups, i, g) {
        int64_t c = 0;
        if (!lh_parse_i64(json_string_value(json_array_get(g, 11)), &c) && c > n)
            n = c;
    }
    json_t *mins = json_object(), *maxs = json_object(), *nulls = json_object();
    json_t *col;
    json_array_foreach(columns, i, col) {
        const char *name = json_string_value(json_object_get(col, "name"));
        stat_kind k = kind_for(json_string_value(json_object_get(col, "type")));
        json_t *gr = name ? json_object_get(by_name, name) : NULL;
        json_t *mn = NULL, *mx = NULL;
        if (gr && k != STAT_NONE &&
            !strcmp(json_string_value(json_array_get(gr, 1)) ?: "", "true")) {
            size_t at = 3 + 2 * (size_t)(k - STAT_INT);
            mn = stat_value(k, json_string_value(json_array_get(gr, at)));
            mx = stat_value(k, json_string_value(json_array_get(gr, at + 1)));
        }
        if (mn && mx) {
            json_object_set_new(mins, name, mn);
            json_object_set_new(maxs, name, mx);
        } else {
            json_decref(mn);
            json_decref(mx);
        }
        int64_t nc = 0;
        lh_parse_i64(json_string_value(json_array_get(gr, 2)), &nc);
        if (name)
            json_object_set_new(nulls, name, json_integer(nc));
    }
    json_decref(by_name);
    json_decref(groups);
    json_t *stats = json_pack("{s:I, s:o, s:o, s:o}", "numRecords", (json_int_t)n, "minValues", mins,
                              "maxValues", maxs, "nullCount", nulls);
    *stats_json = lh_json_dumps(stats, JSON_COMPACT);
    json_decref(stats);
    *rows = n;
    return *stats_json ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
}
