#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lh_status lh_fail(lh_err *err, lh_status st, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return st;
}

lh_status lh_fail_wrap(lh_err *err, lh_status st, const char *fmt, ...)
{
    if (!err)
        return st;
    char prefix[512], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation is acceptable here: the message is for humans and stays terminated. */
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 3;
    size_t m = strnlen(old, room);
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = '\0';
    return st;
}

static const struct {
    lh_status st;
    const char *name;
    int http;
    int exit;
} status_table[] = {
    {LH_OK, "ok", 200, 0},
    {LH_EINVAL, "invalid_input", 400, 1},
    {LH_ENOTFOUND, "not_found", 404, 3},
    {LH_EEXIST, "already_exists", 409, 4},
    {LH_EIO, "io_error", 500, 5},
    {LH_ENOMEM, "out_of_memory", 503, 6},
    {LH_ECONFLICT, "conflict", 409, 4},
    {LH_EUNSUPPORTED, "unsupported", 422, 7},
    {LH_EDENIED, "forbidden", 403, 8},
    {LH_ELOCKED, "locked", 423, 9},
    {LH_EINTERNAL, "internal", 500, 10},
    {LH_ETOOBIG, "too_large", 413, 11},
    {LH_ECORRUPT, "corrupt", 500, 12},
    {LH_ESCHEMA, "schema_mismatch", 409, 13},
    {LH_ETIMEOUT, "timeout", 504, 14},
};

static size_t status_index(lh_status st)
{
    for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
        if (status_table[i].st == st)
            return i;
    return 10; /* LH_EINTERNAL: an unknown code is our bug */
}

lh_status lh_status_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof status_table / sizeof status_table[0]; i++)
        if (!strcmp(status_table[i].name, name))
            return status_table[i].st;
    return LH_EINTERNAL;
}

const char *lh_status_name(lh_status st) { return status_table[status_index(st)].name; }
int lh_status_http(lh_status st) { return status_table[status_index(st)].http; }
int lh_status_exit(lh_status st) { return status_table[status_index(st)].exit; }

void lh__assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "lakehouse: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}
