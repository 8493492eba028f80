/* checkpoint.c: writing a V1 classic checkpoint of a snapshot, then _last_checkpoint.
 *
 * The actions are built here as JSON lines (the protocol's checkpoint shape); the
 * caller's lh_checkpoint_writer (the engine, through DuckDB) turns them into Parquet. The
 * order of the steps is what keeps a crash harmless: readers find checkpoints by listing
 * the log (the temp name is never listed), and _last_checkpoint is only a hint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "table/table_int.h"

/* err for a string that could not be built (st from lh_buf): out of memory, or too long. */
static lh_status unbuilt(lh_err *err, lh_status st, const char *what)
{
    return st == LH_ENOMEM ? lh_fail(err, st, "out of memory") : lh_fail(err, st, "%s", what);
}

/* One action line {"<kind>": obj} into body; obj is consumed. */
static lh_status add_action(lh_buf *body, const char *kind, json_t *obj, lh_err *err)
{
    json_t *line = obj ? json_pack("{s:o}", kind, obj) : NULL;
    char *text = line ? lh_json_dumps(line, JSON_COMPACT) : NULL;
    json_decref(line);
    if (!text)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lh_buf_adds(body, text);
    lh_buf_addc(body, '\n');
    free(text);
    return LH_OK;
}

/* partitionValues as the log writes them: every value a string or null. */
static json_t *partition_values(const json_t *pv)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)pv, k, v) {
        if (json_object_set(out, k, json_is_string(v) ? v : json_null())) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* configuration is map<string,string>: non-string values (not written by us) as JSON. */
static json_t *string_map(const json_t *m)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)m, k, v) {
        json_t *sv = NULL;
        if (json_is_string(v)) {
            sv = json_incref(v);
        } else {
            char *text = lh_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            sv = text ? json_string(text) : NULL;
            free(text);
        }
        if (!sv || json_object_set_new(out, k, sv)) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* The checkpoint's actions as JSON lines into body; *nadds and *nactions counted. */
static lh_status build_actions(const lh_table_snapshot *snap, int64_t min_deletion_ms,
                               lh_buf *body, int64_t *nadds, int64_t *nactions, lh_err *err)
{
    lh_status st = add_action(body, "protocol",
                              json_pack("{s:i, s:i}", "minReaderVersion", snap->min_reader_version,
                                        "minWriterVersion", snap->min_writer_version),
                              err);
    json_t *conf = st ? NULL : string_map(snap->configuration);
    if (!st && !conf)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = add_action(body, "metaData",
                        json_pack("{s:s, s:n, s:n, s:{s:s, s:{}}, s:s, s:O, s:o, s:I}", "id",
                                  snap->table_id, "name", "description", "format", "provider",
                                  "parquet", "options", "schemaString", snap->schema_string,
                                  "partitionColumns", snap->partition_columns, "configuration",
                                  conf, "createdTime", (json_int_t)snap->created_time),
                        err);
    *nactions = 2;
    *nadds = 0;
    lh_buf enc;
    lh_buf_init(&enc, 64 * 1024);
    for (size_t i = 0; i < snap->nfiles && !st; i++) {
        const lh_table_file *f = &snap->files[i];
        lh_buf_reset(&enc);
        if ((st = lh__table_path_encode(f->path, &enc))) {
            st = unbuilt(err, st, "data file path too long");
            break;
        }
        json_t *pv = partition_values(f->partition_values);
        json_t *add = pv ? json_pack("{s:s, s:o, s:I, s:I, s:b}", "path", lh_buf_cstr(&enc),
                                     "partitionValues", pv, "size", (json_int_t)f->size,
                                     "modificationTime", (json_int_t)f->modification_time,
                                     "dataChange", 0)
                         : NULL;
        if (add && f->stats && json_object_set_new(add, "stats", json_string(f->stats))) {
            json_decref(add);
            add = NULL;
        }
        if (!(st = add_action(body, "add", add, err)))
            ++*nadds, ++*nactions;
    }
    for (size_t i = 0; i < snap->ntombstones && !st; i++) {
        const lh_table_tombstone *t = &snap->tombstones[i];
        if (t->deletion_timestamp < min_deletion_ms)
            continue; /* expired: vacuum may have deleted the file already */
        lh_buf_reset(&enc);
        if ((st = lh__table_path_encode(t->path, &enc))) {
            st = unbuilt(err, st, "data file path too long");
            break;
        }
        json_t *rm = json_pack("{s:s, s:I, s:b}", "path", lh_buf_cstr(&enc), "deletionTimestamp",
                               (json_int_t)t->deletion_timestamp, "dataChange", 0);
        if (rm && t->size >= 0 && json_object_set_new(rm, "size", json_integer(t->size))) {
            json_decref(rm);
            rm = NULL;
        }
        if (!(st = add_action(body, "remove", rm, err)))
            ++*nactions;
    }
    lh_buf_release(&enc);
    if (!st && (st = lh_buf_status(body)))
        st = unbuilt(err, st, "checkpoint too large");
    return st;
}

/* _last_checkpoint, unless it already names a newer checkpoint (a slower writer of an
 * older one must not move readers back). */
static lh_status write_last(lh_store *s, const char *prefix, int64_t version, int64_t rows,
                            int64_t bytes, int64_t nadds, lh_err *err)
{
    lh_buf key, body;
    lh_buf_init(&key, 4096);
    lh_buf_init(&body, 1 << 20);
    lh_status st = lh__table_last_checkpoint_key(&key, prefix);
    if (st) {
        st = unbuilt(err, st, "table prefix too long");
        goto cleanup;
    }
    if (!lh_store_get(s, lh_buf_cstr(&key), 1 << 20, &body, NULL)) {
        json_t *j = lh_json_loadb(lh_buf_cstr(&body), body.len, 0, NULL);
        json_t *v = json_object_get(j, "version");
        bool newer = json_is_integer(v) && json_integer_value(v) > version;
        json_decref(j);
        if (newer)
            goto cleanup;
    }
    json_t *last = json_pack("{s:I, s:I, s:I, s:I}", "version", (json_int_t)version, "size",
                             (json_int_t)rows, "sizeInBytes", (json_int_t)bytes,
                             "numOfAddFiles", (json_int_t)nadds);
    char *text = last ? lh_json_dumps(last, JSON_COMPACT) : NULL;
    json_decref(last);
    if (!text) {
        st = lh_fail(err, LH_ENOMEM, "out of memory");
        goto cleanup;
    }
    st = lh_store_put(s, lh_buf_cstr(&key), text, strlen(text), err);
    free(text);
cleanup:
    lh_buf_release(&key);
    lh_buf_release(&body);
    return st;
}

lh_status lh_table_checkpoint_write(lh_store *s, const char *prefix,
                                    const lh_table_snapshot *snap,
                                    const lh_checkpoint_writer *w, int64_t min_deletion_ms,
                                    int64_t *rows, lh_err *err)
{
    if (!snap || !w || !w->write)
        return lh_fail(err, LH_EINVAL, "bad checkpoint request");
    char id[37];
    lh_uuid4(id);
    lh_buf body, dir, json_key, json_path, tmp_path, final_key;
    lh_buf_init(&body, LH__TABLE_MAX_COMMIT);
    lh_buf *paths[] = {&dir, &json_key, &json_path, &tmp_path, &final_key};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        lh_buf_init(paths[i], 8192);
    bool json_written = false, tmp_made = false;
    int64_t nadds = 0, nactions = 0, written = -1;
    lh_status st = build_actions(snap, min_deletion_ms, &body, &nadds, &nactions, err);
    if (st)
        goto cleanup;
    /* Both temp files sit in _delta_log under names the store never lists (layout.c). */
    lh_buf_printf(&dir, "%s/_delta_log", prefix);
    lh_buf_printf(&json_key, "%s/_delta_log/.tmp-%s.json", prefix, id);
    if ((st = lh_buf_status(&dir)) || (st = lh_buf_status(&json_key)) ||
        (st = lh__table_checkpoint_key(&final_key, prefix, snap->version))) {
        st = unbuilt(err, st, "table prefix too long");
        goto cleanup;
    }
    if ((st = lh_store_put(s, lh_buf_cstr(&json_key), lh_buf_cstr(&body), body.len, err)))
        goto cleanup;
    json_written = true;
    if ((st = lh_store_local_path(s, lh_buf_cstr(&json_key), &json_path, err)))
        goto cleanup;
    lh_buf local_dir;
    lh_buf_init(&local_dir, 8192);
    st = lh_store_local_path(s, lh_buf_cstr(&dir), &local_dir, err);
    if (!st && (st = lh_table_temp_path(lh_buf_cstr(&local_dir), id, &tmp_path)))
        st = unbuilt(err, st, "table prefix too long");
    lh_buf_release(&local_dir);
    if (st)
        goto cleanup;
    tmp_made = true;
    if ((st = w->write(w->self, lh_buf_cstr(&json_path), lh_buf_cstr(&tmp_path), &written, err)))
        goto cleanup;
    if (written != nactions) {
        st = lh_fail(err, LH_EIO, "checkpoint %lld: %lld rows written for %lld actions",
                     (long long)snap->version, (long long)written, (long long)nactions);
        goto cleanup;
    }
    if ((st = lh_fsync_path(lh_buf_cstr(&tmp_path), err)))
        goto cleanup;
    lh_object_info info = {0};
    lh_fault_point("checkpoint.before_rename");
    if ((st = lh_store_put_file(s, lh_buf_cstr(&final_key), lh_buf_cstr(&tmp_path), err)))
        goto cleanup;
    tmp_made = false;
    if ((st = lh_store_head(s, lh_buf_cstr(&final_key), &info, err)))
        goto cleanup;
    lh_fault_point("checkpoint.before_last");
    st = write_last(s, prefix, snap->version, nactions, info.size, nadds, err);
    if (!st && rows)
        *rows = nactions;
cleanup:
    if (tmp_made)
        remove(lh_buf_cstr(&tmp_path));
    if (json_written) {
        lh_err ignored;
        lh_store_delete(s, lh_buf_cstr(&json_key), &ignored);
    }
    lh_buf_release(&body);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        lh_buf_release(paths[i]);
    return st;
}

lh_status lh_table_drop_checkpoints_before(lh_store *s, const char *prefix, int64_t version,
                                           int64_t *dropped, lh_err *err)
{
    lh__log_listing l;
    lh_status st = lh__table_list_log(s, prefix, false, &l, err);
    if (st)
        return st;
    lh_buf key, body;
    lh_buf_init(&key, 4096);
    lh_buf_init(&body, 1 << 20);
    int64_t n = 0;
    /* First the hint, when it names one of them: it must never point at a missing file
     * (foreign readers trust it); ours list the log anyway. */
    st = lh__table_last_checkpoint_key(&key, prefix);
    if (st)
        st = unbuilt(err, st, "table prefix too long");
    else if (!lh_store_get(s, lh_buf_cstr(&key), 1 << 20, &body, NULL)) {
        json_t *j = lh_json_loadb(lh_buf_cstr(&body), body.len, 0, NULL);
        json_t *v = json_object_get(j, "version");
        bool older = !json_is_integer(v) || json_integer_value(v) < version;
        json_decref(j);
        if (older)
            st = lh_store_delete(s, lh_buf_cstr(&key), err);
    }
    for (size_t i = 0; i < l.ncps && !st; i++) {
        const lh__checkpoint_ref *c = &l.cps[i];
        if (c->version >= version)
            continue;
        for (int part = 1; part <= c->parts && !st; part++) {
            if (c->parts == 1)
                st = lh__table_checkpoint_key(&key, prefix, c->version);
            else {
                lh_buf_reset(&key);
                st = lh_buf_printf(&key, "%s/_delta_log/%020lld.checkpoint.%010d.%010d.parquet",
                                   prefix, (long long)c->version, part, c->parts);
            }
            st = st ? unbuilt(err, st, "table prefix too long")
                    : lh_store_delete(s, lh_buf_cstr(&key), err);
        }
        if (!st)
            n++;
    }
    lh_buf_release(&key);
    lh_buf_release(&body);
    lh__table_listing_release(&l);
    if (!st && dropped)
        *dropped = n;
    return st;
}
