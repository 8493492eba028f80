/* postgres.c: a PostgreSQL table or query into a dataset. The only file that includes
 * libpq-fe.h (STYLE.md habit 2).
 *
 * libpq parses the DSN (PQconninfoParse), connects, and inside one REPEATABLE READ,
 * READ ONLY transaction: the query is prepared and described (column names, type OIDs,
 * typmods), the types are resolved in pg_catalog (domains, arrays), then
 * COPY (SELECT ...) TO STDOUT (FORMAT csv) streams every row into DATA/_staging while
 * SHA-256 hashes it. DuckDB then reads the staged file with an exact read_csv call
 * (no sniffing) and the common pipeline tail (lh__ingest_staged) does the rest.
 *
 * The password never leaves this file: the lineage URI is rebuilt from the parsed
 * options without it, and every message is scrubbed of it before it is returned. */
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/fsio.h"
#include "core/sha256.h"
#include "core/util.h"
#include "ingest/ingest_int.h"

/* Built-in type OIDs (src/include/catalog/pg_type.dat; fixed across server versions). */
enum {
    OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23,
    OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_DATE = 1082, OID_TIMESTAMP = 1114,
    OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700,
};

#define COPY_CHUNK (1 << 20)

/* How one column travels: the expression COPY selects and the type DuckDB reads. */
typedef enum { AS_IS, AS_UTC, AS_JSON, AS_HEX } col_kind;

typedef struct pg_job {
    const lh_ingest_pg_request *req;
    PQconninfoOption *opts;
    PGconn *conn;
    const char *password;   /* decoded, borrowed from opts; scrubbed from every message */
    char *raw_password;     /* as written in a URI (maybe percent-encoded); scrubbed too */
    lh_buf uri;             /* the DSN without its password: lineage and messages */
    lh_buf inner;           /* SELECT * FROM "schema"."table", or the user's query, with
                             * the ORDER BY and LIMIT asked for */
    lh_buf base;            /* inner without LIMIT: what pages are cut from */
    lh_buf select, alias;   /* the COPY's select list and the column aliases c1, c2, ... */
    lh_buf copy;            /* COPY (SELECT ...) TO STDOUT (FORMAT csv), of the last page */
    int64_t rows;           /* rows copied */
    lh_buf source;          /* the DuckDB reader call */
    lh_buf staged;          /* DATA/_staging/<uuid>.csv */
    lh_buf describe;        /* "name\ttype\n" per column: hashed before the rows */
    json_t *pg_columns;     /* [{"name","pg_type","type"}] for lineage */
    char server_version[64];
} pg_job;

bool lh_ingest_is_postgres_uri(const char *s)
{
    return s && (!strncasecmp(s, "postgres://", 11) || !strncasecmp(s, "postgresql://", 13));
}

static void scrub(pg_job *j, lh_err *err)
{
    lh__pg_scrub(err, j->password);
    lh__pg_scrub(err, j->raw_password);
}

static const char *opt_val(const PQconninfoOption *opts, const char *key)
{
    for (const PQconninfoOption *o = opts; o->keyword; o++)
        if (!strcmp(o->keyword, key))
            return o->val;
    return NULL;
}

/* postgresql://user@host:port/dbname?other=options, from the parsed options, without
 * the password. Host lists and socket directories go into the query string. Unchecked:
 * the caller checks out once. */
static void redacted_uri(const PQconninfoOption *opts, lh_buf *out)
{
    const char *user = opt_val(opts, "user"), *host = opt_val(opts, "host");
    const char *port = opt_val(opts, "port"), *db = opt_val(opts, "dbname");
    bool host_in_path = host && *host && !strpbrk(host, ",/");
    bool port_in_path = host_in_path && port && *port && !strchr(port, ',');
    lh_buf_adds(out, "postgresql://");
    if (user && *user) {
        lh__pg_add_encoded(out, user);
        lh_buf_addc(out, '@');
    }
    if (host_in_path) {
        bool v6 = strchr(host, ':') != NULL;
        lh_buf_printf(out, "%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "");
    }
    if (port_in_path)
        lh_buf_printf(out, ":%s", port);
    if (db && *db) {
        lh_buf_addc(out, '/');
        lh__pg_add_encoded(out, db);
    }
    char sep = '?';
    for (const PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !strcmp(o->keyword, "password") || !strcmp(o->keyword, "user") ||
            !strcmp(o->keyword, "dbname") || (!strcmp(o->keyword, "host") && host_in_path) ||
            (!strcmp(o->keyword, "port") && port_in_path))
            continue;
        lh_buf_printf(out, "%c%s=", sep, o->keyword);
        lh__pg_add_encoded(out, o->val);
        sep = '&';
    }
}

