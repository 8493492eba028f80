/* cmd_mutate.c: lakehouse delete | compact | vacuum (src/lake/mutations.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "core/alloc.h"
#include "core/util.h"
#include "lake/mutations.h"

/* "/catalog/datasets/by-name/<name>/tombstone" (the name is checked by the server). */
static void by_name(char *out, size_t n, const char *name, const char *tail)
{
    snprintf(out, n, "/catalog/datasets/by-name/%s%s", name, tail);
}

int lh__cli_delete(lh_cli *cli)
{
    const char *name = NULL, *column = NULL, *reason = NULL, *actor = NULL;
    json_t *values = json_array();
    lh_err oom;
    int rc = values ? 0 : lh__cli_error(cli, lh_fail(&oom, LH_ENOMEM, "out of memory"), &oom);
    bool in_values = false;
    for (int i = 0; i < cli->argc && !rc; i++) {
        const char *a = cli->argv[i];
        if (!strcmp(a, "--key")) {
            if (!(column = lh__cli_value(cli, &i, a)))
                rc = 2;
            in_values = true;
        } else if (!strcmp(a, "--reason")) {
            if (!(reason = lh__cli_value(cli, &i, a)))
                rc = 2;
            in_values = false;
        } else if (!strcmp(a, "--actor")) {
            if (!(actor = lh__cli_value(cli, &i, a)))
                rc = 2;
            in_values = false;
        } else if (a[0] == '-' && a[1] == '-') {
            rc = lh__cli_usage_error(cli, "unknown option %s", a);
        } else if (in_values && !lh_utf8_valid(a, strlen(a))) {
            rc = lh__cli_usage_error(cli, "%skey value is not valid UTF-8 text", "");
        } else if (in_values) {
            if (json_array_append_new(values, json_string(a)))
                rc = lh__cli_error(cli, lh_fail(&oom, LH_ENOMEM, "out of memory"), &oom);
        } else if (!name) {
            name = a;
        } else {
            rc = lh__cli_usage_error(cli, "unexpected argument '%s'", a);
        }
    }
    if (!rc && (!name || !column || !json_array_size(values)))
        rc = lh__cli_usage_error(cli, "%sneeds NAME --key COLUMN VALUE...", "");
    lh_lake *lake = NULL;
    char url[512];
    if (!rc)
        rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    json_t *out = NULL;
    if (!rc && !lake) {
        char path[400];
        by_name(path, sizeof path, name, "/tombstone");
        json_t *body = json_pack("{s:s, s:O, s:s?, s:s?}", "row_key_column", column,
                                 "row_key_values", values, "actor", actor, "reason", reason);
        rc = lh__cli_forward(cli, url, "POST", path, body, &out);
        json_decref(body);
    } else if (!rc) {
        lh_err err;
        lh_tombstone_request req = {name, column, values, actor, reason};
        lh_status st = lh_lake_tombstone(lake, &req, &out, &err);
        if (st)
            rc = lh__cli_error(cli, st, &err);
    }
    if (!rc && cli->json) {
        lh__cli_print_json(out);
    } else if (!rc) {
        printf("%s: %lld key(s) tombstoned on %s, %lld row(s) matched (%lld tombstone(s) in all); "
               "run 'lakehouse compact %s' to remove the rows physically\n", name,
               (long long)json_integer_value(json_object_get(out, "tombstoned")),
               json_string_value(json_object_get(out, "row_key_column")),
               (long long)json_integer_value(json_object_get(out, "rows_matched")),
               (long long)json_integer_value(json_object_get(out, "total_tombstones")), name);
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(out, "matched"), i, k) {
            json_t *v = json_object_get(k, "value");
            char *vs = lh_json_dumps(v, JSON_ENCODE_ANY);
            json_int_t rows = json_integer_value(json_object_get(k, "rows"));
            printf("  %s = %s: %lld row(s)%s\n", json_string_value(json_object_get(out, "row_key_column")),
                   vs ? vs : "?", (long long)rows, rows ? "" : " (no row has this key)");
            free(vs);
        }
    }
    json_decref(out);
    json_decref(values);
    lh_lake_free(lake);
    return rc;
}

