/* hnsw_eval_prepare.c: an eval set made ready for one index build (tune_int.h,
 * lh__eval_prepare): its query vectors (embedded by the index's provider, given, or sampled
 * from the index) and its exact truth, read from the file when it is of this build, else
 * computed and written back unless the set was replaced meanwhile (its revision). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/util.h"
#include "vector/tune_int.h"

#define EMBED_BATCH 64

void lh__tune_set_free(lh_vec_cache *indexes, lh__tune_set *set)
{
    if (!set)
        return;
    lh_vec_cache_put(indexes, set->idx);
    free(set->stamp);
    free(set->queries);
    free(set->truth);
    free(set->ntruth);
    free(set);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The first n rows of a seeded shuffle of 0..idx->n-1 (partial Fisher-Yates): the same rows
 * for the same index size and seed. */
static lh_status sample_rows(const lh_vec_index *idx, size_t n, uint64_t seed, float *out, lh_err *err)
{
    uint32_t *perm = lh_calloc(idx->n, sizeof *perm);
    if (!perm)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; i < idx->n; i++)
        perm[i] = (uint32_t)i;
    uint64_t x = seed;
    for (size_t i = 0; i < n; i++) {
        size_t j = i + (size_t)(splitmix64(&x) % (idx->n - i));
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        memcpy(out + i * idx->dims, idx->matrix + (size_t)perm[i] * idx->dims, idx->dims * sizeof *out);
    }
    free(perm);
    return LH_OK;
}

/* Query vectors of doc for idx into set->queries (set->nq of them). */
static lh_status fill_queries(const lh_vec_index *idx, const json_t *doc, lh__tune_set *set,
                              lh_err *err)
{
    const char *kind = json_string_value(json_object_get(doc, "kind")) ?: "";
    const json_t *q = json_object_get(doc, "queries");
    if (!strcmp(kind, "autogen")) {
        json_int_t seed = json_integer_value(json_object_get(json_object_get(doc, "autogen"), "seed"));
        return sample_rows(idx, set->nq, (uint64_t)seed, set->queries, err);
    }
    if (!strcmp(kind, "vectors")) {
        for (size_t i = 0; i < set->nq; i++) {
            const json_t *v = json_array_get(q, i);
            if (json_array_size(v) != idx->dims)
                return lh_fail(err, LH_EINVAL, "query %zu has %zu dimensions; index %s has %zu", i,
                               json_array_size(v), idx->name, idx->dims);
            for (size_t d = 0; d < idx->dims; d++)
                set->queries[i * idx->dims + d] = (float)json_number_value(json_array_get(v, d));
        }
        return LH_OK;
    }
    if (!idx->ai)
        return lh_fail(err, LH_EUNSUPPORTED, "index %s was built with provider %s: configure that "
                       "provider in [ai] to embed text queries, or give the queries as vectors",
                       idx->name, idx->provider);
    /* the path a search takes (search.c, dense): the index's provider embeds the text */
    const char *texts[EMBED_BATCH];
    lh_status st = LH_OK;
    for (size_t i = 0; !st && i < set->nq; i += EMBED_BATCH) {
        size_t m = set->nq - i < EMBED_BATCH ? set->nq - i : EMBED_BATCH;
        for (size_t j = 0; j < m; j++)
            texts[j] = json_string_value(json_array_get(q, i + j));
        st = lh_ai_embed(idx->ai, texts, NULL, m, set->queries + i * idx->dims, err);
    }
    return st;
}

/* The truth of the file when it is of this build and shape; false otherwise. */
static bool stored_truth(const json_t *doc, lh__tune_set *set)
{
    const json_t *t = json_object_get(doc, "truth");
    if (strcmp(json_string_value(json_object_get(doc, "stamp")) ?: "", set->stamp) ||
        json_array_size(t) != set->nq)
        return false;
    for (size_t i = 0; i < set->nq; i++) {
        const json_t *row = json_array_get(t, i);
        size_t n = json_array_size(row);
        if (!json_is_array(row) || n > LH_TUNE_K)
            return false;
        for (size_t j = 0; j < n; j++) {
            json_int_t r = json_integer_value(json_array_get(row, j));
            if (!json_is_integer(json_array_get(row, j)) || r < 0 || (size_t)r >= set->idx->n)
                return false;
            set->truth[i * LH_TUNE_K + j] = (uint32_t)r;
        }
        set->ntruth[i] = (uint8_t)n;
    }
    return true;
}

