// Gradient checks of negative sampling (docs/math.md §5): the kernel the trainer runs, instantiated
// in double precision, against central finite differences and against the closed forms.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/train/kernel_negative_sampling.h"
#include "support/gradient_check.h"

namespace w2v {
namespace {

constexpr std::size_t kDim = 7;

struct Problem {
  std::vector<double> h;
  std::vector<std::vector<double>> rows;  // distinct output rows
  std::vector<std::size_t> draw;          // example position i uses rows[draw[i]]; 0 is the target
};

Problem random_problem(std::uint64_t seed, std::vector<std::size_t> draw, double scale = 1.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, scale);
  Problem p;
  p.h.resize(kDim);
  for (double& x : p.h) x = normal(rng);
  std::size_t distinct = 0;
  for (std::size_t d : draw) distinct = std::max(distinct, d + 1);
  p.rows.assign(distinct, std::vector<double>(kDim));
  for (auto& r : p.rows) {
    for (double& x : r) x = normal(rng);
  }
  p.draw = std::move(draw);
  return p;
}

// Runs the kernel on p (rows updated in place) and returns the loss.
double run(Problem& p, double lr, std::vector<double>& h_update) {
  std::vector<double*> ptrs;
  for (std::size_t d : p.draw) ptrs.push_back(p.rows[d].data());
  h_update.assign(kDim, 0.0);
  return negative_sampling_step<double>(p.h.data(), h_update.data(), ptrs.data(), ptrs.size(), kDim,
                                        lr);
}

double loss(Problem p) {
  std::vector<double> unused;
  return run(p, 0.0, unused);
}

struct Gradients {
  std::vector<double> h;
  std::vector<std::vector<double>> rows;
};

// The kernel's gradient: with lr = 1 it adds −∂J/∂h to h_update and −∂J/∂u to each row.
Gradients kernel_gradients(const Problem& p0) {
  Problem p = p0;
  std::vector<double> h_update;
  run(p, 1.0, h_update);
  Gradients g;
  for (double x : h_update) g.h.push_back(-x);
  for (std::size_t r = 0; r < p.rows.size(); ++r) {
    g.rows.emplace_back(kDim);
    for (std::size_t j = 0; j < kDim; ++j) g.rows[r][j] = -(p.rows[r][j] - p0.rows[r][j]);
  }
  return g;
}

Gradients numeric_gradients(const Problem& p0) {
  Gradients g;
  for (std::size_t j = 0; j < kDim; ++j) {
    g.h.push_back(testing::central_difference(
        p0, [&](Problem& q) -> double& { return q.h[j]; }, loss));
  }
  for (std::size_t r = 0; r < p0.rows.size(); ++r) {
    g.rows.emplace_back(kDim);
    for (std::size_t j = 0; j < kDim; ++j) {
      g.rows[r][j] = testing::central_difference(
          p0, [&](Problem& q) -> double& { return q.rows[r][j]; }, loss);
    }
  }
  return g;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}
double sig(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// docs/math.md §5 written out directly.
Gradients closed_form(const Problem& p) {
  Gradients g{std::vector<double>(kDim, 0.0),
              std::vector<std::vector<double>>(p.rows.size(), std::vector<double>(kDim, 0.0))};
  for (std::size_t i = 0; i < p.draw.size(); ++i) {
    const auto& u = p.rows[p.draw[i]];
    const double coef = i == 0 ? sig(dot(u, p.h)) - 1.0 : sig(dot(u, p.h));
    for (std::size_t j = 0; j < kDim; ++j) {
      g.h[j] += coef * u[j];
      g.rows[p.draw[i]][j] += coef * p.h[j];
    }
  }
  return g;
}

void expect_close(const Gradients& a, const Gradients& b, double tol) {
  for (std::size_t j = 0; j < kDim; ++j)
    EXPECT_LT(testing::relative_error(a.h[j], b.h[j]), tol) << "h[" << j << "]";
  for (std::size_t r = 0; r < a.rows.size(); ++r) {
    for (std::size_t j = 0; j < kDim; ++j) {
      EXPECT_LT(testing::relative_error(a.rows[r][j], b.rows[r][j]), tol)
          << "row " << r << " [" << j << "]";
    }
  }
}

TEST(NegativeSamplingGradient, MatchesFiniteDifferences) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Problem p = random_problem(seed, {0, 1, 2, 3, 4, 5});
    expect_close(kernel_gradients(p), numeric_gradients(p), 1e-5);
  }
}

TEST(NegativeSamplingGradient, RepeatedNegativeAddsUp) {
  // rows[1] drawn three times, rows[2] once.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Problem p = random_problem(seed, {0, 1, 2, 1, 1});
    const Gradients k = kernel_gradients(p);
    expect_close(k, numeric_gradients(p), 1e-5);
    expect_close(k, closed_form(p), 1e-9);
  }
}

TEST(NegativeSamplingGradient, MatchesClosedForm) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Problem p = random_problem(seed, {0, 1, 2, 3});
    expect_close(kernel_gradients(p), closed_form(p), 1e-9);
  }
}

TEST(NegativeSamplingGradient, LossMatchesDefinition) {
  const Problem p = random_problem(3, {0, 1, 2, 3});
  double expected = -std::log(sig(dot(p.rows[0], p.h)));
  for (std::size_t i = 1; i < p.draw.size(); ++i)
    expected -= std::log(sig(-dot(p.rows[p.draw[i]], p.h)));
  EXPECT_NEAR(loss(p), expected, 1e-12);
}

TEST(NegativeSamplingGradient, LargeScoresStayFinite) {
  Problem p = random_problem(5, {0, 1, 2}, 30.0);  // scores in the thousands
  std::vector<double> h_update;
  const double l = run(p, 0.1, h_update);
  EXPECT_TRUE(std::isfinite(l));
  for (double x : h_update) EXPECT_TRUE(std::isfinite(x));
}

TEST(NegativeSamplingFloat, TrainingPrecisionAgreesWithExact) {
  // The float instantiation (table sigmoid) is what training runs: it must agree closely.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Problem pd = random_problem(seed, {0, 1, 2, 3, 4, 5}, 0.5);
    std::vector<std::vector<float>> rows;
    for (auto& r : pd.rows) rows.emplace_back(r.begin(), r.end());
    std::vector<float> h(pd.h.begin(), pd.h.end()), hu(kDim, 0.0f);
    std::vector<float*> ptrs;
    for (std::size_t d : pd.draw) ptrs.push_back(rows[d].data());
    const float lf =
        negative_sampling_step<float>(h.data(), hu.data(), ptrs.data(), ptrs.size(), kDim, 0.1f);
    std::vector<double> hud;
    const double ld = run(pd, 0.1, hud);
    EXPECT_NEAR(lf, ld, 2e-3 * std::max(1.0, std::abs(ld)));
    for (std::size_t j = 0; j < kDim; ++j) EXPECT_NEAR(hu[j], hud[j], 2e-4);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (std::size_t j = 0; j < kDim; ++j) EXPECT_NEAR(rows[r][j], pd.rows[r][j], 2e-4);
    }
  }
}

}  // namespace
}  // namespace w2v
