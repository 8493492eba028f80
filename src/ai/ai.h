/* ai.h: the one interface to AI providers (issue 14, item 1): embed texts into vectors,
 * generate text from a prompt, rerank texts for a query. An lh_ai is one configured
 * provider; callers (index builds, search, RAG) never know which.
 *
 * Providers so far:
 *  - builtin (builtin.c): offline and deterministic. embed = the LSA model fitted on the
 *    index's own chunks (lsa.h); rerank = a weighted sum of min-max normalised BM25 (with
 *    the index's statistics, bm25.h) and cosine of the LSA vectors; generate is not there
 *    yet (LH_EUNSUPPORTED: the extractive answerer is still to come).
 *  - network providers (ai_http.c, ollama.c, openai.c; lh_ai_network_new below): embed
 *    and generate are requests to an Ollama or OpenAI-compatible server (timeouts,
 *    bounded retries with backoff, batching, a concurrency limit); rerank = the cosine of
 *    the server's embeddings of the query and of each text (neither API has a reranker).
 *
 * Thread-safety: every provider's calls may run from several threads at once (the
 * builtin's models are read-only after construction; a network provider shares only its
 * concurrency limit and learnt dims, under a lock). lh_ai_free must not race with them. */
#ifndef LH_AI_AI_H
#define LH_AI_AI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ai/bm25.h"
#include "ai/lsa.h"
#include "core/config.h"
#include "core/status.h"

typedef struct lh_ai lh_ai;

/* What a provider implements. self is the provider's own state, freed by free. */
typedef struct lh_ai_ops {
    const char *name; /* "builtin", "ollama", ... */
    lh_status (*embed)(void *self, const char *const *texts, const size_t *lens, size_t n,
                       float *out, lh_err *err);
    lh_status (*generate)(void *self, const char *prompt, char **out, lh_err *err);
    lh_status (*rerank)(void *self, const char *query, const char *const *texts,
                        const size_t *lens, size_t n, float *scores, lh_err *err);
    void (*free)(void *self);
    /* Optional: the embedding width when the provider was made without one (a network
     * provider with [ai] dims = 0 asks its server once). NULL: dims is always known. */
    lh_status (*learn_dims)(void *self, size_t *dims, lh_err *err);
    /* Optional: makes the calls in progress end soon and later ones fail at once (a
     * server that is stopping). NULL: the provider's calls are short anyway. */
    void (*interrupt)(void *self);
} lh_ai_ops;

/* Wraps a provider: ops and self (owned from now on: freed by lh_ai_free, or here on
 * failure), embedding width dims. */
lh_status lh_ai_new(const lh_ai_ops *ops, void *self, size_t dims, lh_ai **out, lh_err *err);
void lh_ai_free(lh_ai *ai);

const char *lh_ai_name(const lh_ai *ai);
/* The width of every vector lh_ai_embed writes; 0 while a network provider configured
 * without dims has not asked its server yet (lh_ai_dims_resolve does). */
size_t lh_ai_dims(const lh_ai *ai);
/* The width, asking the server once when it is not known yet (one embed of a short
 * text; the answer is kept). Thread-safe. */
lh_status lh_ai_dims_resolve(lh_ai *ai, size_t *dims, lh_err *err);

/* Embeds texts[0, n) into out[0, n * dims) (row i = text i), dims as lh_ai_dims_resolve
 * gives it (call that first to size out). lens may be NULL (then each text is
 * NUL-terminated). */
lh_status lh_ai_embed(lh_ai *ai, const char *const *texts, const size_t *lens, size_t n,
                      float *out, lh_err *err);
/* The provider's completion of prompt into *out (caller frees). LH_EUNSUPPORTED when the
 * provider does not generate. */
lh_status lh_ai_generate(lh_ai *ai, const char *prompt, char **out, lh_err *err);
/* A relevance score for each of texts[0, n) against query into scores[0, n): higher is
 * more relevant; comparable within one call only. */
lh_status lh_ai_rerank(lh_ai *ai, const char *query, const char *const *texts, const size_t *lens,
                       size_t n, float *scores, lh_err *err);

/* Stops the provider for good (lh_ai_ops.interrupt): a request in flight or a backoff
 * sleep ends within about a second, and every call from now on fails (LH_EIO, "the
 * server is stopping"). For shutdown; thread-safe; NULL is fine. */
void lh_ai_interrupt(lh_ai *ai);

/* The builtin provider over a fitted LSA model and the index's BM25 (both owned from now
 * on, also on failure). dense_weight in [0, 1] is the cosine's share of a rerank score
 * (the rest is BM25's); lh_ai_builtin_default_weight() is the measured default. */
