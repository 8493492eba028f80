/* log_write.c: writing one commit with put-if-absent; pure appends retry on conflict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/util.h"
#include "table/table_int.h"

/* How often a pure append re-reads the log after losing a race before giving up. */
#define MAX_APPEND_RETRIES 1000

static lh_status add_line(lh_buf *body, json_t *action, lh_err *err)
{
    if (!action)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    char *s = lh_json_dumps(action, JSON_COMPACT);
    json_decref(action);
    if (!s)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lh_buf_adds(body, s);
    lh_buf_addc(body, '\n');
    free(s);
    lh_status st = lh_buf_status(body);
    return st ? lh_fail(err, st, "commit too large") : LH_OK;
}

/* The schema must be a struct whose every type we can read back. */
static lh_status check_schema(const json_t *schema, lh_err *err)
{
    const json_t *fields = json_object_get(schema, "fields");
    if (!json_is_object(schema) || !json_is_array(fields) || json_array_size(fields) == 0)
        return lh_fail(err, LH_EINVAL, "schema must be a struct with at least one field");
    lh_buf t;
    lh_buf_init(&t, 0);
    lh_status st = lh_table_duckdb_type(schema, &t, err);
    lh_buf_release(&t);
    return st;
}

static lh_status encoded_path(const char *path, lh_buf *enc, lh_err *err)
{
    if (!path || lh_store_check_key(path, NULL))
        return lh_fail(err, LH_EINVAL, "data file path '%s' is not a relative path",
                       path ? path : "(null)");
    lh_buf_reset(enc);
    if (lh__table_path_encode(path, enc))
        return lh_fail(err, LH_ETOOBIG, "data file path too long");
    return LH_OK;
}

static lh_status build_body(const lh_table_commit_spec *spec, bool create, bool blind,
                            lh_buf *body, lh_err *err)
{
    int64_t now = lh_now_ms();
    json_t *params = spec->operation_parameters ? json_deep_copy(spec->operation_parameters)
                                                : json_object();
    lh_status st = add_line(body,
                            json_pack("{s:{s:I, s:s, s:o, s:b, s:s}}", "commitInfo", "timestamp",
                                      (json_int_t)now, "operation",
                                      spec->operation ? spec->operation : "WRITE",
                                      "operationParameters", params, "isBlindAppend", blind,
                                      "engineInfo", "lakehouse/" LH_VERSION),
                            err);
    if (!st && create)
        st = add_line(body,
                      json_pack("{s:{s:i, s:i}}", "protocol", "minReaderVersion", 1,
                                "minWriterVersion", 2),
                      err);
    if (!st && spec->schema) {
        char uuid[37];
        lh_uuid4(uuid);
        char *ss = lh_json_dumps(spec->schema, JSON_COMPACT);
        if (!ss)
            return lh_fail(err, LH_ENOMEM, "out of memory");
        st = add_line(body,
                      json_pack("{s:{s:s, s:{s:s, s:{}}, s:s, s:[], s:{}, s:I}}", "metaData", "id",
                                spec->table_id ? spec->table_id : uuid, "format", "provider",
                                "parquet", "options", "schemaString", ss, "partitionColumns",
                                "configuration", "createdTime", (json_int_t)now),
                      err);
        free(ss);
    }
    lh_buf enc;
    lh_buf_init(&enc, 8192);
    for (size_t i = 0; i < spec->nremoves && !st; i++) {
        if (!(st = encoded_path(spec->removes[i], &enc, err)))
            st = add_line(body,
                          json_pack("{s:{s:s, s:I, s:b}}", "remove", "path", lh_buf_cstr(&enc),
                                    "deletionTimestamp", (json_int_t)now, "dataChange", 1),
                          err);
    }
    for (size_t i = 0; i < spec->nadds && !st; i++) {
        const lh_table_add *a = &spec->adds[i];
        if ((st = encoded_path(a->path, &enc, err)))
            break;
        if (a->size < 0) {
            st = lh_fail(err, LH_EINVAL, "data file '%s' has a negative size", a->path);
            break;
        }
        if (a->stats) {
            json_t *parsed = lh_json_loadb(a->stats, strlen(a->stats), 0, NULL);
            bool ok = json_is_object(parsed);
            json_decref(parsed);
            if (!ok) {
                st = lh_fail(err, LH_EINVAL, "stats for '%s' are not a JSON object", a->path);
                break;
            }
        }
        json_t *add = json_pack("{s:s, s:{}, s:I, s:I, s:b}", "path", lh_buf_cstr(&enc), "partitionValues",
                                "size", (json_int_t)a->size, "modificationTime",
                                (json_int_t)a->modification_time, "dataChange", 1);
        if (add && a->stats)
            json_object_set_new(add, "stats", json_string(a->stats));
        st = add_line(body, add ? json_pack("{s:o}", "add", add) : NULL, err);
    }
    lh_buf_release(&enc);
    return st;
}

