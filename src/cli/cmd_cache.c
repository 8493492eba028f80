/* cmd_cache.c: lakehouse cache pin NAME | evict NAME | stats
 *
 * Pins live in the memory of the process that serves queries, so these commands talk to
 * the running server that holds the data directory (its URL comes from --server or the
 * lock file); without one there is nothing to pin into, and they say so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "net/client.h"

/* The running server's URL into url (caller frees holder), or an error. */
static lh_status server_url(lh_cli *cli, json_t **holder, const char **url, lh_err *err)
{
    *url = cli->server;
    if (!*url && !lh_lake_lock_holder(cli->data_dir, holder, err))
        *url = json_string_value(json_object_get(*holder, "note"));
    if (*url && !strncmp(*url, "http://", 7))
        return LH_OK;
    if (*holder)
        return lh_fail(err, LH_ELOCKED, "the data directory is held by pid %s, which is not a "
                       "lakehouse server: pins live in a server's memory",
                       json_string_value(json_object_get(*holder, "pid")));
    return lh_fail(err, LH_ENOTFOUND, "no lakehouse server is running on this data directory: "
                   "pins live in a running server's memory (start one with 'lakehouse serve', "
                   "or pass --server URL)");
}

static void human_size(int64_t bytes, char *out, size_t n)
{
    if (bytes >= (int64_t)1 << 20)
        snprintf(out, n, "%.1f MiB", (double)bytes / (1 << 20));
    else
        snprintf(out, n, "%.1f KiB", (double)bytes / 1024);
}

static json_int_t num(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static void print_stats(const json_t *s)
{
    char used[32], max[32];
    human_size(num(s, "bytes"), used, sizeof used);
    human_size(num(s, "max_bytes"), max, sizeof max);
    printf("%lld pinned, %s of %s; %lld hits, %lld misses, %lld evictions\n",
           (long long)num(s, "entries"), used, max, (long long)num(s, "hits"),
           (long long)num(s, "misses"), (long long)num(s, "evictions"));
    size_t i;
    json_t *d;
    json_t *list = json_object_get(s, "datasets");
    if (json_array_size(list))
        printf("%-24s %-6s %12s %12s %8s %8s %9s\n", "dataset", "pinned", "rows", "bytes", "hits",
               "misses", "evictions");
    json_array_foreach(list, i, d)
        printf("%-24s %-6s %12lld %12lld %8lld %8lld %9lld\n",
               json_string_value(json_object_get(d, "dataset")),
               json_is_true(json_object_get(d, "pinned")) ? "yes" : "no", (long long)num(d, "rows"),
               (long long)num(d, "bytes"), (long long)num(d, "hits"), (long long)num(d, "misses"),
               (long long)num(d, "evictions"));
}

int lh__cli_cache(lh_cli *cli)
{
    const char *verb = cli->argc > 0 ? cli->argv[0] : NULL;
    bool stats = verb && !strcmp(verb, "stats");
    if (!verb || (!stats && strcmp(verb, "pin") && strcmp(verb, "evict")))
        return lh__cli_usage_error(cli, "expected pin NAME, evict NAME or stats%s", "");
    if ((stats && cli->argc != 1) || (!stats && cli->argc != 2))
        return lh__cli_usage_error(cli, stats ? "stats takes no arguments%s"
                                              : "%s takes one dataset name", verb);
    lh_err err;
    json_t *holder = NULL, *reply = NULL, *body = NULL;
    const char *url = NULL;
    lh_status st = server_url(cli, &holder, &url, &err);
    if (!st && stats) {
        st = lh_client_json(url, getenv("LAKEHOUSE_API_KEY"), "GET", "/query/cache/stats", NULL,
                            &reply, &err);
    } else if (!st) {
        body = json_pack("{s:s}", "dataset", cli->argv[1]);
        st = lh_client_json(url, getenv("LAKEHOUSE_API_KEY"), "POST",
                            !strcmp(verb, "pin") ? "/query/cache/pin" : "/query/cache/evict", body,
                            &reply, &err);
    }
    int rc = st ? lh__cli_error(cli, st, &err) : 0;
    if (!rc && cli->json) {
        lh__cli_print_json(reply);
    } else if (!rc && stats) {
        print_stats(reply);
    } else if (!rc && !strcmp(verb, "pin")) {
        char size[32];
        human_size(num(reply, "bytes"), size, sizeof size);
        printf("pinned '%s': %lld rows, %s in memory (server %s)\n", cli->argv[1],
               (long long)num(reply, "rows"), size, url);
    } else if (!rc) {
        printf("evicted '%s': its queries read the Parquet files again (server %s)\n", cli->argv[1], url);
    }
    json_decref(body);
    json_decref(reply);
    json_decref(holder);
    return rc;
}
