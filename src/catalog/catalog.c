/* catalog.c: manifests on disk and in memory. */
#include "catalog/catalog.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/util.h"

#define DATASETS_PREFIX "_catalog/datasets/"
#define MAX_MANIFEST_BYTES ((size_t)16 << 20)

struct lh_catalog {
    lh_store *store;
    json_t *manifests; /* object: name -> manifest */
    pthread_rwlock_t lock; /* readers copy under it; a put replaces under it */
};

/* Relations the engine defines itself. A dataset of one of these names would be a view
 * of the same name and shadow it (a forged "journal" answering FROM journal and
 * /journal/recent), so they are never dataset names. Internal relations not listed here
 * all start with '_' ("__raw__<name>"), which no dataset name may. */
static const char *const RESERVED[] = {"journal"};

lh_status lh_catalog_check_name(const char *name, lh_err *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0)
        return lh_fail(err, LH_EINVAL, "dataset name is empty");
    if (n > 63)
        return lh_fail(err, LH_EINVAL, "dataset name '%.63s...' is longer than 63 characters", name);
    if (name[0] == '_')
        return lh_fail(err, LH_EINVAL,
                       "dataset name '%s' is reserved: names starting with '_' are for internal "
                       "relations", name);
    if (!islower((unsigned char)name[0]))
        return lh_fail(err, LH_EINVAL, "dataset name '%s' must start with a lowercase letter", name);
    for (size_t i = 0; i < sizeof RESERVED / sizeof *RESERVED; i++)
        if (!strcmp(name, RESERVED[i]))
            return lh_fail(err, LH_EINVAL,
                           "dataset name '%s' is reserved (a relation the server defines); "
                           "choose another name", name);
    for (const char *p = name; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
            return lh_fail(err, LH_EINVAL,
                           "dataset name '%s' may only hold lowercase letters, digits and '_'", name);
    return LH_OK;
}

lh_status lh_catalog_name_from_path(const char *path, char *out, size_t size, lh_err *err)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    size_t o = 0;
    bool last_us = false;
    for (size_t i = 0; i < len && o + 1 < size && o < 63; i++) {
        unsigned char ch = (unsigned char)base[i];
        if (isalnum(ch)) {
            out[o++] = (char)tolower(ch);
            last_us = false;
        } else if (!last_us && o > 0) {
            out[o++] = '_';
            last_us = true;
        }
    }
    while (o > 0 && out[o - 1] == '_')
        o--;
    out[o] = '\0';
    if (o && isdigit((unsigned char)out[0]) && o > 61)
        out[o = 61] = '\0'; /* the "d_" prefix must still fit in 63 characters */
    if (o && isdigit((unsigned char)out[0]) && o + 2 < size) {
        memmove(out + 2, out, o + 1);
        out[0] = 'd';
        out[1] = '_';
    }
    if (!o)
        return lh_fail(err, LH_EINVAL, "cannot derive a dataset name from '%s'; pass --name", path);
    return lh_catalog_check_name(out, err);
}

static int load_cb(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    lh_catalog *c = ctx;
    size_t n = strlen(key);
    if (n < 6 || strcmp(key + n - 5, ".json"))
        return 0;
    lh_buf b;
    lh_buf_init(&b, MAX_MANIFEST_BYTES);
    lh_err err;
    if (lh_store_get(c->store, key, MAX_MANIFEST_BYTES, &b, &err)) {
        lh_log(LH_LOG_WARN, "catalog: skipping %s: %s", key, err.msg);
    } else {
        json_error_t jerr;
        json_t *m = lh_json_loadb(lh_buf_cstr(&b), b.len, 0, &jerr);
        const char *name = json_string_value(json_object_get(m, "name"));
        if (!json_is_object(m) || !name || lh_catalog_check_name(name, NULL))
            lh_log(LH_LOG_WARN, "catalog: skipping unreadable manifest %s", key);
        else
            json_object_set(c->manifests, name, m);
        json_decref(m);
    }
    lh_buf_release(&b);
    return 0;
}

