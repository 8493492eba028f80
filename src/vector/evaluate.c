/* evaluate.c: retrieval quality of an index on the user's own judged queries (search.h,
 * lh_vec_evaluate_json), scored by src/ai/eval.c, the scorer bench/scifact_eval.c uses.
 *
 * Queries and judgements are datasets (BEIR's shape): queries(query_id, text) and
 * judgements(query_id, key, grade), read as user queries through the gated runner. Each
 * query runs in each mode over the rows the source shows (tombstones hidden); its chunks'
 * keys, first rank kept, are the ranking scored: nDCG@10 and recall@k over keys. */
#include <stdlib.h>
#include <string.h>

#include "ai/eval.h"
#include "core/alloc.h"
#include "engine/engine.h"
#include "vector/search_int.h"

/* Chunks searched per key wanted: a key with several chunks can fill several ranks. */
#define CHUNKS_PER_KEY 4

typedef struct rows_ctx {
    json_t *rows;   /* arrays of strings */
    size_t ncols;
} rows_ctx;

static lh_status r_begin(void *ctx, const lh_result_column *cols, size_t ncols, lh_err *err)
{
    (void)cols;
    rows_ctx *r = ctx;
    return ncols == r->ncols ? LH_OK : lh_fail(err, LH_EINTERNAL, "evaluate: %zu columns", ncols);
}

static lh_status r_row(void *ctx, const char *const *cells, const size_t *lens, lh_err *err)
{
    rows_ctx *r = ctx;
    json_t *row = json_array();
    for (size_t i = 0; row && i < r->ncols; i++)
        if (json_array_append_new(row, cells[i] ? json_stringn(cells[i], lens[i]) : json_null()))
            json_decref(row), row = NULL;
    if (!row || json_array_append_new(r->rows, row))
        return lh_fail(err, LH_ENOMEM, "out of memory (or a value is not UTF-8)");
    return LH_OK;
}

static lh_status r_end(void *ctx, uint64_t rows, bool truncated, lh_err *err)
{
    (void)ctx;
    (void)rows;
    (void)truncated;
    (void)err;
    return LH_OK;
}

/* SELECT CAST(c0 AS VARCHAR), ... FROM dataset, all rows into *out. */
static lh_status read_ds(const lh_vec_senv *env, const char *dataset, const char *const *cols,
                         size_t ncols, const char *what, json_t **out, lh_err *err)
{
    rows_ctx r = {.rows = json_array(), .ncols = ncols};
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT ");
    for (size_t i = 0; i < ncols; i++) {
        lh_buf_adds(&sql, i ? ", CAST(" : "CAST(");
        lh_buf_add_sql_ident(&sql, cols[i]);
        lh_buf_adds(&sql, " AS VARCHAR)");
    }
    lh_buf_adds(&sql, " FROM ");
    lh_buf_add_sql_ident(&sql, dataset);
    lh_status st = r.rows ? lh_buf_status(&sql) : LH_ENOMEM;
    if (st)
        st = lh_fail(err, st, "out of memory");
    lh_result_sink sink = {.begin = r_begin, .row = r_row, .end = r_end, .ctx = &r};
    if (!st && (st = env->sql(env->sql_ctx, lh_buf_cstr(&sql), NULL, &sink, err))) {
        lh_buf cl;
        lh_buf_init(&cl, 256);
        for (size_t i = 0; i < ncols; i++) {
            lh_buf_adds(&cl, i ? ", " : "");
            lh_buf_adds(&cl, cols[i]);
        }
        lh_fail_wrap(err, st, "%s dataset %s (needs columns %s)", what, dataset, lh_buf_cstr(&cl));
        lh_buf_release(&cl);
    }
    lh_buf_release(&sql);
    if (st) {
        json_decref(r.rows);
        return st;
    }
    *out = r.rows;
    return LH_OK;
}

static lh_status judgements(const lh_vec_senv *env, const char *dataset, lh_qrels **out,
                            lh_err *err)
{
    static const char *const cols[] = {"query_id", "key", "grade"};
    json_t *rows = NULL;
    lh_status st = read_ds(env, dataset, cols, 3, "judgements", &rows, err);
    if (st)
        return st;
    /* qrels TSV for the scorer; a tab or line break inside an id would shift fields */
    lh_buf tsv;
    lh_buf_init(&tsv, 0);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        for (size_t c = 0; c < 3 && !st; c++) {
            const char *v = json_string_value(json_array_get(row, c));
            if (!v || strpbrk(v, "\t\r\n"))
                st = lh_fail(err, LH_EINVAL, "judgements dataset %s: row %zu has a %s that is "
                             "empty or holds a tab or line break", dataset, i + 1, cols[c]);
            else {
                lh_buf_adds(&tsv, v);
                lh_buf_addc(&tsv, c < 2 ? '\t' : '\n');
            }
        }
        if (st)
            break;
    }
    if (!st && (st = lh_buf_status(&tsv)))
        st = lh_fail(err, st, "judgements dataset %s: too large", dataset);
    if (!st && (st = lh_qrels_parse(tsv.data, tsv.len, out, err)))
        lh_fail_wrap(err, st, "judgements dataset %s", dataset);
    lh_buf_release(&tsv);
    json_decref(rows);
    return st;
}

