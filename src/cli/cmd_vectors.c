/* cmd_vectors.c: lakehouse vectors index DATASET --text COL --key COL [--name NAME]
 *                  [--chunk-size N] [--chunk-overlap N] [--chunk-unit chars|tokens]
 *                  [--provider builtin|ollama|openai] [--model NAME]
 *              | list [--source DATASET] [--model MODEL] [--stale] | show NAME | drop NAME
 *
 * index builds in the foreground with a progress bar (a killed build resumes when the
 * same command runs again); with a running server holding the data directory, the build
 * is posted to it and followed until it ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_int.h"
#include "cli/progress.h"
#include "core/util.h"
#include "net/client.h"
#include "vector/index.h"

static void bar(void *ctx, const json_t *job)
{
    json_t *pct = json_object_get(job, "percent");
    const char *phase = json_string_value(json_object_get(job, "phase"));
    double p = phase && strcmp(phase, "embedding") ? -1 : json_number_value(pct);
    lh__cli_progress_update(ctx, p, (uint64_t)json_integer_value(json_object_get(job, "rows_done")),
                            (uint64_t)json_integer_value(json_object_get(job, "rows_total")));
}

static void print_entry(const json_t *e)
{
    const json_t *src = json_object_get(e, "source"), *m = json_object_get(e, "model");
    const json_t *ch = json_object_get(e, "chunker");
    printf("%s: %s.%s keyed by %s (table version %lld), %lld rows, %lld chunks\n",
           json_string_value(json_object_get(e, "name")),
           json_string_value(json_object_get(src, "dataset")),
           json_string_value(json_object_get(src, "text_column")),
           json_string_value(json_object_get(src, "key_column")),
           (long long)json_integer_value(json_object_get(src, "table_version")),
           (long long)json_integer_value(json_object_get(e, "rows")),
           (long long)json_integer_value(json_object_get(e, "chunks")));
    printf("  model %s/%s, %lld dims, %s; chunks of %lld %s, %lld overlapping; built %s\n",
           json_string_value(json_object_get(m, "provider")),
           json_string_value(json_object_get(m, "name")),
           (long long)json_integer_value(json_object_get(m, "dims")),
           json_string_value(json_object_get(m, "metric")),
           (long long)json_integer_value(json_object_get(ch, "size")),
           json_string_value(json_object_get(ch, "unit")),
           (long long)json_integer_value(json_object_get(ch, "overlap")),
           json_string_value(json_object_get(e, "last_embedded_at")));
    if (json_string_value(json_object_get(e, "stale_since")))
        printf("  stale since %s: its dataset has changed since (build it again to refresh)\n",
               json_string_value(json_object_get(e, "stale_since")));
}

static void print_job(const json_t *job)
{
    printf("index %s: %s, %lld rows, %lld chunks (job %s)\n",
           json_string_value(json_object_get(job, "index")),
           json_string_value(json_object_get(job, "state")),
           (long long)json_integer_value(json_object_get(job, "rows_done")),
           (long long)json_integer_value(json_object_get(job, "chunks_done")),
           json_string_value(json_object_get(job, "id")));
}

static int parse_uint(lh_cli *cli, int *i, const char *flag, json_t *body, const char *field)
{
    const char *v = lh__cli_value(cli, i, flag);
    if (!v)
        return 2;
    int64_t n;
    if (lh_parse_i64(v, &n) || n < 0 || n > 1000000)
        return lh__cli_usage_error(cli, "expected a whole number, not '%s'", v);
    json_object_set_new(body, field, json_integer(n));
    return 0;
}

/* Follows a job of the server at url until it ends. */
static int follow(lh_cli *cli, const char *url, json_t *reply, lh_cli_progress *p)
{
    char path[160];
    snprintf(path, sizeof path, "/vectors/jobs/%s",
             json_string_value(json_object_get(reply, "job_id")) ?: "");
    json_t *job = NULL;
    for (;;) {
        json_decref(job);
        int rc = lh__cli_forward(cli, url, "GET", path, NULL, &job);
        if (rc)
            return rc;
        bar(p, job);
        const char *st = json_string_value(json_object_get(job, "state"));
        if (st && strcmp(st, "queued") && strcmp(st, "running"))
            break;
        usleep(200000);
    }
    lh__cli_progress_done(p);
    const char *st = json_string_value(json_object_get(job, "state"));
    int rc = 0;
    if (strcmp(st, "succeeded")) {
        lh_err err;
        snprintf(err.msg, sizeof err.msg, "%s", json_string_value(json_object_get(job, "error")) ?: st);
        rc = lh__cli_error(cli, LH_EINVAL, &err);
    } else if (cli->json) {
        lh__cli_print_json(job);
    } else {
        print_job(job);
    }
    json_decref(job);
    return rc;
}

