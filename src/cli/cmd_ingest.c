/* cmd_ingest.c: lakehouse ingest FILE... [--name NAME] [--format F] [--allow-schema-change]
 *               [--encoding E] [--header | --no-header] [--delim C] [--quote C] [--skip N]
 *               lakehouse ingest postgres://... --table S.T | --query SQL [--name NAME]
 *                                 [--order-by COLS] [--limit N] [--batch-size N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cli/cli_int.h"
#include "core/alloc.h"
#include "core/util.h"
#include "cli/progress.h"
#include "core/util.h"
#include "ingest/ingest.h"
#include "lake/auto_compact.h"
#include "net/client.h"

/* One ingest result in words, from the fields of lh_ingest_result_json: the ones the API
 * answers and --json prints, so the three say the same things. via names the server that
 * did the work (a forwarded ingest), or is NULL. */
static void print_human(const char *label, const json_t *res, const char *via)
{
    if (!res) { /* committed, but no memory left to describe it */
        printf("%s: ingested (out of memory describing the result)\n", label);
        return;
    }
    const char *dataset = json_string_value(json_object_get(res, "dataset"));
    long long version = (long long)json_integer_value(json_object_get(res, "version"));
    char where[512] = "";
    if (via)
        snprintf(where, sizeof where, " via the server at %s", via);
    if (json_is_true(json_object_get(res, "deduplicated"))) {
        printf("%s: already ingested into '%s' (version %lld)%s; nothing to do\n", label,
               dataset, version, where);
        return;
    }
    printf("%s: %s '%s', %lld rows (version %lld), %zu columns%s\n", label,
           json_is_true(json_object_get(res, "created")) ? "created dataset" : "appended to",
           dataset, (long long)json_integer_value(json_object_get(res, "rows_added")), version,
           json_array_size(json_object_get(res, "columns")), where);
    size_t i;
    json_t *rn;
    json_array_foreach(json_object_get(res, "renames"), i, rn)
        printf("  renamed column %s -> %s\n", json_string_value(json_object_get(rn, "from")),
               json_string_value(json_object_get(rn, "to")));
    json_array_foreach(json_object_get(res, "schema_changes"), i, rn) {
        const char *action = json_string_value(json_object_get(rn, "action")) ?: "";
        const char *col = json_string_value(json_object_get(rn, "column"));
        const char *from = json_string_value(json_object_get(rn, "from"));
        const char *to = json_string_value(json_object_get(rn, "to"));
        if (!strcmp(action, "add_column"))
            printf("  schema: added column %s (%s)\n", col,
                   json_string_value(json_object_get(rn, "type")));
        else if (!strcmp(action, "widen"))
            printf("  schema: widened column %s: %s -> %s\n", col, from, to);
        else if (!strcmp(action, "cast"))
            printf("  schema: column %s cast %s -> %s\n", col, from, to);
        else if (!strcmp(action, "rename"))
            printf("  schema: the file's column %s written as %s (a rename)\n",
                   json_string_value(json_object_get(rn, "file_column")),
                   json_string_value(json_object_get(rn, "dataset_column")));
        else
            printf("  schema: column %s missing from the file (NULL in these rows)\n", col);
    }
}

/* lakehouse ingest postgres://... --table T | --query Q: the DSN is never echoed. */
static int ingest_postgres(lh_cli *cli, lh_ingest_pg_request *req)
{
    lh_err err;
    lh_lake *lake = NULL;
    lh_lake_options lo = {.data_dir = cli->data_dir, .writer = true,
                          .checkpoint_interval = (int)lh_config_int(cli->config, "storage.checkpoint_interval", 10),
                          .retention_hours = (double)lh_config_int(cli->config, "storage.vacuum_retention_hours", 168)};
    lh_status st = lh_lake_open(&lo, &lake, &err);
    if (st)
        return lh__cli_error(cli, st, &err);
    const char *table = req->table;
    lh_ingest_result res;
    st = lh_lake_ingest_postgres(lake, req, &res, &err);
    int rc = 0;
    json_t *out = st ? NULL : lh_ingest_result_json(&res);
    if (!st && !out)
        st = lh_fail(&err, LH_ENOMEM, "out of memory");
    if (st) {
        rc = lh__cli_error(cli, st, &err);
    } else if (cli->json) {
        lh__cli_print_json(out);
    } else {
        char label[300];
        snprintf(label, sizeof label, "postgresql %s %.200s", table ? "table" : "query",
                 table ? table : "");
        size_t l = strlen(label);
        while (l && label[l - 1] == ' ')
            label[--l] = '\0';
        print_human(label, out, NULL);
    }
    json_decref(out);
    lh_ingest_result_release(&res);
    lh_lake_free(lake);
    return rc;
}

/* The data directory's writer is a running server: send it the files over HTTP (the
 * server's URL comes from --server or from the lock file). */
