/* api_vectors_search.c: POST /vectors/search, /vectors/rag, /vectors/evaluate
 * (vector/search.h). Each parses its body, takes the loaded index from the server's cache,
 * calls one function and renders its JSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "vector/profile.h"
#include "vector/search.h"

static void reply(lh_http_req *r, lh_status st, const lh_err *err, json_t *out)
{
    if (st)
        lh_http_reply_status(r, st, err->msg);
    else
        lh_http_reply_json(r, 200, out);
}

/* The loaded index named by the body's "index" (an index, or a dataset with one index);
 * with a profile (may be NULL), only an index over one of its bindings (403 naming them,
 * before anything is loaded). */
static bool take_index(lh_http_req *r, lh_api *a, const json_t *profile, lh_vec_senv *env,
                       lh_vec_index **idx)
{
    const char *what;
    if (!lh__api_string(r, "index", true, &what))
        return false;
    lh_lake_vec_senv(a->lake, env);
    env->graphs = a->vec_graphs;
    env->cache = a->vec_cache;
    char *name = NULL;
    lh_err err;
    lh_status st = profile ? lh_vec_profile_scope(env->store, profile, what, &err) : LH_OK;
    if (!st)
        st = lh_vec_resolve(env->store, what, &name, &err);
    if (!st)
        st = lh_vec_cache_get(a->vec_cache, env, name, idx, &err);
    free(name);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    return !st;
}

/* An optional non-empty string field that may be null. */
static bool opt_string(lh_http_req *r, const char *field, const char **out)
{
    *out = NULL;
    json_t *v = json_object_get(lh_http_json(r), field);
    if (!v || json_is_null(v))
        return true;
    return lh__api_string(r, field, false, out);
}

static bool mode_field(lh_http_req *r, lh_vec_mode *mode)
{
    const char *m = NULL;
    if (!opt_string(r, "mode", &m))
        return false;
    if (m && !lh_vec_mode_parse(m, mode)) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'mode' must be dense, lexical or hybrid");
        return false;
    }
    return true;
}

/* "vector": an array of numbers, into a new float array. */
static bool vector_field(lh_http_req *r, float **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    json_t *v = json_object_get(lh_http_json(r), "vector");
    if (!v || json_is_null(v))
        return true;
    size_t len = json_array_size(v);
    if (!json_is_array(v) || !len || len > 65536) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'vector' must be a non-empty array of numbers");
        return false;
    }
    float *f = lh_calloc(len, sizeof *f);
    if (!f) {
        lh_http_reply_error(r, 503, "out_of_memory", "out of memory");
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        json_t *x = json_array_get(v, i);
        if (!json_is_number(x) || !isfinite(json_number_value(x))) {
            free(f);
            lh_http_reply_error(r, 400, "invalid_input", "field 'vector' must be a non-empty array of numbers");
            return false;
        }
        f[i] = (float)json_number_value(x);
    }
    *out = f;
    *n = len;
    return true;
}

void lh__api_vectors_search(lh_http_req *r, void *app)
{
    lh__api_vectors_search_in(r, app, NULL);
}

