/* cli.c: argument parsing, dispatch and rendering for the lakehouse command line.
 * Each subcommand parses its flags, calls one lake function and prints the result:
 * human text by default, JSON with --json. Errors: one line on stderr, non-zero exit. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "core/alloc.h"
#include "core/util.h"
#include "net/client.h"

extern char **environ;

static const lh_cli_command commands[] = {
    {"ingest", lh__cli_ingest, "ingest FILE... [--name NAME] [--format csv|json|ndjson|text|lines|sms|pdf]\n"
     "             [--encoding ENC] [--header|--no-header] [--delim C] [--quote C] [--skip N]\n"
     "             ingest postgres://USER:PASS@HOST:PORT/DB --table SCHEMA.TABLE | --query SQL [--name NAME]\n"
     "             [--order-by COLS] [--limit N] [--batch-size N]",
     "load files or a PostgreSQL table/query into a dataset (created on first ingest, appended after)"},
    {"sql", lh__cli_sql, "sql \"QUERY\"|- [--format table|csv|json|ndjson] [--as-of NAME=VERSION] [--limit N]\n"
     "             [--explain] [--timeout-ms N]",
     "run a read-only SQL query over the datasets"},
    {"datasets", lh__cli_datasets, "datasets [NAME] [--set FIELD=VALUE] [--tag T] [--untag T] [--sensitivity LEVEL]",
     "list datasets, show one manifest, or edit its metadata"},
    {"history", lh__cli_history, "history NAME", "show a dataset's commits (versions for --as-of)"},
    {"delete", lh__cli_delete, "delete NAME --key COLUMN VALUE... [--reason R] [--actor A]",
     "tombstone rows by key: hidden at once, physically removed by compact"},
    {"compact", lh__cli_compact, "compact NAME [--erase-now]",
     "rewrite a dataset's live files into one, without tombstoned rows (--erase-now: vacuum the old files at once)"},
    {"vacuum", lh__cli_vacuum, "vacuum NAME [--retention-hours H]",
     "delete data files no longer referenced (removed over H hours ago; default 168)"},
    {"resync", lh__cli_resync, "resync [NAME]", "recompute manifests from the live Parquet files"},
    {"demo", lh__cli_demo, "demo [--scale F] [--out DIR] [--no-index]",
     "generate the staffing-agency demo (7 tables, ~2.47M rows at scale 1), ingest it and build the resume vector index"},
    {"cache", lh__cli_cache, "cache pin NAME | evict NAME | stats",
     "pin a dataset into a running server's memory, unpin it, or show hits and sizes"},
    {"vectors", lh__cli_vectors, "vectors index DATASET --text COL --key COL [--name NAME] [--chunk-size N]\n"
     "             [--chunk-overlap N] [--chunk-unit chars|tokens] [--provider P] [--model M]\n"
     "             | list [--source DATASET] [--model M] [--stale] | show NAME | drop NAME\n"
     "             | refresh DATASET|INDEX | stale | policy INDEX manual|on_append|every:SECONDS\n"
     "             | evaluate NAME --queries DATASET --judgements DATASET [--k N] [--modes dense,lexical,hybrid]\n"
     "             | hnsw eval|evals|autogen|trial|trials|best|autotune|cache|promote|rollback|promoted ...",
     "build a vector index over a text column (progress bar; a killed build resumes), list, show or drop\n"
     "             indexes; refresh embeds only new or changed rows; stale lists indexes behind their dataset;\n"
     "             evaluate reports nDCG@10 and recall@k of each search mode on judged queries; hnsw tunes,\n"
     "             promotes and rolls back the HNSW graph of an index (docs/CLI.md \"vectors hnsw\")"},
    {"search", lh__cli_search, "search INDEX-OR-DATASET \"TEXT\" [--where PREDICATE] [--k N] [--mode dense|lexical|hybrid]\n"
     "             [--columns A,B] [--weight W] [--fusion weighted|rrf] [--int8]",
     "rank the chunks of a vector index for a text (where: a SQL condition on the dataset's columns)"},
    {"ask", lh__cli_ask, "ask INDEX-OR-DATASET \"QUESTION\" [--where PREDICATE] [--k N] [--as-of VERSION]",
     "answer a question from a vector index, citing the rows (and character ranges) it used"},
    {"profiles", lh__cli_profiles, "profiles create --file P.json | list | show ID | delete ID\n"
     "             | activate ID | deactivate ID",
     "model profiles: an embedding model, the datasets its searches may reach, an HNSW config;\n"
     "             activate/deactivate warm or free its indexes and graphs in the running server"},
    {"config", lh__cli_config, "config", "print the effective configuration (secrets hidden)"},
    {"serve", lh__cli_serve, "serve [--bind HOST:PORT] [--print-config] [--routes] [--allow-unauthenticated-remote]",
     "serve the HTTP API (see docs/API.md) until SIGTERM/SIGINT"},
    {"keys", lh__cli_keys, "keys add --principal NAME [--role ROLE]",
     "create an API key (its SHA-256 goes to [auth] secrets_file; the key is printed once)"},
};

static const char *const global_flags[] = {"--data", "--config", "--server", "--json", "--help"};

static const lh_cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static void global_options(FILE *out)
{
    fprintf(out, "\nglobal options:\n"
                 "  --data DIR     data directory; default $LAKEHOUSE_DATA, else [storage] root of\n"
                 "                 the config (or $LAKEHOUSE_STORAGE_ROOT), else ./data\n"
                 "  --config FILE  configuration file (TOML); default ./lakehouse.toml if present\n"
                 "  --server URL   send writes (ingest, delete, compact, vacuum, datasets edits,\n"
                 "                 resync, demo) and cache commands to this running server (found\n"
                 "                 from the lock file when the data directory's writer is a\n"
                 "                 server); the API key comes from $LAKEHOUSE_API_KEY\n"
                 "  --json         machine-readable output; errors too, as one JSON line on stderr\n"
                 "Exit status 0 on success; on error one line on stderr and a non-zero status.\n");
}

static void usage(FILE *out)
{
    fprintf(out, "usage: lakehouse COMMAND [ARGS] [--data DIR] [--json]\n"
                 "       lakehouse help COMMAND | lakehouse COMMAND --help\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n             %s\n", commands[i].name, commands[i].help, commands[i].usage);
    global_options(out);
}

static void command_usage(const lh_cli_command *c, FILE *out)
{
    fprintf(out, "usage: lakehouse %s\n\n%s\n", c->usage, c->help);
    global_options(out);
}

/* The closest known command to name, or NULL. */
static const char *closest_command(const char *name)
{
    const char *names[sizeof commands / sizeof commands[0]];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        names[i] = commands[i].name;
    return lh_closest(name, names, sizeof commands / sizeof commands[0]);
}

