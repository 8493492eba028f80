/* keyset.c: named sets of hidden keys, and the SQL functions that test a value against
 * one during a scan (engine.h, "Key sets").
 *
 * A dataset's view hides its tombstoned keys with `WHERE k IS NULL OR NOT
 * __lh_hidden_i('set', k)` (or _s for keys compared as text): a filter DuckDB evaluates
 * row by row inside the scan's pipeline, so a LIMIT still ends the scan early and no row
 * is hashed into a join. Each set is an open-addressing hash table in C, built whole
 * from a query and swapped in under a write lock; the functions read it under the read
 * lock, from any of DuckDB's threads. A name with no set makes the function fail, and
 * with it the query: a view never shows rows because its set is missing. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/engine_int.h"

typedef struct keyset {
    char *name;
    bool text;          /* keys are strings (else 64-bit integers) */
    size_t mask;        /* capacity - 1; capacity a power of two, at least 2 x count */
    size_t count;
    uint8_t *used;
    int64_t *ints;      /* !text: the keys */
    uint64_t *hashes;   /* text: each slot's hash, offset and length into arena */
    size_t *offs;
    uint32_t *lens;
    char *arena;
    size_t arena_len, arena_cap;
} keyset;

/* What each registered function tests: its extra info (DuckDB keeps the pointer). */
typedef struct fn_info {
    struct lh__keysets *ks;
    bool text;
} fn_info;

struct lh__keysets {
    pthread_rwlock_t lock;
    keyset **sets;
    size_t n, cap;
    fn_info fn_int, fn_text;
};