/* First line of a libpq message, without the trailing newline. */
static void first_line(const char *msg, char *out, size_t size)
{
    const char *fatal = msg ? strstr(msg, "FATAL:  ") : NULL;
    if (fatal && (size_t)(fatal - msg) < strcspn(msg, "\n")) {
        /* "...failed: FATAL:  password authentication failed": drop the severity */
        snprintf(out, size, "%.*s%.*s", (int)(fatal - msg), msg, (int)strcspn(fatal + 8, "\n"),
                 fatal + 8);
        return;
    }
    size_t len = msg ? strcspn(msg, "\n") : 0;
    snprintf(out, size, "%.*s", (int)len, msg ? msg : "");
}

/* A failed PGresult as a status and one line: SQLSTATE picks the status. */
static lh_status result_error(PGresult *r, const char *what, lh_err *err)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    char line[512];
    first_line(primary ? primary : PQresultErrorMessage(r), line, sizeof line);
    lh_status st = LH_EINVAL;
    if (state && (!strcmp(state, "42P01") || !strcmp(state, "3F000") || !strcmp(state, "42883")))
        st = LH_ENOTFOUND; /* undefined table, schema */
    else if (state && (!strcmp(state, "42501") || !strncmp(state, "28", 2)))
        st = LH_EDENIED;   /* insufficient privilege, authorization */
    else if (state && !strncmp(state, "08", 2))
        st = LH_EIO;       /* connection exception */
    return lh_fail(err, st, "%s: %s", what, *line ? line : "unknown PostgreSQL error");
}

/* Runs a command that returns no rows; fails with the server's message. */
static lh_status exec_ok(pg_job *j, const char *sql, const char *what, lh_err *err)
{
    PGresult *r = PQexec(j->conn, sql);
    lh_status st = PQresultStatus(r) == PGRES_COMMAND_OK ? LH_OK : result_error(r, what, err);
    PQclear(r);
    return st;
}

/* The one message a remote caller gets for a host off the allow-list and for any failed
 * connection: telling "refused", "timeout" and "no such socket" apart would make
 * /ingest/db a port and path scanner. The details go to the server log. */
#define GENERIC_CONNECT_FAIL \
    "cannot connect to PostgreSQL: the host is not allowed or the connection failed"

/* True when item (a host, address or socket directory) is on the comma list. */
static bool on_list(const char *list, const char *item, size_t len)
{
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && t[-1] == ' ')
            t--;
        size_t n = (size_t)(t - p);
        if (n && n == len && !strncasecmp(p, item, n))
            return true;
        p = e;
    }
    return false;
}

/* Every host in a libpq host or hostaddr list (comma-separated) is on allowed. */
static bool hosts_allowed(const char *hosts, const char *allowed)
{
    static const char *const dflt = "/var/run/postgresql"; /* libpq's default on Debian */
    if (!hosts || !*hosts)
        return on_list(allowed, dflt, strlen(dflt));
    for (const char *p = hosts;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!(n ? on_list(allowed, p, n) : on_list(allowed, dflt, strlen(dflt))))
            return false;
        if (!e)
            return true;
        p = e + 1;
    }
}

/* The checks for a remote caller (see lh_ingest_pg_request.allowed_hosts). */
static lh_status check_remote(pg_job *j, lh_err *err)
{
    static const char *const file_opts[] = {"passfile", "service", "sslcert", "sslkey",
                                            "sslrootcert", "sslcrl", "sslcrldir"};
    for (size_t i = 0; i < sizeof file_opts / sizeof *file_opts; i++)
        if (opt_val(j->opts, file_opts[i]))
            return lh_fail(err, LH_EINVAL, "connection option '%s' names a server file; not "
                           "allowed over HTTP", file_opts[i]);
    const char *host = opt_val(j->opts, "host"), *addr = opt_val(j->opts, "hostaddr");
    if (!hosts_allowed(host, j->req->allowed_hosts) ||
        (addr && !hosts_allowed(addr, j->req->allowed_hosts))) {
        lh_log(LH_LOG_INFO, "postgres ingest: host '%s' not in ingest.db_allowed_hosts",
               addr ? addr : host ? host : "(default socket)");
        return lh_fail(err, LH_EIO, GENERIC_CONNECT_FAIL);
    }
    return LH_OK;
}

