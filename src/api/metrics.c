/* metrics.c: counters and latency histograms for /metrics (Prometheus text format). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_int.h"
#include "core/alloc.h"

static const double buckets_ms[] = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};
#define NBUCKETS (sizeof buckets_ms / sizeof buckets_ms[0])

struct lh_metrics {
    pthread_mutex_t mu;
    json_t *requests;   /* "METHOD route status" -> count */
    json_t *latency;    /* "METHOD route" -> [bucket counts..., +Inf count, sum_ms] */
    uint64_t queries, query_rows, ingest_bytes, ingest_rows, bytes_in, bytes_out;
};

lh_metrics *lh__metrics_new(void)
{
    lh_metrics *m = lh_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    pthread_mutex_init(&m->mu, NULL);
    m->requests = json_object();
    m->latency = json_object();
    return m;
}

void lh__metrics_free(lh_metrics *m)
{
    if (!m)
        return;
    json_decref(m->requests);
    json_decref(m->latency);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

void lh__metrics_observe(void *ctx, const lh_http_req *req, int status, double ms,
                         uint64_t bytes_in, uint64_t bytes_out)
{
    lh_metrics *m = ctx;
    const char *route = lh_http_route_pattern(req);
    char key[300], lkey[256];
    snprintf(lkey, sizeof lkey, "%s %s", lh_http_method(req), route ? route : "unmatched");
    snprintf(key, sizeof key, "%s %d", lkey, status);
    pthread_mutex_lock(&m->mu);
    json_t *c = json_object_get(m->requests, key);
    json_object_set_new(m->requests, key, json_integer(json_integer_value(c) + 1));
    json_t *h = json_object_get(m->latency, lkey);
    if (!h) {
        h = json_array();
        for (size_t i = 0; i < NBUCKETS + 2; i++)
            json_array_append_new(h, json_real(0));
        json_object_set_new(m->latency, lkey, h);
    }
    for (size_t i = 0; i < NBUCKETS; i++)
        if (ms <= buckets_ms[i])
            json_real_set(json_array_get(h, i), json_real_value(json_array_get(h, i)) + 1);
    json_real_set(json_array_get(h, NBUCKETS), json_real_value(json_array_get(h, NBUCKETS)) + 1);
    json_real_set(json_array_get(h, NBUCKETS + 1), json_real_value(json_array_get(h, NBUCKETS + 1)) + ms);
    m->bytes_in += bytes_in;
    m->bytes_out += bytes_out;
    pthread_mutex_unlock(&m->mu);
}

void lh__metrics_count_query(lh_metrics *m, uint64_t rows)
{
    pthread_mutex_lock(&m->mu);
    m->queries++;
    m->query_rows += rows;
    pthread_mutex_unlock(&m->mu);
}

void lh__metrics_count_ingest(lh_metrics *m, int64_t bytes, int64_t rows)
{
    pthread_mutex_lock(&m->mu);
    m->ingest_bytes += (uint64_t)(bytes > 0 ? bytes : 0);
    m->ingest_rows += (uint64_t)(rows > 0 ? rows : 0);
    pthread_mutex_unlock(&m->mu);
}

/* "GET /health 200" -> method, route, status labels. */
static void labels(const char *key, char *method, char *route, char *status)
{
    const char *sp1 = strchr(key, ' '), *sp2 = strrchr(key, ' ');
    snprintf(method, 16, "%.*s", (int)(sp1 - key), key);
    if (status) {
        snprintf(route, 200, "%.*s", (int)(sp2 - sp1 - 1), sp1 + 1);
        snprintf(status, 8, "%s", sp2 + 1);
    } else {
        snprintf(route, 200, "%s", sp1 + 1);
    }
}

static long resident_bytes(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * sysconf(_SC_PAGESIZE);
}

char *lh__metrics_render(lh_metrics *m)
{
    lh_buf b;
    lh_buf_init(&b, (size_t)16 << 20);
    char method[16], route[200], status[8];
    const char *key;
    json_t *v;
    pthread_mutex_lock(&m->mu);
    lh_buf_adds(&b, "# HELP lakehouse_http_requests_total HTTP requests by route and status.\n"
                    "# TYPE lakehouse_http_requests_total counter\n");
    json_object_foreach(m->requests, key, v) {
        labels(key, method, route, status);
        lh_buf_printf(&b, "lakehouse_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %lld\n",
                      method, route, status, (long long)json_integer_value(v));
    }
    lh_buf_adds(&b, "# HELP lakehouse_http_request_duration_ms Request latency.\n"
                    "# TYPE lakehouse_http_request_duration_ms histogram\n");
    json_object_foreach(m->latency, key, v) {
        labels(key, method, route, NULL);
        for (size_t i = 0; i < NBUCKETS; i++)
            lh_buf_printf(&b, "lakehouse_http_request_duration_ms_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %.0f\n",
                          method, route, buckets_ms[i], json_real_value(json_array_get(v, i)));
        double count = json_real_value(json_array_get(v, NBUCKETS));
        lh_buf_printf(&b, "lakehouse_http_request_duration_ms_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %.0f\n",
                      method, route, count);
        lh_buf_printf(&b, "lakehouse_http_request_duration_ms_sum{method=\"%s\",route=\"%s\"} %.3f\n",
                      method, route, json_real_value(json_array_get(v, NBUCKETS + 1)));
        lh_buf_printf(&b, "lakehouse_http_request_duration_ms_count{method=\"%s\",route=\"%s\"} %.0f\n",
                      method, route, count);
    }
    lh_buf_printf(&b, "# TYPE lakehouse_queries_total counter\nlakehouse_queries_total %llu\n"
                      "# TYPE lakehouse_query_rows_total counter\nlakehouse_query_rows_total %llu\n"
                      "# TYPE lakehouse_ingested_bytes_total counter\nlakehouse_ingested_bytes_total %llu\n"
                      "# TYPE lakehouse_ingested_rows_total counter\nlakehouse_ingested_rows_total %llu\n"
                      "# TYPE lakehouse_http_received_bytes_total counter\nlakehouse_http_received_bytes_total %llu\n"
                      "# TYPE lakehouse_http_sent_bytes_total counter\nlakehouse_http_sent_bytes_total %llu\n",
                  (unsigned long long)m->queries, (unsigned long long)m->query_rows,
                  (unsigned long long)m->ingest_bytes, (unsigned long long)m->ingest_rows,
                  (unsigned long long)m->bytes_in, (unsigned long long)m->bytes_out);
    pthread_mutex_unlock(&m->mu);
    lh_buf_printf(&b, "# HELP lakehouse_resident_memory_bytes Resident memory of the process "
                      "(engine included).\n# TYPE lakehouse_resident_memory_bytes gauge\n"
                      "lakehouse_resident_memory_bytes %ld\n", resident_bytes());
    return lh_buf_detach(&b);
}

void lh__api_metrics(lh_http_req *r, void *app)
{
    lh_api *a = app;
    char *text = lh__metrics_render(a->metrics); /* NULL: the builder failed */
    if (!text) {
        lh_http_reply_status(r, LH_ENOMEM, "out of memory rendering the metrics");
        return;
    }
    lh_http_reply_bytes(r, 200, "text/plain; version=0.0.4", text, strlen(text));
    free(text);
}
