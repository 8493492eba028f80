/* pg_conninfo.c: a libpq key=value connection string built from parts (the structured
 * form of POST /ingest/postgres/import). Quoting only: libpq itself parses the result. */
#include <stdio.h>

#include "ingest/ingest.h"
#include "ingest/ingest_int.h"

/* key='value' with ' and \ escaped, as libpq's conninfo parser reads it. Unchecked: the
 * caller checks the whole string once. */
static void add_conninfo(lh_buf *out, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    lh_buf_printf(out, "%s%s='", out->len ? " " : "", key);
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || *p == '\\')
            lh_buf_addc(out, '\\');
        lh_buf_addc(out, *p);
    }
    lh_buf_addc(out, '\'');
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
    add_conninfo(out, "host", host);
    add_conninfo(out, "port", portbuf);
    add_conninfo(out, "user", user);
    add_conninfo(out, "dbname", database);
    add_conninfo(out, "password", password);
    add_conninfo(out, "sslmode", sslmode);
    return lh__ingest_built(out, "the connection string", err);
}
