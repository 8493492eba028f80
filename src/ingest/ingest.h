/* ingest.h: files into datasets. One pipeline for every format:
 *   check the file (size, magic bytes, format) -> copy it into the data root's staging
 *   area while hashing (SHA-256) -> dedup against the table's commit log -> DuckDB's
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

typedef struct lh_ingest_request {
    const char *path;        /* the local file to ingest */
    const char *name;        /* dataset name; NULL = derived from the file name */
    const char *format;      /* csv, json, ndjson, text, sms, pdf; NULL = from extension and content */
    const char *actor;       /* who asked (lineage); NULL = "cli" */
    const char *source_uri;  /* lineage source; NULL = path */
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
} lh_ingest_result;

/* Ingests one file. On success fills res (release with lh_ingest_result_release). */
lh_status lh_ingest_file(lh_store *store, lh_catalog *cat, lh_engine *eng,
                         const lh_ingest_request *req, lh_ingest_result *res, lh_err *err);
void lh_ingest_result_release(lh_ingest_result *res);

/* Samples the values of every manifest column that from_sql (a FROM item, e.g.
 * read_parquet('...')) has, classifies them (catalog/pii.h) and writes each column's
 * "pii" (class names), "pii_rules" ({class, rule, confidence}) and "sensitivity" (raised,
 * never lowered); then raises the dataset's "sensitivity" to its most sensitive column's.
 * replace: the scan covers all the data and its flags replace the old ones (resync);
 * else they are added to them (an append scans only its new file). */
lh_status lh_ingest_scan_pii(lh_engine *eng, const char *from_sql, json_t *manifest, bool replace,
                             lh_err *err);


#endif
