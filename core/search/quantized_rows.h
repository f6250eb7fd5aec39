#pragma once
// An 8-bit copy of a matrix's unit rows, for scanning a whole vocabulary at a fraction of the
// memory traffic of the float rows. Row i is stored as scale_i · codes_i with codes in
// [-127, 127] (scale_i = max|u_i| / 127), and its quantisation error ‖u_i − scale_i·codes_i‖ is
// known, so a caller can bound how far an approximate cosine is from the exact one and re-score
// exactly where it matters (see Embeddings::nearest).
//
// Layout: rows go in blocks of 16; a block stores, for every group of 4 dimensions, the 16
// rows' 4 codes side by side (64 bytes), so one 512-bit multiply-accumulate of 4 byte pairs per
// lane (AVX-512 VNNI's vpdpbusd) scores 16 rows at once with no horizontal sums. Without VNNI,
// AVX2 does the same with byte-pair multiplies; elsewhere a portable kernel does it in 128-bit
// vectors (SSE2, NEON), compiled with the generic instruction set (core/search/search_kernels.h).
// The kernel is chosen at run time, so a portable build uses VNNI where the CPU has it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/base/matrix.h"

namespace w2v {

class QuantizedRows {
 public:
  static constexpr std::size_t kBlockRows = 16;
  static constexpr std::size_t kGroupDims = 4;

  // The instruction sets the scan may use, best first.
  enum class Kernel { kAvx512Vnni, kAvx2, kPortable };

  // A query vector quantised the same way (unit-normalised first).
  struct Query {
    std::vector<std::int8_t> codes;  // groups() · 4 codes, zero-padded
    std::int32_t code_sum = 0;       // Σ codes, for the kernel's unsigned-operand offset
    float scale = 0;
    float error = 0;  // ‖q − scale·codes‖ for the unit query q
  };

  QuantizedRows() = default;
  // The unit rows of m: row i times inv_norms[i] (a zero inverse norm gives a zero row). Every
  // value must be finite (std::invalid_argument otherwise).
  // at_most caps the kernel (for tests and benchmarks); the best one the CPU runs, and the
  // active instruction set allows (core/base/isa.h), is used.
  QuantizedRows(MatrixView m, std::span<const float> inv_norms,
                Kernel at_most = Kernel::kAvx512Vnni);
  // Rows quantised before and kept elsewhere (a mapped file, core/search/embeddings_file.h),
  // read in place: codes() and scales() of rows × dim rows, the codes 64-byte aligned. The
  // memory must outlive the object.
  static QuantizedRows view(std::size_t rows, std::size_t dim, const std::int8_t* codes,
                            const float* scales, float max_row_error,
                            Kernel at_most = Kernel::kAvx512Vnni);

  bool empty() const noexcept { return rows_ == 0; }
  std::size_t rows() const noexcept { return rows_; }
  std::size_t dim() const noexcept { return dim_; }
  std::size_t memory_bytes() const noexcept;
  // The largest row quantisation error ‖u_i − scale_i·codes_i‖.
  float max_row_error() const noexcept { return max_row_error_; }
  Kernel kernel() const noexcept { return kernel_; }
  // The layout, for a file to keep: code_bytes(rows(), dim()) codes, in blocks as above, and one
  // scale per row rounded up to whole blocks (zero past rows()).
  std::span<const std::int8_t> codes() const noexcept { return {codes_, blocks_ * block_bytes()}; }
  std::span<const float> scales() const noexcept { return {scales_, blocks_ * kBlockRows}; }
  static std::size_t code_bytes(std::size_t rows, std::size_t dim) noexcept;
  static std::size_t scale_count(std::size_t rows) noexcept;

  // q: dim() values, any norm (a zero query gives zero codes).
  Query quantise(std::span<const float> q) const;
  // The same into out, reusing its storage (no allocation once it has grown).
  void quantise(std::span<const float> q, Query& out) const;

  // Approximate cosines of query with the rows of blocks [first_block, first_block + blocks)
  // into out (blocks · 16 values; rows past rows() score 0).
  void score_blocks(const Query& query, std::size_t first_block, std::size_t blocks,
                    float* out) const noexcept;

 private:
  struct Free {
    void operator()(std::int8_t* p) const noexcept;
  };

  std::size_t groups() const noexcept { return (dim_ + kGroupDims - 1) / kGroupDims; }
  std::size_t block_bytes() const noexcept { return groups() * kBlockRows * kGroupDims; }

  std::size_t rows_ = 0, dim_ = 0, blocks_ = 0;
  // The codes and scales read: the owned ones below, or a view's.
  const std::int8_t* codes_ = nullptr;
  const float* scales_ = nullptr;  // blocks_ · 16, zero for padding rows
  std::unique_ptr<std::int8_t[], Free> owned_codes_;
  std::vector<float> owned_scales_;
  float max_row_error_ = 0;
  Kernel kernel_ = Kernel::kPortable;
};

std::string_view to_string(QuantizedRows::Kernel k) noexcept;  // "avx512-vnni" | "avx2" | ...

}  // namespace w2v
