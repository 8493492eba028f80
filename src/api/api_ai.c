/* api_ai.c: the /ai routes over the configured provider (ai/ai.h): providers, embed,
 * generate, rerank, and plain words -> SQL. The provider is made once at start from [ai]
 * (serve.c); with provider = builtin there is none here (the builtin model is fitted per
 * index), and these routes answer 501 naming what to configure.
 *
 * Provider failures: 502 provider_error (down, an HTTP error, a reply that is not the
 * API's), 504 timeout (every attempt timed out); messages name the provider and the
 * endpoint, never the key. Limits (docs/API.md "AI"): texts, their size, the prompt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ai/ai.h"
#include "api/api_int.h"
#include "core/alloc.h"

enum {
    MAX_TEXTS = 256,
    MAX_TEXT_BYTES = 32 * 1024,
    MAX_PROMPT_BYTES = 64 * 1024,
    MAX_QUESTION_BYTES = 4 * 1024,
    MAX_SQL_DATASETS = 64,
    PROBE_MS = 2000,
};

/* 501 when no network provider is configured; true when one is. */
static bool need_provider(lh_http_req *r, lh_api *a, const char *what)
{
    if (a->ai)
        return true;
    char msg[400];
    snprintf(msg, sizeof msg, "%s needs a network provider; [ai] provider is builtin (its model "
             "is fitted per index): set [ai] provider = \"ollama\" or \"openai\" with [ai] model "
             "(and endpoint)", what);
    lh_http_reply_error(r, 501, "not_implemented", msg);
    return false;
}

static void reply_provider_error(lh_http_req *r, lh_status st, const char *msg)
{
    if (st == LH_EIO)
        lh_http_reply_error(r, 502, "provider_error", msg);
    else
        lh_http_reply_status(r, st, msg);
}

/* Field name: an array of 1..MAX_TEXTS strings of at most MAX_TEXT_BYTES each, into
 * texts/lens (n entries, borrowed from the body). Replies and returns false when bad. */
static bool texts_field(lh_http_req *r, const char *name, const char ***texts, size_t **lens,
                        size_t *n)
{
    const json_t *arr = json_object_get(lh_http_json(r), name);
    char msg[200];
    if (!json_is_array(arr) || !json_array_size(arr) || json_array_size(arr) > MAX_TEXTS) {
        snprintf(msg, sizeof msg, "field '%s' must be an array of 1 to %d strings", name, MAX_TEXTS);
        lh_http_reply_error(r, 400, "invalid_input", msg);
        return false;
    }
    *n = json_array_size(arr);
    *texts = lh_calloc(*n, sizeof **texts);
    *lens = lh_calloc(*n, sizeof **lens);
    if (!*texts || !*lens) {
        lh_http_reply_status(r, LH_ENOMEM, "out of memory");
        return false;
    }
    size_t i;
    const json_t *t;
    json_array_foreach(arr, i, t) {
        if (!json_is_string(t) || json_string_length(t) > MAX_TEXT_BYTES) {
            snprintf(msg, sizeof msg, "%s[%zu] must be a string of at most %d bytes", name, i,
                     MAX_TEXT_BYTES);
            lh_http_reply_error(r, 400, "invalid_input", msg);
            return false;
        }
        (*texts)[i] = json_string_value(t);
        (*lens)[i] = json_string_length(t);
    }
    return true;
}

/* Field name: a string of 1..max bytes (required). */
static bool text_field(lh_http_req *r, const char *name, size_t max, const char **out)
{
    if (!lh__api_string(r, name, true, out))
        return false;
    size_t len = json_string_length(json_object_get(lh_http_json(r), name));
    if (!len || len > max || strlen(*out) != len) {
        char msg[200];
        snprintf(msg, sizeof msg, "field '%s' must be 1 to %zu bytes of text (no NUL)", name, max);
        lh_http_reply_error(r, len > max ? 413 : 400, len > max ? "too_large" : "invalid_input", msg);
        return false;
    }
    return true;
}

/* ---- GET /ai/providers -------------------------------------------------------------------- */

void lh__api_ai_providers(lh_http_req *r, void *app)
{
    lh_api *a = app;
    const lh_ai_config *c = &a->ai_config;
    json_t *list = json_array();
    json_array_append_new(list, json_pack("{s:s, s:b, s:b, s:s}", "name", "builtin", "configured", 1,
                                          "reachable", 1, "note",
                                          "offline; fitted per index (BM25 + LSA)"));
    static const char *const net[] = {"ollama", "openai"};
    for (size_t i = 0; i < 2; i++) {
        bool mine = !strcmp(c->provider, net[i]);
        json_t *p = json_pack("{s:s, s:b}", "name", net[i], "configured", mine);
        if (mine) {
            lh_err err;
            int64_t t = c->timeout_ms < PROBE_MS ? c->timeout_ms : PROBE_MS;
            bool ok = !lh_ai_probe(c, t, &err);
            size_t dims = a->ai ? lh_ai_dims(a->ai) : 0;
            json_t *more = json_pack("{s:s, s:s, s:s, s:o, s:b, s:s*, s:b, s:s*}", "endpoint",
                                            lh_ai_config_endpoint(c), "model", c->model,
                                            "generate_model", *c->generate_model ? c->generate_model : c->model,
                                            "dims", dims ? json_integer((json_int_t)dims) : json_null(),
                                            "api_key", c->api_key != NULL, "api_key_source",
                                            c->api_key_source, "reachable", ok, "error",
                                            ok ? NULL : err.msg);
            json_object_update(p, more);
            json_decref(more);
        }
        json_array_append_new(list, p);
    }
    lh_http_reply_json(r, 200, json_pack("{s:s, s:o}", "provider", c->provider, "providers", list));
}

