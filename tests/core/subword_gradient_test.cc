// Gradient checks of training with subwords (core/train/kernel_subword.h, docs/math.md §11), in
// double precision against central finite differences: the composed input h = mean of c rows
// with the update scattered back to every row (a row listed twice, as a hash collision or a
// repeated n-gram makes it, gets both shares), for a skip-gram window through each objective
// and for CBOW's concatenated rows; and the shared-negative window step with a negative equal
// to one of the window's targets and a target repeated.

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "core/train/huffman_tree.h"
#include "core/train/kernel_logistic.h"
#include "core/train/kernel_negative_sampling.h"
#include "core/train/kernel_softmax.h"
#include "core/train/kernel_subword.h"
#include "support/gradient_check.h"

namespace w2v {
namespace {

constexpr std::size_t kDim = 5;
using testing::Rows;

Rows random_rows(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 0.8);
  Rows r(n, std::vector<double>(kDim));
  for (auto& row : r) {
    for (double& x : row) x = normal(rng);
  }
  return r;
}

struct Params {
  Rows in, out;  // in: the word and n-gram rows; out: output rows
};
// One training step at learning rate lr returning the loss: at lr 1 its updates are −∂J/∂θ.
using StepFn = std::function<double(Params&, double lr)>;

void check(const Params& p0, const StepFn& step) {
  Params after = p0;
  step(after, 1.0);
  const auto loss = [&](Params& q) { return step(q, 0.0); };
  for (auto [rows, name] : {std::pair{&Params::in, "in"}, std::pair{&Params::out, "out"}}) {
    Rows gradient = p0.*rows;
    for (std::size_t r = 0; r < gradient.size(); ++r) {
      for (std::size_t t = 0; t < kDim; ++t) gradient[r][t] -= (after.*rows)[r][t];
    }
    testing::expect_gradient_matches(p0, rows, gradient, loss, name, 1e-5);
  }
}

using Objective = std::function<double(const double* h, double* h_update, Rows& out, double lr)>;

// The composed input of the rows `use` lists (repeats allowed) predicts through objective; the
// exact gradient step (input_step 1; training passes c).
StepFn composed(const std::vector<std::size_t>& use, const Objective& objective) {
  return [use, objective](Params& p, double lr) {
    std::vector<double*> rows;
    rows.reserve(use.size());
    for (std::size_t i : use) rows.push_back(p.in[i].data());
    const std::vector<double> ones(rows.size(), 1.0);
    std::vector<double> h(kDim), h_update(kDim);
    return subword_step<double>(
        ones.data(), rows.data(), rows.size(), h.data(), h_update.data(), kDim, 1.0,
        [&](const double* hh, double* hu) { return objective(hh, hu, p.out, lr); });
  };
}

// A skip-gram window: h predicts three targets, each by negative sampling with its own
// negatives, accumulating into h_update. The pair objectives step their output rows pair after
// pair (as word2vec), so the window's step is the gradient of its summed loss when its pairs
// share no output row, as here (one pair has a negative twice).
double ns_window(const double* h, double* h_update, Rows& out, double lr) {
  double loss = 0;
  for (const auto& [target, neg1, neg2] :
       {std::tuple{0, 1, 2}, std::tuple{3, 4, 4}, std::tuple{5, 6, 7}}) {
    double* rows[] = {out[target].data(), out[neg1].data(), out[neg2].data()};
    loss += negative_sampling_step<double>(h, h_update, rows, 3, kDim, lr);
  }
  return loss;
}

TEST(SubwordGradients, SkipgramWindowOverComposedRowsWithNegativeSampling) {
  // Rows: the word's own row 0, n-gram rows 1..3, row 2 listed twice (a collision).
  check(Params{random_rows(4, 1), random_rows(8, 2)}, composed({0, 1, 2, 3, 2}, ns_window));
}

TEST(SubwordGradients, SkipgramWindowOverComposedRowsWithHierarchicalSoftmax) {
  const HuffmanTree tree(std::vector<std::uint64_t>{50, 30, 20, 8, 4, 2});
  const Objective hs = [&](const double* h, double* h_update, Rows& out, double lr) {
    double loss = 0;
    for (const std::uint32_t word : {5u}) {  // pairs of a window share the tree's root
      std::vector<double*> rows;
      std::vector<std::uint8_t> labels;
      for (std::size_t i = 0; i < tree.path(word).size(); ++i) {
        rows.push_back(out[tree.path(word)[i]].data());
        labels.push_back(static_cast<std::uint8_t>(1 - tree.code(word)[i]));
      }
      loss += logistic_step<double>(h, h_update, rows.data(), labels.data(), rows.size(), kDim, lr);
    }
    return loss;
  };
  check(Params{random_rows(3, 3), random_rows(tree.inner_nodes(), 4)}, composed({0, 1, 2}, hs));
}

TEST(SubwordGradients, SkipgramWindowOverComposedRowsWithSoftmax) {
  const Objective softmax = [](const double* h, double* h_update, Rows& out, double lr) {
    double loss = 0;
    for (const std::uint32_t target : {3u}) {  // pairs of a window share every row
      std::vector<double> flat;
      for (const auto& r : out) flat.insert(flat.end(), r.begin(), r.end());
      std::vector<double> scores(out.size());
      loss += softmax_step<double>(h, h_update, flat.data(), kDim, out.size(), target, kDim, lr,
                                   scores.data());
      for (std::size_t r = 0; r < out.size(); ++r) {
        std::copy_n(&flat[r * kDim], kDim, out[r].data());
      }
    }
    return loss;
  };
  check(Params{random_rows(3, 5), random_rows(4, 6)}, composed({0, 1, 2}, softmax));
}

TEST(SubwordGradients, CbowOverConcatenatedRowListsOfTheContextWords) {
  // Two context words: rows {0, 2, 3} and {1, 3, 4}, sharing n-gram row 3 (fastText's cbow
  // averages the concatenation).
  const Objective ns = [](const double* h, double* h_update, Rows& out, double lr) {
    double* rows[] = {out[0].data(), out[1].data(), out[2].data()};
    return negative_sampling_step<double>(h, h_update, rows, 3, kDim, lr);
  };
  check(Params{random_rows(5, 7), random_rows(3, 8)}, composed({0, 2, 3, 1, 3, 4}, ns));
}

TEST(SubwordGradients, SharedNegativeWindowStep) {
  // Targets (ids) 0, 2, 0; negatives 1, 2 (equal to the second target: left out of its
  // example only), 3.
  const std::vector<std::uint32_t> ids = {0, 2, 0, 1, 2, 3};
  const Objective window = [&](const double* h, double* h_update, Rows& out, double lr) {
    std::vector<double*> rows;
    rows.reserve(ids.size());
    for (const auto id : ids) rows.push_back(out[id].data());
    return skipgram_ns_window_step<double>(h, h_update, rows.data(), ids.data(), 3, 3, kDim, lr);
  };
  check(Params{random_rows(4, 9), random_rows(4, 10)}, composed({0, 1, 2, 3, 1}, window));
}

TEST(SubwordGradients, SharedNegativeWindowStepIsTheSumOfItsExamples) {
  // Its loss equals negative sampling run per example with the same negatives (minus a target's
  // own), at lr 0.
  const Rows in = random_rows(1, 11);
  Rows out = random_rows(4, 12);
  const std::vector<std::uint32_t> ids = {0, 2, 1, 2};  // targets 0, 2; negatives 1, 2
  std::vector<double*> rows;
  rows.reserve(ids.size());
  for (const auto id : ids) rows.push_back(out[id].data());
  std::vector<double> h_update(kDim, 0.0);
  const double window = skipgram_ns_window_step<double>(in[0].data(), h_update.data(), rows.data(),
                                                        ids.data(), 2, 2, kDim, 0.0);
  double* first[] = {out[0].data(), out[1].data(), out[2].data()};
  double* second[] = {out[2].data(), out[1].data()};
  const double per_example =
      negative_sampling_step<double>(in[0].data(), h_update.data(), first, 3, kDim, 0.0) +
      negative_sampling_step<double>(in[0].data(), h_update.data(), second, 2, kDim, 0.0);
  EXPECT_NEAR(window, per_example, 1e-12);
}

}  // namespace
}  // namespace w2v
