// Gradient checks of every objective (docs/math.md §3, §4, §6) for both models, in double
// precision, against central finite differences: hierarchical softmax on Huffman paths of different
// lengths, the full softmax (also with scores in the thousands), and CBOW's sharing of the
// gradient among its context words (1/|C|), with a context word appearing twice.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

#include "core/train/huffman_tree.h"
#include "core/train/kernel_logistic.h"
#include "core/train/kernel_negative_sampling.h"
#include "core/train/kernel_softmax.h"
#include "core/train/walk_cbow.h"
#include "support/gradient_check.h"

namespace w2v {
namespace {

constexpr std::size_t kDim = 5;
using testing::Rows;

Rows random_rows(std::size_t n, std::uint64_t seed, double scale = 0.8) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, scale);
  Rows r(n, std::vector<double>(kDim));
  for (auto& row : r) {
    for (double& x : row) x = normal(rng);
  }
  return r;
}

// A problem: parameters (input rows and output rows), and a function running one training step
// on them with a learning rate, returning the loss. With lr = 1 the step's updates are −∂J/∂θ;
// with lr = 0 it only evaluates J.
struct Params {
  Rows in, out;
};
using StepFn = std::function<double(Params&, double lr)>;

void check(const Params& p0, const StepFn& step, double tol = 1e-5) {
  Params after = p0;
  step(after, 1.0);
  const auto loss = [&](Params& q) { return step(q, 0.0); };
  for (auto [rows, name] : {std::pair{&Params::in, "in"}, std::pair{&Params::out, "out"}}) {
    Rows gradient = p0.*rows;  // −(the step at lr 1)
    for (std::size_t r = 0; r < gradient.size(); ++r) {
      for (std::size_t t = 0; t < kDim; ++t) gradient[r][t] -= (after.*rows)[r][t];
    }
    testing::expect_gradient_matches(p0, rows, gradient, loss, name, tol);
  }
}

// Skip-gram shape: one input row is h, its update applied to it.
StepFn skipgram(
    std::function<double(const double* h, double* h_update, Rows& out, double lr)> objective) {
  return [objective](Params& p, double lr) {
    std::vector<double> h_update(kDim, 0.0);
    const double loss = objective(p.in[0].data(), h_update.data(), p.out, lr);
    for (std::size_t t = 0; t < kDim; ++t) p.in[0][t] += h_update[t];
    return loss;
  };
}

// CBOW shape: the input rows listed in use form the context (repeats allowed).
StepFn cbow(
    std::vector<std::size_t> use,
    std::function<double(const double* h, double* h_update, Rows& out, double lr)> objective) {
  return [use, objective](Params& p, double lr) {
    std::vector<double*> ctx;
    for (std::size_t i : use) ctx.push_back(p.in[i].data());
    std::vector<double> h(kDim), h_update(kDim);
    // input_step 1: the update is exactly −lr times the gradient (training uses |C|).
    return cbow_step<double>(
        ctx.data(), ctx.size(), h.data(), h_update.data(), kDim, 1.0,
        [&](const double* hh, double* hu) { return objective(hh, hu, p.out, lr); });
  };
}

// Hierarchical softmax along a word's path in tree.
auto hs_objective(const HuffmanTree& tree, std::uint32_t word) {
  return [&tree, word](const double* h, double* h_update, Rows& out, double lr) {
    std::vector<double*> rows;
    std::vector<std::uint8_t> labels;
    const auto path = tree.path(word);
    const auto code = tree.code(word);
    for (std::size_t i = 0; i < path.size(); ++i) {
      rows.push_back(out[path[i]].data());
      labels.push_back(static_cast<std::uint8_t>(1 - code[i]));
    }
    return logistic_step<double>(h, h_update, rows.data(), labels.data(), rows.size(), kDim, lr);
  };
}

auto softmax_objective(std::uint32_t target) {
  return [target](const double* h, double* h_update, Rows& out, double lr) {
    std::vector<double> flat;
    for (const auto& r : out) flat.insert(flat.end(), r.begin(), r.end());
    std::vector<double> scores(out.size());
    const double loss = softmax_step<double>(h, h_update, flat.data(), kDim, out.size(), target,
                                             kDim, lr, scores.data());
    for (std::size_t r = 0; r < out.size(); ++r) std::copy_n(&flat[r * kDim], kDim, out[r].data());
    return loss;
  };
}

// Negative sampling with a repeated negative: rows 0 (target), 1, 2, 1.
double ns_objective(const double* h, double* h_update, Rows& out, double lr) {
  double* rows[] = {out[0].data(), out[1].data(), out[2].data(), out[1].data()};
  return negative_sampling_step<double>(h, h_update, rows, 4, kDim, lr);
}

const std::vector<std::uint64_t> kCounts = {1000, 400, 300, 120, 60, 30, 10, 5, 2, 1};

