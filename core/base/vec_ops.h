#pragma once
// The level-1 vector operations of the kernels. Templated on the scalar so the
// double-precision gradient checks run the same code as float training; the float dot product
// has an explicit AVX-512 / AVX2 path (the compiler's own reduction of a vectorised loop goes
// through memory), taken for the training rows, whose length is a multiple of 16.
//
// Not checked by UBSan (W2V_NO_UBSAN): its per-element null, alignment and pointer-overflow
// checks made the CBOW full-softmax learning test six times slower under ASan + UBSan (51 s
// against 9), and in these loops over a pointer and a length they can only find what ASan
// finds, an access outside the row. ASan still checks every access.

#include <cstddef>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#if defined(__clang__) || defined(__GNUC__)
#define W2V_NO_UBSAN __attribute__((no_sanitize("undefined")))
#else
#define W2V_NO_UBSAN
#endif

namespace w2v {

#if defined(__AVX2__)
namespace detail {
inline float horizontal_sum(__m256 v) noexcept {
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  s4 = _mm_add_ss(s4, _mm_movehdup_ps(s4));
  return _mm_cvtss_f32(s4);
}
}  // namespace detail
#endif

template <class T>
W2V_NO_UBSAN inline T dot(const T* __restrict a, const T* __restrict b, std::size_t n) noexcept {
  T s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

W2V_NO_UBSAN inline float dot(const float* __restrict a, const float* __restrict b,
                              std::size_t n) noexcept {
#if defined(__AVX512F__)
  if (n % 16 == 0) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
      acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
      acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
    }
    if (i < n) acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
    // Fold the upper 256 bits onto the lower with plain vector shuffles: GCC 12 misreports its
    // AVX-512 reduce, extract and shuffle intrinsics as reading uninitialised values.
    const __m512 s16 = acc0 + acc1;
    const __m256 lo = __builtin_shufflevector(s16, s16, 0, 1, 2, 3, 4, 5, 6, 7);
    const __m256 hi = __builtin_shufflevector(s16, s16, 8, 9, 10, 11, 12, 13, 14, 15);
    return detail::horizontal_sum(lo + hi);
  }
#elif defined(__AVX2__) && defined(__FMA__)
  if (n % 16 == 0) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    for (std::size_t i = 0; i < n; i += 16) {
      acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
      acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    return detail::horizontal_sum(_mm256_add_ps(acc0, acc1));
  }
#endif
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// y += alpha · x
template <class T>
W2V_NO_UBSAN inline void axpy(T alpha, const T* __restrict x, T* __restrict y,
                              std::size_t n) noexcept {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

// y += Σ_k coef[k] · rows[k].
template <class T>
W2V_NO_UBSAN inline void add_combination(const T* coef, const T* const* rows, std::size_t m,
                                         T* __restrict y, std::size_t n) noexcept {
  for (std::size_t k = 0; k < m; ++k) axpy(coef[k], rows[k], y, n);
}

// The float version for rows whose length is a multiple of 16 (training rows): y is loaded and
// stored once per 16-float block however many rows are combined (GCC vector extensions: one
// AVX-512 register, or two AVX2 ones).
W2V_NO_UBSAN inline void add_combination(const float* coef, const float* const* rows, std::size_t m,
                                         float* __restrict y, std::size_t n) noexcept {
  if (n % 16 != 0) {
    for (std::size_t k = 0; k < m; ++k) axpy(coef[k], rows[k], y, n);
    return;
  }
  using Block = float __attribute__((vector_size(64)));
  for (std::size_t i = 0; i < n; i += 16) {
    Block acc;
    __builtin_memcpy(&acc, y + i, sizeof acc);
    for (std::size_t k = 0; k < m; ++k) {
      Block r;
      __builtin_memcpy(&r, rows[k] + i, sizeof r);
      acc += coef[k] * r;
    }
    __builtin_memcpy(y + i, &acc, sizeof acc);
  }
}

template <class T>
W2V_NO_UBSAN inline void zero(T* y, std::size_t n) noexcept {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = 0;
}

}  // namespace w2v
