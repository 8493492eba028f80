/* ann_int.h: private to src/ann (and its unit tests and benchmarks).
 *
 * The threaded top-k scan
 * (topk.c) that float and int8 searches share: it calls a block scorer for runs of up to
 * LH__VEC_BLOCK rows and keeps the best keys. A key is "higher is better" (a distance is
 * negated) so one heap order serves every metric. */
#ifndef LH_ANN_INT_H
#define LH_ANN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/simd.h"
#include "ann/exact.h"

/* Rows scored per call of a block scorer: one word of the allow bitmap. */
#define LH__VEC_BLOCK 64


/* Writes keys[i] for rows row0 + i, i < nrows (nrows <= LH__VEC_BLOCK): higher is better. */
typedef void (*lh__vec_block_fn)(const void *ctx, size_t row0, size_t nrows, float *keys);

/* The k best keys of rows 0..n-1 (allowed by allow, NULL = all) into out as (row, key),
 * best first, ties by lower row; *out_n = min(k, allowed rows). threads as in
 * lh_vec_search_opts (already resolved: >= 1). The scorer is called from several threads
 * at once when threads > 1. */
lh_status lh__vec_scan(size_t n, lh__vec_block_fn fn, const void *ctx, size_t k, int threads,
                       const uint64_t *allow, lh_vec_hit *out, size_t *out_n, lh_err *err);

/* opts->threads resolved: 0 = the online CPUs; never more threads than 64-row blocks. */
int lh__vec_threads(int threads, size_t n);

/* Orders hits best first (key descending, then row ascending; NaN last). */
void lh__vec_sort_hits(lh_vec_hit *hits, size_t n);

/* The parts of an int8 copy (quant.c) that the HNSW int8 walk scores with: the codes
 * (rows x dims), the per-dimension scales and each row's |dequantised row|^2. */
const int8_t *lh__vec_q8_codes(const lh_vec_q8 *q8);
const float *lh__vec_q8_scales(const lh_vec_q8 *q8);
const float *lh__vec_q8_sqnorms(const lh_vec_q8 *q8);
size_t lh__vec_q8_rows(const lh_vec_q8 *q8);
size_t lh__vec_q8_dims(const lh_vec_q8 *q8);

#endif
