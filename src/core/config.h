/* config.h: the effective configuration (DESIGN.md section 6).
 *
 * Sources, each overriding the one before:
 *   1. built-in defaults, which make `lakehouse serve` work with no config at all:
 *        [server]  bind = "127.0.0.1:3100", threads = 0 (0 = one per core),
 *                  request_timeout_ms = 30000, max_body_bytes = 1073741824,
 *                  workers = 0 (handler threads; 0 = twice the cores, at least 4),
 *                  per_ip_connections = 64, header_limit_bytes = 65536,
 *                  shutdown_ms = 10000, access_log = true,
 *                  header_timeout_ms = 10000 (headers complete within this, however
 *                  slowly they trickle), allowed_hosts = [] and allowed_origins = []
 *                  (arrays of strings; comma-separated in env/overrides; see docs/API.md
 *                  "Host, Origin and browsers"), allow_unauthenticated_remote = false,
 *                  health_probe_ms = 1000 (how long /health reuses its last engine probe)
 *        [storage] root = "./data", buckets = [] (optional [[storage.buckets]] entries,
 *                  each with a string `name` and an optional string `root`),
 *                  checkpoint_interval = 10 (a Delta checkpoint every N commits; 0 = none)
 *        [auth]    enabled = false, secrets_file = "", health_open = true
 *        [ai]      provider = "builtin" (or "ollama", "openai"), model = "",
 *                  generate_model = "" (= model), endpoint = "" (the provider's usual
 *                  local address), chat = false (ollama: /api/chat instead of
 *                  /api/generate), dims = 0 (0 = what the server returns), batch = 32,
 *                  timeout_ms = 30000, retries = 3, retry_base_ms = 250,
 *                  concurrency = 4, api_key_env = "LAKEHOUSE_AI_API_KEY" (the
 *                  variable holding the key; else the secrets file's [ai] api_key);
 *                  see ai/ai.h lh_ai_config_load and docs/CONFIG.md
 *        [cache]   max_bytes = 0 (0 = 25% of RAM, decided by the cache)
 *        [query]   timeout_ms = 30000, max_timeout_ms = 600000, max_sql_bytes = 262144
 *        [engine]  memory_limit = "" (DuckDB's memory_limit; "" = half of RAM),
 *                  max_temp_size = "16GB" (DuckDB's max_temp_directory_size)
 *        [tracing] exporter = "none" (or "stdout", "file"), file = "" (OTLP/JSON lines)
 *        [ingest]  db_allowed_hosts = LH_CONFIG_DB_ALLOWED_HOSTS: the PostgreSQL hosts,
 *                  addresses and Unix socket directories (comma-separated, exact
 *                  match) that POST /ingest/db may connect to; any other host gets the
 *                  same message as a failed connection. The local CLI is not limited.
 *   2. the TOML file (core/toml.h);
 *   3. environment variables LAKEHOUSE_<SECTION>_<KEY> for every scalar key above, e.g.
 *      LAKEHOUSE_SERVER_BIND, LAKEHOUSE_CACHE_MAX_BYTES;
 *   4. command-line overrides "section.key=value" for the same keys.
 * Env and override values are typed by the default: integers in decimal, booleans as
 * true/false/1/0/yes/no/on/off (any case), strings verbatim. Integer keys also have a
 * minimum (timeouts >= 1, the others >= 0).
 *
 * Unknown sections and keys in the file are kept in the tree (lh_config_get reaches
 * them) and reported as warnings, never as errors, so that an older binary reads a newer
 * file. A known key with the wrong type is an error:
 *   "lakehouse.toml: key server.threads: expected an integer".
 *
 * An lh_config is immutable after load: any number of threads may read it at once. */
#ifndef LH_CORE_CONFIG_H
#define LH_CORE_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct lh_config lh_config;

#define LH_CONFIG_DEFAULT_PATH "./lakehouse.toml"

/* Default of ingest.db_allowed_hosts (documented above). */
#define LH_CONFIG_DB_ALLOWED_HOSTS \
    "localhost,127.0.0.1,::1,/var/run/postgresql,/run/postgresql,/tmp"

/* Builds the effective configuration into *out (free with lh_config_free).
 * path:      the TOML file; a missing file is LH_ENOTFOUND. NULL means
 *            LH_CONFIG_DEFAULT_PATH if it exists, else defaults only.
 * envp:      "NAME=value" strings ending with NULL, normally `environ`; NULL reads no
 *            environment (tests pass their own arrays).
 * overrides: n_overrides strings "section.key=value" (may be NULL when n is 0); an
 *            unknown key, a missing '=' or a badly typed value is LH_EINVAL.
 * Errors: LH_EINVAL (bad TOML: "FILE:LINE:COL: ...", wrong type, bad env value naming
 * the variable, bad override), LH_ENOTFOUND, LH_EIO, LH_ETOOBIG (file over 16 MiB),
 * LH_ENOMEM. On failure *out is NULL. */
lh_status lh_config_load(const char *path, char **envp, const char *const *overrides,
                         size_t n_overrides, lh_config **out, lh_err *err);

/* Typed reads by dotted key ("server.bind"). Each returns fallback when the key is
 * missing or holds another type. Strings live as long as the config. */
const char *lh_config_str(const lh_config *cfg, const char *dotted_key, const char *fallback);
int64_t lh_config_int(const lh_config *cfg, const char *dotted_key, int64_t fallback);
bool lh_config_bool(const lh_config *cfg, const char *dotted_key, bool fallback);

/* Any node by dotted key ("storage.buckets" is an array of objects); NULL if missing.
 * Borrowed: valid until lh_config_free, and must not be modified. */
const json_t *lh_config_get(const lh_config *cfg, const char *dotted_key);

/* The whole effective tree (borrowed, read-only), e.g. for /api/config. */
const json_t *lh_config_root(const lh_config *cfg);

/* The file that was read, or NULL when only defaults/env/overrides applied. */
const char *lh_config_path(const lh_config *cfg);

/* Warnings gathered while loading (unknown sections and keys), as an array of strings;
 * never NULL. They were also logged at warn level. Borrowed like lh_config_get. */
const json_t *lh_config_warnings(const lh_config *cfg);

/* The effective configuration as TOML text that lh_toml_parse reads back to the same
 * tree. With hide_secrets, the value of every key whose name contains "key", "secret",
 * "password" or "token" (any case, at any depth) is written as "***". Returns a heap
 * string the caller frees, or NULL when out of memory. */
char *lh_config_dump(const lh_config *cfg, bool hide_secrets);

/* Frees cfg and everything borrowed from it; NULL is fine. */
void lh_config_free(lh_config *cfg);

#endif
