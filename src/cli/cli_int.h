/* cli_int.h: shared by the CLI's files. */
#ifndef LH_CLI_CLI_INT_H
#define LH_CLI_CLI_INT_H

#include <stdbool.h>

#include "core/config.h"
#include "core/status.h"
#include "lake/lake.h"

#define LH_VERSION "0.1.0"

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

/* Prints "lakehouse: <message>" on one line and returns the exit code for st. */
int lh__cli_error(const lh_cli *cli, lh_status st, const lh_err *err);
/* Prints a usage problem (fmt has one %s for arg) and returns 2. */
int lh__cli_usage_error(const lh_cli *cli, const char *fmt, const char *arg);
/* The value after flag argv[*i] (advancing *i), or NULL after printing a usage error. */
const char *lh__cli_value(lh_cli *cli, int *i, const char *flag);

/* An ingest result as `lakehouse ingest --json` prints it (caller owns the object). */
json_t *lh__cli_ingest_json(const lh_ingest_result *r);

/* Prints a JSON value on stdout followed by a newline. */
void lh__cli_print_json(const json_t *v);

#endif
