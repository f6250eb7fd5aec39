#pragma once
// Negative sampling (docs/math.md §5), one example: input vector h,
// output rows[0] = u_o the observed word, rows[1..n) = u_k the negatives. A negative drawn twice
// appears twice (same pointer) and its gradient terms add up:
//   J = −log σ(u_oᵀh) − Σ_k log σ(−u_kᵀh)
// See logistic_step for the update it applies.

#include <cstddef>

#include "core/base/isa_namespace.h"
#include "core/train/kernel_logistic.h"
#include "core/train/train_params.h"

namespace w2v {
W2V_ISA_BEGIN

// The most negatives an example draws: the largest `negative` a job may ask for. Stack arrays
// of the kernels and walks are sized by it.
inline constexpr std::size_t kMaxNegative = static_cast<std::size_t>(ParamLimits::negative.max);
static_assert(kMaxNegative + 1 <= kMaxLogisticRows, "an example's rows must fit logistic_step");

// Label 1 for the observed word, 0 for every negative.
inline constexpr std::uint8_t kNegativeSamplingLabels[kMaxNegative + 1] = {1};

template <class T>
T negative_sampling_step(const T* h, T* h_update, T* const* rows, std::size_t n_rows,
                         std::size_t dim, T lr) noexcept {
  return logistic_step(h, h_update, rows, kNegativeSamplingLabels, n_rows, dim, lr);
}

W2V_ISA_END
}  // namespace w2v
