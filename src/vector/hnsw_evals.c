/* hnsw_evals.c: eval sets (tune.h): their files under _hnsw_evals/, creation, autogen and
 * listing. Writes of an eval file happen under one lock (lh__eval_lock), shared with
 * hnsw_eval_prepare.c, which writes the truth of a new index build back. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/util.h"
#include "storage/storage.h"
#include "vector/index.h"
#include "vector/tune_int.h"

#define EVALS "_hnsw_evals"
#define EVAL_FILE_MAX ((size_t)64 << 20)
#define AUTOGEN_SEED 42

static pthread_mutex_t evals_mu = PTHREAD_MUTEX_INITIALIZER;

void lh__eval_lock(void) { pthread_mutex_lock(&evals_mu); }
void lh__eval_unlock(void) { pthread_mutex_unlock(&evals_mu); }

static lh_status eval_key(const char *name, lh_buf *key, lh_err *err)
{
    lh_buf_init(key, 0);
    lh_buf_printf(key, EVALS "/%s.json", name);
    return lh_buf_status(key) ? lh_fail(err, LH_ENOMEM, "out of memory") : LH_OK;
}

lh_status lh__eval_read(lh_store *s, const char *name, json_t **out, lh_err *err)
{
    *out = NULL;
    lh_status st = lh_vec_eval_name_check(name, err);
    if (st)
        return st == LH_EINVAL ? lh_fail(err, LH_ENOTFOUND, "no eval set '%.64s'", name) : st;
    lh_buf key, text;
    lh_buf_init(&text, 0);
    st = eval_key(name, &key, err);
    if (!st)
        st = lh_store_get(s, key.data, EVAL_FILE_MAX, &text, err);
    if (st == LH_ENOTFOUND)
        st = lh_fail(err, LH_ENOTFOUND, "no eval set '%s' (create it with POST /vectors/hnsw/evals "
                     "or `lakehouse vectors hnsw eval`)", name);
    if (!st)
        *out = lh_json_loadb(text.data, text.len, 0, NULL); /* json_is_* evaluate twice */
    if (!st && !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        st = lh_fail(err, LH_ECORRUPT, "eval set '%s' is not a JSON object", name);
    }
    lh_buf_release(&key);
    lh_buf_release(&text);
    return st;
}

lh_status lh__eval_write(lh_store *s, const json_t *doc, lh_err *err)
{
    lh_buf key;
    lh_status st = eval_key(json_string_value(json_object_get(doc, "name")), &key, err);
    char *text = st ? NULL : lh_json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!st && !text)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_store_put(s, key.data, text, strlen(text), err);
    free(text);
    lh_buf_release(&key);
    return st;
}

static json_t *summary(const json_t *doc)
{
    const json_t *q = json_object_get(doc, "queries"), *ag = json_object_get(doc, "autogen");
    size_t nq = json_is_array(q) ? json_array_size(q) : json_array_size(json_object_get(doc, "truth"));
    if (json_is_object(ag) && !json_array_size(json_object_get(doc, "truth")))
        nq = (size_t)json_integer_value(json_object_get(ag, "n"));
    return json_pack("{s:O, s:O, s:O, s:I, s:i, s:O, s:O, s:O, s:O}", "name",
                     json_object_get(doc, "name"), "index", json_object_get(doc, "index"), "kind",
                     json_object_get(doc, "kind"), "queries", (json_int_t)nq, "k", LH_TUNE_K,
                     "stamp", json_object_get(doc, "stamp") ?: json_null(), "created_at",
                     json_object_get(doc, "created_at"), "updated_at",
                     json_object_get(doc, "updated_at"), "created_by",
                     json_object_get(doc, "created_by") ?: json_null());
}

/* ---- creating, autogenerating, listing ------------------------------------------------- */

/* "texts" or "vectors" for a valid query array (1..LH_TUNE_QUERIES_MAX entries, all texts or
 * all vectors of dims finite numbers); NULL after setting err. */
static const char *queries_kind(const json_t *q, size_t dims, lh_err *err)
{
    size_t n = json_array_size(q);
    if (!json_is_array(q) || !n || n > LH_TUNE_QUERIES_MAX) {
        lh_fail(err, LH_EINVAL, "field 'queries' must be an array of 1 to %d texts or vectors",
                LH_TUNE_QUERIES_MAX);
        return NULL;
    }
    bool texts = json_is_string(json_array_get(q, 0));
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(q, i);
        if (texts && (!json_is_string(v) || !json_string_length(v))) {
            lh_fail(err, LH_EINVAL, "field 'queries': query %zu is not a non-empty text (give all "
                    "texts or all vectors)", i);
            return NULL;
        }
        if (!texts && json_array_size(v) != dims) {
            lh_fail(err, LH_EINVAL, "field 'queries': query %zu is not a vector of %zu numbers "
                    "(the index's width)", i, dims);
            return NULL;
        }
        for (size_t d = 0; !texts && d < dims; d++) {
            const json_t *x = json_array_get(v, d);
            if (!json_is_number(x) || !isfinite(json_number_value(x))) {
                lh_fail(err, LH_EINVAL, "field 'queries': query %zu has a value that is not a "
                        "finite number", i);
                return NULL;
            }
        }
    }
    return texts ? "texts" : "vectors";
}

static json_t *now_string(void)
{
    char ts[32];
    lh_format_time(lh_now_ms(), ts);
    return json_string(ts);
}

/* Writes doc (kind, queries, autogen set by the caller) as eval set name of index, keeping the
 * creation time of the set it replaces; then prepares it (truth) and answers its summary. */
