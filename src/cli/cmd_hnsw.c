/* cmd_hnsw.c: lakehouse vectors hnsw eval NAME --index I [--queries FILE] | evals
 *   | autogen NAME --index I --n N
 *   | trial --index I --eval E --M N --ef-construction N --ef-search N [--seed S]
 *   | trials I | best I [--metric recall|latency|pareto] [--min-recall R]
 *   | autotune --index I --eval E [--min-recall R] [--M A,B] [--ef-construction A,B] [--ef-search A,B]
 *   | cache | promote I TRIAL_ID | rollback I | promoted I
 *
 * The same functions as the /vectors/hnsw routes (vector/tune.h, vector/graphs.h). What
 * writes (eval, autogen, trial, autotune, promote, rollback) runs here as the data
 * directory's writer, or is forwarded to the server holding it; reads open a reader. The
 * embedding cache lives in a server: `cache` asks the running one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ann/hnsw.h"
#include "cli/hnsw_int.h"
#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "vector/graphs.h"
#include "vector/search.h"
#include "vector/tune.h"

#define QUERIES_FILE_MAX ((size_t)64 << 20)

/* ---- verbs ---------------------------------------------------------------------------------- */

/* --queries FILE: a JSON array (texts or vectors), or one text query per line. */
static int read_queries(lh_cli *cli, const char *path, json_t **out)
{
    lh_buf text;
    lh_buf_init(&text, 0);
    lh_err err;
    lh_status st = lh_file_read_all(path, QUERIES_FILE_MAX, &text, &err);
    *out = NULL;
    if (!st && text.len && text.data[0] == '[') {
        json_error_t je;
        *out = lh_json_loadb(text.data, text.len, 0, &je); /* json_is_* evaluate twice */
        if (!json_is_array(*out))
            st = lh_fail(&err, LH_EINVAL, "%s: not a JSON array (line %d: %s)", path, je.line, je.text);
    } else if (!st) {
        *out = json_array();
        for (char *save = NULL, *l = strtok_r(text.data ? text.data : (char *)"", "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
            size_t n = strlen(l);
            while (n && (l[n - 1] == '\r' || l[n - 1] == ' '))
                l[--n] = '\0';
            if (n)
                json_array_append_new(*out, json_string(l));
        }
    }
    lh_buf_release(&text);
    return st ? lh__cli_error(cli, st, &err) : 0;
}

static int cmd_eval(lh_cli *cli, int argc, char **argv)
{
    opts o;
    int rc = lh__cli_hnsw_parse(cli, argc, argv, 1, &o);
    json_t *queries = NULL;
    if (!rc && !o.index)
        rc = lh__cli_usage_error(cli, "eval needs --index INDEX%s", "");
    if (!rc && o.queries)
        rc = read_queries(cli, o.queries, &queries);
    run r;
    if (!rc)
        rc = lh__cli_hnsw_open_writer(cli, &r);
    if (rc) {
        json_decref(queries);
        return rc;
    }
    lh_err err;
    lh_status st = LH_OK;
    json_t *out = NULL;
    if (!r.lake) {
        json_t *body = json_pack("{s:s, s:s, s:O?}", "name", o.pos[0], "index", o.index, "queries", queries);
        rc = lh__cli_forward(cli, r.url, "POST", "/vectors/hnsw/evals", body, &out);
        json_decref(body);
    } else {
        st = lh_vec_eval_create(&r.te, o.pos[0], o.index, queries, "cli", &out, &err);
    }
    json_decref(queries);
    if (rc) {
        lh__cli_hnsw_close(&r);
        return rc;
    }
    return lh__cli_hnsw_finish(cli, &r, st, &err, out, lh__cli_hnsw_print_eval);
}

static int cmd_autogen(lh_cli *cli, int argc, char **argv)
{
    opts o;
    int64_t n = 0;
    int rc = lh__cli_hnsw_parse(cli, argc, argv, 1, &o);
    if (!rc && (!o.index || !o.n))
        rc = lh__cli_usage_error(cli, "autogen needs --index INDEX and --n N%s", "");
    if (!rc)
        rc = lh__cli_hnsw_whole(cli, o.n, &n);
    if (!rc && lh_vec_eval_name_check(o.pos[0], &(lh_err){{0}}))
        rc = lh__cli_usage_error(cli, "'%s' is not an eval set name (a-z, 0-9, _ and -, up to 64)", o.pos[0]);
    run r;
    if (!rc)
        rc = lh__cli_hnsw_open_writer(cli, &r);
    if (rc)
        return rc;
    lh_err err;
    lh_status st = LH_OK;
    json_t *out = NULL;
    if (!r.lake) {
        char path[160];
        snprintf(path, sizeof path, "/vectors/hnsw/evals/%s/autogen", o.pos[0]);
        json_t *body = json_pack("{s:s, s:I}", "index", o.index, "n", (json_int_t)n);
        rc = lh__cli_forward(cli, r.url, "POST", path, body, &out);
        json_decref(body);
    } else {
        st = n < 1 ? lh_fail(&err, LH_EINVAL, "field 'n' must be a whole number from 1 to %d", LH_TUNE_QUERIES_MAX)
                   : lh_vec_eval_autogen(&r.te, o.pos[0], o.index, (size_t)n, "cli", &out, &err);
    }
    if (rc) {
        lh__cli_hnsw_close(&r);
        return rc;
    }
    return lh__cli_hnsw_finish(cli, &r, st, &err, out, lh__cli_hnsw_print_eval);
}

static int cmd_trial(lh_cli *cli, int argc, char **argv)
{
    opts o;
    int64_t m = 0, efc = 0, efs = 0, seed = 42;
    int rc = lh__cli_hnsw_parse(cli, argc, argv, 0, &o);
    if (!rc && (!o.index || !o.eval || !o.M || !o.efc || !o.efs))
        rc = lh__cli_usage_error(cli, "trial needs --index, --eval, --M, --ef-construction and --ef-search%s", "");
    if (!rc && !(rc = lh__cli_hnsw_whole(cli, o.M, &m)) && !(rc = lh__cli_hnsw_whole(cli, o.efc, &efc)) && !(rc = lh__cli_hnsw_whole(cli, o.efs, &efs)) && o.seed)
        rc = lh__cli_hnsw_whole(cli, o.seed, &seed);
    lh_err err;
    lh_hnsw_params p = {(uint32_t)m, (uint32_t)efc, (uint32_t)efs, (uint64_t)seed};
    lh_status st = LH_OK;
    if (!rc && (m < 0 || m > UINT32_MAX || efc < 0 || efc > UINT32_MAX || efs < 0 || efs > UINT32_MAX || seed < 0))
        st = lh_fail(&err, LH_EINVAL, "--M, --ef-construction, --ef-search and --seed must be whole numbers >= 0");
    if (!rc && !st)
        st = lh_vec_tune_params_check(&p, &err);
    if (!rc && st)
        return lh__cli_error(cli, st, &err);
    run r;
    if (!rc)
        rc = lh__cli_hnsw_open_writer(cli, &r);
    if (rc)
        return rc;
    json_t *out = NULL;
    if (!r.lake) {
        json_t *body = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "index", o.index, "eval", o.eval, "M",
                                 (json_int_t)m, "ef_construction", (json_int_t)efc, "ef_search",
                                 (json_int_t)efs, "seed", (json_int_t)seed);
        rc = lh__cli_forward(cli, r.url, "POST", "/vectors/hnsw/trial", body, &out);
        json_decref(body);
        if (rc) {
            lh__cli_hnsw_close(&r);
            return rc;
        }
    } else {
        st = lh_vec_trial_run(&r.te, o.index, o.eval, &p, "cli", &out, &err);
    }
    return lh__cli_hnsw_finish(cli, &r, st, &err, out, lh__cli_hnsw_print_trial);
}

