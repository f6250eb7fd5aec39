// The 8-bit row copy: approximate cosines within its stated error bound of the exact ones, the
// vectorised and portable kernels in agreement, padding rows and dimensions handled.

#include "core/search/quantized_rows.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "support/random_vectors.h"

namespace w2v {
namespace {

using testing::cosine;
using testing::random_matrix;

std::vector<float> inverse_norms(const Matrix& m) {
  std::vector<float> inv(m.rows());
  for (std::size_t i = 0; i < m.rows(); ++i) {
    double n = 0;
    for (float x : m.row_span(i)) n += double(x) * x;
    inv[i] = n > 0 ? static_cast<float>(1 / std::sqrt(n)) : 0.0f;
  }
  return inv;
}

std::vector<float> scores(const QuantizedRows& qr, const QuantizedRows::Query& q) {
  const std::size_t blocks = (qr.rows() + 15) / 16;
  std::vector<float> out(blocks * 16, std::numeric_limits<float>::quiet_NaN());
  qr.score_blocks(q, 0, blocks, out.data());
  return out;
}

// Odd sizes: a partial last block and a dimension that is not a multiple of 4.
class QuantizedRowsSizes : public ::testing::TestWithParam<std::pair<std::size_t, std::size_t>> {};

TEST_P(QuantizedRowsSizes, ApproximateCosinesAreWithinTheErrorBound) {
  const auto [rows, dim] = GetParam();
  const Matrix m = random_matrix(rows, dim, rows * 31 + dim);
  // The best kernel this CPU runs, and the portable one (the only one off x86-64).
  for (const auto at_most :
       {QuantizedRows::Kernel::kAvx512Vnni, QuantizedRows::Kernel::kPortable}) {
    const QuantizedRows qr(m, inverse_norms(m), at_most);
    SCOPED_TRACE(to_string(qr.kernel()));
    EXPECT_EQ(qr.rows(), rows);
    if (dim > 1) {  // a 1-d unit row is exactly ±127 codes
      EXPECT_GT(qr.max_row_error(), 0.0f);
    }
    EXPECT_LT(qr.max_row_error(), 0.5f / 127 * std::sqrt(float(dim)) + 1e-6f);
    std::mt19937_64 rng(7);
    std::normal_distribution<float> normal;
    for (int t = 0; t < 20; ++t) {
      std::vector<float> q(dim);
      for (float& x : q) x = 3 * normal(rng);  // any norm
      const auto coded = qr.quantise(q);
      const double bound = qr.max_row_error() + (1 + qr.max_row_error()) * coded.error + 1e-5;
      const auto s = scores(qr, coded);
      double worst = 0;
      for (std::size_t i = 0; i < rows; ++i) {
        worst = std::max(worst, std::abs(s[i] - cosine(m.row_span(i), q)));
      }
      EXPECT_LE(worst, bound);
      if (dim > 1) {
        EXPECT_GT(worst, 0.0);  // the approximation is not exact
      }
      for (std::size_t i = rows; i < s.size(); ++i) EXPECT_EQ(s[i], 0.0f) << "padding row " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, QuantizedRowsSizes,
                         ::testing::Values(std::pair<std::size_t, std::size_t>{1, 1},
                                           std::pair<std::size_t, std::size_t>{37, 7},
                                           std::pair<std::size_t, std::size_t>{500, 100},
                                           std::pair<std::size_t, std::size_t>{64, 300}));

TEST(QuantizedRows, EveryKernelGivesThePortableScores) {
  const Matrix m = random_matrix(333, 101, 3);
  const auto inv = inverse_norms(m);
  const QuantizedRows portable(m, inv, QuantizedRows::Kernel::kPortable);
  EXPECT_EQ(portable.kernel(), QuantizedRows::Kernel::kPortable);
  std::mt19937_64 rng(4);
  std::normal_distribution<float> normal;
  int compared = 0;
  for (const auto k : {QuantizedRows::Kernel::kAvx512Vnni, QuantizedRows::Kernel::kAvx2}) {
    const QuantizedRows fast(m, inv, k);
    if (fast.kernel() != k) continue;  // not on this CPU
    ++compared;
    for (int t = 0; t < 10; ++t) {
      std::vector<float> q(101);
      for (float& x : q) x = normal(rng);
      // Integer sums, scaled the same way: equal to the bit.
      EXPECT_EQ(scores(fast, fast.quantise(q)), scores(portable, portable.quantise(q)))
          << to_string(k);
    }
  }
  if (compared == 0) GTEST_SKIP() << "this CPU has neither AVX2 nor AVX-512 VNNI";
}

TEST(QuantizedRows, ScoresAnyRangeOfBlocks) {
  const Matrix m = random_matrix(100, 12, 5);
  const QuantizedRows qr(m, inverse_norms(m));
  std::vector<float> q(12, 1.0f);
  const auto coded = qr.quantise(q);
  const auto all = scores(qr, coded);
  std::vector<float> part(32);
  qr.score_blocks(coded, 2, 2, part.data());
  for (std::size_t i = 0; i < 32; ++i) EXPECT_EQ(part[i], all[32 + i]);
}

TEST(QuantizedRows, ZeroRowsAndQueriesScoreZero) {
  Matrix m = random_matrix(20, 8, 6);
  for (float& x : std::span<float>(m.row(3), 8)) x = 0;
  const QuantizedRows qr(m, inverse_norms(m));
  std::vector<float> q(8, 0.5f);
  EXPECT_EQ(scores(qr, qr.quantise(q))[3], 0.0f);
  const auto zero = qr.quantise(std::vector<float>(8, 0.0f));
  EXPECT_EQ(zero.scale, 0.0f);
  for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(scores(qr, zero)[i], 0.0f);
}

TEST(QuantizedRows, RejectsRowsThatAreNotFinite) {
  Matrix m = random_matrix(20, 8, 7);
  m.row(11)[2] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(QuantizedRows(m, inverse_norms(m)), std::invalid_argument);
}

TEST(QuantizedRows, RejectsAQueryOfTheWrongDimension) {
  const Matrix m = random_matrix(20, 8, 8);
  const QuantizedRows qr(m, inverse_norms(m));
  EXPECT_THROW(qr.quantise(std::vector<float>(7, 1.0f)), std::invalid_argument);
}

}  // namespace
}  // namespace w2v
