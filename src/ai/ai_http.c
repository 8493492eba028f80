/* ai_http.c: what the network providers share (ai_int.h): [ai] config and the API key,
 * the factory, and one request with retries, backoff and a concurrency limit over
 * src/net's libcurl client. The wire formats are in ollama.c and openai.c.
 *
 * Retries: an attempt that gets HTTP 429, any 5xx, or no complete reply within
 * timeout_ms is tried again, up to [ai] retries more times, after a backoff of
 * retry_base_ms * 2^(n-1) (capped at 30 s) with jitter (uniform in [d/2, d]), or exactly the
 * server's Retry-After (capped at 60 s). Anything else is final at once: another 4xx
 * (a bad key or model will not get better), a refused connection, a reply cut off, or a
 * 2xx whose body is not the API's JSON. docs/INTERNALS.md "AI providers". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ai/ai_int.h"
#include "core/alloc.h"
#include "core/secrets.h"
#include "core/util.h"
#include "net/client.h"

enum {
    REPLY_MAX = 256 << 20,   /* a batch of 32 x 4096 floats as JSON is ~3 MiB */
    BACKOFF_CAP_MS = 30000,
    RETRY_AFTER_CAP_MS = 60000,
    DIMS_MAX = 65536,
};

/* ---- config ----------------------------------------------------------------------------- */

static const lh__ai_wire *wire_of(const char *provider)
{
    if (!strcmp(provider, "ollama"))
        return &lh__ai_ollama_wire;
    if (!strcmp(provider, "openai"))
        return &lh__ai_openai_wire;
    return NULL;
}

const char *lh_ai_config_endpoint(const lh_ai_config *c)
{
    const lh__ai_wire *w = wire_of(c->provider);
    if (!w)
        return "";
    return c->endpoint && *c->endpoint ? c->endpoint : w->default_endpoint;
}

void lh_ai_config_release(lh_ai_config *c)
{
    if (c->api_key) {
        explicit_bzero(c->api_key, strlen(c->api_key));
        free(c->api_key);
    }
    c->api_key = NULL;
}

/* [ai] api_key of the secrets file into c->api_key; no file configured is no key. */
static lh_status key_from_secrets(const lh_config *cfg, lh_ai_config *c, lh_err *err)
{
    const char *path = lh_config_str(cfg, "auth.secrets_file", "");
    if (!*path)
        return LH_OK;
    json_t *doc = NULL;
    lh_status st = lh_secrets_read(path, &doc, err);
    if (st == LH_ENOTFOUND) /* a server without auth may name a file it has not made yet */
        return LH_OK;
    if (st)
        return lh_fail_wrap(err, st, "[ai] api key");
    const json_t *k = json_object_get(json_object_get(doc, "ai"), "api_key");
    if (k && !json_is_string(k))
        st = lh_fail(err, LH_EINVAL, "secrets file %s: [ai] api_key must be a string", path);
    else if (k && json_string_length(k)) {
        if (!(c->api_key = lh_strdup(json_string_value(k))))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        c->api_key_source = "secrets file";
    }
    /* the parsed copy of the key: wiped before jansson frees it */
    if (k && json_is_string(k))
        explicit_bzero((char *)json_string_value(k), json_string_length(k));
    json_decref(doc);
    return st;
}