/* trials I | best I | promoted I: reads */
static int cmd_read(lh_cli *cli, int argc, char **argv)
{
    opts o;
    int rc = lh__cli_hnsw_parse(cli, argc, argv, strcmp(argv[0], "evals") ? 1 : 0, &o);
    lh_vec_best_metric metric = LH_VEC_BEST_RECALL;
    double min_recall = LH_TUNE_MIN_RECALL;
    char *end = NULL;
    if (!rc && o.metric && !lh_vec_best_metric_parse(o.metric, &metric))
        rc = lh__cli_usage_error(cli, "--metric is recall, latency or pareto, not '%s'", o.metric);
    if (!rc && o.min_recall && ((min_recall = strtod(o.min_recall, &end)), *end || !(min_recall >= 0 && min_recall <= 1)))
        rc = lh__cli_usage_error(cli, "--min-recall is a number from 0 to 1, not '%s'", o.min_recall);
    run r;
    if (!rc)
        rc = lh__cli_hnsw_open_reader(cli, &r);
    if (rc)
        return rc;
    lh_store *s = lh_lake_store(r.lake);
    lh_err err;
    lh_status st;
    json_t *out = NULL;
    void (*print)(const json_t *) = lh__cli_hnsw_print_trial;
    if (!strcmp(argv[0], "evals")) {
        st = lh_vec_evals_list(s, &out, &err);
        print = lh__cli_hnsw_print_eval;
    } else if (!strcmp(argv[0], "promoted")) {
        st = lh_vec_promotion_get(s, o.pos[0], &out, &err);
        print = lh__cli_hnsw_print_promotion;
    } else {
        st = lh_vec_trials_list(s, o.pos[0], &out, &err);
        if (!st && !strcmp(argv[0], "best")) {
            json_t *b = lh_vec_trials_best(out, metric, min_recall);
            json_decref(out);
            out = b;
            st = b ? LH_OK : lh_fail(&err, LH_ENOMEM, "out of memory");
            print = lh__cli_hnsw_print_best;
        }
    }
    return lh__cli_hnsw_finish(cli, &r, st, &err, out, print);
}

