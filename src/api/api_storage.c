/* api_storage.c: /storage/objects. User objects live under "objects/" in the bucket, so
 * no key can touch the catalog or a table (and every key is checked: no "..", no
 * absolute path, no control characters). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_int.h"
#include "storage/storage.h"

#define OBJECTS "objects/"

static bool object_key(lh_http_req *r, const char *key, lh_buf *out)
{
    lh_err err;
    if (lh_store_check_key(key, &err)) {
        lh_http_reply_status(r, LH_EINVAL, err.msg);
        return false;
    }
    lh_buf_printf(out, OBJECTS "%s", key);
    lh_status st = lh_buf_status(out);
    if (st) {
        lh_http_reply_status(r, st, st == LH_ETOOBIG ? "object key too long" : "out of memory");
        return false;
    }
    return true;
}

void lh__api_object_put(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_buf key;
    lh_buf_init(&key, 2048);
    if (object_key(r, lh_http_param(r, "key"), &key)) {
        const lh_buf *body = lh_http_body_raw(r);
        lh_err err;
        lh_status st = lh_store_put(lh_lake_store(a->lake), lh_buf_cstr(&key), lh_buf_cstr(body), body->len, &err);
        if (st)
            lh_http_reply_status(r, st, err.msg);
        else
            lh_http_reply_json(r, 201, json_pack("{s:s, s:I}", "key", lh_http_param(r, "key"), "size",
                                                 (json_int_t)body->len));
    }
    lh_buf_release(&key);
}

/* Sent from the file (sendfile), never read into memory: a few slow readers of a large
 * object would otherwise each pin a copy of it. The open descriptor keeps the bytes of the
 * version we opened even if a PUT replaces the object meanwhile (puts rename over it). */
void lh__api_object_get(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_buf key, path;
    lh_buf_init(&key, 2048);
    lh_buf_init(&path, 4096);
    if (object_key(r, lh_http_param(r, "key"), &key)) {
        lh_err err;
        lh_status st = lh_store_local_path(lh_lake_store(a->lake), lh_buf_cstr(&key), &path, &err);
        int fd = st ? -1 : open(lh_buf_cstr(&path), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat sb;
        if (st)
            lh_http_reply_status(r, st, err.msg);
        else if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
            lh_http_reply_error(r, 404, "not_found", "no such object");
        else if (fd < 0 || fstat(fd, &sb))
            lh_http_reply_status(r, LH_EIO, strerror(errno));
        else if (!S_ISREG(sb.st_mode))
            lh_http_reply_error(r, 404, "not_found", "no such object");
        else {
            lh_http_reply_fd(r, 200, "application/octet-stream", fd, (uint64_t)sb.st_size);
            fd = -1; /* the reply owns it */
        }
        if (fd >= 0)
            close(fd);
    }
    lh_buf_release(&key);
    lh_buf_release(&path);
}

void lh__api_object_delete(lh_http_req *r, void *app)
{
    lh_api *a = app;
    lh_buf key;
    lh_buf_init(&key, 2048);
    if (object_key(r, lh_http_param(r, "key"), &key)) {
        lh_err err;
        lh_object_info info;
        lh_status st = lh_store_head(lh_lake_store(a->lake), lh_buf_cstr(&key), &info, &err);
        if (!st)
            st = lh_store_delete(lh_lake_store(a->lake), lh_buf_cstr(&key), &err);
        if (st == LH_ENOTFOUND)
            lh_http_reply_error(r, 404, "not_found", "no such object");
        else if (st)
            lh_http_reply_status(r, st, err.msg);
        else
            lh_http_reply_bytes(r, 204, "application/json", "", 0);
    }
    lh_buf_release(&key);
}

static int list_cb(void *ctx, const char *key, const lh_object_info *info)
{
    json_array_append_new(ctx, json_pack("{s:s, s:I, s:I}", "key", key + strlen(OBJECTS), "size",
                                         (json_int_t)info->size, "mtime_ms", (json_int_t)info->mtime_ms));
    return json_array_size(ctx) >= 10000; /* a page is enough; say so below */
}

void lh__api_objects_list(lh_http_req *r, void *app)
{
    lh_api *a = app;
    const char *prefix = lh_http_query(r, "prefix");
    lh_buf p;
    lh_buf_init(&p, 2048);
    lh_buf_printf(&p, OBJECTS "%s", prefix ? prefix : "");
    lh_err err;
    json_t *items = json_array();
    lh_status st = prefix && *prefix && strstr(prefix, "..")
                       ? lh_fail(&err, LH_EINVAL, "prefix may not contain '..'")
                   : lh_buf_status(&p) ? lh_fail(&err, lh_buf_status(&p), "prefix too long")
                       : lh_store_list(lh_lake_store(a->lake), lh_buf_cstr(&p), list_cb, items, &err);
    if (st) {
        json_decref(items);
        lh_http_reply_status(r, st, err.msg);
    } else {
        bool truncated = json_array_size(items) >= 10000;
        lh_http_reply_json(r, 200, json_pack("{s:o, s:b}", "objects", items, "truncated", truncated));
    }
    lh_buf_release(&p);
}
