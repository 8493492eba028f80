/* api_query.c: POST /query/sql, streamed as the client reads (chunked encoding). The
 * first 64 KiB are computed before the status line is sent, so that a query that fails
 * at once (bad SQL, a timeout, a denied relation) gets a proper error status; a result
 * that ends within them is sent whole, with a Content-Length. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "core/util.h"
#include "engine/engine.h"
#include "engine/writers.h"
#include "storage/storage.h"

enum { EAGER_BYTES = 64 * 1024 }; /* rendered on the worker before the reply starts */

typedef struct stream {
    lh_api *api;
    lh_query *q;
    lh_result_writer *w;
    lh_result_sink sink;
    lh_buf pending;     /* rendered bytes not yet handed to the server */
    size_t sent;
    bool query_done, ended;
    char request_id[33];
} stream;

static lh_status to_pending(void *ctx, const char *data, size_t len, lh_err *err)
{
    stream *s = ctx;
    lh_status st = lh_buf_add(&s->pending, data, len); /* one add: its status is the check */
    if (st == LH_ETOOBIG)
        return lh_fail(err, st, "one result chunk is too large to send");
    return st ? lh_fail(err, st, "out of memory") : LH_OK;
}

/* Produces more bytes into pending: the next chunk, or the closing part. */
static lh_status produce(stream *s, lh_err *err)
{
    if (!s->query_done)
        return lh_query_next(s->q, &s->sink, &s->query_done, err);
    s->ended = true;
    return s->sink.end(s->sink.ctx, lh_query_rows(s->q), lh_query_truncated(s->q), err);
}

static ssize_t fill(void *ctx, char *buf, size_t max, bool *done)
{
    stream *s = ctx;
    while (s->sent == s->pending.len) {
        lh_buf_reset(&s->pending);
        s->sent = 0;
        if (s->ended) {
            *done = true;
            return 0;
        }
        lh_err err;
        if (produce(s, &err)) {
            /* The status line is gone: cutting the chunked stream tells the client. */
            lh_log(LH_LOG_WARN, "request %s: query failed while streaming: %s", s->request_id, err.msg);
            return -1;
        }
    }
    size_t n = s->pending.len - s->sent;
    if (n > max)
        n = max;
    memcpy(buf, lh_buf_cstr(&s->pending) + s->sent, n);
    s->sent += n;
    return (ssize_t)n;
}

static void release(void *ctx)
{
    stream *s = ctx;
    if (s->q)
        lh__metrics_count_query(s->api->metrics, lh_query_rows(s->q));
    lh_query_close(s->q); /* also when the client left early: frees the connection */
    lh_result_writer_free(s->w);
    lh_buf_release(&s->pending);
    free(s);
}

static void close_query(void *q) { lh_query_close(q); }

/* format "parquet": the result is written to a staging file by DuckDB, then sent. */
typedef struct file_stream {
    int fd;
    char *path;
} file_stream;

static ssize_t file_fill(void *ctx, char *buf, size_t max, bool *done)
{
    file_stream *f = ctx;
    ssize_t n = read(f->fd, buf, max);
    if (n == 0)
        *done = true;
    return n;
}

static void file_release(void *ctx)
{
    file_stream *f = ctx;
    if (f->fd >= 0)
        close(f->fd);
    unlink(f->path); /* a download, not a dataset: nothing of it stays */
    free(f->path);
    free(f);
}

