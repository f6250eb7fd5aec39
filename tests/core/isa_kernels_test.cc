// The kernels of every instruction set this machine runs (core/base/isa.h), called through their
// tables as training and search call them: each float kernel against the double-precision
// template, whose gradient the finite-difference tests check (negative_sampling_batch_test.cc,
// cbow_ns_batch_test.cc, objectives_gradient_test.cc), and the choice of the instruction set.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/base/isa.h"
#include "core/base/matrix.h"
#include "core/search/search_kernels.h"
#include "core/train/kernel_logistic.h"
#include "core/train/kernel_skipgram_ns_batch.h"
#include "core/train/kernel_softmax.h"
#include "core/train/kernel_subword.h"
#include "core/train/train_kernels.h"
#include "support/isa_params.h"

namespace w2v {
namespace {

// Rows of floats and their double copies.
struct Rows {
  Matrix f;
  std::vector<std::vector<double>> d;
  Rows(std::size_t n, std::size_t dim, std::uint64_t seed, double sd) : f(n, dim), d(n) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, sd);
    for (std::size_t r = 0; r < n; ++r) {
      d[r].assign(f.stride(), 0.0);  // padded like the float rows
      for (std::size_t t = 0; t < dim; ++t) {
        f.row(r)[t] = static_cast<float>(normal(rng));
        d[r][t] = f.row(r)[t];
      }
    }
  }
  std::vector<float*> float_rows(const std::vector<std::size_t>& use) {
    std::vector<float*> out;
    for (auto i : use) out.push_back(f.row(i));
    return out;
  }
  std::vector<double*> double_rows(const std::vector<std::size_t>& use) {
    std::vector<double*> out;
    for (auto i : use) out.push_back(d[i].data());
    return out;
  }
  void expect_equal(const char* what, double tol) const {
    for (std::size_t r = 0; r < d.size(); ++r) {
      for (std::size_t t = 0; t < f.stride(); ++t) {
        EXPECT_NEAR(f.row(r)[t], d[r][t], tol) << what << " row " << r << " [" << t << "]";
      }
    }
  }
};

// The float activations are tables with buckets 1/256 wide: σ within 5e-4 of the exact value.
constexpr double kActivationTolerance = 2e-3;

class IsaKernels : public ::testing::TestWithParam<Isa> {
 protected:
  const TrainKernels& train() const { return train_kernels(GetParam()); }
  const SearchKernels& search() const { return search_kernels(GetParam()); }
};

TEST_P(IsaKernels, TablesAreTheInstructionSetsAskedFor) {
  EXPECT_EQ(train().isa, GetParam());
  EXPECT_EQ(search().isa, GetParam());
  // The active set's tables are the default ones.
  testing::ScopedIsa scope(GetParam());
  EXPECT_EQ(train_kernels().isa, GetParam());
  EXPECT_EQ(search_kernels().isa, GetParam());
}

TEST_P(IsaKernels, DotAndCombinationMatchTheirDefinitions) {
  // Multiples of 16 take the vector paths (two blocks at a time, then one); the others the
  // plain loops.
  for (std::size_t n : {16u, 32u, 48u, 112u, 304u, 5u, 100u}) {
    std::mt19937_64 rng(n);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<std::vector<float>> rows(7, std::vector<float>(n));
    for (auto& r : rows)
      for (float& x : r) x = normal(rng);
    double exact = 0;
    for (std::size_t i = 0; i < n; ++i) exact += double(rows[0][i]) * rows[1][i];
    EXPECT_NEAR(train().dot(rows[0].data(), rows[1].data(), n), exact, 1e-4 * n) << n;
    EXPECT_NEAR(search().dot(rows[0].data(), rows[1].data(), n), exact, 1e-4 * n) << n;

    const float coef[5] = {0.5f, -1.25f, 2.0f, 0.0f, 3.5f};
    const float* sources[5] = {rows[2].data(), rows[3].data(), rows[4].data(), rows[5].data(),
                               rows[6].data()};
    std::vector<float> y = rows[0];
    train().add_combination(coef, sources, 5, y.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      double want = rows[0][i];
      for (std::size_t k = 0; k < 5; ++k) want += double(coef[k]) * sources[k][i];
      ASSERT_NEAR(y[i], want, 1e-4) << n << " [" << i << "]";
    }
  }
}

