/* server.c: libmicrohttpd glue: routing, limits, auth, bodies and replies. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/util.h"
#include "http/http_int.h"

/* ---- roles ------------------------------------------------------------------------ */

lh_http_role lh_http_role_parse(const char *name)
{
    if (name && !strcmp(name, "admin"))
        return LH_ROLE_ADMIN;
    if (name && !strcmp(name, "writer"))
        return LH_ROLE_WRITE;
    return LH_ROLE_READ; /* "reader", and every unknown string: least privilege */
}

const char *lh_http_role_name(lh_http_role role)
{
    return role == LH_ROLE_ADMIN ? "admin" : role == LH_ROLE_WRITE ? "writer" : "reader";
}

/* ---- routing ---------------------------------------------------------------------- */

/* Matches path against pattern; captures {name} (one segment) and {name...} (the rest).
 * Captured values are percent-decoded by libmicrohttpd already (the url argument). */
static bool match(const char *pattern, const char *path, lh_http_req *r)
{
    size_t np = 0;
    const char *p = pattern, *u = path;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close)
                return false;
            bool rest = close - p > 4 && !strncmp(close - 3, "...", 3);
            size_t nlen = (size_t)(close - p - 1) - (rest ? 3 : 0);
            const char *end = rest ? u + strlen(u) : u + strcspn(u, "/");
            if (end == u || np == LH_HTTP_MAX_PARAMS)
                return false;
            if (r) {
                r->param_names[np] = lh_strndup(p + 1, nlen);
                r->param_values[np] = lh_strndup(u, (size_t)(end - u));
                r->nparams = np + 1; /* free_params owns them from here, even on failure */
                if (!r->param_names[np] || !r->param_values[np]) {
                    r->params_oom = true;
                    return false;
                }
            }
            np++;
            u = end;
            p = close + 1;
        } else if (*p++ != *u++) {
            return false;
        }
    }
    if (*u)
        return false;
    if (r)
        r->nparams = np;
    return true;
}

static void free_params(lh_http_req *r)
{
    for (size_t i = 0; i < r->nparams; i++) {
        free(r->param_names[i]);
        free(r->param_values[i]);
        r->param_names[i] = r->param_values[i] = NULL;
    }
    r->nparams = 0;
}

/* The route for method+path; *path_known tells 405 from 404. */
static const lh_http_route *route_for(lh_http_server *s, const char *method, const char *path,
                                      bool *path_known, lh_http_req *r)
{
    *path_known = false;
    for (size_t i = 0; i < s->cfg.nroutes; i++) {
        const lh_http_route *rt = &s->cfg.routes[i];
        if (!match(rt->pattern, path, NULL))
            continue;
        *path_known = true;
        /* HEAD is GET without the body (libmicrohttpd drops the body). */
        if (!strcmp(rt->method, method) || (!strcmp(method, "HEAD") && !strcmp(rt->method, "GET")))
            return match(rt->pattern, path, r) ? rt : NULL; /* false only when out of memory */
    }
    return NULL;
}

/* ---- replies ---------------------------------------------------------------------- */

static void set_response(lh_http_req *r, int status, struct MHD_Response *resp)
{
    if (r->response) { /* a handler replied twice: keep the first, it is our bug */
        lh_log(LH_LOG_ERROR, "http: second reply for %s %s ignored", r->method, r->path);
        MHD_destroy_response(resp);
        return;
    }
    r->response = resp;
    r->status = status;
}

void lh_http_add_header(lh_http_req *r, const char *name, const char *value)
{
    if (!r->extra_headers)
        r->extra_headers = json_object();
    json_object_set_new(r->extra_headers, name, json_string(value));
}

void lh_http_reply_bytes(lh_http_req *r, int status, const char *content_type, const void *data,
                         size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return;
    MHD_add_response_header(resp, "Content-Type", content_type);
    r->bytes_out += len;
    set_response(r, status, resp);
}

