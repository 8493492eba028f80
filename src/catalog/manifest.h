/* manifest.h: building and updating dataset manifests (the shape of DESIGN.md §4). All
 * functions work on jansson objects the caller owns. */
#ifndef LH_CATALOG_MANIFEST_H
#define LH_CATALOG_MANIFEST_H

#include <jansson.h>
#include <stdint.h>

/* A new manifest with defaults: empty description/owner, sensitivity "internal", no tags,
 * freshness.created_at = now. Caller owns the result. */
json_t *lh_manifest_new(const char *name, int64_t now_ms);

/* Sets columns (array of {"name","type"}; per-column metadata of columns that already
 * existed is kept), row_count, size_bytes, table_version and freshness.updated_at. */
void lh_manifest_set_table(json_t *m, const json_t *columns, int64_t rows, int64_t bytes,
                           int64_t version, int64_t now_ms);

/* Records an ingest in lineage and freshness.last_ingest_at. lineage is borrowed. */
void lh_manifest_set_lineage(json_t *m, json_t *lineage, int64_t now_ms);

#endif
