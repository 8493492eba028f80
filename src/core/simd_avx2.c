/* simd_avx2.c: the AVX2+FMA distance kernels and the CPU check that enables them.
 *
 * Only these functions carry target("avx2,fma"); the rest of the binary stays plain
 * x86-64, and simd.c calls here only after lh_simd_kernels_avx2 has seen the CPU (and
 * the OS, which must save the YMM registers; __builtin_cpu_supports checks both) support
 * AVX2 and FMA. Four independent accumulators hide the FMA latency; the scan is bound by
 * memory long before by arithmetic. Elsewhere than x86 this file offers nothing. */
#include <pthread.h>

#include "core/simd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define LH_AVX2 __attribute__((target("avx2,fma")))

LH_AVX2 static inline float hsum_ps(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 0x55));
    return _mm_cvtss_f32(s);
}

LH_AVX2 static inline int32_t hsum_epi32(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

LH_AVX2 static inline float dot_body(const float *a, const float *b, size_t dims)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= dims; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= dims; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float tail = 0;
    for (; i < dims; i++)
        tail += a[i] * b[i];
    return hsum_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))) + tail;
}

LH_AVX2 static inline float l2sq_body(const float *a, const float *b, size_t dims)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= dims; i += 32) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
        __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
        s2 = _mm256_fmadd_ps(d2, d2, s2);
        s3 = _mm256_fmadd_ps(d3, d3, s3);
    }
    for (; i + 8 <= dims; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    float tail = 0;
    for (; i < dims; i++) {
        float d = a[i] - b[i];
        tail += d * d;
    }
    return hsum_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))) + tail;
}

LH_AVX2 static float dot_avx2(const float *a, const float *b, size_t dims)
{
    return dot_body(a, b, dims);
}

LH_AVX2 static float l2sq_avx2(const float *a, const float *b, size_t dims)
{
    return l2sq_body(a, b, dims);
}

LH_AVX2 static void dot_rows_avx2(const float *q, const float *rows, size_t nrows, size_t dims,
                                  float *out)
{
    for (size_t r = 0; r < nrows; r++)
        out[r] = dot_body(q, rows + r * dims, dims);
}

LH_AVX2 static void l2sq_rows_avx2(const float *q, const float *rows, size_t nrows,
                                   size_t dims, float *out)
{
    for (size_t r = 0; r < nrows; r++)
        out[r] = l2sq_body(q, rows + r * dims, dims);
}

/* 16 codes at a time widened to int16 and multiplied with the int16 query in pairs
 * (vpmaddwd): exact integer arithmetic, so this equals the scalar kernel bit for bit. */
LH_AVX2 static void dot_i8_rows_avx2(const int16_t *q, const int8_t *codes, size_t nrows,
                                     size_t dims, int32_t *out)
{
    for (size_t r = 0; r < nrows; r++) {
        const int8_t *c = codes + r * dims;
        __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
        size_t i = 0;
        for (; i + 32 <= dims; i += 32) {
            __m256i c0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(c + i)));
            __m256i c1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(c + i + 16)));
            s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(c0, _mm256_loadu_si256((const __m256i *)(q + i))));
            s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(c1, _mm256_loadu_si256((const __m256i *)(q + i + 16))));
        }
        for (; i + 16 <= dims; i += 16) {
            __m256i c0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(c + i)));
            s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(c0, _mm256_loadu_si256((const __m256i *)(q + i))));
        }
        int32_t s = hsum_epi32(_mm256_add_epi32(s0, s1));
        for (; i < dims; i++)
            s += (int32_t)q[i] * c[i];
        out[r] = s;
    }
}

static const lh_simd_kernels avx2_kernels = {
    .name = "avx2+fma",
    .dot = dot_avx2,
    .l2sq = l2sq_avx2,
    .dot_rows = dot_rows_avx2,
    .l2sq_rows = l2sq_rows_avx2,
    .dot_i8_rows = dot_i8_rows_avx2,
};

static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static bool cpu_has_avx2;

static void cpu_check(void)
{
    __builtin_cpu_init();
    cpu_has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const lh_simd_kernels *lh_simd_kernels_avx2(void)
{
    pthread_once(&cpu_once, cpu_check);
    return cpu_has_avx2 ? &avx2_kernels : NULL;
}

#else

const lh_simd_kernels *lh_simd_kernels_avx2(void)
{
    return NULL;
}

#endif
