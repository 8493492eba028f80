/* search.c: dense, lexical and hybrid ranking over a loaded index, and the search
 * response (search.h). Dense = lh_vec_search (both cores; or the int8 copy re-ranked
 * exactly); lexical = BM25 over the chunks; hybrid = the two lists fused (fusion.h: the
 * weighted sum of min-max normalised scores by default, as measured in BENCHMARKS.md
 * "Builtin retrieval"; RRF on request). Every list is restricted to the allowed rows
 * (where.c) before it is cut to k, so a filter never empties a search that has matches. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ai/fusion.h"
#include "core/alloc.h"
#include "vector/graphs.h"
#include "vector/search_int.h"

/* How deep each list of a hybrid search goes before fusion: enough that a document
 * ranked modestly by both lists can still win. */
#define HYBRID_DEPTH 100
/* The int8 scan keeps this many candidates per hit wanted for the exact re-rank
 * (INTERNALS.md "Exact vector search": x4 measured recall 1.000). */
#define Q8_RERANK 4

bool lh_vec_mode_parse(const char *s, lh_vec_mode *out)
{
    if (!s)
        return false;
    if (!strcmp(s, "hybrid"))
        *out = LH_VEC_MODE_HYBRID;
    else if (!strcmp(s, "dense"))
        *out = LH_VEC_MODE_DENSE;
    else if (!strcmp(s, "lexical"))
        *out = LH_VEC_MODE_LEXICAL;
    else
        return false;
    return true;
}

const char *lh_vec_mode_name(lh_vec_mode m)
{
    return m == LH_VEC_MODE_DENSE ? "dense" : m == LH_VEC_MODE_LEXICAL ? "lexical" : "hybrid";
}

lh_status lh__vec_query_check(const lh_vec_index *idx, const lh_vec_query *q, lh_err *err)
{
    if (q->k < 1 || q->k > LH_VEC_K_MAX)
        return lh_fail(err, LH_EINVAL, "k must be between 1 and %d", LH_VEC_K_MAX);
    if (q->vector) {
        if (q->query)
            return lh_fail(err, LH_EINVAL, "give either query or vector, not both");
        if (q->nvector != idx->dims)
            return lh_fail(err, LH_EINVAL, "the query vector has %zu dimensions; index %s has %zu",
                           q->nvector, idx->name, idx->dims);
        if (q->mode != LH_VEC_MODE_DENSE)
            return lh_fail(err, LH_EINVAL, "a query vector searches in dense mode only (mode %s "
                           "needs query text)", lh_vec_mode_name(q->mode));
        for (size_t i = 0; i < q->nvector; i++)
            if (!isfinite(q->vector[i]))
                return lh_fail(err, LH_EINVAL, "the query vector has a value that is not a "
                               "finite number (at %zu)", i);
        return LH_OK;
    }
    if (!q->query)
        return lh_fail(err, LH_EINVAL, "give a query (text) or a vector");
    const char *p = q->query;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (!*p)
        return lh_fail(err, LH_EINVAL, "the query is empty");
    if (!(q->weight < 0 || (q->weight >= 0 && q->weight <= 1)))
        return lh_fail(err, LH_EINVAL, "weight must be between 0 and 1");
    if (!idx->ai && q->mode != LH_VEC_MODE_LEXICAL)
        return lh_fail(err, LH_EUNSUPPORTED, "index %s was built with provider %s: configure "
                       "that provider and model in [ai], or search it with a query vector or "
                       "in lexical mode", idx->name, idx->provider);
    return LH_OK;
}

