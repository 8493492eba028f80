/* api_ingest.c: POST /ingest/file (multipart upload) and POST /ingest/db (PostgreSQL). */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/util.h"
#include "ingest/ingest.h"

/* The client's file name without any directory part: used as a name hint only. */
static const char *base_name(const char *filename)
{
    const char *b = filename ? filename : "";
    for (const char *p = b; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return *b ? b : "upload";
}

/* The form field allow_schema_change: absent, "true" or "false"; else a 400. */
static bool allow_field(lh_http_req *r, bool *allow)
{
    const char *v = lh_http_form(r, "allow_schema_change");
    *allow = v && !strcmp(v, "true");
    if (!v || !*v || *allow || !strcmp(v, "false"))
        return true;
    lh_http_reply_error(r, 400, "invalid_input", "allow_schema_change must be true or false");
    return false;
}

/* The form fields for files the detection gets wrong: encoding, and the CSV dialect
 * (header, delim, quote, skip). false after a 400 naming the bad value. */
static bool override_fields(lh_http_req *r, lh_ingest_request *req)
{
    const char *encoding = lh_http_form(r, "encoding");
    req->encoding = encoding && *encoding ? encoding : NULL;
    lh_err err;
    if (!lh_ingest_csv_parse(&req->csv, lh_http_form(r, "header"), lh_http_form(r, "delim"),
                             lh_http_form(r, "quote"), lh_http_form(r, "skip"), &err))
        return true;
    lh_http_reply_error(r, 400, "invalid_input", err.msg);
    return false;
}

void lh__api_ingest_file(lh_http_req *r, void *app)
{
    lh_api *a = app;
    size_t n = lh_http_nfiles(r);
    if (!n) {
        lh_http_reply_error(r, 400, "invalid_input", "no file part in the upload (use a file field)");
        return;
    }
    const char *name = lh_http_form(r, "name"), *format = lh_http_form(r, "format");
    if (name && !*name)
        name = NULL;
    if (format && !*format)
        format = NULL;
    bool allow;
    if (!allow_field(r, &allow))
        return;
    /* Per-file results: every file gets an entry with its name; files are ingested in
     * order and the first failure stops the rest ("skipped"). Earlier files stay committed,
     * so a failure after them answers with the error and the results together. */
    lh_ingest_request given = {0};
    if (!override_fields(r, &given))
        return;
    json_t *results = json_array();
    lh_status failed = LH_OK;
    lh_err err;
    for (size_t i = 0; i < n; i++) {
        const lh_http_file *f = lh_http_file_at(r, i);
        const char *shown = base_name(f->filename);
        if (failed) {
            json_array_append_new(results, json_pack("{s:s, s:s}", "file", shown, "status", "skipped"));
            continue;
        }
        char uri[300];
        snprintf(uri, sizeof uri, "upload:%s", shown);
        lh_ingest_request req = {.path = f->path, .filename = shown, .name = name, .format = format,
                                 .actor = lh_http_principal(r), .source_uri = uri,
                                 .allow_schema_change = allow, .encoding = given.encoding,
                                 .csv = given.csv};
        lh_ingest_result res;
        lh_status st = lh_lake_ingest(a->lake, &req, &res, &err);
        if (st) {
            failed = st;
            lh_utf8_scrub(err.msg);
            json_array_append_new(results, json_pack("{s:s, s:s, s:{s:s, s:s}}", "file", shown,
                                                     "status", "failed", "error", "code",
                                                     lh_status_name(st), "message", err.msg));
        } else {
            lh__metrics_count_ingest(a->metrics, f->size, res.rows_added);
            json_t *one = lh_ingest_result_json(&res);
            json_object_set_new(one, "file", json_string(shown));
            json_object_set_new(one, "status", json_string("ok"));
            json_array_append_new(results, one);
        }
        lh_ingest_result_release(&res);
    }
    if (!failed) {
        lh_http_reply_json(r, 200, json_pack("{s:o}", "results", results));
    } else if (n == 1) {
        json_decref(results);
        lh_http_reply_status(r, failed, err.msg);
    } else {
        lh_http_reply_json(r, lh_status_http(failed),
                           json_pack("{s:{s:s, s:s}, s:o}", "error", "code", lh_status_name(failed),
                                     "message", err.msg, "results", results));
    }
}

/* The fields /ingest/db and /ingest/postgres/import share into req; false after a 400. */
static bool pg_fields(lh_http_req *r, lh_api *a, lh_ingest_pg_request *req)
{
    const char *table, *query, *name, *order_by;
    int64_t limit = 0, batch = 0;
    bool allow = false;
    if (!lh__api_string(r, "table", false, &table) || !lh__api_string(r, "query", false, &query) ||
        !lh__api_string(r, "dataset_name", false, &name) ||
        !lh__api_string(r, "order_by", false, &order_by) ||
        !lh__api_int(r, "limit", 0, INT64_MAX, &limit) ||
        !lh__api_int(r, "batch_size", 0, INT64_MAX, &batch) ||
        !lh__api_bool(r, "allow_schema_change", &allow))
        return false;
    if (!table == !query) {
        lh_http_reply_error(r, 400, "invalid_input", "give exactly one of 'table' and 'query'");
        return false;
    }
    *req = (lh_ingest_pg_request){.table = table, .query = query, .name = name,
                                  .order_by = order_by, .limit = limit, .batch_size = batch,
                                  .actor = lh_http_principal(r), .allow_schema_change = allow,
                                  .allowed_hosts = lh_config_str(a->config,
                                                                 "ingest.db_allowed_hosts",
                                                                 LH_CONFIG_DB_ALLOWED_HOSTS)};
    return true;
}

static void ingest_pg(lh_http_req *r, lh_api *a, const lh_ingest_pg_request *req)
{
    lh_ingest_result res;
    lh_err err;
    lh_status st = lh_lake_ingest_postgres(a->lake, req, &res, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else {
        lh__metrics_count_ingest(a->metrics, 0, res.rows_added);
        lh_http_reply_json(r, 200, lh_ingest_result_json(&res));
    }
    lh_ingest_result_release(&res);
}

void lh__api_ingest_db(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"dsn", "table", "query", "dataset_name",
                                          "allow_schema_change", "order_by", "limit",
                                          "batch_size", NULL};
    const char *dsn;
    lh_ingest_pg_request req;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "dsn", true, &dsn) ||
        !pg_fields(r, a, &req))
        return;
    req.dsn = dsn;
    ingest_pg(r, a, &req);
}

