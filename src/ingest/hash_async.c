/* hash_async.c: SHA-256 of a staged file on a helper thread, so that hashing overlaps
 * DuckDB's sniffing instead of adding to the ingest's wall time. */
#include <fcntl.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/util.h"
#include "ingest/ingest_int.h"

struct lh__hash_job {
    pthread_t thread;
    char *path;
    char sha[65];
    bool text;         /* refuse a NUL byte anywhere (text formats) */
    bool utf8;         /* refuse bytes that are not UTF-8 */
    lh_status st;
    lh_err err;
};

static void *hash_main(void *arg)
{
    lh__hash_job *h = arg;
    int fd = open(h->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        h->st = lh_fail(&h->err, LH_EIO, "open the staged copy: %s", strerror(errno));
        return NULL;
    }
    /* The same pass that stages converted files: here it only hashes and checks. */
    lh__decode_opts o = {.encode = h->utf8, .text = h->text};
    lh__decode_info info;
    h->st = lh__ingest_decode(fd, -1, &o, h->sha, &info, &h->err);
    close(fd);
    return NULL;
}

lh_status lh__hash_start(const char *path, bool text, bool utf8, lh__hash_job **out, lh_err *err)
{
    lh__hash_job *h = lh_calloc(1, sizeof *h);
    if (!h || !(h->path = lh_strdup(path))) {
        free(h);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    h->text = text;
    h->utf8 = utf8;
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
    /* The format check reads only the first 64 KiB; this pass sees every byte. */
    if (h->st)
        return lh_fail(err, h->st, "%s", h->err.msg);
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
