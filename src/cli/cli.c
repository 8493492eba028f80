/* cli.c: argument parsing, dispatch and rendering for the lakehouse command line.
 * Each subcommand parses its flags, calls one lake function and prints the result:
 * human text by default, JSON with --json. Errors: one line on stderr, non-zero exit. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "core/util.h"

extern char **environ;

static const lh_cli_command commands[] = {
    {"ingest", lh__cli_ingest, "ingest FILE... [--name NAME] [--format csv|json|ndjson|text|lines|sms|pdf]\n"
     "             ingest postgres://USER:PASS@HOST:PORT/DB --table SCHEMA.TABLE | --query SQL [--name NAME]",
     "load files or a PostgreSQL table/query into a dataset (created on first ingest, appended after)"},
    {"sql", lh__cli_sql, "sql \"QUERY\"|- [--format table|csv|json|ndjson] [--as-of NAME=VERSION] [--limit N]",
     "run a read-only SQL query over the datasets"},
    {"datasets", lh__cli_datasets, "datasets [NAME] [--set FIELD=VALUE] [--tag T] [--untag T] [--sensitivity LEVEL]",
     "list datasets, show one manifest, or edit its metadata"},
    {"history", lh__cli_history, "history NAME", "show a dataset's commits (versions for --as-of)"},
    {"delete", lh__cli_delete, "delete NAME --key COLUMN VALUE... [--reason R] [--actor A]",
     "tombstone rows by key: hidden at once, physically removed by compact"},
    {"compact", lh__cli_compact, "compact NAME",
     "rewrite a dataset's live files into one, without tombstoned rows"},
    {"vacuum", lh__cli_vacuum, "vacuum NAME [--retention-hours H]",
     "delete data files no longer referenced (removed over H hours ago; default 168)"},
    {"resync", lh__cli_resync, "resync [NAME]", "recompute manifests from the live Parquet files"},
    {"demo", lh__cli_demo, "demo [--scale F] [--out DIR]",
     "generate the staffing-agency demo (7 tables, ~2.47M rows at scale 1) and ingest it"},
    {"cache", lh__cli_cache, "cache pin NAME | evict NAME | stats",
     "pin a dataset into a running server's memory, unpin it, or show hits and sizes"},
    {"config", lh__cli_config, "config", "print the effective configuration (secrets hidden)"},
    {"serve", lh__cli_serve, "serve [--bind HOST:PORT] [--print-config] [--routes] [--allow-unauthenticated-remote]",
     "serve the HTTP API (see docs/API.md) until SIGTERM/SIGINT"},
    {"keys", lh__cli_keys, "keys add --principal NAME [--role ROLE]",
     "create an API key (its SHA-256 goes to [auth] secrets_file; the key is printed once)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: lakehouse COMMAND [ARGS] [--data DIR] [--json]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n             %s\n", commands[i].name, commands[i].help, commands[i].usage);
    fprintf(out, "\nglobal options:\n"
                 "  --data DIR     data directory; default $LAKEHOUSE_DATA, else [storage] root of\n"
                 "                 the config (or $LAKEHOUSE_STORAGE_ROOT), else ./data\n"
                 "  --config FILE  configuration file (TOML); default ./lakehouse.toml if present\n"
                 "  --server URL   send ingests and cache commands to this running server (found\n"
                 "                 from the lock file when the data directory's writer is a\n"
                 "                 server); the API key comes from $LAKEHOUSE_API_KEY\n"
                 "  --json         machine-readable output\n"
                 "Exit status 0 on success; on error one line on stderr and a non-zero status.\n");
}

int lh__cli_error(const lh_cli *cli, lh_status st, const lh_err *err)
{
    (void)cli;
    /* One line: newlines inside engine messages are folded. */
    char line[sizeof err->msg];
    snprintf(line, sizeof line, "%s", err->msg);
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "lakehouse: %s\n", line);
    return lh_status_exit(st);
}

int lh__cli_usage_error(const lh_cli *cli, const char *fmt, const char *arg)
{
    fprintf(stderr, "lakehouse %s: ", cli->command ? cli->command : "");
    fprintf(stderr, fmt, arg ? arg : "");
    fprintf(stderr, " (see 'lakehouse help')\n");
    return 2;
}

const char *lh__cli_value(lh_cli *cli, int *i, const char *flag)
{
    if (*i + 1 >= cli->argc) {
        lh__cli_usage_error(cli, "%s needs a value", flag);
        return NULL;
    }
    return cli->argv[++*i];
}

int lh_cli_main(int argc, char **argv)
{
    lh_cli cli = {.argc = argc, .argv = argv};
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("lakehouse %s\n", LH_VERSION);
        return 0;
    }
    cli.command = argv[1];
    /* Global flags may appear anywhere; strip them before the command sees argv. */
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return 1;
    int n = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            cli.json = true;
        } else if (!strcmp(argv[i], "--data") || !strcmp(argv[i], "--config") ||
                   !strcmp(argv[i], "--server")) {
            if (i + 1 >= argc) {
                free(rest);
                return lh__cli_usage_error(&cli, "%s needs a value", argv[i]);
            }
            if (!strcmp(argv[i], "--data"))
                cli.data_dir = argv[++i];
            else if (!strcmp(argv[i], "--server"))
                cli.server = argv[++i];
            else
                cli.config_path = argv[++i];
        } else {
            rest[n++] = argv[i];
        }
    }
    cli.argc = n;
    cli.argv = rest;
    /* Configuration: defaults < lakehouse.toml < LAKEHOUSE_* environment < flags. */
    lh_err err;
    lh_status st = lh_config_load(cli.config_path, environ, NULL, 0, &cli.config, &err);
    if (st) {
        free(rest);
        return lh__cli_error(&cli, st, &err);
    }
    if (!cli.data_dir)
        cli.data_dir = getenv("LAKEHOUSE_DATA");
    if (!cli.data_dir || !*cli.data_dir)
        cli.data_dir = lh_config_str(cli.config, "storage.root", "./data");
    int rc = -1;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(commands[i].name, cli.command))
            rc = commands[i].run(&cli);
    if (rc < 0) {
        fprintf(stderr, "lakehouse: unknown command '%s' (see 'lakehouse help')\n", cli.command);
        rc = 2;
    }
    lh_config_free(cli.config);
    free(rest);
    return rc;
}
