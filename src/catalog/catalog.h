/* catalog.h: dataset manifests (DESIGN.md §4) kept as JSON objects under
 * "_catalog/datasets/<name>.json", loaded from the bucket when the catalog opens.
 *
 * A manifest is a jansson object with "manifest_version": 1 and the fields of §4. The
 * catalog owns every manifest it holds: lh_catalog_get returns a borrowed reference valid
 * until the next lh_catalog_put of the same name or lh_catalog_free.
 *
 * Threads: any number of readers may use the *_copy functions while one writer (callers
 * serialise writers) puts; lh_catalog_get, _count and _name_at are for that one writer
 * (or a single-threaded caller). */
#ifndef LH_CATALOG_CATALOG_H
#define LH_CATALOG_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"
#include "storage/storage.h"

#define LH_MANIFEST_VERSION 1

typedef struct lh_catalog lh_catalog;

/* Loads every manifest under _catalog/datasets/. A manifest that does not parse is skipped
 * with a warning (resync rebuilds it from the table log). */
lh_status lh_catalog_open(lh_store *store, lh_catalog **out, lh_err *err);
void lh_catalog_free(lh_catalog *c);

/* Dataset names: 1-63 chars of [a-z0-9_], starting with a lowercase letter. Reserved,
 * because a dataset's view would shadow them: every name starting with '_' (internal
 * relations such as "__raw__<name>") and the server's own relations ("journal").
 * LH_EINVAL naming the reserved name otherwise. SQL keywords are allowed: views are
 * always created quoted, and users may quote them ("select"). Manifests with a reserved
 * name found on disk are skipped at load with a warning. */
lh_status lh_catalog_check_name(const char *name, lh_err *err);

/* Turns any file stem into a valid dataset name ("Sales Q1-2026.csv" -> "sales_q1_2026"). */
lh_status lh_catalog_name_from_path(const char *path, char *out, size_t size, lh_err *err);

size_t lh_catalog_count(const lh_catalog *c);
/* Names in sorted order; i < lh_catalog_count. Borrowed. */
const char *lh_catalog_name_at(const lh_catalog *c, size_t i);

/* Borrowed manifest, or NULL when there is no such dataset. */
json_t *lh_catalog_get(const lh_catalog *c, const char *name);

/* Thread-safe reads: a deep copy of one manifest (NULL when missing), or of all of them
 * as an array sorted by name. The caller owns the result. */
json_t *lh_catalog_get_copy(lh_catalog *c, const char *name);
json_t *lh_catalog_list_copy(lh_catalog *c);

/* Writes the manifest (atomic put) and replaces the in-memory copy. Takes a new reference
 * to manifest (the caller keeps its own). The manifest's "name" decides the key. */
lh_status lh_catalog_put(lh_catalog *c, json_t *manifest, lh_err *err);

/* Store key prefix of a dataset's table ("tables/<name>"), into out. */
lh_status lh_catalog_table_prefix(const char *name, lh_buf *out);
/* Store key of the record of the content hashes (content_sha256) the dataset's log
 * cleanup deleted with their commits, {"dataset", "content_sha256": [...]}, appended to
 * out: ingest's duplicate check reads it beside the commits that remain. */
lh_status lh_catalog_ingested_key(const char *name, lh_buf *out);
/* Store key of the directory that holds every dataset's table ("tables"). */
const char *lh_catalog_tables_dir(void);

/* True when the dataset's manifest file is in the bucket now (not only the copy in
 * memory: someone may have removed it). Thread-safe. */
bool lh_catalog_on_disk(lh_catalog *c, const char *name);

/* Validated metadata edits: field is description|owner|sensitivity|tags. */
lh_status lh_catalog_check_sensitivity(const char *level, lh_err *err);

#endif