static lh_status connect_db(pg_job *j, lh_err *err)
{
    char *msg = NULL;
    j->opts = PQconninfoParse(j->req->dsn, &msg);
    if (!j->opts) {
        char line[512];
        first_line(msg ? msg : "out of memory", line, sizeof line);
        PQfreemem(msg);
        if (!lh_ingest_is_postgres_uri(j->req->dsn) && strstr(j->req->dsn, "password"))
            return lh_fail(err, LH_EINVAL, "bad PostgreSQL connection string");
        return lh_fail(err, LH_EINVAL, "bad PostgreSQL connection string: %s", line);
    }
    j->password = opt_val(j->opts, "password");
    redacted_uri(j->opts, &j->uri);
    lh_status st = lh__ingest_built(&j->uri, "the connection's URI", err);
    if (!st && j->req->allowed_hosts)
        st = check_remote(j, err);
    if (st)
        return st;

    /* Everything the user gave, plus our session defaults where they gave none. */
    size_t n = 0;
    for (const PQconninfoOption *o = j->opts; o->keyword; o++)
        n++;
    const char **keys = lh_calloc(n + 4, sizeof *keys), **vals = lh_calloc(n + 4, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (const PQconninfoOption *o = j->opts; o->keyword; o++) {
        if (!o->val || !strcmp(o->keyword, "client_encoding") ||
            !strcmp(o->keyword, "connect_timeout"))
            continue;
        keys[k] = o->keyword;
        vals[k++] = o->val;
    }
    keys[k] = "client_encoding"; /* rows must arrive as UTF-8, whatever the server holds */
    vals[k++] = "UTF8";
    /* Capped whatever the DSN says: a caller must not make a connection attempt (and
     * the request holding it) last as long as it likes; 0 would mean forever. */
    char timeout[24];
    const char *want = opt_val(j->opts, "connect_timeout");
    long secs = want ? strtol(want, NULL, 10) : 0;
    if (secs <= 0 || secs > LH_INGEST_PG_CONNECT_TIMEOUT_S)
        secs = LH_INGEST_PG_CONNECT_TIMEOUT_S;
    snprintf(timeout, sizeof timeout, "%ld", secs);
    keys[k] = "connect_timeout";
    vals[k++] = timeout;
    if (!opt_val(j->opts, "application_name")) {
        keys[k] = "application_name";
        vals[k++] = "lakehouse";
    }
    j->conn = PQconnectdbParams(keys, vals, 0);
    free(keys);
    free(vals);
    if (!j->conn)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    if (PQstatus(j->conn) != CONNECTION_OK) {
        char line[512];
        first_line(PQerrorMessage(j->conn), line, sizeof line);
        st = LH_EIO;
        if (strstr(line, "authentication failed") || strstr(line, "no password supplied") ||
            strstr(line, "permission denied"))
            st = LH_EDENIED;
        else if (strstr(line, "does not exist"))
            st = LH_ENOTFOUND;
        if (j->req->allowed_hosts) {
            lh_log(LH_LOG_INFO, "postgres ingest: connection failed: %s", line);
            return lh_fail(err, LH_EIO, GENERIC_CONNECT_FAIL);
        }
        return lh_fail(err, st, "cannot connect to PostgreSQL: %s", line);
    }
    const char *ver = PQparameterStatus(j->conn, "server_version");
    snprintf(j->server_version, sizeof j->server_version, "%s", ver ? ver : "unknown");
    /* Fixed output formats, whatever the server's or role's defaults are; a stable scan
     * order so that unchanged data hashes the same; one snapshot for describe + COPY. */
    return exec_ok(j,
                   "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; "
                   "SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; "
                   "SET synchronize_seqscans = off; "
                   "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                   "cannot start a read-only transaction", err);
}

/* Adds PQescapeIdentifier(name) to b; fails only when libpq refuses the name (b is
 * checked by its builder, once). */
static lh_status add_ident(pg_job *j, lh_buf *b, const char *name, size_t len, lh_err *err)
{
    char *q = PQescapeIdentifier(j->conn, name, len);
    if (!q) {
        char line[512];
        first_line(PQerrorMessage(j->conn), line, sizeof line);
        return lh_fail(err, LH_EINVAL, "bad identifier: %s", line);
    }
    lh_buf_adds(b, q);
    PQfreemem(q);
    return LH_OK;
}

/* The SELECT that describes the source: the table, or the user's query without a
 * trailing ';' (it becomes a subquery). */
static lh_status build_inner(pg_job *j, lh_err *err)
{
    const char *t = j->req->table;
    if (t) {
        lh_buf_adds(&j->inner, "SELECT * FROM ");
        const char *dot = strchr(t, '.');
        lh_status st = LH_OK;
        if (dot) {
            st = add_ident(j, &j->inner, t, (size_t)(dot - t), err);
            lh_buf_addc(&j->inner, '.');
            t = dot + 1;
        }
        if (!st)
            st = add_ident(j, &j->inner, t, strlen(t), err);
        return st ? st : lh__ingest_built(&j->inner, "the SELECT", err);
    }
    size_t len = strlen(j->req->query);
    while (len && strchr(" \t\r\n;", j->req->query[len - 1]))
        len--;
    if (!len)
        return lh_fail(err, LH_EINVAL, "--query is empty");
    lh_buf_add(&j->inner, j->req->query, len);
    return lh__ingest_built(&j->inner, "the query", err);
}

/* " ORDER BY "a" DESC, "b"" from the request's order_by, each name an identifier. Fails
 * on a bad name; b is checked by the caller. */
static lh_status add_order_by(pg_job *j, lh_buf *b, lh_err *err)
{
    const char *p = j->req->order_by;
    lh_status st = LH_OK;
    lh_buf_adds(b, " ORDER BY ");
    for (bool first = true; !st && *p; first = false) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t'))
            p++, n--;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        const char *dir = "";
        if (n > 4 && !strncasecmp(p + n - 4, " ASC", 4))
            dir = " ASC", n -= 4;
        else if (n > 5 && !strncasecmp(p + n - 5, " DESC", 5))
            dir = " DESC", n -= 5;
        while (n && p[n - 1] == ' ')
            n--;
        if (!n)
            return lh_fail(err, LH_EINVAL, "order_by has an empty column name");
        if (!first)
            lh_buf_adds(b, ", ");
        st = add_ident(j, b, p, n, err);
        lh_buf_adds(b, dir);
        p = end ? end + 1 : p + strlen(p);
    }
    return st;
}

/* Wraps the source in the ordering and limit asked for: base keeps the order (pages are
 * cut from it), inner adds the overall LIMIT. Without either, both are the source. */
static lh_status shape_inner(pg_job *j, lh_err *err)
{
    const lh_ingest_pg_request *q = j->req;
    if (q->limit < 0 || q->batch_size < 0)
        return lh_fail(err, LH_EINVAL, "limit and batch_size must be 0 or more");
    if (q->batch_size && !(q->order_by && *q->order_by))
        return lh_fail(err, LH_EINVAL, "batch_size needs order_by: pages of an unordered "
                       "result could overlap or miss rows");
    lh_buf_printf(&j->base, "SELECT * FROM (%s) AS lh_q", j->inner.data);
    lh_status st = LH_OK;
    if (q->order_by && *q->order_by)
        st = add_order_by(j, &j->base, err);
    if (!st)
        st = lh__ingest_built(&j->base, "the ordered SELECT", err);
    if (st)
        return st;
    lh_buf_reset(&j->inner);
    lh_buf_add(&j->inner, j->base.data, j->base.len);
    if (q->limit)
        lh_buf_printf(&j->inner, " LIMIT %lld", (long long)q->limit);
    return lh__ingest_built(&j->inner, "the SELECT", err);
}

/* DECIMAL(p,s) when DuckDB (and Delta) can hold it: 1 <= p <= 38, 0 <= s <= p. An
 * unconstrained numeric or a larger one is read as VARCHAR (the exact decimal text):
 * DOUBLE would silently round. */
static void numeric_type(int typmod, char *out, size_t size)
{
    if (typmod >= 4) {
        int p = ((typmod - 4) >> 16) & 0xffff;
        int s = (typmod - 4) & 0x7ff;
        if (s & 0x400)
            s -= 0x800; /* PostgreSQL 15 allows negative scales */
        if (p >= 1 && p <= 38 && s >= 0 && s <= p) {
            snprintf(out, size, "DECIMAL(%d,%d)", p, s);
            return;
        }
    }
    snprintf(out, size, "VARCHAR");
}

/* Base type, typmod and category of each column type from pg_catalog (domains resolve to
 * their base type; arrays are category 'A'). */
static lh_status resolve_types(pg_job *j, PGresult *desc, PGresult **types, lh_err *err)
{
    lh_buf oids;
    lh_buf_init(&oids, 0);
    lh_buf_addc(&oids, '{');
    for (int i = 0; i < PQnfields(desc); i++)
        lh_buf_printf(&oids, "%s%u", i ? "," : "", (unsigned)PQftype(desc, i));
    lh_buf_addc(&oids, '}');
    lh_status st = lh__ingest_built(&oids, "the list of type OIDs", err);
    if (st) {
        lh_buf_release(&oids);
        return st;
    }
    const char *params[1] = {oids.data};
    *types = PQexecParams(j->conn,
                          "SELECT t.oid::text, CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END::text, "
                          "t.typtype = 'd', t.typtypmod::text, "
                          "CASE WHEN t.typtype = 'd' THEN b.typcategory ELSE t.typcategory END::text, "
                          "pg_catalog.format_type(t.oid, NULL) "
                          "FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype "
                          "WHERE t.oid = ANY($1::pg_catalog.oid[])",
                          1, NULL, params, NULL, NULL, 0);
    lh_buf_release(&oids);
    if (PQresultStatus(*types) != PGRES_TUPLES_OK)
        return result_error(*types, "cannot read column types", err);
    return LH_OK;
}

static int find_type_row(PGresult *types, unsigned oid)
{
    for (int r = 0; r < PQntuples(types); r++) {
        char *end = NULL;
        unsigned long v = strtoul(PQgetvalue(types, r, 0), &end, 10);
        if (end && !*end && v == oid)
            return r;
    }
    return -1;
}

/* Describes the source and builds the COPY statement, the DuckDB columns and the
 * describe text that is hashed with the rows. */
static lh_status plan_columns(pg_job *j, lh_err *err)
{
    PGresult *r = PQprepare(j->conn, "", j->inner.data, 0, NULL);
    lh_status st = PQresultStatus(r) == PGRES_COMMAND_OK ? LH_OK
                   : result_error(r, j->req->table ? "cannot read the table" : "bad query", err);
    PQclear(r);
    if (st)
        return st;
    PGresult *desc = PQdescribePrepared(j->conn, "");
    if (PQresultStatus(desc) != PGRES_COMMAND_OK) {
        st = result_error(desc, "cannot describe the query", err);
        PQclear(desc);
        return st;
    }
    int n = PQnfields(desc);
    if (n == 0) {
        PQclear(desc);
        return lh_fail(err, LH_EINVAL, "the %s returns no columns", j->req->table ? "table" : "query");
    }
    PGresult *types = NULL;
    st = resolve_types(j, desc, &types, err);
    lh_buf cols, blobs;
    lh_buf *select = &j->select, *alias = &j->alias;
    lh_buf_init(&cols, 0);
    lh_buf_init(&blobs, 0);
    j->pg_columns = json_array();
    for (int i = 0; i < n && !st; i++) {
        const char *name = PQfname(desc, i);
        for (int k = 0; k < i && !st; k++)
            if (!strcasecmp(PQfname(desc, k), name))
                st = lh_fail(err, LH_EINVAL, "duplicate column name '%s' in the %s (column names "
                             "are case-insensitive; rename one with AS)", name,
                             j->req->table ? "table" : "query result");
        if (st)
            break;
        unsigned oid = (unsigned)PQftype(desc, i);
        int typmod = PQfmod(desc, i);
        int row = find_type_row(types, oid);
        unsigned base = oid;
        char category = 'X';
        const char *pg_name = "unknown";
        if (row >= 0) {
            base = (unsigned)strtoul(PQgetvalue(types, row, 1), NULL, 10);
            if (PQgetvalue(types, row, 2)[0] == 't') {
                int64_t tm = -1;
                lh_parse_i64(PQgetvalue(types, row, 3), &tm);
                typmod = (int)tm;
            }
            category = PQgetvalue(types, row, 4)[0];
            pg_name = PQgetvalue(types, row, 5);
        }
        col_kind kind = AS_IS;
        char type[32] = "VARCHAR";
        switch (base) {
        case OID_BOOL: snprintf(type, sizeof type, "BOOLEAN"); break;
        case OID_INT2: snprintf(type, sizeof type, "SMALLINT"); break;
        case OID_INT4: snprintf(type, sizeof type, "INTEGER"); break;
        case OID_INT8: snprintf(type, sizeof type, "BIGINT"); break;
        case OID_FLOAT4: snprintf(type, sizeof type, "FLOAT"); break;
        case OID_FLOAT8: snprintf(type, sizeof type, "DOUBLE"); break;
        case OID_NUMERIC: numeric_type(typmod, type, sizeof type); break;
        case OID_DATE: snprintf(type, sizeof type, "DATE"); break;
        case OID_TIMESTAMPTZ: snprintf(type, sizeof type, "TIMESTAMPTZ"); break;
        case OID_TIMESTAMP:
            kind = AS_UTC; /* Delta has no zoneless timestamp: the value is taken as UTC */
            snprintf(type, sizeof type, "TIMESTAMPTZ");
            break;
        case OID_BYTEA: kind = AS_HEX; break;
        default:
            if (category == 'A')
                kind = AS_JSON;
            /* everything else (text, uuid, json, time, interval, enums, ...) is its text */
            break;
        }
        char c[32];
        snprintf(c, sizeof c, "c%d", i + 1);
        lh_buf_printf(alias, "%s%s", i ? ", " : "", c);
        lh_buf_adds(select, i ? ", " : "");
        if (kind == AS_UTC)
            lh_buf_printf(select, "%s AT TIME ZONE 'UTC'", c);
        else if (kind == AS_JSON)
            lh_buf_printf(select, "pg_catalog.array_to_json(%s)", c);
        else if (kind == AS_HEX)
            lh_buf_printf(select, "pg_catalog.encode(%s, 'hex')", c);
        else
            lh_buf_adds(select, c);
        lh_buf_adds(&cols, i ? ", " : "");
        lh_buf_add_sql_string(&cols, name);
        lh_buf_adds(&cols, ": ");
        lh_buf_add_sql_string(&cols, type);
        if (kind == AS_HEX) {
            lh_buf_adds(&blobs, blobs.len ? ", unhex(" : "unhex(");
            lh_buf_add_sql_ident(&blobs, name);
            lh_buf_adds(&blobs, ") AS ");
            lh_buf_add_sql_ident(&blobs, name);
        }
        const char *duck = kind == AS_HEX ? "BLOB" : type;
        lh_buf_printf(&j->describe, "%s\t%s\t%s\n", name, pg_name, duck);
        json_array_append_new(j->pg_columns, json_pack("{s:s, s:s, s:s}", "name", name, "pg_type",
                                                       pg_name, "type", duck));
    }
    /* The loop built five strings unchecked: each is checked once, here. */
    if (!st)
        st = lh__ingest_built(select, "the COPY's select list", err);
    if (!st)
        st = lh__ingest_built(alias, "the COPY's column aliases", err);
    if (!st)
        st = lh__ingest_built(&cols, "the column types", err);
    if (!st)
        st = lh__ingest_built(&blobs, "the binary columns' conversion", err);
    if (!st)
        st = lh__ingest_built(&j->describe, "the columns' description", err);
    if (!st) {
        lh_buf_printf(&j->copy, "COPY (SELECT %s FROM (%s) AS lh_src(%s)) TO STDOUT (FORMAT csv)",
                      select->data, j->inner.data, alias->data);
        /* Exact dialect and types: PostgreSQL's CSV quotes with '"' doubled, writes NULL
         * as an empty unquoted field and an empty string as "". */
        lh_buf src;
        lh_buf_init(&src, 0);
        lh_buf_adds(&src, "read_csv(");
        lh_buf_add_sql_string(&src, j->staged.data);
        lh_buf_printf(&src, ", header=false, auto_detect=false, delim=',', quote='\"', "
                            "escape='\"', nullstr='', allow_quoted_nulls=false, "
                            "columns={%s})", cols.data);
        st = lh__ingest_built(&j->copy, "the COPY statement", err);
        if (!st)
            st = lh__ingest_built(&src, "the SQL reading the rows", err);
        if (!st && blobs.len)
            lh_buf_printf(&j->source, "(SELECT * REPLACE (%s) FROM %s)", blobs.data, src.data);
        else if (!st)
            lh_buf_adds(&j->source, src.data);
        if (!st)
            st = lh__ingest_built(&j->source, "the SQL reading the rows", err);
        lh_buf_release(&src);
    }
    lh_buf_release(&cols);
    lh_buf_release(&blobs);
    PQclear(types);
    PQclear(desc);
    return st;
}


/* Output of the COPYs: buffered, hashed and written to the staged file. */
typedef struct sink {
    int fd;
    lh_sha256 *h;
    char *chunk;
    size_t used;
    const char *path;
} sink;

static lh_status sink_put(sink *k, const char *data, size_t n, lh_err *err)
{
    lh_status st = LH_OK;
    if (k->used + n > COPY_CHUNK && k->used) {
        lh_sha256_update(k->h, k->chunk, k->used);
        st = lh_write_all(k->fd, k->chunk, k->used, k->path, err);
        k->used = 0;
    }
    if (!st && n > COPY_CHUNK) { /* one row larger than the buffer */
        lh_sha256_update(k->h, data, n);
        st = lh_write_all(k->fd, data, n, k->path, err);
    } else if (!st) {
        memcpy(k->chunk + k->used, data, n);
        k->used += n;
    }
    return st;
}

/* Runs one COPY ... TO STDOUT into the sink; *rows gets the rows it sent. */
static lh_status copy_one(pg_job *j, const char *copy_sql, sink *k, int64_t *rows, lh_err *err)
{
    *rows = 0;
    lh_status st = LH_OK;
    PGresult *r = PQexec(j->conn, copy_sql);
    if (PQresultStatus(r) != PGRES_COPY_OUT)
        st = result_error(r, j->req->table ? "cannot read the table" : "query failed", err);
    PQclear(r);
    bool copying = !st;
    while (copying) {
        char *row = NULL;
        int n = PQgetCopyData(j->conn, &row, 0);
        if (n > 0) {
            st = sink_put(k, row, (size_t)n, err);
            PQfreemem(row);
            ++*rows;
            if (st)
                copying = false; /* the connection is closed right after */
            continue;
        }
        copying = false;
        if (n == -2) {
            char line[512];
            first_line(PQerrorMessage(j->conn), line, sizeof line);
            st = lh_fail(err, LH_EIO, "reading rows from PostgreSQL: %s", line);
            break;
        }
        /* n == -1: the COPY ended; its final result says whether it succeeded */
        while ((r = PQgetResult(j->conn))) {
            if (!st && PQresultStatus(r) != PGRES_COMMAND_OK)
                st = result_error(r, "query failed while streaming rows", err);
            PQclear(r);
        }
    }
    return st;
}

/* The rows into the staged file; sha = SHA-256 of the describe text + rows. One COPY, or
 * with batch_size pages cut from the ordered source in the transaction's snapshot, until
 * a short page or the limit. */
static lh_status copy_rows(pg_job *j, char sha[65], lh_err *err)
{
    sink k = {.path = j->staged.data};
    k.fd = open(j->staged.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (k.fd < 0)
        return lh_fail(err, LH_EIO, "create %s: %s", j->staged.data, strerror(errno));
    k.h = lh_sha256_new();
    k.chunk = lh_malloc(COPY_CHUNK);
    if (!k.h || !k.chunk) {
        lh_sha256_free(k.h);
        free(k.chunk);
        close(k.fd);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    lh_sha256_update(k.h, j->describe.data, j->describe.len);
    lh_status st = LH_OK;
    int64_t batch = j->req->batch_size, limit = j->req->limit;
    if (!batch) {
        st = copy_one(j, j->copy.data, &k, &j->rows, err);
    } else {
        for (int64_t got = batch; !st && got == batch && (!limit || j->rows < limit);) {
            int64_t want = limit && limit - j->rows < batch ? limit - j->rows : batch;
            lh_buf_reset(&j->copy);
            st = lh_buf_printf(&j->copy, "COPY (SELECT %s FROM (%s LIMIT %lld OFFSET %lld) AS "
                               "lh_src(%s)) TO STDOUT (FORMAT csv)", j->select.data,
                               j->base.data, (long long)want, (long long)j->rows, j->alias.data);
            if (st) {
                st = lh_fail(err, st, "out of memory");
                break;
            }
            st = copy_one(j, j->copy.data, &k, &got, err);
            j->rows += got;
            if (got < want)
                break;
        }
    }
    if (!st && k.used) {
        lh_sha256_update(k.h, k.chunk, k.used);
        st = lh_write_all(k.fd, k.chunk, k.used, j->staged.data, err);
    }
    lh_sha256_final(k.h, sha);
    lh_sha256_free(k.h);
    free(k.chunk);
    if (close(k.fd) && !st)
        st = lh_fail(err, LH_EIO, "close %s: %s", j->staged.data, strerror(errno));
    return st;
}

static void job_release(pg_job *j)
{
    if (j->conn)
        PQfinish(j->conn);
    PQconninfoFree(j->opts);
    free(j->raw_password);
    lh_buf *bufs[] = {&j->uri, &j->inner, &j->base, &j->select, &j->alias, &j->copy,
                      &j->source, &j->staged, &j->describe};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lh_buf_release(bufs[i]);
    json_decref(j->pg_columns);
}

/* The dataset name: --name, else the table's name without its schema. */
static lh_status dataset_name(const lh_ingest_pg_request *req, char out[64], lh_err *err)
{
    if (req->name) {
        lh_status st = lh_catalog_check_name(req->name, err);
        if (!st)
            snprintf(out, 64, "%s", req->name);
        return st;
    }
    if (!req->table)
        return lh_fail(err, LH_EINVAL, "--query needs --name (the dataset to create or append to)");
    const char *dot = strchr(req->table, '.');
    const char *t = dot ? dot + 1 : req->table;
    if (strchr(t, '/'))
        return lh_fail(err, LH_EINVAL, "cannot derive a dataset name from table '%s'; pass --name", t);
    return lh_catalog_name_from_path(t, out, 64, err);
}

lh_status lh_ingest_postgres(lh_store *store, lh_catalog *cat, lh_engine *eng,
                             const lh_ingest_pg_request *req, lh_ingest_result *res, lh_err *err)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    res->renames = json_array();
    pg_job j = {.req = req};
    lh_buf *bufs[] = {&j.uri, &j.inner, &j.base, &j.select, &j.alias, &j.copy, &j.source,
                      &j.staged, &j.describe};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lh_buf_init(bufs[i], 0);
    j.raw_password = lh__pg_uri_password(req->dsn);
    char dataset[64] = "";
    bool handed_over = false;
    lh_status st = LH_OK;
    if (!req->dsn || !*req->dsn)
        st = lh_fail(err, LH_EINVAL, "no PostgreSQL connection string");
    else if (!!req->table == !!req->query)
        st = lh_fail(err, LH_EINVAL, "a PostgreSQL source needs exactly one of --table or --query");
    else if (req->table && (!*req->table || req->table[strlen(req->table) - 1] == '.'))
        st = lh_fail(err, LH_EINVAL, "bad --table '%s' (expected SCHEMA.TABLE or TABLE)", req->table);
    if (!st)
        st = lh__pg_load(err);
    if (!st)
        st = dataset_name(req, dataset, err);
    if (!st) {
        char id[37];
        lh_uuid4(id);
        lh_buf dir;
        lh_buf_init(&dir, PATH_MAX);
        lh_path_join(&dir, lh_store_root(store), "_staging");
        st = lh__ingest_built(&dir, "the staging directory's path", err);
        if (!st)
            st = lh_mkdirs(dir.data, err);
        if (!st) {
            lh_buf_printf(&j.staged, "%s/%s.csv", dir.data, id);
            st = lh__ingest_built(&j.staged, "the staged file's path", err);
        }
        lh_buf_release(&dir);
    }
    if (!st)
        st = connect_db(&j, err);
    if (!st)
        st = build_inner(&j, err);
    if (!st)
        st = shape_inner(&j, err);
    if (!st)
        st = plan_columns(&j, err);
    lh__staged src = {.path = j.staged.data, .format = "postgres", .read_as = "csv",
                      .source_sql = j.source.data, .source_system = "postgresql",
                      .source_uri = j.uri.data, .allow_schema_change = req->allow_schema_change};
    double t0 = lh_mono_ms();
    if (!st)
        st = copy_rows(&j, src.sha256, err);
    double t1 = lh_mono_ms();
    if (!st)
        st = exec_ok(&j, "COMMIT", "cannot end the read-only transaction", err);
    if (!st) {
        PQfinish(j.conn); /* the rows are staged: nothing more to ask the server */
        j.conn = NULL;
        json_t *lineage = json_pack("{s:s, s:s, s:O}", req->table ? "table" : "query",
                                    req->table ? req->table : req->query, "server_version",
                                    j.server_version, "source_columns", j.pg_columns);
        json_object_set_new(lineage, "copy_sql", json_string(j.copy.data));
        if (req->order_by && *req->order_by)
            json_object_set_new(lineage, "order_by", json_string(req->order_by));
        if (req->limit)
            json_object_set_new(lineage, "limit", json_integer(req->limit));
        if (req->batch_size)
            json_object_set_new(lineage, "batch_size", json_integer(req->batch_size));
        src.lineage = lineage;
        handed_over = lineage != NULL; /* the pipeline removes the staged file, always */
        lh_buf prefix, dir;
        lh_buf_init(&prefix, PATH_MAX);
        lh_buf_init(&dir, PATH_MAX);
        lh_catalog_table_prefix(dataset, &prefix);
        /* Only to tidy up after a failed first ingest: without the path, nothing is tidied. */
        if (!lh_buf_status(&prefix))
            lh_store_local_path(store, prefix.data, &dir, NULL);
        if (req->lock)
            req->lock(req->lock_ctx); /* the commit only: connect and COPY ran without it */
        bool existed = dir.len && !access(dir.data, F_OK);
        st = lineage ? lh__ingest_staged(store, cat, eng, dataset, &src, req->actor, res, err)
                     : lh_fail(err, LH_ENOMEM, "out of memory");
        if (st && !existed && dir.len)
            rmdir(dir.data); /* a failed first ingest leaves no empty table directory */
        if (req->unlock)
            req->unlock(req->lock_ctx);
        lh_buf_release(&prefix);
        lh_buf_release(&dir);
        json_decref(lineage);
        lh_log(LH_LOG_DEBUG, "postgres ingest: COPY to staging %.0f ms, Parquet + commit %.0f ms",
               t1 - t0, lh_mono_ms() - t1);
    }
    if (!handed_over && j.staged.len)
        lh_file_remove(j.staged.data, NULL); /* absent when we failed before COPY: fine */
    if (st && st != LH_ENOMEM)
        lh_fail_wrap(err, st, "ingest %s", j.uri.len ? j.uri.data : "from PostgreSQL");
    scrub(&j, err);
    job_release(&j);
    return st;
}
