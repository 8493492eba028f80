/* job.c: job documents and their files under _jobs/ (index_int.h). */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/util.h"
#include "storage/storage.h"
#include "vector/index_int.h"

#define JOB_MAX ((size_t)16 << 20)

static json_t *now_string(void)
{
    char ts[32];
    lh_format_time(lh_now_ms(), ts);
    return json_string(ts);
}

json_t *lh__vec_job_new_doc(const lh_vec_spec *spec, int64_t source_version, const char *actor)
{
    char uuid[37], id[48];
    lh_uuid4(uuid);
    /* time first, so that ids sort by creation */
    snprintf(id, sizeof id, "vj-%013lld-%.8s", (long long)lh_now_ms(), uuid);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:n, s:n, s:I, s:I, s:I, s:f, "
                            "s:f, s:n, s:n, s:s, s:b, s:[]}",
                            "id", id, "kind", "index", "index", spec->name, "state", "queued",
                            "spec", lh_vec_spec_to_json(spec), "source_version",
                            (json_int_t)source_version, "created_at", now_string(), "started_at",
                            "finished_at", "rows_total", (json_int_t)-1, "rows_done",
                            (json_int_t)0, "chunks_done", (json_int_t)0, "percent", 0.0,
                            "rows_per_s", 0.0, "eta_s", "error", "actor", actor ? actor : "cli",
                            "fitted", false, "batches");
    return doc;
}

lh_status lh__vec_job_save(lh_store *s, lh__vec_job *j, lh_err *err)
{
    pthread_mutex_lock(&j->mu);
    char *text = lh_json_dumps(j->doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    const char *id = json_string_value(json_object_get(j->doc, "id"));
    lh_buf key;
    lh_buf_init(&key, 0);
    lh_vec_job_key(id ? id : "", &key);
    pthread_mutex_unlock(&j->mu);
    lh_status st = !text || lh_buf_status(&key) ? lh_fail(err, LH_ENOMEM, "out of memory")
                 : lh_store_put(s, key.data, text, strlen(text), err);
    free(text);
    lh_buf_release(&key);
    return st;
}

lh_status lh__vec_job_load(lh_store *s, const char *id, json_t **out, lh_err *err)
{
    *out = NULL;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return lh_fail(err, LH_ENOTFOUND, "no job '%.64s'", id);
    lh_buf key, text;
    lh_buf_init(&key, 0);
    lh_buf_init(&text, 0);
    lh_status st = lh_vec_job_key(id, &key) ? lh_fail(err, LH_ENOMEM, "out of memory")
                 : lh_store_get(s, key.data, JOB_MAX, &text, err);
    if (st == LH_ENOTFOUND)
        st = lh_fail(err, LH_ENOTFOUND, "no job '%.64s'", id);
    if (!st) {
        json_error_t je;
        *out = lh_json_loadb(text.data, text.len, 0, &je);
        if (!json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            st = lh_fail(err, LH_ECORRUPT, "job file of '%.64s' is not a JSON object", id);
        }
    }
    lh_buf_release(&key);
    lh_buf_release(&text);
    return st;
}

static int collect(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    json_t *ids = ctx;
    const char *base = strrchr(key, '/');
    base = base ? base + 1 : key;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".json") && !strncmp(base, "vj-", 3))
        json_array_append_new(ids, json_stringn(base, n - 5));
    return 0;
}

lh_status lh__vec_job_list(lh_store *s, json_t **out, lh_err *err)
{
    *out = json_array();
    json_t *ids = json_array();
    if (!*out || !ids) {
        json_decref(ids);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    lh_buf prefix;
    lh_buf_init(&prefix, 0);
    lh_buf_printf(&prefix, "%s/", lh__vec_jobs_dir());
    lh_status st = lh_store_list(s, prefix.data, collect, ids, err);
    if (st == LH_ENOTFOUND)
        st = LH_OK;
    /* listed in key order = creation order; newest first */
    for (size_t i = json_array_size(ids); !st && i-- > 0;) {
        json_t *doc = NULL;
        lh_err e2;
        if (!lh__vec_job_load(s, json_string_value(json_array_get(ids, i)), &doc, &e2))
            json_array_append_new(*out, doc);
    }
    json_decref(ids);
    lh_buf_release(&prefix);
    return st;
}

bool lh__vec_job_unfinished(const json_t *doc)
{
    const char *st = json_string_value(json_object_get(doc, "state"));
    return st && (!strcmp(st, "queued") || !strcmp(st, "running"));
}

bool lh__vec_job_is_build(const json_t *doc)
{
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    return !kind || !strcmp(kind, "index");
}
