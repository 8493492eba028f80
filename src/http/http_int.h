/* http_int.h: the request structure shared by the http module's files. */
#ifndef LH_HTTP_HTTP_INT_H
#define LH_HTTP_HTTP_INT_H

#include <microhttpd.h>
#include <pthread.h>

#include "http/http.h"

#define LH_HTTP_MAX_PARAMS 4
#define LH_HTTP_MAX_FILES 16

struct lh_http_server {
    struct MHD_Daemon *daemon;
    lh_http_config cfg;
    char *staging_dir;
    unsigned port;
    pthread_mutex_t mu;
    unsigned active;
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
    size_t nparams;
    char request_id[33];
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
    lh_status upload_st;
    char upload_msg[256];
    /* reply */
    struct MHD_Response *response;
    int status;
    json_t *extra_headers;     /* object name -> value */
    /* streaming */
    lh_http_fill_fn fill;
    void (*release)(void *);
    void *fill_ctx;
};

/* Multipart: set up the post processor / feed it / finish and clean up. */
bool lh__http_multipart_begin(lh_http_req *r);
void lh__http_multipart_feed(lh_http_req *r, const char *data, size_t size);
void lh__http_multipart_cleanup(lh_http_req *r);

#endif
