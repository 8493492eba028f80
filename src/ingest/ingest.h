/* ingest.h: files into datasets. One pipeline for every format:
 *   check the file (size, magic bytes, format) -> copy it into the data root's staging
 *   area while hashing (SHA-256 of the bytes as given) -- decompressing gzip/zstd/bzip2/xz
 *   and converting other encodings to UTF-8 in that same pass (decode.c); a plain UTF-8
 *   file is hard-linked and hashed and validated on a helper thread -- -> dedup against
 *   the table's commit log -> DuckDB's
 *   sniffer reads it -> names and types made Delta-safe -> Parquet written under a temp
 *   name -> read back and verified -> fsync + rename -> one Delta commit -> manifest.
 * A crash at any step leaves the table at its last commit (the temp/orphan Parquet is
 * never referenced). Fault points: ingest.after_parquet, ingest.before_commit,
 * ingest.after_commit. Not thread-safe: callers hold the data directory's writer lock. */
#ifndef LH_INGEST_INGEST_H
#define LH_INGEST_INGEST_H

#include <jansson.h>
#include <stdbool.h>

#include "catalog/catalog.h"
#include "engine/engine.h"
#include "storage/storage.h"

/* CSV dialect overrides for files the sniffer gets wrong; zero = sniff. */
typedef struct lh_ingest_csv {
    int header;              /* 0 = sniff, 1 = the first line (after skip) names the columns,
                              * -1 = there is no header line (columns are column0, column1 ...) */
    char delim;              /* field separator, 0 = sniff */
    char quote;              /* quote character, 0 = sniff */
    char escape;             /* escape character, 0 = sniff (set only by callers that wrote
                              * the file, as the demo: no CLI or HTTP option yet) */
    int64_t skip;            /* lines before the header (a preamble) to drop */
} lh_ingest_csv;

/* Fills csv from text values as users type them (each may be NULL): header "true"/"false",
 * delim one character or "tab"/"\t", quote one character, skip a count. LH_EINVAL naming
 * the bad value. */
lh_status lh_ingest_csv_parse(lh_ingest_csv *csv, const char *header, const char *delim,
                              const char *quote, const char *skip, lh_err *err);

typedef struct lh_ingest_request {
    const char *path;        /* the local file to ingest */
    const char *name;        /* dataset name; NULL = derived from the file name */
    const char *format;      /* csv, json, ndjson, text, sms, pdf; NULL = from extension and content */
    const char *actor;       /* who asked (lineage); NULL = "cli" */
    const char *source_uri;  /* lineage source; NULL = path */
    const char *filename;    /* the name the user knows the file by (an upload's file name):
                              * its extension, the default dataset name, messages and the
                              * "source" column use it; NULL = path. Never opened. */
    bool allow_schema_change;/* apply schema changes that are not safe (removed columns,
                              * renames, incompatible types) instead of refusing them */
    const char *encoding;    /* the file's encoding (utf-8, windows-1252, latin-1, utf-16le,
                              * utf-16be, utf-16 ...); NULL = detected. Staging converts to
                              * UTF-8; gzip/zstd/bzip2/xz input is decompressed on the way */
    lh_ingest_csv csv;       /* CSV overrides (all zero = sniff) */
} lh_ingest_request;

typedef struct lh_ingest_result {
    char dataset[64];
    int64_t version;
    int64_t rows_added;
    bool deduplicated;       /* same bytes already ingested into this dataset: no-op */
    bool created;            /* the dataset was created by this ingest */
    char sha256[65];
    char format[16];
    json_t *columns;         /* array of {"name","type"} of the dataset after the ingest */
    json_t *renames;         /* array of {"from","to"} column renames made Delta-safe */
    json_t *schema_changes;  /* the schema-diff rules this append applied (see
                              * lh_ingest_schema_diff), or NULL when the schema was the same */
} lh_ingest_result;

/* Ingests one file. On success fills res (release with lh_ingest_result_release). */
lh_status lh_ingest_file(lh_store *store, lh_catalog *cat, lh_engine *eng,
                         const lh_ingest_request *req, lh_ingest_result *res, lh_err *err);
void lh_ingest_result_release(lh_ingest_result *res);
/* The one rendering of a result, for the API's replies and the CLI's --json and text
 * output alike (so the two cannot drift): {"dataset", "version", "rows_added",
 * "deduplicated", "created", "columns": [names], "renames": [{"from","to"}], "sha256",
 * "format", "schema_changes"} (schema_changes null when the schema was the same). A new
 * reference the caller json_decref's; NULL when out of memory. */
json_t *lh_ingest_result_json(const lh_ingest_result *r);

/* Removes what killed ingests left in the data root's staging area. Only for the holder
 * of the writer lock (no live ingest owns anything there then). */
lh_status lh_ingest_sweep_staging(lh_store *store, lh_err *err);

/* Schema evolution. An append whose file differs from the dataset's schema:
 *  - new columns are added (nullable; older rows read NULL);
 *  - a wider type (INTEGER -> BIGINT -> DOUBLE, FLOAT -> DOUBLE, TINYINT/SMALLINT upward,
 *    DECIMAL(p,s) -> DECIMAL(p2,s) with p2 > p, ...) widens the dataset's column: a metaData
 *    commit, older files are read cast up; a narrower type in the file is cast up on write;
 *  - anything else (a column missing from the file, a rename, an incompatible type) is
 *    LH_ESCHEMA naming each difference, unless req->allow_schema_change: then a missing
 *    column stays in the schema (NULL for the new rows), a renamed column is written under
 *    the dataset's existing name, an incompatible type turns the column into VARCHAR.
 * lh_ingest_schema_diff previews it for the file at req->path against the existing dataset
 * req->name (required; LH_ENOTFOUND when it does not exist) without changing anything:
 * *diff receives the JSON described at lh__schema_compare (src/ingest/ingest_int.h) plus
 * "version" and "format". The caller json_decref's it. Same locking as lh_ingest_file. */
