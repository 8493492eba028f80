/* profiles.c: model profiles on disk (profiles.h). */
#include "catalog/profiles.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/util.h"
#include "storage/storage.h"

#define PROFILES_PREFIX "_catalog/profiles/"
/* AI-safe views (DESIGN.md §3). Their module (governance) does not exist yet: until it
 * does, a binding to a view is checked here by the presence of its definition file, and
 * this is the one place that spells the key for that check. */
#define VIEWS_PREFIX "_catalog/views/"
/* A profile holds at most 256 bindings of 63 bytes and a 4 KiB description: far below. */
#define MAX_PROFILE_BYTES ((size_t)1 << 20)

/* Messages quote what the client sent (an unknown field, a bad id): made one line of valid
 * UTF-8 here, whatever the bytes, so that a CLI error stays one line and an HTTP error body
 * can always be encoded (a quote cut by a %.64s may end inside a character). */
static lh_status one_line(lh_err *err, lh_status st)
{
    if (!err)
        return st;
    unsigned char *m = (unsigned char *)err->msg;
    size_t n = strnlen(err->msg, sizeof err->msg - 1);
    for (size_t i = 0; i < n;) {
        size_t len = m[i] < 0x80 ? 1 : m[i] >= 0xc2 && m[i] <= 0xdf ? 2
                   : m[i] >= 0xe0 && m[i] <= 0xef ? 3 : m[i] >= 0xf0 && m[i] <= 0xf4 ? 4 : 0;
        if (len == 1 && (m[i] < 0x20 || m[i] == 0x7f))
            m[i] = '?';
        if (len == 0 || i + len > n || !lh_utf8_valid((const char *)m + i, len)) {
            m[i++] = '?'; /* a stray or cut byte: the bytes after it are looked at alone */
            continue;
        }
        i += len;
    }
    return st;
}

lh_status lh_profiles_check_id(const char *id, lh_err *err)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0)
        return lh_fail(err, LH_EINVAL, "profile id is empty");
    if (n > LH_PROFILE_ID_MAX)
        return one_line(err, lh_fail(err, LH_EINVAL, "profile id '%.64s...' is longer than %d "
                                     "characters", id, LH_PROFILE_ID_MAX));
    for (const char *p = id; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return one_line(err, lh_fail(err, LH_EINVAL, "profile id '%.64s' may only hold "
                                         "lowercase letters, digits, '_' and '-'", id));
    }
    return LH_OK;
}

lh_status lh_profiles_key(const char *id, lh_buf *out, lh_err *err)
{
    lh_status st = lh_profiles_check_id(id, err);
    if (st)
        return st;
    if ((st = lh_buf_printf(out, PROFILES_PREFIX "%s.json", id)))
        return lh_fail(err, st, "out of memory");
    return LH_OK;
}

/* ---- checks of the body ------------------------------------------------------------- */

/* A string field of at most max bytes without NUL; required or absent/null. */
static lh_status check_string(const json_t *obj, const char *where, const char *field,
                              bool required, size_t max, lh_err *err)
{
    json_t *v = json_object_get(obj, field);
    if (!v || json_is_null(v))
        return required ? lh_fail(err, LH_EINVAL, "field '%s%s' is required", where, field) : LH_OK;
    if (!json_is_string(v))
        return lh_fail(err, LH_EINVAL, "field '%s%s' must be a string", where, field);
    size_t n = json_string_length(v);
    if (n != strlen(json_string_value(v)))
        return lh_fail(err, LH_EINVAL, "field '%s%s' holds a NUL character", where, field);
    if (n > max)
        return lh_fail(err, LH_EINVAL, "field '%s%s' is longer than %zu bytes", where, field, max);
    if (required && n == 0)
        return lh_fail(err, LH_EINVAL, "field '%s%s' is empty", where, field);
    return LH_OK;
}

/* Refuses a key of obj not in allowed (NULL-terminated), naming it. */
static lh_status only_fields(const json_t *obj, const char *where, const char *const *allowed,
                             lh_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        bool known = false;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = !strcmp(k, allowed[i]);
        if (!known)
            return lh_fail(err, LH_EINVAL, "unknown field '%s%.64s'%s", where, k,
                           !*where && (!strcmp(k, "created_at") || !strcmp(k, "created_by"))
                               ? " (the server sets it)" : "");
    }
    return LH_OK;
}

