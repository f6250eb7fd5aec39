#include "core/search/quantized_rows.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "core/base/isa.h"
#include "core/search/search_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace w2v {
namespace {

constexpr std::size_t kGroupBytes = QuantizedRows::kBlockRows * QuantizedRows::kGroupDims;

// Quantises v·inv_norm (n values) into codes with a symmetric scale; returns {scale, error}.
struct Quantised {
  float scale;
  float error;
};
Quantised quantise_unit(const float* v, std::size_t n, double inv_norm, std::int8_t* codes) {
  double largest = 0;
  for (std::size_t j = 0; j < n; ++j) largest = std::max(largest, std::abs(v[j] * inv_norm));
  if (largest == 0) {
    for (std::size_t j = 0; j < n; ++j) codes[j] = 0;
    return {0.0f, 0.0f};
  }
  const auto scale = static_cast<float>(largest / 127.0);
  double error = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const double u = v[j] * inv_norm;
    const double c = std::clamp(std::nearbyint(u / scale), -127.0, 127.0);
    codes[j] = static_cast<std::int8_t>(c);
    const double d = u - static_cast<double>(scale) * c;
    error += d * d;
  }
  return {scale, static_cast<float>(std::sqrt(error))};
}

#if defined(__x86_64__)
#define W2V_VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni")))

// Four query codes, broadcast to every 32-bit lane.
W2V_VNNI_TARGET inline __m512i query_group(const QuantizedRows::Query& q, std::size_t g) noexcept {
  std::int32_t four;
  std::memcpy(&four, q.codes.data() + 4 * g, sizeof four);
  return _mm512_set1_epi32(four);
}

// The 16 rows' codes of group g, as unsigned bytes code + 128 (xor 0x80).
W2V_VNNI_TARGET inline __m512i row_group(const std::int8_t* block, std::size_t g) noexcept {
  return _mm512_xor_si512(_mm512_load_si512(block + g * kGroupBytes),
                          _mm512_set1_epi8(static_cast<char>(0x80)));
}

// vpdpbusd multiplies unsigned by signed bytes: with the row codes flipped to code + 128 every
// sum gains 128·Σ query codes, which is taken off before scaling.
W2V_VNNI_TARGET void score_vnni(const std::int8_t* codes, std::size_t groups, const float* scales,
                                std::size_t blocks, const QuantizedRows::Query& q,
                                float* out) noexcept {
  const __m512i offset = _mm512_set1_epi32(128 * q.code_sum);
  const __m512 qscale = _mm512_set1_ps(q.scale);
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::int8_t* block = codes + b * groups * kGroupBytes;
    __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512(),
            acc2 = _mm512_setzero_si512(), acc3 = _mm512_setzero_si512();
    std::size_t g = 0;
    for (; g + 4 <= groups; g += 4) {
      acc0 = _mm512_dpbusd_epi32(acc0, row_group(block, g), query_group(q, g));
      acc1 = _mm512_dpbusd_epi32(acc1, row_group(block, g + 1), query_group(q, g + 1));
      acc2 = _mm512_dpbusd_epi32(acc2, row_group(block, g + 2), query_group(q, g + 2));
      acc3 = _mm512_dpbusd_epi32(acc3, row_group(block, g + 3), query_group(q, g + 3));
    }
    for (; g < groups; ++g) {
      acc0 = _mm512_dpbusd_epi32(acc0, row_group(block, g), query_group(q, g));
    }
    const __m512i sum = _mm512_sub_epi32(
        _mm512_add_epi32(_mm512_add_epi32(acc0, acc1), _mm512_add_epi32(acc2, acc3)), offset);
    // (GCC 12's _mm512_cvtepi32_ps trips -Wmaybe-uninitialized; the vector extension does not.)
    using Ints = std::int32_t __attribute__((vector_size(64)));
    using Floats = float __attribute__((vector_size(64)));
    const auto sums = (__m512) __builtin_convertvector((Ints)sum, Floats);
    const __m512 row_scales = _mm512_loadu_ps(scales + b * QuantizedRows::kBlockRows);
    _mm512_storeu_ps(out + b * QuantizedRows::kBlockRows,
                     _mm512_mul_ps(_mm512_mul_ps(sums, row_scales), qscale));
  }
}

