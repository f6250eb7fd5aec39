// Checks of the minibatched shared-negative CBOW kernel (cbow_ns_batch_step): one minibatch step
// against each example's docs/math.md §5/§3 gradient written out here independently in double
// precision, against central finite differences of the minibatch loss, with negatives that
// collide with a target, and the float training path against the double reference.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

#include "core/base/matrix.h"
#include "core/train/kernel_cbow_ns_batch.h"
#include "core/train/train_kernels.h"
#include "support/gradient_check.h"
#include "support/isa_params.h"

namespace w2v {
namespace {

using testing::Rows;

// A sentence over a small vocabulary, a minibatch of its positions and shared negatives.
struct Problem {
  std::size_t dim = 6;
  Rows input, output;                       // one row per word
  std::vector<std::uint32_t> sentence;      // word ids; repeats share rows
  std::vector<std::size_t> centre, lo, hi;  // per example, sentence positions (hi inclusive)
  std::vector<std::uint32_t> negatives;
};

Rows random_rows(std::size_t n, std::size_t dim, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 0.6);
  Rows r(n, std::vector<double>(dim));
  for (auto& row : r) {
    for (double& x : row) x = normal(rng);
  }
  return r;
}

// Words 0..7 on 13 positions with repeats (word 2 three times, 5 twice); examples at positions
// 3..8 with windows of 1 to 3 words each side, clipped at the sentence's ends; the negatives
// repeat word 6 and include word 4, the target of position 5 (the example at index 2).
Problem standard_problem(std::uint64_t seed, std::size_t dim = 6) {
  std::mt19937_64 rng(seed);
  Problem p;
  p.dim = dim;
  p.input = random_rows(8, dim, rng);
  p.output = random_rows(8, dim, rng);
  p.sentence = {0, 2, 1, 2, 3, 4, 5, 2, 5, 6, 7, 1, 0};
  const std::size_t spans[] = {3, 1, 2, 3, 1, 2};
  for (std::size_t b = 0; b < 6; ++b) {
    const std::size_t i = 3 + b;
    p.centre.push_back(i);
    p.lo.push_back(i >= spans[b] ? i - spans[b] : 0);
    p.hi.push_back(std::min(p.sentence.size() - 1, i + spans[b]));
  }
  p.negatives = {6, 4, 1, 6, 7};
  return p;
}

struct Result {
  double loss = 0;
  Rows d_input, d_output;  // change of each word's row
};

Rows zeros_like(const Rows& r) {
  return Rows(r.size(), std::vector<double>(r.empty() ? 0 : r[0].size(), 0.0));
}

// Runs cbow_ns_batch_step<double> on copies of the problem's rows and returns the loss and the
// change of every row.
Result run_kernel(const Problem& p, double lr, ContextStep step) {
  Rows in = p.input, out = p.output;
  const std::size_t first = *std::min_element(p.lo.begin(), p.lo.end());
  const std::size_t last = *std::max_element(p.hi.begin(), p.hi.end());
  std::vector<double*> in_rows, target, negative;
  for (std::size_t i = first; i <= last; ++i) in_rows.push_back(in[p.sentence[i]].data());
  std::vector<std::size_t> centre, lo, hi;
  std::vector<std::uint32_t> target_id;
  for (std::size_t b = 0; b < p.centre.size(); ++b) {
    centre.push_back(p.centre[b] - first);
    lo.push_back(p.lo[b] - first);
    hi.push_back(p.hi[b] - first);
    target_id.push_back(p.sentence[p.centre[b]]);
    target.push_back(out[target_id.back()].data());
  }
  for (auto k : p.negatives) negative.push_back(out[k].data());
  const CbowNsBatch<double> m{in_rows.data(),     in_rows.size(),    centre.size(),
                              centre.data(),      lo.data(),         hi.data(),
                              target.data(),      target_id.data(),  negative.data(),
                              p.negatives.data(), p.negatives.size()};
  std::vector<double> h(centre.size() * p.dim), e(centre.size() * p.dim);
  Result r;
  r.loss = cbow_ns_batch_step<double>(m, p.dim, lr, step, {h.data(), e.data()});
  r.d_input = zeros_like(p.input);
  r.d_output = zeros_like(p.output);
  for (std::size_t w = 0; w < p.input.size(); ++w) {
    for (std::size_t t = 0; t < p.dim; ++t) {
      r.d_input[w][t] = in[w][t] - p.input[w][t];
      r.d_output[w][t] = out[w][t] - p.output[w][t];
    }
  }
  return r;
}

double sig(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// The minibatch's loss and its gradient, example by example, straight from docs/math.md: h the mean
// of the context rows, J = −log σ(u_tᵀh) − Σ_{k: n_k ≠ t} log σ(−u_kᵀh), ∂J/∂v_j = ∂J/∂h / |C|
// for every context position j. Returns the gradient (not a step).
Result reference_gradient(const Problem& p) {
  Result g;
  g.d_input = zeros_like(p.input);
  g.d_output = zeros_like(p.output);
  const std::size_t d = p.dim;
  for (std::size_t b = 0; b < p.centre.size(); ++b) {
    std::vector<std::size_t> context;
    for (std::size_t j = p.lo[b]; j <= p.hi[b]; ++j) {
      if (j != p.centre[b]) context.push_back(j);
    }
    std::vector<double> h(d, 0.0);
    for (auto j : context) {
      for (std::size_t t = 0; t < d; ++t) h[t] += p.input[p.sentence[j]][t] / context.size();
    }
    const std::uint32_t target = p.sentence[p.centre[b]];
    std::vector<double> dh(d, 0.0);
    // Label 1 for the target, 0 for each negative that is not the target.
    auto term = [&](std::uint32_t word, double label) {
      double s = 0;
      for (std::size_t t = 0; t < d; ++t) s += p.output[word][t] * h[t];
      g.loss -= std::log(label == 1.0 ? sig(s) : sig(-s));
      const double coef = sig(s) - label;  // ∂J/∂s
      for (std::size_t t = 0; t < d; ++t) {
        dh[t] += coef * p.output[word][t];
        g.d_output[word][t] += coef * h[t];
      }
    };
    term(target, 1.0);
    for (auto k : p.negatives) {
      if (k != target) term(k, 0.0);
    }
    for (auto j : context) {
      for (std::size_t t = 0; t < d; ++t) g.d_input[p.sentence[j]][t] += dh[t] / context.size();
    }
  }
  return g;
}

// Every row of the kernel's step at lr equals −lr · scale · the reference gradient.
void expect_step(const Rows& step, const Rows& gradient, double lr, double tol, const char* what) {
  for (std::size_t w = 0; w < step.size(); ++w) {
    for (std::size_t t = 0; t < step[w].size(); ++t) {
      EXPECT_NEAR(step[w][t], -lr * gradient[w][t], tol) << what << " row " << w << "[" << t << "]";
    }
  }
}

TEST(CbowNsBatchStep, MatchesPerExampleGradients) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const Problem p = standard_problem(seed);
    const Result ref = reference_gradient(p);
    const double lr = 0.3;
    const Result r = run_kernel(p, lr, ContextStep::kGradient);
    EXPECT_NEAR(r.loss, ref.loss, 1e-12 * ref.loss);
    expect_step(r.d_input, ref.d_input, lr, 1e-12, "input");
    expect_step(r.d_output, ref.d_output, lr, 1e-12, "output");
  }
}