static lh_status save_and_prepare(const lh_vec_tune_env *te, json_t *doc, const char *actor,
                                  json_t **out, lh_err *err)
{
    const char *name = json_string_value(json_object_get(doc, "name"));
    const char *index = json_string_value(json_object_get(doc, "index"));
    char rev[48];
    lh__tune_id("r-", rev);
    json_t *old = NULL;
    lh_err e2;
    pthread_mutex_lock(&evals_mu);
    (void)lh__eval_read(te->senv.store, name, &old, &e2);
    json_t *created = json_object_get(old, "created_at");
    json_object_set_new(doc, "revision", json_string(rev));
    json_object_set_new(doc, "k", json_integer(LH_TUNE_K));
    json_object_set_new(doc, "created_at", created ? json_incref(created) : now_string());
    json_object_set_new(doc, "updated_at", now_string());
    json_object_set_new(doc, "created_by", json_string(actor ? actor : "cli"));
    json_object_set_new(doc, "stamp", json_null());
    json_object_set_new(doc, "truth", json_null());
    lh_status st = lh__eval_write(te->senv.store, doc, err);
    pthread_mutex_unlock(&evals_mu);
    json_decref(old);
    if (!st)
        lh__embcache_forget(te->emb, name);
    lh__tune_set *set = NULL;
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    if (!st && strcmp(kind, "empty"))
        st = lh__embcache_get(te, index, name, &set, err);
    if (!st && !(*out = summary(doc)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st && set) {
        json_object_set_new(*out, "queries", json_integer((json_int_t)set->nq));
        json_object_set_new(*out, "stamp", json_string(set->stamp));
    }
    lh__embcache_put(te->emb, set);
    return st;
}

/* The loaded index (a reference) after the name checks. */
static lh_status take_index(const lh_vec_tune_env *te, const char *name, const char *index,
                            lh_vec_index **idx, lh_err *err)
{
    lh_status st = lh_vec_eval_name_check(name, err);
    if (!st && (!index || !*index))
        st = lh_fail(err, LH_EINVAL, "missing field 'index'");
    if (!st)
        st = lh_vec_cache_get(te->indexes, &te->senv, index, idx, err);
    return st;
}

lh_status lh_vec_eval_create(const lh_vec_tune_env *te, const char *name, const char *index,
                             const json_t *queries, const char *actor, json_t **out, lh_err *err)
{
    *out = NULL;
    lh_vec_index *idx = NULL;
    lh_status st = take_index(te, name, index, &idx, err);
    const char *kind = "empty";
    if (!st && queries && !json_is_null(queries) && !(kind = queries_kind(queries, idx->dims, err)))
        st = LH_EINVAL;
    if (!st && !strcmp(kind, "texts") && !idx->ai)
        st = lh_fail(err, LH_EUNSUPPORTED, "index %s was built with provider %s: configure that "
                     "provider in [ai] to embed text queries, or give the queries as vectors",
                     idx->name, idx->provider);
    json_t *doc = st ? NULL : json_pack("{s:s, s:s, s:s, s:O, s:n}", "name", name, "index",
                                        idx->name, "kind", kind, "queries",
                                        strcmp(kind, "empty") ? queries : json_null(), "autogen");
    if (!st && !doc)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    lh_vec_cache_put(te->indexes, idx);
    if (!st)
        st = save_and_prepare(te, doc, actor, out, err);
    json_decref(doc);
    return st;
}

lh_status lh_vec_eval_autogen(const lh_vec_tune_env *te, const char *name, const char *index,
                              size_t n, const char *actor, json_t **out, lh_err *err)
{
    *out = NULL;
    if (n < 1 || n > LH_TUNE_QUERIES_MAX)
        return lh_fail(err, LH_EINVAL, "field 'n' must be a whole number from 1 to %d",
                       LH_TUNE_QUERIES_MAX);
    lh_vec_index *idx = NULL;
    lh_status st = take_index(te, name, index, &idx, err);
    json_t *old = NULL;
    lh_err e2;
    if (!st && !lh__eval_read(te->senv.store, name, &old, &e2) &&
        strcmp(json_string_value(json_object_get(old, "index")) ?: "", idx->name))
        st = lh_fail(err, LH_ECONFLICT, "eval set '%s' is for index '%s'; pick another name", name,
                     json_string_value(json_object_get(old, "index")) ?: "?");
    if (!st && !idx->n)
        st = lh_fail(err, LH_EINVAL, "index %s has no rows to sample", idx->name);
    size_t take = !st && n > idx->n ? idx->n : n;
    json_t *doc = st ? NULL : json_pack("{s:s, s:s, s:s, s:n, s:{s:I, s:i}}", "name", name, "index",
                                        idx->name, "kind", "autogen", "queries", "autogen", "n",
                                        (json_int_t)take, "seed", AUTOGEN_SEED);
    if (!st && !doc)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    json_decref(old);
    lh_vec_cache_put(te->indexes, idx);
    if (!st)
        st = save_and_prepare(te, doc, actor, out, err);
    json_decref(doc);
    return st;
}

static int collect(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    const char *base = strrchr(key, '/');
    base = base ? base + 1 : key;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".json"))
        json_array_append_new(ctx, json_stringn(base, n - 5));
    return 0;
}

lh_status lh_vec_evals_list(lh_store *s, json_t **out, lh_err *err)
{
    json_t *names = json_array();
    *out = json_array();
    lh_status st = names && *out ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_store_list(s, EVALS "/", collect, names, err);
    if (st == LH_ENOTFOUND)
        st = LH_OK;
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n) {
        json_t *doc = NULL;
        lh_err e2;
        if (st || lh__eval_read(s, json_string_value(n), &doc, &e2))
            continue; /* a name that is not a set's, or a damaged file: not listed */
        json_array_append_new(*out, summary(doc));
        json_decref(doc);
    }
    json_decref(names);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}