/* Checks the endpoint: http(s)://, no credentials in it (they would show in messages). */
static lh_status check_endpoint(const char *e, lh_err *err)
{
    const char *rest = !strncmp(e, "http://", 7) ? e + 7 : !strncmp(e, "https://", 8) ? e + 8 : NULL;
    if (!rest || !*rest)
        return lh_fail(err, LH_EINVAL, "[ai] endpoint must start with http:// or https://");
    size_t auth_len = strcspn(rest, "/?#");
    if (memchr(rest, '@', auth_len))
        return lh_fail(err, LH_EINVAL, "[ai] endpoint must not hold credentials (put the key in "
                       "the secrets file or the [ai] api_key_env variable)");
    for (const char *p = e; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return lh_fail(err, LH_EINVAL, "[ai] endpoint holds a space or a control character");
    return LH_OK;
}

lh_status lh_ai_config_load(const lh_config *cfg, lh_ai_config *c, lh_err *err)
{
    memset(c, 0, sizeof *c);
    c->provider = lh_config_str(cfg, "ai.provider", "builtin");
    c->model = lh_config_str(cfg, "ai.model", "");
    c->generate_model = lh_config_str(cfg, "ai.generate_model", "");
    c->endpoint = lh_config_str(cfg, "ai.endpoint", "");
    c->chat = lh_config_bool(cfg, "ai.chat", false);
    int64_t dims = lh_config_int(cfg, "ai.dims", 0);
    c->batch = (size_t)lh_config_int(cfg, "ai.batch", 32);
    c->timeout_ms = lh_config_int(cfg, "ai.timeout_ms", 30000);
    int64_t retries = lh_config_int(cfg, "ai.retries", 3);
    c->retry_base_ms = lh_config_int(cfg, "ai.retry_base_ms", 250);
    int64_t conc = lh_config_int(cfg, "ai.concurrency", 4);
    c->api_key_env = lh_config_str(cfg, "ai.api_key_env", "");
    if (strcmp(c->provider, "builtin") && !wire_of(c->provider))
        return lh_fail(err, LH_EINVAL, "[ai] provider '%.64s' is not one of builtin, ollama, openai",
                       c->provider);
    if (dims < 0 || dims > DIMS_MAX)
        return lh_fail(err, LH_EINVAL, "[ai] dims must be from 0 to %d", DIMS_MAX);
    if (retries > 20)
        return lh_fail(err, LH_EINVAL, "[ai] retries must be from 0 to 20");
    if (conc > 256 || c->batch > 4096)
        return lh_fail(err, LH_EINVAL, "[ai] concurrency must be at most 256 and batch at most 4096");
    c->dims = (size_t)dims;
    c->retries = (unsigned)retries;
    c->concurrency = (unsigned)conc;
    if (lh_config_get(cfg, "ai.api_key"))
        return lh_fail(err, LH_EINVAL, "[ai] api_key does not belong in the configuration file: "
                       "put it in the secrets file's [ai] table or in the variable [ai] api_key_env names");
    if (!strcmp(c->provider, "builtin"))
        return LH_OK;
    lh_status st = check_endpoint(lh_ai_config_endpoint(c), err);
    if (st)
        return st;
    const char *v = *c->api_key_env ? getenv(c->api_key_env) : NULL;
    if (v && *v) {
        if (!(c->api_key = lh_strdup(v)))
            return lh_fail(err, LH_ENOMEM, "out of memory");
        c->api_key_source = "env";
        return LH_OK;
    }
    return key_from_secrets(cfg, c, err);
}

/* ---- the factory ------------------------------------------------------------------------ */

void lh__ai_net_free(void *self)
{
    lh__ai_net *n = self;
    if (!n)
        return;
    if (n->auth_header) {
        explicit_bzero(n->auth_header, strlen(n->auth_header));
        free(n->auth_header);
    }
    if (n->key) {
        explicit_bzero(n->key, strlen(n->key));
        free(n->key);
    }
    free(n->base);
    free(n->model);
    free(n->generate_model);
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    free(n);
}

/* The provider state for c into *out (lh__ai_net_free). */
static lh_status net_new(const lh_ai_config *c, lh__ai_net **out, lh_err *err)
{
    *out = NULL;
    const lh__ai_wire *w = wire_of(c->provider ? c->provider : "");
    if (!w)
        return lh_fail(err, LH_EINVAL, "'%.64s' is not a network provider (ollama, openai)%s",
                       c->provider ? c->provider : "",
                       c->provider && !strcmp(c->provider, "builtin")
                           ? ": the builtin model is fitted per index" : "");
    const char *endpoint = lh_ai_config_endpoint(c);
    lh_status st = check_endpoint(endpoint, err);
    if (st)
        return st;
    lh__ai_net *n = lh_calloc(1, sizeof *n);
    if (!n)
        return lh_fail(err, LH_ENOMEM, "out of memory for the %s provider", w->name);
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    n->wire = w;
    n->chat = c->chat;
    n->dims = c->dims;
    n->batch = c->batch ? c->batch : 1;
    n->timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : 30000;
    n->retry_base_ms = c->retry_base_ms > 0 ? c->retry_base_ms : 250;
    n->retries = c->retries;
    n->free_slots = c->concurrency ? c->concurrency : 1;
    size_t blen = strlen(endpoint);
    while (blen && endpoint[blen - 1] == '/')
        blen--;
    /* OpenAI SDKs take the base URL with /v1; our paths carry it */
    if (w == &lh__ai_openai_wire && blen >= 3 && !memcmp(endpoint + blen - 3, "/v1", 3))
        blen -= 3;
    const char *model = c->model ? c->model : "";
    const char *gen = c->generate_model && *c->generate_model ? c->generate_model : model;
    bool ok = (n->base = lh_strndup(endpoint, blen)) && (n->model = lh_strdup(model)) &&
              (n->generate_model = lh_strdup(gen));
    if (ok && c->api_key && *c->api_key) {
        lh_buf h;
        lh_buf_init(&h, 16384);
        lh_buf_adds(&h, "Authorization: Bearer ");
        lh_buf_adds(&h, c->api_key);
        n->auth_header = lh_buf_detach(&h); /* NULL after a failure (a key over 16 KiB too) */
        ok = n->auth_header && (n->key = lh_strdup(c->api_key));
    }
    if (!ok) {
        lh__ai_net_free(n);
        return lh_fail(err, LH_ENOMEM, "out of memory for the %s provider (or a key over 16 KiB)",
                       w->name);
    }
    *out = n;
    return LH_OK;
}

lh_status lh_ai_network_new(const lh_ai_config *c, lh_ai **out, lh_err *err)
{
    *out = NULL;
    lh__ai_net *n = NULL;
    lh_status st = net_new(c, &n, err);
    if (st)
        return st;
    const lh_ai_ops *ops = n->wire == &lh__ai_ollama_wire ? &lh__ai_ollama_ops : &lh__ai_openai_ops;
    return lh_ai_new(ops, n, n->dims, out, err);
}

/* ---- one request, with retries ---------------------------------------------------------- */

int64_t lh__ai_backoff_ms(int64_t base_ms, unsigned attempt, int64_t retry_after_ms, double r)
{
    if (retry_after_ms >= 0)
        return retry_after_ms > RETRY_AFTER_CAP_MS ? RETRY_AFTER_CAP_MS : retry_after_ms;
    double d = (double)base_ms;
    for (unsigned i = 1; i < attempt && d < BACKOFF_CAP_MS; i++)
        d *= 2;
    if (d > BACKOFF_CAP_MS)
        d = BACKOFF_CAP_MS;
    if (!(r >= 0 && r <= 1))
        r = 1;
    return (int64_t)(d / 2 + r * d / 2);
}

/* A draw in [0, 1] for the jitter: splitmix64 over the clock and a counter. */
static double jitter_draw(void)
{
    static uint64_t counter;
    uint64_t z = (uint64_t)(lh_mono_ms() * 1000.0) + __atomic_add_fetch(&counter, 0x9e3779b97f4a7c15ULL, __ATOMIC_RELAXED);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / (double)(1ULL << 53);
}

static bool stopping(const lh__ai_net *n)
{
    return __atomic_load_n(&n->stopping, __ATOMIC_ACQUIRE) != 0;
}

void lh__ai_net_interrupt(void *self)
{
    lh__ai_net *n = self;
    pthread_mutex_lock(&n->mu);
    __atomic_store_n(&n->stopping, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&n->cv); /* waiters for a slot give up */
    pthread_mutex_unlock(&n->mu);
}

/* Sleeps ms, in slices, ending early once the provider is stopping. */
static void sleep_ms(const lh__ai_net *n, int64_t ms)
{
    while (ms > 0 && !stopping(n)) {
        int64_t slice = ms < 50 ? ms : 50;
        struct timespec ts = {0, (long)slice * 1000000L};
        while (nanosleep(&ts, &ts))
            ;
        ms -= slice;
    }
}

/* Waits for a free slot of the concurrency limit; false when the provider is stopping. */
static bool slot_take(lh__ai_net *n)
{
    pthread_mutex_lock(&n->mu);
    while (!n->free_slots && !stopping(n))
        pthread_cond_wait(&n->cv, &n->mu);
    bool ok = !stopping(n);
    if (ok)
        n->free_slots--;
    pthread_mutex_unlock(&n->mu);
    return ok;
}

static void slot_give(lh__ai_net *n)
{
    pthread_mutex_lock(&n->mu);
    n->free_slots++;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
}

/* Appends s[0, n) to b with every occurrence of key replaced by "***". */
static void add_scrubbed(lh_buf *b, const char *s, size_t n, const char *key)
{
    size_t klen = key ? strlen(key) : 0;
    for (size_t i = 0; i < n;) {
        if (klen && n - i >= klen && !memcmp(s + i, key, klen)) {
            lh_buf_adds(b, "***");
            i += klen;
        } else {
            lh_buf_addc(b, s[i++]);
        }
    }
}

void lh__ai_server_message(const char *body, size_t len, const char *key, char *out, size_t size)
{
    json_t *j = lh_json_loadb(body, len, 0, NULL);
    const json_t *e = json_object_get(j, "error");
    const char *msg = json_string_value(e);
    if (!msg)
        msg = json_string_value(json_object_get(e, "message"));
    if (!msg)
        msg = json_string_value(json_object_get(j, "message"));
    size_t mlen = msg ? strlen(msg) : len;
    if (!msg)
        msg = body ? body : "";
    lh_buf b;
    lh_buf_init(&b, 1 << 20);
    add_scrubbed(&b, msg, mlen > 4096 ? 4096 : mlen, key);
    json_decref(j);
    /* a key cut by the 4096 limit could leave its first part: drop any tail that is a
     * prefix of the key */
    const char *t = lh_buf_cstr(&b);
    size_t tl = b.len, klen = key ? strlen(key) : 0;
    for (size_t k = klen ? klen - 1 : 0; k >= 4 && klen; k--)
        if (tl >= k && !memcmp(t + tl - k, key, k)) {
            tl -= k;
            break;
        }
    size_t o = 0;
    for (size_t i = 0; i < tl && o + 4 < size && o < 200;) {
        unsigned char ch = (unsigned char)t[i];
        size_t cl = ch < 0x80 ? 1 : (ch >> 5) == 6 ? 2 : (ch >> 4) == 14 ? 3 : (ch >> 3) == 30 ? 4 : 0;
        if (cl > 1 && i + cl <= tl && lh_utf8_valid(t + i, cl)) {
            if (o + cl + 4 >= size || o + cl > 200)
                break;
            memcpy(out + o, t + i, cl);
            o += cl;
            i += cl;
            continue;
        }
        out[o++] = cl == 1 && ch >= 0x20 && ch != 0x7f ? (char)ch : cl == 1 ? ' ' : '?';
        i++;
    }
    out[o] = '\0';
    lh_buf_release(&b);
}

/* "ollama at http://host:11434/api/embed" into where. */
static void where_of(const lh__ai_net *n, const char *path, char *where, size_t size)
{
    snprintf(where, size, "%s at %.300s%.100s", n->wire->name, n->base, path);
}

/* One call of method on path with body (NULL: none), retried as the file's comment says;
 * *reply the parsed JSON object. */
static lh_status net_call(lh__ai_net *n, const char *method, const char *path, const json_t *body,
                          unsigned retries, int64_t timeout_ms, json_t **reply, lh_err *err)
{
    *reply = NULL;
    char where[512];
    where_of(n, path, where, sizeof where);
    char *text = body ? lh_json_dumps(body, JSON_COMPACT) : NULL;
    lh_buf url;
    lh_buf_init(&url, 8192);
    lh_buf_adds(&url, n->base);
    lh_buf_adds(&url, path);
    if ((body && !text) || lh_buf_status(&url)) {
        free(text);
        lh_buf_release(&url);
        return lh_fail(err, LH_ENOMEM, "%s: out of memory building the request", where);
    }
    const char *headers[4] = {"Content-Type: application/json", "Accept: application/json", NULL, NULL};
    headers[2] = n->auth_header;
    lh_net_request req = {.method = method, .url = lh_buf_cstr(&url), .headers = headers,
                          .body = text, .body_len = text ? strlen(text) : 0,
                          .timeout_ms = timeout_ms, .connect_timeout_ms = timeout_ms,
                          .max_reply = REPLY_MAX, .cancel = &n->stopping};
    lh_status st = LH_OK;
    for (unsigned attempt = 0;; attempt++) {
        if (!slot_take(n)) {
            st = lh_fail(err, LH_EIO, "%s: not sent: the server is stopping", where);
            break;
        }
        lh_net_reply rep;
        lh_err nerr;
        st = lh_net_http(&req, &rep, &nerr);
        slot_give(n);
        bool retry = false;
        if (st == LH_ETIMEOUT) {
            retry = true;
            lh_fail(err, st, "%s: %s", where, nerr.msg);
        } else if (st) {
            lh_fail(err, st, "%s: %s", where, nerr.msg);
        } else if (rep.http < 200 || rep.http > 299) {
            char msg[256];
            lh__ai_server_message(lh_buf_cstr(&rep.body), rep.body.len, n->key, msg, sizeof msg);
            retry = rep.http == 429 || rep.http >= 500;
            st = lh_fail(err, LH_EIO, "%s: HTTP %ld%s%s", where, rep.http, *msg ? ": " : "", msg);
        } else {
            json_error_t je;
            *reply = lh_json_loadb(lh_buf_cstr(&rep.body), rep.body.len, 0, &je);
            if (!*reply)
                st = lh_fail(err, LH_EIO, "%s: the reply is not valid JSON (%s at byte %d of %zu)",
                             where, je.text, je.position, rep.body.len);
            else if (!json_is_object(*reply)) {
                json_decref(*reply);
                *reply = NULL;
                st = lh_fail(err, LH_EIO, "%s: the reply is not a JSON object", where);
            }
        }
        int64_t retry_after = rep.retry_after_ms;
        lh_net_reply_release(&rep);
        if (!st || !retry)
            break;
        if (stopping(n)) {
            lh_fail_wrap(err, st, "not retried: the server is stopping");
            break;
        }
        if (attempt >= retries) {
            if (retries) {
                char first[sizeof err->msg];
                memcpy(first, err->msg, sizeof first);
                lh_fail(err, st, "%.900s (after %u attempts)", first, attempt + 1);
            }
            break;
        }
        int64_t wait = lh__ai_backoff_ms(n->retry_base_ms, attempt + 1, retry_after, jitter_draw());
        lh_log(LH_LOG_WARN, "%s: attempt %u failed, retrying in %lld ms", where, attempt + 1,
               (long long)wait);
        sleep_ms(n, wait);
    }
    free(text);
    lh_buf_release(&url);
    return st;
}

/* ---- the ops ------------------------------------------------------------------------------ */

lh_status lh__ai_copy_vectors(const json_t *const *rows, size_t n, size_t dims, float *out,
                              lh_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *r = rows[i];
        if (!json_is_array(r))
            return lh_fail(err, LH_EIO, "embedding %zu is not an array of numbers", i);
        if (json_array_size(r) != dims)
            return lh_fail(err, LH_EIO, "embedding %zu has %zu values, expected %zu (the model's "
                           "width differs from [ai] dims or from its earlier answers)",
                           i, json_array_size(r), dims);
        for (size_t c = 0; c < dims; c++) {
            const json_t *v = json_array_get(r, c);
            double d = json_number_value(v);
            if (!json_is_number(v) || !isfinite(d) || fabs(d) > 3.4e38)
                return lh_fail(err, LH_EIO, "embedding %zu value %zu is not a finite number", i, c);
            out[i * dims + c] = (float)d;
        }
    }
    return LH_OK;
}