/* Exact top-k of every query (none for a query of zeros: it matches nothing). */
static lh_status compute_truth(lh__tune_set *set, json_t **truth, lh_err *err)
{
    const lh_vec_index *idx = set->idx;
    lh_vec_hit hits[LH_TUNE_K];
    lh_vec_search_opts o = {.metric = LH_VEC_COSINE, .k = idx->n < LH_TUNE_K ? idx->n : LH_TUNE_K,
                            .threads = 0};
    *truth = json_array();
    lh_status st = *truth ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < set->nq; i++) {
        const float *q = set->queries + i * set->dims;
        bool zero = true;
        for (size_t d = 0; d < set->dims && zero; d++)
            zero = q[d] == 0;
        size_t nh = 0;
        if (!zero)
            st = lh_vec_search(idx->matrix, idx->n, idx->dims, q, &o, hits, &nh, err);
        json_t *row = json_array();
        for (size_t j = 0; !st && j < nh; j++) {
            set->truth[i * LH_TUNE_K + j] = (uint32_t)hits[j].row;
            json_array_append_new(row, json_integer((json_int_t)hits[j].row));
        }
        set->ntruth[i] = (uint8_t)nh;
        if (!row || json_array_append_new(*truth, row))
            st = st ? st : lh_fail(err, LH_ENOMEM, "out of memory");
    }
    return st;
}

lh_status lh__eval_prepare(const lh_vec_tune_env *te, lh_vec_index *idx, const char *eval,
                           lh__tune_set **out, lh_err *err)
{
    *out = NULL;
    json_t *doc = NULL, *truth = NULL;
    lh_status st = lh__eval_read(te->senv.store, eval, &doc, err);
    const char *index = json_string_value(json_object_get(doc, "index")) ?: "";
    const char *kind = json_string_value(json_object_get(doc, "kind")) ?: "";
    if (!st && strcmp(index, idx->name))
        st = lh_fail(err, LH_EINVAL, "eval set '%s' is for index '%s', not '%s'", eval, index, idx->name);
    size_t nq = json_array_size(json_object_get(doc, "queries"));
    if (!strcmp(kind, "autogen")) {
        json_int_t n = json_integer_value(json_object_get(json_object_get(doc, "autogen"), "n"));
        nq = n < 0 ? 0 : (size_t)n < idx->n ? (size_t)n : idx->n;
    }
    if (!st && !idx->n)
        st = lh_fail(err, LH_EINVAL, "index %s has no rows to search", idx->name);
    if (!st && !nq)
        st = lh_fail(err, LH_EINVAL, "eval set '%s' has no queries: give some (POST "
                     "/vectors/hnsw/evals) or autogenerate them (POST /vectors/hnsw/evals/%s/autogen)",
                     eval, eval);
    lh__tune_set *set = st ? NULL : lh_calloc(1, sizeof *set);
    if (!st && set) {
        snprintf(set->eval, sizeof set->eval, "%s", eval);
        set->idx = idx;
        set->nq = nq;
        set->dims = idx->dims;
        set->stamp = lh_strdup(idx->stamp);
        set->queries = lh_calloc(nq * idx->dims, sizeof *set->queries);
        set->truth = lh_calloc(nq * LH_TUNE_K, sizeof *set->truth);
        set->ntruth = lh_calloc(nq, 1);
        set->bytes = nq * (idx->dims * sizeof *set->queries + LH_TUNE_K * sizeof *set->truth + 1);
    }
    if (!st && (!set || !set->stamp || !set->queries || !set->truth || !set->ntruth))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = fill_queries(idx, doc, set, err);
    if (!st && !stored_truth(doc, set)) {
        /* the file's truth is of another build (or none yet): compute it and store it, unless
         * the set was replaced meanwhile */
        st = compute_truth(set, &truth, err);
        lh__eval_lock();
        json_t *now = NULL;
        lh_err e2;
        if (!st && !lh__eval_read(te->senv.store, eval, &now, &e2) &&
            json_equal(json_object_get(now, "revision"), json_object_get(doc, "revision"))) {
            json_object_set_new(now, "stamp", json_string(set->stamp));
            json_object_set(now, "truth", truth);
            if (lh__eval_write(te->senv.store, now, &e2))
                lh_log(LH_LOG_WARN, "eval set %s: the truth was not stored: %s", eval, e2.msg);
        }
        json_decref(now);
        lh__eval_unlock();
    }
    json_decref(truth);
    json_decref(doc);
    if (st) {
        if (set)
            set->idx = NULL; /* the caller's reference */
        lh__tune_set_free(te->indexes, set);
        return st;
    }
    *out = set;
    return LH_OK;
}

