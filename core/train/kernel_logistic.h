#pragma once
// One example of a sum of binary logistic losses over output rows, the shape both negative
// sampling (docs/math.md §5: label 1 for the observed word, 0 for each negative) and hierarchical
// softmax (docs/math.md §6: label 1 − b_i at each inner node of the word's Huffman path) take:
//   J = −Σ_i log σ(s_i · u_iᵀh),  s_i = +1 when labels[i] = 1, −1 when 0
//   ∂J/∂h = −Σ_i (labels[i] − σ(u_iᵀh)) u_i,   ∂J/∂u_i = −(labels[i] − σ(u_iᵀh)) h
// All scores are computed before any row changes, so a row appearing twice (a negative drawn
// twice) gets both its terms: the step applies the exact gradient.
//   h_update += −lr · ∂J/∂h   (the caller applies it to h's row(s));   rows[i] += −lr · ∂J/∂u_i
// Returns J. Templated on the scalar: double for the gradient checks, float for training.

#include <cstddef>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/vec_ops.h"
#include "core/train/activation.h"

namespace w2v {
W2V_ISA_BEGIN

// The most rows one example may have (negatives + 1, or a Huffman path's length).
inline constexpr std::size_t kMaxLogisticRows = 128;

template <class T>
T logistic_step(const T* h, T* h_update, T* const* rows, const std::uint8_t* labels,
                std::size_t n_rows, std::size_t dim, T lr) noexcept {
  T coef[kMaxLogisticRows];
  T loss = 0;
  for (std::size_t i = 0; i < n_rows; ++i) {
    const T score = dot(rows[i], h, dim);
    loss -= log_sigmoid(labels[i] ? score : -score);
    coef[i] = lr * (T(labels[i]) - sigmoid(score));  // −lr · ∂J/∂score
  }
  for (std::size_t i = 0; i < n_rows; ++i) axpy(coef[i], rows[i], h_update, dim);
  for (std::size_t i = 0; i < n_rows; ++i) axpy(coef[i], h, rows[i], dim);
  return loss;
}

W2V_ISA_END
}  // namespace w2v