/* Embeds one batch of k texts into out (k * dims floats; dims 0: only *got_dims is set,
 * from the first vector, and out is not written). */
static lh_status embed_batch(lh__ai_net *n, const char *const *texts, const size_t *lens, size_t k,
                             size_t dims, float *out, size_t *got_dims, lh_err *err)
{
    const lh__ai_wire *w = n->wire;
    char where[512];
    where_of(n, w->embed_path, where, sizeof where);
    json_t *body = w->embed_body(n->model, texts, lens, k);
    if (!body)
        return lh_fail(err, LH_ENOMEM, "%s: out of memory building the request", where);
    json_t *reply = NULL;
    lh_status st = net_call(n, "POST", w->embed_path, body, n->retries, n->timeout_ms, &reply, err);
    json_decref(body);
    const json_t **rows = st ? NULL : lh_calloc(k, sizeof *rows);
    if (!st && !rows)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st && (st = w->embed_rows(reply, k, rows, err)))
        lh_fail_wrap(err, st, "%s", where);
    if (!st && !dims) {
        size_t d = json_array_size(rows[0]);
        if (!json_is_array(rows[0]) || !d || d > DIMS_MAX)
            st = lh_fail(err, LH_EIO, "%s: the first embedding has %zu values (expected 1 to %d)",
                         where, d, DIMS_MAX);
        *got_dims = d;
    } else if (!st && (st = lh__ai_copy_vectors(rows, k, dims, out, err))) {
        lh_fail_wrap(err, st, "%s", where);
    }
    free(rows);
    json_decref(reply);
    return st;
}