static void reply_parquet(lh_http_req *r, lh_api *a, const char *sql, const lh_lake_query *qo)
{
    char id[33];
    lh_random_hex(id, 16);
    lh_buf path;
    lh_buf_init(&path, 4096);
    lh_buf_printf(&path, "%s/_staging/export-%s.parquet", lh_store_root(lh_lake_store(a->lake)), id);
    uint64_t rows = 0;
    lh_err err;
    lh_status st = lh_buf_status(&path);
    if (st) {
        lh_buf_release(&path);
        lh_http_reply_status(r, st, "export path too long or out of memory");
        return;
    }
    st = lh_lake_export_parquet(a->lake, sql, qo, lh_buf_cstr(&path), &rows, &err);
    file_stream *f = st ? NULL : lh_calloc(1, sizeof *f);
    if (!st && (!f || (f->fd = open(lh_buf_cstr(&path), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0))
        st = lh_fail(&err, LH_EIO, "cannot read the exported file");
    if (st) {
        unlink(lh_buf_cstr(&path));
        free(f);
        lh_buf_release(&path);
        lh_http_reply_status(r, st, err.msg);
        return;
    }
    f->path = lh_buf_detach(&path);
    lh__metrics_count_query(a->metrics, rows);
    char count[32];
    snprintf(count, sizeof count, "%llu", (unsigned long long)rows);
    lh_http_add_header(r, "X-Row-Count", count);
    lh_http_add_header(r, "Content-Disposition", "attachment; filename=\"result.parquet\"");
    lh_http_reply_stream(r, 200, "application/vnd.apache.parquet", file_fill, file_release, f);
}

static const char *content_type(lh_result_format f)
{
    switch (f) {
    case LH_FORMAT_NDJSON: return "application/x-ndjson";
    case LH_FORMAT_CSV: return "text/csv; charset=utf-8";
    default: return "application/json";
    }
}

void lh__api_query_sql(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"sql", "format", "limit", "as_of", "timeout_ms",
                                          "explain", NULL};
    const char *sql, *format;
    int64_t limit = 0, timeout = a->query_timeout_ms;
    bool explain = false;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "sql", true, &sql) ||
        !lh__api_string(r, "format", false, &format) ||
        !lh__api_int(r, "limit", 0, INT64_MAX, &limit) || !lh__api_bool(r, "explain", &explain) ||
        !lh__api_int(r, "timeout_ms", 1, a->query_max_timeout_ms, &timeout))
        return;
    json_t *as_of = json_object_get(lh_http_json(r), "as_of");
    if (as_of && !json_is_object(as_of)) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'as_of' must be an object {dataset: version}");
        return;
    }
    lh_result_format fmt = LH_FORMAT_JSON;
    lh_err err;
    lh_status st = LH_OK;
    if (format && !strcmp(format, "parquet")) {
        if (limit) {
            lh_http_reply_error(r, 400, "invalid_input", "limit does not apply to format parquet; use LIMIT in the SQL");
            return;
        }
        lh_lake_query pq = {.timeout_ms = timeout, .as_of = as_of, .explain = explain};
        reply_parquet(r, a, sql, &pq);
        return;
    } else if (format && (!strcmp(format, "table") || lh_result_format_parse(format, &fmt, &err)))
        st = lh_fail(&err, LH_EINVAL, "unknown format '%s' (expected json, ndjson or csv)", format);
    if (st) {
        lh_http_reply_status(r, st, err.msg);
        return;
    }
    stream *s = lh_calloc(1, sizeof *s);
    if (!s) {
        lh_http_reply_status(r, LH_ENOMEM, "out of memory");
        return;
    }
    s->api = a;
    snprintf(s->request_id, sizeof s->request_id, "%s", lh_http_request_id(r));
    lh_buf_init(&s->pending, (size_t)256 << 20);
    lh_lake_query qo = {.limit = (uint64_t)limit, .timeout_ms = timeout, .as_of = as_of,
                        .explain = explain};
    st = lh_lake_query_open(a->lake, sql, &qo, &s->q, &err);
    if (!st)
        st = lh_result_writer_new(fmt, to_pending, s, &s->w, &err);
    if (!st) {
        lh_result_writer_set_start(s->w, lh_mono_ms());
        s->sink = lh_result_writer_sink(s->w);
        size_t ncols = 0;
        const lh_result_column *cols = lh_query_columns(s->q, &ncols);
        st = s->sink.begin(s->sink.ctx, cols, ncols, &err);
    }
    /* The first chunks, before the status is chosen: up to EAGER_BYTES, here on the
     * worker. A result that ends within them (SELECT 1, a point lookup) is complete
     * before the reply starts: its query is closed here, freeing the engine at once,
     * and the network thread only copies bytes out; a longer one streams the rest from
     * fill() as the client reads. */
    while (!st && !s->ended && s->pending.len < EAGER_BYTES)
        st = produce(s, &err);
    if (st) {
        lh_http_reply_status(r, st, err.msg);
        release(s);
        return;
    }
    if (s->ended) {
        /* The whole result: one buffer with a Content-Length (one send, headers and
         * body together). The query is closed once the reply is on its way. */
        lh__metrics_count_query(a->metrics, lh_query_rows(s->q));
        lh_http_reply_bytes(r, 200, content_type(fmt), lh_buf_cstr(&s->pending), s->pending.len);
        lh_http_after_reply(r, close_query, s->q);
        s->q = NULL;
        release(s);
        return;
    }
    lh_http_reply_stream(r, 200, content_type(fmt), fill, release, s);
}
