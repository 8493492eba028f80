/* http_int.h: the request structure shared by the http module's files. */
#ifndef LH_HTTP_HTTP_INT_H
#define LH_HTTP_HTTP_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "http/http.h"

#define LH_HTTP_MAX_PARAMS 4
#define LH_HTTP_MAX_FILES 16

/* A queue of suspended requests and the threads that run their handlers (workers.c). */
typedef struct lh_http_pool {
    lh_http_server *srv;
    pthread_t *threads;
    unsigned n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    lh_http_req *head, *tail;
    bool stop;
    bool abandon;              /* shutdown deadline passed: answer queued requests 503 */
} lh_http_pool;

/* One open connection, tracked for the header deadline and the per-IP limit
 * (conns.c). Lives from libmicrohttpd's "started" to its "closed" notification. */
typedef struct lh_http_conn {
    struct lh_http_conn *prev, *next;
    int fd;                    /* -1 while reserved: accepted, not yet announced as started */
    char ip[48];
    unsigned short port;       /* the peer's port: pairs a reservation with its connection */
    double since_ms;           /* when it began waiting for a request's headers */
    bool busy;                 /* headers complete: a request is being served */
    bool evicted;              /* we shut its socket down; libmicrohttpd is closing it */
} lh_http_conn;

struct lh_http_server {
    struct MHD_Daemon *daemon;
    lh_http_config cfg;
    char *staging_dir;
    unsigned port;
    unsigned active;           /* requests begun and not completed (atomic) */
    FILE *trace_out;           /* OTLP/JSON lines, or NULL when tracing is off */
    bool trace_owned;          /* we opened it (a file, not stdout) */
    char bind_host[64];        /* the bound IPv4 address as text, "" for 0.0.0.0 */
    /* handlers run here, not on libmicrohttpd's threads (see workers.c); control routes
     * (/health, /metrics) have their own pool so they never queue behind queries */
    lh_http_pool work, control;
    /* open connections (conns.c) and the thread enforcing the header deadline */
    pthread_mutex_t c_mu;
    pthread_cond_t c_cv;
    lh_http_conn *conns;
    pthread_t sweeper;
    bool sweeper_running, sweeper_stop;
};

typedef struct upload {
    lh_http_file file;
    char *field, *filename, *path;
    int fd;
} upload;

struct lh_http_req {
    lh_http_server *srv;
    struct MHD_Connection *conn;
    const lh_http_route *route;
    char method[16];
    char *path;
    char *param_names[LH_HTTP_MAX_PARAMS];
    char *param_values[LH_HTTP_MAX_PARAMS];
    bool params_oom;           /* capturing a route parameter ran out of memory */
    size_t nparams;
    char request_id[33];
    /* tracing (trace.c) */
    char trace_id[33], span_id[17], parent_span[17];
    uint64_t t_start, t_routed, t_handler_start, t_handler_end;
    char principal[65], role[65];
    double start_ms;
    uint64_t bytes_in, bytes_out;
    /* body */
    lh_buf body;
    json_t *json;
    int64_t limit;
    bool too_big;
    int early_status;          /* an error decided before the body was read (e.g. 415) */
    char early_code[32];
    char early_msg[256];
    struct MHD_PostProcessor *pp;
    upload files[LH_HTTP_MAX_FILES];
    size_t nfiles;
    json_t *form;              /* non-file multipart fields */
    char *field_key;           /* the plain field being received (its bytes may come in */
    lh_buf field_raw;          /* pieces that split a UTF-8 sequence): checked when whole */
    lh_status upload_st;
    char upload_msg[256];
    /* reply */
    struct MHD_Response *response;
    bool queued;                     /* response handed to libmicrohttpd (it owns it now) */
    int status;
    json_t *extra_headers;     /* object name -> value */
    bool dispatched;           /* handed to a worker; the connection is suspended */
    bool quick;                /* an LH_LANE_QUICK handler runs in the network thread */
    lh_http_req *q_next;
    void (*after)(void *);     /* lh_http_after_reply: run by the worker after resuming */
    void *after_ctx;
    /* streaming */
    lh_http_fill_fn fill;
    void (*release)(void *);
    void *fill_ctx;
};

/* Random bytes drawn once per request (one getrandom): as hex, the trace id (32
 * digits), the span id (16) and the request id (32, unless the client sent one). */
#define LH_HTTP_RANDOM_BYTES 40

/* Tracing: start from the traceparent header (or a new trace, its ids taken from rnd,
 * 2 * LH_HTTP_RANDOM_BYTES hex digits); write the spans. */
uint64_t lh__http_now_ns(void);
void lh__http_trace_begin(lh_http_req *r, const char *traceparent, const char *rnd);
void lh__http_trace_end(lh_http_server *s, lh_http_req *r, int status);

/* Worker pools (workers.c): start n threads; queue a request whose connection is
 * suspended (a worker runs its handler, then resumes it); drain and stop. */
bool lh__http_pool_start(lh_http_server *s, lh_http_pool *p, unsigned n);
void lh__http_pool_submit(lh_http_pool *p, lh_http_req *r);
void lh__http_pool_stop(lh_http_pool *p);
/* After the shutdown deadline: requests still queued get 503 instead of starting work
 * that on_deadline could no longer interrupt. */
void lh__http_pool_abandon(lh_http_pool *p);

/* Connections (conns.c): libmicrohttpd callbacks that track every connection, enforce
 * [server] per_ip_connections (evicting the IP's oldest idle connection rather than
 * refusing a new one) and close connections whose headers miss header_timeout_ms. */
void lh__http_conn_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code);
enum MHD_Result lh__http_conn_accept(void *cls, const struct sockaddr *addr, socklen_t len);
void lh__http_conn_busy(lh_http_server *s, struct MHD_Connection *c, bool busy);
bool lh__http_conns_start(lh_http_server *s);
void lh__http_conns_stop(lh_http_server *s);
void lh__http_conns_free_reservations(lh_http_server *s);
void lh__http_run_handler(lh_http_server *s, lh_http_req *r);

/* Multipart: set up the post processor / feed it / finish and clean up. */
bool lh__http_multipart_begin(lh_http_req *r);
void lh__http_multipart_feed(lh_http_req *r, const char *data, size_t size);
void lh__http_multipart_cleanup(lh_http_req *r);
/* After the last body byte: true when the body was a complete multipart document. */
bool lh__http_multipart_complete(lh_http_req *r);

#endif
