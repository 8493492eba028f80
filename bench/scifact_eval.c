/* scifact_eval.c: retrieval quality of the builtin model on a BEIR-format set (SciFact by
 * default), with the project's own chunker, BM25, LSA, fusion and scorer (src/ai/).
 * bench/scifact.sh builds and runs it; docs/BENCHMARKS.md "Builtin retrieval" has the
 * figures.
 *
 *   scifact_eval DIR [options]    DIR holds corpus.jsonl, queries.jsonl, qrels/test.tsv
 *     --chunk N/M        chunk size/overlap in characters (default: lh_chunk_defaults)
 *     --k1 a,b,..        BM25 k1 values to sweep     --b a,b,..  BM25 b values
 *     --dims a,b,..      LSA dimensions to sweep (0: lexical rows only)
 *     --weights a,b,..   dense weights of the hybrid rows
 *     --depth N          candidates per list before fusion (default 100)
 *     --sigma a,b,..     LSA sigma_power values      --terms N  LSA vocabulary cap
 *     --fb-docs a,b,..   lexical hits fed back into the dense query (hybrid + feedback rows)
 *     --fb-beta x        their weight (default 1)
 *     --no-stop --no-stem --no-bigrams               tokenizer/term ablations
 *     --porter           both models stem with Porter's suffix stripper (--no-porter: plurals
 *                        only; --bm25-porter, --lsa-porter: one model only)
 *     --fit-docs N       LSA max_fit_docs (fit on at most N chunks, evenly spaced; 0 = all)
 *     --doc-agg max|sum|frac  a document's BM25 score from its chunks': the best one's
 *                        (default), their sum, or the best + 0.1 x the others'
 *     --tfidf            LSA weighs terms by IDF (--log-entropy: by log-entropy)
 *     --zscore           the hybrid rows normalise by z-score (LH_FUSE_ZSCORE), not min-max
 *     --bm25-bigrams     BM25 indexes adjacent word pairs too
 *     --lsa-bigrams      LSA counts adjacent word pairs too (off by default)
 *     --rerank           also the builtin reranker (ai.h) over the BM25 top 100, with the
 *                        first of --weights
 *
 * Each abstract is chunked (title, a line break, then the text); a document's score in a
 * list is its best chunk's. Prints markdown table rows: mode, setting, nDCG@10,
 * recall@100. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ai/ai.h"
#include "ai/bm25.h"
#include "vector/chunker.h"
#include "ai/eval.h"
#include "ai/fusion.h"
#include "ai/lsa.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/fsio.h"

#define MAXV 16
#define FB_MAX 32

typedef struct corpus {
    char **doc_id;
    size_t n_docs;
    char **chunk;       /* chunk texts */
    size_t *chunk_len;
    uint32_t *chunk_doc;
    size_t n_chunks;
    char **q_id, **q_text;
    size_t n_q;
} corpus;

static void die(const char *what, const lh_err *err)
{
    fprintf(stderr, "scifact_eval: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    lh_buf path, data;
    lh_buf_init(&path, 0);
    lh_buf_init(&data, (size_t)1 << 30);
    lh_err err = {{0}};
    lh_path_join(&path, dir, name);
    if (lh_file_read_all(lh_buf_cstr(&path), (size_t)1 << 30, &data, &err))
        die(name, &err);
    lh_buf_release(&path);
    *len = data.len;
    return lh_buf_detach(&data);
}

/* Calls fn on each JSON object line of a .jsonl file. */
static void each_line(char *text, size_t len, void (*fn)(json_t *, void *), void *ctx)
{
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        if (e > i) {
            json_error_t je;
            json_t *o = lh_json_loadb(text + i, e - i, 0, &je);
            if (!json_is_object(o))
                die("a line is not a JSON object", NULL);
            fn(o, ctx);
            json_decref(o);
        }
        i = e + 1;
    }
}

static lh_chunk_opts g_chunk;