int lh__cli_compact(lh_cli *cli)
{
    const char *name = NULL;
    lh_compact_opts opts = {.retention_hours = (double)lh_config_int(
                                cli->config, "storage.vacuum_retention_hours", 168)};
    for (int i = 0; i < cli->argc; i++) {
        if (!strcmp(cli->argv[i], "--erase-now"))
            opts.erase_now = true;
        else if (cli->argv[i][0] == '-' || name)
            return lh__cli_usage_error(cli, "unexpected argument '%s'", cli->argv[i]);
        else
            name = cli->argv[i];
    }
    if (!name)
        return lh__cli_usage_error(cli, "%sneeds exactly one dataset NAME", "");
    lh_lake *lake = NULL;
    char url[512];
    int rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    json_t *out = NULL;
    lh_err err;
    lh_status st = LH_OK;
    if (!rc && !lake) {
        json_t *body = json_pack("{s:s, s:b}", "dataset", name, "erase_now", opts.erase_now);
        rc = lh__cli_forward(cli, url, "POST", "/query/compact", body, &out);
        json_decref(body);
    } else if (!rc) {
        st = lh_lake_compact(lake, name, NULL, &opts, &out, &err);
    }
    if (!rc && st)
        rc = lh__cli_error(cli, st, &err);
    else if (!rc && cli->json)
        lh__cli_print_json(out);
    else if (!rc) {
        printf("%s: version %lld; files %lld -> %lld, rows %lld -> %lld, bytes %lld -> %lld; "
               "%lld tombstone(s) applied, %lld row(s) dropped\n", name,
               (long long)json_integer_value(json_object_get(out, "version")),
               (long long)json_integer_value(json_object_get(out, "files_before")),
               (long long)json_integer_value(json_object_get(out, "files_after")),
               (long long)json_integer_value(json_object_get(out, "rows_before")),
               (long long)json_integer_value(json_object_get(out, "rows_after")),
               (long long)json_integer_value(json_object_get(out, "bytes_before")),
               (long long)json_integer_value(json_object_get(out, "bytes_after")),
               (long long)json_integer_value(json_object_get(out, "tombstones_applied")),
               (long long)json_integer_value(json_object_get(out, "rows_dropped_by_tombstones")));
        json_t *e = json_object_get(out, "erasure");
        json_int_t files = json_integer_value(json_object_get(e, "old_files_with_erased_rows"));
        if (files)
            printf("%s: %lld erased row(s) are still in %lld older file(s), hidden from every "
                   "version; 'lakehouse vacuum %s' deletes them from %s (retention %g h), or "
                   "now with 'lakehouse compact %s --erase-now'\n", name,
                   (long long)json_integer_value(json_object_get(e, "erased_rows_in_old_files")),
                   (long long)files, name,
                   json_string_value(json_object_get(e, "vacuum_removes_them_after")) ?: "?",
                   opts.retention_hours, name);
        else if (opts.erase_now)
            printf("%s: %lld older file(s) deleted now; no erased row is left in any file\n",
                   name, (long long)json_integer_value(json_object_get(e, "files_vacuumed_now")));
    }
    json_decref(out);
    lh_lake_free(lake);
    return rc;
}

int lh__cli_vacuum(lh_cli *cli)
{
    const char *name = NULL;
    double hours = (double)lh_config_int(cli->config, "storage.vacuum_retention_hours", 168);
    for (int i = 0; i < cli->argc; i++) {
        const char *a = cli->argv[i], *v;
        if (!strcmp(a, "--retention-hours")) {
            if (!(v = lh__cli_value(cli, &i, a)))
                return 2;
            char *end = NULL;
            hours = strtod(v, &end);
            if (!*v || *end || !isfinite(hours) || hours < 0)
                return lh__cli_usage_error(cli, "--retention-hours needs a number >= 0, got '%s'", v);
        } else if (a[0] == '-' || name) {
            return lh__cli_usage_error(cli, "unexpected argument '%s'", a);
        } else {
            name = a;
        }
    }
    if (!name)
        return lh__cli_usage_error(cli, "%sneeds a dataset NAME", "");
    lh_lake *lake = NULL;
    char url[512];
    int rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    json_t *out = NULL;
    lh_err err;
    lh_status st = LH_OK;
    if (!rc && !lake) {
        json_t *body = json_pack("{s:s, s:f}", "dataset", name, "retention_hours", hours);
        rc = lh__cli_forward(cli, url, "POST", "/query/vacuum", body, &out);
        json_decref(body);
    } else if (!rc) {
        st = lh_lake_vacuum(lake, name, hours, &out, &err);
    }
    if (!rc && st)
        rc = lh__cli_error(cli, st, &err);
    else if (!rc && cli->json)
        lh__cli_print_json(out);
    else if (!rc)
        printf("%s: %lld file(s) deleted (%lld bytes), %lld kept within %g hour(s)\n", name,
               (long long)json_integer_value(json_object_get(out, "files_deleted")),
               (long long)json_integer_value(json_object_get(out, "bytes_deleted")),
               (long long)json_integer_value(json_object_get(out, "files_kept")), hours);
    json_decref(out);
    lh_lake_free(lake);
    return rc;
}