void lh_http_reply_fd(lh_http_req *r, int status, const char *content_type, int fd, uint64_t size)
{
    struct MHD_Response *resp = MHD_create_response_from_fd64(size, fd);
    if (!resp) {
        close(fd);
        return; /* the 500 "no reply" path answers */
    }
    MHD_add_response_header(resp, "Content-Type", content_type);
    r->bytes_out += size;
    set_response(r, status, resp);
}

void lh_http_reply_json(lh_http_req *r, int status, json_t *body)
{
    char *text = lh_json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    if (!text) {
        const char *oom = "{\"error\":{\"code\":\"out_of_memory\",\"message\":\"out of memory\"}}";
        lh_http_reply_bytes(r, 503, "application/json", oom, strlen(oom));
        return;
    }
    size_t n = strlen(text);
    text[n] = '\n'; /* replaces the terminator: the buffer is copied with its length */
    lh_http_reply_bytes(r, status, "application/json", text, n + 1);
    free(text);
}

void lh_http_reply_error(lh_http_req *r, int status, const char *code, const char *message)
{
    /* Messages may quote request bytes (a parser's excerpt, a field name cut at 64
     * bytes): scrub them to UTF-8, or json_pack would fail and turn a 400 into a 503. */
    char *safe = lh_strdup(message ? message : "");
    if (safe)
        lh_utf8_scrub(safe);
    lh_http_reply_json(r, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
                                            safe ? safe : "error"));
    free(safe);
}

void lh_http_reply_status(lh_http_req *r, lh_status st, const char *message)
{
    lh_http_reply_error(r, lh_status_http(st), lh_status_name(st), message);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    lh_http_req *r = cls;
    bool done = false;
    ssize_t n = r->fill(r->fill_ctx, buf, max, &done);
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0 && done)
        return MHD_CONTENT_READER_END_OF_STREAM;
    r->bytes_out += (uint64_t)n;
    return n;
}

void lh_http_reply_stream(lh_http_req *r, int status, const char *content_type,
                          lh_http_fill_fn fill, void (*release)(void *ctx), void *ctx)
{
    r->fill = fill;
    r->release = release;
    r->fill_ctx = ctx;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, r, NULL);
    if (!resp)
        return;
    MHD_add_response_header(resp, "Content-Type", content_type);
    set_response(r, status, resp);
}

/* ---- accessors -------------------------------------------------------------------- */

const char *lh_http_method(const lh_http_req *r) { return r->method; }
const char *lh_http_path(const lh_http_req *r) { return r->path; }
const char *lh_http_route_pattern(const lh_http_req *r) { return r->route ? r->route->pattern : NULL; }
const char *lh_http_request_id(const lh_http_req *r) { return r->request_id; }
const char *lh_http_trace_id(const lh_http_req *r) { return r->trace_id; }
const char *lh_http_principal(const lh_http_req *r) { return r->principal; }
json_t *lh_http_json(const lh_http_req *r) { return r->json; }
const lh_buf *lh_http_body_raw(const lh_http_req *r) { return &r->body; }
bool lh_http_quick(const lh_http_req *r) { return r->quick; }

void lh_http_after_reply(lh_http_req *r, void (*fn)(void *ctx), void *ctx)
{
    r->after = fn;
    r->after_ctx = ctx;
}

const char *lh_http_param(const lh_http_req *r, const char *name)
{
    for (size_t i = 0; i < r->nparams; i++)
        if (!strcmp(r->param_names[i], name))
            return r->param_values[i];
    return NULL;
}

