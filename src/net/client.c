/* client.c: small libcurl requests against our own server. */
#include "net/client.h"

#include "core/alloc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "net/net_int.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* libcurl is loaded on first use (curl_dl.c): a clear error when it is missing. */
lh_status lh__net_start(lh_err *err)
{
    lh_status st = lh__curl_load(err);
    if (!st)
        pthread_once(&curl_once, curl_init);
    return st;
}

/* Sets base_url + path as the request's URL (libcurl keeps its own copy). Built, not
 * snprintf'd into a fixed array: a long dataset name in the path must fail loudly, not
 * reach the server cut short as a request for some other route. */
static lh_status set_url(CURL *c, const char *base_url, const char *path, lh_err *err)
{
    lh_buf url;
    lh_buf_init(&url, 64 * 1024);
    lh_buf_adds(&url, base_url);
    lh_buf_adds(&url, path);
    lh_status st = lh_buf_status(&url);
    if (st)
        st = lh_fail(err, st, "the request URL is over %zu bytes", url.max);
    else if (curl_easy_setopt(c, CURLOPT_URL, lh_buf_cstr(&url)) != CURLE_OK)
        st = lh_fail(err, LH_ENOMEM, "cannot set the request URL");
    lh_buf_release(&url);
    return st;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    lh_buf *b = ctx;
    return lh_buf_add(b, data, size * n) ? 0 : size * n;
}

/* Turns an error reply {"error":{"code","message"}} into a status and the server's message
 * as it stands (the CLI prints what a local run would); the body stays in *response when
 * it is JSON (partial results of a multi-file ingest). */
static lh_status reply_error(long http, const lh_buf *body, json_t **response, lh_err *err)
{
    json_t *j = lh_json_loadb(lh_buf_cstr(body), body->len, 0, NULL);
    const char *code = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    lh_status st = code ? lh_status_from_name(code) : LH_EIO;
    if (msg)
        lh_fail(err, st ? st : LH_EIO, "%s", msg);
    else
        lh_fail(err, st ? st : LH_EIO, "the server answered HTTP %ld without a message", http);
    *response = j;
    return st ? st : LH_EIO;
}

/* Sends the request prepared on c (URL, method, body) with the API key and hdrs, and turns
 * the reply into *response or an lh_status. Consumes hdrs. */
static lh_status perform(CURL *c, const char *base_url, const char *api_key,
                         struct curl_slist *hdrs, json_t **response, lh_err *err)
{
    char keyhdr[600];
    if (api_key) {
        snprintf(keyhdr, sizeof keyhdr, "X-API-Key: %s", api_key);
        hdrs = curl_slist_append(hdrs, keyhdr);
    }
    lh_buf reply;
    lh_buf_init(&reply, (size_t)64 << 20);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    /* Only our own server: no redirects. */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode rc = curl_easy_perform(c);
    long http = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
    lh_status st = lh_buf_status(&reply); /* on_body stopped the transfer at the failure */
    if (st)
        st = st == LH_ETOOBIG ? lh_fail(err, st, "the server's reply is over %zu bytes", reply.max)
                              : lh_fail(err, st, "out of memory reading the server's reply");
    else if (rc != CURLE_OK)
        st = lh_fail(err, LH_EIO, "cannot reach the server at %s: %s", base_url, curl_easy_strerror(rc));
    else if (http < 200 || http > 299)
        st = reply_error(http, &reply, response, err);
    else if (!(*response = lh_json_loadb(lh_buf_cstr(&reply), reply.len, 0, NULL)))
        st = lh_fail(err, LH_EIO, "the server's reply is not JSON");
    lh_buf_release(&reply);
    curl_slist_free_all(hdrs);
    return st;
}

lh_status lh_client_ingest_files(const char *base_url, const char *api_key,
                                 const char *const *paths, size_t npaths, const char *name,
                                 const char *format, bool allow_schema_change, json_t **response,
                                 lh_err *err)
{
    return lh_client_ingest_files_with(base_url, api_key, paths, npaths, name, format,
                                       allow_schema_change, NULL, response, err);
}

lh_status lh_client_ingest_files_with(const char *base_url, const char *api_key,
                                      const char *const *paths, size_t npaths, const char *name,
                                      const char *format, bool allow_schema_change,
                                      const char *const *fields, json_t **response, lh_err *err)
{
    lh_status st = lh__net_start(err);
    if (st)
        return st;
    CURL *c = curl_easy_init();
    if (!c)
        return lh_fail(err, LH_ENOMEM, "cannot start an HTTP client");
    curl_mime *mime = curl_mime_init(c);
    for (size_t i = 0; i < npaths; i++) {
        curl_mimepart *part = curl_mime_addpart(mime);
        curl_mime_name(part, "file");
        curl_mime_filedata(part, paths[i]);
    }
    if (name) {
        curl_mimepart *part = curl_mime_addpart(mime);
        curl_mime_name(part, "name");
        curl_mime_data(part, name, CURL_ZERO_TERMINATED);
    }
    if (format) {
        curl_mimepart *part = curl_mime_addpart(mime);
        curl_mime_name(part, "format");
        curl_mime_data(part, format, CURL_ZERO_TERMINATED);
    }
    if (allow_schema_change) {
        curl_mimepart *part = curl_mime_addpart(mime);
        curl_mime_name(part, "allow_schema_change");
        curl_mime_data(part, "true", CURL_ZERO_TERMINATED);
    }
    for (size_t i = 0; fields && fields[i] && fields[i + 1]; i += 2) {
        curl_mimepart *part = curl_mime_addpart(mime);
        curl_mime_name(part, fields[i]);
        curl_mime_data(part, fields[i + 1], CURL_ZERO_TERMINATED);
    }
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    st = set_url(c, base_url, "/ingest/file", err);
    if (!st)
        st = perform(c, base_url, api_key, NULL, response, err);
    curl_mime_free(mime);
    curl_easy_cleanup(c);
    return st;
}

lh_status lh_client_json(const char *base_url, const char *api_key, const char *method,
                         const char *path, const json_t *body, json_t **response, lh_err *err)
{
    lh_status st = lh__net_start(err);
    if (st)
        return st;
    char *text = body ? lh_json_dumps(body, JSON_COMPACT) : NULL;
    CURL *c = curl_easy_init();
    if (!c || (body && !text)) {
        free(text);
        if (c)
            curl_easy_cleanup(c);
        return lh_fail(err, LH_ENOMEM, "cannot start an HTTP client");
    }
    struct curl_slist *hdrs = NULL;
    if (text) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    st = set_url(c, base_url, path, err);
    if (!st)
        st = perform(c, base_url, api_key, hdrs, response, err);
    else
        curl_slist_free_all(hdrs); /* perform frees it on its path */
    curl_easy_cleanup(c);
    free(text);
    return st;
}
