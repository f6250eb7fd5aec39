#pragma once
// What every gradient test shares (docs/math.md derives the gradients they check): the relative
// error of two values, the central finite difference of a loss along one parameter, and the
// check of a whole set of rows against it.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace w2v::testing {

using Rows = std::vector<std::vector<double>>;

// |a − b| relative to |a| + |b| (absolute below 1e-7).
inline double relative_error(double a, double b) {
  return std::abs(a - b) / std::max(1e-7, std::abs(a) + std::abs(b));
}

// (loss(p + eps·e) − loss(p − eps·e)) / (2·eps), e the parameter at(p) names; p0 is not changed.
template <class P, class At, class Loss>
double central_difference(const P& p0, At at, Loss loss, double eps = 1e-6) {
  P plus = p0, minus = p0;
  at(plus) += eps;
  at(minus) -= eps;
  return (loss(plus) - loss(minus)) / (2 * eps);
}

// Expects gradient[r][t] to match the central difference of loss along (p0.*rows)[r][t], for
// every entry of those rows.
template <class P, class Loss>
void expect_gradient_matches(const P& p0, Rows P::*rows, const Rows& gradient, Loss loss,
                             const char* what, double tol = 1e-5) {
  for (std::size_t r = 0; r < (p0.*rows).size(); ++r) {
    for (std::size_t t = 0; t < (p0.*rows)[r].size(); ++t) {
      const double numeric = central_difference(
          p0, [&](P& q) -> double& { return (q.*rows)[r][t]; }, loss);
      EXPECT_LT(relative_error(gradient[r][t], numeric), tol)
          << what << " row " << r << " [" << t << "]";
    }
  }
}

}  // namespace w2v::testing
