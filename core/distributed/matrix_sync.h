#pragma once
// Combines the members' changes to one weight matrix. Every member keeps the matrix as of the
// last synchronisation (the base, the same on every member); a sync sums every member's change
// since then (its rows minus the base) and applies the sum to the base, so each member's
// updates count fully, as if all members' threads had trained one shared matrix (Hogwild across
// machines). Averaging the members' matrices instead would divide every update by the number
// of members: measured on the bench corpus, 2 ranks lost 0.15 WS-353 that way
// (docs/distributed.md).
//
// Rows are named in their order of use (see SyncSchedule): for the input matrix and the
// negative-sampling/softmax output matrix that is the row order itself (word ids by descending
// count); the hierarchical-softmax output matrix is used the other way round (the root, used by
// every word, is its last row). Only the dim columns of each row travel (not the row padding),
// in chunks of a bounded size.

#include <cstddef>
#include <vector>

#include "core/base/matrix.h"
#include "core/distributed/communicator.h"

namespace w2v::distributed {

enum class RowOrder { kForward, kReversed };

enum class SyncMode {
  // Every member ends with the same rows (base + every change): for a matrix no thread trains.
  kExact,
  // Each member's rows become base + every change, plus what its own trainers changed while the
  // sync was in flight, so concurrent Hogwild updates are not thrown away.
  kKeepLocalUpdates,
};

class MatrixSync {
 public:
  // start: the matrix every member starts from (the same on every member).
  MatrixSync(Communicator& comm, const Matrix& start,
             std::size_t chunk_floats = std::size_t{1} << 20);

  // Synchronises the first `rows` rows of m in order of use (rows <= m.rows()).
  void sync(Matrix& m, std::size_t rows, RowOrder order, SyncMode mode);

 private:
  void sync_range(Matrix& m, std::size_t begin, std::size_t end, SyncMode mode);

  Communicator& comm_;
  Matrix base_;
  std::size_t chunk_floats_;
  std::vector<float> snapshot_, delta_;
};

}  // namespace w2v::distributed
