/* client.h: the HTTP client (libcurl, the only user of curl.h). The CLI uses it to hand
 * work to a running server when that server holds the data directory's writer lock. */
#ifndef LH_NET_CLIENT_H
#define LH_NET_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

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

#endif