TEST(CbowNsBatchStep, MatchesFiniteDifferences) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const Problem p0 = standard_problem(seed);
    const Result r = run_kernel(p0, 1.0, ContextStep::kGradient);  // deltas are −∂J/∂row
    const auto loss = [](const Problem& q) {
      return run_kernel(q, 0.0, ContextStep::kGradient).loss;
    };
    for (auto [rows, delta, what] : {std::tuple{&Problem::input, &r.d_input, "input"},
                                     std::tuple{&Problem::output, &r.d_output, "output"}}) {
      Rows gradient = *delta;
      for (auto& row : gradient) {
        for (double& x : row) x = -x;
      }
      testing::expect_gradient_matches(p0, rows, gradient, loss, what);
    }
  }
}

TEST(CbowNsBatchStep, WholeStepGivesEachContextRowTheWholeHiddenGradient) {
  // Training's convention (walk_cbow.h): each context row moves by −lr·∂J/∂h, |C| times its
  // gradient step. With a single example the input rows' change is exactly that.
  Problem p = standard_problem(4);
  p.centre = {5};
  p.lo = {3};
  p.hi = {8};  // context positions 3, 4, 6, 7, 8: words 2, 3, 5, 2, 5
  const Result ref = reference_gradient(p);
  const Result r = run_kernel(p, 0.2, ContextStep::kWhole);
  Rows scaled = ref.d_input;
  for (auto& row : scaled) {
    for (double& x : row) x *= 5;  // |C| = 5
  }
  expect_step(r.d_input, scaled, 0.2, 1e-12, "input");
  expect_step(r.d_output, ref.d_output, 0.2, 1e-12, "output");
}

