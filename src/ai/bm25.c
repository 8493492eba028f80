/* bm25.c: the inverted index, BM25 scoring and the index file (bm25.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ai_int.h"
#include "ai/bm25.h"
#include "core/alloc.h"

#define BM25_MAGIC "LHBM25\0\0"
#define BM25_VERSION 1u
#define BM25_BIGRAMS 4u /* in the file's flags, beside the tokenizer's */

typedef struct postings {
    uint32_t *doc; /* increasing */
    uint32_t *tf;
    size_t n, cap;
} postings;

struct lh_bm25 {
    lh_bm25_params p;
    lh__ai_dict terms;
    postings *post; /* per term id */
    size_t post_cap;
    uint32_t *doc_len; /* words per document */
    size_t n_docs, len_cap;
    uint64_t total_len;
};

lh_bm25_params lh_bm25_defaults(void)
{
    return (lh_bm25_params){.k1 = 0.9f, .b = 0.4f, .stopwords = true, .stem = true,
                            .porter = true, .bigrams = false};
}

static unsigned tok_flags(const lh_bm25_params *p)
{
    return (p->stopwords ? LH_AI_TOK_STOP : 0u) | (p->stem ? LH_AI_TOK_STEM : 0u) |
           (p->porter ? LH_AI_TOK_PORTER : 0u) | (p->bigrams ? BM25_BIGRAMS : 0u);
}

static lh_status check_kb(float k1, float b, lh_err *err)
{
    if (!(k1 >= 0 && k1 <= 100))
        return lh_fail(err, LH_EINVAL, "BM25 k1 must be between 0 and 100");
    if (!(b >= 0 && b <= 1))
        return lh_fail(err, LH_EINVAL, "BM25 b must be between 0 and 1");
    return LH_OK;
}

lh_status lh_bm25_new(const lh_bm25_params *p, lh_bm25 **out, lh_err *err)
{
    *out = NULL;
    lh_status st = check_kb(p->k1, p->b, err);
    if (st)
        return st;
    lh_bm25 *idx = lh_calloc(1, sizeof *idx);
    if (!idx)
        return lh_fail(err, LH_ENOMEM, "out of memory creating a BM25 index");
    idx->p = *p;
    lh__ai_dict_init(&idx->terms);
    *out = idx;
    return LH_OK;
}

void lh_bm25_free(lh_bm25 *idx)
{
    if (!idx)
        return;
    for (size_t i = 0; i < idx->post_cap; i++) {
        free(idx->post[i].doc);
        free(idx->post[i].tf);
    }
    free(idx->post);
    free(idx->doc_len);
    lh__ai_dict_release(&idx->terms);
    free(idx);
}

size_t lh_bm25_docs(const lh_bm25 *idx)
{
    return idx->n_docs;
}

size_t lh_bm25_terms(const lh_bm25 *idx)
{
    return idx->terms.n;
}

lh_bm25_params lh_bm25_get_params(const lh_bm25 *idx)
{
    return idx->p;
}

lh_status lh_bm25_set_params(lh_bm25 *idx, float k1, float b, lh_err *err)
{
    lh_status st = check_kb(k1, b, err);
    if (st)
        return st;
    idx->p.k1 = k1;
    idx->p.b = b;
    return LH_OK;
}

/* The term ids of a text's words, interned or looked up. */
typedef struct id_list {
    lh__ai_dict *intern; /* NULL: look up only, unknown words skipped */
    const lh__ai_dict *find;
    bool bigrams;     /* also each pair of adjacent words, "w1 w2" */
    char prev[LH_AI_WORD_MAX];
    size_t prev_len;
    uint32_t *ids;
    size_t n, cap;
    uint32_t words; /* all words, known or not */
    lh_status st;
} id_list;

static int add_term(id_list *l, const char *w, size_t len)
{
    uint32_t id;
    if (l->intern) {
        l->st = lh__ai_dict_intern(l->intern, w, len, &id, NULL);
        if (l->st)
            return 1;
    } else {
        int64_t f = lh__ai_dict_find(l->find, w, len);
        if (f < 0)
            return 0;
        id = (uint32_t)f;
    }
    if (lh_grow(&l->ids, &l->cap, l->n + 1, sizeof *l->ids)) {
        l->st = LH_ENOMEM;
        return 1;
    }
    l->ids[l->n++] = id;
    return 0;
}

