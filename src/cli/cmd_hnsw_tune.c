/* cmd_hnsw_tune.c: lakehouse vectors hnsw autotune --index I --eval E [--min-recall R]
 *   [--M A,B] [--ef-construction A,B] [--ef-search A,B]
 *
 * In the foreground with one progress line per step on stderr (vector/tune.h,
 * lh_vec_autotune_run); with a running server holding the data directory, the job is posted
 * to it and followed at GET /vectors/jobs/{id} until it ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/hnsw_int.h"

/* One stderr line whenever the job's step changes. */
static void progress(void *ctx, const json_t *job)
{
    char *last = ctx; /* the last line printed (256 bytes) */
    char line[256];
    const json_t *best = json_object_get(job, "best");
    snprintf(line, sizeof line, "autotune %s: %lld/%lld configs, %s%s%.4f",
             json_string_value(json_object_get(job, "index")),
             (long long)json_integer_value(json_object_get(job, "configs_done")),
             (long long)json_integer_value(json_object_get(job, "configs_total")),
             json_string_value(json_object_get(job, "phase")) ?: "",
             json_is_object(best) ? ", best over the gate: recall " : ", best recall seen: ",
             json_number_value(json_is_object(best) ? json_object_get(best, "recall")
                                    : json_object_get(job, "best_recall_seen")));
    if (strcmp(line, last)) {
        fprintf(stderr, "%s\n", line);
        snprintf(last, 256, "%s", line);
    }
}

static void print_job(const json_t *job)
{
    printf("autotune %s on %s: %s, %lld of %lld configs measured\n",
           json_string_value(json_object_get(job, "id")),
           json_string_value(json_object_get(job, "index")),
           json_string_value(json_object_get(job, "state")),
           (long long)json_integer_value(json_object_get(job, "configs_done")),
           (long long)json_integer_value(json_object_get(job, "configs_total")));
    if (json_string_value(json_object_get(job, "message")))
        printf("%s\n", json_string_value(json_object_get(job, "message")));
}

/* Follows a job of the server at url until it ends. */
static int follow(lh_cli *cli, const char *url, const char *id, char *last, json_t **out)
{
    char path[160];
    snprintf(path, sizeof path, "/vectors/jobs/%s", id);
    for (;;) {
        json_t *job = NULL;
        int rc = lh__cli_forward(cli, url, "GET", path, NULL, &job);
        if (rc)
            return rc;
        progress(last, job);
        const char *st = json_string_value(json_object_get(job, "state")) ?: "";
        if (strcmp(st, "queued") && strcmp(st, "running")) {
            *out = job;
            return 0;
        }
        json_decref(job);
        usleep(200000);
    }
}

int lh__cli_hnsw_autotune(lh_cli *cli, int argc, char **argv)
{
    opts o;
    int rc = lh__cli_hnsw_parse(cli, argc, argv, 0, &o);
    if (!rc && (!o.index || !o.eval))
        rc = lh__cli_usage_error(cli, "autotune needs --index INDEX and --eval EVAL%s", "");
    json_t *body = json_object(), *grid = json_object();
    if (!rc && o.M)
        rc = lh__cli_hnsw_list(cli, o.M, grid, "M");
    if (!rc && o.efc)
        rc = lh__cli_hnsw_list(cli, o.efc, grid, "ef_construction");
    if (!rc && o.efs)
        rc = lh__cli_hnsw_list(cli, o.efs, grid, "ef_search");
    lh_vec_autotune_req req = {.index = o.index, .eval = o.eval, .min_recall = LH_TUNE_MIN_RECALL,
                               .seed = 42};
    char *end = NULL;
    if (!rc && o.min_recall && ((req.min_recall = strtod(o.min_recall, &end)), *end))
        rc = lh__cli_usage_error(cli, "--min-recall is a number, not '%s'", o.min_recall);
    lh_err err;
    lh_status st = rc ? LH_OK : lh_vec_grid_from_json(json_object_size(grid) ? grid : NULL, &req.grid, &err);
    if (!st && !rc && !(req.min_recall >= 0 && req.min_recall <= 2))
        st = lh_fail(&err, LH_EINVAL, "field 'min_recall' must be a number from 0 to 2");
    run r = {0};
    bool opened = false;
    if (!rc && !st)
        opened = !(rc = lh__cli_hnsw_open_writer(cli, &r));
    else if (!rc)
        rc = lh__cli_error(cli, st, &err);
    json_t *job = NULL;
    char last[256] = "";
    if (!rc && !r.lake) {
        json_object_set_new(body, "index", json_string(o.index));
        json_object_set_new(body, "eval", json_string(o.eval));
        json_object_set_new(body, "min_recall", json_real(req.min_recall));
        if (json_object_size(grid))
            json_object_set(body, "grid", grid);
        json_t *reply = NULL;
        rc = lh__cli_forward(cli, r.url, "POST", "/vectors/hnsw/autotune", body, &reply);
        if (!rc)
            rc = follow(cli, r.url, json_string_value(json_object_get(reply, "job_id")) ?: "", last, &job);
        json_decref(reply);
        const char *state = json_string_value(json_object_get(job, "state"));
        if (!rc && strcmp(state ? state : "", "succeeded")) {
            lh_fail(&err, LH_EINVAL, "%s", json_string_value(json_object_get(job, "error")) ?: "failed");
            rc = lh__cli_error(cli, LH_EINVAL, &err);
        }
    } else if (!rc) {
        st = lh_vec_autotune_run(&r.te, &req, "cli", progress, last, &job, &err);
        if (st)
            rc = lh__cli_error(cli, st, &err);
    }
    if (!rc)
        rc = lh__cli_hnsw_emit(cli, 0, job, print_job);
    if (opened)
        lh__cli_hnsw_close(&r);
    json_decref(job);
    json_decref(body);
    json_decref(grid);
    return rc;
}
