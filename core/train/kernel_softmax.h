#pragma once
// Full softmax (docs/math.md §4), one example: every output row u_w competes for the target o.
//   ŷ = softmax(U h),  J = −log ŷ_o
//   ∂J/∂h = Σ_w ŷ_w u_w − u_o,   ∂J/∂u_w = (ŷ_w − y_w) h
// Computed stably: the largest score is subtracted before exponentiating and
// J = log Σ_w e^(s_w − s_max) − (s_o − s_max), so no probability is logged after it underflows.
//   h_update += −lr · ∂J/∂h,   rows += −lr · ∂J/∂U
// scores: scratch of n_rows values. Cost O(n_rows · dim). Templated on the scalar.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/vec_ops.h"

namespace w2v {
W2V_ISA_BEGIN

template <class T>
T softmax_step(const T* h, T* h_update, T* out, std::size_t out_stride, std::size_t n_rows,
               std::uint32_t target, std::size_t dim, T lr, T* scores) noexcept {
  T max_score = -INFINITY;
  for (std::size_t w = 0; w < n_rows; ++w) {
    scores[w] = dot(out + w * out_stride, h, dim);
    max_score = std::max(max_score, scores[w]);
  }
  T sum = 0;
  for (std::size_t w = 0; w < n_rows; ++w) {
    scores[w] = std::exp(scores[w] - max_score);
    sum += scores[w];
  }
  // s_o − s_max recovered from its exponential would underflow; recompute it.
  const T target_score = dot(out + target * out_stride, h, dim);
  const T loss = std::log(sum) - (target_score - max_score);
  const T inv_sum = T(1) / sum;
  for (std::size_t w = 0; w < n_rows; ++w) {
    // Each row is distinct, so its gradient term can use and update it in one pass.
    const T g = -lr * (scores[w] * inv_sum - (w == target ? T(1) : T(0)));
    T* u = out + w * out_stride;
    axpy(g, u, h_update, dim);
    axpy(g, h, u, dim);
  }
  return loss;
}

W2V_ISA_END
}  // namespace w2v
