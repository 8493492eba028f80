/* layout.c: the names of the files in a table directory (DESIGN.md §3):
 *   _delta_log/<%020d>.json              commits (and checkpoints beside them)
 *   part-00000-<id>-c000.snappy.parquet  data files
 *   .tmp-<id>.parquet                    a data file being written (never committed)
 *   _delta_log/<%020d>.checkpoint.parquet, _last_checkpoint   checkpoints (checkpoint.c)
 *   _delta_log/.tmp-<id>.{json,parquet}  a checkpoint being written */
#include <stdio.h>
#include <string.h>

#include "table/table_int.h"

#define LOG_DIR "_delta_log/"
#define TEMP_PREFIX ".tmp-"

lh_status lh_table_commit_key(const char *prefix, int64_t version, lh_buf *out)
{
    return lh_buf_printf(out, "%s/" LOG_DIR "%020lld.json", prefix, (long long)version);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && !strcmp(s + n - k, suffix);
}

bool lh_table_is_commit_path(const char *rel)
{
    size_t skip = strlen(LOG_DIR);
    return !strncmp(rel, LOG_DIR, skip) && ends_with(rel, ".json") && !strchr(rel + skip, '/');
}

bool lh_table_is_data_path(const char *rel)
{
    return !strchr(rel, '/') && strlen(rel) > 8 && ends_with(rel, ".parquet");
}

lh_status lh_table_data_file_name(const char *id, lh_buf *out)
{
    return lh_buf_printf(out, "part-00000-%s-c000.snappy.parquet", id);
}

lh_status lh_table_temp_path(const char *dir, const char *id, lh_buf *out)
{
    return lh_buf_printf(out, "%s/" TEMP_PREFIX "%s.parquet", dir, id);
}

typedef struct table_listing {
    size_t skip;   /* length of "<parent>/" */
    json_t *names;
} table_listing;

static int list_cb(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    table_listing *l = ctx;
    const char *rest = key + l->skip;
    const char *slash = strchr(rest, '/');
    if (slash && !strncmp(slash + 1, LOG_DIR, strlen(LOG_DIR))) {
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(slash - rest), rest);
        json_object_set_new(l->names, name, json_true());
    }
    return 0;
}

lh_status lh_table_list(lh_store *s, const char *parent, json_t *names, lh_err *err)
{
    lh_buf dir;
    lh_buf_init(&dir, 1024);
    lh_buf_printf(&dir, "%s/", parent);
    lh_status st = lh_buf_status(&dir);
    if (st) {
        st = lh_fail(err, st, "table directory name too long");
    } else {
        table_listing l = {dir.len, names};
        st = lh_store_list(s, dir.data, list_cb, &l, err);
    }
    lh_buf_release(&dir);
    return st;
}

lh_status lh_table_sweep_temp(lh_store *s, const char *parent, lh_err *err)
{
    /* depth 2: the table directories and their _delta_log (checkpoints being written) */
    return lh_store_sweep(s, parent, TEMP_PREFIX, 2, err);
}
