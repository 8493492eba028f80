/* cmd_search.c: lakehouse search | ask | vectors evaluate (vector/search.h). The data
 * directory is opened as a reader (a running server may hold the writer lock), the index
 * is loaded once for the command, and the result printed: text, or JSON with --json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "core/alloc.h"
#include "core/util.h"
#include "vector/search.h"

typedef struct opened {
    lh_lake *lake;
    lh__cli_ai ai;   /* [ai]: a network provider embeds its indexes' queries, writes answers */
    lh_vec_senv env;
    lh_vec_index *idx;
} opened;

static int open_index(lh_cli *cli, const char *what, opened *o)
{
    lh_err err;
    lh_lake_options lo = {.data_dir = cli->data_dir, .writer = false, .lazy_views = true};
    lh_status st = lh_lake_open(&lo, &o->lake, &err);
    char *name = NULL;
    if (!st && lh__cli_ai_attach(cli, o->lake, &o->ai))
        return 1; /* the error is printed */
    if (!st) {
        lh_lake_vec_senv(o->lake, &o->env);
        st = lh_vec_resolve(o->env.store, what, &name, &err);
    }
    if (!st)
        st = lh_vec_index_load(&o->env, name, &o->idx, &err);
    free(name);
    return st ? lh__cli_error(cli, st, &err) : 0;
}

static void close_index(opened *o)
{
    lh_vec_index_free(o->idx);
    lh_lake_free(o->lake);
    lh__cli_ai_detach(&o->ai);
}

static bool parse_k(lh_cli *cli, const char *v, long max, size_t *k)
{
    int64_t n;
    if (lh_parse_i64(v, &n) || n < 1 || n > max) {
        char msg[64];
        snprintf(msg, sizeof msg, "%ld", max);
        lh__cli_usage_error_at(cli, v, "--k must be a whole number from 1 to %s", msg);
        return false;
    }
    *k = (size_t)n;
    return true;
}

/* "a,b,c" -> ["a", "b", "c"] */
static json_t *split_list(const char *s)
{
    json_t *arr = json_array();
    while (arr && *s) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (len && json_array_append_new(arr, json_stringn(s, len)))
            json_decref(arr), arr = NULL;
        s += len + (c ? 1 : 0);
    }
    return arr;
}

static void print_text(const char *t, size_t max)
{
    size_t len = strlen(t);
    fputs("    ", stdout);
    for (size_t i = 0; i < len && i < max; i++)
        putchar(t[i] == '\n' || t[i] == '\r' || t[i] == '\t' ? ' ' : t[i]);
    /* never cut a UTF-8 sequence: finish the one begun */
    for (size_t i = max; i < len && ((unsigned char)t[i] & 0xC0) == 0x80; i++)
        putchar(t[i]);
    puts(len > max ? "..." : "");
}