// AVX2 has no byte dot product into 32 bits; vpmaddubsw (unsigned × signed byte pairs into 16
// bits, saturating) gets there without saturating when the unsigned side is |query code| and the
// row codes take the query codes' signs: each pair sums to at most 2·127·127 < 2^15.
__attribute__((target("avx2"))) void score_avx2(const std::int8_t* codes, std::size_t groups,
                                                const float* scales, std::size_t blocks,
                                                const QuantizedRows::Query& q,
                                                float* out) noexcept {
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256 qscale = _mm256_set1_ps(q.scale);
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::int8_t* block = codes + b * groups * kGroupBytes;
    __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();  // rows 0-7, 8-15
    for (std::size_t g = 0; g < groups; ++g) {
      std::int32_t four;
      std::memcpy(&four, q.codes.data() + 4 * g, sizeof four);
      const __m256i qg = _mm256_set1_epi32(four);
      const __m256i magnitude = _mm256_abs_epi8(qg);
      const auto* m = reinterpret_cast<const __m256i*>(block + g * kGroupBytes);
      const __m256i pairs_lo =
          _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(_mm256_load_si256(m), qg));
      const __m256i pairs_hi =
          _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(_mm256_load_si256(m + 1), qg));
      lo = _mm256_add_epi32(lo, _mm256_madd_epi16(pairs_lo, ones));
      hi = _mm256_add_epi32(hi, _mm256_madd_epi16(pairs_hi, ones));
    }
    const float* row_scales = scales + b * QuantizedRows::kBlockRows;
    float* o = out + b * QuantizedRows::kBlockRows;
    _mm256_storeu_ps(
        o,
        _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(lo), _mm256_loadu_ps(row_scales)), qscale));
    _mm256_storeu_ps(
        o + 8, _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(hi), _mm256_loadu_ps(row_scales + 8)),
                             qscale));
  }
}

QuantizedRows::Kernel best_kernel(QuantizedRows::Kernel at_most) noexcept {
  // No higher than the active instruction set (core/base/isa.h) allows.
  if (active_isa() == Isa::kGeneric) return QuantizedRows::Kernel::kPortable;
  if (active_isa() == Isa::kAvx2 && at_most == QuantizedRows::Kernel::kAvx512Vnni) {
    at_most = QuantizedRows::Kernel::kAvx2;
  }
  __builtin_cpu_init();
  if (at_most == QuantizedRows::Kernel::kAvx512Vnni && __builtin_cpu_supports("avx512f") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni")) {
    return QuantizedRows::Kernel::kAvx512Vnni;
  }
  if (at_most != QuantizedRows::Kernel::kPortable && __builtin_cpu_supports("avx2")) {
    return QuantizedRows::Kernel::kAvx2;
  }
  return QuantizedRows::Kernel::kPortable;
}
#else
QuantizedRows::Kernel best_kernel(QuantizedRows::Kernel) noexcept {
  return QuantizedRows::Kernel::kPortable;
}
#endif

}  // namespace

void QuantizedRows::Free::operator()(std::int8_t* p) const noexcept {
  std::free(p);
}

std::string_view to_string(QuantizedRows::Kernel k) noexcept {
  switch (k) {
    case QuantizedRows::Kernel::kAvx512Vnni:
      return "avx512-vnni";
    case QuantizedRows::Kernel::kAvx2:
      return "avx2";
    case QuantizedRows::Kernel::kPortable:
      break;
  }
  return "portable";
}