static int cmp_hit(const void *a, const void *b)
{
    const lh_ai_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

static bool allowed(const uint64_t *allow, size_t r)
{
    return !allow || (allow[r / 64] >> (r % 64)) & 1;
}

/* BM25's best k allowed rows (score > 0), best first. */
static lh_status lexical(const lh_vec_index *idx, const char *query, const uint64_t *allow,
                         size_t k, lh_ai_hit *out, size_t *n_out, lh_err *err)
{
    *n_out = 0;
    if (!idx->n)
        return LH_OK;
    const lh_bm25 *bm = idx->bm25;
    lh_bm25 *own = NULL;
    if (!bm) { /* a network provider's index: BM25 over its texts, for this query */
        lh_bm25_params p = lh_bm25_defaults();
        lh_status st = lh_bm25_new(&p, &own, err);
        for (size_t i = 0; !st && i < idx->n; i++)
            st = lh_bm25_add(own, lh__vec_str(idx, idx->rows[i].text), idx->rows[i].text_len, err);
        if (st) {
            lh_bm25_free(own);
            return st;
        }
        bm = own;
    }
    float *scores = lh_calloc(idx->n, sizeof *scores);
    lh_ai_hit *cand = lh_calloc(idx->n, sizeof *cand);
    lh_status st = scores && cand ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh_bm25_score_all(bm, query, strlen(query), scores, err);
    size_t nc = 0;
    for (size_t r = 0; !st && r < idx->n; r++)
        if (scores[r] > 0 && allowed(allow, r))
            cand[nc++] = (lh_ai_hit){.doc = (uint32_t)r, .score = scores[r]};
    if (!st) {
        qsort(cand, nc, sizeof *cand, cmp_hit);
        *n_out = nc < k ? nc : k;
        memcpy(out, cand, *n_out * sizeof *out);
    }
    free(scores);
    free(cand);
    lh_bm25_free(own);
    return st;
}

/* The dense side's best k allowed rows. The query is embedded unless given; a text with
 * no word the model knows embeds as zeros and matches nothing. */
static lh_status dense(const lh_vec_index *idx, const lh_vec_query *q, const uint64_t *allow,
                       lh__vec_ann *ann, size_t k, lh_ai_hit *out, size_t *n_out, lh_err *err)
{
    *n_out = 0;
    if (!idx->n)
        return LH_OK;
    float *qv = lh_calloc(idx->dims, sizeof *qv);
    lh_vec_hit *hits = lh_calloc(k, sizeof *hits);
    lh_status st = qv && hits ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st && q->vector)
        memcpy(qv, q->vector, idx->dims * sizeof *qv);
    else if (!st)
        st = lh_ai_embed(idx->ai, &q->query, NULL, 1, qv, err);
    bool zero = true;
    for (size_t i = 0; !st && i < idx->dims; i++)
        zero &= qv[i] == 0;
    size_t nh = 0;
    bool graph = ann && ann->graph && !lh_hnsw_filter_prefers_exact(ann->allowed, idx->n);
    if (!st && !zero && graph) {
        /* every row allowed (no filter, no tombstone): no bitmap to test per candidate */
        lh_hnsw_search_opts o = {.k = k, .ef = ann->ef, .allow = ann->allowed < idx->n ? allow : NULL,
                                 .q8 = q->int8 ? idx->q8 : NULL};
        st = lh_hnsw_search(ann->graph, qv, &o, hits, &nh, err);
        ann->used = !st;
    } else if (!st && !zero) {
        lh_vec_search_opts o = {.metric = LH_VEC_COSINE, .k = k, .threads = 0, .allow = allow};
        st = q->int8 && idx->q8
                 ? lh_vec_q8_search(idx->q8, idx->matrix, qv, &o, Q8_RERANK, hits, &nh, err)
                 : lh_vec_search(idx->matrix, idx->n, idx->dims, qv, &o, hits, &nh, err);
    }
    for (size_t i = 0; !st && i < nh; i++)
        out[i] = (lh_ai_hit){.doc = (uint32_t)hits[i].row, .score = hits[i].score};
    if (!st)
        *n_out = nh;
    free(qv);
    free(hits);
    return st;
}

