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

/* Stops at the first file of a table's _delta_log: the directory is a table. */
static int any_file_cb(void *ctx, const char *name, lh_entry_kind kind)
{
    (void)name;
    if (kind != LH_ENTRY_FILE)
        return 0;
    *(bool *)ctx = true;
    return 1;
}

typedef struct table_listing {
    lh_store *s;
    const char *parent;
    json_t *names;
    lh_buf log;      /* "<parent>/<name>/_delta_log" */
    lh_status st;
    lh_err *err;
} table_listing;

static int table_dir_cb(void *ctx, const char *name, lh_entry_kind kind)
{
    table_listing *l = ctx;
    if (kind != LH_ENTRY_DIR || strlen(name) >= 128)
        return 0;
    lh_buf_reset(&l->log);
    lh_buf_printf(&l->log, "%s/%s/_delta_log", l->parent, name);
    bool found = false;
    if (lh_buf_status(&l->log) ||
        lh_store_list_dir(l->s, l->log.data, any_file_cb, &found, NULL) || !found)
        return 0; /* no table there (a name too long, a link, an empty log) */
    if (json_object_set_new(l->names, name, json_true())) {
        l->st = lh_fail(l->err, LH_ENOMEM, "out of memory");
        return 1;
    }
    return 0;
}

lh_status lh_table_list(lh_store *s, const char *parent, json_t *names, lh_err *err)
{
    /* One level of parent, then each subdirectory's _delta_log until its first file: not
     * every object of every table (their data files and logs grow with history). */
    table_listing l = {.s = s, .parent = parent, .names = names, .err = err};
    lh_buf_init(&l.log, 4096);
    lh_status st = lh_store_list_dir(s, parent, table_dir_cb, &l, err);
    if (!st)
        st = l.st;
    lh_buf_release(&l.log);
    return st;
}

lh_status lh_table_sweep_temp(lh_store *s, const char *parent, lh_err *err)
{
    /* depth 2: the table directories and their _delta_log (checkpoints being written) */
    return lh_store_sweep(s, parent, TEMP_PREFIX, 2, err);
}
