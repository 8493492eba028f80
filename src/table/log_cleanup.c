/* log_cleanup.c: deleting expired JSON commits behind a checkpoint (table.h, "Log
 * cleanup"; Delta's "metadata cleanup").
 *
 * A checkpoint at version K holds the whole table state at K, so commits 0..K-1 are
 * needed only to read versions below K. Once every one of them is older than the
 * retention (file modification time, as Delta's cleanup), those versions have expired
 * like the data files vacuum deletes, and the commits can go: readers start from the
 * checkpoint (log_read.c), foreign ones too (the protocol allows a log that starts at a
 * checkpoint). The checkpoint must read whole first: once its commits are gone, nothing
 * else rebuilds version K. */
#include <string.h>

#include "core/alloc.h"
#include "storage/storage.h"
#include "table/table_int.h"

typedef struct verify_ctx {
    bool protocol, metadata;
} verify_ctx;

static lh_status verify_action(void *vctx, json_t *action, lh_err *err)
{
    (void)err;
    verify_ctx *v = vctx;
    if (json_is_object(json_object_get(action, "protocol")))
        v->protocol = true;
    if (json_is_object(json_object_get(action, "metaData")))
        v->metadata = true;
    return LH_OK;
}

/* Whether the single-part checkpoint at version reads whole, with protocol and metaData. */
static bool checkpoint_reads(lh_store *s, const char *prefix, int64_t version,
                             const lh_checkpoint_reader *cp)
{
    lh_buf key, local;
    lh_buf_init(&key, 4096);
    lh_buf_init(&local, 4096);
    verify_ctx v = {0};
    bool ok = cp && cp->read && !lh__table_checkpoint_key(&key, prefix, version) &&
              !lh_store_local_path(s, lh_buf_cstr(&key), &local, NULL) &&
              !cp->read(cp->self, lh_buf_cstr(&local), verify_action, &v, NULL) && v.protocol &&
              v.metadata;
    lh_buf_release(&key);
    lh_buf_release(&local);
    return ok;
}

static lh_status info_action(void *vctx, json_t *action, lh_err *err)
{
    json_t *ci = json_object_get(action, "commitInfo");
    if (json_is_object(ci) && json_array_append(vctx, ci))
        return lh_fail(err, LH_ENOMEM, "out of memory");
    return LH_OK;
}

lh_status lh_table_log_expired(lh_store *s, const char *prefix, const lh_checkpoint_reader *cp,
                               int64_t cutoff_ms, int64_t *below, json_t **infos, lh_err *err)
{
    *below = -1;
    *infos = NULL;
    lh__log_listing l;
    lh_status st = lh__table_list_log(s, prefix, true, &l, err);
    if (st)
        return st;
    /* Newest complete single-part checkpoint K with a commit below it and every commit
     * below it expired (ours are single-part; a multi-part one is left alone). */
    for (size_t i = l.ncps; i-- > 0 && *below < 0;) {
        const lh__checkpoint_ref *c = &l.cps[i];
        if (c->parts != 1 || c->seen != 1)
            continue;
        size_t n = 0;
        bool expired = true;
        for (size_t j = 0; j < l.ncommits && l.commits[j] < c->version; j++, n++)
            if (l.commit_mtimes[j] >= cutoff_ms)
                expired = false;
        if (n && expired && checkpoint_reads(s, prefix, c->version, cp))
            *below = c->version;
    }
    json_t *arr = *below >= 0 ? json_array() : NULL;
    if (*below >= 0 && !arr)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t j = 0; !st && arr && j < l.ncommits && l.commits[j] < *below; j++) {
        st = lh__table_read_commit(s, prefix, l.commits[j], info_action, arr, err);
        if (st == LH_ENOTFOUND) /* deleted meanwhile: nothing of it to keep */
            st = LH_OK;
    }
    lh__table_listing_release(&l);
    if (st) {
        json_decref(arr);
        *below = -1;
        return st;
    }
    *infos = arr;
    return LH_OK;
}

lh_status lh_table_log_cleanup(lh_store *s, const char *prefix, int64_t below, int64_t *deleted,
                               lh_err *err)
{
    *deleted = 0;
    lh__log_listing l;
    lh_status st = lh__table_list_log(s, prefix, false, &l, err);
    if (st)
        return st;
    lh_buf key;
    lh_buf_init(&key, 4096);
    /* The checkpoint must still be there (nothing else rebuilds version below). */
    bool have = false;
    for (size_t i = 0; i < l.ncps; i++)
        have = have || (l.cps[i].version == below && l.cps[i].parts == 1 && l.cps[i].seen == 1);
    if (!have)
        st = lh_fail(err, LH_ENOTFOUND, "no checkpoint at version %lld", (long long)below);
    /* Oldest first: a crash halfway leaves the log a contiguous run of commits after
     * a gap, which every reader handles as a cleaned log. */
    for (size_t j = 0; !st && j < l.ncommits && l.commits[j] < below; j++) {
        if ((st = lh__table_commit_key(&key, prefix, l.commits[j]))) {
            st = lh_fail(err, st, "table prefix too long");
            break;
        }
        st = lh_store_delete(s, lh_buf_cstr(&key), err);
        if (st == LH_ENOTFOUND)
            st = LH_OK;
        else if (!st)
            (*deleted)++;
    }
    lh_buf_release(&key);
    lh__table_listing_release(&l);
    /* Older checkpoints only rebuilt versions that are gone now. */
    if (!st)
        st = lh_table_drop_checkpoints_before(s, prefix, below, NULL, err);
    return st;
}
