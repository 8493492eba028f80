/* pg_conninfo.c: the text of PostgreSQL connection strings, without libpq: a key=value
 * string built from parts (the structured form of POST /ingest/postgres/import; quoting
 * only, libpq itself parses the result), the password a postgres:// URI carries, and the
 * removal of a password from a message. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

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

/* Replaces every occurrence of secret in err's message with "***". */
void lh__pg_scrub(lh_err *err, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (!err || !n || !strstr(err->msg, secret))
        return;
    lh_buf out;
    lh_buf_init(&out, sizeof err->msg * 4);
    for (const char *p = err->msg; *p;) {
        const char *hit = strstr(p, secret);
        if (!hit) {
            lh_buf_adds(&out, p);
            break;
        }
        lh_buf_add(&out, p, (size_t)(hit - p));
        lh_buf_adds(&out, "***");
        p = hit + n;
    }
    /* Not built: the secret must still go, so the whole message does. */
    lh_strlcpy(err->msg, lh_buf_status(&out) ? "(message withheld: it named the password)"
                                             : lh_buf_cstr(&out), sizeof err->msg);
    lh_buf_release(&out);
}

/* The password as it appears in a postgres:// URI: userinfo runs to the first '@'
 * before any '/' (libpq's own rule), the password follows its first ':'. */
char *lh__pg_uri_password(const char *dsn)
{
    if (!lh_ingest_is_postgres_uri(dsn))
        return NULL;
    const char *p = strstr(dsn, "://") + 3;
    size_t len = strcspn(p, "@/");
    if (p[len] != '@')
        return NULL;
    const char *colon = memchr(p, ':', len);
    if (!colon || colon + 1 == p + len)
        return NULL;
    return lh_strndup(colon + 1, (size_t)(p + len - colon - 1));
}

/* Percent-encodes everything but RFC 3986 unreserved characters. */
void lh__pg_add_encoded(lh_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            lh_buf_addc(b, (char)*p);
        else
            lh_buf_printf(b, "%%%02X", *p);
    }
}
