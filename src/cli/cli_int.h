/* cli_int.h: shared by the CLI's files. */
#ifndef LH_CLI_CLI_INT_H
#define LH_CLI_CLI_INT_H

#include <stdbool.h>

#include "ai/ai.h"
#include "core/config.h"
#include "core/status.h"
#include "lake/lake.h"

typedef struct lh_cli {
    int argc;          /* arguments after the command, global flags removed */
    char **argv;
    const char *command;
    const char *data_dir;
    const char *config_path;   /* --config, or NULL for ./lakehouse.toml if present */
    const char *server;        /* --server URL: send writes to this running server */
    lh_config *config;         /* the effective configuration */
    bool json;
} lh_cli;

typedef struct lh_cli_command {
    const char *name;
    int (*run)(lh_cli *cli);
    const char *usage;
    const char *help;
} lh_cli_command;

int lh__cli_ingest(lh_cli *cli);
int lh__cli_sql(lh_cli *cli);
int lh__cli_datasets(lh_cli *cli);
int lh__cli_history(lh_cli *cli);
int lh__cli_resync(lh_cli *cli);
int lh__cli_config(lh_cli *cli);
int lh__cli_serve(lh_cli *cli);
int lh__cli_keys(lh_cli *cli);
int lh__cli_demo(lh_cli *cli);
int lh__cli_cache(lh_cli *cli);
int lh__cli_delete(lh_cli *cli);
int lh__cli_compact(lh_cli *cli);
int lh__cli_vacuum(lh_cli *cli);
int lh__cli_search(lh_cli *cli);
int lh__cli_ask(lh_cli *cli);
/* `vectors evaluate` (cmd_search.c): argv[0, argc) are the words after "evaluate", the
 * tail of cli->argv. */
int lh__cli_vectors_evaluate(lh_cli *cli, int argc, char **argv);
int lh__cli_vectors(lh_cli *cli);
int lh__cli_profiles(lh_cli *cli); /* cmd_profiles.c */
/* vectors refresh|stale|policy (cmd_vec_fresh.c); argv[0] is the verb */
int lh__cli_vectors_refresh(lh_cli *cli, int argc, char **argv);
int lh__cli_vectors_stale(lh_cli *cli, int argc, char **argv);
int lh__cli_vectors_policy(lh_cli *cli, int argc, char **argv);
/* vectors hnsw ... (cmd_hnsw.c); argv[0] is the word after "hnsw" */
int lh__cli_vectors_hnsw(lh_cli *cli, int argc, char **argv);

/* Prints "lakehouse: <message>" on one line and returns the exit code for st. */
int lh__cli_error(const lh_cli *cli, lh_status st, const lh_err *err);
/* Prints a usage problem (fmt has one %s for arg) and returns 2. */
int lh__cli_usage_error_at(const lh_cli *cli, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The compiler checks fmt against arg at every call; arg also feeds the "did you mean". */
#define lh__cli_usage_error(cli, fmt, arg) lh__cli_usage_error_at((cli), (arg), (fmt), (arg))
/* The URL of the running server that should take this command's writes: --server, else
 * the lock holder's note. LH_ELOCKED when the holder is not a server, LH_ENOTFOUND when
 * nothing holds the lock. */
lh_status lh__cli_server_url(const lh_cli *cli, char *url, size_t n, lh_err *err);
/* Opens the data directory as its writer. When a running server holds it (or --server was
 * given) *lake stays NULL and url (n bytes) holds the server's URL: the caller forwards
 * the command with lh__cli_forward. Returns 0, or the exit code after printing the error. */
int lh__cli_open_writer(lh_cli *cli, lh_lake **lake, char *url, size_t n);

/* The configured network AI provider, attached to lake for one command (cli_ai.c):
 * [ai] read (a bad setting is the command's error: non-zero return, one line printed),
 * the provider made when it is not builtin, and handed to lh_lake_set_ai. Detach after
 * the lake and everything loaded through it are freed. */
typedef struct lh__cli_ai {
    lh_ai_config config;
    lh_ai *provider;
} lh__cli_ai;
int lh__cli_ai_attach(lh_cli *cli, lh_lake *lake, lh__cli_ai *ai);
void lh__cli_ai_detach(lh__cli_ai *ai);
/* One JSON request to the server at url with $LAKEHOUSE_API_KEY; *reply (caller owns) on
 * success. Returns 0, or the exit code after printing the server's error as a local run
 * would have. */
int lh__cli_forward(lh_cli *cli, const char *url, const char *method, const char *path,
                    const json_t *body, json_t **reply);
/* The value after flag argv[*i] (advancing *i), or NULL after printing a usage error. */
const char *lh__cli_value(lh_cli *cli, int *i, const char *flag);

/* Prints a JSON value on stdout followed by a newline. */
void lh__cli_print_json(const json_t *v);

#endif