static uint64_t hash_int(int64_t v)
{
    uint64_t x = (uint64_t)v;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t hash_text(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return hash_int((int64_t)h);
}

static void keyset_free(keyset *k)
{
    if (!k)
        return;
    free(k->name);
    free(k->used);
    free(k->ints);
    free(k->hashes);
    free(k->offs);
    free(k->lens);
    free(k->arena);
    free(k);
}

static keyset *keyset_new(const char *name, bool text, size_t expect)
{
    keyset *k = lh_calloc(1, sizeof *k);
    if (!k)
        return NULL;
    size_t cap = 16;
    while (cap < 2 * expect + 16)
        cap *= 2;
    k->text = text;
    k->mask = cap - 1;
    k->name = lh_strdup(name);
    k->used = lh_calloc(cap, 1);
    if (text) {
        k->hashes = lh_calloc(cap, sizeof *k->hashes);
        k->offs = lh_calloc(cap, sizeof *k->offs);
        k->lens = lh_calloc(cap, sizeof *k->lens);
    } else {
        k->ints = lh_calloc(cap, sizeof *k->ints);
    }
    if (!k->name || !k->used || (text ? !k->hashes || !k->offs || !k->lens : !k->ints)) {
        keyset_free(k);
        return NULL;
    }
    return k;
}

static bool has_int(const keyset *k, int64_t v)
{
    for (size_t i = hash_int(v) & k->mask; k->used[i]; i = (i + 1) & k->mask)
        if (k->ints[i] == v)
            return true;
    return false;
}

static bool has_text(const keyset *k, const char *s, size_t n)
{
    uint64_t h = hash_text(s, n);
    for (size_t i = h & k->mask; k->used[i]; i = (i + 1) & k->mask)
        if (k->hashes[i] == h && k->lens[i] == n && !memcmp(k->arena + k->offs[i], s, n))
            return true;
    return false;
}

static void add_int(keyset *k, int64_t v)
{
    size_t i = hash_int(v) & k->mask;
    for (; k->used[i]; i = (i + 1) & k->mask)
        if (k->ints[i] == v)
            return;
    k->used[i] = 1;
    k->ints[i] = v;
    k->count++;
}

static lh_status add_text(keyset *k, const char *s, size_t n)
{
    if (n > UINT32_MAX)
        return LH_EINVAL;
    uint64_t h = hash_text(s, n);
    size_t i = h & k->mask;
    for (; k->used[i]; i = (i + 1) & k->mask)
        if (k->hashes[i] == h && k->lens[i] == n && !memcmp(k->arena + k->offs[i], s, n))
            return LH_OK;
    if (lh_grow(&k->arena, &k->arena_cap, k->arena_len + n + 1, 1))
        return LH_ENOMEM;
    memcpy(k->arena + k->arena_len, s, n);
    k->used[i] = 1;
    k->hashes[i] = h;
    k->offs[i] = k->arena_len;
    k->lens[i] = (uint32_t)n;
    k->arena_len += n;
    k->count++;
    return LH_OK;
}

/* The set named name, or NULL. Caller holds the lock. */
static keyset *find(const lh__keysets *ks, const char *name, size_t *at)
{
    for (size_t i = 0; i < ks->n; i++)
        if (!strcmp(ks->sets[i]->name, name)) {
            if (at)
                *at = i;
            return ks->sets[i];
        }
    return NULL;
}

static const char *str_of(duckdb_string_t *s, uint32_t *len)
{
    *len = duckdb_string_t_length(*s);
    return duckdb_string_t_data(s);
}

/* __lh_hidden_i(set VARCHAR, key BIGINT) / __lh_hidden_s(set VARCHAR, key VARCHAR):
 * whether key is in the set (NULL for a NULL argument: DuckDB's default handling). */
static void hidden_fn(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output)
{
    const fn_info *fi = duckdb_scalar_function_get_extra_info(info);
    lh__keysets *ks = fi->ks;
    bool text = fi->text;
    idx_t n = duckdb_data_chunk_get_size(input);
    duckdb_vector names = duckdb_data_chunk_get_vector(input, 0);
    duckdb_vector keys = duckdb_data_chunk_get_vector(input, 1);
    duckdb_string_t *name_data = duckdb_vector_get_data(names);
    uint64_t *name_valid = duckdb_vector_get_validity(names);
    uint64_t *key_valid = duckdb_vector_get_validity(keys);
    bool *out = duckdb_vector_get_data(output);
    duckdb_vector_ensure_validity_writable(output);
    uint64_t *out_valid = duckdb_vector_get_validity(output);
    char cur[256] = "";
    uint32_t cur_len = 0;
    const keyset *k = NULL;
    pthread_rwlock_rdlock(&ks->lock);
    for (idx_t r = 0; r < n; r++) {
        if (!duckdb_validity_row_is_valid(name_valid, r) ||
            !duckdb_validity_row_is_valid(key_valid, r)) {
            duckdb_validity_set_row_invalid(out_valid, r);
            continue;
        }
        uint32_t len;
        const char *nm = str_of(&name_data[r], &len);
        if (!k || len != cur_len || memcmp(nm, cur, len)) {
            if (len >= sizeof cur) {
                k = NULL;
            } else {
                memcpy(cur, nm, len);
                cur[len] = '\0';
                cur_len = len;
                k = find(ks, cur, NULL);
            }
            if (!k || k->text != text) {
                pthread_rwlock_unlock(&ks->lock);
                duckdb_scalar_function_set_error(info, "the hidden keys of this dataset are "
                                                 "not loaded");
                return;
            }
        }
        if (text) {
            uint32_t kl;
            const char *kv = str_of(&((duckdb_string_t *)duckdb_vector_get_data(keys))[r], &kl);
            out[r] = has_text(k, kv, kl);
        } else {
            out[r] = has_int(k, ((int64_t *)duckdb_vector_get_data(keys))[r]);
        }
    }
    pthread_rwlock_unlock(&ks->lock);
}

static lh_status register_fn(lh_engine *e, const char *name, fn_info *fi, lh_err *err)
{
    duckdb_type key_type = fi->text ? DUCKDB_TYPE_VARCHAR : DUCKDB_TYPE_BIGINT;
    duckdb_scalar_function f = duckdb_create_scalar_function();
    duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_logical_type key = duckdb_create_logical_type(key_type);
    duckdb_logical_type boolean = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    duckdb_scalar_function_set_name(f, name);
    duckdb_scalar_function_add_parameter(f, varchar);
    duckdb_scalar_function_add_parameter(f, key);
    duckdb_scalar_function_set_return_type(f, boolean);
    duckdb_scalar_function_set_extra_info(f, fi, NULL);
    duckdb_scalar_function_set_function(f, hidden_fn);
    duckdb_state s = duckdb_register_scalar_function(e->conn, f);
    duckdb_destroy_logical_type(&varchar);
    duckdb_destroy_logical_type(&key);
    duckdb_destroy_logical_type(&boolean);
    duckdb_destroy_scalar_function(&f);
    return s == DuckDBError ? lh_fail(err, LH_EINTERNAL, "register function %s", name) : LH_OK;
}

lh_status lh__engine_keysets_open(lh_engine *e, lh_err *err)
{
    e->keysets = lh_calloc(1, sizeof *e->keysets);
    if (!e->keysets)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    pthread_rwlock_init(&e->keysets->lock, NULL);
    e->keysets->fn_int = (fn_info){e->keysets, false};
    e->keysets->fn_text = (fn_info){e->keysets, true};
    lh_status st = register_fn(e, "__lh_hidden_i", &e->keysets->fn_int, err);
    if (!st)
        st = register_fn(e, "__lh_hidden_s", &e->keysets->fn_text, err);
    return st;
}

void lh__engine_keysets_free(lh_engine *e)
{
    lh__keysets *ks = e->keysets;
    if (!ks)
        return;
    for (size_t i = 0; i < ks->n; i++)
        keyset_free(ks->sets[i]);
    free(ks->sets);
    pthread_rwlock_destroy(&ks->lock);
    free(ks);
    e->keysets = NULL;
}

/* Puts k in place of the set of the same name (freed), or adds it. */
static lh_status install(lh__keysets *ks, keyset *k)
{
    pthread_rwlock_wrlock(&ks->lock);
    size_t at;
    keyset *old = find(ks, k->name, &at);
    lh_status st = LH_OK;
    if (old)
        ks->sets[at] = k;
    else if (!(st = lh_grow(&ks->sets, &ks->cap, ks->n + 1, sizeof *ks->sets)))
        ks->sets[ks->n++] = k;
    pthread_rwlock_unlock(&ks->lock);
    keyset_free(st ? k : old);
    return st;
}

lh_status lh_engine_keyset_load(lh_engine *e, const char *name, bool text, const char *sql,
                                lh_err *err)
{
    if (!sql)
        return lh_fail(err, LH_EINVAL, "key set %s: no query", name);
    duckdb_result res;
    if (lh__engine_admin_query(e, sql, &res) == DuckDBError) {
        lh_status st = lh__engine_result_error(&res, LH_EINTERNAL, "engine", err);
        duckdb_destroy_result(&res);
        return st;
    }
    lh_status st = LH_OK;
    duckdb_type want = text ? DUCKDB_TYPE_VARCHAR : DUCKDB_TYPE_BIGINT;
    keyset *k = NULL;
    if (duckdb_column_count(&res) != 1 || duckdb_column_type(&res, 0) != want)
        st = lh_fail(err, LH_EINTERNAL, "key set %s: the query must return one %s column",
                     name, text ? "VARCHAR" : "BIGINT");
    else if (!(k = keyset_new(name, text, (size_t)duckdb_row_count(&res))))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (duckdb_data_chunk c; !st && (c = duckdb_fetch_chunk(res));) {
        duckdb_vector v = duckdb_data_chunk_get_vector(c, 0);
        uint64_t *valid = duckdb_vector_get_validity(v);
        idx_t n = duckdb_data_chunk_get_size(c);
        for (idx_t r = 0; r < n && !st; r++) {
            if (!duckdb_validity_row_is_valid(valid, r))
                continue; /* a NULL key hides nothing */
            if (text) {
                uint32_t len;
                const char *s = str_of(&((duckdb_string_t *)duckdb_vector_get_data(v))[r], &len);
                if (add_text(k, s, len))
                    st = lh_fail(err, LH_ENOMEM, "out of memory");
            } else {
                add_int(k, ((int64_t *)duckdb_vector_get_data(v))[r]);
            }
        }
        duckdb_destroy_data_chunk(&c);
    }
    duckdb_destroy_result(&res);
    if (!st)
        return install(e->keysets, k) ? lh_fail(err, LH_ENOMEM, "out of memory") : LH_OK;
    keyset_free(k);
    return st;
}

void lh_engine_keyset_drop(lh_engine *e, const char *name)
{
    lh__keysets *ks = e->keysets;
    pthread_rwlock_wrlock(&ks->lock);
    size_t at;
    keyset *k = find(ks, name, &at);
    if (k)
        ks->sets[at] = ks->sets[--ks->n];
    pthread_rwlock_unlock(&ks->lock);
    keyset_free(k);
}