static lh_status check_embed(const json_t *embed, lh_err *err)
{
    if (!embed || json_is_null(embed))
        return lh_fail(err, LH_EINVAL, "field 'embed' is required: {provider, model}");
    if (!json_is_object(embed))
        return lh_fail(err, LH_EINVAL, "field 'embed' must be an object {provider, model}");
    static const char *const allowed[] = {"provider", "model", NULL};
    lh_status st = only_fields(embed, "embed.", allowed, err);
    if (!st)
        st = check_string(embed, "embed.", "provider", true, 32, err);
    if (st)
        return st;
    const char *p = json_string_value(json_object_get(embed, "provider"));
    if (strcmp(p, "builtin") && strcmp(p, "ollama") && strcmp(p, "openai"))
        return lh_fail(err, LH_EINVAL, "field 'embed.provider' must be builtin, ollama or openai, "
                       "not '%.32s'", p);
    /* builtin has one model and names it by default; a network provider has many */
    return check_string(embed, "embed.", "model", strcmp(p, "builtin") != 0, LH_PROFILE_MODEL_MAX, err);
}

static lh_status check_bindings(const json_t *b, lh_err *err)
{
    size_t n = json_array_size(b);
    if (!b || json_is_null(b))
        return lh_fail(err, LH_EINVAL, "field 'bound_datasets' is required: the datasets or AI-safe "
                       "views the profile may search");
    if (!json_is_array(b) || n == 0)
        return lh_fail(err, LH_EINVAL, "field 'bound_datasets' must be a non-empty array of names");
    if (n > LH_PROFILE_BINDINGS_MAX)
        return lh_fail(err, LH_EINVAL, "field 'bound_datasets' holds %zu names, over the %d a "
                       "profile may bind", n, LH_PROFILE_BINDINGS_MAX);
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(json_array_get(b, i));
        lh_err why;
        if (!name)
            return lh_fail(err, LH_EINVAL, "field 'bound_datasets' item %zu is not a string", i);
        if (json_string_length(json_array_get(b, i)) != strlen(name) ||
            lh_catalog_check_name(name, &why))
            return lh_fail(err, LH_EINVAL, "field 'bound_datasets' item %zu: %s", i,
                           json_string_length(json_array_get(b, i)) != strlen(name)
                               ? "holds a NUL character" : why.msg);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(name, json_string_value(json_array_get(b, j))))
                return lh_fail(err, LH_EINVAL, "field 'bound_datasets' names '%s' twice", name);
    }
    return LH_OK;
}

static lh_status check_int(const json_t *h, const char *field, int64_t lo, int64_t hi, lh_err *err)
{
    json_t *v = json_object_get(h, field);
    if (!v)
        return lh_fail(err, LH_EINVAL, "field 'hnsw.%s' is required", field);
    if (!json_is_integer(v))
        return lh_fail(err, LH_EINVAL, "field 'hnsw.%s' must be a whole number", field);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return hi == INT64_MAX
                   ? lh_fail(err, LH_EINVAL, "field 'hnsw.%s' must be >= %lld", field, (long long)lo)
                   : lh_fail(err, LH_EINVAL, "field 'hnsw.%s' must be from %lld to %lld, not %lld",
                             field, (long long)lo, (long long)hi, (long long)x);
    return LH_OK;
}

static lh_status check_hnsw(const json_t *h, lh_err *err)
{
    if (!h || json_is_null(h))
        return LH_OK;
    if (!json_is_object(h))
        return lh_fail(err, LH_EINVAL, "field 'hnsw' must be null or an object {M, ef_construction, "
                       "ef_search, seed}");
    static const char *const allowed[] = {"M", "ef_construction", "ef_search", "seed", NULL};
    lh_status st;
    if ((st = only_fields(h, "hnsw.", allowed, err)) ||
        (st = check_int(h, "M", LH_PROFILE_M_MIN, LH_PROFILE_M_MAX, err)) ||
        (st = check_int(h, "ef_construction", LH_PROFILE_EFC_MIN, LH_PROFILE_EFC_MAX, err)) ||
        (st = check_int(h, "ef_search", LH_PROFILE_EFS_MIN, LH_PROFILE_EFS_MAX, err)) ||
        (st = check_int(h, "seed", 0, INT64_MAX, err)))
        return st;
    return LH_OK;
}

