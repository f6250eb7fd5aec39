#pragma once
// The level-1 vector operations of the kernels, written so the compiler vectorises them
// (built with -fopenmp-simd). Templated on the scalar so the double-precision gradient checks
// run the same code as float training.

#include <cstddef>

namespace w2v {

template <class T>
inline T dot(const T* __restrict a, const T* __restrict b, std::size_t n) noexcept {
  T s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// y += alpha · x
template <class T>
inline void axpy(T alpha, const T* __restrict x, T* __restrict y, std::size_t n) noexcept {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

template <class T>
inline void zero(T* y, std::size_t n) noexcept {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = 0;
}

}  // namespace w2v