int lh__cli_search(lh_cli *cli)
{
    const char *what = NULL, *text = NULL, *where = NULL, *mode_s = NULL, *cols_s = NULL;
    const char *weight_s = NULL, *fusion = NULL;
    size_t k = 10;
    bool int8 = false;
    int rc = 0;
    for (int i = 0; i < cli->argc && !rc; i++) {
        const char *a = cli->argv[i];
        const char **slot = !strcmp(a, "--where")     ? &where
                            : !strcmp(a, "--mode")    ? &mode_s
                            : !strcmp(a, "--columns") ? &cols_s
                            : !strcmp(a, "--weight")  ? &weight_s
                            : !strcmp(a, "--fusion")  ? &fusion
                                                      : NULL;
        if (slot) {
            if (!(*slot = lh__cli_value(cli, &i, a)))
                rc = 2;
        } else if (!strcmp(a, "--k")) {
            const char *v = lh__cli_value(cli, &i, a);
            if (!v || !parse_k(cli, v, LH_VEC_K_MAX, &k))
                rc = 2;
        } else if (!strcmp(a, "--int8")) {
            int8 = true;
        } else if (a[0] == '-' && a[1] == '-') {
            rc = lh__cli_usage_error(cli, "unknown option %s", a);
        } else if (!what) {
            what = a;
        } else if (!text) {
            text = a;
        } else {
            rc = lh__cli_usage_error(cli, "unexpected argument '%s'", a);
        }
    }
    if (!rc && (!what || !text))
        rc = lh__cli_usage_error(cli, "%sneeds INDEX-OR-DATASET \"TEXT\"", "");
    lh_vec_mode mode = LH_VEC_MODE_HYBRID;
    if (!rc && mode_s && !lh_vec_mode_parse(mode_s, &mode))
        rc = lh__cli_usage_error(cli, "--mode must be dense, lexical or hybrid, not '%s'", mode_s);
    if (!rc && fusion && strcmp(fusion, "weighted") && strcmp(fusion, "rrf"))
        rc = lh__cli_usage_error(cli, "--fusion must be weighted or rrf, not '%s'", fusion);
    float weight = -1;
    if (!rc && weight_s) {
        char *end;
        double w = strtod(weight_s, &end);
        if (*end || end == weight_s || !(w >= 0 && w <= 1))
            rc = lh__cli_usage_error(cli, "--weight must be a number from 0 to 1, not '%s'", weight_s);
        weight = (float)w;
    }
    json_t *cols = cols_s ? split_list(cols_s) : NULL;
    opened o = {0};
    if (!rc)
        rc = open_index(cli, what, &o);
    json_t *out = NULL;
    if (!rc) {
        lh_vec_query q = {.query = text, .k = k, .where = where, .mode = mode, .columns = cols,
                          .weight = weight, .rrf = fusion && !strcmp(fusion, "rrf"), .int8 = int8};
        lh_err err;
        lh_status st = lh_vec_search_json(&o.env, o.idx, &q, &out, &err);
        if (st)
            rc = lh__cli_error(cli, st, &err);
    }
    if (!rc && cli->json) {
        lh__cli_print_json(out);
    } else if (!rc) {
        json_t *res = json_object_get(out, "results");
        if (!json_array_size(res))
            printf("no match in index %s\n", lh_vec_index_name(o.idx));
        size_t i;
        json_t *h;
        json_array_foreach(res, i, h) {
            printf("%2zu. %s  score %.4f  chunk %s\n", i + 1,
                   json_string_value(json_object_get(h, "key")),
                   json_number_value(json_object_get(h, "score")),
                   json_string_value(json_object_get(h, "chunk_id")));
            print_text(json_string_value(json_object_get(h, "text")), 160);
            json_t *c = json_object_get(h, "columns");
            if (json_object_size(c)) {
                char *s = lh_json_dumps(c, JSON_COMPACT);
                printf("    %s\n", s ? s : "");
                free(s);
            }
        }
    }
    json_decref(out);
    json_decref(cols);
    close_index(&o);
    return rc;
}

