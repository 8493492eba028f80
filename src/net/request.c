/* request.c: lh_net_http, one request to any HTTP(S) server (client.h). Generic: it knows
 * nothing of the servers it talks to; the caller decides what a status means and whether
 * to retry. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/alloc.h"
#include "core/util.h"
#include "net/client.h"
#include "net/net_int.h"

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    lh_net_reply *rep = ctx;
    return lh_buf_add(&rep->body, data, size * n) ? 0 : size * n;
}

/* Retry-After: delta-seconds, or an HTTP date (IMF-fixdate) as a delay from now. */
static int64_t parse_retry_after(const char *v, size_t n)
{
    char text[64];
    while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    while (n && *v == ' ')
        v++, n--;
    if (!n || n >= sizeof text)
        return -1;
    memcpy(text, v, n);
    text[n] = '\0';
    int64_t secs;
    if (!lh_parse_i64(text, &secs))
        return secs < 0 ? -1 : secs > 86400 ? 86400 * 1000LL : secs * 1000;
    struct tm tm = {0};
    const char *end = strptime(text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end)
        return -1;
    int64_t at_ms = (int64_t)timegm(&tm) * 1000, now = lh_now_ms();
    return at_ms > now ? (at_ms - now > 86400000LL ? 86400000LL : at_ms - now) : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    lh_net_reply *rep = ctx;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof name - 1 && !strncasecmp(data, name, sizeof name - 1))
        rep->retry_after_ms = parse_retry_after(data + sizeof name - 1, len - (sizeof name - 1));
    else if (len > 5 && !strncmp(data, "HTTP/", 5))
        rep->retry_after_ms = -1; /* a new response (after a 100 Continue): its own headers */
    return len;
}

/* libcurl calls this at least once a second while a transfer runs, idle or not. */
static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const int *cancel = ctx;
    return __atomic_load_n(cancel, __ATOMIC_ACQUIRE) ? 1 : 0;
}

void lh_net_reply_release(lh_net_reply *rep)
{
    lh_buf_release(&rep->body);
}

static lh_status transport_error(CURLcode rc, const lh_net_request *req, lh_net_reply *rep,
                                 lh_err *err)
{
    switch (rc) {
    case CURLE_ABORTED_BY_CALLBACK:
        rep->fail = LH_NET_CANCELLED;
        return lh_fail(err, LH_EIO, "the request was cancelled");
    case CURLE_OPERATION_TIMEDOUT:
        rep->fail = LH_NET_TIMEOUT;
        return lh_fail(err, LH_ETIMEOUT, "no complete reply within %lld ms",
                       (long long)req->timeout_ms);
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
        rep->fail = LH_NET_CONNECT;
        return lh_fail(err, LH_EIO, "cannot connect: %s", curl_easy_strerror(rc));
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        rep->fail = LH_NET_TRUNCATED;
        return lh_fail(err, LH_EIO, "the reply was cut off (%s)", curl_easy_strerror(rc));
    default:
        rep->fail = LH_NET_OTHER;
        return lh_fail(err, LH_EIO, "the request failed: %s", curl_easy_strerror(rc));
    }
}

lh_status lh_net_http(const lh_net_request *req, lh_net_reply *rep, lh_err *err)
{
    memset(rep, 0, sizeof *rep);
    lh_buf_init(&rep->body, req->max_reply ? req->max_reply : LH_BUF_DEFAULT_MAX);
    rep->retry_after_ms = -1;
    rep->fail = LH_NET_OTHER;
    lh_status st = lh__net_start(err);
    if (st)
        return st;
    CURL *c = curl_easy_init();
    if (!c)
        return lh_fail(err, LH_ENOMEM, "cannot start an HTTP client");
    struct curl_slist *hdrs = NULL;
    bool ok = true;
    for (size_t i = 0; req->headers && req->headers[i] && ok; i++) {
        struct curl_slist *h = curl_slist_append(hdrs, req->headers[i]);
        ok = h != NULL;
        if (h)
            hdrs = h;
    }
    /* curl would add "Expect: 100-continue" to larger bodies: one round trip for nothing */
    struct curl_slist *h = ok ? curl_slist_append(hdrs, "Expect:") : NULL;
    if (h)
        hdrs = h;
    else
        ok = false;
    ok = ok && curl_easy_setopt(c, CURLOPT_URL, req->url) == CURLE_OK &&
         curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
         curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method) == CURLE_OK &&
         curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) == CURLE_OK;
    if (ok && req->body) {
        ok = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body) == CURLE_OK;
    } else if (ok && !strcmp(req->method, "GET")) {
        ok = curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) == CURLE_OK;
    }
    if (ok) {
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, rep);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, rep);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        if (req->timeout_ms > 0)
            curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
        if (req->connect_timeout_ms > 0)
            curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)req->connect_timeout_ms);
        if (req->cancel) {
            curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
            curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)req->cancel);
            curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        }
    }
    if (!ok) {
        st = lh_fail(err, LH_ENOMEM, "cannot prepare the HTTP request");
    } else {
        CURLcode rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rep->http);
        if ((st = lh_buf_status(&rep->body))) {
            rep->fail = LH_NET_OTHER;
            st = st == LH_ETOOBIG ? lh_fail(err, st, "the reply is over %zu bytes", rep->body.max)
                                  : lh_fail(err, st, "out of memory reading the reply");
        } else if (rc != CURLE_OK) {
            st = transport_error(rc, req, rep, err);
        } else {
            rep->fail = LH_NET_OK;
        }
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return st;
}
