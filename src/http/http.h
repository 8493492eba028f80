/* http.h: the HTTP front door, over libmicrohttpd (the only user of microhttpd.h).
 *
 * The server knows routes, limits, auth and bodies; it knows nothing about datasets.
 * Routes are data (STYLE.md habit 9): the api module passes a table of lh_http_route
 * rows. Before any handler runs the server has checked the method, the API key (when the
 * route asks for it), the body size (413), the content type (415) and, for JSON routes,
 * that the body is a JSON object (400). Multipart uploads stream each file part into a
 * file under a staging directory (never held in memory). Every response carries
 * X-Request-Id; every error is {"error":{"code":"..","message":".."}}.
 *
 * Handlers run on worker threads (the network threads suspend the connection and queue
 * it; workers.c); a route's optional quick handler runs in the network thread itself.
 * Either gets a request, calls one module function and replies with one of the
 * lh_http_reply_* functions exactly once. No thread is created per request. */
#ifndef LH_HTTP_HTTP_H
#define LH_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct lh_http_server lh_http_server;
typedef struct lh_http_req lh_http_req;

typedef enum lh_http_body {
    LH_BODY_NONE,       /* no body expected (a body over 0 bytes is refused) */
    LH_BODY_JSON,       /* application/json, a JSON object, parsed for the handler */
    LH_BODY_RAW,        /* any bytes, buffered up to max_body (object PUT) */
    LH_BODY_MULTIPART,  /* multipart/form-data: files streamed to disk, fields kept */
} lh_http_body;

typedef void (*lh_http_handler)(lh_http_req *req, void *app);

/* Where a route's handler runs. No thread is ever created for a request. */
typedef enum lh_http_lane {
    LH_LANE_WORK = 0,    /* the worker pool (false in the route table) */
    LH_LANE_CONTROL = 1, /* the reserved control workers, never queued behind queries and
                          * ingests (true in the route table); must be quick */
    LH_LANE_QUICK = 2,   /* first in the network thread itself, with no hand-off: the
                          * handler must never block (no engine, no disk; see
                          * lh_http_quick). Returning there without a reply sends the
                          * request on to a control worker, where the handler runs again. */
} lh_http_lane;

/* What a key must be allowed to do to use a route. Ordered: a key's role satisfies every
 * route whose role is at or below it (reader < writer < admin). */
typedef enum lh_http_role {
    LH_ROLE_READ = 1,   /* "reader": look, query */
    LH_ROLE_WRITE = 2,  /* "writer": add and change data */
    LH_ROLE_ADMIN = 3,  /* "admin": irreversible or operational actions */
} lh_http_role;

/* The role a secrets-file string names; an unknown string is the least privilege
 * (LH_ROLE_READ), so that a typo never grants more. */
lh_http_role lh_http_role_parse(const char *name);
/* "reader", "writer", "admin". */
const char *lh_http_role_name(lh_http_role role);

typedef struct lh_http_route {
    const char *method;      /* "GET", "POST", ... */
    const char *pattern;     /* "/catalog/datasets/by-name/{name}", "/storage/objects/{key...}" */
    lh_http_handler handler;
    bool auth;               /* needs a valid X-API-Key when auth is enabled */
    lh_http_role role;       /* the least role a key needs (only checked when auth is on) */
    int64_t max_body;        /* bytes; 0 = the server's default */
    lh_http_body body;
    const char *summary;     /* one line for docs/API.md */
    const char *handler_span;/* trace span name of the handler's work ("engine", "storage") */
    lh_http_lane control;    /* where the handler runs (false/true read as WORK/CONTROL) */
} lh_http_route;

/* Decides whether an API key is valid: fills principal/role (each up to 64 bytes) and
 * returns true, or returns false. NULL key means the header was absent. */
typedef bool (*lh_http_auth_fn)(void *ctx, const char *key, char *principal, char *role);

/* Called once per finished request (metrics, access log). */
typedef void (*lh_http_observe_fn)(void *ctx, const lh_http_req *req, int status, double ms,
                                   uint64_t bytes_in, uint64_t bytes_out);

typedef struct lh_http_config {
    const char *bind;              /* "127.0.0.1:3100"; port 0 picks a free port */
    unsigned threads;              /* network threads (epoll); 0 = one per core */
    unsigned workers;              /* handler threads; 0 = twice the cores, at least 4 */
    unsigned connection_timeout_s; /* idle/slow clients are dropped after this */
    unsigned header_timeout_ms;    /* a request's headers must be complete this long after
                                    * the connection opened or the previous reply; 0 = 10 s */
    unsigned per_ip_connections;   /* 0 = unlimited; at the limit a new connection evicts
                                    * the IP's oldest idle one (see server.c) */
    size_t header_limit;           /* per-connection memory for headers and buffers */
    int64_t max_body;              /* default body limit */
    const char *staging_dir;       /* where multipart files are written (same filesystem as data) */
    const lh_http_route *routes;
    size_t nroutes;
    void *app;                     /* handed to every handler */
    lh_http_auth_fn auth;          /* NULL = auth off */
    void *auth_ctx;
    bool health_open;              /* /health needs no key even when auth is on */
    const char *const *allowed_hosts;   /* extra Host names ("name" or "name:port"; "*" any) */
    size_t nallowed_hosts;
    const char *const *allowed_origins; /* extra browser origins ("https://ui.example:8443") */
    size_t nallowed_origins;
    bool allow_unauthenticated_remote;  /* else a non-loopback bind without auth fails */
    lh_http_observe_fn observe;
    void *observe_ctx;
    const char *trace_path;        /* OTLP/JSON lines: NULL/"" off, "-" stdout, else a file */
    void (*on_deadline)(void *app);/* at shutdown, when requests outlive the deadline:
                                    * make them end now (e.g. interrupt queries) */
} lh_http_config;

