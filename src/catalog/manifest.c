#include "catalog/manifest.h"

#include <string.h>

#include "core/util.h"

static json_t *time_value(int64_t ms)
{
    char ts[32];
    lh_format_time(ms, ts);
    return json_string(ts);
}

json_t *lh_manifest_new(const char *name, int64_t now_ms)
{
    return json_pack("{s:i, s:s, s:s, s:s, s:s, s:[], s:[], s:{}, s:{s:o, s:o, s:n}, s:i, s:i, s:i, s:s}",
                     "manifest_version", 1, "name", name, "description", "", "owner", "",
                     "sensitivity", "internal", "tags", "columns", "lineage",
                     "freshness", "created_at", time_value(now_ms), "updated_at", time_value(now_ms),
                     "last_ingest_at", "row_count", 0, "size_bytes", 0, "table_version", -1,
                     "bucket", "primary");
}

static json_t *find_column(const json_t *cols, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c) {
        const char *n = json_string_value(json_object_get(c, "name"));
        if (n && !strcmp(n, name))
            return c;
    }
    return NULL;
}

void lh_manifest_set_table(json_t *m, const json_t *columns, int64_t rows, int64_t bytes,
                           int64_t version, int64_t now_ms)
{
    json_t *old = json_object_get(m, "columns");
    json_t *out = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(columns, i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        json_t *prev = find_column(old, name);
        json_t *col = prev ? json_deep_copy(prev)
                           : json_pack("{s:s, s:b, s:[], s:s}", "name", name, "nullable", 1, "pii",
                                       "sensitivity", "internal");
        json_object_set(col, "type", json_object_get(c, "type"));
        json_array_append_new(out, col);
    }
    json_object_set_new(m, "columns", out);
    json_object_set_new(m, "row_count", json_integer(rows));
    json_object_set_new(m, "size_bytes", json_integer(bytes));
    json_object_set_new(m, "table_version", json_integer(version));
    json_t *fresh = json_object_get(m, "freshness");
    if (!json_is_object(fresh)) {
        fresh = json_object();
        json_object_set_new(m, "freshness", fresh);
    }
    json_object_set_new(fresh, "updated_at", time_value(now_ms));
}

void lh_manifest_set_lineage(json_t *m, json_t *lineage, int64_t now_ms)
{
    json_object_set(m, "lineage", lineage);
    json_t *fresh = json_object_get(m, "freshness");
    if (json_is_object(fresh))
        json_object_set_new(fresh, "last_ingest_at", time_value(now_ms));
}
