/* fuzz_delta_log: the Delta log reader (src/table/log_read.c) over fuzzed commit files.
 *
 * The input is split at form-feed bytes ('\f') into at most 6 segments; a segment that
 * starts with "LC:" becomes _delta_log/_last_checkpoint (the rest of it), the others
 * become commits 0, 1, 2, ... of table "tables/t" in a temp store. Then the latest
 * version is asked for and snapshots are loaded at -1 and 0 (no checkpoint reader).
 * Invariants on a loaded snapshot (table.h): live files sorted by path and unique, each a
 * plain relative store key; partition values are strings or null, never "" or the Hive
 * default; the version is the one asked for (or the latest). */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "core/fsio.h"
#include "storage/storage.h"
#include "table/table.h"
#include "fuzz_util.h"

#define MAX_SEGMENTS 6

static lh_store *store;
static char logdir[700];

static void check_snapshot(const lh_table_snapshot *snap, int64_t asked, int64_t latest)
{
    if (asked >= 0 && snap->version != asked)
        fuzz_fail("asked for version %lld, got %lld", (long long)asked, (long long)snap->version);
    if (asked < 0 && snap->version != latest)
        fuzz_fail("latest is %lld, snapshot says %lld", (long long)latest, (long long)snap->version);
    for (size_t i = 0; i < snap->nfiles; i++) {
        const lh_table_file *f = &snap->files[i];
        if (!f->path || !*f->path)
            fuzz_fail("live file %zu has no path", i);
        if (lh_store_check_key(f->path, NULL) || strstr(f->path, "://"))
            fuzz_fail("live file path '%s' is not a plain relative key", f->path);
        if (i && strcmp(snap->files[i - 1].path, f->path) >= 0)
            fuzz_fail("live files not sorted/unique: '%s' then '%s'", snap->files[i - 1].path,
                      f->path);
        if (f->partition_values && !json_is_object(f->partition_values))
            fuzz_fail("partition values of '%s' are not an object", f->path);
        const char *k;
        json_t *v;
        json_object_foreach(f->partition_values, k, v) {
            if (!json_is_string(v) && !json_is_null(v))
                fuzz_fail("partition value '%s' of '%s' is neither string nor null", k, f->path);
            const char *s = json_string_value(v);
            if (s && (!*s || !strcmp(s, "__HIVE_DEFAULT_PARTITION__")))
                fuzz_fail("partition value '%s' of '%s' is '%s' (should be null)", k, f->path, s);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lh_err err = {{0}};
    if (!store) {
        char root[600];
        snprintf(root, sizeof root, "%s/store", fuzz_tmpdir());
        if (lh_store_open_local(root, &store, &err))
            fuzz_fail("store: %s", err.msg);
        snprintf(logdir, sizeof logdir, "%s/tables/t/_delta_log", root);
    }
    fuzz_rmtree(logdir);
    if (lh_mkdirs(logdir, &err))
        fuzz_fail("mkdirs: %s", err.msg);

    const uint8_t *p = data, *end = data + size;
    int commits = 0;
    bool wrote_lc = false;
    for (int seg = 0; seg < MAX_SEGMENTS && p <= end; seg++) {
        const uint8_t *ff = memchr(p, '\f', (size_t)(end - p));
        const uint8_t *stop = ff ? ff : end;
        char path[800];
        if (stop - p >= 3 && !memcmp(p, "LC:", 3)) {
            snprintf(path, sizeof path, "%s/_last_checkpoint", logdir);
            fuzz_write_file(path, p + 3, (size_t)(stop - p - 3));
            wrote_lc = true;
        } else {
            snprintf(path, sizeof path, "%s/%020d.json", logdir, commits++);
            fuzz_write_file(path, p, (size_t)(stop - p));
        }
        if (!ff)
            break;
        p = ff + 1;
    }

    int64_t latest = -1;
    lh_status st = lh_table_latest_version(store, "tables/t", &latest, &err);
    if (st == LH_OK && (latest < 0 || (!wrote_lc && latest >= commits)))
        fuzz_fail("latest version %lld from %d commit files", (long long)latest, commits);
    const int64_t asks[] = {-1, 0};
    for (size_t i = 0; i < 2; i++) {
        lh_table_snapshot *snap = NULL;
        err.msg[0] = 0;
        st = lh_table_snapshot_load(store, "tables/t", asks[i], NULL, &snap, &err);
        if (st == LH_OK) {
            if (!snap)
                fuzz_fail("snapshot_load returned LH_OK without a snapshot");
            check_snapshot(snap, asks[i], latest);
            lh_table_snapshot_free(snap);
        } else if (!err.msg[0]) {
            fuzz_fail("snapshot_load failed (%d) without a message", (int)st);
        }
    }
    return 0;
}