TEST(CbowNsBatchStep, NegativeEqualToATargetIsSkippedForThatExampleOnly) {
  // Two examples with targets 4 and 5; negatives 4, 4, 7. Example 0 (target 4) keeps only
  // negative 7; example 1 (target 5) keeps all three.
  Problem p = standard_problem(2);
  p.centre = {5, 6};
  p.lo = {4, 5};
  p.hi = {6, 7};
  p.negatives = {4, 4, 7};
  const Result r = run_kernel(p, 0.5, ContextStep::kGradient);
  const Result ref = reference_gradient(p);
  EXPECT_NEAR(r.loss, ref.loss, 1e-12);
  expect_step(r.d_input, ref.d_input, 0.5, 1e-12, "input");
  expect_step(r.d_output, ref.d_output, 0.5, 1e-12, "output");

  // The same thing spelled out: with example 1 alone, word 4's row gets its two negative
  // terms; adding example 0 adds only its positive term (its own negatives 4 are skipped).
  Problem only1 = p, only0 = p;
  only1.centre = {6};
  only1.lo = {5};
  only1.hi = {7};
  only0.centre = {5};
  only0.lo = {4};
  only0.hi = {6};
  only0.negatives = {7};  // what example 0 keeps
  const Result a = run_kernel(only1, 0.5, ContextStep::kGradient);
  const Result b = run_kernel(only0, 0.5, ContextStep::kGradient);
  EXPECT_NEAR(r.loss, a.loss + b.loss, 1e-12);
  for (std::size_t t = 0; t < p.dim; ++t) {
    EXPECT_NEAR(r.d_output[4][t], a.d_output[4][t] + b.d_output[4][t], 1e-12);
    EXPECT_NEAR(r.d_output[7][t], a.d_output[7][t] + b.d_output[7][t], 1e-12);
  }

  // Every negative equal to the only example's target: no negative term at all.
  Problem all = only0;
  all.negatives = {4, 4};
  Problem none = only0;
  none.negatives = {};
  const Result x = run_kernel(all, 0.5, ContextStep::kGradient);
  const Result y = run_kernel(none, 0.5, ContextStep::kGradient);
  EXPECT_DOUBLE_EQ(x.loss, y.loss);
  expect_step(x.d_output, y.d_output, -1.0, 0.0, "output");  // identical deltas
  expect_step(x.d_input, y.d_input, -1.0, 0.0, "input");
}

// Each instruction set's float kernel (core/train/train_kernels.h), as training calls it.
class CbowNsBatchStepFloat : public ::testing::TestWithParam<Isa> {};

TEST_P(CbowNsBatchStepFloat, MatchesTheDoubleReference) {
  // 32 floats a row: the vectorised dot and add_combination paths training takes, on aligned
  // rows, with the float activation tables.
  const Problem p = standard_problem(9, 32);
  const Result ref = reference_gradient(p);
  Matrix in(p.input.size(), p.dim), out(p.output.size(), p.dim);
  for (std::size_t w = 0; w < p.input.size(); ++w) {
    for (std::size_t t = 0; t < p.dim; ++t) {
      in.row(w)[t] = static_cast<float>(p.input[w][t]);
      out.row(w)[t] = static_cast<float>(p.output[w][t]);
    }
  }
  const Matrix in0 = in, out0 = out;
  const std::size_t first = 0, last = p.sentence.size() - 1;
  std::vector<float*> in_rows, target, negative;
  for (std::size_t i = first; i <= last; ++i) in_rows.push_back(in.row(p.sentence[i]));
  std::vector<std::uint32_t> target_id;
  for (auto c : p.centre) {
    target_id.push_back(p.sentence[c]);
    target.push_back(out.row(p.sentence[c]));
  }
  for (auto k : p.negatives) negative.push_back(out.row(k));
  const CbowNsBatch<float> m{in_rows.data(),     in_rows.size(),    p.centre.size(),
                             p.centre.data(),    p.lo.data(),       p.hi.data(),
                             target.data(),      target_id.data(),  negative.data(),
                             p.negatives.data(), p.negatives.size()};
  Matrix h(kMaxCbowBatch, p.dim), e(kMaxCbowBatch, p.dim);
  const float lr = 0.25f;
  const float loss =
      train_kernels(GetParam())
          .cbow_ns_batch_step(m, in.stride(), lr, ContextStep::kGradient, {h.data(), e.data()});
  // The float activations are tables with buckets 1/256 wide: log σ within 2e-3 per term (at
  // most 6 terms for each of the 6 examples), σ within 5e-4.
  EXPECT_NEAR(loss, ref.loss, 36 * 2e-3);
  for (std::size_t w = 0; w < p.input.size(); ++w) {
    for (std::size_t t = 0; t < p.dim; ++t) {
      EXPECT_NEAR(in.row(w)[t] - in0.row(w)[t], -lr * ref.d_input[w][t], 2e-3) << w << "," << t;
      EXPECT_NEAR(out.row(w)[t] - out0.row(w)[t], -lr * ref.d_output[w][t], 2e-3) << w << "," << t;
    }
  }
}

W2V_INSTANTIATE_FOR_EACH_ISA(CbowNsBatchStepFloat);

}  // namespace
}  // namespace w2v