static void add_doc(json_t *o, void *ctx)
{
    corpus *c = ctx;
    const char *id = json_string_value(json_object_get(o, "_id"));
    const char *title = json_string_value(json_object_get(o, "title"));
    const char *text = json_string_value(json_object_get(o, "text"));
    if (!id || !text)
        die("a corpus line lacks _id or text", NULL);
    lh_buf b;
    lh_buf_init(&b, 0);
    if (title && *title)
        lh_buf_printf(&b, "%s\n", title);
    lh_buf_adds(&b, text);
    if (lh_buf_status(&b))
        die("out of memory", NULL);
    c->doc_id = realloc(c->doc_id, (c->n_docs + 1) * sizeof *c->doc_id);
    c->doc_id[c->n_docs] = strdup(id);
    lh_chunk_list l = {0};
    lh_err err = {{0}};
    if (lh_chunk_text(&g_chunk, id, lh_buf_cstr(&b), b.len, &l, &err))
        die("chunking", &err);
    for (size_t i = 0; i < l.n; i++) {
        c->chunk = realloc(c->chunk, (c->n_chunks + 1) * sizeof *c->chunk);
        c->chunk_len = realloc(c->chunk_len, (c->n_chunks + 1) * sizeof *c->chunk_len);
        c->chunk_doc = realloc(c->chunk_doc, (c->n_chunks + 1) * sizeof *c->chunk_doc);
        c->chunk[c->n_chunks] = strdup(l.items[i].text);
        c->chunk_len[c->n_chunks] = strlen(l.items[i].text);
        c->chunk_doc[c->n_chunks] = (uint32_t)c->n_docs;
        c->n_chunks++;
    }
    lh_chunk_list_release(&l);
    lh_buf_release(&b);
    c->n_docs++;
}

static void add_query(json_t *o, void *ctx)
{
    corpus *c = ctx;
    const char *id = json_string_value(json_object_get(o, "_id"));
    const char *text = json_string_value(json_object_get(o, "text"));
    if (!id || !text)
        die("a query line lacks _id or text", NULL);
    c->q_id = realloc(c->q_id, (c->n_q + 1) * sizeof *c->q_id);
    c->q_text = realloc(c->q_text, (c->n_q + 1) * sizeof *c->q_text);
    c->q_id[c->n_q] = strdup(id);
    c->q_text[c->n_q] = strdup(text);
    c->n_q++;
}

/* Chunk scores -> the depth best documents (a document's score is its best chunk's). */
static uint32_t *g_best_chunk; /* per document: its best chunk in the last doc_list */

/* How a document's lexical score comes from its chunks' (--doc-agg): the best chunk's,
 * their sum, or the best plus 0.1 of the others' sum. Dense lists always take the best. */
enum { AGG_MAX, AGG_SUM, AGG_FRAC };
static int g_doc_agg = AGG_MAX;

static size_t doc_list_agg(const corpus *c, const float *chunk_score, float *doc_score,
                           size_t depth, lh_ai_hit *out, int agg)
{
    for (size_t d = 0; d < c->n_docs; d++)
        doc_score[d] = -INFINITY;
    for (size_t i = 0; i < c->n_chunks; i++)
        if (chunk_score[i] > doc_score[c->chunk_doc[i]]) {
            doc_score[c->chunk_doc[i]] = chunk_score[i];
            g_best_chunk[c->chunk_doc[i]] = (uint32_t)i;
        }
    if (agg != AGG_MAX) {
        /* chunk scores are >= 0 (BM25); add the other chunks' to the best one's */
        for (size_t i = 0; i < c->n_chunks; i++) {
            uint32_t d = c->chunk_doc[i];
            if (g_best_chunk[d] != i && chunk_score[i] > 0)
                doc_score[d] += (agg == AGG_SUM ? 1.0f : 0.1f) * chunk_score[i];
        }
    }
    /* selection by repeated partial sort is fine at this size: sort (score, doc) pairs */
    lh_ai_hit *all = malloc(c->n_docs * sizeof *all);
    for (size_t d = 0; d < c->n_docs; d++)
        all[d] = (lh_ai_hit){.doc = (uint32_t)d, .score = doc_score[d]};
    size_t n = 0;
    for (size_t k = 0; k < depth && k < c->n_docs; k++) {
        size_t best = k;
        for (size_t j = k + 1; j < c->n_docs; j++)
            if (all[j].score > all[best].score ||
                (all[j].score == all[best].score && all[j].doc < all[best].doc))
                best = j;
        lh_ai_hit t = all[k];
        all[k] = all[best];
        all[best] = t;
        out[n++] = all[k];
    }
    free(all);
    return n;
}