lh_status lh_catalog_open(lh_store *store, lh_catalog **out, lh_err *err)
{
    lh_catalog *c = lh_calloc(1, sizeof *c);
    if (!c || !(c->manifests = json_object())) {
        free(c);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    c->store = store;
    pthread_rwlock_init(&c->lock, NULL);
    lh_status st = lh_store_list(store, DATASETS_PREFIX, load_cb, c, err);
    if (st) {
        lh_catalog_free(c);
        return st;
    }
    *out = c;
    return LH_OK;
}

void lh_catalog_free(lh_catalog *c)
{
    if (!c)
        return;
    json_decref(c->manifests);
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

size_t lh_catalog_count(const lh_catalog *c)
{
    pthread_rwlock_t *lock = (pthread_rwlock_t *)&c->lock; /* read-locked: const to callers */
    pthread_rwlock_rdlock(lock);
    size_t n = json_object_size(c->manifests);
    pthread_rwlock_unlock(lock);
    return n;
}

const char *lh_catalog_name_at(const lh_catalog *c, size_t i)
{
    /* jansson keeps insertion order; sort a small key array on demand. */
    size_t n = json_object_size(c->manifests);
    if (i >= n)
        return NULL;
    const char **keys = lh_malloc(n * sizeof *keys);
    if (!keys)
        return NULL;
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(c->manifests, key, v) keys[k++] = key;
    qsort(keys, n, sizeof *keys, cmp_str);
    const char *out = keys[i];
    free(keys);
    return out;
}

json_t *lh_catalog_get(const lh_catalog *c, const char *name)
{
    return json_object_get(c->manifests, name);
}

json_t *lh_catalog_get_copy(lh_catalog *c, const char *name)
{
    pthread_rwlock_rdlock(&c->lock);
    json_t *m = json_object_get(c->manifests, name);
    json_t *copy = m ? json_deep_copy(m) : NULL;
    pthread_rwlock_unlock(&c->lock);
    return copy;
}

json_t *lh_catalog_list_copy(lh_catalog *c)
{
    json_t *out = json_array();
    pthread_rwlock_rdlock(&c->lock);
    size_t n = json_object_size(c->manifests);
    const char **keys = lh_malloc((n ? n : 1) * sizeof *keys);
    size_t k = 0;
    const char *key;
    json_t *v;
    if (keys) {
        json_object_foreach(c->manifests, key, v) keys[k++] = key;
        qsort(keys, k, sizeof *keys, cmp_str);
        for (size_t i = 0; i < k; i++)
            json_array_append_new(out, json_deep_copy(json_object_get(c->manifests, keys[i])));
    }
    pthread_rwlock_unlock(&c->lock);
    free(keys);
    return out;
}

lh_status lh_catalog_put(lh_catalog *c, json_t *manifest, lh_err *err)
{
    const char *name = json_string_value(json_object_get(manifest, "name"));
    lh_status st = lh_catalog_check_name(name, err);
    if (st)
        return st;
    json_object_set_new(manifest, "manifest_version", json_integer(LH_MANIFEST_VERSION));
    char *text = lh_json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    if (!text)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    /* Opening skips a manifest over the limit (the dataset would vanish then): refuse it
     * now, before anything is written. */
    if (strlen(text) > MAX_MANIFEST_BYTES) {
        st = lh_fail(err, LH_ETOOBIG, "the manifest of %s would be %zu bytes, over the %zu MiB "
                     "a manifest may have; it was not changed", name, strlen(text),
                     MAX_MANIFEST_BYTES >> 20);
        free(text);
        return st;
    }
    lh_buf key;
    lh_buf_init(&key, 1024);
    lh_buf_printf(&key, DATASETS_PREFIX "%s.json", name);
    if ((st = lh_buf_status(&key)))
        st = lh_fail(err, st, "manifest of '%.64s...': name too long", name);
    else
        st = lh_store_put(c->store, lh_buf_cstr(&key), text, strlen(text), err);
    free(text);
    lh_buf_release(&key);
    if (!st) {
        pthread_rwlock_wrlock(&c->lock);
        json_object_set(c->manifests, name, manifest);
        pthread_rwlock_unlock(&c->lock);
    }
    return st;
}

#define TABLES_DIR "tables"

lh_status lh_catalog_table_prefix(const char *name, lh_buf *out)
{
    return lh_buf_printf(out, TABLES_DIR "/%s", name);
}

lh_status lh_catalog_ingested_key(const char *name, lh_buf *out)
{
    return lh_buf_printf(out, "_catalog/ingested/%s.json", name);
}

const char *lh_catalog_tables_dir(void) { return TABLES_DIR; }

bool lh_catalog_on_disk(lh_catalog *c, const char *name)
{
    lh_buf key;
    lh_buf_init(&key, 1024);
    lh_buf_printf(&key, DATASETS_PREFIX "%s.json", name);
    lh_object_info info;
    bool yes = !lh_buf_status(&key) && lh_store_head(c->store, key.data, &info, NULL) == LH_OK;
    lh_buf_release(&key);
    return yes;
}

lh_status lh_catalog_check_sensitivity(const char *level, lh_err *err)
{
    static const char *levels[] = {"public", "internal", "confidential", "restricted"};
    for (size_t i = 0; i < 4; i++)
        if (level && !strcmp(level, levels[i]))
            return LH_OK;
    return lh_fail(err, LH_EINVAL,
                   "unknown sensitivity '%s' (expected public, internal, confidential or restricted)",
                   level ? level : "");
}