TEST(HuffmanTree, CodesArePrefixFreeAndFrequentWordsShorter) {
  const HuffmanTree tree(kCounts);
  ASSERT_EQ(tree.words(), kCounts.size());
  EXPECT_EQ(tree.inner_nodes(), kCounts.size() - 1);
  double kraft = 0;
  for (std::uint32_t w = 0; w < tree.words(); ++w) {
    const auto path = tree.path(w);
    ASSERT_FALSE(path.empty());
    EXPECT_EQ(path[0], kCounts.size() - 2);  // every path starts at the root
    for (auto node : path) EXPECT_LT(node, tree.inner_nodes());
    kraft += std::ldexp(1.0, -static_cast<int>(path.size()));
    for (std::uint32_t v = 0; v < tree.words(); ++v) {
      if (v == w) continue;
      const auto a = tree.code(w), b = tree.code(v);
      const bool prefix = a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
      EXPECT_FALSE(prefix) << "code of " << w << " prefixes the code of " << v;
    }
  }
  EXPECT_DOUBLE_EQ(kraft, 1.0);  // a full binary tree
  EXPECT_LT(tree.path(0).size(), tree.path(9).size());
  EXPECT_EQ(tree.path(0).size(), 1u);  // 1000 outweighs everything else together
}

TEST(HuffmanTree, RejectsUnsortedCountsAndHandlesTinyVocabularies) {
  const std::vector<std::uint64_t> unsorted = {1, 5};
  EXPECT_THROW(HuffmanTree{unsorted}, std::invalid_argument);
  const std::vector<std::uint64_t> one = {7};
  EXPECT_TRUE(HuffmanTree(one).path(0).empty());
  const std::vector<std::uint64_t> two = {7, 7};
  const HuffmanTree t(two);
  EXPECT_EQ(t.path(0).size(), 1u);
  EXPECT_NE(t.code(0)[0], t.code(1)[0]);
}

TEST(ObjectiveGradients, HierarchicalSoftmaxOnShortAndLongPaths) {
  const HuffmanTree tree(kCounts);
  for (std::uint32_t word : {0u, 4u, 9u}) {  // paths of 1, middling and maximal length
    const Params p{random_rows(1, word + 1), random_rows(tree.inner_nodes(), word + 2)};
    check(p, skipgram(hs_objective(tree, word)));
  }
}

TEST(ObjectiveGradients, SoftmaxMatchesFiniteDifferencesAndClosedForm) {
  for (std::uint32_t target : {0u, 3u, 6u}) {
    const Params p{random_rows(1, target + 10), random_rows(7, target + 20)};
    check(p, skipgram(softmax_objective(target)));
    // Closed form: ∂J/∂h = Σ ŷ_w u_w − u_o.
    std::vector<double> s(7), expected(kDim, 0.0);
    double z = 0;
    for (std::size_t w = 0; w < 7; ++w) {
      s[w] = std::inner_product(p.in[0].begin(), p.in[0].end(), p.out[w].begin(), 0.0);
      z += std::exp(s[w]);
    }
    for (std::size_t w = 0; w < 7; ++w) {
      for (std::size_t t = 0; t < kDim; ++t)
        expected[t] += (std::exp(s[w]) / z - (w == target)) * p.out[w][t];
    }
    Params after = p;
    skipgram(softmax_objective(target))(after, 1.0);
    for (std::size_t t = 0; t < kDim; ++t) {
      EXPECT_NEAR(-(after.in[0][t] - p.in[0][t]), expected[t], 1e-12);
    }
  }
}

TEST(ObjectiveGradients, SoftmaxWithHugeScoresStaysFinite) {
  // Scores around ±1000: a naive exp overflows, a naive log of the target's probability is
  // log(0).
  Params p{{std::vector<double>(kDim, 10.0)}, random_rows(6, 5, 1.0)};
  for (auto& r : p.out) {
    for (double& x : r) x *= 20.0;
  }
  for (std::uint32_t target = 0; target < 6; ++target) {
    Params q = p;
    const double loss = skipgram(softmax_objective(target))(q, 0.1);
    EXPECT_TRUE(std::isfinite(loss)) << target;
    EXPECT_GE(loss, 0.0);
    for (const auto& r : q.out) {
      for (double x : r) EXPECT_TRUE(std::isfinite(x));
    }
  }
}

TEST(ObjectiveGradients, CbowSharesTheGradientAmongContextWords) {
  const HuffmanTree tree(kCounts);
  const std::vector<std::size_t> context = {0, 1, 2, 1};  // word 1 twice in the window
  // Negative sampling.
  check(Params{random_rows(3, 31), random_rows(3, 32)}, cbow(context, ns_objective));
  // Hierarchical softmax, a long path.
  check(Params{random_rows(3, 33), random_rows(tree.inner_nodes(), 34)},
        cbow(context, hs_objective(tree, 8)));
  // Softmax.
  check(Params{random_rows(3, 35), random_rows(6, 36)}, cbow(context, softmax_objective(2)));
}

TEST(ObjectiveGradients, CbowOfOneWordIsSkipgram) {
  // With a single context word, h is that word's vector and CBOW's update is skip-gram's.
  const Params p{random_rows(1, 41), random_rows(3, 42)};
  Params a = p, b = p;
  const double la = cbow({0}, ns_objective)(a, 0.3);
  const double lb = skipgram(ns_objective)(b, 0.3);
  EXPECT_DOUBLE_EQ(la, lb);
  for (std::size_t t = 0; t < kDim; ++t) EXPECT_DOUBLE_EQ(a.in[0][t], b.in[0][t]);
}

}  // namespace
}  // namespace w2v
