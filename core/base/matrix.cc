#include "core/base/matrix.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "core/base/rng.h"

namespace w2v {

void Matrix::Free::operator()(float* p) const noexcept {
  std::free(p);
}

Matrix::Matrix(std::size_t rows, std::size_t cols)
    : rows_(rows), cols_(cols), stride_(padded_stride(cols)) {
  const std::size_t n = std::max<std::size_t>(bytes(), 64);
  void* p = std::aligned_alloc(64, (n + 63) / 64 * 64);
  if (p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, n);
  data_.reset(static_cast<float*>(p));
}

Matrix::Matrix(const Matrix& other) : Matrix(other.rows_, other.cols_) {
  std::memcpy(data_.get(), other.data_.get(), bytes());
}

Matrix& Matrix::operator=(const Matrix& other) {
  if (this != &other) *this = Matrix(other);
  return *this;
}

void Matrix::fill_uniform(float lo, float hi, std::uint64_t seed) {
  Rng rng(seed);
  const double span = static_cast<double>(hi) - lo;
  for (std::size_t r = 0; r < rows_; ++r) {
    float* p = row(r);
    for (std::size_t c = 0; c < cols_; ++c) p[c] = static_cast<float>(lo + span * rng.uniform());
  }
}

}  // namespace w2v