/* The flag of the current command (taken from its usage line) or a global flag closest
 * to arg, or NULL. */
static const char *closest_flag(const lh_cli *cli, const char *arg, char *out, size_t outn)
{
    const lh_cli_command *c = cli->command ? find_command(cli->command) : NULL;
    const char *cands[64];
    char store[64][32];
    size_t n = 0;
    for (size_t i = 0; i < sizeof global_flags / sizeof global_flags[0]; i++)
        cands[n++] = global_flags[i];
    for (const char *p = c ? c->usage : ""; (p = strstr(p, "--")) && n < 64; ) {
        size_t len = 2;
        while (p[len] && (p[len] == '-' || (p[len] >= 'a' && p[len] <= 'z')))
            len++;
        if (len > 2 && len < sizeof store[0]) {
            memcpy(store[n], p, len);
            store[n][len] = '\0';
            cands[n] = store[n];
            n++;
        }
        p += len;
    }
    const char *best = lh_closest(arg, cands, n);
    if (!best || !strcmp(best, arg))
        return NULL;
    snprintf(out, outn, "%s", best);
    return out;
}

/* Writes one JSON error line {"error": {code, message, exit}} on stderr. */
static void json_error(const char *code, const char *message, int exit_code)
{
    json_t *e = json_pack("{s:{s:s, s:s, s:i}}", "error", "code", code, "message", message,
                          "exit", exit_code);
    char *s = e ? lh_json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    fprintf(stderr, "%s\n", s ? s : "{\"error\":{\"code\":\"internal\"}}");
    free(s);
    json_decref(e);
}

int lh__cli_error(const lh_cli *cli, lh_status st, const lh_err *err)
{
    /* One line: newlines inside engine messages are folded. */
    char line[sizeof err->msg];
    snprintf(line, sizeof line, "%s", err->msg);
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (cli && cli->json)
        json_error(lh_status_name(st), line, lh_status_exit(st));
    else
        fprintf(stderr, "lakehouse: %s\n", line);
    return lh_status_exit(st);
}

int lh__cli_usage_error_at(const lh_cli *cli, const char *arg, const char *fmt, ...)
{
    char msg[1024], hint[64], flag[32];
    int n = snprintf(msg, sizeof msg, "lakehouse %s: ", cli->command ? cli->command : "");
    if (n < 0 || (size_t)n >= sizeof msg)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    hint[0] = '\0';
    if (arg && arg[0] == '-' && closest_flag(cli, arg, flag, sizeof flag))
        snprintf(hint, sizeof hint, "; did you mean %s?", flag);
    char full[1200];
    snprintf(full, sizeof full, "%s%s (see 'lakehouse %s --help')", msg, hint,
             cli->command ? cli->command : "help");
    if (cli->json)
        json_error("usage", full + strlen("lakehouse "), 2);
    else
        fprintf(stderr, "%s\n", full);
    return 2;
}

