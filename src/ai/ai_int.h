/* ai_int.h: what the files of src/ai share and no other module sees: the word tokenizer
 * (tokenize.c), the term dictionary (dict.c), the deterministic random numbers (rng.c),
 * a plain top-k selection (topk.c) and little-endian serialisation helpers (serial.c).
 * Nothing here is thread-safe unless it says so; tokenize and the const lookups are. */
#ifndef LH_AI_INT_H
#define LH_AI_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "ai/ai.h"
#include "core/status.h"

/* ---- tokenize.c: the words BM25 and LSA count ----------------------------------------
 * A word is a maximal run of ASCII letters and digits and of bytes >= 0x80 (so a UTF-8
 * sequence always stays whole inside a word: non-ASCII letters are word characters,
 * compared byte for byte); everything else (ASCII spaces, punctuation, controls) separates
 * words. ASCII letters are lowercased. Words over LH_AI_WORD_MAX bytes are dropped (hashes,
 * base64: never a useful query term). */
#define LH_AI_WORD_MAX 64
enum {
    LH_AI_TOK_STOP = 1, /* drop a short list of English function words ("the", "of", ...) */
    LH_AI_TOK_STEM = 2, /* fold English plurals ("studies" -> "study", "cells" -> "cell") */
    /* (4 is the index files' bigram flag) */
    LH_AI_TOK_PORTER = 8, /* with STEM: strip suffixes by Porter's algorithm instead
                           * ("studies", "studied" -> "studi"; stem.c) */
};
#define LH_AI_TOK_MASK (LH_AI_TOK_STOP | LH_AI_TOK_STEM | LH_AI_TOK_PORTER)
/* Called once per word in text order with the normalised word (not NUL-terminated; valid
 * only during the call). A non-zero return stops the walk and is returned. */
typedef int (*lh__ai_word_fn)(void *ctx, const char *word, size_t len);
int lh__ai_tokenize(const char *text, size_t len, unsigned flags, lh__ai_word_fn fn, void *ctx);
/* stem.c: Porter's suffix stripping of a lowercase ASCII word in place; returns the new
 * length (never longer). Words of 2 bytes or fewer or with bytes outside a-z stay. */
size_t lh__ai_stem_porter(char *w, size_t len);

/* ---- dict.c: strings -> dense ids 0..n-1, in insertion order -------------------------- */
typedef struct lh__ai_dict {
    uint32_t *slots;   /* open addressing: id + 1, 0 = empty */
    size_t nslots;     /* power of two */
    char *pool;        /* the strings, back to back */
    size_t pool_len, pool_cap;
    size_t *off;       /* id -> offset in pool */
    uint32_t *len;     /* id -> byte length */
    size_t n, cap;
} lh__ai_dict;
void lh__ai_dict_init(lh__ai_dict *d);
void lh__ai_dict_release(lh__ai_dict *d);
/* The id of s, adding it when new (*added says which). LH_ENOMEM leaves d unchanged. */
lh_status lh__ai_dict_intern(lh__ai_dict *d, const char *s, size_t len, uint32_t *id, bool *added);
/* The id of s, or -1. Read-only: safe from several threads once building is over. */
int64_t lh__ai_dict_find(const lh__ai_dict *d, const char *s, size_t len);
const char *lh__ai_dict_str(const lh__ai_dict *d, uint32_t id, size_t *len);

/* ---- rng.c: our own generator, so a fit is the same on every platform and libc -------- */
typedef struct lh__ai_rng { uint64_t s[4]; } lh__ai_rng;
void lh__ai_rng_seed(lh__ai_rng *r, uint64_t seed);
uint64_t lh__ai_rng_next(lh__ai_rng *r);
/* Uniform in [-1, 1). */
double lh__ai_rng_signed(lh__ai_rng *r);

/* ---- topk.c ---------------------------------------------------------------------------- */
/* The k highest of scores[0..n) as (index, score), best first; ties go to the lower index,
 * so the order is total and reproducible. Writes min(k, n) entries to out_idx/out_score
 * and returns that count. Scores that are NaN are skipped. */
size_t lh__ai_topk(const float *scores, size_t n, size_t k, uint32_t *out_idx, float *out_score);

/* ---- serial.c: fixed-width little-endian fields for the index files -------------------- */
void lh__ai_put_u32(lh_buf *b, uint32_t v);
void lh__ai_put_u64(lh_buf *b, uint64_t v);
void lh__ai_put_f32(lh_buf *b, float v);
typedef struct lh__ai_reader {
    const unsigned char *p, *end;
    bool bad;  /* a read ran past the end: latched, reads then give 0 */
} lh__ai_reader;
void lh__ai_reader_init(lh__ai_reader *r, const void *data, size_t len);
uint32_t lh__ai_get_u32(lh__ai_reader *r);
uint64_t lh__ai_get_u64(lh__ai_reader *r);
float lh__ai_get_f32(lh__ai_reader *r);
/* A pointer to the next n bytes (and skips them), or NULL (and latches bad). */
const void *lh__ai_get_bytes(lh__ai_reader *r, size_t n);

