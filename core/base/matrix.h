#pragma once
// A dense float matrix whose rows start on 64-byte boundaries: the row stride is the column
// count rounded up to 16 floats, and the padding stays zero, so kernels can run over whole
// stride-length rows with aligned vector loads.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace w2v {

inline constexpr std::size_t kRowAlignFloats = 16;

class Matrix {
 public:
  Matrix() = default;
  // rows × cols, zero-filled.
  Matrix(std::size_t rows, std::size_t cols);
  Matrix(const Matrix& other);
  Matrix& operator=(const Matrix& other);
  Matrix(Matrix&&) noexcept = default;
  Matrix& operator=(Matrix&&) noexcept = default;

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  std::size_t stride() const noexcept { return stride_; }
  float* row(std::size_t i) noexcept { return data_.get() + i * stride_; }
  const float* row(std::size_t i) const noexcept { return data_.get() + i * stride_; }
  std::span<const float> row_span(std::size_t i) const noexcept { return {row(i), cols_}; }
  float* data() noexcept { return data_.get(); }
  const float* data() const noexcept { return data_.get(); }
  std::size_t bytes() const noexcept { return rows_ * stride_ * sizeof(float); }

  // Every entry uniform in [lo, hi), deterministic for a seed.
  void fill_uniform(float lo, float hi, std::uint64_t seed);

 private:
  struct Free {
    void operator()(float* p) const noexcept;
  };
  std::size_t rows_ = 0, cols_ = 0, stride_ = 0;
  std::unique_ptr<float[], Free> data_;
};

// A read-only view of rows laid out as a Matrix's (64-byte-aligned rows of stride() floats, the
// padding zero), over memory someone else owns: a Matrix, or a mapped file
// (core/search/embeddings_file.h). Copying a view copies no rows.
class MatrixView {
 public:
  MatrixView() = default;
  MatrixView(const float* data, std::size_t rows, std::size_t cols, std::size_t stride) noexcept
      : data_(data), rows_(rows), cols_(cols), stride_(stride) {}
  // NOLINTNEXTLINE(google-explicit-constructor): a Matrix is usable wherever a view is
  MatrixView(const Matrix& m) noexcept : MatrixView(m.data(), m.rows(), m.cols(), m.stride()) {}

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  std::size_t stride() const noexcept { return stride_; }
  const float* row(std::size_t i) const noexcept { return data_ + i * stride_; }
  std::span<const float> row_span(std::size_t i) const noexcept { return {row(i), cols_}; }
  const float* data() const noexcept { return data_; }
  std::size_t bytes() const noexcept { return rows_ * stride_ * sizeof(float); }

 private:
  const float* data_ = nullptr;
  std::size_t rows_ = 0, cols_ = 0, stride_ = 0;
};

// The stride of a row of cols floats: cols rounded up to kRowAlignFloats.
constexpr std::size_t padded_stride(std::size_t cols) noexcept {
  return (cols + kRowAlignFloats - 1) / kRowAlignFloats * kRowAlignFloats;
}

// Asks for the n floats at row to be brought into cache for writing, one request per 64-byte
// line (rows start on line boundaries).
inline void prefetch_for_write(const float* row, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; i += kRowAlignFloats) __builtin_prefetch(row + i, 1, 3);
}

}  // namespace w2v