lh_status lh_profiles_check(const json_t *body, lh_err *err)
{
    if (!json_is_object(body))
        return lh_fail(err, LH_EINVAL, "a profile must be a JSON object");
    static const char *const allowed[] = {"id", "description", "embed", "generate_model",
                                          "bound_datasets", "hnsw", NULL};
    lh_status st;
    if ((st = only_fields(body, "", allowed, err)) ||
        (st = check_string(body, "", "id", true, 4 * LH_PROFILE_ID_MAX, err)) ||
        (st = lh_profiles_check_id(json_string_value(json_object_get(body, "id")), err)) ||
        (st = check_string(body, "", "description", false, LH_PROFILE_DESCRIPTION_MAX, err)) ||
        (st = check_embed(json_object_get(body, "embed"), err)) ||
        (st = check_string(body, "", "generate_model", false, LH_PROFILE_MODEL_MAX, err)) ||
        (st = check_bindings(json_object_get(body, "bound_datasets"), err)) ||
        (st = check_hnsw(json_object_get(body, "hnsw"), err)))
        return one_line(err, st);
    return LH_OK;
}

/* ---- the bucket ---------------------------------------------------------------------- */

/* True when an AI-safe view's definition named name is in the bucket (see VIEWS_PREFIX). */
static bool view_exists(lh_store *store, const char *name)
{
    lh_buf key;
    lh_buf_init(&key, 1024);
    lh_buf_printf(&key, VIEWS_PREFIX "%s.json", name);
    lh_object_info info;
    bool yes = !lh_buf_status(&key) && lh_store_head(store, key.data, &info, NULL) == LH_OK;
    lh_buf_release(&key);
    return yes;
}

/* The stored form of a checked body: every field present, in a fixed order. */
static json_t *normalise(const json_t *body, const char *actor, int64_t now_ms)
{
    const json_t *embed = json_object_get(body, "embed");
    const char *provider = json_string_value(json_object_get(embed, "provider"));
    const char *model = json_string_value(json_object_get(embed, "model"));
    if (!model || !*model)
        model = "lsa-256"; /* builtin's one model (lh_profiles_check allows no other gap) */
    const char *desc = json_string_value(json_object_get(body, "description"));
    const char *gen = json_string_value(json_object_get(body, "generate_model"));
    json_t *hnsw = json_object_get(body, "hnsw");
    char at[32];
    lh_format_time(now_ms, at);
    return json_pack("{s:i, s:s, s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:s, s:s}",
                     "profile_version", LH_PROFILE_VERSION,
                     "id", json_string_value(json_object_get(body, "id")),
                     "description", desc ? desc : "",
                     "embed", "provider", provider, "model", model,
                     "generate_model", gen ? json_string(gen) : json_null(),
                     "bound_datasets", json_deep_copy(json_object_get(body, "bound_datasets")),
                     "hnsw", json_is_object(hnsw) ? json_deep_copy(hnsw) : json_null(),
                     "created_at", at,
                     "created_by", actor && *actor ? actor : "anonymous");
}

