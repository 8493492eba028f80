/* simd.c: the portable distance kernels, the run-time choice between them and the
 * AVX2 ones (simd_avx2.c), and the public one-pair functions.
 *
 * The scalar loops keep eight partial sums, as the AVX2 kernels keep eight lanes: it
 * lets the compiler use SSE2 (x86-64's baseline) without reassociating anything, and the
 * two paths then differ only in how the partial sums are grouped. */
#include <math.h>
#include <stdatomic.h>

#include "core/simd.h"

static float dot_scalar(const float *a, const float *b, size_t dims)
{
    float s[8] = {0};
    size_t i = 0;
    for (; i + 8 <= dims; i += 8)
        for (int j = 0; j < 8; j++)
            s[j] += a[i + j] * b[i + j];
    float tail = 0;
    for (; i < dims; i++)
        tail += a[i] * b[i];
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + tail;
}

static float l2sq_scalar(const float *a, const float *b, size_t dims)
{
    float s[8] = {0};
    size_t i = 0;
    for (; i + 8 <= dims; i += 8)
        for (int j = 0; j < 8; j++) {
            float d = a[i + j] - b[i + j];
            s[j] += d * d;
        }
    float tail = 0;
    for (; i < dims; i++) {
        float d = a[i] - b[i];
        tail += d * d;
    }
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + tail;
}

static void dot_rows_scalar(const float *q, const float *rows, size_t nrows, size_t dims,
                            float *out)
{
    for (size_t r = 0; r < nrows; r++)
        out[r] = dot_scalar(q, rows + r * dims, dims);
}

static void l2sq_rows_scalar(const float *q, const float *rows, size_t nrows, size_t dims,
                             float *out)
{
    for (size_t r = 0; r < nrows; r++)
        out[r] = l2sq_scalar(q, rows + r * dims, dims);
}

static void dot_i8_rows_scalar(const int16_t *q, const int8_t *codes, size_t nrows,
                               size_t dims, int32_t *out)
{
    for (size_t r = 0; r < nrows; r++) {
        const int8_t *c = codes + r * dims;
        int32_t s = 0;
        for (size_t i = 0; i < dims; i++)
            s += (int32_t)q[i] * c[i];
        out[r] = s;
    }
}

static const lh_simd_kernels scalar_kernels = {
    .name = "scalar",
    .dot = dot_scalar,
    .l2sq = l2sq_scalar,
    .dot_rows = dot_rows_scalar,
    .l2sq_rows = l2sq_rows_scalar,
    .dot_i8_rows = dot_i8_rows_scalar,
};

static atomic_bool force_scalar;

const lh_simd_kernels *lh_simd_kernels_scalar(void)
{
    return &scalar_kernels;
}

void lh_simd_force_scalar(bool on)
{
    atomic_store(&force_scalar, on);
}

const lh_simd_kernels *lh_simd_kernels_get(void)
{
    if (atomic_load_explicit(&force_scalar, memory_order_relaxed))
        return &scalar_kernels;
    const lh_simd_kernels *k = lh_simd_kernels_avx2();
    return k ? k : &scalar_kernels;
}

const char *lh_vec_kernel_name(void)
{
    return lh_simd_kernels_get()->name;
}

float lh_vec_dot(const float *a, const float *b, size_t dims)
{
    return lh_simd_kernels_get()->dot(a, b, dims);
}

float lh_vec_l2sq(const float *a, const float *b, size_t dims)
{
    return lh_simd_kernels_get()->l2sq(a, b, dims);
}

float lh_vec_normalize(float *v, size_t dims)
{
    float norm = sqrtf(lh_vec_dot(v, v, dims));
    if (norm > 0) {
        float inv = 1.0f / norm;
        for (size_t i = 0; i < dims; i++)
            v[i] *= inv;
    }
    return norm;
}
