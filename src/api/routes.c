/* routes.c: every endpoint is one row (STYLE.md habit 9). The server checks method, auth,
 * role, body size and JSON shape from this table before a handler runs; docs/API.md is
 * checked against it (`lakehouse serve --routes`, tests/e2e/serve_cli.sh) and
 * tests/e2e/http_roles.sh tries every row with every role.
 *
 * Roles (a key's role must be at or above the row's; reader < writer < admin):
 *  R reader: every GET, and POST /query/sql (the SQL gate makes it read-only).
 *  W writer: what adds or changes data a later reader sees and that the writer's own
 *    lineage records: ingest, dataset create/PATCH, tombstones (soft, reversible until
 *    compaction), object PUT and DELETE (DELETE is writer, not admin: a writer can already
 *    destroy an object by overwriting it, so admin-only DELETE would protect nothing),
 *    journal events and flush (flush only makes buffered events durable earlier), and
 *    schema-diff (it changes nothing, but takes a server-default-sized upload into
 *    _staging and is only useful to someone about to ingest).
 *  A admin: what is irreversible or affects the whole server: vacuum (retention 0 makes
 *    time travel impossible), compact (physically drops tombstoned rows: the erasure can
 *    no longer be undone), resync-missing (rewrites every manifest), cache pin/evict
 *    (server memory shared by all). Key management has no route (CLI only).
 * control = true runs the row on reserved workers so it never waits behind queries; only
 * for quick handlers. LH_LANE_QUICK first runs the handler in the network thread, with
 * no hand-off (it must never block: no engine, no disk): /metrics always answers there,
 * /health while its last engine probe is fresh ([server] health_probe_ms), else on a
 * control worker. */
#include "api/api_int.h"

#define R LH_ROLE_READ
#define W LH_ROLE_WRITE
#define A LH_ROLE_ADMIN

#define KiB (1024LL)
#define MiB (1024LL * 1024)
#define GiB (1024LL * 1024 * 1024)

