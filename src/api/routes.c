/* routes.c: every endpoint is one row (STYLE.md habit 9). The server checks method, auth,
 * body size and JSON shape from this table before a handler runs; docs/API.md is checked
 * against it by tests/e2e/http_api.sh. */
#include "api/api_int.h"

#define KiB (1024LL)
#define MiB (1024LL * 1024)
#define GiB (1024LL * 1024 * 1024)

static const lh_http_route routes[] = {
    {"GET", "/health", lh__api_health, true, 0, LH_BODY_NONE,
     "liveness and readiness: version, uptime, dataset count, storage and engine checks", "engine"},
    {"GET", "/metrics", lh__api_metrics, true, 0, LH_BODY_NONE,
     "Prometheus text: requests by route and status, latency histograms, queries, ingest", "handler"},
    {"GET", "/catalog/datasets", lh__api_datasets_list, true, 0, LH_BODY_NONE,
     "every dataset manifest", "catalog"},
    {"POST", "/catalog/datasets", lh__api_datasets_create, true, 64 * KiB, LH_BODY_JSON,
     "register a dataset before its first ingest: {name, description, owner, sensitivity, tags}", "catalog"},
    {"GET", "/catalog/datasets/by-name/{name}", lh__api_dataset_get, true, 0, LH_BODY_NONE,
     "one dataset's manifest", "catalog"},
    {"PATCH", "/catalog/datasets/by-name/{name}/metadata", lh__api_dataset_patch, true, 64 * KiB,
     LH_BODY_JSON, "edit {description, owner, sensitivity, tags, add_tags, remove_tags}", "catalog"},
    {"GET", "/catalog/datasets/by-name/{name}/history", lh__api_dataset_history, true, 0,
     LH_BODY_NONE, "the dataset's Delta commits, newest first", "catalog"},
    {"POST", "/catalog/datasets/by-name/{name}/schema-diff", lh__api_schema_diff, true, 0,
     LH_BODY_MULTIPART, "preview the schema changes of one uploaded file (field format): the diff, "
     "rename confidences, migration rules and an LLM prompt; changes nothing", "engine"},
    {"POST", "/catalog/datasets/by-name/{name}/tombstone", lh__api_tombstone_add, true, 64 * MiB,
     LH_BODY_JSON, "soft-delete rows by key, durable on return: {row_key_column, row_key_values[], actor, reason}", "catalog"},
    {"GET", "/catalog/datasets/by-name/{name}/tombstone", lh__api_tombstone_list, true, 0,
     LH_BODY_NONE, "the dataset's tombstones: {row_key_column, count, tombstones[]}", "catalog"},
    {"POST", "/catalog/resync-missing", lh__api_resync, true, 4 * KiB, LH_BODY_JSON,
     "recompute manifests from the live Parquet files: {dataset?}", "catalog"},
    {"POST", "/query/sql", lh__api_query_sql, true, 1 * MiB, LH_BODY_JSON,
     "run one read-only query: {sql, format: json|ndjson|csv|parquet, limit, as_of, timeout_ms}; streamed", "engine"},
    {"POST", "/query/cache/pin", lh__api_cache_pin, true, 4 * KiB, LH_BODY_JSON,
     "pin a dataset into memory (its queries read an in-memory copy, rebuilt on every commit): {dataset}", "engine"},
    {"POST", "/query/cache/evict", lh__api_cache_evict, true, 4 * KiB, LH_BODY_JSON,
     "unpin a dataset (its queries read the Parquet files again): {dataset}", "engine"},
    {"GET", "/query/cache/stats", lh__api_cache_stats, true, 0, LH_BODY_NONE,
     "hot cache: entries, bytes, hits, misses, evictions, per dataset", "engine"},
    {"POST", "/query/compact", lh__api_compact, true, 4 * KiB, LH_BODY_JSON,
     "rewrite a dataset into one verified file without tombstoned rows: {dataset}", "engine"},
    {"POST", "/query/vacuum", lh__api_vacuum, true, 4 * KiB, LH_BODY_JSON,
     "delete unreferenced data files: {dataset, retention_hours (default 168)}", "engine"},
    {"POST", "/ingest/file", lh__api_ingest_file, true, 0, LH_BODY_MULTIPART,
     "upload files (multipart/form-data, fields name, format, allow_schema_change) into a dataset", "engine"},
    {"POST", "/ingest/db", lh__api_ingest_db, true, 64 * KiB, LH_BODY_JSON,
     "ingest a PostgreSQL table or query: {dsn, table | query, dataset_name, allow_schema_change}", "engine"},
    {"GET", "/storage/objects", lh__api_objects_list, true, 0, LH_BODY_NONE,
     "list stored objects: ?prefix=", "storage"},
    {"PUT", "/storage/objects/{key...}", lh__api_object_put, true, 256 * MiB, LH_BODY_RAW,
     "store an object (the body) under key", "storage"},
    {"GET", "/storage/objects/{key...}", lh__api_object_get, true, 0, LH_BODY_NONE,
     "read an object", "storage"},
    {"DELETE", "/storage/objects/{key...}", lh__api_object_delete, true, 0, LH_BODY_NONE,
     "delete an object", "storage"},
    {"GET", "/journal/history/{entity_id}", lh__api_journal_history, true, 0, LH_BODY_NONE,
     "every journal event of one entity, oldest first", "engine"},
    {"GET", "/journal/recent", lh__api_journal_recent, true, 0, LH_BODY_NONE,
     "the newest journal events, newest first (buffered ones included): ?limit= (default 100, max 10000)", "engine"},
    {"GET", "/journal/stats", lh__api_journal_stats, true, 0, LH_BODY_NONE,
     "journal counters: events, buffered, flushed, files, bytes, last flush", "handler"},
    {"POST", "/journal/event", lh__api_journal_event, true, 1 * MiB, LH_BODY_JSON,
     "record one event: {entity, entity_id, field?, old_value?, new_value?, source?, workspace?}", "storage"},
    {"POST", "/journal/update", lh__api_journal_update, true, 1 * MiB, LH_BODY_JSON,
     "record a change, one event per field: {entity, entity_id, changes: {field: {old, new}}, source?, workspace?}", "storage"},
    {"POST", "/journal/flush", lh__api_journal_flush, true, 4 * KiB, LH_BODY_JSON,
     "write the buffered events to Parquet now: {}", "engine"},
};

const lh_http_route *lh_api_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