TEST_P(IsaKernels, NegativeSamplingBatchStepMatchesTheDoubleKernel) {
  // 48 floats: a two-block chunk and a one-block tail. Context row 1 three times, negative 2
  // twice, as a window and a draw can have them.
  Rows in(4, 48, 1, 0.4), out(4, 48, 2, 0.4);
  const std::vector<std::size_t> in_use = {0, 1, 2, 1, 1, 3}, out_use = {0, 1, 2, 2, 3};
  const std::size_t b = in_use.size(), k1 = out_use.size(), n = in.f.stride();
  Matrix d_out(k1, n), scores(1, b * k1);
  std::vector<double> d_out_d(k1 * n), scores_d(b * k1);
  const float lr = 0.5f;
  const float loss = train().negative_sampling_batch_step(in.float_rows(in_use).data(), b,
                                                          out.float_rows(out_use).data(), k1, n, lr,
                                                          d_out.data(), scores.data());
  const double loss_d = negative_sampling_batch_step<double>(in.double_rows(in_use).data(), b,
                                                             out.double_rows(out_use).data(), k1, n,
                                                             lr, d_out_d.data(), scores_d.data());
  EXPECT_NEAR(loss, loss_d, b * k1 * kActivationTolerance);
  in.expect_equal("input", kActivationTolerance);
  out.expect_equal("output", kActivationTolerance);
}

TEST_P(IsaKernels, SubwordWindowStepMatchesTheDoubleKernel) {
  // A word of 5 rows (row 1 twice, as a collision makes it) predicting a window of 3 targets
  // (id 2 twice) with 3 shared negatives, one equal to a target.
  Rows in(4, 48, 3, 0.4), out(5, 48, 4, 0.4);
  const std::vector<std::size_t> in_use = {0, 1, 2, 1, 3}, out_use = {0, 2, 2, 1, 2, 4};
  const std::vector<std::uint32_t> ids(out_use.begin(), out_use.end());
  const std::size_t n = in.f.stride(), c = in_use.size();
  Matrix hidden(2, n);
  std::vector<double> h(n), h_update(n);
  const std::vector<float> ones(c, 1.0f);
  const std::vector<double> ones_d(c, 1.0);
  const float lr = 0.5f;
  const float loss = train().subword_window_step(
      ones.data(), in.float_rows(in_use).data(), c, hidden.row(0), hidden.row(1),
      out.float_rows(out_use).data(), ids.data(), 3, 3, n, lr, static_cast<float>(c));
  const double loss_d =
      subword_step<double>(ones_d.data(), in.double_rows(in_use).data(), c, h.data(),
                           h_update.data(), n, double(c), [&](const double* hh, double* hu) {
                             return skipgram_ns_window_step<double>(
                                 hh, hu, out.double_rows(out_use).data(), ids.data(), 3, 3, n, lr);
                           });
  EXPECT_NEAR(loss, loss_d, 6 * 3 * kActivationTolerance);
  in.expect_equal("input", kActivationTolerance);
  out.expect_equal("output", kActivationTolerance);
}

TEST_P(IsaKernels, LogisticStepMatchesTheDoubleKernel) {
  // Negative sampling's labels (1 then 0s) and a Huffman path's (mixed).
  const std::vector<std::vector<std::uint8_t>> labels = {{1, 0, 0, 0, 0, 0}, {0, 1, 1, 0, 1, 0}};
  for (const auto& l : labels) {
    Rows h(1, 112, 3, 0.3), rows(6, 112, 4, 0.3);
    const std::size_t n = h.f.stride();
    std::vector<float> update(n, 0.0f);
    std::vector<double> update_d(n, 0.0);
    const std::vector<std::size_t> use = {0, 1, 2, 3, 4, 5};
    const float loss = train().logistic_step(h.f.row(0), update.data(), rows.float_rows(use).data(),
                                             l.data(), use.size(), n, 0.25f);
    const double loss_d =
        logistic_step<double>(h.d[0].data(), update_d.data(), rows.double_rows(use).data(),
                              l.data(), use.size(), n, 0.25);
    EXPECT_NEAR(loss, loss_d, use.size() * kActivationTolerance);
    for (std::size_t t = 0; t < n; ++t) EXPECT_NEAR(update[t], update_d[t], kActivationTolerance);
    rows.expect_equal("output", kActivationTolerance);
  }
}