lh_status lh__vec_rank(const lh_vec_index *idx, const lh_vec_query *q, const uint64_t *allow,
                       lh__vec_ann *ann, lh__vec_ranked *out, size_t *n_out, lh_err *err)
{
    *n_out = 0;
    size_t depth = q->mode == LH_VEC_MODE_HYBRID ? (q->k > HYBRID_DEPTH ? q->k : HYBRID_DEPTH)
                                                 : q->k;
    lh_ai_hit *lex = lh_calloc(depth, sizeof *lex), *den = lh_calloc(depth, sizeof *den);
    lh_ai_hit *fused = lh_calloc(2 * depth, sizeof *fused);
    lh_status st = lex && den && fused ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
    size_t nl = 0, nd = 0, nf = 0;
    if (!st && q->mode != LH_VEC_MODE_DENSE)
        st = lexical(idx, q->query, allow, depth, lex, &nl, err);
    if (!st && q->mode != LH_VEC_MODE_LEXICAL)
        st = dense(idx, q, allow, ann, depth, den, &nd, err);
    const lh_ai_hit *list = q->mode == LH_VEC_MODE_DENSE ? den : lex;
    size_t nlist = q->mode == LH_VEC_MODE_DENSE ? nd : nl;
    if (!st && q->mode == LH_VEC_MODE_HYBRID) {
        float w = q->weight >= 0 ? q->weight : lh_fuse_default_weight();
        st = lh_fuse(q->rrf ? LH_FUSE_RRF : LH_FUSE_WEIGHTED, w, lex, nl, den, nd, fused, &nf, err);
        list = fused;
        nlist = nf;
    }
    for (size_t i = 0; !st && i < nlist && i < q->k; i++)
        out[(*n_out)++] = (lh__vec_ranked){.row = list[i].doc, .score = list[i].score};
    free(lex);
    free(den);
    free(fused);
    return st;
}

lh_status lh_vec_search_json(const lh_vec_senv *env, const lh_vec_index *idx,
                             const lh_vec_query *q, json_t **out, lh_err *err)
{
    *out = NULL;
    lh_status st = lh__vec_query_check(idx, q, err);
    if (st)
        return st;
    uint64_t *allow = NULL;
    size_t nallowed = 0;
    lh__vec_ranked *ranked = lh_calloc(q->k, sizeof *ranked);
    size_t nr = 0;
    json_t *keys = json_array(), *cols = NULL, *results = json_array();
    if (!ranked || !keys || !results)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st)
        st = lh__vec_allow(env, idx, q->where, q->as_of, &allow, &nallowed, err);
    /* the index's active graph, unless the caller asked for exact search */
    const lh_vec_graph *gr = env->graphs && env->cache && !q->exact && q->mode != LH_VEC_MODE_LEXICAL
                                 ? lh_vec_graphs_get(env->graphs, env->cache, env, idx)
                                 : NULL;
    lh__vec_ann ann = {.graph = gr ? lh_vec_graph_hnsw(gr) : NULL, .allowed = nallowed};
    if (gr)
        ann.ef = lh_vec_graph_ef(gr);
    if (!st && nallowed)
        st = lh__vec_rank(idx, q, allow, &ann, ranked, &nr, err);
    if (gr)
        lh_vec_graphs_put(env->graphs, gr);
    for (size_t i = 0; !st && i < nr; i++) {
        const lh__vec_row *r = &idx->rows[ranked[i].row];
        json_array_append_new(keys, json_stringn(lh__vec_str(idx, r->key), r->key_len));
    }
    if (!st && json_array_size(q->columns))
        st = lh__vec_columns(env, idx, q->columns, keys, q->as_of, &cols, err);
    for (size_t i = 0; !st && i < nr; i++) {
        const lh__vec_row *r = &idx->rows[ranked[i].row];
        json_t *key = json_array_get(keys, i);
        json_t *hit = json_pack("{s:O, s:s%, s:f, s:I, s:s%}", "key", key, "chunk_id",
                                lh__vec_str(idx, r->id), r->id_len, "score",
                                (double)ranked[i].score, "table_version",
                                (json_int_t)idx->source_version, "text",
                                lh__vec_str(idx, r->text), r->text_len);
        if (hit) { /* the requested source columns; {} when none were asked for */
            json_t *c = cols ? json_object_get(cols, json_string_value(key)) : NULL;
            json_object_set_new(hit, "columns", c ? json_incref(c) : json_object());
        }
        if (!hit || json_array_append_new(results, hit))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
    }
    if (!st && !(*out = json_pack("{s:s, s:s, s:s, s:O}", "index", idx->name, "mode",
                                  lh_vec_mode_name(q->mode), "method",
                                  ann.used ? "hnsw" : "exact", "results", results)))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    free(allow);
    free(ranked);
    json_decref(keys);
    json_decref(cols);
    json_decref(results);
    return st;
}
