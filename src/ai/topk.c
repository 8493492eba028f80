/* topk.c: the k best of a score array with a bounded min-heap (n log k). The exact-search
 * kernels of src/vector have their own; this one serves BM25. */
#include <math.h>

#include "ai/ai_int.h"

/* a worse than b: lower score, or equal score and higher index */
static bool worse(float sa, uint32_t ia, float sb, uint32_t ib)
{
    return sa < sb || (sa == sb && ia > ib);
}

static void sift_down(uint32_t *idx, float *sc, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(sc[l], idx[l], sc[m], idx[m]))
            m = l;
        if (r < n && worse(sc[r], idx[r], sc[m], idx[m]))
            m = r;
        if (m == i)
            return;
        float ts = sc[i];
        sc[i] = sc[m];
        sc[m] = ts;
        uint32_t ti = idx[i];
        idx[i] = idx[m];
        idx[m] = ti;
        i = m;
    }
}

static void sift_up(uint32_t *idx, float *sc, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!worse(sc[i], idx[i], sc[p], idx[p]))
            return;
        float ts = sc[i];
        sc[i] = sc[p];
        sc[p] = ts;
        uint32_t ti = idx[i];
        idx[i] = idx[p];
        idx[p] = ti;
        i = p;
    }
}

size_t lh__ai_topk(const float *scores, size_t n, size_t k, uint32_t *out_idx, float *out_score)
{
    size_t h = 0;
    if (k == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        float s = scores[i];
        if (isnan(s))
            continue;
        if (h < k) {
            out_idx[h] = (uint32_t)i;
            out_score[h] = s;
            sift_up(out_idx, out_score, h);
            h++;
        } else if (worse(out_score[0], out_idx[0], s, (uint32_t)i)) {
            out_idx[0] = (uint32_t)i;
            out_score[0] = s;
            sift_down(out_idx, out_score, h, 0);
        }
    }
    /* heap sort: repeatedly move the worst to the end, which leaves the best first */
    for (size_t end = h; end > 1; end--) {
        float ts = out_score[0];
        out_score[0] = out_score[end - 1];
        out_score[end - 1] = ts;
        uint32_t ti = out_idx[0];
        out_idx[0] = out_idx[end - 1];
        out_idx[end - 1] = ti;
        sift_down(out_idx, out_score, end - 1, 0);
    }
    return h;
}
