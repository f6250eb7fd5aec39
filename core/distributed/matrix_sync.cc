#include "core/distributed/matrix_sync.h"

#include <algorithm>
#include <cstring>
#include <span>

namespace w2v::distributed {

MatrixSync::MatrixSync(Communicator& comm, const Matrix& start, std::size_t chunk_floats)
    : comm_(comm), base_(start), chunk_floats_(std::max<std::size_t>(chunk_floats, 1)) {}

void MatrixSync::sync(Matrix& m, std::size_t rows, RowOrder order, SyncMode mode) {
  rows = std::min(rows, m.rows());
  if (rows == 0 || comm_.size() == 1) return;
  if (order == RowOrder::kForward) {
    sync_range(m, 0, rows, mode);
  } else {
    sync_range(m, m.rows() - rows, m.rows(), mode);
  }
}

void MatrixSync::sync_range(Matrix& m, std::size_t begin, std::size_t end, SyncMode mode) {
  const std::size_t cols = m.cols();
  if (cols == 0) return;
  const std::size_t rows_per_chunk = std::max<std::size_t>(1, chunk_floats_ / cols);
  for (std::size_t first = begin; first < end; first += rows_per_chunk) {
    const std::size_t last = std::min(end, first + rows_per_chunk);
    const std::size_t n = (last - first) * cols;
    snapshot_.resize(n);
    delta_.resize(n);
    for (std::size_t r = first; r < last; ++r) {
      float* snap = snapshot_.data() + (r - first) * cols;
      float* delta = delta_.data() + (r - first) * cols;
      const float* base = base_.row(r);
      std::memcpy(snap, m.row(r), cols * sizeof(float));
      for (std::size_t c = 0; c < cols; ++c) delta[c] = snap[c] - base[c];
    }
    comm_.allreduce_sum(std::span<float>(delta_.data(), n));
    for (std::size_t r = first; r < last; ++r) {
      float* row = m.row(r);
      float* base = base_.row(r);
      const float* delta = delta_.data() + (r - first) * cols;
      for (std::size_t c = 0; c < cols; ++c) base[c] += delta[c];
      if (mode == SyncMode::kKeepLocalUpdates) {
        const float* snap = snapshot_.data() + (r - first) * cols;
        for (std::size_t c = 0; c < cols; ++c) row[c] += base[c] - snap[c];
      } else {
        std::memcpy(row, base, cols * sizeof(float));
      }
    }
  }
}

}  // namespace w2v::distributed
