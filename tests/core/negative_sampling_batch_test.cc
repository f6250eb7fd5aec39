// Gradient checks of the minibatched shared-negative kernel (docs/math.md §7): the sum over the
// window's examples of docs/math.md §5's loss, differentiated by central finite differences, in
// double precision, with repeated context words and repeated negatives.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/train/kernel_negative_sampling.h"
#include "core/train/kernel_skipgram_ns_batch.h"
#include "support/gradient_check.h"

namespace w2v {
namespace {

constexpr std::size_t kDim = 6;

// Distinct input and output rows, and which of them each batch position uses.
using testing::Rows;

struct Problem {
  Rows inputs, outputs;
  std::vector<std::size_t> in_use, out_use;  // out_use[0] is the centre word's output row
};

Problem random_problem(std::uint64_t seed, std::vector<std::size_t> in_use,
                       std::vector<std::size_t> out_use) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 0.7);
  Problem p;
  std::size_t ni = 0, no = 0;
  for (auto i : in_use) ni = std::max(ni, i + 1);
  for (auto o : out_use) no = std::max(no, o + 1);
  p.inputs.assign(ni, std::vector<double>(kDim));
  p.outputs.assign(no, std::vector<double>(kDim));
  for (auto* m : {&p.inputs, &p.outputs}) {
    for (auto& r : *m) {
      for (double& x : r) x = normal(rng);
    }
  }
  p.in_use = std::move(in_use);
  p.out_use = std::move(out_use);
  return p;
}

struct Result {
  double loss;
  Rows d_inputs, d_outputs;  // scattered: summed per distinct row
};

// Runs the kernel on copies of the problem's rows (updated in place, as in training) and
// returns the loss and each distinct row's change.
Result run(const Problem& p, double lr) {
  Problem q = p;
  const std::size_t b = q.in_use.size(), k1 = q.out_use.size();
  std::vector<double> d_out(k1 * kDim), scores(b * k1);
  std::vector<double*> in, out;
  for (std::size_t j = 0; j < b; ++j) in.push_back(q.inputs[q.in_use[j]].data());
  for (std::size_t k = 0; k < k1; ++k) out.push_back(q.outputs[q.out_use[k]].data());
  Result r;
  r.loss = negative_sampling_batch_step<double>(in.data(), b, out.data(), k1, kDim, lr,
                                                d_out.data(), scores.data());
  for (std::size_t i = 0; i < p.inputs.size(); ++i) {
    r.d_inputs.emplace_back(kDim);
    for (std::size_t t = 0; t < kDim; ++t) r.d_inputs[i][t] = q.inputs[i][t] - p.inputs[i][t];
  }
  for (std::size_t o = 0; o < p.outputs.size(); ++o) {
    r.d_outputs.emplace_back(kDim);
    for (std::size_t t = 0; t < kDim; ++t) r.d_outputs[o][t] = q.outputs[o][t] - p.outputs[o][t];
  }
  return r;
}

double loss(const Problem& p) {
  return run(p, 0.0).loss;
}

// The kernel's deltas at lr 1 are −∂J/∂row.
void check_gradients(const Problem& p0) {
  const Result r = run(p0, 1.0);
  Rows d_inputs = r.d_inputs, d_outputs = r.d_outputs;
  for (Rows* d : {&d_inputs, &d_outputs}) {
    for (auto& row : *d) {
      for (double& x : row) x = -x;
    }
  }
  testing::expect_gradient_matches(p0, &Problem::inputs, d_inputs, loss, "input");
  testing::expect_gradient_matches(p0, &Problem::outputs, d_outputs, loss, "output");
}

TEST(NegativeSamplingBatchGradient, MatchesFiniteDifferences) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    check_gradients(random_problem(seed, {0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 4, 5}));
  }
}

TEST(NegativeSamplingBatchGradient, RepeatedContextWordsAndNegativesAddUp) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    // Context word 1 appears three times in the window; negative 2 is drawn twice.
    check_gradients(random_problem(seed, {0, 1, 2, 1, 1}, {0, 1, 2, 2}));
  }
}

TEST(NegativeSamplingBatchGradient, EqualsTheSumOfPerExampleSteps) {
  // With lr = 0 nothing moves, so each example's loss from the per-pair kernel adds up to the
  // batch loss exactly.
  const Problem p = random_problem(3, {0, 1, 2, 3}, {0, 1, 2});
  double sum = 0;
  for (std::size_t j = 0; j < p.in_use.size(); ++j) {
    std::vector<double> h = p.inputs[p.in_use[j]], h_update(kDim, 0.0);
    std::vector<std::vector<double>> outs = p.outputs;
    std::vector<double*> rows;
    for (auto o : p.out_use) rows.push_back(outs[o].data());
    sum += negative_sampling_step<double>(h.data(), h_update.data(), rows.data(), rows.size(), kDim,
                                          0.0);
  }
  EXPECT_NEAR(run(p, 0.0).loss, sum, 1e-12);
}

}  // namespace
}  // namespace w2v