static int cmd_index(lh_cli *cli)
{
    json_t *body = json_object();
    int rc = 0;
    for (int i = 1; !rc && i < cli->argc; i++) {
        const char *a = cli->argv[i];
        const char *v;
        if (!strcmp(a, "--text") || !strcmp(a, "--key") || !strcmp(a, "--name") ||
            !strcmp(a, "--chunk-unit") || !strcmp(a, "--provider") || !strcmp(a, "--model")) {
            if (!(v = lh__cli_value(cli, &i, a)))
                rc = 2;
            else
                json_object_set_new(body, !strcmp(a, "--text") ? "text_column"
                                          : !strcmp(a, "--key") ? "key_column"
                                          : !strcmp(a, "--name") ? "name"
                                          : !strcmp(a, "--provider") ? "provider"
                                          : !strcmp(a, "--model") ? "model" : "chunk_unit",
                                    json_string(v));
        } else if (!strcmp(a, "--chunk-size")) {
            rc = parse_uint(cli, &i, a, body, "chunk_size");
        } else if (!strcmp(a, "--chunk-overlap")) {
            rc = parse_uint(cli, &i, a, body, "chunk_overlap");
        } else if (a[0] == '-' || json_object_get(body, "dataset")) {
            rc = lh__cli_usage_error(cli, "unexpected argument %s", a);
        } else {
            json_object_set_new(body, "dataset", json_string(a));
        }
    }
    if (!rc && !json_object_get(body, "dataset"))
        rc = lh__cli_usage_error(cli, "index needs a dataset%s", "");
    else if (!rc && (!json_object_get(body, "text_column") || !json_object_get(body, "key_column")))
        rc = lh__cli_usage_error(cli, "index needs --text COLUMN and --key COLUMN%s", "");
    lh_err err;
    lh_vec_spec spec;
    lh_status st = LH_OK;
    if (!rc && (st = lh_vec_spec_from_json(body, &spec, &err)))
        rc = lh__cli_error(cli, st, &err);
    lh_lake *lake = NULL;
    lh__cli_ai ai = {0};
    char url[512];
    if (!rc)
        rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    if (!rc && lake)
        rc = lh__cli_ai_attach(cli, lake, &ai);
    lh_cli_progress p;
    char label[128];
    snprintf(label, sizeof label, "indexing %s", spec.name);
    if (!rc)
        lh__cli_progress_init(&p, label, 0, cli->json);
    if (!rc && !lake) {
        json_t *reply = NULL;
        rc = lh__cli_forward(cli, url, "POST", "/vectors/index", body, &reply);
        if (!rc)
            rc = follow(cli, url, reply, &p);
        else
            lh__cli_progress_done(&p);
        json_decref(reply);
    } else if (!rc) {
        lh_vec_env env;
        lh_lake_vec_env(lake, &env);
        json_t *job = NULL;
        st = lh_vec_build(&env, &spec, "cli", bar, &p, &job, &err);
        lh__cli_progress_done(&p);
        if (st)
            rc = lh__cli_error(cli, st, &err);
        else if (cli->json)
            lh__cli_print_json(job);
        else
            print_job(job);
        json_decref(job);
    }
    lh_lake_free(lake);
    lh__cli_ai_detach(&ai);
    json_decref(body);
    return rc;
}

/* list, show and drop: locally (a reader for list/show, the writer for drop) or through
 * the running server. */
