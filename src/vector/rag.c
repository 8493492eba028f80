/* rag.c: retrieval-augmented answers with citations (search.h, lh_vec_rag_json).
 *
 * question -> hybrid search (the allowed rows only: where, tombstones) for a few more
 * candidates than asked -> the provider's rerank -> the best k chunks -> an answer:
 *  - a generative provider (env->generator) gets lh_answer_prompt's template holding only
 *    those k chunks, and each of them is a citation quoting the whole chunk;
 *  - otherwise, or when it answers LH_EUNSUPPORTED, the extractive answerer's best
 *    sentences are the answer, each one a citation.
 * A citation's start/end are character offsets of its quote in the source row's text as
 * it was at the version the index was built from: the text is read back at that version
 * (time travel through the gated runner) and the quote is checked to be exactly there. */
#include <stdlib.h>
#include <string.h>

#include "ai/answer.h"
#include "core/alloc.h"
#include "core/util.h"
#include "engine/engine.h"
#include "vector/search_int.h"

#define RAG_CANDIDATES_PER_K 3
#define RAG_QUOTES 3

typedef struct cite {
    uint32_t row;
    float score;
    size_t qstart, qend; /* byte offsets of the quote in the chunk */
} cite;

/* ---- the source texts at the index's version ------------------------------------------- */

typedef struct texts_ctx {
    json_t *out; /* key -> text */
} texts_ctx;

static lh_status t_begin(void *ctx, const lh_result_column *cols, size_t ncols, lh_err *err)
{
    (void)ctx;
    (void)cols;
    return ncols == 2 ? LH_OK : lh_fail(err, LH_EINTERNAL, "rag: %zu columns", ncols);
}

static lh_status t_row(void *ctx, const char *const *cells, const size_t *lens, lh_err *err)
{
    texts_ctx *t = ctx;
    if (!cells[0] || !cells[1])
        return LH_OK;
    char key[1024];
    if (lens[0] >= sizeof key)
        return LH_OK;
    memcpy(key, cells[0], lens[0]);
    key[lens[0]] = '\0';
    json_t *v = json_stringn(cells[1], lens[1]);
    if (!v)
        return LH_OK; /* not UTF-8: its citation gets no offsets */
    if (json_object_set_new(t->out, key, v))
        return lh_fail(err, LH_ENOMEM, "out of memory");
    return LH_OK;
}

static lh_status t_end(void *ctx, uint64_t rows, bool truncated, lh_err *err)
{
    (void)ctx;
    (void)rows;
    (void)truncated;
    (void)err;
    return LH_OK;
}

