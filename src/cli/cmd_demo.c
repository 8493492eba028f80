/* cmd_demo.c: lakehouse demo [--scale F] [--out DIR] [--no-index] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_int.h"
#include "core/util.h"
#include "demo/demo.h"
#include "ingest/ingest.h"
#include "net/client.h"
#include "vector/index.h"

/* The demo through a running server that holds the data directory. */
static lh_status remote_history(void *ctx, const char *name, json_t **hist, lh_err *err)
{
    char path[300];
    snprintf(path, sizeof path, "/catalog/datasets/by-name/%s/history", name);
    json_t *reply = NULL;
    lh_status st = lh_client_json(ctx, getenv("LAKEHOUSE_API_KEY"), "GET", path, NULL, &reply, err);
    if (!st)
        *hist = json_incref(json_object_get(reply, "history"));
    json_decref(reply);
    return st;
}

static lh_status remote_ingest(void *ctx, const lh_ingest_request *req, lh_ingest_result *res,
                               lh_err *err)
{
    memset(res, 0, sizeof *res);
    json_t *reply = NULL;
    const char *paths[] = {req->path};
    lh_status st = lh_client_ingest_files(ctx, getenv("LAKEHOUSE_API_KEY"), paths, 1, req->name,
                                          req->format, req->allow_schema_change, &reply, err);
    json_t *r = json_array_get(json_object_get(reply, "results"), 0);
    if (!st && !r)
        st = lh_fail(err, LH_EIO, "the server's ingest reply has no result");
    if (!st) {
        snprintf(res->dataset, sizeof res->dataset, "%s", json_string_value(json_object_get(r, "dataset")) ?: "");
        snprintf(res->sha256, sizeof res->sha256, "%s", json_string_value(json_object_get(r, "sha256")) ?: "");
        snprintf(res->format, sizeof res->format, "%s", json_string_value(json_object_get(r, "format")) ?: "");
        res->version = json_integer_value(json_object_get(r, "version"));
        res->rows_added = json_integer_value(json_object_get(r, "rows_added"));
        res->deduplicated = json_is_true(json_object_get(r, "deduplicated"));
        res->created = json_is_true(json_object_get(r, "created"));
        res->columns = json_array();
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(r, "columns"), i, c)
            json_array_append_new(res->columns, json_pack("{s:O}", "name", c));
        res->renames = json_incref(json_object_get(r, "renames"));
        json_t *sc = json_object_get(r, "schema_changes");
        res->schema_changes = json_is_array(sc) ? json_incref(sc) : NULL;
    }
    json_decref(reply);
    return st;
}

/* One progress line per table on a terminal, rewritten in place. */
static void progress(void *ctx, const char *table, const char *phase, int64_t done, int64_t total)
{
    (void)ctx;
    bool ingest = !strcmp(phase, "ingest");
    if (ingest && done == 0)
        fprintf(stderr, "\r\033[K  ingesting  %-11s %lld rows ...", table, (long long)total);
    else if (!ingest)
        fprintf(stderr, "\r\033[K  generating %-11s %3d%%", table,
                total ? (int)(done * 100 / total) : 100);
    else
        fprintf(stderr, "\r\033[K");
    fflush(stderr);
}

/* The demo's resume index (candidates.resume_text keyed by candidate_id), so that search
 * works out of the box: built in the foreground when this process holds the data
 * directory, posted as a job to the server that holds it otherwise; an index that exists
 * already is kept. *note gets what happened, for the human output. */
static lh_status demo_index(lh_lake *lake, const char *url, char *note, size_t n, lh_err *err)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "dataset", "candidates", "text_column",
                             "resume_text", "key_column", "candidate_id");
    lh_vec_spec spec;
    lh_status st = body ? lh_vec_spec_from_json(body, &spec, err) : lh_fail(err, LH_ENOMEM, "out of memory");
    double t0 = lh_mono_ms();
    json_t *job = NULL, *entry = NULL;
    if (!st && lake && !lh_vec_registry_get(lh_lake_store(lake), spec.name, &entry, err)) {
        snprintf(note, n, "vector index %s: already built (%lld chunks)", spec.name,
                 (long long)json_integer_value(json_object_get(entry, "chunks")));
    } else if (!st && lake) {
        lh_vec_env env;
        lh_lake_vec_env(lake, &env);
        st = lh_vec_build(&env, &spec, "cli", NULL, NULL, &job, err);
        if (!st)
            snprintf(note, n, "vector index %s: %lld chunks embedded in %.2fs (lakehouse vectors show %s)",
                     spec.name, (long long)json_integer_value(json_object_get(job, "chunks_done")),
                     (lh_mono_ms() - t0) / 1000, spec.name);
    } else if (!st) {
        st = lh_client_json(url, getenv("LAKEHOUSE_API_KEY"), "POST", "/vectors/index", body, &job, err);
        if (st == LH_EEXIST) {
            st = LH_OK;
            snprintf(note, n, "vector index %s: already built", spec.name);
        } else if (!st) {
            /* followed to its end, so that the demo says what a local run says */
            char path[160];
            snprintf(path, sizeof path, "/vectors/jobs/%s",
                     json_string_value(json_object_get(job, "job_id")) ?: "");
            const char *state = NULL;
            json_t *j = NULL;
            while (!st) {
                json_decref(j);
                j = NULL;
                st = lh_client_json(url, getenv("LAKEHOUSE_API_KEY"), "GET", path, NULL, &j, err);
                state = json_string_value(json_object_get(j, "state"));
                if (!st && state && strcmp(state, "queued") && strcmp(state, "running"))
                    break;
                if (!st)
                    usleep(100000);
            }
            if (!st && strcmp(state, "succeeded"))
                st = lh_fail(err, LH_EINVAL, "%s", json_string_value(json_object_get(j, "error")) ?: state);
            if (!st)
                snprintf(note, n, "vector index %s: %lld chunks embedded in %.2fs (lakehouse vectors show %s)",
                         spec.name, (long long)json_integer_value(json_object_get(j, "chunks_done")),
                         (lh_mono_ms() - t0) / 1000, spec.name);
            json_decref(j);
        }
    }
    json_decref(entry);
    json_decref(job);
    json_decref(body);
    return st;
}