static int cmd_registry(lh_cli *cli, const char *verb)
{
    bool list = !strcmp(verb, "list"), drop = !strcmp(verb, "drop");
    const char *name = NULL, *source = NULL, *model = NULL;
    bool stale = false;
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (list && !strcmp(a, "--stale")) {
            stale = true;
        } else if (list && (!strcmp(a, "--source") || !strcmp(a, "--model"))) {
            const char *v = lh__cli_value(cli, &i, a);
            if (!v)
                return 2;
            *(!strcmp(a, "--source") ? &source : &model) = v;
        } else if (!list && !name && a[0] != '-') {
            name = a;
        } else {
            return lh__cli_usage_error(cli, "unexpected argument %s", a);
        }
    }
    if (!list && !name)
        return lh__cli_usage_error(cli, "%s needs an index name", verb);
    lh_err err;
    lh_status st;
    json_t *out = NULL;
    lh_lake *lake = NULL;
    char url[512] = "";
    int rc = 0;
    if (drop) {
        rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
    } else {
        lh_lake_options lo = {.data_dir = cli->data_dir, .lazy_views = true};
        if ((st = lh_lake_open(&lo, &lake, &err)))
            rc = lh__cli_error(cli, st, &err);
    }
    if (rc)
        return rc;
    if (!lake) {
        char path[300];
        snprintf(path, sizeof path, "/vectors/indexes/%s", name);
        rc = lh__cli_forward(cli, url, "DELETE", path, NULL, &out);
    } else if (list) {
        if ((st = stale ? lh_vec_registry_stale(lh_lake_store(lake), &out, &err)
                        : lh_vec_registry_list(lh_lake_store(lake), source, model, &out, &err)))
            rc = lh__cli_error(cli, st, &err);
    } else if (!drop) {
        if ((st = lh_vec_registry_get(lh_lake_store(lake), name, &out, &err)))
            rc = lh__cli_error(cli, st, &err);
    } else {
        lh_vec_env env;
        lh_lake_vec_env(lake, &env);
        if ((st = lh_vec_index_drop(&env, name, "cli", &err)))
            rc = lh__cli_error(cli, st, &err);
    }
    if (!rc && drop) {
        if (cli->json) {
            json_t *o = json_pack("{s:s, s:b}", "index", name, "dropped", true);
            lh__cli_print_json(o);
            json_decref(o);
        } else {
            printf("dropped vector index '%s'\n", name);
        }
    } else if (!rc && cli->json) {
        lh__cli_print_json(out);
    } else if (!rc && list) {
        size_t i;
        json_t *e;
        if (!json_array_size(out))
            printf("no vector indexes (build one with 'lakehouse vectors index DATASET --text COL --key COL')\n");
        json_array_foreach(out, i, e)
            print_entry(e);
    } else if (!rc) {
        print_entry(out);
    }
    json_decref(out);
    lh_lake_free(lake);
    return rc;
}

int lh__cli_vectors(lh_cli *cli)
{
    const char *verb = cli->argc > 0 ? cli->argv[0] : NULL;
    if (verb && !strcmp(verb, "index"))
        return cmd_index(cli);
    if (verb && (!strcmp(verb, "list") || !strcmp(verb, "show") || !strcmp(verb, "drop")))
        return cmd_registry(cli, verb);
    if (verb && !strcmp(verb, "evaluate")) /* cmd_search.c */
        return lh__cli_vectors_evaluate(cli, cli->argc - 1, cli->argv + 1);
    if (verb && !strcmp(verb, "refresh"))
        return lh__cli_vectors_refresh(cli, cli->argc, cli->argv);
    if (verb && !strcmp(verb, "stale"))
        return lh__cli_vectors_stale(cli, cli->argc, cli->argv);
    if (verb && !strcmp(verb, "policy"))
        return lh__cli_vectors_policy(cli, cli->argc, cli->argv);
    if (verb && !strcmp(verb, "hnsw")) /* cmd_hnsw.c */
        return lh__cli_vectors_hnsw(cli, cli->argc - 1, cli->argv + 1);
    return lh__cli_usage_error(cli, "expected index, list, show, drop, refresh, stale, policy, "
                               "evaluate or hnsw%s", "");
}
