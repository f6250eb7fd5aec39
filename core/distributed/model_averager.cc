#include "core/distributed/model_averager.h"

#include <algorithm>
#include <cstring>
#include <span>

namespace w2v::distributed {

ModelAverager::ModelAverager(Communicator& comm, std::size_t chunk_floats)
    : comm_(comm), chunk_floats_(std::max<std::size_t>(chunk_floats, 1)) {}

void ModelAverager::average(Matrix& m, std::size_t rows, RowOrder order, AverageMode mode) {
  rows = std::min(rows, m.rows());
  if (rows == 0 || comm_.size() == 1) return;
  if (order == RowOrder::kForward) {
    average_range(m, 0, rows, mode);
  } else {
    average_range(m, m.rows() - rows, m.rows(), mode);
  }
}

void ModelAverager::average_range(Matrix& m, std::size_t begin, std::size_t end, AverageMode mode) {
  const std::size_t cols = m.cols();
  if (cols == 0) return;
  const std::size_t rows_per_chunk = std::max<std::size_t>(1, chunk_floats_ / cols);
  const float inv = 1.0f / static_cast<float>(comm_.size());
  const bool keep = mode == AverageMode::kKeepLocalUpdates;
  for (std::size_t first = begin; first < end; first += rows_per_chunk) {
    const std::size_t last = std::min(end, first + rows_per_chunk);
    const std::size_t n = (last - first) * cols;
    sum_.resize(n);
    for (std::size_t r = first; r < last; ++r) {
      std::memcpy(sum_.data() + (r - first) * cols, m.row(r), cols * sizeof(float));
    }
    if (keep) snapshot_.assign(sum_.begin(), sum_.end());
    comm_.allreduce_sum(std::span<float>(sum_.data(), n));
    for (std::size_t r = first; r < last; ++r) {
      float* row = m.row(r);
      const float* mean = sum_.data() + (r - first) * cols;
      if (keep) {
        const float* before = snapshot_.data() + (r - first) * cols;
        for (std::size_t c = 0; c < cols; ++c) row[c] += mean[c] * inv - before[c];
      } else {
        for (std::size_t c = 0; c < cols; ++c) row[c] = mean[c] * inv;
      }
    }
  }
}

}  // namespace w2v::distributed