/* True when key holds exactly body: our own commit, visible despite a failed put. */
static bool commit_landed(lh_store *s, const char *key, const lh_buf *body)
{
    lh_buf got;
    lh_buf_init(&got, body->len + 1);
    lh_err ignored;
    bool same = !lh_store_get(s, key, body->len + 1, &got, &ignored) && got.len == body->len &&
                !memcmp(lh_buf_cstr(&got), lh_buf_cstr(body), body->len);
    lh_buf_release(&got);
    return same;
}

lh_status lh_table_commit(lh_store *s, const char *prefix, int64_t read_version,
                          const lh_table_commit_spec *spec, int64_t *new_version, lh_err *err)
{
    if (!spec || read_version < -1)
        return lh_fail(err, LH_EINVAL, "bad commit request");
    if (read_version == -1 && !spec->schema)
        return lh_fail(err, LH_EINVAL, "the first commit of %s needs a schema", prefix);
    if ((spec->nadds && !spec->adds) || (spec->nremoves && !spec->removes))
        return lh_fail(err, LH_EINVAL, "bad commit request");
    lh_status st;
    if (spec->schema && (st = check_schema(spec->schema, err)))
        return st;
    bool create = read_version == -1;
    bool blind = !spec->schema && spec->nremoves == 0;
    lh_buf body, key;
    lh_buf_init(&body, LH__TABLE_MAX_COMMIT);
    lh_buf_init(&key, 4096);
    if ((st = build_body(spec, create, blind, &body, err)))
        goto cleanup;
    if (read_version >= 0) {
        /* Writing read_version+1 onto a log that does not reach read_version would leave a
         * gap that no reader could cross. */
        lh_object_info info;
        if ((st = lh__table_commit_key(&key, prefix, read_version))) {
            st = lh_fail(err, st, "table prefix too long");
            goto cleanup;
        }
        if ((st = lh_store_head(s, lh_buf_cstr(&key), &info, err))) {
            if (st == LH_ENOTFOUND)
                lh_fail(err, st, "table %s has no version %lld to commit after", prefix,
                        (long long)read_version);
            goto cleanup;
        }
    }
    int64_t v = read_version + 1;
    for (int attempt = 0;; attempt++) {
        if ((st = lh__table_commit_key(&key, prefix, v))) {
            st = lh_fail(err, st, "table prefix too long");
            break;
        }
        lh_fault_point("commit.before_log");
        st = lh_store_put_if_absent(s, lh_buf_cstr(&key), lh_buf_cstr(&body), body.len, err);
        if (!st) {
            lh_fault_point("commit.after_log");
            *new_version = v;
            break;
        }
        if (st != LH_EEXIST) {
            /* The link may have landed before the failure (say only the directory fsync
             * failed): then the commit is in the log, read by everyone, and the caller must
             * not undo its data files. It still gets the error: durability is in doubt. */
            if (commit_landed(s, lh_buf_cstr(&key), &body))
                *new_version = v;
            break;
        }
        if (!blind) {
            st = lh_fail(err, LH_ECONFLICT, create ? "table %s already exists"
                                                   : "table %s: version %lld was committed by "
                                                     "another writer",
                         prefix, (long long)v);
            break;
        }
        if (attempt >= MAX_APPEND_RETRIES) {
            st = lh_fail(err, LH_ECONFLICT, "table %s: gave up after %d conflicting appends",
                         prefix, attempt);
            break;
        }
        int64_t latest;
        if ((st = lh_table_latest_version(s, prefix, &latest, err)))
            break;
        v = latest + 1 > v ? latest + 1 : v + 1;
    }
cleanup:
    lh_buf_release(&body);
    lh_buf_release(&key);
    return st;
}