void lh__api_vectors_search_in(lh_http_req *r, lh_api *a, const json_t *profile)
{
    static const char *const allowed[] = {"index", "query", "vector", "k", "where", "mode",
                                          "columns", "weight", "fusion", "int8", "exact", "as_of",
                                          NULL};
    const char *query = NULL, *where = NULL, *fusion = NULL;
    int64_t k = 10;
    lh_vec_mode mode = LH_VEC_MODE_HYBRID;
    bool int8 = false, exact = false;
    json_t *body = lh_http_json(r);
    if (!lh__api_only_fields(r, allowed) || !opt_string(r, "query", &query) ||
        !opt_string(r, "where", &where) || !opt_string(r, "fusion", &fusion) ||
        !lh__api_int(r, "k", 1, LH_VEC_K_MAX, &k) || !mode_field(r, &mode) ||
        !lh__api_bool(r, "int8", &int8) || !lh__api_bool(r, "exact", &exact))
        return;
    json_t *cols = json_object_get(body, "columns"), *w = json_object_get(body, "weight");
    json_t *as_of = json_object_get(body, "as_of");
    if (cols && !json_is_null(cols) && !json_is_array(cols)) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'columns' must be an array of column names");
        return;
    }
    if (w && !json_is_null(w) && (!json_is_number(w) || json_number_value(w) < 0 || json_number_value(w) > 1)) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'weight' must be a number from 0 to 1");
        return;
    }
    if (fusion && strcmp(fusion, "weighted") && strcmp(fusion, "rrf")) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'fusion' must be weighted or rrf");
        return;
    }
    if (as_of && !json_is_null(as_of) && !json_is_object(as_of)) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'as_of' must be an object of dataset: version");
        return;
    }
    float *vec = NULL;
    size_t nvec = 0;
    if (!vector_field(r, &vec, &nvec))
        return;
    if (vec && !json_object_get(body, "mode"))
        mode = LH_VEC_MODE_DENSE; /* a vector alone means a dense search */
    lh_vec_senv env;
    lh_vec_index *idx = NULL;
    if (!take_index(r, a, profile, &env, &idx)) {
        free(vec);
        return;
    }
    lh_vec_query q = {.query = query, .vector = vec, .nvector = nvec, .k = (size_t)k,
                      .where = where, .mode = mode, .columns = json_is_array(cols) ? cols : NULL,
                      .weight = json_is_number(w) ? (float)json_number_value(w) : -1,
                      .rrf = fusion && !strcmp(fusion, "rrf"), .int8 = int8, .exact = exact,
                      .as_of = json_is_object(as_of) ? as_of : NULL};
    json_t *out = NULL;
    lh_err err;
    lh_status st = lh_vec_search_json(&env, idx, &q, &out, &err);
    if (!st && profile)
        json_object_set(out, "profile", json_object_get(profile, "id"));
    lh_vec_cache_put(a->vec_cache, idx);
    free(vec);
    reply(r, st, &err, out);
}

void lh__api_vectors_rag(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"index", "question", "k", "where", "as_of", NULL};
    const char *question, *where = NULL;
    int64_t k = 5;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "question", true, &question) ||
        !opt_string(r, "where", &where) || !lh__api_int(r, "k", 1, 100, &k))
        return;
    json_t *v = json_object_get(lh_http_json(r), "as_of");
    if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0)) {
        lh_http_reply_error(r, 400, "invalid_input", "field 'as_of' must be a version (a whole number >= 0) of the index's dataset");
        return;
    }
    lh_vec_senv env;
    lh_vec_index *idx = NULL;
    if (!take_index(r, a, NULL, &env, &idx))
        return;
    json_t *as_of = json_is_integer(v) ? json_pack("{s:O}", lh_vec_index_dataset(idx), v) : NULL;
    json_t *out = NULL;
    lh_err err;
    lh_status st = lh_vec_rag_json(&env, idx, question, (size_t)k, where, as_of, &out, &err);
    json_decref(as_of);
    lh_vec_cache_put(a->vec_cache, idx);
    reply(r, st, &err, out);
}

void lh__api_vectors_evaluate(lh_http_req *r, void *app)
{
    lh_api *a = app;
    static const char *const allowed[] = {"index", "queries", "judgements", "modes", "k", NULL};
    const char *queries, *judgements;
    int64_t k = 10;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "queries", true, &queries) ||
        !lh__api_string(r, "judgements", true, &judgements) ||
        !lh__api_int(r, "k", 1, LH_VEC_K_MAX, &k))
        return;
    json_t *modes = json_object_get(lh_http_json(r), "modes");
    lh_vec_senv env;
    lh_vec_index *idx = NULL;
    if (!take_index(r, a, NULL, &env, &idx))
        return;
    json_t *out = NULL;
    lh_err err;
    lh_status st = lh_vec_evaluate_json(&env, idx, queries, judgements,
                                        json_is_null(modes) ? NULL : modes, (size_t)k, &out, &err);
    lh_vec_cache_put(a->vec_cache, idx);
    reply(r, st, &err, out);
}