/* promote I TRIAL_ID | rollback I */

/* After a promotion or rollback without a server: the graph of the config now current is
 * built on both cores and saved next to the index (graphs.h), so the server's first search
 * loads it instead of building it; *rec gets "graph": the report, or null when the record
 * holds no config (a rollback to none). */
static lh_status prepare_graph(run *r, const char *index, json_t *rec, lh_err *err)
{
    lh_hnsw_params p;
    bool has = false;
    json_t *report = NULL;
    lh_status st = lh_vec_promoted_params(lh_lake_store(r->lake), index, &p, &has, err);
    if (!st && has)
        st = lh_vec_graphs_activate(r->graphs, r->cache, &r->te.senv, index, &p, &report, err);
    if (!st)
        json_object_set_new(rec, "graph", report ? report : json_null());
    return st;
}

static int cmd_promote(lh_cli *cli, int argc, char **argv)
{
    bool promote = !strcmp(argv[0], "promote");
    opts o;
    int rc = lh__cli_hnsw_parse(cli, argc, argv, promote ? 2 : 1, &o);
    run r;
    if (!rc)
        rc = lh__cli_hnsw_open_writer(cli, &r);
    if (rc)
        return rc;
    lh_err err;
    lh_status st = LH_OK;
    json_t *out = NULL;
    if (!r.lake) {
        char path[300];
        snprintf(path, sizeof path, promote ? "/vectors/hnsw/promote/%s/%s" : "/vectors/hnsw/rollback/%s",
                 o.pos[0], promote ? o.pos[1] : "");
        rc = lh__cli_forward(cli, r.url, "POST", path, NULL, &out);
        if (rc) {
            lh__cli_hnsw_close(&r);
            return rc;
        }
    } else if (promote) {
        st = lh_vec_trial_promote(lh_lake_store(r.lake), o.pos[0], o.pos[1], "cli", &out, &err);
    } else {
        st = lh_vec_rollback(lh_lake_store(r.lake), o.pos[0], &out, &err);
    }
    if (r.lake && !st)
        st = prepare_graph(&r, o.pos[0], out, &err);
    return lh__cli_hnsw_finish(cli, &r, st, &err, out, lh__cli_hnsw_print_promotion);
}

static int cmd_cache(lh_cli *cli, int argc, char **argv)
{
    opts o;
    int rc = lh__cli_hnsw_parse(cli, argc, argv, 0, &o);
    char url[512];
    lh_err err;
    lh_status st = rc ? LH_OK : lh__cli_server_url(cli, url, sizeof url, &err);
    if (st)
        return lh__cli_error(cli, st, &err);
    json_t *out = NULL;
    if (!rc)
        rc = lh__cli_forward(cli, url, "GET", "/vectors/hnsw/cache/stats", NULL, &out);
    if (!rc && !cli->json)
        printf("embedding cache: %lld entries, %lld bytes (bound %lld), %lld hits, %lld misses, %lld evictions\n",
               (long long)json_integer_value(json_object_get(out, "entries")),
               (long long)json_integer_value(json_object_get(out, "bytes")),
               (long long)json_integer_value(json_object_get(out, "max_bytes")),
               (long long)json_integer_value(json_object_get(out, "hits")),
               (long long)json_integer_value(json_object_get(out, "misses")),
               (long long)json_integer_value(json_object_get(out, "evictions")));
    else if (!rc)
        lh__cli_print_json(out);
    json_decref(out);
    return rc;
}

int lh__cli_vectors_hnsw(lh_cli *cli, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "";
    if (!strcmp(verb, "eval"))
        return cmd_eval(cli, argc, argv);
    if (!strcmp(verb, "autogen"))
        return cmd_autogen(cli, argc, argv);
    if (!strcmp(verb, "trial"))
        return cmd_trial(cli, argc, argv);
    if (!strcmp(verb, "autotune"))
        return lh__cli_hnsw_autotune(cli, argc, argv);
    if (!strcmp(verb, "evals") || !strcmp(verb, "trials") || !strcmp(verb, "best") ||
        !strcmp(verb, "promoted"))
        return cmd_read(cli, argc, argv);
    if (!strcmp(verb, "promote") || !strcmp(verb, "rollback"))
        return cmd_promote(cli, argc, argv);
    if (!strcmp(verb, "cache"))
        return cmd_cache(cli, argc, argv);
    return lh__cli_usage_error(cli, "expected eval, evals, autogen, trial, trials, best, autotune, "
                               "cache, promote, rollback or promoted after 'vectors hnsw'%s", "");
}