/* ---- blas_dl.c: BLAS/LAPACKE loaded on first use (core/dl.h) -------------------------
 * LH_OK once loaded; LH_EUNSUPPORTED naming the Debian package when they cannot be.
 * lh_lsa_fit calls it before any work, so a missing library changes nothing. */
lh_status lh__ai_blas_load(lh_err *err);

/* ---- ai_http.c: what the network providers (ollama.c, openai.c) share -------------------
 * Each provider file describes its wire format (an lh__ai_wire: paths, request bodies,
 * where the answer is in a reply) and its lh_ai_ops table, whose calls are the generic
 * lh__ai_net_* functions below over an lh__ai_net (the ops' self). */
typedef struct lh__ai_wire {
    const char *name;                  /* "ollama" */
    const char *embed_path;            /* "/api/embed" */
    const char *probe_path;            /* a cheap GET: "/api/tags" */
    const char *default_endpoint;
    /* The request body of one embedding batch (texts are valid UTF-8); NULL when out of
     * memory. */
    json_t *(*embed_body)(const char *model, const char *const *texts, const size_t *lens,
                          size_t n);
    /* Points rows[0, n) at the reply's vectors in input order (JSON arrays, not yet
     * checked); LH_EIO with a message naming what is wrong with the reply. */
    lh_status (*embed_rows)(const json_t *reply, size_t n, const json_t **rows, lh_err *err);
    const char *(*generate_path)(bool chat);
    json_t *(*generate_body)(const char *model, const char *prompt, bool chat);
    /* The generated text in reply (borrowed from it); LH_EIO when it is not there. */
    lh_status (*generate_text)(const json_t *reply, bool chat, const char **text, lh_err *err);
} lh__ai_wire;

extern const lh__ai_wire lh__ai_ollama_wire;
extern const lh__ai_wire lh__ai_openai_wire;
extern const lh_ai_ops lh__ai_ollama_ops;
extern const lh_ai_ops lh__ai_openai_ops;

/* One network provider's state (the self of its ops). */
typedef struct lh__ai_net {
    const lh__ai_wire *wire;
    char *base;          /* the endpoint without a trailing '/' (or "/v1" for openai) */
    char *model, *generate_model;
    char *auth_header;   /* "Authorization: Bearer <key>" or NULL; wiped when freed */
    char *key;           /* to scrub server messages that echo it; wiped when freed */
    bool chat;
    size_t dims;         /* configured or learnt; 0 = not known yet */
    size_t batch;
    int64_t timeout_ms, retry_base_ms;
    unsigned retries;
    pthread_mutex_t mu;  /* the concurrency limit: */
    pthread_cond_t cv;
    unsigned free_slots;
    int stopping;        /* set once by lh__ai_net_interrupt (atomic reads) */
} lh__ai_net;

/* The ops' calls, for every wire format. */
lh_status lh__ai_net_embed(void *self, const char *const *texts, const size_t *lens, size_t n,
                           float *out, lh_err *err);
lh_status lh__ai_net_generate(void *self, const char *prompt, char **out, lh_err *err);
lh_status lh__ai_net_rerank(void *self, const char *query, const char *const *texts,
                            const size_t *lens, size_t n, float *scores, lh_err *err);
lh_status lh__ai_net_learn_dims(void *self, size_t *dims, lh_err *err);
void lh__ai_net_interrupt(void *self);
void lh__ai_net_free(void *self);

/* Copies the vectors rows[0, n) (JSON arrays of finite numbers, each exactly dims long)
 * into out[0, n * dims); LH_EIO naming the first bad row ("embedding 3 has 512 values;
 * [ai] dims is 768"). */
lh_status lh__ai_copy_vectors(const json_t *const *rows, size_t n, size_t dims, float *out,
                              lh_err *err);
/* A server's error message out of a reply body (ollama {"error": "..."}, OpenAI {"error":
 * {"message": "..."}}, else the body's start), made safe to show: at most 200 bytes,
 * valid UTF-8, no control characters, and every occurrence of key (when not NULL)
 * replaced by "***". Into out (size >= 256). */
void lh__ai_server_message(const char *body, size_t len, const char *key, char *out, size_t size);
/* The backoff before retry attempt (1 = the first retry): retry_after_ms when the server
 * sent one (>= 0; at most 60 s), else base * 2^(attempt-1) capped at 30 s, with jitter:
 * uniform in [d/2, d] from r (a 0..1 draw). */
int64_t lh__ai_backoff_ms(int64_t base_ms, unsigned attempt, int64_t retry_after_ms, double r);

#endif