TEST_P(IsaKernels, SoftmaxStepMatchesTheDoubleKernel) {
  Rows h(1, 48, 5, 0.5), out(20, 48, 6, 0.5);
  const std::size_t n = h.f.stride();
  std::vector<float> update(n, 0.0f), scores(out.d.size());
  std::vector<double> update_d(n, 0.0), scores_d(out.d.size()), out_d;
  for (const auto& r : out.d) out_d.insert(out_d.end(), r.begin(), r.end());
  const float loss = train().softmax_step(h.f.row(0), update.data(), out.f.data(), n, out.d.size(),
                                          7, n, 0.3f, scores.data());
  const double loss_d = softmax_step<double>(h.d[0].data(), update_d.data(), out_d.data(), n,
                                             out.d.size(), 7, n, 0.3, scores_d.data());
  EXPECT_NEAR(loss, loss_d, 1e-4);
  for (std::size_t t = 0; t < n; ++t) EXPECT_NEAR(update[t], update_d[t], 1e-5);
  for (std::size_t r = 0; r < out.d.size(); ++r) {
    for (std::size_t t = 0; t < n; ++t) EXPECT_NEAR(out.f.row(r)[t], out_d[r * n + t], 1e-5);
  }
}

TEST_P(IsaKernels, SearchScansMatchTheirDefinitions) {
  Rows rows(37, 100, 7, 1.0), q(1, 100, 8, 1.0);
  const std::size_t stride = rows.f.stride();
  std::vector<float> scale(37), out(37);
  for (std::size_t r = 0; r < scale.size(); ++r) scale[r] = 0.5f + 0.1f * static_cast<float>(r);
  search().score_rows(rows.f.data(), stride, 37, q.f.row(0), scale.data(), out.data());
  for (std::size_t r = 0; r < 37; ++r) {
    double want = 0;
    for (std::size_t t = 0; t < stride; ++t) want += rows.d[r][t] * q.d[0][t];
    EXPECT_NEAR(out[r], want * scale[r], 1e-3) << r;
    // hnswlib's distance, over the unpadded dimension and the padded one.
    for (std::size_t dim : {std::size_t{100}, stride}) {
      EXPECT_NEAR(search().unit_dot_distance(rows.f.row(r), q.f.row(0), &dim), 1.0 - want, 1e-3);
    }
  }

  Matrix s(1, 64);
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (std::size_t i = 0; i < 64; ++i) s.row(0)[i] = uniform(rng);
  s.row(0)[16 + 3] = 0.7f;  // exactly at the bar: not above it
  for (float bar : {-2.0f, 0.7f, 0.95f, 2.0f}) {
    std::vector<std::uint32_t> got(64), want;
    got.resize(search().select_above(s.row(0), 64, bar, got.data()));
    for (std::uint32_t i = 0; i < 64; ++i)
      if (s.row(0)[i] > bar) want.push_back(i);
    EXPECT_EQ(got, want) << bar;
  }
}

W2V_INSTANTIATE_FOR_EACH_ISA(IsaKernels);

TEST(Isa, NamesRoundTripAndTheBestIsTheDefault) {
  for (Isa isa : compiled_isas()) EXPECT_EQ(parse_isa(to_string(isa)), isa);
  EXPECT_FALSE(parse_isa("sse2"));
  EXPECT_TRUE(cpu_supports(Isa::kGeneric));
  EXPECT_TRUE(cpu_supports(best_isa()));
  const Isa before = active_isa();
  EXPECT_FALSE(select_isa(nullptr));
  EXPECT_EQ(active_isa(), best_isa());
  EXPECT_FALSE(select_isa(""));
  EXPECT_EQ(active_isa(), best_isa());
  EXPECT_FALSE(select_isa("generic"));
  EXPECT_EQ(active_isa(), Isa::kGeneric);
  set_active_isa(before);
}

TEST(Isa, AnUnknownOrUnrunnableChoiceIsRefusedByName) {
  const Isa before = active_isa();
  const auto unknown = select_isa("avx1024");
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->find("W2VD_ISA"), std::string::npos) << *unknown;
  EXPECT_NE(unknown->find("avx1024"), std::string::npos) << *unknown;
  EXPECT_NE(unknown->find("generic, avx2 or avx512"), std::string::npos) << *unknown;
  EXPECT_EQ(active_isa(), before);
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    if (cpu_supports(isa)) continue;  // only a set this machine lacks can be refused
    const auto error = select_isa(std::string(to_string(isa)).c_str());
    ASSERT_TRUE(error);
    // Off x86-64 the binary has no such kernels at all; on it, the CPU lacks the instructions.
    const bool compiled = std::ranges::find(compiled_isas(), isa) != compiled_isas().end();
    EXPECT_NE(error->find(compiled ? "cannot run" : "has no"), std::string::npos) << *error;
    EXPECT_EQ(active_isa(), before);
    EXPECT_THROW(set_active_isa(isa), std::invalid_argument);
  }
}

}  // namespace
}  // namespace w2v