static lh_status source_texts(const lh_vec_senv *env, const lh_vec_index *idx, const cite *c,
                              size_t n, json_t **out, lh_err *err)
{
    texts_ctx t = {.out = json_object()};
    json_t *as_of = json_object();
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT CAST(");
    lh_buf_add_sql_ident(&sql, idx->key_column);
    lh_buf_adds(&sql, " AS VARCHAR), CAST(");
    lh_buf_add_sql_ident(&sql, idx->text_column);
    lh_buf_adds(&sql, " AS VARCHAR) FROM ");
    lh_buf_add_sql_ident(&sql, idx->dataset);
    lh_buf_adds(&sql, " WHERE CAST(");
    lh_buf_add_sql_ident(&sql, idx->key_column);
    lh_buf_adds(&sql, " AS VARCHAR) IN (");
    for (size_t i = 0; i < n; i++) {
        lh_buf_adds(&sql, i ? ", " : "");
        lh_buf_add_sql_string(&sql, lh__vec_str(idx, idx->rows[c[i].row].key));
    }
    lh_buf_adds(&sql, ")");
    lh_status st = lh_buf_status(&sql);
    if (!st && (!t.out || !as_of ||
                json_object_set_new(as_of, idx->dataset, json_integer(idx->source_version))))
        st = LH_ENOMEM;
    if (st)
        st = lh_fail(err, st, "out of memory");
    lh_result_sink sink = {.begin = t_begin, .row = t_row, .end = t_end, .ctx = &t};
    if (!st && (st = env->sql(env->sql_ctx, lh_buf_cstr(&sql), as_of, &sink, err)))
        lh_fail_wrap(err, st, "rag: the cited rows of %s at version %lld", idx->dataset,
                     (long long)idx->source_version);
    lh_buf_release(&sql);
    json_decref(as_of);
    if (st) {
        json_decref(t.out);
        return st;
    }
    *out = t.out;
    return LH_OK;
}

/* ---- the answer -------------------------------------------------------------------------- */

static json_t *citation(const lh_vec_index *idx, const cite *c, const json_t *texts)
{
    const lh__vec_row *r = &idx->rows[c->row];
    const char *chunk = lh__vec_str(idx, r->text);
    const char *key = lh__vec_str(idx, r->key);
    json_t *o = json_pack("{s:s, s:s%, s:s%, s:I, s:f, s:s%}", "dataset", idx->dataset, "key", key,
                          r->key_len, "chunk_id", lh__vec_str(idx, r->id), r->id_len,
                          "table_version", (json_int_t)idx->source_version, "score",
                          (double)c->score, "quote", chunk + c->qstart, c->qend - c->qstart);
    if (!o)
        return NULL;
    /* where the quote is in the source text at the index's version (answer.h) */
    json_t *sv = json_object_get(texts, key);
    size_t cs, ce;
    if (lh_answer_locate(json_string_value(sv), json_string_length(sv),
                         r->start >= 0 ? r->start + (int64_t)c->qstart : -1, chunk + c->qstart,
                         c->qend - c->qstart, &cs, &ce)) {
        json_object_set_new(o, "start", json_integer((json_int_t)cs));
        json_object_set_new(o, "end", json_integer((json_int_t)ce));
    } else {
        json_object_set_new(o, "start", json_null());
        json_object_set_new(o, "end", json_null());
    }
    return o;
}

static lh_status extractive(const lh_vec_index *idx, const char *question, const lh__vec_ranked *top,
                            size_t n, cite *cites, size_t *ncites, lh_buf *answer, lh_err *err)
{
    const char **texts = lh_calloc(n ? n : 1, sizeof *texts);
    size_t *lens = lh_calloc(n ? n : 1, sizeof *lens);
    lh_answer_quote quotes[RAG_QUOTES];
    size_t nq = 0;
    lh_status st = texts && lens ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        texts[i] = lh__vec_str(idx, idx->rows[top[i].row].text);
        lens[i] = idx->rows[top[i].row].text_len;
    }
    if (!st)
        st = lh_answer_extract(question, strlen(question), texts, lens, n, RAG_QUOTES, quotes, &nq,
                               err);
    for (size_t i = 0; !st && i < nq; i++) {
        cites[i] = (cite){.row = top[quotes[i].chunk].row, .score = top[quotes[i].chunk].score,
                          .qstart = quotes[i].start, .qend = quotes[i].end};
        lh_buf_adds(answer, i ? " " : "");
        lh_buf_add(answer, texts[quotes[i].chunk] + quotes[i].start, quotes[i].end - quotes[i].start);
        lh_buf_printf(answer, " [%zu]", i + 1);
    }
    *ncites = nq;
    free(texts);
    free(lens);
    return st;
}

/* The generator's answer over the top chunks; LH_EUNSUPPORTED when it does not generate. */
static lh_status generative(const lh_vec_senv *env, const lh_vec_index *idx, const char *question,
                            const lh__vec_ranked *top, size_t n, cite *cites, size_t *ncites,
                            lh_buf *answer, lh_err *err)
{
    lh_answer_source *src = lh_calloc(n ? n : 1, sizeof *src);
    char (*labels)[160] = lh_calloc(n ? n : 1, sizeof *labels);
    lh_buf prompt;
    lh_buf_init(&prompt, 0);
    char *text = NULL;
    lh_status st = src && labels ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        const lh__vec_row *r = &idx->rows[top[i].row];
        snprintf(labels[i], sizeof labels[i], "%s key %.100s", idx->dataset,
                 lh__vec_str(idx, r->key));
        src[i] = (lh_answer_source){.label = labels[i], .text = lh__vec_str(idx, r->text)};
    }
    if (!st && (st = lh_answer_prompt(question, src, n, &prompt)))
        st = lh_fail(err, st, "rag: the prompt is too long");
    if (!st)
        st = lh_ai_generate(env->generator, lh_buf_cstr(&prompt), &text, err);
    if (!st) {
        lh_buf_adds(answer, text);
        for (size_t i = 0; i < n; i++)
            cites[i] = (cite){.row = top[i].row, .score = top[i].score, .qstart = 0,
                              .qend = idx->rows[top[i].row].text_len};
        *ncites = n;
    }
    free(text);
    free(src);
    free(labels);
    lh_buf_release(&prompt);
    return st;
}