static int forward_to_server(lh_cli *cli, const char *const *files, int nfiles, const char *name,
                             const char *format, bool allow_change, const char *const *fields)
{
    lh_err err;
    json_t *holder = NULL, *reply = NULL;
    const char *url = cli->server;
    if (!url && !lh_lake_lock_holder(cli->data_dir, &holder, &err))
        url = json_string_value(json_object_get(holder, "note"));
    lh_status st = LH_OK;
    if (!url || strncmp(url, "http://", 7))
        st = lh_fail(&err, LH_ELOCKED, "the data directory is in use by another writer (pid %s) "
                     "that is not a lakehouse server; wait for it to finish and try again",
                     holder ? json_string_value(json_object_get(holder, "pid")) : "unknown");
    if (!st)
        st = lh_client_ingest_files_with(url, getenv("LAKEHOUSE_API_KEY"), files, (size_t)nfiles,
                                         name, format, allow_change, fields, &reply, &err);
    json_t *results = json_object_get(reply, "results");
    /* The server's per-file entries name the file by its base name; show the caller's. */
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r)
        if ((int)i < nfiles)
            json_object_set_new(r, "file", json_string(files[i]));
    int rc = 0;
    if (st && cli->json && json_array_size(results) > 1)
        lh__cli_print_json(results);
    if (!cli->json) {
        json_array_foreach(results, i, r) {
            if (strcmp(json_string_value(json_object_get(r, "status")) ?: "ok", "ok"))
                continue;
            print_human(files[i], r, url);
        }
    } else if (!st) {
        lh__cli_print_json(json_array_size(results) == 1 ? json_array_get(results, 0) : results);
    }
    if (st)
        rc = lh__cli_error(cli, st, &err);
    json_decref(reply);
    json_decref(holder);
    return rc;
}

