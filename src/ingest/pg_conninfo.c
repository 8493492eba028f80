/* pg_conninfo.c: a libpq key=value connection string built from parts (the structured
 * form of POST /ingest/postgres/import). Quoting only: libpq itself parses the result. */
#include <stdio.h>

#include "ingest/ingest.h"

/* key='value' with ' and \ escaped, as libpq's conninfo parser reads it. */
static lh_status add_conninfo(lh_buf *out, const char *key, const char *value)
{
    if (!value || !*value)
        return LH_OK;
    lh_status st = lh_buf_printf(out, "%s%s='", out->len ? " " : "", key);
    for (const char *p = value; !st && *p; p++) {
        if (*p == '\'' || *p == '\\')
            st = lh_buf_addc(out, '\\');
        if (!st)
            st = lh_buf_addc(out, *p);
    }
    return st ? st : lh_buf_addc(out, '\'');
}

lh_status lh_ingest_pg_conninfo(const char *host, int64_t port, const char *user,
                                const char *database, const char *password,
                                const char *sslmode, lh_buf *out, lh_err *err)
{
    if (!host || !*host || !database || !*database)
        return lh_fail(err, LH_EINVAL, "a PostgreSQL source needs host and database");
    if (port < 0 || port > 65535)
        return lh_fail(err, LH_EINVAL, "port must be from 1 to 65535");
    char portbuf[16] = "";
    if (port)
        snprintf(portbuf, sizeof portbuf, "%lld", (long long)port);
    lh_status st = add_conninfo(out, "host", host);
    if (!st)
        st = add_conninfo(out, "port", portbuf);
    if (!st)
        st = add_conninfo(out, "user", user);
    if (!st)
        st = add_conninfo(out, "dbname", database);
    if (!st)
        st = add_conninfo(out, "password", password);
    if (!st)
        st = add_conninfo(out, "sslmode", sslmode);
    return st ? lh_fail(err, st, "connection string too long") : LH_OK;
}
