/* fusion.c: weighted-sum and reciprocal-rank fusion (fusion.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ai/fusion.h"
#include "core/alloc.h"

#define RRF_K 60.0

float lh_fuse_default_weight(void)
{
    return 0.2f; /* docs/BENCHMARKS.md "Builtin retrieval" */
}

/* Appends list l[0, n) to all/part with each hit's weighted contribution. */
static void add_list(lh_fuse_kind kind, const lh_ai_hit *l, size_t n, double weight,
                     lh_ai_hit *all, double *contrib, size_t *at)
{
    float lo = n ? l[0].score : 0, hi = lo;
    for (size_t i = 1; i < n; i++) {
        if (l[i].score < lo)
            lo = l[i].score;
        if (l[i].score > hi)
            hi = l[i].score;
    }
    double sd = 0;
    if (kind == LH_FUSE_ZSCORE && n > 1) {
        double mean = 0, var = 0;
        for (size_t i = 0; i < n; i++)
            mean += l[i].score;
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
            var += ((double)l[i].score - mean) * ((double)l[i].score - mean);
        sd = sqrt(var / (double)n);
    }
    for (size_t r = 0; r < n; r++) {
        double c;
        if (kind == LH_FUSE_ZSCORE)
            c = sd > 0 ? ((double)l[r].score - lo) / sd : 1.0;
        else if (kind == LH_FUSE_RRF)
            c = 1.0 / (RRF_K + (double)r + 1.0);
        else
            c = hi > lo ? ((double)l[r].score - lo) / ((double)hi - lo) : 1.0;
        all[*at] = l[r];
        contrib[(*at)++] = weight * c;
    }
}

static int by_doc(const void *a, const void *b)
{
    const lh_ai_hit *x = a, *y = b;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

static int by_score(const void *a, const void *b)
{
    const lh_ai_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

lh_status lh_fuse(lh_fuse_kind kind, float w, const lh_ai_hit *lex, size_t nl,
                  const lh_ai_hit *dense, size_t nd, lh_ai_hit *out, size_t *n_out, lh_err *err)
{
    *n_out = 0;
    if (!(w >= 0 && w <= 1))
        return lh_fail(err, LH_EINVAL, "the dense weight of a hybrid search must be between 0 and 1");
    if (kind != LH_FUSE_WEIGHTED && kind != LH_FUSE_RRF && kind != LH_FUSE_ZSCORE)
        return lh_fail(err, LH_EINVAL, "unknown fusion");
    double *contrib = lh_malloc((nl + nd + 1) * sizeof *contrib);
    if (!contrib)
        return lh_fail(err, LH_ENOMEM, "out of memory fusing %zu results", nl + nd);
    lh_ai_hit *all = out; /* fused in place: out has room for both lists */
    size_t n = 0;
    add_list(kind, lex, nl, 1.0 - w, all, contrib, &n);
    add_list(kind, dense, nd, w, all, contrib, &n);
    for (size_t i = 0; i < n; i++)
        all[i].score = (float)contrib[i];
    free(contrib);
    qsort(all, n, sizeof *all, by_doc);
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double s = 0;
        while (j < n && all[j].doc == all[i].doc)
            s += all[j++].score;
        out[m].doc = all[i].doc;
        out[m].score = (float)s;
        m++;
        i = j;
    }
    qsort(out, m, sizeof *out, by_score);
    *n_out = m;
    return LH_OK;
}

void lh_fuse_feedback(const float *q, const float *const *top, size_t m, float beta, size_t dims,
                      float *out)
{
    double norm = 0;
    for (size_t c = 0; c < dims; c++) {
        double v = 0;
        for (size_t i = 0; i < m; i++)
            v += top[i][c];
        v = (double)q[c] + (m ? beta * v / (double)m : 0);
        out[c] = (float)v;
        norm += v * v;
    }
    float inv = norm > 0 ? (float)(1.0 / sqrt(norm)) : 0.0f;
    for (size_t c = 0; c < dims; c++)
        out[c] *= inv;
}
