/* cmd_hnsw_run.c: what the verbs of `lakehouse vectors hnsw` share (hnsw_int.h): option
 * parsing, the process a verb runs in (a writer with its caches, a reader, or the server to
 * forward to), and the text output. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hnsw_int.h"
#include "core/util.h"
#include "vector/graphs.h"
#include "vector/search.h"


int lh__cli_hnsw_parse(lh_cli *cli, int argc, char **argv, int maxpos, opts *o)
{
    *o = (opts){0};
    static const struct { const char *flag; size_t off; } flags[] = {
        {"--index", offsetof(opts, index)}, {"--eval", offsetof(opts, eval)},
        {"--queries", offsetof(opts, queries)}, {"--metric", offsetof(opts, metric)},
        {"--min-recall", offsetof(opts, min_recall)}, {"--n", offsetof(opts, n)},
        {"--M", offsetof(opts, M)}, {"--ef-construction", offsetof(opts, efc)},
        {"--ef-search", offsetof(opts, efs)}, {"--seed", offsetof(opts, seed)},
    };
    /* lh__cli_value reads cli->argv: point it at this verb's words */
    cli->argc = argc;
    cli->argv = argv;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t f = 0;
        while (f < sizeof flags / sizeof flags[0] && strcmp(a, flags[f].flag))
            f++;
        if (f < sizeof flags / sizeof flags[0]) {
            const char *v = lh__cli_value(cli, &i, a);
            if (!v)
                return 2;
            *(const char **)((char *)o + flags[f].off) = v;
        } else if (a[0] != '-' && o->npos < maxpos) {
            o->pos[o->npos++] = a;
        } else {
            return lh__cli_usage_error(cli, "unexpected argument %s", a);
        }
    }
    if (o->npos == maxpos)
        return 0;
    if (maxpos == 2)
        return lh__cli_usage_error(cli, "%s needs an INDEX and a TRIAL_ID", argv[0]);
    return lh__cli_usage_error(cli, "%s needs one NAME (see 'lakehouse help vectors')", argv[0]);
}

int lh__cli_hnsw_whole(lh_cli *cli, const char *v, int64_t *out)
{
    return lh_parse_i64(v, out) ? lh__cli_usage_error(cli, "expected a whole number, not '%s'", v) : 0;
}

/* "8,16,32" -> [8, 16, 32] */
int lh__cli_hnsw_list(lh_cli *cli, const char *v, json_t *grid, const char *field)
{
    json_t *a = json_array();
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    int rc = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); !rc && t; t = strtok_r(NULL, ",", &save)) {
        int64_t x;
        if (!(rc = lh__cli_hnsw_whole(cli, t, &x)))
            json_array_append_new(a, json_integer(x));
    }
    json_object_set_new(grid, field, a);
    return rc;
}

/* ---- the process the command runs in ---------------------------------------------------- */



/* The writer's lake with a cache and an embedding cache for this command, or the url of the
 * server to forward to (lake NULL). */
int lh__cli_hnsw_open_writer(lh_cli *cli, run *r)
{
    *r = (run){0};
    int rc = lh__cli_open_writer(cli, &r->lake, r->url, sizeof r->url);
    if (rc || !r->lake)
        return rc;
    if ((rc = lh__cli_ai_attach(cli, r->lake, &r->ai)))
        return rc;
    lh_err err;
    lh_status st = lh_vec_cache_new(LH_VEC_CACHE_BYTES, &r->cache, &err);
    if (!st)
        st = lh_vec_embcache_new(LH_EMBCACHE_BYTES, r->cache, &r->emb, &err);
    if (!st)
        st = lh_vec_graphs_new(&r->graphs, &err);
    r->te = (lh_vec_tune_env){.indexes = r->cache, .emb = r->emb, .graphs = r->graphs};
    lh_lake_vec_senv(r->lake, &r->te.senv);
    return st ? lh__cli_error(cli, st, &err) : 0;
}

int lh__cli_hnsw_open_reader(lh_cli *cli, run *r)
{
    *r = (run){0};
    lh_err err;
    lh_lake_options lo = {.data_dir = cli->data_dir, .lazy_views = true};
    lh_status st = lh_lake_open(&lo, &r->lake, &err);
    return st ? lh__cli_error(cli, st, &err) : 0;
}

void lh__cli_hnsw_close(run *r)
{
    lh_vec_graphs_free(r->graphs); /* before the cache its graphs hold indexes of */
    lh_vec_embcache_free(r->emb);
    lh_vec_cache_free(r->cache);
    lh_lake_free(r->lake);
    lh__cli_ai_detach(&r->ai);
}

/* ---- output ------------------------------------------------------------------------------- */

