/* vectors_int.h: private to src/vectors (and its unit test and benchmark).
 *
 * The kernel table (kernels.c picks scalar or AVX2 once), and the threaded top-k scan
 * (topk.c) that float and int8 searches share: it calls a block scorer for runs of up to
 * LH__VEC_BLOCK rows and keeps the best keys. A key is "higher is better" (a distance is
 * negated) so one heap order serves every metric. */
#ifndef LH_VECTORS_VECTORS_INT_H
#define LH_VECTORS_VECTORS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vectors/vectors.h"

/* Rows scored per call of a block scorer: one word of the allow bitmap. */
#define LH__VEC_BLOCK 64

typedef struct lh__vec_kernels {
    const char *name;
    float (*dot)(const float *a, const float *b, size_t dims);
    float (*l2sq)(const float *a, const float *b, size_t dims);
    /* out[i] = dot(q, rows + i * dims), i < nrows */
    void (*dot_rows)(const float *q, const float *rows, size_t nrows, size_t dims, float *out);
    /* out[i] = l2sq(q, rows + i * dims), i < nrows */
    void (*l2sq_rows)(const float *q, const float *rows, size_t nrows, size_t dims, float *out);
    /* out[i] = sum q[d] * codes[i * dims + d] in int32; q holds small integers (int16),
     * bounded by the caller so that no sum overflows (quant.c) */
    void (*dot_i8_rows)(const int16_t *q, const int8_t *codes, size_t nrows, size_t dims,
                        int32_t *out);
} lh__vec_kernels;

/* The kernels in use: AVX2+FMA when supported and not forced off, else scalar. */
const lh__vec_kernels *lh__vec_kernels_get(void);
/* The scalar kernels, always (the reference the tests compare with). */
const lh__vec_kernels *lh__vec_kernels_scalar(void);
/* The AVX2+FMA kernels, or NULL when this CPU lacks them. */
const lh__vec_kernels *lh__vec_kernels_avx2(void);
/* Tests and benchmarks: true = lh__vec_kernels_get returns the scalar kernels from now on
 * (every public function follows); false = back to the CPU's best. */
void lh__vec_force_scalar(bool on);

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

#endif