QuantizedRows::QuantizedRows(MatrixView m, std::span<const float> inv_norms, Kernel at_most)
    : rows_(m.rows()),
      dim_(m.cols()),
      blocks_((m.rows() + kBlockRows - 1) / kBlockRows),
      kernel_(best_kernel(at_most)) {
  if (inv_norms.size() != rows_) {
    throw std::invalid_argument("quantized rows: one inverse norm per row expected");
  }
  const std::size_t bytes = std::max<std::size_t>(blocks_ * block_bytes(), kGroupBytes);
  owned_codes_.reset(static_cast<std::int8_t*>(std::aligned_alloc(64, bytes)));
  if (!owned_codes_) throw std::bad_alloc();
  std::memset(owned_codes_.get(), 0, bytes);
  owned_scales_.assign(blocks_ * kBlockRows, 0.0f);
  codes_ = owned_codes_.get();
  scales_ = owned_scales_.data();
  std::vector<std::int8_t> row_codes(dim_);
  for (std::size_t i = 0; i < rows_; ++i) {
    const float* row = m.row(i);
    if (!std::isfinite(inv_norms[i]) ||
        !std::all_of(row, row + dim_, [](float x) { return std::isfinite(x); })) {
      throw std::invalid_argument("quantized rows: row " + std::to_string(i) + " is not finite");
    }
    // Row i of its block: code j sits at group j/4, lane i%16, byte j%4.
    std::int8_t* first =
        owned_codes_.get() + (i / kBlockRows) * block_bytes() + (i % kBlockRows) * kGroupDims;
    const Quantised qz = quantise_unit(row, dim_, inv_norms[i], row_codes.data());
    for (std::size_t j = 0; j < dim_; ++j) {
      first[(j / kGroupDims) * kGroupBytes + j % kGroupDims] = row_codes[j];
    }
    owned_scales_[i] = qz.scale;
    max_row_error_ = std::max(max_row_error_, qz.error);
  }
}

QuantizedRows QuantizedRows::view(std::size_t rows, std::size_t dim, const std::int8_t* codes,
                                  const float* scales, float max_row_error, Kernel at_most) {
  QuantizedRows q;
  q.rows_ = rows;
  q.dim_ = dim;
  q.blocks_ = (rows + kBlockRows - 1) / kBlockRows;
  q.codes_ = codes;
  q.scales_ = scales;
  q.max_row_error_ = max_row_error;
  q.kernel_ = best_kernel(at_most);
  return q;
}

std::size_t QuantizedRows::code_bytes(std::size_t rows, std::size_t dim) noexcept {
  return (rows + kBlockRows - 1) / kBlockRows * ((dim + kGroupDims - 1) / kGroupDims) * kGroupBytes;
}

std::size_t QuantizedRows::scale_count(std::size_t rows) noexcept {
  return (rows + kBlockRows - 1) / kBlockRows * kBlockRows;
}

std::size_t QuantizedRows::memory_bytes() const noexcept {
  return blocks_ * block_bytes() + scale_count(rows_) * sizeof(float);
}

QuantizedRows::Query QuantizedRows::quantise(std::span<const float> q) const {
  Query out;
  quantise(q, out);
  return out;
}

void QuantizedRows::quantise(std::span<const float> q, Query& out) const {
  if (q.size() != dim_) {
    throw std::invalid_argument("quantized rows: query has the wrong dimension");
  }
  out.codes.assign(groups() * kGroupDims, 0);
  double norm = 0;
  for (float x : q) norm += static_cast<double>(x) * x;
  norm = std::sqrt(norm);
  const Quantised qz = quantise_unit(q.data(), dim_, norm > 0 ? 1.0 / norm : 0.0, out.codes.data());
  out.scale = qz.scale;
  out.error = qz.error;
  out.code_sum = 0;
  for (std::int8_t c : out.codes) out.code_sum += c;
}

void QuantizedRows::score_blocks(const Query& query, std::size_t first_block, std::size_t blocks,
                                 float* out) const noexcept {
  const std::int8_t* codes = codes_ + first_block * block_bytes();
  const float* scales = scales_ + first_block * kBlockRows;
#if defined(__x86_64__)
  if (kernel_ == Kernel::kAvx512Vnni)
    return score_vnni(codes, groups(), scales, blocks, query, out);
  if (kernel_ == Kernel::kAvx2) return score_avx2(codes, groups(), scales, blocks, query, out);
#endif
  // The generic instruction set's copy, whatever the active one: the portable kernel is what a
  // CPU without AVX2 (or off x86-64) runs.
  search_kernels(Isa::kGeneric)
      .score_int8(codes, groups(), scales, blocks, query.codes.data(), query.scale, out);
}

}  // namespace w2v
