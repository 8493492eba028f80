/* cmd_catalog.c: lakehouse datasets | history | resync */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "cli/cli_int.h"
#include "core/alloc.h"
#include "core/util.h"

void lh__cli_print_json(const json_t *v)
{
    char *s = lh_json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    if (s)
        puts(s);
    free(s);
}

static int open_lake(lh_cli *cli, bool writer, lh_lake **lake)
{
    lh_err err;
    lh_lake_options lo = {.data_dir = cli->data_dir, .writer = writer,
                          .checkpoint_interval = (int)lh_config_int(cli->config, "storage.checkpoint_interval", 10),
                          .retention_hours = (double)lh_config_int(cli->config, "storage.vacuum_retention_hours", 168)};
    lh_status st = lh_lake_open(&lo, lake, &err);
    return st ? lh__cli_error(cli, st, &err) : 0;
}

static void list_datasets(lh_lake *lake, bool json)
{
    lh_catalog *cat = lh_lake_catalog(lake);
    json_t *arr = json_array();
    size_t n = lh_catalog_count(cat);
    if (!json && n == 0)
        printf("no datasets yet; add one with: lakehouse ingest FILE\n");
    else if (!json)
        printf("%-32s %12s %12s %8s  %s\n", "name", "rows", "bytes", "version", "sensitivity");
    for (size_t i = 0; i < n; i++) {
        json_t *m = lh_catalog_get(cat, lh_catalog_name_at(cat, i));
        if (json) {
            json_array_append(arr, m);
            continue;
        }
        printf("%-32s %12lld %12lld %8lld  %s\n", json_string_value(json_object_get(m, "name")),
               (long long)json_integer_value(json_object_get(m, "row_count")),
               (long long)json_integer_value(json_object_get(m, "size_bytes")),
               (long long)json_integer_value(json_object_get(m, "table_version")),
               json_string_value(json_object_get(m, "sensitivity")));
    }
    if (json)
        lh__cli_print_json(arr);
    json_decref(arr);
}

int lh__cli_datasets(lh_cli *cli)
{
    const char *name = NULL;
    json_t *set = json_object(), *tag = json_array(), *untag = json_array();
    int rc = 0, oom = 0;
    for (int i = 0; i < cli->argc && !rc; i++) {
        const char *a = cli->argv[i], *v = NULL;
        if (!strcmp(a, "--set") || !strcmp(a, "--tag") || !strcmp(a, "--untag") ||
            !strcmp(a, "--sensitivity")) {
            if (!(v = lh__cli_value(cli, &i, a))) {
                rc = 2;
                break;
            }
        }
        if (v && !lh_utf8_valid(v, strlen(v))) {
            rc = lh__cli_usage_error(cli, "the value of %s is not valid UTF-8 text", a);
            break;
        }
        if (!strcmp(a, "--set")) {
            const char *eq = strchr(v, '=');
            if (!eq) {
                rc = lh__cli_usage_error(cli, "--set expects FIELD=VALUE, got '%s'", v);
                break;
            }
            char field[64];
            snprintf(field, sizeof field, "%.*s", (int)(eq - v), v);
            oom |= json_object_set_new(set, field, json_string(eq + 1));
        } else if (!strcmp(a, "--tag")) {
            oom |= json_array_append_new(tag, json_string(v));
        } else if (!strcmp(a, "--untag")) {
            oom |= json_array_append_new(untag, json_string(v));
        } else if (!strcmp(a, "--sensitivity")) {
            oom |= json_object_set_new(set, "sensitivity", json_string(v));
        } else if (a[0] == '-') {
            rc = lh__cli_usage_error(cli, "unknown option %s", a);
        } else if (name) {
            rc = lh__cli_usage_error(cli, "takes one NAME (extra argument '%s')", a);
        } else {
            name = a;
        }
    }
    if (!rc && (oom || !set || !tag || !untag)) { /* a lost edit must not apply the rest */
        lh_err e;
        rc = lh__cli_error(cli, lh_fail(&e, LH_ENOMEM, "out of memory"), &e);
    }
    bool edit = json_object_size(set) || json_array_size(tag) || json_array_size(untag);
    if (!rc && edit && !name)
        rc = lh__cli_usage_error(cli, "%smetadata edits need a dataset NAME", "");
    lh_lake *lake = NULL;
    char url[512] = "";
    if (!rc && edit)
        rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    else if (!rc)
        rc = open_lake(cli, false, &lake);
    if (!rc && !lake) {
        /* A running server holds the data directory: it makes the edit. */
        json_t *body = json_deep_copy(set), *m = NULL;
        if (json_array_size(tag))
            json_object_set(body, "add_tags", tag);
        if (json_array_size(untag))
            json_object_set(body, "remove_tags", untag);
        char path[400];
        snprintf(path, sizeof path, "/catalog/datasets/by-name/%s/metadata", name);
        rc = lh__cli_forward(cli, url, "PATCH", path, body, &m);
        if (!rc)
            lh__cli_print_json(m);
        json_decref(m);
        json_decref(body);
    } else if (!rc && !name) {
        list_datasets(lake, cli->json);
    } else if (!rc) {
        lh_err err;
        lh_status st = edit ? lh_lake_edit_metadata(lake, name, set, tag, untag, &err) : LH_OK;
        json_t *m = st ? NULL : lh_catalog_get(lh_lake_catalog(lake), name);
        if (!st && !m)
            st = lh_fail(&err, LH_ENOTFOUND, "no dataset named '%s'", name);
        if (st)
            rc = lh__cli_error(cli, st, &err);
        else
            lh__cli_print_json(m);
    }
    lh_lake_free(lake);
    json_decref(set);
    json_decref(tag);
    json_decref(untag);
    return rc;
}