lh_status lh_profiles_create(lh_store *store, lh_catalog *catalog, const json_t *body,
                             const char *actor, int64_t now_ms, json_t **out, lh_err *err)
{
    if (out)
        *out = NULL;
    lh_status st = lh_profiles_check(body, err);
    if (st)
        return st;
    const json_t *b = json_object_get(body, "bound_datasets");
    for (size_t i = 0; i < json_array_size(b); i++) {
        const char *name = json_string_value(json_array_get(b, i));
        json_t *m = lh_catalog_get_copy(catalog, name);
        bool known = m || view_exists(store, name);
        json_decref(m);
        if (!known)
            return lh_fail(err, LH_EINVAL, "bound dataset '%s' is neither a dataset nor an AI-safe "
                           "view", name);
    }
    const char *id = json_string_value(json_object_get(body, "id"));
    json_t *p = normalise(body, actor, now_ms);
    char *text = p ? lh_json_dumps(p, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    lh_buf key;
    lh_buf_init(&key, 1024);
    if (!text)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    else if (!(st = lh_profiles_key(id, &key, err)))
        st = lh_store_put_if_absent(store, key.data, text, strlen(text), err);
    if (st == LH_EEXIST)
        st = lh_fail(err, LH_EEXIST, "profile '%s' already exists", id);
    lh_buf_release(&key);
    free(text);
    if (!st && out)
        *out = json_incref(p);
    json_decref(p);
    return st;
}

lh_status lh_profiles_get(lh_store *store, const char *id, json_t **out, lh_err *err)
{
    *out = NULL;
    lh_buf key, data;
    lh_buf_init(&key, 1024);
    lh_buf_init(&data, MAX_PROFILE_BYTES);
    lh_status st = lh_profiles_key(id, &key, err);
    if (!st)
        st = lh_store_get(store, key.data, MAX_PROFILE_BYTES, &data, err);
    if (st == LH_ENOTFOUND)
        st = lh_fail(err, LH_ENOTFOUND, "no profile '%s'", id);
    else if (st == LH_ETOOBIG) /* no profile this module writes comes near the bound */
        st = lh_fail(err, LH_ECORRUPT, "profile '%s' is damaged: its file is over %zu bytes", id,
                     MAX_PROFILE_BYTES);
    if (!st) {
        json_error_t je;
        json_t *p = lh_json_loadb(lh_buf_cstr(&data), data.len, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(p) || lh_profiles_check_id(json_string_value(json_object_get(p, "id")), NULL)) {
            json_decref(p);
            st = lh_fail(err, LH_ECORRUPT, "profile '%s' is damaged: its file does not parse", id);
        } else {
            *out = p;
        }
    }
    lh_buf_release(&key);
    lh_buf_release(&data);
    return st;
}

typedef struct list_ctx {
    lh_store *store;
    json_t *out;
    lh_status st;
    lh_err *err;
} list_ctx;

static int list_cb(void *ctx, const char *key, const lh_object_info *info)
{
    (void)info;
    list_ctx *l = ctx;
    const char *leaf = key + strlen(PROFILES_PREFIX);
    size_t n = strlen(leaf);
    if (strncmp(key, PROFILES_PREFIX, strlen(PROFILES_PREFIX)) || n < 6 || strcmp(leaf + n - 5, ".json"))
        return 0;
    char id[LH_PROFILE_ID_MAX + 1];
    if (n - 5 > LH_PROFILE_ID_MAX || strchr(leaf, '/'))
        return 0; /* not a name this module writes */
    memcpy(id, leaf, n - 5);
    id[n - 5] = '\0';
    json_t *p = NULL;
    lh_err why;
    lh_status st = lh_profiles_get(l->store, id, &p, &why);
    if (st == LH_ECORRUPT || st == LH_EINVAL || st == LH_ENOTFOUND) {
        /* damaged, foreign or removed since the listing: the others still list */
        if (st != LH_ENOTFOUND)
            lh_log(LH_LOG_WARN, "profiles: skipping %s: %s", key, why.msg);
        return 0;
    }
    if (st || json_array_append_new(l->out, p)) {
        l->st = st ? lh_fail(l->err, st, "%s", why.msg) : lh_fail(l->err, LH_ENOMEM, "out of memory");
        return 1;
    }
    return 0;
}

lh_status lh_profiles_list(lh_store *store, json_t **out, lh_err *err)
{
    *out = NULL;
    list_ctx l = {store, json_array(), LH_OK, err};
    if (!l.out)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    /* keys come sorted, and "<id>.json" sorts as id does ('.' is below every id character
     * but '-', which a longer id may hold at that place: sort by id to be exact) */
    lh_status st = lh_store_list(store, PROFILES_PREFIX, list_cb, &l, err);
    if (!st)
        st = l.st;
    if (st) {
        json_decref(l.out);
        return st;
    }
    size_t n = json_array_size(l.out);
    for (size_t i = 1; i < n; i++) /* insertion sort: the list is nearly sorted already */
        for (size_t j = i; j > 0; j--) {
            json_t *a = json_array_get(l.out, j - 1), *b = json_array_get(l.out, j);
            if (strcmp(json_string_value(json_object_get(a, "id")),
                       json_string_value(json_object_get(b, "id"))) <= 0)
                break;
            json_incref(a);
            json_array_set(l.out, j - 1, b);
            json_array_set_new(l.out, j, a);
        }
    *out = l.out;
    return LH_OK;
}

lh_status lh_profiles_delete(lh_store *store, const char *id, lh_err *err)
{
    lh_buf key;
    lh_buf_init(&key, 1024);
    lh_status st = lh_profiles_key(id, &key, err);
    lh_object_info info;
    if (!st && lh_store_head(store, key.data, &info, NULL) == LH_ENOTFOUND)
        st = lh_fail(err, LH_ENOTFOUND, "no profile '%s'", id);
    if (!st)
        st = lh_store_delete(store, key.data, err);
    lh_buf_release(&key);
    return st;
}

bool lh_profiles_binds(const json_t *profile, const char *name)
{
    const json_t *b = json_object_get(profile, "bound_datasets");
    for (size_t i = 0; name && i < json_array_size(b); i++)
        if (!strcmp(json_string_value(json_array_get(b, i)) ?: "", name))
            return true;
    return false;
}
