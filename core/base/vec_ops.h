#pragma once
// The level-1 vector operations of the kernels. Templated on the scalar so the
// double-precision gradient checks run the same code as float training; the float versions
// have an explicit path for rows whose length is a multiple of kRowBlock (training and search
// rows are padded to it, core/base/matrix.h), written with GCC vector extensions of exactly
// the width of this unit's registers (kVecFloats: 16 under AVX-512, 8 under AVX2, 4 for the
// portable build), so an accumulator is always one register and a block of them stays in
// registers across the rows it combines. A vector wider than the registers is split by the
// compiler into halves that go through the stack at every step: that is what made the batch
// kernel 4.6x slower under AVX2 than under AVX-512.
//
// Compiled once per instruction set (core/base/isa_namespace.h).
//
// Not checked by UBSan (W2V_NO_UBSAN): its per-element null, alignment and pointer-overflow
// checks made the CBOW full-softmax learning test six times slower under ASan + UBSan (51 s
// against 9), and in these loops over a pointer and a length they can only find what ASan
// finds, an access outside the row. ASan still checks every access.

#include <cstddef>

#include "core/base/isa_namespace.h"

#if defined(__clang__) || defined(__GNUC__)
#define W2V_NO_UBSAN __attribute__((no_sanitize("undefined")))
#else
#define W2V_NO_UBSAN
#endif

namespace w2v {
W2V_ISA_BEGIN

// Floats per register of this unit's instruction set.
#if defined(__AVX512F__)
inline constexpr std::size_t kVecFloats = 16;
#elif defined(__AVX__)
inline constexpr std::size_t kVecFloats = 8;
#else
inline constexpr std::size_t kVecFloats = 4;  // SSE2 on x86-64, NEON on aarch64
#endif
// The padding of training and search rows, in floats: the unit of the explicit float paths.
inline constexpr std::size_t kRowBlock = 16;
inline constexpr std::size_t kVecsPerBlock = kRowBlock / kVecFloats;
static_assert(kRowBlock % kVecFloats == 0);

namespace vec {

using Floats = float __attribute__((vector_size(kVecFloats * sizeof(float))));
using Floats4 = float __attribute__((vector_size(4 * sizeof(float))));

W2V_NO_UBSAN inline Floats load(const float* p) noexcept {
  Floats v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
W2V_NO_UBSAN inline void store(float* p, Floats v) noexcept {
  __builtin_memcpy(p, &v, sizeof v);
}

// The sum of v's lanes, folding halves in registers (the compiler's own reduction of a
// vectorised loop goes through memory).
inline float horizontal_sum(Floats v) noexcept {
#if defined(__AVX512F__)
  using Floats8 = float __attribute__((vector_size(8 * sizeof(float))));
  const Floats8 s8 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                     __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  const Floats4 s4 =
      __builtin_shufflevector(s8, s8, 0, 1, 2, 3) + __builtin_shufflevector(s8, s8, 4, 5, 6, 7);
#elif defined(__AVX__)
  const Floats4 s4 =
      __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
#else
  const Floats4 s4 = v;
#endif
  const Floats4 s2 = s4 + __builtin_shufflevector(s4, s4, 2, 3, 2, 3);
  return s2[0] + s2[1];
}

// acc[v] += c · x[v·kVecFloats ..] for the V registers of one chunk.
template <std::size_t V>
W2V_NO_UBSAN inline void fma_chunk(Floats (&acc)[V], float c, const float* x) noexcept {
#pragma GCC unroll 16
  for (std::size_t v = 0; v < V; ++v) acc[v] += c * load(x + v * kVecFloats);
}

// y[0 .. V·kVecFloats) += Σ_k coef[k] · rows[k][offset ..], y loaded and stored once.
template <std::size_t V>
W2V_NO_UBSAN inline void combine_chunk(const float* coef, const float* const* rows, std::size_t m,
                                       float* y, std::size_t offset) noexcept {
  Floats acc[V];
#pragma GCC unroll 16
  for (std::size_t v = 0; v < V; ++v) acc[v] = load(y + offset + v * kVecFloats);
  for (std::size_t k = 0; k < m; ++k) fma_chunk(acc, coef[k], rows[k] + offset);
#pragma GCC unroll 16
  for (std::size_t v = 0; v < V; ++v) store(y + offset + v * kVecFloats, acc[v]);
}

}  // namespace vec

template <class T>
W2V_NO_UBSAN inline T dot(const T* __restrict a, const T* __restrict b, std::size_t n) noexcept {
  T s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// Two blocks per step, each block's registers accumulating on their own, so consecutive
// fused multiply-adds do not wait for each other.
W2V_NO_UBSAN inline float dot(const float* __restrict a, const float* __restrict b,
                              std::size_t n) noexcept {
  if (n % kRowBlock != 0) {
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
  }
  constexpr std::size_t kVecs = 2 * kVecsPerBlock;
  vec::Floats acc[kVecs] = {};
  std::size_t i = 0;
  for (; i + 2 * kRowBlock <= n; i += 2 * kRowBlock) {
#pragma GCC unroll 16
    for (std::size_t v = 0; v < kVecs; ++v) {
      acc[v] += vec::load(a + i + v * kVecFloats) * vec::load(b + i + v * kVecFloats);
    }
  }
  if (i < n) {
#pragma GCC unroll 16
    for (std::size_t v = 0; v < kVecsPerBlock; ++v) {
      acc[v] += vec::load(a + i + v * kVecFloats) * vec::load(b + i + v * kVecFloats);
    }
  }
#pragma GCC unroll 16
  for (std::size_t v = 1; v < kVecs; ++v) acc[0] += acc[v];
  return vec::horizontal_sum(acc[0]);
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

// The float version for rows whose length is a multiple of kRowBlock: y is loaded and stored
// once per chunk however many rows are combined, the chunk (two blocks, then one) held in
// registers throughout.
W2V_NO_UBSAN inline void add_combination(const float* coef, const float* const* rows, std::size_t m,
                                         float* __restrict y, std::size_t n) noexcept {
  if (n % kRowBlock != 0) {
    for (std::size_t k = 0; k < m; ++k) axpy(coef[k], rows[k], y, n);
    return;
  }
  std::size_t i = 0;
  for (; i + 2 * kRowBlock <= n; i += 2 * kRowBlock) {
    vec::combine_chunk<2 * kVecsPerBlock>(coef, rows, m, y, i);
  }
  if (i < n) vec::combine_chunk<kVecsPerBlock>(coef, rows, m, y, i);
}

template <class T>
W2V_NO_UBSAN inline void zero(T* y, std::size_t n) noexcept {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = 0;
}

W2V_ISA_END
}  // namespace w2v
