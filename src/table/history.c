/* history.c: one entry per commit still in the log, newest first. */
#include <string.h>

#include "table/table_int.h"

typedef struct hist_ctx {
    json_t *commit_info;   /* borrowed copy (incref) */
    json_int_t adds, removes;
} hist_ctx;

static lh_status hist_action(void *vctx, json_t *action, lh_err *err)
{
    (void)err;
    hist_ctx *h = vctx;
    if (json_is_object(json_object_get(action, "add")))
        h->adds++;
    if (json_is_object(json_object_get(action, "remove")))
        h->removes++;
    json_t *ci = json_object_get(action, "commitInfo");
    if (json_is_object(ci) && !h->commit_info)
        h->commit_info = json_incref(ci);
    return LH_OK;
}

lh_status lh_table_history(lh_store *s, const char *prefix, json_t **out, lh_err *err)
{
    return lh_table_history_from(s, prefix, 0, out, err);
}

lh_status lh_table_history_from(lh_store *s, const char *prefix, int64_t from, json_t **out,
                                lh_err *err)
{
    lh__log_listing l;
    lh_status st = lh__table_list_log(s, prefix, false, &l, err);
    if (st)
        return st;
    if (l.ncommits == 0) {
        lh__table_listing_release(&l);
        return lh_fail(err, LH_ENOTFOUND, "no Delta log under %s", prefix);
    }
    json_t *arr = json_array();
    lh_buf key;
    lh_buf_init(&key, 4096);
    for (size_t i = l.ncommits; i-- > 0 && !st && l.commits[i] >= from;) {
        hist_ctx h = {0};
        st = lh__table_read_commit(s, prefix, l.commits[i], hist_action, &h, err);
        if (!st) {
            json_t *ci = h.commit_info;
            json_t *ts = json_object_get(ci, "timestamp");
            json_t *op = json_object_get(ci, "operation");
            json_t *params = json_object_get(ci, "operationParameters");
            /* A commit without a commitInfo timestamp (another writer's) shows its file's
             * mtime, looked up for it alone: the listing reads names, not every mtime. */
            json_int_t when = json_is_integer(ts) ? json_integer_value(ts) : 0;
            lh_object_info info;
            if (!json_is_integer(ts) && !lh__table_commit_key(&key, prefix, l.commits[i]) &&
                !lh_store_head(s, lh_buf_cstr(&key), &info, NULL))
                when = (json_int_t)info.mtime_ms;
            json_t *e = json_pack("{s:I, s:I, s:O, s:o, s:I, s:I}", "version",
                                  (json_int_t)l.commits[i], "timestamp", when,
                                  "operation", json_is_string(op) ? op : json_null(),
                                  "operationParameters",
                                  json_is_object(params) ? json_incref(params) : json_object(), "adds",
                                  h.adds, "removes", h.removes);
            if (!e || json_array_append_new(arr, e))
                st = lh_fail(err, LH_ENOMEM, "out of memory");
        }
        json_decref(h.commit_info);
    }
    lh_buf_release(&key);
    lh__table_listing_release(&l);
    if (st) {
        json_decref(arr);
        return st;
    }
    *out = arr;
    return LH_OK;
}
