/* hnsw_int.h: what the files of `lakehouse vectors hnsw` share (cmd_hnsw.c: the verbs;
 * cmd_hnsw_run.c: options, the process a verb runs in, output; cmd_hnsw_tune.c: autotune). */
#ifndef LH_CLI_HNSW_INT_H
#define LH_CLI_HNSW_INT_H

#include "cli/cli_int.h"
#include "vector/tune.h"

/* The options of every verb, parsed once: positional words, then flag values. */
typedef struct opts {
    const char *pos[2];
    int npos;
    const char *index, *eval, *queries, *metric, *min_recall, *n, *M, *efc, *efs, *seed;
} opts;

/* argv[0] is the verb; exactly maxpos positional words. Returns 0 or the exit code. */
int lh__cli_hnsw_parse(lh_cli *cli, int argc, char **argv, int maxpos, opts *o);
int lh__cli_hnsw_whole(lh_cli *cli, const char *v, int64_t *out);
/* "8,16,32" -> grid[field] = [8, 16, 32] */
int lh__cli_hnsw_list(lh_cli *cli, const char *v, json_t *grid, const char *field);

/* The process a verb runs in: the writer's lake with a cache and an embedding cache for this
 * command, or (lake NULL) the url of the server holding the data directory. */
typedef struct run {
    lh_lake *lake;
    char url[512];
    lh__cli_ai ai;
    lh_vec_cache *cache;
    lh_vec_embcache *emb;
    lh_vec_graphs *graphs;  /* a promotion's graph is built and saved here, so that a server
                             * started later loads it from its file instead of building it */
    lh_vec_tune_env te;
} run;
int lh__cli_hnsw_open_writer(lh_cli *cli, run *r);
int lh__cli_hnsw_open_reader(lh_cli *cli, run *r);
void lh__cli_hnsw_close(run *r);

void lh__cli_hnsw_print_trial(const json_t *t);
void lh__cli_hnsw_print_eval(const json_t *e);
void lh__cli_hnsw_print_promotion(const json_t *rec);
void lh__cli_hnsw_print_best(const json_t *b);
/* Prints out (--json, or print per element) unless rc; returns rc. */
int lh__cli_hnsw_emit(lh_cli *cli, int rc, const json_t *out, void (*print)(const json_t *));
/* The tail of a local call: its error, or out printed; frees out and closes r. */
int lh__cli_hnsw_finish(lh_cli *cli, run *r, lh_status st, const lh_err *err, json_t *out,
                        void (*print)(const json_t *));

int lh__cli_hnsw_autotune(lh_cli *cli, int argc, char **argv);

#endif
