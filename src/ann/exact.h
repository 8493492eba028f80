/* exact.h: exact (brute-force) vector search over float32 rows (issue 14, item 4).
 *
 * The compute layer under the vector indexes: distance kernels, a top-k scan of a
 * contiguous row-major matrix (n rows x dims floats, row r at matrix + r * dims), and an
 * optional int8 copy of the matrix that is scanned first and re-ranked exactly. It knows
 * nothing of files, indexes or datasets: callers hand it memory.
 *
 * Kernels: AVX2+FMA when the CPU (and the OS) support them, decided once at run time
 * (__builtin_cpu_supports); a portable scalar loop otherwise. The binary is built for
 * plain x86-64: only the kernel functions carry target("avx2,fma"). Both paths agree
 * within 1e-5 on L2-normalised inputs (they sum in a different order, nothing else).
 *
 * Scores: LH_VEC_DOT is the inner product (higher is better); LH_VEC_COSINE is the inner
 * product of the normalised query with rows that the caller has L2-normalised (an index
 * stores them so; cosine = dot then), higher is better; LH_VEC_L2 is the squared
 * Euclidean distance, lower is better. Results come best first; equal scores are ordered
 * by row number, lower first, so a search is deterministic whatever the thread count. A
 * NaN score (a NaN in the data) ranks after every number.
 *
 * Thread-safety: every function here may be called from several threads at once on
 * shared, unchanging inputs. */
#ifndef LH_ANN_EXACT_H
#define LH_ANN_EXACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/simd.h"
#include "core/status.h"

/* ---- top-k search ---------------------------------------------------------------------- */

typedef enum lh_vec_metric {
    LH_VEC_DOT = 0,
    LH_VEC_COSINE = 1,
    LH_VEC_L2 = 2,
} lh_vec_metric;

typedef struct lh_vec_hit {
    uint64_t row;  /* row number in the matrix */
    float score;   /* as the metric defines it (L2: squared distance) */
} lh_vec_hit;

/* The bitmap of rows a search may return: bit (r % 64) of word r / 64 set = row r
 * allowed; lh_vec_bitmap_words(n) words for n rows. NULL = every row. */
#define lh_vec_bitmap_words(n) (((n) + 63) / 64)

typedef struct lh_vec_search_opts {
    lh_vec_metric metric;
    size_t k;                /* hits wanted, >= 1; more than the allowed rows returns them all */
    int threads;             /* 1 = scan in the calling thread; 0 = one per online CPU;
                              * the rows are split into that many contiguous ranges */
    const uint64_t *allow;   /* NULL, or the bitmap of allowed rows (above) */
} lh_vec_search_opts;

/* The opts->k rows of matrix (n x dims) nearest query (dims floats), best first, into out
 * (room for min(k, n) hits); *out_n = how many were written (fewer than k when fewer rows
 * are allowed). LH_EINVAL for dims 0, k 0 or a metric out of range; LH_ENOMEM; LH_EINTERNAL
 * when a thread cannot be started. The query is not changed (COSINE normalises a copy). */
lh_status lh_vec_search(const float *matrix, size_t n, size_t dims, const float *query,
                        const lh_vec_search_opts *opts, lh_vec_hit *out, size_t *out_n,
                        lh_err *err);

/* ---- int8 scalar quantisation ---------------------------------------------------------- */

/* An int8 copy of a matrix, one symmetric scale per dimension: code = round(x / scale[d])
 * in [-127, 127], scale[d] = max |x[., d]| / 127. A scan reads a quarter of the bytes of
 * the float matrix; its scores are approximate, so lh_vec_q8_search re-ranks its best
 * candidates on the float rows. Immutable once built; owns its memory. */
typedef struct lh_vec_q8 lh_vec_q8;

/* Builds the int8 copy of matrix (n x dims). Caller frees *out with lh_vec_q8_free.
 * LH_EINVAL for n or dims 0, LH_ENOMEM. */
lh_status lh_vec_q8_new(const float *matrix, size_t n, size_t dims, lh_vec_q8 **out,
                        lh_err *err);
void lh_vec_q8_free(lh_vec_q8 *q8);

/* Bytes held by q8 (codes, scales, norms). */
size_t lh_vec_q8_bytes(const lh_vec_q8 *q8);

/* Like lh_vec_search over the matrix q8 was built from (matrix, the same n x dims floats,
 * still needed for the re-rank): scans the int8 codes for the best opts->k * rerank
 * candidates (rerank >= 1; 1 = no re-rank beyond k), then scores those exactly on the
 * float rows and returns the best opts->k of them with their exact scores. */
lh_status lh_vec_q8_search(const lh_vec_q8 *q8, const float *matrix, const float *query,
                           const lh_vec_search_opts *opts, size_t rerank, lh_vec_hit *out,
                           size_t *out_n, lh_err *err);

#endif