/* POST /ingest/postgres/import: the seed's structured form of the same ingest. The
 * password is never in the body: password_ref names an entry of [db_passwords] in the
 * secrets file. */
void lh__api_ingest_pg_import(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"host", "port", "user", "database", "password_ref",
                                          "password", /* refused below, with the reason */
                                          "sslmode", "table", "query", "dataset_name",
                                          "allow_schema_change", "order_by", "limit",
                                          "batch_size", NULL};
    const char *host, *user, *database, *ref, *sslmode;
    int64_t port = 0;
    lh_ingest_pg_request req;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "host", true, &host) ||
        !lh__api_int(r, "port", 1, 65535, &port) || !lh__api_string(r, "user", false, &user) ||
        !lh__api_string(r, "database", true, &database) ||
        !lh__api_string(r, "password_ref", false, &ref) ||
        !lh__api_string(r, "sslmode", false, &sslmode) || !pg_fields(r, a, &req))
        return;
    if (json_object_get(lh_http_json(r), "password")) {
        lh_http_reply_error(r, 400, "invalid_input", "no password in the body: store it in the "
                            "secrets file under [db_passwords] and send password_ref");
        return;
    }
    lh_err err;
    char *password = NULL;
    lh_status st = ref ? lh__secrets_db_password(lh_config_str(a->config, "auth.secrets_file", ""),
                                                 ref, &password, &err) : LH_OK;
    lh_buf dsn;
    lh_buf_init(&dsn, 0);
    if (!st)
        st = lh_ingest_pg_conninfo(host, port, user, database, password, sslmode, &dsn, &err);
    if (password) {
        explicit_bzero(password, strlen(password));
        free(password);
    }
    if (st) {
        lh_http_reply_status(r, st, err.msg);
    } else {
        req.dsn = lh_buf_cstr(&dsn);
        ingest_pg(r, a, &req);
    }
    if (dsn.data) /* clearing the secret: a write, not a use of the built text */
        explicit_bzero(dsn.data, dsn.len);
    lh_buf_release(&dsn);
}

/* POST /catalog/datasets/by-name/{name}/schema-diff: one uploaded file compared with the
 * dataset's schema; nothing is written. */
void lh__api_schema_diff(lh_http_req *r, void *app)
{
    lh_api *a = app;
    size_t n = lh_http_nfiles(r);
    if (n != 1) {
        lh_http_reply_error(r, 400, "invalid_input",
                            n ? "upload exactly one file" : "no file part in the upload (use a file field)");
        return;
    }
    const char *format = lh_http_form(r, "format");
    const lh_http_file *f = lh_http_file_at(r, 0);
    lh_ingest_request req = {.path = f->path, .filename = base_name(f->filename),
                             .name = lh_http_param(r, "name"),
                             .format = format && *format ? format : NULL,
                             .actor = lh_http_principal(r)};
    if (!override_fields(r, &req))
        return;
    json_t *diff = NULL;
    lh_err err;
    lh_status st = lh_lake_schema_diff(a->lake, &req, &diff, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, diff);
}
