/* cmd_ingest.c: lakehouse ingest FILE... [--name NAME] [--format F] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"

static void print_human(const char *path, const lh_ingest_result *r)
{
    if (r->deduplicated) {
        printf("%s: already ingested into '%s' (version %lld); nothing to do\n", path, r->dataset,
               (long long)r->version);
        return;
    }
    printf("%s: %s '%s', %lld rows (version %lld), %zu columns\n", path,
           r->created ? "created dataset" : "appended to", r->dataset, (long long)r->rows_added,
           (long long)r->version, json_array_size(r->columns));
    size_t i;
    json_t *rn;
    json_array_foreach(r->renames, i, rn)
        printf("  renamed column %s -> %s\n", json_string_value(json_object_get(rn, "from")),
               json_string_value(json_object_get(rn, "to")));
}

json_t *lh__cli_ingest_json(const lh_ingest_result *r)
{
    json_t *names = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(r->columns, i, c) json_array_append(names, json_object_get(c, "name"));
    return json_pack("{s:s, s:I, s:I, s:b, s:o, s:O, s:s, s:s}", "dataset", r->dataset, "version",
                     (json_int_t)r->version, "rows_added", (json_int_t)r->rows_added, "deduplicated",
                     r->deduplicated, "columns", names, "renames", r->renames, "sha256", r->sha256,
                     "format", r->format);
}

int lh__cli_ingest(lh_cli *cli)
{
    const char *name = NULL, *format = NULL;
    const char **files = calloc((size_t)cli->argc + 1, sizeof *files);
    int nfiles = 0;
    for (int i = 0; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (!strcmp(a, "--name") && !(name = lh__cli_value(cli, &i, a))) {
            free(files);
            return 2;
        } else if (!strcmp(a, "--format") && !(format = lh__cli_value(cli, &i, a))) {
            free(files);
            return 2;
        } else if (strcmp(a, "--name") && strcmp(a, "--format")) {
            if (a[0] == '-' && a[1]) {
                free(files);
                return lh__cli_usage_error(cli, "unknown option %s", a);
            }
            files[nfiles++] = a;
        }
    }
    if (!nfiles) {
        free(files);
        return lh__cli_usage_error(cli, "%sneeds at least one FILE", "");
    }
    lh_err err;
    lh_lake *lake = NULL;
    lh_lake_options lo = {.data_dir = cli->data_dir, .writer = true};
    lh_status st = lh_lake_open(&lo, &lake, &err);
    int rc = st ? lh__cli_error(cli, st, &err) : 0;
    json_t *all = json_array();
    for (int f = 0; !rc && f < nfiles; f++) {
        lh_ingest_request req = {.path = files[f], .name = name, .format = format};
        lh_ingest_result res;
        st = lh_lake_ingest(lake, &req, &res, &err);
        if (st) {
            rc = lh__cli_error(cli, st, &err);
        } else if (cli->json) {
            json_array_append_new(all, lh__cli_ingest_json(&res));
        } else {
            print_human(files[f], &res);
        }
        lh_ingest_result_release(&res);
    }
    if (!rc && cli->json)
        lh__cli_print_json(json_array_size(all) == 1 ? json_array_get(all, 0) : all);
    json_decref(all);
    lh_lake_free(lake);
    free(files);
    return rc;
}
