// Combining the members' changes to a matrix, over the in-process communicator.

#include "core/distributed/matrix_sync.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

#include "support/in_process_communicator.h"

namespace w2v::distributed {
namespace {

// The matrix every member starts from: entry (i, j) = i + j/10.
Matrix start_matrix(std::size_t rows, std::size_t cols) {
  Matrix m(rows, cols);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) m.row(i)[j] = static_cast<float>(i + j / 10.0);
  }
  return m;
}

// Member r changes every entry by r + 1.
void change(Matrix& m, int rank) {
  for (std::size_t i = 0; i < m.rows(); ++i) {
    for (std::size_t j = 0; j < m.cols(); ++j) m.row(i)[j] += static_cast<float>(rank + 1);
  }
}

TEST(MatrixSync, EveryMembersChangeCountsOnLeadingOrTrailingRowsOnly) {
  for (RowOrder order : {RowOrder::kForward, RowOrder::kReversed}) {
    testing::InProcessGroup group(3);
    std::vector<Matrix> result(3);
    std::vector<std::uint64_t> bytes(3);
    group.run([&](Communicator& comm) {
      Matrix m = start_matrix(10, 7);
      MatrixSync sync(comm, m, /*chunk_floats=*/20);  // several chunks
      change(m, comm.rank());
      sync.sync(m, 4, order, SyncMode::kExact);
      result[comm.rank()] = std::move(m);
      bytes[comm.rank()] = comm.allreduce_bytes();
    });
    for (int r = 0; r < 3; ++r) {
      EXPECT_EQ(bytes[r], sizeof(float) * 4 * 7);  // the 7 columns, not the padded stride
      for (std::size_t i = 0; i < 10; ++i) {
        const bool synced = order == RowOrder::kForward ? i < 4 : i >= 6;
        for (std::size_t j = 0; j < 7; ++j) {
          // Synchronised rows carry every member's change (1 + 2 + 3), the others their own.
          const float expected = static_cast<float>(i + j / 10.0) + (synced ? 6.0f : r + 1.0f);
          EXPECT_FLOAT_EQ(result[r].row(i)[j], expected) << r << ' ' << i << ' ' << j;
        }
        EXPECT_EQ(result[r].row(i)[7], 0.0f);  // padding untouched
      }
    }
    // Synchronised rows are bit-identical on every member.
    for (std::size_t i = 0; i < 10; ++i) {
      bool identical = true;
      for (std::size_t j = 0; j < 7; ++j) {
        identical = identical && std::bit_cast<std::uint32_t>(result[0].row(i)[j]) ==
                                     std::bit_cast<std::uint32_t>(result[2].row(i)[j]);
      }
      EXPECT_EQ(identical, order == RowOrder::kForward ? i < 4 : i >= 6);
    }
  }
}

TEST(MatrixSync, ChangesAreCountedOnceAcrossSuccessiveSyncs) {
  testing::InProcessGroup group(2);
  std::vector<Matrix> result(2);
  group.run([&](Communicator& comm) {
    Matrix m = start_matrix(5, 3);
    MatrixSync sync(comm, m);
    change(m, comm.rank());  // +1 and +2
    sync.sync(m, 5, RowOrder::kForward, SyncMode::kKeepLocalUpdates);
    sync.sync(m, 5, RowOrder::kForward, SyncMode::kKeepLocalUpdates);  // nothing new
    change(m, 0);                                                      // +1 on both
    sync.sync(m, 5, RowOrder::kForward, SyncMode::kExact);
    result[comm.rank()] = std::move(m);
  });
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t j = 0; j < 3; ++j) {
      EXPECT_NEAR(result[0].row(i)[j], i + j / 10.0 + 5, 1e-5);
      EXPECT_EQ(result[0].row(i)[j], result[1].row(i)[j]);
    }
  }
}

TEST(MatrixSync, OneMemberSendsNothing) {
  testing::InProcessGroup group(1);
  group.run([&](Communicator& comm) {
    Matrix m = start_matrix(4, 4);
    MatrixSync sync(comm, m);
    change(m, 0);
    sync.sync(m, 4, RowOrder::kForward, SyncMode::kExact);
    EXPECT_EQ(comm.allreduce_bytes(), 0u);
    EXPECT_FLOAT_EQ(m.row(3)[2], 4.2f);
  });
}

}  // namespace
}  // namespace w2v::distributed
