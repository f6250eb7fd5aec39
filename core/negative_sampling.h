#pragma once
// Negative sampling (docs/math.md §5), one example: input vector h,
// output rows[0] = u_o the observed word, rows[1..n) = u_k the negatives. A negative drawn twice
// appears twice (same pointer) and its gradient terms add up:
//   J = −log σ(u_oᵀh) − Σ_k log σ(−u_kᵀh)
// See logistic_step for the update it applies.

#include <cstddef>

#include "core/logistic_step.h"

namespace w2v {

inline constexpr std::size_t kMaxNegative = 64;

namespace detail {
// Label 1 for the observed word, 0 for every negative.
inline constexpr std::uint8_t kNegativeSamplingLabels[kMaxNegative + 1] = {1};
}  // namespace detail

template <class T>
T negative_sampling_step(const T* h, T* h_update, T* const* rows, std::size_t n_rows,
                         std::size_t dim, T lr) noexcept {
  return logistic_step(h, h_update, rows, detail::kNegativeSamplingLabels, n_rows, dim, lr);
}

}  // namespace w2v
