/* ingest_int.h: pieces of the ingest pipeline shared by its files. */
#ifndef LH_INGEST_INGEST_INT_H
#define LH_INGEST_INGEST_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "catalog/catalog.h"
#include "engine/engine.h"
#include "ingest/ingest.h"
#include "storage/storage.h"

/* Decides the format ("csv", "json", "ndjson") from the request, the extension and the
 * first bytes; refuses empty files, binary content and files whose bytes contradict
 * their extension. */
lh_status lh__ingest_detect_format(const char *path, const char *requested, char out[16], lh_err *err);

/* Copies src into dst (created exclusively, O_NOFOLLOW) while hashing; fsyncs dst. */
lh_status lh__ingest_stage_copy(const char *src, const char *dst, char sha[65], int64_t *size,
                                lh_err *err);

/* The DuckDB table-function call that reads the staged file, e.g. read_csv('...', ...),
 * after sniffing and checking CSV dialect problems (ragged rows, duplicate headers).
 * options receives the parse options used (for lineage). */
lh_status lh__ingest_source_sql(lh_engine *eng, const char *format, const char *staged,
                                lh_buf *source, json_t *options, lh_err *err);

/* Builds the projection that makes the source Delta-safe: nested objects flattened to
 * parent_child, arrays/maps as JSON text, names without " ,;{}()\n\t=", and types
 * Delta can hold. renames receives {"from","to"} objects. */
lh_status lh__ingest_projection(lh_engine *eng, const char *source, lh_buf *projection,
                                json_t *renames, lh_err *err);

/* Delta "stats" JSON (numRecords, minValues, maxValues, nullCount) of a Parquet file,
 * computed by a full scan; *rows receives the row count read back. */
lh_status lh__ingest_file_stats(lh_engine *eng, const char *parquet_path, json_t *columns,
                                int64_t *rows, char **stats_json, lh_err *err);

/* Turns a staged original (text, SMS XML, PDF, ...) into NDJSON rows at out_path.
 * columns receives [{"name","type"}] with DuckDB types, in order; lineage receives extra
 * lineage/parse facts (title, pages, warnings ...). */
typedef lh_status (*lh__converter_fn)(const char *in_path, const char *out_path, json_t *columns,
                                      json_t *lineage, lh_err *err);

/* The converter for a detected format, or NULL when DuckDB reads the file itself. */
lh__converter_fn lh__ingest_converter(const char *format);

/* A source already staged under DATA/_staging: the common tail of every ingest. */
typedef struct lh__staged {
    const char *path;          /* the staged file; the pipeline removes it when done */
    char sha256[65];           /* of the source's bytes (dedup key) */
    const char *format;        /* label: csv, json, ndjson, text, sms, pdf, postgres */
    const char *read_as;       /* how DuckDB reads path when convert is NULL: csv|json|ndjson */
    lh__converter_fn convert;  /* NULL, or run after the dedup check */
    const char *source_sql;    /* NULL, or the DuckDB reader call to use as is, e.g.
                                * read_csv('<path>', header=false, columns={...}) when the
                                * source knows its exact column types (PostgreSQL) */
    json_t *lineage;           /* extra lineage fields merged into the manifest (borrowed) */
    const char *source_system; /* "file", "postgresql", ... */
    const char *source_uri;    /* where it came from, secrets already redacted */
} lh__staged;

/* Dedup, read, project, write Parquet, verify, commit, manifest (see ingest.h). */
lh_status lh__ingest_staged(lh_store *store, lh_catalog *cat, lh_engine *eng, const char *dataset,
                            const lh__staged *src, const char *actor, lh_ingest_result *res,
                            lh_err *err);

/* Samples the values of every manifest column that from_sql (a FROM item, e.g.
 * read_parquet('...')) has, classifies them (catalog/pii.h) and writes each column's
 * "pii" (class names), "pii_rules" ({class, rule, confidence}) and "sensitivity" (raised,
 * never lowered); then raises the dataset's "sensitivity" to its most sensitive column's.
 * replace: the scan covers all the data and its flags replace the old ones (resync);
 * else they are added to them (an append scans only its new file). */
lh_status lh__ingest_scan_pii(lh_engine *eng, const char *from_sql, json_t *manifest, bool replace,
                              lh_err *err);

/* First line of a DuckDB error, or two when the second names the offending line. */
void lh__ingest_short_error(lh_err *err);

#endif