static int cmp_ranked(const void *a, const void *b)
{
    const lh__vec_ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Reorders top[0, n) by the provider's rerank scores (the builtin: BM25 and cosine). */
static lh_status rerank(const lh_vec_index *idx, const char *question, lh__vec_ranked *top,
                        size_t n, lh_err *err)
{
    if (!idx->ai || n < 2)
        return LH_OK;
    const char **texts = lh_calloc(n, sizeof *texts);
    size_t *lens = lh_calloc(n, sizeof *lens);
    float *scores = lh_calloc(n, sizeof *scores);
    lh_status st = texts && lens && scores ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        texts[i] = lh__vec_str(idx, idx->rows[top[i].row].text);
        lens[i] = idx->rows[top[i].row].text_len;
    }
    if (!st)
        st = lh_ai_rerank(idx->ai, question, texts, lens, n, scores, err);
    for (size_t i = 0; !st && i < n; i++)
        top[i].score = scores[i];
    if (!st)
        qsort(top, n, sizeof *top, cmp_ranked);
    free(texts);
    free(lens);
    free(scores);
    return st;
}

lh_status lh_vec_rag_json(const lh_vec_senv *env, const lh_vec_index *idx, const char *question,
                          size_t k, const char *where, const json_t *as_of, json_t **out,
                          lh_err *err)
{
    *out = NULL;
    size_t want = k * RAG_CANDIDATES_PER_K;
    if (want > LH_VEC_K_MAX)
        want = LH_VEC_K_MAX;
    lh_vec_query q = {.query = question, .k = want, .where = where, .mode = LH_VEC_MODE_HYBRID,
                      .weight = -1, .as_of = as_of};
    if (k < 1 || k > 100)
        return lh_fail(err, LH_EINVAL, "k must be between 1 and 100");
    if (!idx->ai)
        q.mode = LH_VEC_MODE_LEXICAL;
    lh_status st = lh__vec_query_check(idx, &q, err);
    if (st)
        return lh_fail_wrap(err, st, "question");
    uint64_t *allow = NULL;
    size_t nallowed = 0, nr = 0, nc = 0;
    lh__vec_ranked *top = lh_calloc(want, sizeof *top);
    cite *cites = lh_calloc(want, sizeof *cites);
    json_t *texts = NULL, *list = json_array();
    lh_buf answer;
    lh_buf_init(&answer, 0);
    const char *provider = "builtin";
    if (!top || !cites || !list)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh__vec_allow(env, idx, where, as_of, &allow, &nallowed, err);
    if (!st && nallowed)
        st = lh__vec_rank(idx, &q, allow, NULL, top, &nr, err);
    if (!st)
        st = rerank(idx, question, top, nr, err);
    if (nr > k)
        nr = k;
    if (!st && nr && env->generator) {
        st = generative(env, idx, question, top, nr, cites, &nc, &answer, err);
        if (st == LH_EUNSUPPORTED) {
            st = LH_OK;
            lh_buf_reset(&answer);
        } else if (!st) {
            provider = lh_ai_name(env->generator);
        }
    }
    if (!st && nr && !nc)
        st = extractive(idx, question, top, nr, cites, &nc, &answer, err);
    if (!st && !nr)
        lh_buf_adds(&answer, "No indexed row matches the question.");
    if (!st && lh_buf_status(&answer))
        st = lh_fail(err, lh_buf_status(&answer), "out of memory");
    if (!st && nc) {
        /* The source at the index's version may be gone (log cleanup, a dropped dataset):
         * the answer stands, its citations without offsets (null). */
        lh_err terr = {{0}};
        lh_status ts = source_texts(env, idx, cites, nc, &texts, &terr);
        if (ts == LH_ENOMEM)
            st = lh_fail(err, ts, "%s", terr.msg);
        else if (ts)
            lh_log(LH_LOG_WARN, "rag over %s: citations without offsets: %s", idx->name, terr.msg);
    }
    for (size_t i = 0; !st && i < nc; i++) {
        json_t *c = citation(idx, &cites[i], texts);
        if (!c || json_array_append_new(list, c))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    }
    if (!st && !(*out = json_pack("{s:s, s:s, s:s, s:s, s:O}", "index", idx->name, "question",
                                  question, "answer", lh_buf_cstr(&answer), "provider", provider,
                                  "citations", list)))
        st = lh_fail(err, LH_EINVAL, "rag: the question or answer is not valid UTF-8");
    free(allow);
    free(top);
    free(cites);
    json_decref(texts);
    json_decref(list);
    lh_buf_release(&answer);
    return st;
}