static void print_human(const lh_demo_report *rep, double scale, const char *out_dir)
{
    int64_t rows = 0;
    double gen = 0, ing = 0;
    int dedup = 0;
    printf("%-12s %10s %10s %10s\n", "table", "rows", "generate", "ingest");
    for (int t = 0; t < LH_DEMO_NTABLES; t++) {
        const lh_demo_table *x = &rep->tables[t];
        rows += x->rows;
        gen += x->generate_ms;
        ing += x->ingest_ms;
        dedup += x->ingest.deduplicated;
        const char *note = !rep->loaded ? "" : x->ingest.deduplicated ? "already loaded (deduplicated)"
                         : x->ingest.created ? "created" : "appended";
        printf("%-12s %10lld %9.2fs %9.2fs  %s\n", x->name, (long long)x->rows,
               x->generate_ms / 1000, x->ingest_ms / 1000, note);
    }
    printf("%-12s %10lld %9.2fs %9.2fs  wall %.2fs, scale %g\n", "total", (long long)rows,
           gen / 1000, ing / 1000, rep->total_ms / 1000, scale);
    if (out_dir)
        printf("wrote %d CSV files to %s (nothing ingested)\n", LH_DEMO_NTABLES, out_dir);
    else if (dedup == LH_DEMO_NTABLES)
        printf("the demo at this scale was already loaded: every table deduplicated, nothing changed\n");
}

static json_t *report_json(const lh_demo_report *rep)
{
    json_t *arr = json_array();
    for (int t = 0; t < LH_DEMO_NTABLES; t++) {
        const lh_demo_table *x = &rep->tables[t];
        json_t *o = rep->loaded ? lh_ingest_result_json(&x->ingest) : json_object();
        json_object_set_new(o, "table", json_string(x->name));
        json_object_set_new(o, "rows", json_integer(x->rows));
        json_object_set_new(o, "generate_ms", json_integer((json_int_t)(x->generate_ms + 0.5)));
        json_object_set_new(o, "ingest_ms", json_integer((json_int_t)(x->ingest_ms + 0.5)));
        json_array_append_new(arr, o);
    }
    return arr;
}

int lh__cli_demo(lh_cli *cli)
{
    double scale = 1.0;
    const char *out_dir = NULL;
    bool index = true;
    char note[256] = "";
    for (int i = 0; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (!strcmp(a, "--scale")) {
            const char *v = lh__cli_value(cli, &i, a);
            if (!v)
                return 2;
            char *end;
            scale = strtod(v, &end);
            if (end == v || *end || !(scale > 0) || scale > LH_DEMO_MAX_SCALE)
                return lh__cli_usage_error(cli, "--scale needs a number above 0 and at most 20, not '%s'", v);
        } else if (!strcmp(a, "--no-index")) {
            index = false;
        } else if (!strcmp(a, "--out")) {
            if (!(out_dir = lh__cli_value(cli, &i, a)))
                return 2;
        } else {
            return lh__cli_usage_error(cli, "unexpected argument %s", a);
        }
    }
    lh_demo_options opts = {.scale = scale};
    if (!cli->json && isatty(STDERR_FILENO))
        opts.progress = progress;
    lh_err err;
    lh_demo_report rep;
    lh_status st;
    if (out_dir) {
        st = lh_demo_write(&opts, out_dir, &rep, &err);
    } else {
        lh_lake *lake = NULL;
        char url[512];
        int rc = lh__cli_open_writer(cli, &lake, url, sizeof url);
        if (rc)
            return rc;
        if (lake) {
            st = lh_demo_load(lake, &opts, &rep, &err);
        } else {
            lh_demo_sink sink = {remote_history, remote_ingest, url};
            st = lh_demo_load_to(&sink, &opts, &rep, &err);
        }
        lh_err ierr;
        /* the data is loaded: an index that cannot be built (a corpus too small to learn
         * from) is said, not an error of the demo */
        if (!st && index && demo_index(lake, url, note, sizeof note, &ierr))
            snprintf(note, sizeof note, "vector index candidates_resume_text not built: %.200s", ierr.msg);
        lh_lake_free(lake);
    }
    if (opts.progress)
        fprintf(stderr, "\r\033[K");
    int rc = 0;
    if (st) {
        rc = lh__cli_error(cli, st, &err);
    } else if (cli->json) {
        json_t *j = report_json(&rep);
        lh__cli_print_json(j);
        json_decref(j);
    } else {
        print_human(&rep, scale, out_dir);
        if (note[0])
            printf("%s\n", note);
    }
    lh_demo_report_release(&rep);
    return rc;
}