int lh__cli_ask(lh_cli *cli)
{
    const char *what = NULL, *question = NULL, *where = NULL;
    size_t k = 5;
    int64_t as_of = -1;
    int rc = 0;
    for (int i = 0; i < cli->argc && !rc; i++) {
        const char *a = cli->argv[i];
        if (!strcmp(a, "--where")) {
            if (!(where = lh__cli_value(cli, &i, a)))
                rc = 2;
        } else if (!strcmp(a, "--k")) {
            const char *v = lh__cli_value(cli, &i, a);
            if (!v || !parse_k(cli, v, 100, &k))
                rc = 2;
        } else if (!strcmp(a, "--as-of")) {
            const char *v = lh__cli_value(cli, &i, a);
            if (!v)
                rc = 2;
            else if (lh_parse_i64(v, &as_of) || as_of < 0)
                rc = lh__cli_usage_error(cli, "--as-of must be a version number, not '%s'", v);
        } else if (a[0] == '-' && a[1] == '-') {
            rc = lh__cli_usage_error(cli, "unknown option %s", a);
        } else if (!what) {
            what = a;
        } else if (!question) {
            question = a;
        } else {
            rc = lh__cli_usage_error(cli, "unexpected argument '%s'", a);
        }
    }
    if (!rc && (!what || !question))
        rc = lh__cli_usage_error(cli, "%sneeds INDEX-OR-DATASET \"QUESTION\"", "");
    opened o = {0};
    if (!rc)
        rc = open_index(cli, what, &o);
    json_t *out = NULL, *asof = NULL;
    if (!rc) {
        if (as_of >= 0)
            asof = json_pack("{s:I}", lh_vec_index_dataset(o.idx), (json_int_t)as_of);
        lh_err err;
        lh_status st = lh_vec_rag_json(&o.env, o.idx, question, k, where, asof, &out, &err);
        if (st)
            rc = lh__cli_error(cli, st, &err);
    }
    if (!rc && cli->json) {
        lh__cli_print_json(out);
    } else if (!rc) {
        printf("%s\n", json_string_value(json_object_get(out, "answer")));
        json_t *cites = json_object_get(out, "citations");
        if (json_array_size(cites))
            printf("\ncitations:\n");
        size_t i;
        json_t *c;
        json_array_foreach(cites, i, c) {
            json_t *s = json_object_get(c, "start"), *e = json_object_get(c, "end");
            printf("[%zu] %s key %s, version %lld", i + 1,
                   json_string_value(json_object_get(c, "dataset")),
                   json_string_value(json_object_get(c, "key")),
                   (long long)json_integer_value(json_object_get(c, "table_version")));
            if (json_is_integer(s) && json_is_integer(e))
                printf(", characters %lld-%lld", (long long)json_integer_value(s),
                       (long long)json_integer_value(e));
            printf(" (score %.4f)\n", json_number_value(json_object_get(c, "score")));
        }
    }
    json_decref(out);
    json_decref(asof);
    close_index(&o);
    return rc;
}

int lh__cli_vectors_evaluate(lh_cli *cli, int argc, char **argv)
{
    const char *what = NULL, *queries = NULL, *judged = NULL, *modes_s = NULL;
    size_t k = 10;
    int rc = 0;
    for (int i = 0; i < argc && !rc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "--queries")      ? &queries
                            : !strcmp(a, "--judgements") ? &judged
                            : !strcmp(a, "--modes")      ? &modes_s
                                                         : NULL;
        if (slot || !strcmp(a, "--k")) {
            const char *v = i + 1 < argc ? argv[++i] : NULL;
            if (!v)
                rc = lh__cli_usage_error(cli, "%s needs a value", a);
            else if (slot)
                *slot = v;
            else if (!parse_k(cli, v, LH_VEC_K_MAX, &k))
                rc = 2;
        } else if (a[0] == '-' && a[1] == '-') {
            rc = lh__cli_usage_error(cli, "unknown option %s", a);
        } else if (!what) {
            what = a;
        } else {
            rc = lh__cli_usage_error(cli, "unexpected argument '%s'", a);
        }
    }
    if (!rc && (!what || !queries || !judged))
        rc = lh__cli_usage_error(cli, "%sneeds INDEX --queries DATASET --judgements DATASET", "");
    json_t *modes = modes_s ? split_list(modes_s) : NULL;
    opened o = {0};
    if (!rc)
        rc = open_index(cli, what, &o);
    json_t *out = NULL;
    if (!rc) {
        lh_err err;
        lh_status st = lh_vec_evaluate_json(&o.env, o.idx, queries, judged, modes, k, &out, &err);
        if (st)
            rc = lh__cli_error(cli, st, &err);
    }
    if (!rc && cli->json) {
        lh__cli_print_json(out);
    } else if (!rc) {
        printf("index %s: %lld judged queries\n%-8s  %10s  %10s\n", lh_vec_index_name(o.idx),
               (long long)json_integer_value(json_object_get(out, "queries")), "mode", "nDCG@10",
               "recall@k");
        const char *name;
        json_t *m;
        json_object_foreach(json_object_get(out, "modes"), name, m)
            printf("%-8s  %10.4f  %10.4f\n", name,
                   json_number_value(json_object_get(m, "ndcg_at_10")),
                   json_number_value(json_object_get(m, "recall_at_k")));
        printf("(k = %zu)\n", k);
    }
    json_decref(out);
    json_decref(modes);
    close_index(&o);
    return rc;
}
