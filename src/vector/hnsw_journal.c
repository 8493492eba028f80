/* hnsw_journal.c: the trial journal, _hnsw_trials/<index>.jsonl (tune.h): one JSON line per
 * trial, appended and fsynced (lh_store_append) under one lock per process; a line torn by
 * a kill is skipped on read, and the next append starts on a fresh line (as the tombstone
 * files do, catalog/tombstones.c). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/util.h"
#include "storage/storage.h"
#include "vector/index.h"
#include "vector/tune_int.h"

#define TRIALS "_hnsw_trials"
/* A journal is read whole: ~600 bytes a line, so ~100,000 trials. */
#define JOURNAL_MAX ((size_t)64 << 20)

static pthread_mutex_t journal_mu = PTHREAD_MUTEX_INITIALIZER;

static lh_status journal_key(lh_store *s, const char *index, lh_buf *key, lh_err *err)
{
    /* the index must exist (its name is then a safe key segment) */
    json_t *e = NULL;
    lh_status st = lh_vec_registry_get(s, index, &e, err);
    json_decref(e);
    lh_buf_init(key, 0);
    if (!st && lh_buf_printf(key, TRIALS "/%s.jsonl", index))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    return st;
}

lh_status lh__trial_append(lh_store *s, const char *index, const json_t *trial, lh_err *err)
{
    lh_buf key, text, local;
    lh_buf_init(&text, 0);
    lh_buf_init(&local, 4096);
    lh_status st = journal_key(s, index, &key, err);
    char *line = st ? NULL : lh_json_dumps(trial, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!st && !line)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    pthread_mutex_lock(&journal_mu);
    lh_object_info info = {0};
    if (!st && !lh_store_head(s, key.data, &info, NULL) && info.size > 0 &&
        !(st = lh_store_local_path(s, key.data, &local, err))) {
        FILE *f = fopen(local.data, "rb");
        if (f && !fseek(f, -1, SEEK_END) && fgetc(f) != '\n')
            lh_buf_addc(&text, '\n'); /* a killed append left half a line */
        if (f)
            fclose(f);
    }
    if (!st && (uint64_t)info.size + strlen(line) + 2 > JOURNAL_MAX)
        st = lh_fail(err, LH_ETOOBIG, "the trial journal of %s is full (%zu MiB)", index,
                     JOURNAL_MAX >> 20);
    if (!st) {
        lh_buf_adds(&text, line);
        lh_buf_addc(&text, '\n');
        st = lh_buf_status(&text) ? lh_fail(err, LH_ENOMEM, "out of memory")
                                  : lh_store_append(s, key.data, text.data, text.len, err);
    }
    pthread_mutex_unlock(&journal_mu);
    free(line);
    lh_buf_release(&key);
    lh_buf_release(&text);
    lh_buf_release(&local);
    return st;
}

lh_status lh_vec_trials_list(lh_store *s, const char *index, json_t **out, lh_err *err)
{
    *out = NULL;
    lh_buf key, text;
    lh_buf_init(&text, 0);
    lh_status st = journal_key(s, index, &key, err);
    if (!st)
        st = lh_store_get(s, key.data, JOURNAL_MAX, &text, err);
    if (st == LH_ENOTFOUND && lh_buf_status(&key) == LH_OK && key.len)
        st = LH_OK; /* no trial yet */
    json_t *all = st ? NULL : json_array();
    if (!st && !all)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t pos = 0; !st && pos < text.len;) {
        const char *p = text.data + pos;
        const char *nl = memchr(p, '\n', text.len - pos);
        size_t n = nl ? (size_t)(nl - p) : text.len - pos;
        pos += n + 1;
        json_t *v = n ? lh_json_loadb(p, n, 0, NULL) : NULL;
        if (json_is_object(v))
            json_array_append(all, v);
        else if (n)
            lh_log(LH_LOG_WARN, "trial journal of %s: skipping an unreadable line (a torn append?)", index);
        json_decref(v);
    }
    lh_buf_release(&key);
    lh_buf_release(&text);
    if (st) {
        json_decref(all);
        return st;
    }
    *out = all;
    return LH_OK;
}

lh_status lh_vec_trial_get(lh_store *s, const char *index, const char *trial_id, json_t **out,
                           lh_err *err)
{
    *out = NULL;
    json_t *all = NULL;
    lh_status st = lh_vec_trials_list(s, index, &all, err);
    size_t i;
    json_t *t;
    json_array_foreach(all, i, t)
        if (!strcmp(json_string_value(json_object_get(t, "trial_id")) ?: "", trial_id))
            *out = json_incref(t);
    json_decref(all);
    if (!st && !*out)
        st = lh_fail(err, LH_ENOTFOUND, "no trial '%.64s' of index '%s'", trial_id, index);
    return st;
}
