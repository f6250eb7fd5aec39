// Compiled once per instruction set, with that instruction set's -march flags and W2V_ISA_NAME
// (core/CMakeLists.txt): everything this unit defines is in that namespace. No dynamic
// initialisation here (core/base/isa_namespace.h): the table is constant-initialised.

#include "core/search/search_kernels.h"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "core/base/isa_namespace.h"
#include "core/base/vec_ops.h"
#include "core/search/quantized_rows.h"

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

// The 8-bit scan's portable kernel (quantized_rows.h), in 128-bit vectors (one register under
// SSE2 and NEON, so every value stays in a register) and 16-bit multiplies, which SSE2 has for
// 16-bit lanes only. A group's 64 bytes are four vectors of four rows; row r's four codes are
// bytes 4r..4r+3 (dimension d at byte d, little-endian). Read as eight 16-bit lanes, lane 2r
// holds dimensions 0 and 1 of row r and lane 2r+1 dimensions 2 and 3: sign-extending each lane's
// low and high byte in place and multiplying by the matching query codes gives, in lane 2r,
// c0·q0 + c1·q1 and in lane 2r+1, c2·q2 + c3·q3 (|sum| ≤ 2·127² fits 16 bits). Read again as four
// 32-bit lanes, each row's two halves add into its own lane: no shuffle anywhere.
using Int16x8 = std::int16_t __attribute__((vector_size(16)));
using Int32x4 = std::int32_t __attribute__((vector_size(16)));
static_assert(std::endian::native == std::endian::little,
              "the portable 8-bit kernel reads a row's codes as little-endian lanes");
static_assert(QuantizedRows::kGroupDims == 4 && QuantizedRows::kBlockRows % 4 == 0);
constexpr std::size_t kVectorsPerGroup = QuantizedRows::kBlockRows / 4;

W2V_NO_UBSAN void score_int8(const std::int8_t* codes, std::size_t groups, const float* scales,
                             std::size_t blocks, const std::int8_t* query_codes, float query_scale,
                             float* out) noexcept {
  constexpr std::size_t kGroupBytes = QuantizedRows::kBlockRows * QuantizedRows::kGroupDims;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::int8_t* block = codes + b * groups * kGroupBytes;
    Int32x4 acc[kVectorsPerGroup] = {};
    for (std::size_t g = 0; g < groups; ++g) {
      const std::int16_t q0 = query_codes[4 * g], q1 = query_codes[4 * g + 1],
                         q2 = query_codes[4 * g + 2], q3 = query_codes[4 * g + 3];
      const Int16x8 even = {q0, q2, q0, q2, q0, q2, q0, q2};  // for each lane's low byte
      const Int16x8 odd = {q1, q3, q1, q3, q1, q3, q1, q3};   // and its high byte
      for (std::size_t v = 0; v < kVectorsPerGroup; ++v) {
        Int16x8 x;
        std::memcpy(&x, block + g * kGroupBytes + v * sizeof x, sizeof x);
        const auto pairs = std::bit_cast<Int32x4>(((x << 8) >> 8) * even + (x >> 8) * odd);
        acc[v] += ((pairs << 16) >> 16) + (pairs >> 16);
      }
    }
    for (std::size_t v = 0; v < kVectorsPerGroup; ++v) {
      for (std::size_t r = 0; r < 4; ++r) {
        const std::size_t row = b * QuantizedRows::kBlockRows + 4 * v + r;
        out[row] = static_cast<float>(acc[v][r]) * scales[row] * query_scale;
      }
    }
  }
}

float unit_dot_distance(const void* a, const void* b, const void* dim) {
  return 1.0f - dot_any(static_cast<const float*>(a), static_cast<const float*>(b),
                        *static_cast<const std::size_t*>(dim));
}

}  // namespace

extern const SearchKernels kSearchKernels;
const SearchKernels kSearchKernels = {
    Isa::W2V_ISA_ENUM, &dot_any, &score_rows, &select_above, &score_int8, &unit_dot_distance,
};

W2V_ISA_END
}  // namespace w2v
