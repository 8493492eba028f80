/* cmd_vec_fresh.c: `lakehouse vectors refresh|stale|policy` (lake.h, vector/fresh.h): the
 * same functions as POST /vectors/refresh/{dataset}, GET /vectors/stale and
 * PUT /vectors/indexes/{name}/refresh; forwarded to a running server like other writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "vector/fresh.h"

static void print_refresh(const json_t *r)
{
    printf("%s: %lld new, %lld changed, %lld removed, %lld unchanged row(s); %lld chunk(s) "
           "embedded, %lld removed; index version %lld (source version %lld)%s\n",
           json_string_value(json_object_get(r, "index")),
           (long long)json_integer_value(json_object_get(r, "rows_new")),
           (long long)json_integer_value(json_object_get(r, "rows_changed")),
           (long long)json_integer_value(json_object_get(r, "rows_removed")),
           (long long)json_integer_value(json_object_get(r, "rows_unchanged")),
           (long long)json_integer_value(json_object_get(r, "chunks_embedded")),
           (long long)json_integer_value(json_object_get(r, "chunks_removed")),
           (long long)json_integer_value(json_object_get(r, "index_version")),
           (long long)json_integer_value(json_object_get(r, "source_version")),
           json_is_true(json_object_get(r, "committed")) ? "" : ", nothing to change");
}

/* argv[0] is "refresh" */
int lh__cli_vectors_refresh(lh_cli *cli, int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-')
        return lh__cli_usage_error(cli, "%sneeds exactly one DATASET or INDEX name", "");
    const char *target = argv[1];
    lh_lake *lake = NULL;
    char url[512];
    lh__cli_ai ai = {0}; /* a network provider's index embeds through it */
    int rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    json_t *out = NULL;
    lh_err err;
    lh_status st = LH_OK;
    if (!rc && !lake) {
        lh_buf path;
        lh_buf_init(&path, 1024);
        lh_buf_adds(&path, "/vectors/refresh/");
        lh_buf_adds(&path, target); /* a name: the dataset-name rules keep it path-safe */
        json_t *reply = NULL;
        rc = lh_buf_status(&path) ? lh__cli_usage_error(cli, "name too long: %s", target)
                                  : lh__cli_forward(cli, url, "POST", path.data, NULL, &reply);
        out = json_incref(json_object_get(reply, "refreshed"));
        json_decref(reply);
        lh_buf_release(&path);
    } else if (!rc && !(rc = lh__cli_ai_attach(cli, lake, &ai))) {
        st = lh_lake_vector_refresh(lake, target, NULL, &out, &err);
    }
    if (!rc && st)
        rc = lh__cli_error(cli, st, &err);
    else if (!rc && cli->json)
        lh__cli_print_json(out);
    else if (!rc) {
        size_t i;
        json_t *r;
        json_array_foreach(out, i, r)
            print_refresh(r);
    }
    json_decref(out);
    lh_lake_free(lake);
    lh__cli_ai_detach(&ai);
    return rc;
}

int lh__cli_vectors_stale(lh_cli *cli, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return lh__cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    lh_lake *lake = NULL;
    char url[512];
    int rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    json_t *out = NULL;
    lh_err err;
    lh_status st = LH_OK;
    if (!rc && !lake) {
        json_t *reply = NULL;
        rc = lh__cli_forward(cli, url, "GET", "/vectors/stale", NULL, &reply);
        out = json_incref(json_object_get(reply, "indexes"));
        json_decref(reply);
    } else if (!rc) {
        st = lh_lake_vector_stale(lake, &out, &err);
    }
    if (!rc && st)
        rc = lh__cli_error(cli, st, &err);
    else if (!rc && cli->json)
        lh__cli_print_json(out);
    else if (!rc) {
        size_t i;
        json_t *r;
        if (!json_array_size(out))
            printf("no stale index\n");
        json_array_foreach(out, i, r) {
            json_t *pol = json_object_get(r, "refresh");
            char *p = pol ? lh_json_dumps(pol, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
            json_t *src = json_object_get(r, "source");
            printf("%s (dataset %s): stale since %s, embedded from version %lld, refresh %s\n",
                   json_string_value(json_object_get(r, "name")),
                   json_string_value(json_object_get(src, "dataset")) ?: "?",
                   json_string_value(json_object_get(r, "stale_since")),
                   (long long)json_integer_value(json_object_get(src, "table_version")),
                   p ? p : "manual");
            free(p);
        }
    }
    json_decref(out);
    lh_lake_free(lake);
    return rc;
}

/* vectors policy INDEX manual|on_append|every:SECONDS */
int lh__cli_vectors_policy(lh_cli *cli, int argc, char **argv)
{
    if (argc != 3)
        return lh__cli_usage_error(cli, "%sneeds INDEX and manual, on_append or every:SECONDS", "");
    const char *name = argv[1], *p = argv[2];
    json_t *policy = NULL;
    if (!strncmp(p, "every:", 6)) {
        char *end = NULL;
        long long n = strtoll(p + 6, &end, 10);
        if (end == p + 6 || *end)
            return lh__cli_usage_error(cli, "'%s' is not every:SECONDS", p);
        policy = json_pack("{s:I}", "every_seconds", (json_int_t)n);
    } else {
        policy = json_string(p);
    }
    lh_err err;
    lh_status st = lh_vector_check_refresh(policy, &err);
    if (st) {
        json_decref(policy);
        return lh__cli_error(cli, st, &err);
    }
    lh_lake *lake = NULL;
    char url[512];
    int rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    json_t *out = NULL;
    if (!rc && !lake) {
        lh_buf path;
        lh_buf_init(&path, 1024);
        lh_buf_printf(&path, "/vectors/indexes/%s/refresh", name);
        json_t *body = json_pack("{s:O}", "refresh", policy);
        rc = lh_buf_status(&path) ? lh__cli_usage_error(cli, "name too long: %s", name)
                                  : lh__cli_forward(cli, url, "PUT", path.data, body, &out);
        json_decref(body);
        lh_buf_release(&path);
    } else if (!rc) {
        st = lh_lake_vector_set_refresh(lake, name, policy, &out, &err);
    }
    if (!rc && st)
        rc = lh__cli_error(cli, st, &err);
    else if (!rc && cli->json)
        lh__cli_print_json(out);
    else if (!rc) {
        char *text = lh_json_dumps(json_object_get(out, "refresh"), JSON_COMPACT | JSON_ENCODE_ANY);
        printf("%s: refresh %s\n", name, text ? text : "?");
        free(text);
    }
    json_decref(policy);
    json_decref(out);
    lh_lake_free(lake);
    return rc;
}
