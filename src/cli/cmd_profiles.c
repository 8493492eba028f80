/* cmd_profiles.c: `lakehouse profiles create --file P.json | list | show ID | delete ID |
 * activate ID | deactivate ID` (lake.h, catalog/profiles.h): the same functions as
 * POST/GET /catalog/profiles and GET/DELETE /catalog/profiles/{id}; create and delete are
 * forwarded to a running server like other writes. activate and deactivate act on a
 * server's memory (its index cache and graphs), so they only talk to a running server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/profiles.h"
#include "cli/cli_int.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/fsio.h"

/* A profile file is small (profiles.h's bounds); anything much larger is not one. */
#define PROFILE_FILE_MAX ((size_t)1 << 20)

static int read_body(lh_cli *cli, const char *path, json_t **out)
{
    lh_buf b;
    lh_buf_init(&b, PROFILE_FILE_MAX);
    lh_err err;
    lh_status st = lh_file_read_all(path, PROFILE_FILE_MAX, &b, &err);
    int rc = 0;
    if (st) {
        rc = lh__cli_error(cli, st, &err);
    } else {
        json_error_t je;
        *out = lh_json_loadb(lh_buf_cstr(&b), b.len, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            st = lh_fail(&err, LH_EINVAL, "%s is not a JSON object: %s (line %d)", path, je.text,
                         je.line);
            rc = lh__cli_error(cli, st, &err);
        }
    }
    lh_buf_release(&b);
    return rc;
}

static void print_profile(const json_t *p)
{
    const json_t *e = json_object_get(p, "embed"), *h = json_object_get(p, "hnsw");
    printf("%-24s %s/%s  bound: ", json_string_value(json_object_get(p, "id")),
           json_string_value(json_object_get(e, "provider")),
           json_string_value(json_object_get(e, "model")));
    const json_t *b = json_object_get(p, "bound_datasets");
    for (size_t i = 0; i < json_array_size(b); i++)
        printf("%s%s", i ? ", " : "", json_string_value(json_array_get(b, i)));
    if (json_is_object(h))
        printf("  hnsw M=%lld efc=%lld efs=%lld seed=%lld",
               (long long)json_integer_value(json_object_get(h, "M")),
               (long long)json_integer_value(json_object_get(h, "ef_construction")),
               (long long)json_integer_value(json_object_get(h, "ef_search")),
               (long long)json_integer_value(json_object_get(h, "seed")));
    printf("\n");
}

int lh__cli_profiles(lh_cli *cli)
{
    const char *verb = cli->argc ? cli->argv[0] : "";
    const char *file = NULL, *id = NULL;
    bool create = !strcmp(verb, "create"), list = !strcmp(verb, "list");
    bool show = !strcmp(verb, "show"), del = !strcmp(verb, "delete");
    bool activate = !strcmp(verb, "activate"), deactivate = !strcmp(verb, "deactivate");
    if (!create && !list && !show && !del && !activate && !deactivate)
        return lh__cli_usage_error(cli, "profiles needs create, list, show, delete, activate or "
                                   "deactivate, not '%s'", verb);
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (create && !strcmp(a, "--file")) {
            if (!(file = lh__cli_value(cli, &i, a)))
                return 2;
        } else if ((show || del || activate || deactivate) && !id && a[0] != '-') {
            id = a;
        } else {
            return lh__cli_usage_error(cli, "unexpected argument %s", a);
        }
    }
    lh_err err;
    if (create && !file)
        return lh__cli_usage_error(cli, "%sprofiles create needs --file P.json", "");
    if ((show || del || activate || deactivate) && !id)
        return lh__cli_usage_error(cli, "profiles %s needs a profile ID", verb);
    lh_status st = id ? lh_profiles_check_id(id, &err) : LH_OK; /* it goes into a URL path */
    if (st)
        return lh__cli_error(cli, st, &err);
    json_t *body = NULL, *out = NULL;
    if (activate || deactivate) {
        char url[512], path[160];
        if ((st = lh__cli_server_url(cli, url, sizeof url, &err)))
            return lh__cli_error(cli, lh_fail_wrap(&err, st, "profiles %s needs a running server "
                                                   "(graphs live in its memory)", verb), &err);
        snprintf(path, sizeof path, "/vectors/profile/%s/%s", id, verb);
        int rc = lh__cli_forward(cli, url, "POST", path, NULL, &out);
        if (!rc)
            lh__cli_print_json(out);
        json_decref(out);
        return rc;
    }
    int rc = create ? read_body(cli, file, &body) : 0;
    lh_lake *lake = NULL;
    char url[512] = "";
    if (!rc && (create || del)) {
        rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    } else if (!rc) {
        lh_lake_options lo = {.data_dir = cli->data_dir, .lazy_views = true};
        if ((st = lh_lake_open(&lo, &lake, &err)))
            rc = lh__cli_error(cli, st, &err);
    }
    char path[128];
    snprintf(path, sizeof path, "/catalog/profiles/%s", id ? id : "");
    if (!rc && !lake)
        rc = lh__cli_forward(cli, url, create ? "POST" : "DELETE", create ? "/catalog/profiles" : path,
                             body, &out);
    else if (!rc) {
        st = create ? lh_lake_profile_create(lake, body, "cli", &out, &err)
           : list   ? lh_lake_profiles(lake, &out, &err)
           : show   ? lh_lake_profile(lake, id, &out, &err)
                    : lh_lake_profile_delete(lake, id, &err);
        if (st)
            rc = lh__cli_error(cli, st, &err);
    }
    if (!rc && del) {
        if (cli->json) {
            json_t *o = json_pack("{s:s}", "deleted", id);
            lh__cli_print_json(o);
            json_decref(o);
        } else {
            printf("deleted profile '%s'\n", id);
        }
    } else if (!rc && (cli->json || show || create)) {
        lh__cli_print_json(out);
    } else if (!rc) {
        size_t i;
        json_t *p;
        if (!json_array_size(out))
            printf("no profiles (create one with 'lakehouse profiles create --file P.json')\n");
        json_array_foreach(out, i, p)
            print_profile(p);
    }
    json_decref(out);
    json_decref(body);
    lh_lake_free(lake);
    return rc;
}