const char *lh_http_query(const lh_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *lh_http_header(const lh_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* ---- the request cycle ------------------------------------------------------------ */

static void early_error(lh_http_req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void early_error(lh_http_req *r, int status, const char *code, const char *fmt, ...)
{
    if (r->early_status)
        return;
    r->early_status = status;
    snprintf(r->early_code, sizeof r->early_code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->early_msg, sizeof r->early_msg, fmt, ap);
    va_end(ap);
}

/* The media type is want exactly: "application/json; charset=utf-8" is, while
 * "application/jsonp" is not. */
static bool content_type_is(lh_http_req *r, const char *want)
{
    const char *ct = lh_http_header(r, "Content-Type");
    size_t n = strlen(want);
    return ct && !strncasecmp(ct, want, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

/* ---- Host and Origin: what a browser page may not do -------------------------------- */

/* Splits "name:port" / "[v6]:port" / "name" at the port colon; *port = NULL without one. */
static size_t host_name_len(const char *host, const char **port)
{
    const char *end = host[0] == '[' ? strchr(host, ']') : NULL;
    const char *colon = end ? (end[1] == ':' ? end + 1 : NULL) : strrchr(host, ':');
    *port = colon ? colon + 1 : NULL;
    return colon ? (size_t)(colon - host) : strlen(host);
}

static bool name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && !strncasecmp(name, want, len);
}

/* A DNS-rebinding page reaches us under its own name ("Host: evil.example:3100"): only
 * the loopback names, the bound address and [server] allowed_hosts are this server. The
 * built-in names need our port (none only on port 80); an allowed_hosts entry without a
 * port matches any port, "*" matches every Host. */
static bool host_allowed(lh_http_server *s, const char *host)
{
    if (!host || !*host || strlen(host) > 255)
        return false;
    const char *port;
    size_t len = host_name_len(host, &port);
    for (size_t i = 0; i < s->cfg.nallowed_hosts; i++) {
        const char *a = s->cfg.allowed_hosts[i], *aport;
        size_t alen = host_name_len(a, &aport);
        if (!strcmp(a, "*"))
            return true;
        if (alen == len && !strncasecmp(a, host, len) &&
            (!aport || (port && !strcmp(aport, port))))
            return true;
    }
    char own[16];
    snprintf(own, sizeof own, "%u", s->port);
    if (port ? strcmp(port, own) != 0 : s->port != 80)
        return false;
    return name_is(host, len, "127.0.0.1") || name_is(host, len, "localhost") ||
           name_is(host, len, "[::1]") || (s->bind_host[0] && name_is(host, len, s->bind_host));
}

/* A browser names the page that sent a request in Origin (and Sec-Fetch-Site). Only our
 * own origin (http:// + the Host we accepted) and [server] allowed_origins may send one:
 * this is what stops a web page from POSTing a multipart upload to a local server. */
static const char *origin_refusal(lh_http_server *s, lh_http_req *r, const char *host)
{
    const char *origin = lh_http_header(r, "Origin");
    const char *site = lh_http_header(r, "Sec-Fetch-Site");
    if (origin) {
        for (size_t i = 0; i < s->cfg.nallowed_origins; i++)
            if (!strcasecmp(origin, s->cfg.allowed_origins[i]))
                return NULL;
        if (strncasecmp(origin, "http://", 7) || strcasecmp(origin + 7, host))
            return "cross-origin request refused (Origin is not this server nor in [server] allowed_origins)";
    }
    /* same-site is another port on this host, which is another origin too */
    if (site && strcasecmp(site, "same-origin") && strcasecmp(site, "none"))
        return "cross-site request refused (Sec-Fetch-Site)";
    return NULL;
}

/* Everything decided from the request line and headers, before any body byte. */
static void begin(lh_http_server *s, lh_http_req *r)
{
    const char *host = lh_http_header(r, "Host");
    if (!host_allowed(s, host)) {
        early_error(r, 421, "misdirected_request",
                    "Host '%s' is not this server (add it to [server] allowed_hosts)", host ? host : "(none)");
        return;
    }
    const char *refusal = origin_refusal(s, r, host);
    if (refusal) {
        early_error(r, 403, "forbidden", "%s", refusal);
        return;
    }
    bool path_known = false;
    r->route = route_for(s, r->method, r->path, &path_known, r);
    if (!r->route) {
        if (r->params_oom)
            early_error(r, 503, "unavailable", "%s", "out of memory; try again");
        else if (path_known)
            early_error(r, 405, "method_not_allowed", "method %s is not allowed here", r->method);
        else
            early_error(r, 404, "not_found", "no route for %s", r->path);
        return;
    }
    bool open_health = s->cfg.health_open && !strcmp(r->route->pattern, "/health");
    if (s->cfg.auth && r->route->auth && !open_health) {
        const char *key = lh_http_header(r, "X-API-Key");
        if (!s->cfg.auth(s->cfg.auth_ctx, key, r->principal, r->role)) {
            early_error(r, 401, "unauthorized", "%s", key ? "invalid API key" : "missing X-API-Key header");
            return;
        }
        /* the role is checked here, from the table, so that no handler can forget it */
        lh_http_role have = lh_http_role_parse(r->role);
        if (have < r->route->role) {
            const char *has = lh_http_role_name(have);
            char unknown[96] = "";
            if (strcmp(r->role, has))
                snprintf(unknown, sizeof unknown, " (unknown role '%.64s')", r->role);
            char msg[256];
            snprintf(msg, sizeof msg, "%s %s needs role %s; key has %s%s", r->route->method,
                     r->route->pattern, lh_http_role_name(r->route->role), has, unknown);
            early_error(r, 403, "forbidden", "%s", msg);
            return;
        }
    }
    r->limit = r->route->max_body > 0 ? r->route->max_body : s->cfg.max_body;
    const char *cl = lh_http_header(r, "Content-Length");
    int64_t len = 0;
    if (cl && !lh_parse_i64(cl, &len) && len > r->limit) {
        char msg[64];
        snprintf(msg, sizeof msg, "%lld", (long long)r->limit);
        early_error(r, 413, "too_large", "request body is over the %s-byte limit", msg);
        return;
    }
    switch (r->route->body) {
    case LH_BODY_JSON:
        /* Any body (declared length or chunked) and any declared type must be JSON: a
         * form or text/plain POST is what a cross-site page can send without CORS. */
        if ((len > 0 || lh_http_header(r, "Transfer-Encoding") || lh_http_header(r, "Content-Type")) &&
            !content_type_is(r, "application/json"))
            early_error(r, 415, "unsupported_media_type", "%s", "expected Content-Type: application/json");
        break;
    case LH_BODY_MULTIPART:
        if (!content_type_is(r, "multipart/form-data"))
            early_error(r, 415, "unsupported_media_type", "%s", "expected Content-Type: multipart/form-data");
        else if (!lh__http_multipart_begin(r))
            early_error(r, 400, "invalid_input", "%s", "malformed multipart/form-data header (boundary?)");
        break;
    default:
        break;
    }
}

static void take_body(lh_http_req *r, const char *data, size_t size)
{
    r->bytes_in += size;
    if (r->early_status || r->too_big)
        return; /* drained and ignored */
    if ((int64_t)r->bytes_in > r->limit) {
        r->too_big = true;
        return;
    }
    if (r->route->body == LH_BODY_MULTIPART)
        lh__http_multipart_feed(r, data, size);
    else if (r->route->body == LH_BODY_NONE)
        early_error(r, 400, "invalid_input", "%s", "this route takes no request body");
    else
        lh_buf_add(&r->body, data, size); /* checked once, in checks_pass */
}

/* The body is complete: the last checks. Replies (and returns false) when one fails. */
static bool checks_pass(lh_http_req *r)
{
    if (r->early_status) {
        lh_http_reply_error(r, r->early_status, r->early_code, r->early_msg);
        return false;
    }
    lh_status bst = lh_buf_status(&r->body);
    if (bst == LH_ENOMEM) {
        lh_http_reply_status(r, bst, "out of memory reading the request body");
        return false;
    }
    if (r->too_big || bst) {
        char msg[96];
        snprintf(msg, sizeof msg, "request body is over the %lld-byte limit", (long long)r->limit);
        lh_http_reply_error(r, 413, "too_large", msg);
        return false;
    }
    if (r->route->body == LH_BODY_MULTIPART && !lh__http_multipart_complete(r)) {
        lh_http_reply_status(r, r->upload_st ? r->upload_st : LH_EINVAL, r->upload_msg);
        return false;
    }
    if (r->route->body == LH_BODY_JSON) {
        if (r->body.len == 0) {
            r->json = json_object(); /* an empty body is an empty object */
        } else {
            json_error_t je;
            r->json = lh_json_loadb(lh_buf_cstr(&r->body), r->body.len, JSON_REJECT_DUPLICATES,
                                    &je);
            if (!r->json) {
                char msg[256];
                snprintf(msg, sizeof msg, "malformed JSON at line %d, column %d: %s", je.line,
                         je.column, je.text);
                lh_http_reply_error(r, 400, "invalid_json", msg);
                return false;
            }
            if (!json_is_object(r->json)) {
                lh_http_reply_error(r, 400, "invalid_json", "the request body must be a JSON object");
                return false;
            }
        }
    }
    return true;
}

void lh__http_run_handler(lh_http_server *s, lh_http_req *r)
{
    r->t_handler_start = lh__http_now_ns();
    r->route->handler(r, s->cfg.app);
    r->t_handler_end = lh__http_now_ns();
    /* Staged uploads go now, before the reply leaves: a client that has its answer sees
     * _staging clean (on_completed runs only after the reply was sent). Multipart routes
     * reply with JSON, never a stream that could still read them. */
    if (r->route->body == LH_BODY_MULTIPART)
        lh__http_multipart_cleanup(r);
    if (!r->response)
        lh_http_reply_error(r, 500, "internal", "the handler gave no reply");
}

static enum MHD_Result queue(lh_http_req *r)
{
    MHD_add_response_header(r->response, "X-Request-Id", r->request_id);
    char tp[64];
    snprintf(tp, sizeof tp, "00-%s-%s-01", r->trace_id, r->span_id);
    MHD_add_response_header(r->response, "traceparent", tp);
    const char *k;
    json_t *v;
    json_object_foreach(r->extra_headers, k, v)
        MHD_add_response_header(r->response, k, json_string_value(v));
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, r->response);
    MHD_destroy_response(r->response);
    r->queued = true;
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    lh_http_server *s = cls;
    lh_http_req *r = *con_cls;
    if (!r) {
        lh__http_conn_busy(s, conn, true); /* headers complete: the header deadline is met */
        r = lh_calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->srv = s;
        r->conn = conn;
        r->start_ms = lh_mono_ms();
        snprintf(r->method, sizeof r->method, "%s", method);
        r->path = lh_strdup(url);
        lh_buf_init(&r->body, (size_t)1 << 31);
        snprintf(r->principal, sizeof r->principal, "anonymous");
        /* one getrandom for the request id, the trace id and the span id */
        char rnd[2 * LH_HTTP_RANDOM_BYTES + 1];
        lh_random_hex(rnd, LH_HTTP_RANDOM_BYTES);
        const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
        if (rid && strlen(rid) <= 32 && strspn(rid, "0123456789abcdefABCDEF-") == strlen(rid))
            snprintf(r->request_id, sizeof r->request_id, "%s", rid);
        else
            snprintf(r->request_id, sizeof r->request_id, "%.32s", rnd + 48);
        __atomic_add_fetch(&s->active, 1, __ATOMIC_SEQ_CST);
        *con_cls = r;
        lh__http_trace_begin(r, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "traceparent"), rnd);
        begin(s, r);
        r->t_routed = lh__http_now_ns();
        if (r->early_status) {
            /* Decided from the headers alone (404, 405, 401, 413, 415): answer now rather
             * than after reading a body we will not use; the connection then closes. */
            lh_http_reply_error(r, r->early_status, r->early_code, r->early_msg);
            return r->response ? queue(r) : MHD_NO;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        take_body(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!r->response && !r->dispatched && checks_pass(r)) {
        /* A quick handler answers here, in the network thread, when it can: no suspend,
         * no queue, no wake-up of a worker and of this thread again (/health, /metrics). */
        if (r->route->control == LH_LANE_QUICK) {
            r->quick = true;
            r->t_handler_start = lh__http_now_ns();
            r->route->handler(r, s->cfg.app);
            r->t_handler_end = lh__http_now_ns();
            r->quick = false;
            if (r->response) {
                enum MHD_Result res = queue(r);
                if (r->after)
                    r->after(r->after_ctx);
                r->after = NULL;
                return res;
            }
            r->t_handler_start = r->t_handler_end = 0;
        }
        /* Handlers may take long (a query, an ingest): a worker runs them while this
         * connection is suspended, so libmicrohttpd's threads keep serving others. */
        r->dispatched = true;
        MHD_suspend_connection(conn);
        lh__http_pool_submit(r->route->control ? &s->control : &s->work, r);
        return MHD_YES;
    }
    return r->response ? queue(r) : MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    lh_http_server *s = cls;
    lh_http_req *r = *con_cls;
    if (!r)
        return;
    lh__http_conn_busy(s, conn, false);
    if (s->cfg.observe)
        s->cfg.observe(s->cfg.observe_ctx, r, r->status ? r->status : 499,
                       lh_mono_ms() - r->start_ms, r->bytes_in, r->bytes_out);
    lh__http_trace_end(s, r, r->status ? r->status : 499);
    if (r->release)
        r->release(r->fill_ctx); /* e.g. closes a query the client stopped reading */
    lh__http_multipart_cleanup(r);
    /* A reply made but never queued: the daemon stopped before the connection was resumed
     * (a request still waiting for a worker at the shutdown deadline). */
    if (r->response && !r->queued)
        MHD_destroy_response(r->response);
    json_decref(r->json);
    json_decref(r->extra_headers);
    lh_buf_release(&r->body);
    free_params(r);
    free(r->path);
    free(r);
    *con_cls = NULL;
    __atomic_sub_fetch(&s->active, 1, __ATOMIC_SEQ_CST);
}

/* Percent-decoding of the path and query: as libmicrohttpd's, except that %00 becomes
 * 0x01 rather than a terminator (which would silently cut a key short); the key checks
 * then refuse it as a control character. */
static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls; (void)c;
    char *w = s;
    for (const char *p = s; *p; p++) {
        int hi, lo;
        if (*p == '%' && p[1] && p[2] && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
            char v = (char)(hi * 16 + lo);
            *w++ = v ? v : '\x01';
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* ---- start and stop --------------------------------------------------------------- */

static lh_status parse_bind(const char *bind, struct sockaddr_in *sa, lh_err *err)
{
    char host[64];
    const char *colon = strrchr(bind, ':');
    if (!colon || (size_t)(colon - bind) >= sizeof host)
        return lh_fail(err, LH_EINVAL, "bind address '%s' is not HOST:PORT", bind);
    snprintf(host, sizeof host, "%.*s", (int)(colon - bind), bind);
    int64_t port = -1;
    if (lh_parse_i64(colon + 1, &port) || port < 0 || port > 65535)
        return lh_fail(err, LH_EINVAL, "bind address '%s' has no valid port", bind);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return lh_fail(err, LH_EINVAL, "bind address '%s': '%s' is not an IPv4 address", bind, host);
    return LH_OK;
}

lh_status lh_http_start(const lh_http_config *cfg, lh_http_server **out, lh_err *err)
{
    struct sockaddr_in sa;
    lh_status st = parse_bind(cfg->bind, &sa, err);
    if (st)
        return st;
    /* Without keys anyone who can connect owns the data: fine on loopback (the machine's
     * users), not on an interface others reach, unless the operator says so. */
    if (!cfg->auth && (ntohl(sa.sin_addr.s_addr) >> 24) != 127 && !cfg->allow_unauthenticated_remote)
        return lh_fail(err, LH_EDENIED,
                       "refusing to serve %s without authentication: enable [auth] or set [server] "
                       "allow_unauthenticated_remote = true (--allow-unauthenticated-remote)", cfg->bind);
    lh_http_server *s = lh_calloc(1, sizeof *s);
    if (!s || !(s->staging_dir = lh_strdup(cfg->staging_dir))) {
        free(s);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    s->cfg = *cfg;
    s->port = ntohs(sa.sin_port); /* 0 until the daemon says which port it took */
    if (sa.sin_addr.s_addr != htonl(INADDR_ANY))
        inet_ntop(AF_INET, &sa.sin_addr, s->bind_host, sizeof s->bind_host);
    pthread_mutex_init(&s->c_mu, NULL);
    pthread_cond_init(&s->c_cv, NULL);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nworkers = cfg->workers ? cfg->workers : (unsigned)(ncpu > 2 ? 2 * ncpu : 4);
    if (cfg->trace_path && !strcmp(cfg->trace_path, "-")) {
        s->trace_out = stdout;
    } else if (cfg->trace_path && *cfg->trace_path) {
        s->trace_out = fopen(cfg->trace_path, "ae");
        s->trace_owned = s->trace_out != NULL;
        if (!s->trace_out) {
            int e = errno;
            free(s->staging_dir);
            free(s);
            return lh_fail(err, LH_EIO, "cannot open trace file %s: %s", cfg->trace_path, strerror(e));
        }
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads : (unsigned)(cores > 0 ? cores : 2);
    s->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, ntohs(sa.sin_port),
        lh__http_conn_accept, s,
        on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout_s ? cfg->connection_timeout_s : 30u,
        MHD_OPTION_NOTIFY_CONNECTION, lh__http_conn_notify, s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->header_limit ? cfg->header_limit : (size_t)64 * 1024,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
    if (!s->daemon) {
        int e = errno;
        if (s->trace_owned)
            fclose(s->trace_out);
        free(s->staging_dir);
        free(s);
        return lh_fail(err, LH_EIO, "cannot listen on %s: %s", cfg->bind, e ? strerror(e) : "unknown error");
    }
    /* two control workers: one health check stuck in the engine leaves the other */
    if (!lh__http_pool_start(s, &s->work, nworkers) || !lh__http_pool_start(s, &s->control, 2) ||
        !lh__http_conns_start(s)) {
        lh__http_conns_stop(s);
        lh__http_pool_stop(&s->work);
        lh__http_pool_stop(&s->control);
        MHD_stop_daemon(s->daemon);
        if (s->trace_owned)
            fclose(s->trace_out);
        free(s->staging_dir);
        free(s);
        return lh_fail(err, LH_ENOMEM, "cannot start the request workers");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    *out = s;
    return LH_OK;
}

unsigned lh_http_port(const lh_http_server *s) { return s->port; }

unsigned lh_http_active(const lh_http_server *s)
{
    return __atomic_load_n(&s->active, __ATOMIC_SEQ_CST);
}

void lh_http_stop(lh_http_server *s, int64_t deadline_ms)
{
    if (!s)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon); /* no new connections from here on */
    double until = lh_mono_ms() + (double)deadline_ms;
    while (lh_http_active(s) && lh_mono_ms() < until)
        usleep(20 * 1000);
    if (lh_http_active(s))
        lh__http_pool_abandon(&s->work);
    if (lh_http_active(s) && s->cfg.on_deadline) {
        s->cfg.on_deadline(s->cfg.app);
        until = lh_mono_ms() + 1000;
        while (lh_http_active(s) && lh_mono_ms() < until)
            usleep(20 * 1000);
    }
    lh__http_conns_stop(s);
    /* finish queued handlers, which resume their connections */
    lh__http_pool_stop(&s->work);
    lh__http_pool_stop(&s->control);
    MHD_stop_daemon(s->daemon);
    lh__http_conns_free_reservations(s); /* accepted, then refused by libmicrohttpd: never started */
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    if (s->trace_owned)
        fclose(s->trace_out);
    free(s->staging_dir);
    free(s);
}
