/* api.h: the HTTP API: the route table (routes are data) and the serve loop. Handlers
 * live in api_<resource>.c, each thin: parse parameters, call one lake function, render. */
#ifndef LH_API_API_H
#define LH_API_API_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/status.h"
#include "http/http.h"

/* The route table (also the source of docs/API.md). */
const lh_http_route *lh_api_routes(size_t *n);

typedef struct lh_api_options {
    const char *data_dir;
    const lh_config *config;   /* [server], [auth], [query] */
    const char *bind;          /* overrides server.bind when non-NULL */
    bool allow_unauthenticated_remote; /* --allow-unauthenticated-remote (or the config key) */
    void (*on_ready)(const char *url, void *ctx); /* called once listening */
    void *ready_ctx;
} lh_api_options;

/* Opens the data directory as its writer, serves until SIGTERM or SIGINT, then stops
 * accepting, lets in-flight requests finish (up to server.shutdown_ms) and returns. */
lh_status lh_api_serve(const lh_api_options *opts, lh_err *err);

#endif