/* ---- POST /ai/embed {texts} ----------------------------------------------------------------- */

void lh__api_ai_embed(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"texts", NULL};
    const char **texts = NULL;
    size_t *lens = NULL, n = 0, dims = 0;
    float *v = NULL;
    lh_err err;
    lh_status st;
    if (!lh__api_only_fields(r, allowed) || !need_provider(r, a, "POST /ai/embed") ||
        !texts_field(r, "texts", &texts, &lens, &n))
        goto cleanup;
    if ((st = lh_ai_dims_resolve(a->ai, &dims, &err))) {
        reply_provider_error(r, st, err.msg);
        goto cleanup;
    }
    if (!(v = lh_malloc(n * dims * sizeof *v))) {
        lh_http_reply_status(r, LH_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((st = lh_ai_embed(a->ai, texts, lens, n, v, &err))) {
        reply_provider_error(r, st, err.msg);
        goto cleanup;
    }
    json_t *vectors = json_array();
    for (size_t i = 0; vectors && i < n; i++) {
        json_t *row = json_array();
        for (size_t c = 0; row && c < dims; c++)
            json_array_append_new(row, json_real(v[i * dims + c]));
        json_array_append_new(vectors, row);
    }
    lh_http_reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:o*}", "provider", lh_ai_name(a->ai), "model",
                                         a->ai_config.model, "dims", (json_int_t)dims, "vectors", vectors));
cleanup:
    free(texts);
    free(lens);
    free(v);
}

/* ---- POST /ai/generate {prompt} ------------------------------------------------------------ */

void lh__api_ai_generate(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"prompt", NULL};
    const char *prompt;
    if (!lh__api_only_fields(r, allowed) || !need_provider(r, a, "POST /ai/generate") ||
        !text_field(r, "prompt", MAX_PROMPT_BYTES, &prompt))
        return;
    char *text = NULL;
    lh_err err;
    lh_status st = lh_ai_generate(a->ai, prompt, &text, &err);
    if (st) {
        reply_provider_error(r, st, err.msg);
        return;
    }
    const char *gm = *a->ai_config.generate_model ? a->ai_config.generate_model : a->ai_config.model;
    lh_http_reply_json(r, 200, json_pack("{s:s, s:s, s:s}", "provider", lh_ai_name(a->ai), "model",
                                         gm, "text", text));
    free(text);
}

/* ---- POST /ai/rerank {query, texts} ---------------------------------------------------------- */

void lh__api_ai_rerank(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"query", "texts", NULL};
    const char *query;
    const char **texts = NULL;
    size_t *lens = NULL, n = 0;
    float *scores = NULL;
    if (!lh__api_only_fields(r, allowed) || !need_provider(r, a, "POST /ai/rerank") ||
        !text_field(r, "query", MAX_TEXT_BYTES, &query) || !texts_field(r, "texts", &texts, &lens, &n))
        goto cleanup;
    lh_err err;
    lh_status st;
    if (!(scores = lh_calloc(n, sizeof *scores))) {
        lh_http_reply_status(r, LH_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((st = lh_ai_rerank(a->ai, query, texts, lens, n, scores, &err))) {
        reply_provider_error(r, st, err.msg);
        goto cleanup;
    }
    /* best first; ties keep the input order */
    json_t *results = json_array();
    bool *used = lh_calloc(n, sizeof *used);
    for (size_t k = 0; used && results && k < n; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (!used[i] && (best == n || scores[i] > scores[best]))
                best = i;
        used[best] = true;
        json_array_append_new(results, json_pack("{s:I, s:f}", "index", (json_int_t)best, "score",
                                                 (double)scores[best]));
    }
    free(used);
    lh_http_reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:o*}", "provider", lh_ai_name(a->ai),
                                         "method", "cosine of the provider's embeddings", "model",
                                         a->ai_config.model, "results", results));
cleanup:
    free(texts);
    free(lens);
    free(scores);
}

/* ---- POST /ai/sql {question, datasets?} ------------------------------------------------------ */

/* The manifests the question is about: the named datasets (each must exist) or every one.
 * No per-dataset rights exist yet: a caller who may use this route may read every dataset
 * (roles are per route); governance will narrow this list. NULL after a reply. */
