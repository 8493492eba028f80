/* simd.h: float32 distance kernels, AVX2+FMA when the CPU (and the OS) support them,
 * chosen once at run time (__builtin_cpu_supports), a portable scalar loop otherwise.
 * The binary is built for plain x86-64: only the kernel functions carry target("avx2,fma").
 * Both paths agree within 1e-5 on L2-normalised inputs (they sum in a different order,
 * nothing else). Here in core/ (DESIGN.md: the base layer holds the SIMD kernels) because
 * exact search (vector/) and the HNSW graph (ann/) both score with them.
 * Thread-safe: pure functions of their inputs. */
#ifndef LH_CORE_SIMD_H
#define LH_CORE_SIMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* sum a[i] * b[i], i < dims. */
float lh_vec_dot(const float *a, const float *b, size_t dims);

/* sum (a[i] - b[i])^2, i < dims. */
float lh_vec_l2sq(const float *a, const float *b, size_t dims);

/* Scales v to unit length in place and returns its former length; a zero vector stays
 * zero (and 0 is returned). */
float lh_vec_normalize(float *v, size_t dims);

/* "avx2+fma" or "scalar": the kernels this process uses (for logs and benchmarks). */
const char *lh_vec_kernel_name(void);

/* The kernel table: one-pair kernels and the row-block kernels the scans use. */
typedef struct lh_simd_kernels {
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
} lh_simd_kernels;

/* The kernels in use: AVX2+FMA when supported and not forced off, else scalar. */
const lh_simd_kernels *lh_simd_kernels_get(void);
/* The scalar kernels, always (the reference the tests compare with). */
const lh_simd_kernels *lh_simd_kernels_scalar(void);
/* The AVX2+FMA kernels, or NULL when this CPU lacks them. */
const lh_simd_kernels *lh_simd_kernels_avx2(void);
/* Tests and benchmarks: true = lh_simd_kernels_get returns the scalar kernels from now on
 * (every public function follows); false = back to the CPU's best. */
void lh_simd_force_scalar(bool on);

#endif
