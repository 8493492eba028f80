/* client.h: the HTTP client (libcurl, the only user of curl.h). The CLI uses it to hand
 * work to a running server when that server holds the data directory's writer lock; the
 * network AI providers (src/ai) send their requests through lh_net_http. */
#ifndef LH_NET_CLIENT_H
#define LH_NET_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

/* POSTs the files to base_url/ingest/file as multipart/form-data (fields name and format
 * when non-NULL, allow_schema_change=true when set), with X-API-Key when api_key is set. On 2xx *response is the parsed JSON
 * body (caller owns). On an error reply the server's message and code come back as the
 * matching lh_status and err (the message as the server wrote it), and *response is the
 * reply's JSON body when it has one (caller owns; NULL otherwise); on a transport failure,
 * LH_EIO. */
lh_status lh_client_ingest_files(const char *base_url, const char *api_key,
                                 const char *const *paths, size_t npaths, const char *name,
                                 const char *format, bool allow_schema_change, json_t **response,
                                 lh_err *err);
/* The same with more form fields: fields holds name, value, name, value ..., NULL (or is
 * NULL), e.g. {"encoding", "latin-1", "skip", "2", NULL}. */
lh_status lh_client_ingest_files_with(const char *base_url, const char *api_key,
                                      const char *const *paths, size_t npaths, const char *name,
                                      const char *format, bool allow_schema_change,
                                      const char *const *fields, json_t **response, lh_err *err);

/* One request with a JSON body (body NULL: none) to base_url + path (e.g. "/query/cache/pin"),
 * with X-API-Key when api_key is set; the reply as for lh_client_ingest_files. */
lh_status lh_client_json(const char *base_url, const char *api_key, const char *method,
                         const char *path, const json_t *body, json_t **response, lh_err *err);

/* ---- one generic request to any HTTP(S) server (the network AI providers) ------------- */

/* Why a request got no complete reply (lh_net_reply.fail). */
typedef enum lh_net_fail {
    LH_NET_OK = 0,       /* a whole reply came (any HTTP status) */
    LH_NET_TIMEOUT,      /* the timeout passed before the reply was complete */
    LH_NET_CONNECT,      /* no connection (refused, unknown host, TLS handshake) */
    LH_NET_TRUNCATED,    /* the connection closed before the announced body was complete */
    LH_NET_CANCELLED,    /* *cancel was set (lh_net_request.cancel) */
    LH_NET_OTHER,        /* any other transport failure */
} lh_net_fail;

typedef struct lh_net_request {
    const char *method;          /* "GET", "POST" */
    const char *url;             /* http:// or https:// only; redirects are not followed */
    const char *const *headers;  /* "Name: value" lines ending with NULL, or NULL */
    const char *body;            /* NULL = no body */
    size_t body_len;
    int64_t timeout_ms;          /* the whole transfer; 0 = none */
    int64_t connect_timeout_ms;  /* 0 = libcurl's default */
    size_t max_reply;            /* the body is cut off (LH_ETOOBIG) past this many bytes */
    const int *cancel;           /* optional: once *cancel is non-zero (read atomically) the
                                  * transfer stops within about a second (LH_NET_CANCELLED) */
} lh_net_request;

typedef struct lh_net_reply {
    long http;                   /* the HTTP status; 0 when none came */
    lh_buf body;                 /* the reply's body (lh_net_reply_release frees it) */
    int64_t retry_after_ms;      /* the Retry-After header (seconds or an HTTP date), -1 if absent */
    lh_net_fail fail;
} lh_net_reply;

/* Sends one request and reads the reply into *rep (initialised here; release it with
 * lh_net_reply_release, also on failure). LH_OK when a whole reply came, whatever its
 * HTTP status; else rep->fail says why, and the status is LH_ETIMEOUT (timeout), LH_ETOOBIG
 * (reply over max_reply), LH_ENOMEM or LH_EIO, with a message that names neither the URL
 * nor any header (headers may carry credentials: the caller names the server). The
 * header lines are handed to libcurl only; nothing here logs them. Thread-safe (one easy
 * handle per call). */
lh_status lh_net_http(const lh_net_request *req, lh_net_reply *rep, lh_err *err);
void lh_net_reply_release(lh_net_reply *rep);

#endif