static int collect_id(void *ctx, const char *w, size_t len)
{
    id_list *l = ctx;
    l->words++;
    if (add_term(l, w, len))
        return 1;
    if (!l->bigrams)
        return 0;
    if (l->prev_len) {
        char bi[2 * LH_AI_WORD_MAX + 1];
        memcpy(bi, l->prev, l->prev_len);
        bi[l->prev_len] = ' ';
        memcpy(bi + l->prev_len + 1, w, len);
        if (add_term(l, bi, l->prev_len + 1 + len))
            return 1;
    }
    memcpy(l->prev, w, len);
    l->prev_len = len;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static lh_status push_posting(postings *pl, uint32_t doc, uint32_t tf)
{
    size_t cap = pl->cap;
    if (lh_grow(&pl->doc, &cap, pl->n + 1, sizeof *pl->doc))
        return LH_ENOMEM;
    cap = pl->cap;
    if (lh_grow(&pl->tf, &cap, pl->n + 1, sizeof *pl->tf))
        return LH_ENOMEM;
    pl->cap = cap;
    pl->doc[pl->n] = doc;
    pl->tf[pl->n] = tf;
    pl->n++;
    return LH_OK;
}

lh_status lh_bm25_add(lh_bm25 *idx, const char *text, size_t len, lh_err *err)
{
    if (idx->n_docs >= UINT32_MAX - 1)
        return lh_fail(err, LH_ETOOBIG, "a BM25 index holds at most 2^32 - 2 chunks");
    id_list l = {.intern = &idx->terms, .bigrams = idx->p.bigrams};
    lh__ai_tokenize(text, len, tok_flags(&idx->p) & LH_AI_TOK_MASK, collect_id, &l);
    lh_status st = l.st;
    if (!st && lh_grow(&idx->doc_len, &idx->len_cap, idx->n_docs + 1, sizeof *idx->doc_len))
        st = LH_ENOMEM;
    if (!st && idx->post_cap < idx->terms.n) {
        size_t old = idx->post_cap;
        if (lh_grow(&idx->post, &idx->post_cap, idx->terms.n, sizeof *idx->post))
            st = LH_ENOMEM;
        else
            memset(idx->post + old, 0, (idx->post_cap - old) * sizeof *idx->post);
    }
    uint32_t doc = (uint32_t)idx->n_docs;
    if (l.n > 1)
        qsort(l.ids, l.n, sizeof *l.ids, cmp_u32);
    size_t done = 0; /* postings pushed, to take back on failure */
    for (size_t i = 0; !st && i < l.n;) {
        size_t j = i;
        while (j < l.n && l.ids[j] == l.ids[i])
            j++;
        st = push_posting(&idx->post[l.ids[i]], doc, (uint32_t)(j - i));
        if (!st)
            done = j;
        i = j;
    }
    if (st) {
        for (size_t i = 0; i < done; i++) /* each distinct id's last posting is this doc */
            if (i == 0 || l.ids[i] != l.ids[i - 1])
                idx->post[l.ids[i]].n--;
        free(l.ids);
        return lh_fail(err, LH_ENOMEM, "out of memory adding a chunk to the BM25 index");
    }
    free(l.ids);
    idx->doc_len[doc] = l.words;
    idx->total_len += l.words;
    idx->n_docs++;
    return LH_OK;
}

static double idf(const lh_bm25 *idx, size_t df)
{
    double n = (double)idx->n_docs;
    return log(1.0 + (n - (double)df + 0.5) / ((double)df + 0.5));
}

/* Calls back with each query word's term id (unknown words skipped). */
static lh_status query_ids(const lh_bm25 *idx, const char *q, size_t len, id_list *l)
{
    memset(l, 0, sizeof *l);
    l->find = &idx->terms;
    l->bigrams = idx->p.bigrams;
    lh__ai_tokenize(q, len, tok_flags(&idx->p) & LH_AI_TOK_MASK, collect_id, l);
    return l->st;
}

lh_status lh_bm25_score_all(const lh_bm25 *idx, const char *query, size_t len, float *scores,
                            lh_err *err)
{
    memset(scores, 0, idx->n_docs * sizeof *scores);
    if (!idx->n_docs)
        return LH_OK;
    id_list l;
    if (query_ids(idx, query, len, &l)) {
        free(l.ids);
        return lh_fail(err, LH_ENOMEM, "out of memory reading a query of %zu bytes", len);
    }
    double avgdl = (double)idx->total_len / (double)idx->n_docs;
    if (avgdl <= 0)
        avgdl = 1;
    double k1 = idx->p.k1, b = idx->p.b;
    for (size_t q = 0; q < l.n; q++) {
        if (l.ids[q] >= idx->post_cap) /* a word interned by an add that then failed */
            continue;
        const postings *pl = &idx->post[l.ids[q]];
        if (!pl->n)
            continue;
        double w = idf(idx, pl->n);
        for (size_t i = 0; i < pl->n; i++) {
            double tf = pl->tf[i];
            double norm = k1 * (1.0 - b + b * (double)idx->doc_len[pl->doc[i]] / avgdl);
            scores[pl->doc[i]] += (float)(w * tf * (k1 + 1.0) / (tf + norm));
        }
    }
    free(l.ids);
    return LH_OK;
}

lh_status lh_bm25_search(const lh_bm25 *idx, const char *query, size_t len, size_t k,
                         lh_ai_hit *out, size_t *n_out, lh_err *err)
{
    *n_out = 0;
    if (!idx->n_docs || !k)
        return LH_OK;
    size_t kk = k < idx->n_docs ? k : idx->n_docs;
    float *scores = lh_malloc(idx->n_docs * sizeof *scores);
    uint32_t *ti = lh_malloc(kk * sizeof *ti);
    float *ts = lh_malloc(kk * sizeof *ts);
    if (!scores || !ti || !ts) {
        free(scores);
        free(ti);
        free(ts);
        return lh_fail(err, LH_ENOMEM, "out of memory for a BM25 search over %zu chunks",
                       idx->n_docs);
    }
    lh_status st = lh_bm25_score_all(idx, query, len, scores, err);
    size_t n = st ? 0 : lh__ai_topk(scores, idx->n_docs, kk, ti, ts);
    size_t m = 0;
    for (size_t i = 0; i < n && ts[i] > 0; i++)
        out[m++] = (lh_ai_hit){.doc = ti[i], .score = ts[i]};
    *n_out = m;
    free(scores);
    free(ti);
    free(ts);
    return st;
}

lh_status lh_bm25_score_text(const lh_bm25 *idx, const char *query, size_t qlen, const char *text,
                             size_t len, float *score, lh_err *err)
{
    *score = 0;
    if (!idx->n_docs)
        return LH_OK;
    id_list q, d;
    lh_status sq = query_ids(idx, query, qlen, &q);
    lh_status sd = query_ids(idx, text, len, &d); /* d.words counts every word of the text */
    if (sq || sd) {
        free(q.ids);
        free(d.ids);
        return lh_fail(err, LH_ENOMEM, "out of memory scoring a text of %zu bytes", len);
    }
    if (d.n > 1)
        qsort(d.ids, d.n, sizeof *d.ids, cmp_u32);
    double avgdl = (double)idx->total_len / (double)idx->n_docs;
    if (avgdl <= 0)
        avgdl = 1;
    double k1 = idx->p.k1, b = idx->p.b, sum = 0;
    for (size_t i = 0; i < q.n; i++) {
        uint32_t id = q.ids[i];
        if (id >= idx->post_cap || !idx->post[id].n)
            continue;
        const uint32_t *hit = bsearch(&id, d.ids, d.n, sizeof *d.ids, cmp_u32);
        if (!hit)
            continue;
        size_t lo = (size_t)(hit - d.ids), hi = lo;
        while (lo > 0 && d.ids[lo - 1] == id)
            lo--;
        while (hi < d.n && d.ids[hi] == id)
            hi++;
        double tf = (double)(hi - lo);
        double norm = k1 * (1.0 - b + b * (double)d.words / avgdl);
        sum += idf(idx, idx->post[id].n) * tf * (k1 + 1.0) / (tf + norm);
    }
    free(q.ids);
    free(d.ids);
    *score = (float)sum;
    return LH_OK;
}

lh_status lh_bm25_save(const lh_bm25 *idx, lh_buf *out)
{
    lh_buf_add(out, BM25_MAGIC, 8);
    lh__ai_put_u32(out, BM25_VERSION);
    lh__ai_put_f32(out, idx->p.k1);
    lh__ai_put_f32(out, idx->p.b);
    lh__ai_put_u32(out, tok_flags(&idx->p));
    lh__ai_put_u64(out, idx->n_docs);
    for (size_t i = 0; i < idx->n_docs; i++)
        lh__ai_put_u32(out, idx->doc_len[i]);
    lh__ai_put_u64(out, idx->terms.n);
    for (uint32_t t = 0; t < idx->terms.n; t++) {
        size_t len;
        const char *s = lh__ai_dict_str(&idx->terms, t, &len);
        const postings *pl = &idx->post[t];
        lh__ai_put_u32(out, (uint32_t)len);
        lh_buf_add(out, s, len);
        lh__ai_put_u64(out, pl->n);
        for (size_t i = 0; i < pl->n; i++) {
            lh__ai_put_u32(out, pl->doc[i]);
            lh__ai_put_u32(out, pl->tf[i]);
        }
    }
    return lh_buf_status(out);
}

static lh_status corrupt(lh_bm25 *idx, lh_err *err, const char *what)
{
    lh_bm25_free(idx);
    return lh_fail(err, LH_ECORRUPT, "BM25 index file: %s", what);
}

lh_status lh_bm25_load(const void *data, size_t len, lh_bm25 **out, lh_err *err)
{
    *out = NULL;
    lh__ai_reader r;
    lh__ai_reader_init(&r, data, len);
    const void *magic = lh__ai_get_bytes(&r, 8);
    if (!magic || memcmp(magic, BM25_MAGIC, 8) != 0)
        return lh_fail(err, LH_ECORRUPT, "BM25 index file: not a BM25 index");
    uint32_t version = lh__ai_get_u32(&r);
    if (version != BM25_VERSION)
        return lh_fail(err, LH_ECORRUPT, "BM25 index file: version %u, this build reads %u",
                       (unsigned)version, BM25_VERSION);
    lh_bm25_params p = {0};
    p.k1 = lh__ai_get_f32(&r);
    p.b = lh__ai_get_f32(&r);
    uint32_t flags = lh__ai_get_u32(&r);
    p.stopwords = (flags & LH_AI_TOK_STOP) != 0;
    p.stem = (flags & LH_AI_TOK_STEM) != 0;
    p.porter = (flags & LH_AI_TOK_PORTER) != 0;
    p.bigrams = (flags & BM25_BIGRAMS) != 0;
    if (r.bad || check_kb(p.k1, p.b, NULL) || (flags & ~(LH_AI_TOK_MASK | BM25_BIGRAMS)))
        return lh_fail(err, LH_ECORRUPT, "BM25 index file: bad parameters");
    lh_bm25 *idx;
    lh_status st = lh_bm25_new(&p, &idx, err);
    if (st)
        return st;
    uint64_t n_docs = lh__ai_get_u64(&r);
    if (r.bad || n_docs > (uint64_t)(r.end - r.p) / 4)
        return corrupt(idx, err, "truncated document lengths");
    idx->doc_len = lh_malloc((n_docs ? n_docs : 1) * sizeof *idx->doc_len);
    if (!idx->doc_len) {
        lh_bm25_free(idx);
        return lh_fail(err, LH_ENOMEM, "out of memory reading a BM25 index");
    }
    idx->len_cap = n_docs ? n_docs : 1;
    for (uint64_t i = 0; i < n_docs; i++) {
        idx->doc_len[i] = lh__ai_get_u32(&r);
        idx->total_len += idx->doc_len[i];
    }
    idx->n_docs = n_docs;
    uint64_t n_terms = lh__ai_get_u64(&r);
    if (r.bad || n_terms > (uint64_t)(r.end - r.p) / 12)
        return corrupt(idx, err, "truncated term list");
    idx->post = lh_calloc(n_terms ? n_terms : 1, sizeof *idx->post);
    if (!idx->post) {
        lh_bm25_free(idx);
        return lh_fail(err, LH_ENOMEM, "out of memory reading a BM25 index");
    }
    idx->post_cap = n_terms ? n_terms : 1;
    for (uint64_t t = 0; t < n_terms; t++) {
        uint32_t slen = lh__ai_get_u32(&r);
        const char *s = lh__ai_get_bytes(&r, slen);
        uint64_t n = lh__ai_get_u64(&r);
        if (!s || r.bad || n > (uint64_t)(r.end - r.p) / 8)
            return corrupt(idx, err, "truncated postings");
        uint32_t id;
        bool added;
        if (lh__ai_dict_intern(&idx->terms, s, slen, &id, &added)) {
            lh_bm25_free(idx);
            return lh_fail(err, LH_ENOMEM, "out of memory reading a BM25 index");
        }
        if (!added || id != t)
            return corrupt(idx, err, "a term is listed twice");
        postings *pl = &idx->post[t];
        pl->doc = lh_malloc((n ? n : 1) * sizeof *pl->doc);
        pl->tf = lh_malloc((n ? n : 1) * sizeof *pl->tf);
        if (!pl->doc || !pl->tf) {
            lh_bm25_free(idx);
            return lh_fail(err, LH_ENOMEM, "out of memory reading a BM25 index");
        }
        pl->cap = n ? n : 1;
        for (uint64_t i = 0; i < n; i++) {
            pl->doc[i] = lh__ai_get_u32(&r);
            pl->tf[i] = lh__ai_get_u32(&r);
            if (pl->doc[i] >= n_docs || (i && pl->doc[i] <= pl->doc[i - 1]) || !pl->tf[i])
                return corrupt(idx, err, "a posting is out of order or out of range");
        }
        pl->n = n;
    }
    if (r.bad || r.p != r.end)
        return corrupt(idx, err, "trailing bytes after the postings");
    *out = idx;
    return LH_OK;
}