lh_status lh__cli_server_url(const lh_cli *cli, char *url, size_t n, lh_err *err)
{
    if (cli->server) {
        snprintf(url, n, "%s", cli->server);
        return LH_OK;
    }
    json_t *holder = NULL;
    lh_status st = lh_lake_lock_holder(cli->data_dir, &holder, err);
    const char *note = json_string_value(json_object_get(holder, "note"));
    if (!st && note && !strncmp(note, "http://", 7))
        snprintf(url, n, "%s", note);
    else if (!st)
        st = lh_fail(err, LH_ELOCKED, "the data directory is in use by another writer (pid %s) "
                     "that is not a lakehouse server; wait for it to finish and try again",
                     json_string_value(json_object_get(holder, "pid")) ?: "unknown");
    else
        st = lh_fail(err, LH_ENOTFOUND, "no lakehouse server is running on this data directory "
                     "(start one with 'lakehouse serve', or pass --server URL)");
    json_decref(holder);
    return st;
}

int lh__cli_open_writer(lh_cli *cli, lh_lake **lake, char *url, size_t n)
{
    lh_err err;
    *lake = NULL;
    url[0] = '\0';
    lh_lake_options lo = {.data_dir = cli->data_dir, .writer = true,
                          .embed_workers = (unsigned)lh_config_int(cli->config, "vectors.embed_workers", 2),
                          .embed_retries = (unsigned)lh_config_int(cli->config, "vectors.embed_retries", 3),
                          .checkpoint_interval = (int)lh_config_int(cli->config, "storage.checkpoint_interval", 10),
                          .retention_hours = (double)lh_config_int(cli->config, "storage.vacuum_retention_hours", 168)};
    lh_status st = cli->server ? LH_ELOCKED : lh_lake_open(&lo, lake, &err);
    if (st == LH_ELOCKED)
        st = lh__cli_server_url(cli, url, n, &err);
    return st ? lh__cli_error(cli, st, &err) : 0;
}

int lh__cli_forward(lh_cli *cli, const char *url, const char *method, const char *path,
                    const json_t *body, json_t **reply)
{
    lh_err err;
    *reply = NULL;
    lh_status st = lh_client_json(url, getenv("LAKEHOUSE_API_KEY"), method, path, body, reply, &err);
    if (st) {
        json_decref(*reply);
        *reply = NULL;
    }
    return st ? lh__cli_error(cli, st, &err) : 0;
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
    lh_alloc_install_json(); /* before any json is built: jansson's allocations are ours too */
    lh_cli cli = {.argc = argc, .argv = argv};
    bool help = argc >= 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
                              !strcmp(argv[1], "-h"));
    if (help && argc >= 3 && argv[2][0] != '-') {
        /* lakehouse help CMD */
        cli.command = argv[2];
        const lh_cli_command *c = find_command(argv[2]);
        if (c) {
            command_usage(c, stdout);
            return 0;
        }
        const char *near = closest_command(argv[2]);
        fprintf(stderr, "lakehouse: unknown command '%s'%s%s%s (see 'lakehouse help')\n", argv[2],
                near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        return 2;
    }
    if (argc < 2 || help) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("lakehouse %s\n", LH_VERSION);
        return 0;
    }
    cli.command = argv[1];
    const lh_cli_command *cmd = find_command(argv[1]);
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        /* lakehouse CMD --help (not a value of a flag: "--name --help" is odd enough). */
        if (cmd && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))) {
            command_usage(cmd, stdout);
            return 0;
        }
    }
    if (!cmd) {
        const char *near = closest_command(argv[1]);
        char msg[512];
        snprintf(msg, sizeof msg, "unknown command '%s'%s%s%s (see 'lakehouse help')", argv[1],
                 near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        if (json)
            json_error("usage", msg, 2);
        else
            fprintf(stderr, "lakehouse: %s\n", msg);
        return 2;
    }
    /* Global flags may appear anywhere; strip them before the command sees argv. */
    char **rest = lh_calloc((size_t)argc + 1, sizeof *rest);
    if (!rest) {
        fprintf(stderr, "lakehouse: out of memory\n");
        return lh_status_exit(LH_ENOMEM);
    }
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
    int rc = cmd->run(&cli);
    lh_config_free(cli.config);
    free(rest);
    return rc;
}
