/* multipart.c: multipart/form-data bodies. libmicrohttpd's post processor splits the
 * parts; each file part streams into its own file under the staging directory (created
 * O_EXCL | O_NOFOLLOW, named by us, never by the client), other fields are kept. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "http/http_int.h"

#define MAX_FIELD_BYTES 4096

static upload *current_upload(lh_http_req *r, const char *key, const char *filename, uint64_t off)
{
    if (r->nfiles) {
        upload *u = &r->files[r->nfiles - 1];
        /* Data at offset 0 starts a new part, even one with the same field and file name. */
        if (u->fd >= 0 && off > 0 && !strcmp(u->field, key) && !strcmp(u->filename, filename))
            return u;
        if (u->fd >= 0) {
            close(u->fd); /* the previous file part is complete */
            u->fd = -1;
        }
    }
    if (r->nfiles == LH_HTTP_MAX_FILES) {
        r->upload_st = LH_ETOOBIG;
        snprintf(r->upload_msg, sizeof r->upload_msg, "at most %d files per request",
                 LH_HTTP_MAX_FILES);
        return NULL;
    }
    upload *u = &r->files[r->nfiles];
    char id[33];
    lh_random_hex(id, 16);
    lh_buf path;
    lh_buf_init(&path, 4096);
    if (lh_buf_printf(&path, "%s/upload-%s", r->srv->staging_dir, id)) {
        r->upload_st = LH_ENOMEM;
        snprintf(r->upload_msg, sizeof r->upload_msg, "%s", "cannot stage upload: out of memory");
        lh_buf_release(&path);
        return NULL;
    }
    u->fd = open(lh_buf_cstr(&path), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (u->fd < 0) {
        r->upload_st = LH_EIO;
        snprintf(r->upload_msg, sizeof r->upload_msg, "cannot stage upload: %s", strerror(errno));
        lh_buf_release(&path);
        return NULL;
    }
    u->path = lh_buf_detach(&path);
    u->field = lh_strdup(key);
    u->filename = lh_strdup(filename);
    r->nfiles++; /* counted now, so the request's cleanup unlinks the staged file whatever follows */
    if (!u->field || !u->filename) {
        r->upload_st = LH_ENOMEM;
        snprintf(r->upload_msg, sizeof r->upload_msg, "%s", "cannot stage upload: out of memory");
        return NULL;
    }
    u->file.size = 0;
    return u;
}

/* Stores the plain field gathered so far into r->form; false (with the request's error
 * set) when it is not UTF-8 text or memory ran out. */
static bool flush_field(lh_http_req *r)
{
    const char *key = r->field_key;
    lh_status st = lh_buf_status(&r->field_raw);
    const char *v = lh_buf_cstr(&r->field_raw);
    size_t n = r->field_raw.len;
    if (st) {
        r->upload_st = st;
        snprintf(r->upload_msg, sizeof r->upload_msg, "out of memory");
    } else if (!lh_utf8_valid(key, strlen(key))) {
        r->upload_st = LH_EINVAL;
        snprintf(r->upload_msg, sizeof r->upload_msg, "a form field name is not valid UTF-8");
    } else if (!lh_utf8_valid(v, n)) {
        r->upload_st = LH_EINVAL;
        snprintf(r->upload_msg, sizeof r->upload_msg, "form field '%.64s' is not valid UTF-8 "
                 "text", key);
        lh_utf8_scrub(r->upload_msg);
    } else if (json_object_set_new(r->form, key, json_stringn(v, n))) {
        r->upload_st = LH_ENOMEM;
        snprintf(r->upload_msg, sizeof r->upload_msg, "out of memory");
    }
    free(r->field_key);
    r->field_key = NULL;
    lh_buf_reset(&r->field_raw);
    return !r->upload_st;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    (void)kind; (void)content_type; (void)transfer_encoding;
    lh_http_req *r = cls;
    if (r->upload_st)
        return MHD_NO;
    if (!key)
        key = "";
    if (!filename) {
        /* A plain field: its pieces are gathered raw and stored whole (flush_field). Data at
         * offset 0 starts a field; a later field of the same name replaces the earlier. */
        if (r->field_key && (off == 0 || strcmp(r->field_key, key)) && !flush_field(r))
            return MHD_NO;
        if (!r->field_key && !(r->field_key = lh_strdup(key))) {
            r->upload_st = LH_ENOMEM;
            snprintf(r->upload_msg, sizeof r->upload_msg, "out of memory");
            return MHD_NO;
        }
        if (r->field_raw.len + size > MAX_FIELD_BYTES) {
            r->upload_st = LH_ETOOBIG;
            snprintf(r->upload_msg, sizeof r->upload_msg, "form field '%.64s' is over %d bytes",
                     key, MAX_FIELD_BYTES);
            return MHD_NO;
        }
        if (size)
            lh_buf_add(&r->field_raw, data, size);
        return MHD_YES;
    }
    if (r->field_key && !flush_field(r))
        return MHD_NO;
    upload *u = current_upload(r, key, filename, off);
    if (!u)
        return MHD_NO;
    lh_err werr;
    if (lh_write_all(u->fd, data, size, "the staged upload", &werr)) {
        r->upload_st = LH_EIO;
        snprintf(r->upload_msg, sizeof r->upload_msg, "cannot stage upload: %.200s", werr.msg);
        return MHD_NO;
    }
    u->file.size += (int64_t)size;
    return MHD_YES;
}