lh_status lh_ingest_schema_diff(lh_store *store, lh_catalog *cat, lh_engine *eng,
                                const lh_ingest_request *req, json_t **diff, lh_err *err);

/* Samples the values of every manifest column that from_sql (a FROM item, e.g.
 * read_parquet('...')) has, classifies them (catalog/pii.h) and writes each column's
 * "pii" (class names), "pii_rules" ({class, rule, confidence}) and "sensitivity" (raised,
 * never lowered); then raises the dataset's "sensitivity" to its most sensitive column's.
 * replace: the scan covers all the data and its flags replace the old ones (resync);
 * else they are added to them (an append scans only its new file). */
lh_status lh_ingest_scan_pii(lh_engine *eng, const char *from_sql, json_t *manifest, bool replace,
                             lh_err *err);

/* A PostgreSQL table or query as the source (src/ingest/postgres.c). */
typedef struct lh_ingest_pg_request {
    const char *dsn;    /* postgres[ql]://USER:PASS@HOST:PORT/DB, or libpq key=value form;
                         * the password is never printed, stored or put in a message */
    const char *table;  /* "SCHEMA.TABLE" or "TABLE" (search_path), each part quoted as
                         * an identifier (case-sensitive); or NULL when query is set */
    const char *query;  /* one SELECT, run as COPY (query) TO STDOUT; or NULL */
    const char *name;   /* dataset; NULL = the table's name (required with query) */
    const char *actor;  /* who asked (lineage); NULL = "cli" */
    bool allow_schema_change; /* as in lh_ingest_request */
    /* The seed's options. order_by: comma-separated output column names, each optionally
     * followed by ASC or DESC (quoted as identifiers, never spliced); NULL = server
     * order. limit: at most this many rows (0 = all). batch_size: read the rows in pages
     * of this many (ORDER BY + LIMIT/OFFSET inside the one snapshot, so pages neither
     * overlap nor miss rows); needs order_by; 0 = one COPY. */
    const char *order_by;
    int64_t limit;
    int64_t batch_size;
    /* A remote caller (HTTP): NULL for the local CLI. A comma-separated allow-list of
     * host names, addresses and Unix socket directories (config ingest.db_allowed_hosts);
     * every host and hostaddr of the DSN must be on it (no host = the default socket
     * directory /var/run/postgresql), file options (passfile, service, ssl key/cert/CA/CRL
     * paths) are refused, and a host off the list and every connection failure give the
     * same message, so the route cannot map ports, hosts or socket paths. */
    const char *allowed_hosts;
    /* Serialises the commit (the lake's writer lock). Taken only once the rows are
     * staged, never while connecting or copying; released before returning. May be NULL. */
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    void *lock_ctx;
} lh_ingest_pg_request;

/* Longest connect_timeout (seconds) any DSN gets: a larger, zero (= wait forever) or
 * missing value becomes this. */
#define LH_INGEST_PG_CONNECT_TIMEOUT_S 10

/* Widest CSV accepted: a header line with more fields (counted for each candidate
 * delimiter , ; tab |, outside double quotes, in at most LH_INGEST_HEADER_SCAN bytes) is
 * refused before DuckDB's sniffer runs, which would spend minutes and gigabytes on it. */
#define LH_INGEST_MAX_COLUMNS 10000
#define LH_INGEST_HEADER_SCAN ((size_t)16 << 20)

/* Streams the rows (COPY ... TO STDOUT, one read-only REPEATABLE READ transaction) into
 * the staging area, then runs the common pipeline with exact column types taken from
 * the server: int2/4/8, float4/8, bool, date, timestamptz keep their types; numeric(p,s)
 * with p <= 38 -> DECIMAL(p,s), other numerics -> VARCHAR (exact text); timestamp ->
 * TIMESTAMPTZ read as UTC; bytea -> BLOB; arrays -> JSON text; everything else (text,
 * uuid, json, time, interval, enums ...) -> VARCHAR with PostgreSQL's text form.
 * Lineage: source_system "postgresql", source_uri without the password, the table or
 * query, the server version. Dedup: SHA-256 of the column list plus the rows. On
 * failure nothing is left behind (no dataset, no staged file); messages are one line.
 * res as for lh_ingest_file (format "postgres"). */
lh_status lh_ingest_postgres(lh_store *store, lh_catalog *cat, lh_engine *eng,
                             const lh_ingest_pg_request *req, lh_ingest_result *res, lh_err *err);

/* A libpq key=value connection string from parts (each value quoted as libpq wants, so
 * no part can add a keyword); NULL or empty parts are left out. The caller owns out. */
lh_status lh_ingest_pg_conninfo(const char *host, int64_t port, const char *user,
                                const char *database, const char *password,
                                const char *sslmode, lh_buf *out, lh_err *err);

/* True when s starts with postgres:// or postgresql:// (any case). */
bool lh_ingest_is_postgres_uri(const char *s);

#endif