static json_t *sql_datasets(lh_http_req *r, lh_api *a)
{
    const json_t *names = json_object_get(lh_http_json(r), "datasets");
    char msg[200];
    if (names && !json_is_null(names)) {
        if (!json_is_array(names) || !json_array_size(names) || json_array_size(names) > MAX_SQL_DATASETS) {
            snprintf(msg, sizeof msg, "field 'datasets' must be an array of 1 to %d dataset names",
                     MAX_SQL_DATASETS);
            lh_http_reply_error(r, 400, "invalid_input", msg);
            return NULL;
        }
        json_t *out = json_array();
        size_t i;
        const json_t *nm;
        json_array_foreach(names, i, nm) {
            if (!json_is_string(nm)) {
                snprintf(msg, sizeof msg, "datasets[%zu] must be a string", i);
                lh_http_reply_error(r, 400, "invalid_input", msg);
                json_decref(out);
                return NULL;
            }
            json_t *m = lh_lake_dataset(a->lake, json_string_value(nm));
            if (!m) {
                snprintf(msg, sizeof msg, "no dataset named '%.64s'", json_string_value(nm));
                lh_http_reply_error(r, 404, "not_found", msg);
                json_decref(out);
                return NULL;
            }
            json_array_append_new(out, m);
        }
        return out;
    }
    json_t *all = lh_lake_datasets(a->lake);
    if (!json_array_size(all)) {
        json_decref(all);
        lh_http_reply_error(r, 404, "not_found", "there are no datasets to ask about: ingest one first");
        return NULL;
    }
    if (json_array_size(all) > MAX_SQL_DATASETS) {
        json_decref(all);
        snprintf(msg, sizeof msg, "there are over %d datasets: name the ones the question is about "
                 "in 'datasets'", MAX_SQL_DATASETS);
        lh_http_reply_error(r, 400, "invalid_input", msg);
        return NULL;
    }
    return all;
}

/* Whether every relation the SQL reads is one of the datasets of the prompt. */
static const char *outside(const json_t *relations, const json_t *manifests)
{
    const char *rel;
    json_t *v;
    json_object_foreach((json_t *)relations, rel, v) {
        bool in = false;
        size_t i;
        const json_t *m;
        json_array_foreach(manifests, i, m) {
            const char *name = json_string_value(json_object_get(m, "name"));
            in = in || (name && !strcasecmp(name, rel));
        }
        if (!in)
            return rel;
    }
    return NULL;
}

static void reply_refused(lh_http_req *r, const char *sql, const char *why)
{
    char msg[1200];
    snprintf(msg, sizeof msg, "the model's SQL was refused: %s", why);
    lh_http_reply_json(r, 422, json_pack("{s:{s:s, s:s}, s:s}", "error", "code", "sql_refused",
                                         "message", msg, "sql", sql));
}

void lh__api_ai_sql(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"question", "datasets", NULL};
    const char *question;
    if (!lh__api_only_fields(r, allowed) || !need_provider(r, a, "POST /ai/sql") ||
        !text_field(r, "question", MAX_QUESTION_BYTES, &question))
        return;
    json_t *manifests = sql_datasets(r, a);
    if (!manifests)
        return;
    char *prompt = NULL, *answer = NULL, *sql = NULL;
    json_t *relations = NULL;
    lh_err err;
    lh_status st = lh_ai_sql_prompt(manifests, question, MAX_PROMPT_BYTES, &prompt, &err);
    if (st) {
        lh_http_reply_status(r, st, err.msg);
        goto cleanup;
    }
    if ((st = lh_ai_generate(a->ai, prompt, &answer, &err))) {
        reply_provider_error(r, st, err.msg);
        goto cleanup;
    }
    if ((st = lh_ai_sql_extract(answer, &sql, &err))) {
        reply_refused(r, answer, err.msg);
        goto cleanup;
    }
    /* The gate decides on DuckDB's parse; nothing runs. */
    if ((st = lh_lake_check_sql(a->lake, sql, &relations, &err))) {
        reply_refused(r, sql, err.msg);
        goto cleanup;
    }
    const char *rel = outside(relations, manifests);
    if (rel) {
        char why[300];
        snprintf(why, sizeof why, "it reads '%.64s', which is not one of the datasets asked about", rel);
        reply_refused(r, sql, why);
        goto cleanup;
    }
    json_t *names = json_array(), *rels = json_array();
    size_t i;
    const json_t *m;
    json_array_foreach(manifests, i, m)
        json_array_append(names, json_object_get(m, "name"));
    const char *k;
    json_t *v;
    json_object_foreach(relations, k, v)
        json_array_append_new(rels, json_string(k));
    const char *gm = *a->ai_config.generate_model ? a->ai_config.generate_model : a->ai_config.model;
    lh_http_reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:o*, s:o*, s:b}", "provider",
                                         lh_ai_name(a->ai), "model", gm, "question", question, "sql",
                                         sql, "datasets", names, "relations", rels, "executed", 0));
cleanup:
    json_decref(manifests);
    json_decref(relations);
    free(prompt);
    free(answer);
    free(sql);
}
