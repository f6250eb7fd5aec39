#pragma once
// Averages rows of a weight matrix across the members of a communicator. Rows are named in their
// order of use (see SyncSchedule): for the input matrix and the negative-sampling/softmax output
// matrix that is the row order itself (word ids by descending count); the hierarchical-softmax
// output matrix is used the other way round (the root, used by every word, is its last row).
// Only the dim columns of each row travel (not the row padding), in chunks of a bounded size.

#include <cstddef>
#include <vector>

#include "core/distributed/communicator.h"
#include "core/matrix.h"

namespace w2v::distributed {

enum class RowOrder { kForward, kReversed };

enum class AverageMode {
  // Every member ends with the same mean: for a model no thread is training.
  kExact,
  // Each member's rows become the mean plus what its own trainers changed while the round was
  // in flight, so concurrent Hogwild updates are not thrown away.
  kKeepLocalUpdates,
};

class ModelAverager {
 public:
  explicit ModelAverager(Communicator& comm, std::size_t chunk_floats = std::size_t{1} << 20);

  // Averages the first `rows` rows in order of use (rows <= m.rows()).
  void average(Matrix& m, std::size_t rows, RowOrder order, AverageMode mode);

 private:
  void average_range(Matrix& m, std::size_t begin, std::size_t end, AverageMode mode);

  Communicator& comm_;
  std::size_t chunk_floats_;
  std::vector<float> snapshot_, sum_;
};

}  // namespace w2v::distributed