/* The mean nDCG@10 and recall@k of one mode over the judged queries. */
static lh_status score_mode(const lh_vec_index *idx, lh_vec_mode mode, const json_t *queries,
                            const lh_qrels *qrels, const uint64_t *allow, size_t k, double *ndcg,
                            double *recall, size_t *scored, lh_err *err)
{
    size_t keys_wanted = k > 10 ? k : 10;
    size_t depth = keys_wanted * CHUNKS_PER_KEY;
    if (depth > LH_VEC_K_MAX)
        depth = LH_VEC_K_MAX;
    lh__vec_ranked *ranked = lh_calloc(depth, sizeof *ranked);
    const char **keys = lh_calloc(depth, sizeof *keys);
    if (!ranked || !keys) {
        free(ranked);
        free(keys);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    lh_status st = LH_OK;
    double sn = 0, sr = 0;
    size_t n = 0, i;
    json_t *row;
    json_array_foreach(queries, i, row) {
        const char *qid = json_string_value(json_array_get(row, 0));
        const char *text = json_string_value(json_array_get(row, 1));
        if (!qid || !text)
            continue;
        lh_vec_query q = {.query = text, .k = depth, .mode = mode, .weight = -1};
        size_t nr = 0, nk = 0;
        if (lh__vec_query_check(idx, &q, err))
            continue; /* an empty query text scores as an empty ranking */
        if ((st = lh__vec_rank(idx, &q, allow, NULL, ranked, &nr, err)))
            break;
        for (size_t r = 0; r < nr && nk < keys_wanted; r++) {
            const char *key = lh__vec_str(idx, idx->rows[ranked[r].row].key);
            bool seen = false;
            for (size_t j = 0; j < nk && !seen; j++)
                seen = !strcmp(keys[j], key);
            if (!seen)
                keys[nk++] = key;
        }
        double nd, rc;
        if (lh_eval_query(qrels, qid, keys, nk, 10, k, &nd, &rc) == LH_OK) {
            sn += nd;
            sr += rc;
            n++;
        }
    }
    *ndcg = n ? sn / (double)n : 0;
    *recall = n ? sr / (double)n : 0;
    *scored = n;
    free(ranked);
    free(keys);
    return st;
}

lh_status lh_vec_evaluate_json(const lh_vec_senv *env, const lh_vec_index *idx,
                               const char *queries, const char *judged, const json_t *modes,
                               size_t k, json_t **out, lh_err *err)
{
    *out = NULL;
    if (k < 1 || k > LH_VEC_K_MAX)
        return lh_fail(err, LH_EINVAL, "k must be between 1 and %d", LH_VEC_K_MAX);
    lh_vec_mode list[3] = {LH_VEC_MODE_LEXICAL, LH_VEC_MODE_DENSE, LH_VEC_MODE_HYBRID};
    size_t nmodes = 3;
    if (modes) {
        if (!json_is_array(modes) || !json_array_size(modes) || json_array_size(modes) > 3)
            return lh_fail(err, LH_EINVAL, "modes must be a list of dense, lexical, hybrid");
        nmodes = 0;
        size_t i;
        json_t *m;
        json_array_foreach(modes, i, m) {
            if (!lh_vec_mode_parse(json_string_value(m), &list[nmodes++]))
                return lh_fail(err, LH_EINVAL, "unknown mode '%s' (dense, lexical or hybrid)",
                               json_string_value(m) ? json_string_value(m) : "(not a string)");
        }
    }
    static const char *const qcols[] = {"query_id", "text"};
    json_t *qrows = NULL, *res = json_object();
    lh_qrels *qrels = NULL;
    uint64_t *allow = NULL;
    size_t nallowed = 0, scored = 0;
    lh_status st = res ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = read_ds(env, queries, qcols, 2, "queries", &qrows, err);
    if (!st)
        st = judgements(env, judged, &qrels, err);
    if (!st)
        st = lh__vec_allow(env, idx, NULL, NULL, &allow, &nallowed, err);
    for (size_t m = 0; !st && m < nmodes; m++) {
        double nd = 0, rc = 0;
        lh_vec_query probe = {.query = "x", .k = 1, .mode = list[m], .weight = -1};
        if ((st = lh__vec_query_check(idx, &probe, err)))
            break;
        st = score_mode(idx, list[m], qrows, qrels, allow, k, &nd, &rc, &scored, err);
        if (!st && json_object_set_new(res, lh_vec_mode_name(list[m]),
                                       json_pack("{s:f, s:f}", "ndcg_at_10", nd, "recall_at_k", rc)))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    }
    if (!st && !(*out = json_pack("{s:s, s:I, s:I, s:O}", "index", idx->name, "queries",
                                  (json_int_t)scored, "k", (json_int_t)k, "modes", res)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    json_decref(qrows);
    json_decref(res);
    lh_qrels_free(qrels);
    free(allow);
    return st;
}
