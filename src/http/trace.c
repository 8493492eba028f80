/* trace.c: one trace per request. A W3C traceparent header is honoured (the request's
 * span becomes its child), else a new trace starts. Spans: the request (SERVER), routing
 * and checks, and the handler's work (engine or storage, named by the route). Each
 * finished request is written as one OTLP/JSON line (ExportTraceServiceRequest shape) to
 * stdout or a file. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/util.h"
#include "http/http_int.h"

static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;

uint64_t lh__http_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool hex_of_len(const char *s, size_t n)
{
    return strlen(s) >= n && strspn(s, "0123456789abcdef") >= n;
}

void lh__http_trace_begin(lh_http_req *r, const char *traceparent, const char *rnd)
{
    /* version "00" - 32 hex trace id - 16 hex parent id - 2 hex flags */
    if (traceparent && strlen(traceparent) == 55 && !strncmp(traceparent, "00-", 3) &&
        hex_of_len(traceparent + 3, 32) && traceparent[35] == '-' &&
        hex_of_len(traceparent + 36, 16) && traceparent[52] == '-' &&
        strspn(traceparent + 3, "0") < 32 && strspn(traceparent + 36, "0") < 16) {
        snprintf(r->trace_id, sizeof r->trace_id, "%.32s", traceparent + 3);
        snprintf(r->parent_span, sizeof r->parent_span, "%.16s", traceparent + 36);
    } else {
        snprintf(r->trace_id, sizeof r->trace_id, "%.32s", rnd);
        r->parent_span[0] = '\0';
    }
    snprintf(r->span_id, sizeof r->span_id, "%.16s", rnd + 32);
    r->t_start = lh__http_now_ns();
}

static void add_span(lh_buf *b, const lh_http_req *r, const char *span, const char *parent,
                     const char *name, int kind, uint64_t start, uint64_t end, int status)
{
    json_t *attrs = json_array();
    if (!strcmp(span, r->span_id)) {
        json_array_append_new(attrs, json_pack("{s:s, s:{s:s}}", "key", "http.request.method",
                                               "value", "stringValue", r->method));
        json_array_append_new(attrs, json_pack("{s:s, s:{s:s}}", "key", "url.path", "value",
                                               "stringValue", r->path));
        json_array_append_new(attrs, json_pack("{s:s, s:{s:I}}", "key", "http.response.status_code",
                                               "value", "intValue", (json_int_t)status));
        json_array_append_new(attrs, json_pack("{s:s, s:{s:s}}", "key", "lakehouse.request_id",
                                               "value", "stringValue", r->request_id));
    }
    char s0[24], s1[24];
    snprintf(s0, sizeof s0, "%llu", (unsigned long long)start);
    snprintf(s1, sizeof s1, "%llu", (unsigned long long)(end > start ? end : start));
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:o, s:{s:i}}", "traceId", r->trace_id,
                          "spanId", span, "parentSpanId", parent, "name", name, "kind", kind,
                          "startTimeUnixNano", s0, "endTimeUnixNano", s1, "attributes", attrs,
                          "status", "code", status >= 500 ? 2 : 0);
    char *text = lh_json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text) {
        lh_buf_printf(b, "%s%s", b->len && lh_buf_cstr(b)[b->len - 1] != '[' ? "," : "", text);
        free(text);
    }
    json_decref(j);
}

void lh__http_trace_end(lh_http_server *s, lh_http_req *r, int status)
{
    if (!s->trace_out)
        return;
    uint64_t end = lh__http_now_ns();
    char route_span[17], handler_span[17], name[200];
    lh_random_hex(route_span, 8);
    lh_random_hex(handler_span, 8);
    snprintf(name, sizeof name, "%s %s", r->method, r->route ? r->route->pattern : "unmatched");
    lh_buf b;
    lh_buf_init(&b, (size_t)1 << 20);
    lh_buf_adds(&b, "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                    "\"value\":{\"stringValue\":\"lakehouse\"}}]},\"scopeSpans\":[{\"scope\":"
                    "{\"name\":\"lakehouse.http\"},\"spans\":[");
    add_span(&b, r, r->span_id, r->parent_span, name, 2, r->t_start, end, status);
    add_span(&b, r, route_span, r->span_id, "route", 1, r->t_start,
             r->t_routed ? r->t_routed : end, status);
    if (r->t_handler_start)
        add_span(&b, r, handler_span, r->span_id,
                 r->route && r->route->handler_span ? r->route->handler_span : "handler", 1,
                 r->t_handler_start, r->t_handler_end ? r->t_handler_end : end, status);
    lh_buf_adds(&b, "]}]}]}\n");
    if (lh_buf_status(&b)) { /* a trace line is best effort: none rather than a broken one */
        lh_buf_release(&b);
        return;
    }
    pthread_mutex_lock(&out_mu);
    fwrite(lh_buf_cstr(&b), 1, b.len, s->trace_out);
    fflush(s->trace_out);
    pthread_mutex_unlock(&out_mu);
    lh_buf_release(&b);
}
