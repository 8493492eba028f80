/* auth.c: API keys. The secrets file holds only SHA-256 hashes of keys:
 *   [[keys]]
 *   sha256 = "<64 hex>"
 *   principal = "alice"
 *   role = "admin"            (reader | writer | admin; see routes.c for what each may do)
 * and must be mode 0600 (no group/other access): otherwise the server refuses to start.
 * It may also hold database passwords that requests name by reference, never send:
 *   [db_passwords]
 *   warehouse = "s3cret"      (POST /ingest/postgres/import {"password_ref": "warehouse"}) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "core/secrets.h"
#include "core/sha256.h"
#include "core/util.h"

struct lh_keyring {
    json_t *keys; /* array of {sha256, principal, role} */
};

lh_status lh__secrets_db_password(const char *path, const char *ref, char **out, lh_err *err)
{
    *out = NULL;
    if (!path || !*path)
        return lh_fail(err, LH_EINVAL, "password_ref needs [auth] secrets_file to be set");
    json_t *doc = NULL;
    lh_err inner;
    if (lh_secrets_read(path, &doc, &inner)) {
        lh_log(LH_LOG_WARN, "password_ref: %s", inner.msg);
        return lh_fail(err, LH_EINTERNAL, "the secrets file cannot be read; see the server log");
    }
    const char *pw = json_string_value(json_object_get(json_object_get(doc, "db_passwords"), ref));
    lh_status st = LH_OK;
    if (!pw)
        st = lh_fail(err, LH_ENOTFOUND, "no password '%.64s' in the secrets file's [db_passwords]",
                     ref);
    else if (!(*out = lh_strdup(pw)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    json_decref(doc);
    return st;
}

lh_status lh__keyring_load(const char *path, lh_keyring **out, lh_err *err)
{
    if (!path || !*path)
        return lh_fail(err, LH_EINVAL, "auth is enabled but [auth] secrets_file is not set");
    json_t *doc = NULL;
    lh_status st = lh_secrets_read(path, &doc, err);
    if (st)
        return st;
    json_t *keys = json_object_get(doc, "keys");
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k) {
        const char *h = json_string_value(json_object_get(k, "sha256"));
        if (!h || strlen(h) != 64 || strspn(h, "0123456789abcdef") != 64 ||
            !json_string_value(json_object_get(k, "principal"))) {
            json_decref(doc);
            return lh_fail(err, LH_EINVAL, "%s: keys[%zu] needs sha256 (64 lowercase hex) and principal",
                           path, i);
        }
        const char *role = json_string_value(json_object_get(k, "role"));
        if (role && strcmp(role, lh_http_role_name(lh_http_role_parse(role))))
            lh_log(LH_LOG_WARN, "%s: keys[%zu] has unknown role '%s': it gets reader rights", path, i, role);
    }
    lh_keyring *r = lh_calloc(1, sizeof *r);
    if (!r) {
        json_decref(doc);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    r->keys = json_is_array(keys) ? json_incref(keys) : json_array();
    json_decref(doc);
    *out = r;
    return LH_OK;
}

void lh__keyring_free(lh_keyring *k)
{
    if (!k)
        return;
    json_decref(k->keys);
    free(k);
}

/* Compares in constant time so that response timing does not leak hash prefixes. */
static bool same(const char *a, const char *b)
{
    unsigned char diff = 0;
    for (size_t i = 0; i < 64; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

bool lh__keyring_check(void *ctx, const char *key, char *principal, char *role)
{
    lh_keyring *r = ctx;
    if (!key || !*key || strlen(key) > 512)
        return false;
    char h[65];
    lh_sha256_hex(key, strlen(key), h);
    size_t i;
    json_t *k;
    json_array_foreach(r->keys, i, k) {
        if (same(h, json_string_value(json_object_get(k, "sha256")))) {
            snprintf(principal, 65, "%s", json_string_value(json_object_get(k, "principal")));
            const char *role_s = json_string_value(json_object_get(k, "role"));
            snprintf(role, 65, "%s", role_s ? role_s : "reader");
            return true;
        }
    }
    return false;
}