int lh__cli_ingest(lh_cli *cli)
{
    const char *name = NULL, *format = NULL, *table = NULL, *query = NULL, *order_by = NULL;
    const char *limit_s = NULL, *batch_s = NULL, *encoding = NULL;
    const char *delim = NULL, *quote = NULL, *skip = NULL, *header = NULL;
    const char **files = lh_calloc((size_t)cli->argc + 1, sizeof *files);
    if (!files) {
        lh_err oom;
        return lh__cli_error(cli, lh_fail(&oom, LH_ENOMEM, "out of memory"), &oom);
    }
    int nfiles = 0;
    bool allow_change = false;
    static const char *valued[] = {"--name", "--format", "--table", "--query", "--order-by",
                                   "--limit", "--batch-size", "--encoding", "--delim", "--quote",
                                   "--skip"};
    const char **slots[] = {&name, &format, &table, &query, &order_by, &limit_s, &batch_s,
                            &encoding, &delim, &quote, &skip};
    enum { NVALUED = sizeof valued / sizeof valued[0] };
    for (int i = 0; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        size_t k = 0;
        while (k < NVALUED && strcmp(a, valued[k]))
            k++;
        if (k < NVALUED) {
            if (!(*slots[k] = lh__cli_value(cli, &i, a))) {
                free(files);
                return 2;
            }
        } else if (!strcmp(a, "--allow-schema-change")) {
            allow_change = true;
        } else if (!strcmp(a, "--header") || !strcmp(a, "--no-header")) {
            header = a[2] == 'h' ? "true" : "false";
        } else if (a[0] == '-' && a[1]) {
            free(files);
            return lh__cli_usage_error(cli, "unknown option %s", a);
        } else {
            files[nfiles++] = a;
        }
    }
    if (!nfiles) {
        free(files);
        return lh__cli_usage_error(cli, "%sneeds at least one FILE", "");
    }
    int64_t limit = 0, batch = 0;
    const char *bad = limit_s && (lh_parse_i64(limit_s, &limit) || limit < 0) ? limit_s
                    : batch_s && (lh_parse_i64(batch_s, &batch) || batch < 0) ? batch_s : NULL;
    if (bad) {
        free(files);
        return lh__cli_usage_error(cli, "--limit and --batch-size take a whole number, got '%s'",
                                   bad);
    }
    /* A database source: postgres:// or postgresql://, or a libpq key=value string
     * together with --table/--query. It is the only source of the command. */
    bool db = lh_ingest_is_postgres_uri(files[0]) ||
              ((table || query) && nfiles == 1 && strchr(files[0], '='));
    for (int f = 1; f < nfiles && !db; f++)
        db = lh_ingest_is_postgres_uri(files[f]);
    int rc = -1;
    if (db && nfiles > 1)
        rc = lh__cli_usage_error(cli, "%sa PostgreSQL source must be the only source", "");
    else if (db && format)
        rc = lh__cli_usage_error(cli, "%s--format is for files, not PostgreSQL", "");
    else if (db && !table == !query)
        rc = lh__cli_usage_error(cli, "%sa PostgreSQL source needs exactly one of --table or --query", "");
    else if (!db && (table || query || order_by || limit_s || batch_s))
        rc = lh__cli_usage_error(cli, "%s--table, --query, --order-by, --limit and --batch-size "
                                 "need a postgres:// source", "");
    else if (db && (encoding || delim || quote || skip || header))
        rc = lh__cli_usage_error(cli, "%s--encoding, --header, --delim, --quote and --skip are for "
                                 "files, not PostgreSQL", "");
    else if (db) {
        lh_ingest_pg_request req = {.dsn = files[0], .table = table, .query = query, .name = name,
                                    .allow_schema_change = allow_change, .order_by = order_by,
                                    .limit = limit, .batch_size = batch};
        rc = ingest_postgres(cli, &req);
    }
    if (rc >= 0) {
        free(files);
        return rc;
    }
    lh_err err;
    lh_ingest_csv csv = {0};
    if (lh_ingest_csv_parse(&csv, header, delim, quote, skip, &err)) {
        free(files);
        return lh__cli_usage_error(cli, "%s", err.msg);
    }
    lh_lake *lake = NULL;
    /* lazy_views: the process exits after its appends; no query runs here */
    lh_lake_options lo = {.data_dir = cli->data_dir, .writer = true, .lazy_views = true,
                          .checkpoint_interval = (int)lh_config_int(cli->config, "storage.checkpoint_interval", 10),
                          .retention_hours = (double)lh_config_int(cli->config, "storage.vacuum_retention_hours", 168)};
    lh_status st = cli->server ? LH_ELOCKED : lh_lake_open(&lo, &lake, &err);
    if (st == LH_ELOCKED) {
        const char *fields[12];
        size_t nf = 0;
        const char *keys[] = {"encoding", "header", "delim", "quote", "skip"};
        const char *vals[] = {encoding, header, delim, quote, skip};
        for (size_t k = 0; k < 5; k++)
            if (vals[k]) {
                fields[nf++] = keys[k];
                fields[nf++] = vals[k];
            }
        fields[nf] = NULL;
        rc = forward_to_server(cli, files, nfiles, name, format, allow_change, fields);
        free(files);
        return rc;
    }
    rc = st ? lh__cli_error(cli, st, &err) : 0;
    /* Files go in order; the first failure stops the rest. Earlier files stay committed and
     * are reported: in JSON, a multi-file ingest that fails prints every file's entry
     * (status ok, failed or skipped) on stdout before the error on stderr. */
    json_t *all = json_array();
    lh_status failed = LH_OK;
    lh_err failed_err;
    for (int f = 0; !rc && f < nfiles; f++) {
        if (failed) {
            json_array_append_new(all, json_pack("{s:s, s:s}", "file", files[f], "status", "skipped"));
            continue;
        }
        lh_ingest_request req = {.path = files[f], .name = name, .format = format,
                                 .allow_schema_change = allow_change, .encoding = encoding,
                                 .csv = csv};
        lh_ingest_result res;
        struct stat sb;
        lh_cli_progress prog;
        lh__cli_progress_init(&prog, files[f], stat(files[f], &sb) ? 0 : (int64_t)sb.st_size, cli->json);
        lh_lake_set_progress(lake, lh__cli_progress_update, &prog);
        st = lh_lake_ingest(lake, &req, &res, &err);
        lh_lake_set_progress(lake, NULL, NULL);
        lh__cli_progress_done(&prog);
        if (st) {
            failed = st;
            lh_utf8_scrub(err.msg);
            failed_err = err;
            json_array_append_new(all, json_pack("{s:s, s:s, s:{s:s, s:s}}", "file", files[f],
                                                 "status", "failed", "error", "code",
                                                 lh_status_name(st), "message", err.msg));
        } else {
            json_t *one = lh_ingest_result_json(&res);
            if (!cli->json) {
                print_human(files[f], one, NULL);
                json_decref(one);
            } else if (one) {
                json_object_set_new(one, "file", json_string(files[f]));
                json_object_set_new(one, "status", json_string("ok"));
                json_array_append_new(all, one);
            }
        }
        lh_ingest_result_release(&res);
    }
    /* [storage] auto_compact_cli: one round of the server's policy before exiting (its
     * failures are logged, the ingest stands). */
    if (!rc && !failed && lh_config_bool(cli->config, "storage.auto_compact_cli", false)) {
        lh_auto_compact_policy acp;
        lh_auto_compact_policy_load(cli->config, &acp);
        lh_err ac_err;
        lh_auto_compact_round(lake, &acp, NULL, NULL, &ac_err);
    }
    if (!rc && failed) {
        if (cli->json && nfiles > 1)
            lh__cli_print_json(all);
        rc = lh__cli_error(cli, failed, &failed_err);
    } else if (!rc && cli->json) {
        lh__cli_print_json(json_array_size(all) == 1 ? json_array_get(all, 0) : all);
    }
    json_decref(all);
    lh_lake_free(lake);
    free(files);
    return rc;
}