/* Fails (LH_EINVAL) on a bad bind address, and (LH_EDENIED) on a non-loopback bind with
 * auth off unless allow_unauthenticated_remote. */
lh_status lh_http_start(const lh_http_config *cfg, lh_http_server **out, lh_err *err);

/* Loads libmicrohttpd (core/dl.h), once; thread-safe. LH_EUNSUPPORTED naming the Debian
 * package when it is missing. Call before changing anything a failed start would leave. */
lh_status lh_http_load(lh_err *err);
/* The port actually bound (useful with port 0). */
unsigned lh_http_port(const lh_http_server *s);
/* Stops accepting, waits up to deadline_ms for in-flight requests, then asks them to end
 * (on_deadline), allows one more second, and stops. */
void lh_http_stop(lh_http_server *s, int64_t deadline_ms);
/* Requests being served right now. */
unsigned lh_http_active(const lh_http_server *s);

/* ---- request accessors (valid during the handler) ---- */
const char *lh_http_method(const lh_http_req *r);
const char *lh_http_path(const lh_http_req *r);
const char *lh_http_route_pattern(const lh_http_req *r);  /* NULL when no route matched */
const char *lh_http_param(const lh_http_req *r, const char *name); /* from the pattern */
const char *lh_http_query(const lh_http_req *r, const char *name);
const char *lh_http_header(const lh_http_req *r, const char *name);
const char *lh_http_request_id(const lh_http_req *r);
const char *lh_http_principal(const lh_http_req *r);      /* "anonymous" without auth */
json_t *lh_http_json(const lh_http_req *r);               /* LH_BODY_JSON routes; borrowed */
const lh_buf *lh_http_body_raw(const lh_http_req *r);     /* LH_BODY_RAW routes */
/* True while an LH_LANE_QUICK handler runs in the network thread (it must not block:
 * reply from memory or return without a reply), false on a worker. */
bool lh_http_quick(const lh_http_req *r);

typedef struct lh_http_file {
    const char *field;     /* form field name */
    const char *filename;  /* as the client sent it (untrusted; not a path we use) */
    const char *path;      /* where its bytes are on disk (removed after the request) */
    int64_t size;
} lh_http_file;
size_t lh_http_nfiles(const lh_http_req *r);
const lh_http_file *lh_http_file_at(const lh_http_req *r, size_t i);
const char *lh_http_form(const lh_http_req *r, const char *field); /* non-file fields */

/* ---- replies: exactly one per request ---- */
void lh_http_reply_json(lh_http_req *r, int status, json_t *body); /* steals body */
void lh_http_reply_status(lh_http_req *r, lh_status st, const char *message);
void lh_http_reply_error(lh_http_req *r, int status, const char *code, const char *message);
void lh_http_reply_bytes(lh_http_req *r, int status, const char *content_type, const void *data,
                         size_t len);
/* Sends size bytes of the open file fd from offset 0 without reading it into memory
 * (sendfile). Takes fd: it is closed after the request, also on failure. */
void lh_http_reply_fd(lh_http_req *r, int status, const char *content_type, int fd,
                      uint64_t size);

/* A streamed (chunked) reply: fill writes up to max bytes into buf and returns how many,
 * 0 with *done = true at the end, or -1 on an error (the connection is then cut). It is
 * called again each time the client can take more. release frees ctx after the request
 * (also when the client went away early). */
typedef ssize_t (*lh_http_fill_fn)(void *ctx, char *buf, size_t max, bool *done);
void lh_http_reply_stream(lh_http_req *r, int status, const char *content_type,
                          lh_http_fill_fn fill, void (*release)(void *ctx), void *ctx);

/* Runs fn(ctx) on the worker once the reply has been handed back to the network thread,
 * possibly while it is being sent: for clean-up the reply does not wait for (closing a
 * finished query). fn must not use the request. One per request; on the quick lane (no
 * worker) it runs right after the reply is queued. */
void lh_http_after_reply(lh_http_req *r, void (*fn)(void *ctx), void *ctx);

/* The request's W3C trace id (32 hex), for logs and lineage. */
const char *lh_http_trace_id(const lh_http_req *r);

/* Adds a response header to the reply about to be sent (call before lh_http_reply_*). */
void lh_http_add_header(lh_http_req *r, const char *name, const char *value);

#endif