static size_t doc_list(const corpus *c, const float *chunk_score, float *doc_score, size_t depth,
                       lh_ai_hit *out)
{
    return doc_list_agg(c, chunk_score, doc_score, depth, out, AGG_MAX);
}

typedef struct score {
    double ndcg, recall;
    size_t n;
} score;

static void judge(const corpus *c, const lh_qrels *qr, size_t q, const lh_ai_hit *hits, size_t n,
                  score *s)
{
    const char *ids[1000];
    if (n > 1000)
        n = 1000;
    for (size_t i = 0; i < n; i++)
        ids[i] = c->doc_id[hits[i].doc];
    double nd, rc;
    if (lh_eval_query(qr, c->q_id[q], ids, n, 10, 100, &nd, &rc) == LH_OK) {
        s->ndcg += nd;
        s->recall += rc;
        s->n++;
    }
}

static void row(const char *mode, const char *setting, const score *s)
{
    printf("| %s | %s | %.4f | %.4f |\n", mode, setting, s->ndcg / (double)s->n,
           s->recall / (double)s->n);
    fflush(stdout);
}

static size_t parse_list(const char *s, double *out)
{
    size_t n = 0;
    while (*s && n < MAXV) {
        char *end;
        out[n++] = strtod(s, &end);
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            break;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: scifact_eval DIR [options] (see the file's header)\n");
        return 2;
    }
    lh_alloc_install_json();
    const char *dir = argv[1];
    g_chunk = lh_chunk_defaults();
    lh_bm25_params bp = lh_bm25_defaults();
    lh_lsa_params lp = lh_lsa_defaults();
    double k1s[MAXV] = {bp.k1}, bs[MAXV] = {bp.b}, dimss[MAXV] = {lp.dims};
    double ws[MAXV] = {0.1, 0.2, 0.3, 0.4, 0.5}, sig[MAXV] = {lp.sigma_power};
    size_t nsig = 1;
    double fbs[MAXV] = {3, 5, 10};
    size_t nfb = 3;
    double fb_beta = 1.0;
    int rerank = 0;
    lh_fuse_kind fuse_kind = LH_FUSE_WEIGHTED;
    size_t nk1 = 1, nb = 1, ndims = 1, nw = 5, depth = 100;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--chunk")) {
            g_chunk.size = (uint32_t)strtoul(v, NULL, 10);
            const char *slash = strchr(v, '/');
            g_chunk.overlap = slash ? (uint32_t)strtoul(slash + 1, NULL, 10) : 0;
            i++;
        } else if (!strcmp(a, "--k1")) {
            nk1 = parse_list(v, k1s);
            i++;
        } else if (!strcmp(a, "--b")) {
            nb = parse_list(v, bs);
            i++;
        } else if (!strcmp(a, "--dims")) {
            ndims = parse_list(v, dimss);
            i++;
        } else if (!strcmp(a, "--sigma")) {
            nsig = parse_list(v, sig);
            i++;
        } else if (!strcmp(a, "--fb-docs")) {
            nfb = parse_list(v, fbs);
            for (size_t f = 0; f < nfb; f++)
                if (fbs[f] < 1 || fbs[f] > FB_MAX)
                    die("--fb-docs values must be between 1 and 32", NULL);
            i++;
        } else if (!strcmp(a, "--fb-beta")) {
            fb_beta = strtod(v, NULL);
            i++;
        } else if (!strcmp(a, "--terms")) {
            lp.max_terms = (uint32_t)strtoul(v, NULL, 10);
            i++;
        } else if (!strcmp(a, "--weights")) {
            nw = parse_list(v, ws);
            i++;
        } else if (!strcmp(a, "--depth")) {
            depth = strtoul(v, NULL, 10);
            i++;
        } else if (!strcmp(a, "--no-stop")) {
            bp.stopwords = lp.stopwords = false;
        } else if (!strcmp(a, "--no-stem")) {
            bp.stem = lp.stem = false;
        } else if (!strcmp(a, "--porter")) {
            bp.porter = lp.porter = true;
        } else if (!strcmp(a, "--bm25-porter")) {
            bp.porter = true;
        } else if (!strcmp(a, "--lsa-porter")) {
            lp.porter = true;
        } else if (!strcmp(a, "--no-porter")) {
            bp.porter = lp.porter = false;
        } else if (!strcmp(a, "--fit-docs")) {
            lp.max_fit_docs = (uint32_t)strtoul(v, NULL, 10);
            i++;
        } else if (!strcmp(a, "--log-entropy")) {
            lp.weighting = LH_LSA_LOG_ENTROPY;
        } else if (!strcmp(a, "--doc-agg")) {
            g_doc_agg = !strcmp(v, "sum") ? AGG_SUM : !strcmp(v, "frac") ? AGG_FRAC : AGG_MAX;
            i++;
        } else if (!strcmp(a, "--tfidf")) {
            lp.weighting = LH_LSA_TFIDF;
        } else if (!strcmp(a, "--zscore")) {
            fuse_kind = LH_FUSE_ZSCORE;
        } else if (!strcmp(a, "--rerank")) {
            rerank = 1;
        } else if (!strcmp(a, "--bm25-bigrams")) {
            bp.bigrams = true;
        } else if (!strcmp(a, "--no-bigrams")) {
            lp.bigrams = false;
        } else if (!strcmp(a, "--lsa-bigrams")) {
            lp.bigrams = true;
        } else {
            fprintf(stderr, "scifact_eval: unknown option %s\n", a);
            return 2;
        }
    }
    if (depth < 100 || depth > 1000)
        die("--depth must be between 100 and 1000", NULL);
    lh_err err = {{0}};
    if (lh_chunk_check(&g_chunk, &err))
        die("--chunk", &err);

    corpus c = {0};
    size_t len;
    char *text = slurp(dir, "corpus.jsonl", &len);
    each_line(text, len, add_doc, &c);
    free(text);
    text = slurp(dir, "queries.jsonl", &len);
    each_line(text, len, add_query, &c);
    free(text);
    text = slurp(dir, "qrels/test.tsv", &len);
    lh_qrels *qr;
    if (lh_qrels_parse(text, len, &qr, &err))
        die("qrels", &err);
    free(text);
    fprintf(stderr, "scifact_eval: %zu documents, %zu chunks (%u/%u chars), %zu queries, %zu judged\n",
            c.n_docs, c.n_chunks, (unsigned)g_chunk.size, (unsigned)g_chunk.overlap, c.n_q,
            lh_qrels_queries(qr));

    float *cs = malloc(c.n_chunks * sizeof *cs), *ds = malloc(c.n_docs * sizeof *ds);
    lh_ai_hit *lex = malloc(c.n_q * depth * sizeof *lex), *den = malloc(depth * sizeof *den);
    size_t *nlex = malloc(c.n_q * sizeof *nlex);
    g_best_chunk = malloc(c.n_docs * sizeof *g_best_chunk);
    /* per query: the best chunk of each of its top lexical documents (for feedback) */
    uint32_t *lex_chunk = malloc(c.n_q * FB_MAX * sizeof *lex_chunk);
    uint32_t *lex_chunk_all = malloc(c.n_q * depth * sizeof *lex_chunk_all);
    lh_ai_hit *fused = malloc(2 * depth * sizeof *fused);

    lh_bm25 *bm;
    if (lh_bm25_new(&bp, &bm, &err))
        die("bm25", &err);
    for (size_t i = 0; i < c.n_chunks; i++)
        if (lh_bm25_add(bm, c.chunk[i], c.chunk_len[i], &err))
            die("bm25 add", &err);
    char setting[128];
    /* lexical: every k1, b; the last pair's lists feed the fusion rows */
    double best = -1, best_k1 = bp.k1, best_b = bp.b;
    for (size_t a = 0; a < nk1; a++)
        for (size_t b = 0; b < nb; b++) {
            lh_bm25_set_params(bm, (float)k1s[a], (float)bs[b], &err);
            score s = {0};
            for (size_t q = 0; q < c.n_q; q++) {
                if (lh_bm25_score_all(bm, c.q_text[q], strlen(c.q_text[q]), cs, &err))
                die("bm25", &err);
                size_t n = doc_list_agg(&c, cs, ds, 100, lex, g_doc_agg);
                judge(&c, qr, q, lex, n, &s);
            }
            snprintf(setting, sizeof setting, "k1=%.2g b=%.2g", k1s[a], bs[b]);
            row("lexical (BM25)", setting, &s);
            if (s.ndcg > best) {
                best = s.ndcg;
                best_k1 = k1s[a];
                best_b = bs[b];
            }
        }
    /* fusion uses the defaults' BM25, not the sweep's best: no tuning to the test set */
    lh_bm25_set_params(bm, bp.k1, bp.b, &err);
    (void)best_k1;
    (void)best_b;
    for (size_t q = 0; q < c.n_q; q++) {
        if (lh_bm25_score_all(bm, c.q_text[q], strlen(c.q_text[q]), cs, &err))
                die("bm25", &err);
        nlex[q] = doc_list_agg(&c, cs, ds, depth, lex + q * depth, g_doc_agg);
        for (size_t i = 0; i < FB_MAX && i < nlex[q]; i++)
            lex_chunk[q * FB_MAX + i] = g_best_chunk[lex[q * depth + i].doc];
        for (size_t i = 0; i < nlex[q]; i++)
            lex_chunk_all[q * depth + i] = g_best_chunk[lex[q * depth + i].doc];
    }

    for (size_t di = 0; di < ndims * nsig && dimss[0] > 0; di++) { /* --dims 0: lexical only */
        lp.dims = (uint32_t)dimss[di / nsig];
        lp.sigma_power = (float)sig[di % nsig];
        double t0 = now_s();
        clock_t c0 = clock();
        lh_lsa *m;
        if (lh_lsa_fit(&lp, (const char *const *)c.chunk, c.chunk_len, c.n_chunks, &m, &err))
            die("lsa fit", &err);
        double t1 = now_s();
        double fit_cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
        float *vec = malloc(c.n_chunks * lp.dims * sizeof *vec);
        for (size_t i = 0; i < c.n_chunks; i++)
            if (lh_lsa_embed(m, c.chunk[i], c.chunk_len[i], vec + i * lp.dims, &err))
                die("lsa embed", &err);
        double t2 = now_s();
        fprintf(stderr,
                "scifact_eval: LSA %u dims, %zu terms, fit on %u: fit %.2f s (%.2f s CPU), embed "
                "%.2f s, fit+embed %.0f chunks/s\n",
                (unsigned)lp.dims, lh_lsa_terms(m), (unsigned)lp.max_fit_docs, t1 - t0, fit_cpu,
                t2 - t1,
                (double)c.n_chunks / (t2 - t0));
        printf("<!-- throughput dims=%u chunks=%zu fit_s=%.2f embed_s=%.2f chunks_per_s=%.0f -->\n",
               (unsigned)lp.dims, c.n_chunks, t1 - t0, t2 - t1, (double)c.n_chunks / (t2 - t0));
        float *qv = malloc(lp.dims * sizeof *qv), *fv = malloc(lp.dims * sizeof *fv);
        score sd = {0}, sw[MAXV] = {{0}}, sr[MAXV] = {{0}}, sf[MAXV][MAXV] = {{{0}}};
        for (size_t q = 0; q < c.n_q; q++) {
            if (lh_lsa_embed(m, c.q_text[q], strlen(c.q_text[q]), qv, &err))
                die("lsa embed", &err);
            size_t nd;
            for (size_t f = 0; f < nfb; f++) {
                const float *top[FB_MAX];
                size_t nt = (size_t)fbs[f] < nlex[q] ? (size_t)fbs[f] : nlex[q];
                for (size_t i = 0; i < nt; i++)
                    top[i] = vec + (size_t)lex_chunk[q * FB_MAX + i] * lp.dims;
                lh_fuse_feedback(qv, top, nt, (float)fb_beta, lp.dims, fv);
                for (size_t i = 0; i < c.n_chunks; i++) {
                    const float *v = vec + i * lp.dims;
                    float dt = 0;
                    for (size_t d = 0; d < lp.dims; d++)
                        dt += fv[d] * v[d];
                    cs[i] = dt;
                }
                nd = doc_list(&c, cs, ds, depth, den);
                for (size_t w = 0; w < nw; w++) {
                    size_t nf;
                    if (lh_fuse(fuse_kind, (float)ws[w], lex + q * depth, nlex[q], den, nd,
                                fused, &nf, &err))
                        die("fuse", &err);
                    judge(&c, qr, q, fused, nf, &sf[f][w]);
                }
            }
            for (size_t i = 0; i < c.n_chunks; i++) {
                const float *v = vec + i * lp.dims;
                float dt = 0;
                for (size_t d = 0; d < lp.dims; d++)
                    dt += qv[d] * v[d];
                cs[i] = dt;
            }
            nd = doc_list(&c, cs, ds, depth, den);
            judge(&c, qr, q, den, nd, &sd);
            for (size_t w = 0; w < nw; w++) {
                size_t nf;
                if (lh_fuse(fuse_kind, (float)ws[w], lex + q * depth, nlex[q], den, nd, fused,
                            &nf, &err))
                    die("fuse", &err);
                judge(&c, qr, q, fused, nf, &sw[w]);
                if (lh_fuse(LH_FUSE_RRF, (float)ws[w], lex + q * depth, nlex[q], den, nd, fused, &nf,
                            &err))
                    die("fuse", &err);
                judge(&c, qr, q, fused, nf, &sr[w]);
            }
        }
        snprintf(setting, sizeof setting, "%u dims, %u terms, sigma^%.2g, fit on %u", (unsigned)lp.dims,
                 (unsigned)lh_lsa_terms(m), lp.sigma_power, (unsigned)lp.max_fit_docs);
        row("dense (LSA)", setting, &sd);
        for (size_t w = 0; w < nw; w++) {
            snprintf(setting, sizeof setting, "%u dims, w=%.2g, depth %zu", (unsigned)lp.dims, ws[w],
                     depth);
            row(fuse_kind == LH_FUSE_ZSCORE ? "hybrid, weighted z-score" : "hybrid, weighted min-max",
                setting, &sw[w]);
        }
        for (size_t w = 0; w < nw; w++) {
            snprintf(setting, sizeof setting, "%u dims, w=%.2g, depth %zu", (unsigned)lp.dims, ws[w],
                     depth);
            row("hybrid, RRF", setting, &sr[w]);
        }
        for (size_t f = 0; f < nfb; f++)
            for (size_t w = 0; w < nw; w++) {
                snprintf(setting, sizeof setting, "%u dims, w=%.2g, feedback %g docs x %.2g",
                         (unsigned)lp.dims, ws[w], fbs[f], fb_beta);
                row("hybrid, weighted + feedback", setting, &sf[f][w]);
            }
        if (rerank) {
            /* the provider owns its models: this LSA model, and a copy of the BM25 index;
             * the rerank weight is the first of --weights */
            lh_buf bb;
            lh_buf_init(&bb, (size_t)1 << 31);
            lh_bm25 *bm2;
            if (lh_bm25_save(bm, &bb) || lh_bm25_load(bb.data, bb.len, &bm2, &err))
                die("bm25 copy", &err);
            lh_buf_release(&bb);
            lh_ai *ai;
            if (lh_ai_builtin_new(m, bm2, (float)ws[0], &ai, &err))
                die("builtin", &err);
            m = NULL;
            const char *cand[100];
            float rs[100];
            lh_ai_hit rr[100];
            score srr = {0};
            for (size_t q = 0; q < c.n_q; q++) {
                size_t nc = nlex[q] < 100 ? nlex[q] : 100;
                for (size_t i = 0; i < nc; i++)
                    cand[i] = c.chunk[lex_chunk_all[q * depth + i]];
                if (lh_ai_rerank(ai, c.q_text[q], cand, NULL, nc, rs, &err))
                    die("rerank", &err);
                for (size_t i = 0; i < nc; i++)
                    rr[i] = (lh_ai_hit){.doc = lex[q * depth + i].doc, .score = rs[i]};
                /* insertion sort, stable: equal scores keep the lexical order */
                for (size_t i = 1; i < nc; i++)
                    for (size_t j = i; j > 0 && rr[j].score > rr[j - 1].score; j--) {
                        lh_ai_hit t = rr[j];
                        rr[j] = rr[j - 1];
                        rr[j - 1] = t;
                    }
                judge(&c, qr, q, rr, nc, &srr);
            }
            lh_ai_free(ai);
            snprintf(setting, sizeof setting, "%u dims, w=%.2g, BM25 top 100", (unsigned)lp.dims, ws[0]);
            row("lexical + builtin rerank", setting, &srr);
        }
        free(qv);
        free(fv);
        free(vec);
        lh_lsa_free(m);
    }
    return 0;
}