static lh_status check_texts(lh__ai_net *n, const char *const *texts, const size_t *lens,
                             size_t count, lh_err *err)
{
    for (size_t i = 0; i < count; i++)
        if (!lh_utf8_valid(texts[i], lens[i]))
            return lh_fail(err, LH_EINVAL, "%s: text %zu is not valid UTF-8", n->wire->name, i);
    if (!*n->model)
        return lh_fail(err, LH_EINVAL, "%s: no embedding model: set [ai] model", n->wire->name);
    return LH_OK;
}

lh_status lh__ai_net_embed(void *self, const char *const *texts, const size_t *lens, size_t count,
                           float *out, lh_err *err)
{
    lh__ai_net *n = self;
    lh_status st = check_texts(n, texts, lens, count, err);
    for (size_t i = 0; !st && i < count; i += n->batch) {
        size_t k = count - i < n->batch ? count - i : n->batch;
        st = embed_batch(n, texts + i, lens + i, k, n->dims, out + i * n->dims, NULL, err);
    }
    return st;
}

lh_status lh__ai_net_learn_dims(void *self, size_t *dims, lh_err *err)
{
    lh__ai_net *n = self;
    static const char *const probe[] = {"dimension probe"};
    static const size_t probe_len[] = {15};
    size_t d = 0;
    lh_status st = check_texts(n, probe, probe_len, 1, err);
    if (!st)
        st = embed_batch(n, probe, probe_len, 1, 0, NULL, &d, err);
    if (!st)
        *dims = n->dims = d;
    return st;
}

