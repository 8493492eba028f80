/* cmd_demo.c: lakehouse demo [--scale F] [--out DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_int.h"
#include "demo/demo.h"

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
        json_t *o = rep->loaded ? lh__cli_ingest_json(&x->ingest) : json_object();
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
        lh_lake_options lo = {.data_dir = cli->data_dir, .writer = true};
        st = lh_lake_open(&lo, &lake, &err);
        if (!st)
            st = lh_demo_load(lake, &opts, &rep, &err);
        else
            memset(&rep, 0, sizeof rep);
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
    }
    lh_demo_report_release(&rep);
    return rc;
}
