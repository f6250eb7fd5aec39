#pragma once
// Negative sampling for a whole context window at once, with shared negatives (Ji et al.,
// "Parallelizing Word2Vec in Shared and Distributed Memory"; docs/math.md §7). For one centre word:
//   I: the B context words' input rows, all predicting the same outputs
//   O: row 0 the centre word's output row u_o, rows 1..K the negatives' u_k
//   S = I Oᵀ                      scores (B × (K+1))
//   G = lr · (Y − σ(S))           Y: 1 in column 0, 0 elsewhere  (−lr · ∂J/∂S)
//   ΔI = G O,  ΔO = Gᵀ I          the updates of every input and output row
//
// J is the sum over the B examples of docs/math.md §5's loss, so the step is the exact gradient of
// B examples sharing their negatives. The kernel works on the rows in place (a block of
// B + K + 1 rows stays in L1 across the three products): ΔO is computed first from the old
// input rows, then each input row gets its ΔI from the old output rows, then the output rows
// get ΔO. A word appearing twice among the inputs (or among the outputs) gets both its terms,
// and with Hogwild the additions do not lose concurrent updates.

#include <cstddef>

#include "core/base/isa_namespace.h"
#include "core/base/vec_ops.h"
#include "core/train/activation.h"
#include "core/train/train_params.h"

namespace w2v {
W2V_ISA_BEGIN

// in: B row pointers, out: K+1 row pointers, rows of length n, all updated in place.
// d_out: scratch of (K+1) × n; scores: scratch of B × (K+1). Returns J.
template <class T>
T negative_sampling_batch_step(T* const* in, std::size_t b, T* const* out, std::size_t k1,
                               std::size_t n, T lr, T* __restrict d_out,
                               T* __restrict scores) noexcept {
  T loss = 0;
  for (std::size_t j = 0; j < b; ++j) {
    T* g = scores + j * k1;
    for (std::size_t k = 0; k < k1; ++k) {
      const T s = dot(in[j], out[k], n);
      loss -= log_sigmoid(k == 0 ? s : -s);
      g[k] = lr * ((k == 0 ? T(1) : T(0)) - sigmoid(s));
    }
  }
  // ΔO_k = Σ_j G_jk · in_j, from the input rows as they were.
  T column[kMaxContextWords];
  for (std::size_t k = 0; k < k1; ++k) {
    for (std::size_t j = 0; j < b; ++j) column[j] = scores[j * k1 + k];
    T* du = d_out + k * n;
    zero(du, n);
    add_combination(column, in, b, du, n);
  }
  // in_j += Σ_k G_jk · out_k, from the output rows as they still are.
  for (std::size_t j = 0; j < b; ++j) add_combination(scores + j * k1, out, k1, in[j], n);
  for (std::size_t k = 0; k < k1; ++k) axpy(T(1), d_out + k * n, out[k], n);
  return loss;
}

W2V_ISA_END
}  // namespace w2v