lh_status lh_ai_builtin_new(lh_lsa *lsa, lh_bm25 *bm25, float dense_weight, lh_ai **out,
                            lh_err *err);
float lh_ai_builtin_default_weight(void);

/* ---- network providers ----------------------------------------------------------------
 * [ai] in the configuration (docs/CONFIG.md "[ai]"), read by lh_ai_config_load. Strings
 * are borrowed from the lh_config (they live as long as it does), except api_key. */
typedef struct lh_ai_config {
    const char *provider;       /* "builtin", "ollama" or "openai" */
    const char *model;          /* the embedding model ("" = none configured) */
    const char *generate_model; /* the generating model; "" = model */
    const char *endpoint;       /* the server's base URL, e.g. "http://127.0.0.1:11434";
                                 * "" = the provider's usual one (lh_ai_config_endpoint) */
    bool chat;                  /* ollama: generate through /api/chat, not /api/generate */
    size_t dims;                /* expected embedding width; 0 = what the server returns */
    size_t batch;               /* texts per embedding request (>= 1) */
    int64_t timeout_ms;         /* per attempt (>= 1) */
    unsigned retries;           /* further attempts after a 429, a 5xx or a timeout */
    int64_t retry_base_ms;      /* the first backoff; doubles per attempt (>= 1) */
    unsigned concurrency;       /* requests in flight at once per provider (>= 1) */
    const char *api_key_env;    /* the environment variable holding the key ("" = none) */
    char *api_key;              /* owned, wiped by lh_ai_config_release; NULL = no key */
    const char *api_key_source; /* "env NAME", "secrets file" or NULL: says where, never what */
} lh_ai_config;

/* Reads [ai] from cfg into *out (release with lh_ai_config_release, also on failure). The
 * API key comes from the environment variable named by [ai] api_key_env when it is set
 * and not empty, else from [ai] api_key in the secrets file ([auth] secrets_file, mode
 * 0600, core/secrets.h) when that file is configured; a key in lakehouse.toml itself is
 * refused (it would be printed by `config`, copied with the file). LH_EINVAL names the bad
 * key: an unknown provider, an endpoint that is not http(s)://. The key is never logged. */
lh_status lh_ai_config_load(const lh_config *cfg, lh_ai_config *out, lh_err *err);
void lh_ai_config_release(lh_ai_config *c);
/* The endpoint in effect: c->endpoint, or the provider's usual one
 * ("http://127.0.0.1:11434" for ollama, "https://api.openai.com" for openai); "" for
 * builtin. Borrowed. */
const char *lh_ai_config_endpoint(const lh_ai_config *c);

/* The network provider c names ("ollama" or "openai") into *out (lh_ai_free). No request
 * is made here: a server that is down fails the first call, not this one. The key and
 * settings are copied; c may be released afterwards. LH_EINVAL for the builtin provider
 * (it is fitted per index: lh_ai_builtin_new) or an unknown one; LH_ENOMEM.
 * Errors of the calls on *out: LH_EIO (connection failed, HTTP error, a reply that is not
 * the API's JSON, wrong dims), LH_ETIMEOUT (every attempt timed out), LH_ETOOBIG (a reply
 * over 256 MiB); each message names the provider and the endpoint and path, never the key. */
lh_status lh_ai_network_new(const lh_ai_config *c, lh_ai **out, lh_err *err);

/* A cheap reachability check of c's server (ollama GET /api/tags, openai GET /v1/models),
 * one attempt within timeout_ms: LH_OK when it answers 2xx, else the error as above. */
lh_status lh_ai_probe(const lh_ai_config *c, int64_t timeout_ms, lh_err *err);

/* ---- plain words -> SQL (ai_sql.c), for POST /ai/sql --------------------------------------
 * The prompt for a generating provider: the template of docs/INTERNALS.md "AI providers"
 * with one line per dataset of manifests (an array of dataset manifests: name, columns
 * [{name, type}], description; names quoted as SQL identifiers, descriptions cut to one
 * line of 200 bytes) and the question. LH_ETOOBIG over max bytes. *out: the caller frees. */
lh_status lh_ai_sql_prompt(const json_t *manifests, const char *question, size_t max,
                           char **out, lh_err *err);
/* The SQL in a model's answer: the content of its first ``` fenced block when it has one,
 * else the whole answer, trimmed, without a leading "SQL:" label. Text only: whether the
 * SQL may run is the gate's decision (lh_engine_check_sql). LH_EINVAL when nothing is
 * left, LH_ETOOBIG over 64 KiB. *sql: the caller frees. */
lh_status lh_ai_sql_extract(const char *answer, char **sql, lh_err *err);

#endif
