// Averaging rows across members, over the in-process communicator.

#include "core/distributed/model_averager.h"

#include <gtest/gtest.h>

#include "support/in_process_communicator.h"

namespace w2v::distributed {
namespace {

// Member r's matrix: entry (i, j) = r + i + j/10.
Matrix matrix_of(int rank, std::size_t rows, std::size_t cols) {
  Matrix m(rows, cols);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) m.row(i)[j] = static_cast<float>(rank + i + j / 10.0);
  }
  return m;
}

TEST(ModelAverager, ExactAverageOfLeadingOrTrailingRowsOnly) {
  for (RowOrder order : {RowOrder::kForward, RowOrder::kReversed}) {
    testing::InProcessGroup group(3);
    std::vector<Matrix> result(3);
    std::vector<std::uint64_t> bytes(3);
    group.run([&](Communicator& comm) {
      Matrix m = matrix_of(comm.rank(), 10, 7);
      ModelAverager averager(comm, /*chunk_floats=*/20);  // several chunks
      averager.average(m, 4, order, AverageMode::kExact);
      result[comm.rank()] = std::move(m);
      bytes[comm.rank()] = comm.allreduce_bytes();
    });
    for (int r = 0; r < 3; ++r) {
      EXPECT_EQ(bytes[r], 4u * 7 * sizeof(float));  // the 7 columns, not the padded stride
      for (std::size_t i = 0; i < 10; ++i) {
        const bool averaged = order == RowOrder::kForward ? i < 4 : i >= 6;
        for (std::size_t j = 0; j < 7; ++j) {
          const float expected = static_cast<float>((averaged ? 1 : r) + i + j / 10.0);
          EXPECT_FLOAT_EQ(result[r].row(i)[j], expected) << r << ' ' << i << ' ' << j;
        }
        EXPECT_EQ(result[r].row(i)[7], 0.0f);  // padding untouched
      }
    }
    // Averaged rows are bit-identical on every member.
    for (std::size_t i = 0; i < 10; ++i) {
      EXPECT_EQ(std::memcmp(result[0].row(i), result[2].row(i), 7 * sizeof(float)) == 0,
                order == RowOrder::kForward ? i < 4 : i >= 6);
    }
  }
}

TEST(ModelAverager, KeepingLocalUpdatesWithoutConcurrentChangesIsTheMean) {
  testing::InProcessGroup group(2);
  std::vector<Matrix> result(2);
  group.run([&](Communicator& comm) {
    Matrix m = matrix_of(comm.rank() * 4, 5, 3);
    ModelAverager(comm).average(m, 5, RowOrder::kForward, AverageMode::kKeepLocalUpdates);
    result[comm.rank()] = std::move(m);
  });
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t j = 0; j < 3; ++j) {
      EXPECT_NEAR(result[0].row(i)[j], 2 + i + j / 10.0, 1e-5);
      EXPECT_NEAR(result[1].row(i)[j], 2 + i + j / 10.0, 1e-5);
    }
  }
}

TEST(ModelAverager, OneMemberSendsNothing) {
  testing::InProcessGroup group(1);
  group.run([&](Communicator& comm) {
    Matrix m = matrix_of(0, 4, 4);
    ModelAverager(comm).average(m, 4, RowOrder::kForward, AverageMode::kExact);
    EXPECT_EQ(comm.allreduce_bytes(), 0u);
    EXPECT_FLOAT_EQ(m.row(3)[2], 3.2f);
  });
}

}  // namespace
}  // namespace w2v::distributed