bool lh__http_multipart_begin(lh_http_req *r)
{
    r->form = json_object();
    lh_buf_init(&r->field_raw, MAX_FIELD_BYTES + 1);
    for (size_t i = 0; i < LH_HTTP_MAX_FILES; i++)
        r->files[i].fd = -1;
    r->pp = MHD_create_post_processor(r->conn, 64 * 1024, on_part, r);
    return r->pp != NULL;
}

void lh__http_multipart_feed(lh_http_req *r, const char *data, size_t size)
{
    if (r->pp && !r->upload_st && MHD_post_process(r->pp, data, size) != MHD_YES && !r->upload_st) {
        r->upload_st = LH_EINVAL;
        snprintf(r->upload_msg, sizeof r->upload_msg, "malformed multipart/form-data body");
    }
}

bool lh__http_multipart_complete(lh_http_req *r)
{
    if (!r->pp)
        return false;
    /* The post processor says whether the body ended properly (closing boundary). */
    bool ok = MHD_destroy_post_processor(r->pp) == MHD_YES;
    r->pp = NULL;
    if (ok && !r->upload_st && r->field_key)
        flush_field(r); /* the last plain field */
    if (!ok && !r->upload_st) {
        r->upload_st = LH_EINVAL;
        snprintf(r->upload_msg, sizeof r->upload_msg,
                 "malformed multipart/form-data body (it does not end with the closing boundary)");
    }
    return ok && !r->upload_st;
}

void lh__http_multipart_cleanup(lh_http_req *r)
{
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    r->pp = NULL;
    for (size_t i = 0; i < r->nfiles; i++) {
        upload *u = &r->files[i];
        if (u->fd >= 0)
            close(u->fd);
        if (u->path)
            unlink(u->path);
        free(u->path);
        free(u->field);
        free(u->filename);
    }
    r->nfiles = 0;
    json_decref(r->form);
    r->form = NULL;
    free(r->field_key);
    r->field_key = NULL;
    lh_buf_release(&r->field_raw);
}

size_t lh_http_nfiles(const lh_http_req *r) { return r->nfiles; }

const lh_http_file *lh_http_file_at(const lh_http_req *r, size_t i)
{
    if (i >= r->nfiles)
        return NULL;
    upload *u = (upload *)&r->files[i];
    if (u->fd >= 0) {
        close(u->fd); /* flushed and complete once the handler looks at it */
        u->fd = -1;
    }
    u->file.field = u->field;
    u->file.filename = u->filename;
    u->file.path = u->path;
    return &u->file;
}

const char *lh_http_form(const lh_http_req *r, const char *field)
{
    return json_string_value(json_object_get(r->form, field));
}
