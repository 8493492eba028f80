/* api_ingest.c: POST /ingest/file (multipart upload) and POST /ingest/db (PostgreSQL). */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"

json_t *lh__api_ingest_json(const lh_ingest_result *r);

json_t *lh__api_ingest_json(const lh_ingest_result *r)
{
    json_t *names = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(r->columns, i, c) json_array_append(names, json_object_get(c, "name"));
    return json_pack("{s:s, s:I, s:I, s:b, s:b, s:o, s:O, s:s, s:s, s:O}", "dataset", r->dataset,
                     "version", (json_int_t)r->version, "rows_added", (json_int_t)r->rows_added,
                     "deduplicated", r->deduplicated, "created", r->created, "columns", names,
                     "renames", r->renames ? r->renames : json_array(), "sha256", r->sha256,
                     "format", r->format, "schema_changes",
                     r->schema_changes ? r->schema_changes : json_null());
}

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
    lh_ingest_request given = {0};
    if (!override_fields(r, &given))
        return;
    json_t *results = json_array();
    for (size_t i = 0; i < n; i++) {
        const lh_http_file *f = lh_http_file_at(r, i);
        const char *shown = base_name(f->filename);
        char uri[300];
        snprintf(uri, sizeof uri, "upload:%s", shown);
        lh_ingest_request req = {.path = f->path, .filename = shown, .name = name, .format = format,
                                 .actor = lh_http_principal(r), .source_uri = uri,
                                 .allow_schema_change = allow, .encoding = given.encoding,
                                 .csv = given.csv};
        lh_ingest_result res;
        lh_err err;
        lh_status st = lh_lake_ingest(a->lake, &req, &res, &err);
        if (st) {
            /* Files before this one are committed; the message says which one failed. */
            lh_ingest_result_release(&res);
            json_decref(results);
            lh_http_reply_status(r, st, err.msg);
            return;
        }
        lh__metrics_count_ingest(a->metrics, f->size, res.rows_added);
        json_array_append_new(results, lh__api_ingest_json(&res));
        lh_ingest_result_release(&res);
    }
    lh_http_reply_json(r, 200, json_pack("{s:o}", "results", results));
}

void lh__api_ingest_db(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"dsn", "table", "query", "dataset_name",
                                          "allow_schema_change", NULL};
    const char *dsn, *table, *query, *name;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "dsn", true, &dsn) ||
        !lh__api_string(r, "table", false, &table) || !lh__api_string(r, "query", false, &query) ||
        !lh__api_string(r, "dataset_name", false, &name))
        return;
    json_t *allow = json_object_get(lh_http_json(r), "allow_schema_change");
    if (allow && !json_is_boolean(allow)) {
        lh_http_reply_error(r, 400, "invalid_input", "allow_schema_change must be true or false");
        return;
    }
    if (!table == !query) {
        lh_http_reply_error(r, 400, "invalid_input", "give exactly one of 'table' and 'query'");
        return;
    }
    lh_ingest_pg_request req = {.dsn = dsn, .table = table, .query = query, .name = name,
                                .actor = lh_http_principal(r),
                                .allow_schema_change = json_is_true(allow),
                                .allowed_hosts = lh_config_str(a->config, "ingest.db_allowed_hosts",
                                                               LH_CONFIG_DB_ALLOWED_HOSTS)};
    lh_ingest_result res;
    lh_err err;
    lh_status st = lh_lake_ingest_postgres(a->lake, &req, &res, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else {
        lh__metrics_count_ingest(a->metrics, 0, res.rows_added);
        lh_http_reply_json(r, 200, lh__api_ingest_json(&res));
    }
    lh_ingest_result_release(&res);
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