void lh__cli_hnsw_print_trial(const json_t *t)
{
    const json_t *p = json_object_get(t, "params");
    printf("%s: recall %.4f, p50 %.1f us, p95 %.1f us, p99 %.1f us, build %.0f ms, %.1f MiB "
           "(M %lld, ef_construction %lld, ef_search %lld, seed %lld; %lld queries on %s)\n",
           json_string_value(json_object_get(t, "trial_id")),
           json_number_value(json_object_get(t, "recall")),
           json_number_value(json_object_get(t, "p50_us")),
           json_number_value(json_object_get(t, "p95_us")),
           json_number_value(json_object_get(t, "p99_us")),
           json_number_value(json_object_get(t, "build_ms")),
           (double)json_integer_value(json_object_get(t, "memory_bytes")) / (1 << 20),
           (long long)json_integer_value(json_object_get(p, "M")),
           (long long)json_integer_value(json_object_get(p, "ef_construction")),
           (long long)json_integer_value(json_object_get(p, "ef_search")),
           (long long)json_integer_value(json_object_get(p, "seed")),
           (long long)json_integer_value(json_object_get(t, "queries")),
           json_string_value(json_object_get(t, "eval")) ?: "?");
}

void lh__cli_hnsw_print_eval(const json_t *e)
{
    const char *kind = json_string_value(json_object_get(e, "kind")) ?: "";
    printf("%s: %lld %s queries on index %s (truth of build %s)\n",
           json_string_value(json_object_get(e, "name")),
           (long long)json_integer_value(json_object_get(e, "queries")),
           !strcmp(kind, "texts") ? "text" : !strcmp(kind, "vectors") ? "vector"
           : !strcmp(kind, "autogen") ? "sampled" : "no",
           json_string_value(json_object_get(e, "index")),
           json_string_value(json_object_get(e, "stamp")) ?: "none yet");
}

static void print_config(const char *what, const json_t *c)
{
    if (!json_is_object(c)) {
        printf("%s: none (exact search)\n", what);
        return;
    }
    printf("%s: M %lld, ef_construction %lld, ef_search %lld, seed %lld (trial %s, by %s at %s)\n", what,
           (long long)json_integer_value(json_object_get(c, "M")),
           (long long)json_integer_value(json_object_get(c, "ef_construction")),
           (long long)json_integer_value(json_object_get(c, "ef_search")),
           (long long)json_integer_value(json_object_get(c, "seed")),
           json_string_value(json_object_get(c, "trial_id")) ?: "none",
           json_string_value(json_object_get(c, "promoted_by")) ?: "?",
           json_string_value(json_object_get(c, "promoted_at")) ?: "?");
}

void lh__cli_hnsw_print_promotion(const json_t *rec)
{
    printf("index %s\n", json_string_value(json_object_get(rec, "index")));
    print_config("  current", json_object_get(rec, "current"));
    size_t n = json_array_size(json_object_get(rec, "history"));
    printf("  history: %zu earlier config(s)\n", n);
    const json_t *g = json_object_get(rec, "graph");
    if (json_is_object(g)) /* a promotion or rollback: the graph made ready for it */
        printf("  graph: %s, %lld rows, %.1f MiB, %lld ms\n",
               json_string_value(json_object_get(g, "source")),
               (long long)json_integer_value(json_object_get(g, "rows")),
               (double)json_integer_value(json_object_get(g, "bytes")) / (1 << 20),
               (long long)json_integer_value(json_object_get(g, "build_ms")));
}

void lh__cli_hnsw_print_best(const json_t *b)
{
    const json_t *front = json_object_get(b, "front"), *best = json_object_get(b, "best");
    size_t i;
    const json_t *t;
    if (json_is_array(front)) {
        printf("Pareto front (recall up, p50 down) of %lld trial(s):\n",
               (long long)json_integer_value(json_object_get(b, "trials")));
        json_array_foreach(front, i, t)
            lh__cli_hnsw_print_trial(t);
    } else if (json_is_object(best)) {
        lh__cli_hnsw_print_trial(best);
    } else {
        printf("no trial%s\n", json_object_get(b, "min_recall") ? " reaches min_recall" : "");
    }
}

int lh__cli_hnsw_emit(lh_cli *cli, int rc, const json_t *out, void (*print)(const json_t *))
{
    if (rc)
        return rc;
    if (cli->json) {
        lh__cli_print_json(out);
    } else if (json_is_array(out)) {
        size_t i;
        const json_t *v;
        if (!json_array_size(out))
            printf("none\n");
        json_array_foreach(out, i, v)
            print(v);
    } else {
        print(out);
    }
    return 0;
}

/* Runs a local call or forwards: the common tail of the writing verbs. */
int lh__cli_hnsw_finish(lh_cli *cli, run *r, lh_status st, const lh_err *err, json_t *out,
                  void (*print)(const json_t *))
{
    int rc = st ? lh__cli_error(cli, st, err) : lh__cli_hnsw_emit(cli, 0, out, print);
    json_decref(out);
    lh__cli_hnsw_close(r);
    return rc;
}

