/* api_util.c: checking JSON request bodies, shared by the handlers. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"

bool lh__api_only_fields(lh_http_req *r, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(lh_http_json(r), key, v) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(*a, key);
        if (!ok) {
            char msg[256];
            snprintf(msg, sizeof msg, "unknown field '%.64s'", key);
            lh_http_reply_error(r, 400, "invalid_input", msg);
            return false;
        }
    }
    return true;
}

bool lh__api_string(lh_http_req *r, const char *field, bool required, const char **out)
{
    json_t *v = json_object_get(lh_http_json(r), field);
    char msg[160];
    if (!v || json_is_null(v)) {
        *out = NULL;
        if (!required)
            return true;
        snprintf(msg, sizeof msg, "missing field '%s'", field);
        lh_http_reply_error(r, 400, "invalid_input", msg);
        return false;
    }
    if (!json_is_string(v)) {
        snprintf(msg, sizeof msg, "field '%s' must be a string", field);
        lh_http_reply_error(r, 400, "invalid_input", msg);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool lh__api_bool(lh_http_req *r, const char *field, bool *out)
{
    json_t *v = json_object_get(lh_http_json(r), field);
    if (!v || json_is_null(v))
        return true; /* keep the caller's default */
    if (!json_is_boolean(v)) {
        char msg[200];
        snprintf(msg, sizeof msg, "field '%s' must be true or false", field);
        lh_http_reply_error(r, 400, "invalid_input", msg);
        return false;
    }
    *out = json_is_true(v);
    return true;
}

bool lh__api_int(lh_http_req *r, const char *field, int64_t min, int64_t max, int64_t *out)
{
    json_t *v = json_object_get(lh_http_json(r), field);
    if (!v || json_is_null(v))
        return true; /* keep the caller's default */
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char msg[200];
        snprintf(msg, sizeof msg, "field '%s' must be a whole number from %lld to %lld", field,
                 (long long)min, (long long)max);
        lh_http_reply_error(r, 400, "invalid_input", msg);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}
