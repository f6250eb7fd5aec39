#pragma once
// Negative sampling (MATH.md §3), one example: input vector h (the v_c of the derivation),
// output rows[0] = u_o the observed word, rows[1..n) = u_k the negatives. A negative drawn twice
// appears twice (same pointer) and its gradient terms add up.
//
// All scores are computed before any row changes, so the step applies the exact gradient:
//   h_update += −lr · ∂J/∂h        (the caller adds h_update to h, after all its examples)
//   rows[i]  += −lr · ∂J/∂rows[i]  (in place)
// and returns J = −log σ(u_oᵀh) − Σ_k log σ(−u_kᵀh).

#include <cstddef>

#include "core/activation.h"
#include "core/vec_ops.h"

namespace w2v {

inline constexpr std::size_t kMaxNegative = 64;

template <class T>
T negative_sampling_step(const T* h, T* h_update, T* const* rows, std::size_t n_rows,
                         std::size_t dim, T lr) noexcept {
  T coef[kMaxNegative + 1];
  T loss = 0;
  for (std::size_t i = 0; i < n_rows; ++i) {
    const T score = dot(rows[i], h, dim);
    const T label = i == 0 ? T(1) : T(0);
    loss -= log_sigmoid(i == 0 ? score : -score);
    coef[i] = lr * (label - sigmoid(score));  // −lr · ∂J/∂score
  }
  for (std::size_t i = 0; i < n_rows; ++i) axpy(coef[i], rows[i], h_update, dim);
  for (std::size_t i = 0; i < n_rows; ++i) axpy(coef[i], h, rows[i], dim);
  return loss;
}

}  // namespace w2v