lh_status lh__ai_net_generate(void *self, const char *prompt, char **out, lh_err *err)
{
    lh__ai_net *n = self;
    const lh__ai_wire *w = n->wire;
    const char *path = w->generate_path(n->chat);
    char where[512];
    where_of(n, path, where, sizeof where);
    *out = NULL;
    if (!*n->generate_model)
        return lh_fail(err, LH_EINVAL, "%s: no model: set [ai] generate_model or [ai] model", w->name);
    if (!lh_utf8_valid(prompt, strlen(prompt)))
        return lh_fail(err, LH_EINVAL, "%s: the prompt is not valid UTF-8", w->name);
    json_t *body = w->generate_body(n->generate_model, prompt, n->chat);
    if (!body)
        return lh_fail(err, LH_ENOMEM, "%s: out of memory building the request", where);
    json_t *reply = NULL;
    lh_status st = net_call(n, "POST", path, body, n->retries, n->timeout_ms, &reply, err);
    json_decref(body);
    const char *text = NULL;
    if (!st && (st = w->generate_text(reply, n->chat, &text, err)))
        lh_fail_wrap(err, st, "%s", where);
    if (!st && !(*out = lh_strdup(text)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    json_decref(reply);
    return st;
}

lh_status lh__ai_net_rerank(void *self, const char *query, const char *const *texts,
                            const size_t *lens, size_t count, float *scores, lh_err *err)
{
    lh__ai_net *n = self;
    size_t dims = n->dims;
    if (!dims) {
        lh_status st = lh__ai_net_learn_dims(self, &dims, err);
        if (st)
            return st;
    }
    /* the query first, then the texts: one embedding request per batch as for embed */
    const char **all = lh_calloc(count + 1, sizeof *all);
    size_t *all_lens = lh_calloc(count + 1, sizeof *all_lens);
    float *v = all && all_lens ? lh_calloc((count + 1) * dims, sizeof *v) : NULL;
    lh_status st = LH_OK;
    if (!v) {
        st = lh_fail(err, LH_ENOMEM, "out of memory reranking %zu texts", count);
    } else {
        all[0] = query;
        all_lens[0] = strlen(query);
        for (size_t i = 0; i < count; i++) {
            all[i + 1] = texts[i];
            all_lens[i + 1] = lens[i];
        }
        st = lh__ai_net_embed(self, all, all_lens, count + 1, v, err);
    }
    for (size_t i = 0; !st && i < count; i++) {
        const float *q = v, *t = v + (i + 1) * dims;
        double dot = 0, qq = 0, tt = 0;
        for (size_t c = 0; c < dims; c++) {
            dot += (double)q[c] * t[c];
            qq += (double)q[c] * q[c];
            tt += (double)t[c] * t[c];
        }
        scores[i] = qq > 0 && tt > 0 ? (float)(dot / (sqrt(qq) * sqrt(tt))) : 0.0f;
    }
    free(all);
    free(all_lens);
    free(v);
    return st;
}

lh_status lh_ai_probe(const lh_ai_config *c, int64_t timeout_ms, lh_err *err)
{
    lh__ai_net *n = NULL;
    lh_status st = net_new(c, &n, err);
    if (st)
        return st;
    json_t *reply = NULL;
    st = net_call(n, "GET", n->wire->probe_path, NULL, 0, timeout_ms, &reply, err);
    json_decref(reply);
    lh__ai_net_free(n);
    return st;
}
