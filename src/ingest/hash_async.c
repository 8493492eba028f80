/* hash_async.c: SHA-256 of a staged file on a helper thread, so that hashing overlaps
 * DuckDB's sniffing instead of adding to the ingest's wall time. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ingest/ingest_int.h"

struct lh__hash_job {
    pthread_t thread;
    char *path;
    char sha[65];
    bool text;         /* refuse a NUL byte anywhere (text formats) */
    int64_t first_nul; /* -1 when none */
    lh_status st;
    lh_err err;
};

static void *hash_main(void *arg)
{
    lh__hash_job *h = arg;
    h->st = lh_sha256_file_nul(h->path, h->sha, NULL, h->text ? &h->first_nul : NULL, &h->err);
    return NULL;
}

lh_status lh__hash_start(const char *path, bool text, lh__hash_job **out, lh_err *err)
{
    lh__hash_job *h = calloc(1, sizeof *h);
    if (!h || !(h->path = strdup(path))) {
        free(h);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    h->text = text;
    h->first_nul = -1;
    if (pthread_create(&h->thread, NULL, hash_main, h)) {
        /* No thread to be had: hash here instead. */
        hash_main(h);
        h->thread = pthread_self();
    }
    *out = h;
    return LH_OK;
}

lh_status lh__hash_wait(void *ctx, char sha[65], lh_err *err)
{
    lh__hash_job *h = ctx;
    if (!pthread_equal(h->thread, pthread_self()))
        pthread_join(h->thread, NULL);
    h->thread = pthread_self();
    if (h->st)
        return lh_fail(err, h->st, "%s", h->err.msg);
    /* The format check reads only the first 64 KiB; this pass sees every byte. */
    if (h->first_nul >= 0)
        return lh_fail(err, LH_EINVAL, "holds binary data: a NUL byte at offset %lld; text "
                       "formats cannot hold NUL bytes", (long long)h->first_nul);
    memcpy(sha, h->sha, 65);
    return LH_OK;
}

void lh__hash_free(lh__hash_job *h)
{
    if (!h)
        return;
    if (!pthread_equal(h->thread, pthread_self()))
        pthread_join(h->thread, NULL);
    free(h->path);
    free(h);
}
