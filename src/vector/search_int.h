/* search_int.h: what the search-side files of src/vector share (index_load.c, keymap.c,
 * where.c, search.c, hits.c, rag.c, evaluate.c, index_cache.c). Not for other modules. */
#ifndef LH_VECTOR_SEARCH_INT_H
#define LH_VECTOR_SEARCH_INT_H

#include <stdint.h>

#include "ai/ai.h"
#include "ann/hnsw.h"
#include "core/buf.h"
#include "vector/search.h"
#include "ann/exact.h"

/* One chunk (one row of the index table); strings are offsets into lh_vec_index.pool. */
typedef struct lh__vec_row {
    size_t key, key_len;    /* the source key, as text */
    size_t id, id_len;      /* chunk_id */
    size_t text, text_len;  /* chunk_text */
    int64_t start, end;     /* byte offsets of the chunk in the source row's text */
    uint32_t key_id;        /* dense id of the key (keymap) */
} lh__vec_row;

/* Distinct keys -> their rows: open addressing over key ids; rows of one key chained. */
typedef struct lh__vec_keymap {
    uint32_t *slots;        /* key id + 1; 0 = empty */
    size_t nslots;          /* power of two */
    uint32_t *first;        /* key id -> first row */
    uint32_t *next;         /* row -> next row of the same key, UINT32_MAX = none */
    size_t nkeys;
} lh__vec_keymap;

struct lh_vec_index {
    char *name, *dataset, *key_column, *text_column, *provider;
    char *stamp;             /* which build of the index this is (lh__vec_stamp) */
    json_t *entry;
    int64_t version;         /* index table version */
    int64_t source_version;  /* source dataset version it was built from */
    size_t n, dims;
    float *matrix;           /* n x dims, row-major */
    lh__vec_row *rows;
    lh_buf pool;             /* every string, back to back, NUL-separated */
    lh__vec_keymap keys;
    lh_vec_q8 *q8;           /* NULL when n == 0 */
    lh_ai *ai;               /* builtin: owns lsa and bm25; a network provider: the configured
                              * one, borrowed (ai_borrowed); NULL when not configured */
    bool ai_borrowed;
    const lh_lsa *lsa;       /* borrowed from ai */
    const lh_bm25 *bm25;     /* borrowed from ai (builtin), else owned (bm25_owned) */
    bool bm25_owned;
    bool bm25_rebuilt;       /* the BM25 file did not cover this version */
    size_t bytes;
    /* index_cache.c */
    int refs;
    uint64_t used;
    bool cached;
};

static inline const char *lh__vec_str(const lh_vec_index *idx, size_t off)
{
    return idx->pool.data + off;
}

/* index_load.c: "<job_id>|<last_embedded_at>|<table_version>" of a registry entry: changes
 * with every build, rebuild under the same name, and refresh. Caller frees. */
char *lh__vec_stamp(const json_t *entry);

/* keymap.c */
lh_status lh__vec_keymap_build(lh_vec_index *idx, lh_err *err);
void lh__vec_keymap_release(lh__vec_keymap *m);
/* The id of key, or -1. */
int64_t lh__vec_keymap_find(const lh_vec_index *idx, const char *key, size_t len);

/* where.c: the bitmap of rows whose key the source dataset shows (its tombstones
 * hidden), and that satisfy where when given; *allowed counts them. Caller frees
 * *bitmap (lh_vec_bitmap_words(n) words). */
lh_status lh__vec_allow(const lh_vec_senv *env, const lh_vec_index *idx, const char *where,
                        const json_t *as_of, uint64_t **bitmap, size_t *allowed, lh_err *err);
/* Checks a where predicate's shape with DuckDB's parser: one expression over the source
 * dataset (no other relation, no set operation, no clause after it). */
lh_status lh__vec_where_check(const lh_vec_senv *env, const lh_vec_index *idx, const char *where,
                              lh_err *err);

/* search.c: the ranked rows (best first, at most k) of q over the allowed rows. */
typedef struct lh__vec_ranked {
    uint32_t row;
    float score;
} lh__vec_ranked;
/* The dense side's approximate search (NULL or graph NULL = exact): the index's active HNSW
 * graph (vector/graphs.h), its ef_search, and how many rows allow keeps (a selective filter
 * is answered exactly: lh_hnsw_filter_prefers_exact). used: set when the graph answered. */
typedef struct lh__vec_ann {
    const lh_hnsw *graph;
    uint32_t ef;
    size_t allowed;
    bool used;
} lh__vec_ann;
lh_status lh__vec_rank(const lh_vec_index *idx, const lh_vec_query *q, const uint64_t *allow,
                       lh__vec_ann *ann, lh__vec_ranked *out, size_t *n_out, lh_err *err);
/* Checks k, the query/vector and the mode against idx (the one-line errors). */
lh_status lh__vec_query_check(const lh_vec_index *idx, const lh_vec_query *q, lh_err *err);

/* hits.c: the source columns of keys (an object key -> {column: value}), read through the
 * gate; columns must exist (LH_EINVAL naming an unknown one). */
lh_status lh__vec_columns(const lh_vec_senv *env, const lh_vec_index *idx, const json_t *columns,
                          const json_t *keys, const json_t *as_of, json_t **out, lh_err *err);

#endif
