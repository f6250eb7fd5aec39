// Compiled once per instruction set, with that instruction set's -march flags and W2V_ISA_NAME
// (core/CMakeLists.txt): everything this unit defines is in that namespace. No dynamic
// initialisation here (core/base/isa_namespace.h): the table is constant-initialised.

#include "core/search/search_kernels.h"

#include <bit>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "core/base/isa_namespace.h"
#include "core/base/vec_ops.h"

#if !defined(W2V_ISA_ENUM)
#error "search_kernels.cc is compiled once per instruction set, with W2V_ISA_ENUM set"
#endif

namespace w2v {
W2V_ISA_BEGIN
namespace {

float dot_any(const float* a, const float* b, std::size_t n) noexcept {
  // The vector path over whole blocks, then the rest.
  const std::size_t head = n - n % kRowBlock;
  float sum = head > 0 ? dot(a, b, head) : 0.0f;
  for (std::size_t i = head; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// Four rows at a time, so that each block of q loaded serves four rows and four independent
// sums are in flight.
W2V_NO_UBSAN void score_rows(const float* rows, std::size_t stride, std::size_t n, const float* q,
                             const float* scale, float* out) noexcept {
  std::size_t r = 0;
  for (; r + 4 <= n; r += 4) {
    const float* a = rows + r * stride;
    vec::Floats s0 = {}, s1 = {}, s2 = {}, s3 = {};
    for (std::size_t i = 0; i < stride; i += kVecFloats) {
      const vec::Floats x = vec::load(q + i);
      s0 += vec::load(a + i) * x;
      s1 += vec::load(a + stride + i) * x;
      s2 += vec::load(a + 2 * stride + i) * x;
      s3 += vec::load(a + 3 * stride + i) * x;
    }
    out[r] = vec::horizontal_sum(s0) * scale[r];
    out[r + 1] = vec::horizontal_sum(s1) * scale[r + 1];
    out[r + 2] = vec::horizontal_sum(s2) * scale[r + 2];
    out[r + 3] = vec::horizontal_sum(s3) * scale[r + 3];
  }
  for (; r < n; ++r) out[r] = dot(rows + r * stride, q, stride) * scale[r];
}

// Bit i set when s[i] > bar, for the 16 scores at s (64-byte aligned).
W2V_NO_UBSAN std::uint32_t above_mask(const float* s, float bar) noexcept {
  static_assert(kRowBlock == 16);
#if defined(__AVX512F__)
  return _mm512_cmp_ps_mask(_mm512_load_ps(s), _mm512_set1_ps(bar), _CMP_GT_OQ);
#elif defined(__AVX__)
  const __m256 b = _mm256_set1_ps(bar);
  const auto lo = static_cast<std::uint32_t>(
      _mm256_movemask_ps(_mm256_cmp_ps(_mm256_load_ps(s), b, _CMP_GT_OQ)));
  const auto hi = static_cast<std::uint32_t>(
      _mm256_movemask_ps(_mm256_cmp_ps(_mm256_load_ps(s + 8), b, _CMP_GT_OQ)));
  return lo | hi << 8;
#elif defined(__SSE2__)
  const __m128 b = _mm_set1_ps(bar);
  std::uint32_t mask = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    mask |= static_cast<std::uint32_t>(_mm_movemask_ps(_mm_cmpgt_ps(_mm_load_ps(s + 4 * i), b)))
            << (4 * i);
  }
  return mask;
#else
  std::uint32_t mask = 0;
  for (std::uint32_t i = 0; i < 16; ++i) mask |= static_cast<std::uint32_t>(s[i] > bar) << i;
  return mask;
#endif
}

std::size_t select_above(const float* s, std::size_t n, float bar, std::uint32_t* out) noexcept {
  std::size_t count = 0;
  for (std::size_t b = 0; b < n; b += kRowBlock) {
    // Most blocks hold no score above the bar: one vector compare rules them out.
    for (std::uint32_t mask = above_mask(s + b, bar); mask != 0; mask &= mask - 1) {
      out[count++] =
          static_cast<std::uint32_t>(b + static_cast<std::size_t>(std::countr_zero(mask)));
    }
  }
  return count;
}

float unit_dot_distance(const void* a, const void* b, const void* dim) {
  return 1.0f - dot_any(static_cast<const float*>(a), static_cast<const float*>(b),
                        *static_cast<const std::size_t*>(dim));
}

}  // namespace

extern const SearchKernels kSearchKernels;
const SearchKernels kSearchKernels = {
    Isa::W2V_ISA_ENUM, &dot_any, &score_rows, &select_above, &unit_dot_distance,
};

W2V_ISA_END
}  // namespace w2v