static const lh_http_route routes[] = {
    {"GET", "/health", lh__api_health, true, R, 0, LH_BODY_NONE,
     "liveness and readiness: version, uptime, dataset count, storage and engine checks", "engine",
     LH_LANE_QUICK},
    {"GET", "/metrics", lh__api_metrics, true, R, 0, LH_BODY_NONE,
     "Prometheus text: requests by route and status, latency histograms, queries, ingest", "handler",
     LH_LANE_QUICK},
    {"GET", "/catalog/datasets", lh__api_datasets_list, true, R, 0, LH_BODY_NONE,
     "every dataset manifest", "catalog", false},
    {"POST", "/catalog/datasets", lh__api_datasets_create, true, W, 64 * KiB, LH_BODY_JSON,
     "register a dataset before its first ingest: {name, description, owner, sensitivity, tags}", "catalog", false},
    {"GET", "/catalog/datasets/by-name/{name}", lh__api_dataset_get, true, R, 0, LH_BODY_NONE,
     "one dataset's manifest", "catalog", false},
    {"PATCH", "/catalog/datasets/by-name/{name}/metadata", lh__api_dataset_patch, true, W, 64 * KiB,
     LH_BODY_JSON, "edit {description, owner, sensitivity, tags, add_tags, remove_tags}", "catalog", false},
    {"GET", "/catalog/datasets/by-name/{name}/history", lh__api_dataset_history, true, R, 0,
     LH_BODY_NONE, "the dataset's Delta commits, newest first", "catalog", false},
    {"POST", "/catalog/datasets/by-name/{name}/schema-diff", lh__api_schema_diff, true, W, 0,
     LH_BODY_MULTIPART, "preview the schema changes of one uploaded file (field format): the diff, "
     "rename confidences, migration rules and an LLM prompt; changes nothing", "engine", false},
    {"POST", "/catalog/datasets/by-name/{name}/tombstone", lh__api_tombstone_add, true, W, 64 * MiB,
     LH_BODY_JSON, "soft-delete rows by key, durable on return: {row_key_column, row_key_values[], actor, reason}", "catalog", false},
    {"GET", "/catalog/datasets/by-name/{name}/tombstone", lh__api_tombstone_list, true, R, 0,
     LH_BODY_NONE, "the dataset's tombstones: {row_key_column, count, tombstones[]}", "catalog", false},
    {"POST", "/catalog/resync-missing", lh__api_resync, true, A, 4 * KiB, LH_BODY_JSON,
     "recompute manifests from the live Parquet files: {dataset?}", "catalog", false},
    /* model profiles (api_profiles.c): bindings and HNSW config of an analyst's searches */
    {"POST", "/catalog/profiles", lh__api_profiles_create, true, W, 64 * KiB, LH_BODY_JSON,
     "create a model profile: {id, description?, embed: {provider: builtin|ollama|openai, model?}, generate_model?, bound_datasets[], hnsw?: {M, ef_construction, ef_search, seed}} -> 201 the profile", "catalog", false},
    {"GET", "/catalog/profiles", lh__api_profiles_list, true, R, 0, LH_BODY_NONE,
     "every model profile, by id", "catalog", false},
    {"GET", "/catalog/profiles/{id}", lh__api_profile_get, true, R, 0, LH_BODY_NONE,
     "one model profile", "catalog", false},
    {"DELETE", "/catalog/profiles/{id}", lh__api_profile_delete, true, W, 0, LH_BODY_NONE,
     "delete a model profile (its active graphs stay until deactivated)", "catalog", false},
    {"POST", "/vectors/profile/{id}/activate", lh__api_profile_activate, true, W, 0, LH_BODY_NONE,
     "warm the profile's indexes (bound datasets, its embedding model) and activate their HNSW graphs with its config: {profile, warmed: [{index, dataset, rows, bytes, graph}], skipped, failures, duration_ms}", "engine", false},
    {"POST", "/vectors/profile/{id}/deactivate", lh__api_profile_deactivate, true, W, 0, LH_BODY_NONE,
     "drop the graphs of the profile's indexes and evict them from memory: {profile, released: [{index, dataset, graph, evicted}]}", "engine", false},
    {"POST", "/vectors/profile/{id}/search", lh__api_profile_search, true, R, 1 * MiB, LH_BODY_JSON,
     "search as POST /vectors/search, only indexes over the profile's bound datasets (403 naming them otherwise)", "engine", false},
    {"POST", "/query/sql", lh__api_query_sql, true, R, 1 * MiB, LH_BODY_JSON,
     "run one read-only query: {sql, format: json|ndjson|csv|parquet, limit, as_of, timeout_ms, explain}; streamed", "engine", false},
    {"POST", "/query/cache/pin", lh__api_cache_pin, true, A, 4 * KiB, LH_BODY_JSON,
     "pin a dataset into memory (its queries read an in-memory copy, rebuilt on every commit): {dataset}", "engine", false},
    {"POST", "/query/cache/evict", lh__api_cache_evict, true, A, 4 * KiB, LH_BODY_JSON,
     "unpin a dataset (its queries read the Parquet files again): {dataset}", "engine", false},
    {"GET", "/query/cache/stats", lh__api_cache_stats, true, R, 0, LH_BODY_NONE,
     "hot cache: entries, bytes, hits, misses, evictions, per dataset", "engine", false},
    {"POST", "/query/compact", lh__api_compact, true, A, 4 * KiB, LH_BODY_JSON,
     "rewrite a dataset into one verified file without tombstoned rows: {dataset, erase_now}", "engine", false},
    {"POST", "/query/vacuum", lh__api_vacuum, true, A, 4 * KiB, LH_BODY_JSON,
     "delete unreferenced data files: {dataset, retention_hours (default 168)}", "engine", false},
    {"POST", "/ingest/file", lh__api_ingest_file, true, W, 0, LH_BODY_MULTIPART,
     "upload files (multipart/form-data, fields name, format, allow_schema_change, encoding, header, delim, quote, skip) into a dataset", "engine", false},
    {"POST", "/ingest/db", lh__api_ingest_db, true, W, 64 * KiB, LH_BODY_JSON,
     "ingest a PostgreSQL table or query: {dsn, table | query, dataset_name, allow_schema_change, order_by, limit, batch_size}", "engine", false},
    {"POST", "/ingest/postgres/import", lh__api_ingest_pg_import, true, W, 64 * KiB, LH_BODY_JSON,
     "the same from parts: {host, port, user, database, password_ref (secrets file [db_passwords]), sslmode, table | query, dataset_name, order_by, limit, batch_size}", "engine", false},
    {"GET", "/storage/objects", lh__api_objects_list, true, R, 0, LH_BODY_NONE,
     "list stored objects: ?prefix=", "storage", false},
    {"PUT", "/storage/objects/{key...}", lh__api_object_put, true, W, 256 * MiB, LH_BODY_RAW,
     "store an object (the body) under key", "storage", false},
    {"GET", "/storage/objects/{key...}", lh__api_object_get, true, R, 0, LH_BODY_NONE,
     "read an object", "storage", false},
    {"DELETE", "/storage/objects/{key...}", lh__api_object_delete, true, W, 0, LH_BODY_NONE,
     "delete an object", "storage", false},
    {"GET", "/journal/history/{entity_id}", lh__api_journal_history, true, R, 0, LH_BODY_NONE,
     "every journal event of one entity, oldest first", "engine", false},
    {"GET", "/journal/recent", lh__api_journal_recent, true, R, 0, LH_BODY_NONE,
     "the newest journal events, newest first (buffered ones included): ?limit= (default 100, max 10000)", "engine", false},
    {"GET", "/journal/stats", lh__api_journal_stats, true, R, 0, LH_BODY_NONE,
     "journal counters: events, buffered, flushed, files, bytes, last flush", "handler", false},
    {"POST", "/journal/event", lh__api_journal_event, true, W, 1 * MiB, LH_BODY_JSON,
     "record one event: {entity, entity_id, field?, old_value?, new_value?, source?, workspace?}", "storage", false},
    {"POST", "/journal/update", lh__api_journal_update, true, W, 1 * MiB, LH_BODY_JSON,
     "record a change, one event per field: {entity, entity_id, changes: {field: {old, new}}, source?, workspace?}", "storage", false},
    {"POST", "/vectors/search", lh__api_vectors_search, true, R, 1 * MiB, LH_BODY_JSON,
     "search an index: {index, query | vector, k, where, mode: dense|lexical|hybrid, columns, weight, fusion: weighted|rrf, int8, exact, as_of}", "engine", false},
    {"POST", "/vectors/rag", lh__api_vectors_rag, true, R, 64 * KiB, LH_BODY_JSON,
     "answer a question from an index with citations: {index, question, k, where, as_of}", "engine", false},
    {"POST", "/vectors/evaluate", lh__api_vectors_evaluate, true, R, 64 * KiB, LH_BODY_JSON,
     "nDCG@10 and recall@k of each search mode on judged queries: {index, queries, judgements, modes, k}", "engine", false},
    {"POST", "/journal/flush", lh__api_journal_flush, true, W, 4 * KiB, LH_BODY_JSON,
     "write the buffered events to Parquet now: {}", "engine", false},
    /* [ai] (api_ai.c): reader routes (they change nothing; /ai/sql never runs its SQL) */
    {"GET", "/ai/providers", lh__api_ai_providers, true, R, 0, LH_BODY_NONE,
     "the AI providers: which is configured, its endpoint and model, and whether it answers a cheap probe now", "ai", false},
    {"POST", "/ai/embed", lh__api_ai_embed, true, R, 10 * MiB, LH_BODY_JSON,
     "embed texts with the configured network provider: {texts[] (1-256, each up to 32 KiB)}", "ai", false},
    {"POST", "/ai/generate", lh__api_ai_generate, true, R, 256 * KiB, LH_BODY_JSON,
     "complete a prompt with the configured network provider: {prompt (up to 64 KiB)}", "ai", false},
    {"POST", "/ai/rerank", lh__api_ai_rerank, true, R, 10 * MiB, LH_BODY_JSON,
     "order texts by relevance to a query (cosine of the provider's embeddings): {query, texts[]}", "ai", false},
    {"POST", "/ai/sql", lh__api_ai_sql, true, R, 64 * KiB, LH_BODY_JSON,
     "plain words to SQL: {question, datasets?}; the SQL is checked by the gate and returned, never run", "ai", false},
    {"POST", "/vectors/index", lh__api_vectors_index, true, W, 64 * KiB, LH_BODY_JSON,
     "start a vector index build job: {name?, dataset, text_column, key_column, provider?, model?, chunk_size?, chunk_overlap?, chunk_unit?} -> 202 {job_id, index}", "engine", false},
    {"GET", "/vectors/jobs", lh__api_vectors_jobs, true, R, 0, LH_BODY_NONE,
     "index build and autotune jobs, newest first: kind, state, percent, rows_per_s, eta_s, error", "storage", false},
    {"GET", "/vectors/jobs/{id}", lh__api_vectors_job, true, R, 0, LH_BODY_NONE,
     "one index build or autotune job", "storage", false},
    {"POST", "/vectors/jobs/{id}/cancel", lh__api_vectors_cancel, true, W, 4 * KiB, LH_BODY_JSON,
     "cancel a queued or running build (its partial files are removed) or autotune: {}", "storage", false},
    {"GET", "/vectors/indexes", lh__api_vectors_list, true, R, 0, LH_BODY_NONE,
     "vector index registry entries: ?source=DATASET&model=NAME", "storage", false},
    {"GET", "/vectors/indexes/{name}", lh__api_vectors_get, true, R, 0, LH_BODY_NONE,
     "one vector index's registry entry", "storage", false},
    {"GET", "/vectors/stale", lh__api_vectors_stale, true, R, 0, LH_BODY_NONE,
     "vector indexes built from an older version than their dataset's (stale_since set)", "storage", false},
    {"DELETE", "/vectors/indexes/{name}", lh__api_vectors_drop, true, W, 0, LH_BODY_NONE,
     "drop a vector index (its registry entry, then its files)", "storage", false},
    {"POST", "/vectors/refresh/{dataset}", lh__api_vectors_refresh, true, W, 0, LH_BODY_NONE,
     "embed only the dataset's new or changed rows into each of its indexes and drop rows gone: {dataset, refreshed: [{index, rows_new, rows_changed, rows_removed, chunks_embedded, ...}]}", "engine", false},
    {"PUT", "/vectors/indexes/{name}/refresh", lh__api_vectors_policy, true, W, 4 * KiB, LH_BODY_JSON,
     "set an index's refresh policy: {refresh: \"manual\", \"on_append\" or {every_seconds: N}}", "storage", false},
    /* HNSW tuning (api_hnsw.c, vector/tune.h): trials, eval sets and autotune write journals,
     * eval files and promotions (writer); their reads are reader routes */
    {"POST", "/vectors/hnsw/evals", lh__api_hnsw_eval_create, true, W, 32 * MiB, LH_BODY_JSON,
     "create or replace an eval set: {name, index, queries?: [text] | [[numbers]]} (none: fill it with autogen); exact top-10 truth computed -> 201", "engine", false},
    {"GET", "/vectors/hnsw/evals", lh__api_hnsw_evals, true, R, 0, LH_BODY_NONE,
     "every eval set: name, index, kind, queries, stamp of the index build its truth is of", "storage", false},
    {"POST", "/vectors/hnsw/evals/{name}/autogen", lh__api_hnsw_autogen, true, W, 4 * KiB, LH_BODY_JSON,
     "fill an eval set with n rows of the index sampled as queries: {index, n (1-10000)}", "engine", false},
    {"POST", "/vectors/hnsw/trial", lh__api_hnsw_trial, true, W, 4 * KiB, LH_BODY_JSON,
     "build a graph and measure it on an eval set, journalled: {index, eval, M (4-64), ef_construction (10-400), ef_search (10-200), seed?} -> {trial_id, recall, p50_us, p95_us, p99_us, build_ms, memory_bytes}", "engine", false},
    {"GET", "/vectors/hnsw/trials/{index}", lh__api_hnsw_trials, true, R, 0, LH_BODY_NONE,
     "every trial of an index, oldest first (its journal)", "storage", false},
    {"GET", "/vectors/hnsw/trials/{index}/best", lh__api_hnsw_best, true, R, 0, LH_BODY_NONE,
     "the best trial: ?metric=recall|latency|pareto&min_recall=0.95 (latency: fastest over min_recall; pareto: the front)", "storage", false},
    {"GET", "/vectors/hnsw/cache/stats", lh__api_hnsw_cache_stats, true, R, 0, LH_BODY_NONE,
     "the embedding cache of trials: entries, bytes, hits, misses, evictions, per eval set", "handler", false},
    {"POST", "/vectors/hnsw/autotune", lh__api_hnsw_autotune, true, W, 16 * KiB, LH_BODY_JSON,
     "start an autotune job: {index, eval, min_recall? (0.95), grid? {M, ef_construction, ef_search}} -> 202 {job_id}; follow it at GET /vectors/jobs/{id}", "engine", false},
    /* HNSW promotion (api_hnsw_promote.c, vector/graphs.h): the config searches use */
    {"POST", "/vectors/hnsw/promote/{index}/{trial_id}", lh__api_hnsw_promote, true, W, 0, LH_BODY_NONE,
     "make a trial's config current and activate its graph (loaded from its file or built): the promotion record + graph: {source, build_ms, rows, bytes}", "engine", false},
    {"POST", "/vectors/hnsw/rollback/{index}", lh__api_hnsw_rollback, true, W, 0, LH_BODY_NONE,
     "back to the previous promoted config (or to none: exact search); 409 when nothing is promoted", "engine", false},
    {"GET", "/vectors/hnsw/promoted/{index}", lh__api_hnsw_promoted, true, R, 0, LH_BODY_NONE,
     "the promotion record {current, history (newest last, at most 50)} and active: the graph searches use now, or null", "storage", false},
};

const lh_http_route *lh_api_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