int lh__cli_history(lh_cli *cli)
{
    if (cli->argc != 1 || cli->argv[0][0] == '-')
        return lh__cli_usage_error(cli, "%sneeds exactly one dataset NAME", "");
    lh_lake *lake = NULL;
    int rc = open_lake(cli, false, &lake);
    json_t *hist = NULL;
    lh_err err;
    lh_status st = rc ? LH_OK : lh_lake_history(lake, cli->argv[0], &hist, &err);
    if (!rc && st)
        rc = lh__cli_error(cli, st, &err);
    if (!rc && cli->json) {
        lh__cli_print_json(hist);
    } else if (!rc) {
        printf("%8s  %-24s  %-14s  %s\n", "version", "timestamp", "operation", "parameters");
        size_t i;
        json_t *h;
        json_array_foreach(hist, i, h) {
            char *params = lh_json_dumps(json_object_get(h, "operationParameters"), JSON_COMPACT);
            char ts[32];
            lh_format_time(json_integer_value(json_object_get(h, "timestamp")), ts);
            printf("%8lld  %-24s  %-14s  %s\n", (long long)json_integer_value(json_object_get(h, "version")),
                   ts,
                   json_string_value(json_object_get(h, "operation")) ?: "",
                   params ? params : "{}");
            free(params);
        }
    }
    json_decref(hist);
    lh_lake_free(lake);
    return rc;
}

int lh__cli_resync(lh_cli *cli)
{
    if (cli->argc > 1 || (cli->argc == 1 && cli->argv[0][0] == '-'))
        return lh__cli_usage_error(cli, "%stakes at most one dataset NAME", "");
    lh_lake *lake = NULL;
    char url[512];
    int rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    json_t *report = NULL;
    lh_err err;
    lh_status st = LH_OK;
    if (!rc && !lake) {
        json_t *body = json_pack("{s:s?}", "dataset", cli->argc ? cli->argv[0] : NULL), *reply = NULL;
        rc = lh__cli_forward(cli, url, "POST", "/catalog/resync-missing", body, &reply);
        report = json_incref(json_object_get(reply, "report"));
        json_decref(reply);
        json_decref(body);
    } else if (!rc) {
        st = lh_lake_resync(lake, cli->argc ? cli->argv[0] : NULL, &report, &err);
    }
    if (!rc && st)
        rc = lh__cli_error(cli, st, &err);
    if (!rc && cli->json) {
        lh__cli_print_json(report);
    } else if (!rc) {
        size_t i;
        json_t *r;
        json_array_foreach(report, i, r)
            printf("%s: %s (%lld rows, %lld bytes, version %lld)\n",
                   json_string_value(json_object_get(r, "dataset")),
                   json_is_true(json_object_get(r, "changed")) ? "manifest updated" : "in sync",
                   (long long)json_integer_value(json_object_get(r, "row_count")),
                   (long long)json_integer_value(json_object_get(r, "size_bytes")),
                   (long long)json_integer_value(json_object_get(r, "table_version")));
    }
    json_decref(report);
    lh_lake_free(lake);
    return rc;
}

int lh__cli_config(lh_cli *cli)
{
    if (cli->argc)
        return lh__cli_usage_error(cli, "takes no arguments (got '%s')", cli->argv[0]);
    if (cli->json) {
        lh__cli_print_json(lh_config_root(cli->config));
        return 0;
    }
    char *text = lh_config_dump(cli->config, true);
    if (!text) {
        lh_err err;
        return lh__cli_error(cli, lh_fail(&err, LH_ENOMEM, "out of memory"), &err);
    }
    const char *path = lh_config_path(cli->config);
    printf("# effective configuration (%s; data directory %s)\n%s", path ? path : "defaults",
           cli->data_dir, text);
    free(text);
    return 0;
}
