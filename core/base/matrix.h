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

// Asks for the n floats at row to be brought into cache for writing, one request per 64-byte
// line (rows start on line boundaries).
inline void prefetch_for_write(const float* row, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; i += kRowAlignFloats) __builtin_prefetch(row + i, 1, 3);
}

}  // namespace w2v
