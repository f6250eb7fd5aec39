#pragma once
// Negative sampling for a whole context window at once, with shared negatives (Ji et al.,
// "Parallelizing Word2Vec in Shared and Distributed Memory"; MATH.md §6). For one centre word:
//   I: the B context words' input rows (B × n), all predicting the same outputs
//   O: row 0 the centre word's output row u_o, rows 1..K the negatives' u_k  ((K+1) × n)
//   S = I Oᵀ                      scores (B × (K+1))
//   G = lr · (Y − σ(S))           Y: 1 in column 0, 0 elsewhere  (−lr · ∂J/∂S)
//   ΔI = G O,  ΔO = Gᵀ I          the updates of every input and output row
// J is the sum over the B examples of MATH.md §3's loss, so the step is the exact gradient of
// B examples sharing their negatives. The caller gathers rows into I and O, the kernel computes
// ΔI and ΔO from them, and the caller scatters the deltas back (adding, so a word appearing
// twice gets both its terms and concurrent Hogwild updates are not lost).

#include <cstddef>

#include "core/activation.h"
#include "core/vec_ops.h"

namespace w2v {

inline constexpr std::size_t kMaxBatchContexts = 200;  // 2 × the largest window

// in: B rows of length n (stride n); out: K+1 rows of length n. d_in (B × n) and d_out
// ((K+1) × n) receive the deltas (overwritten). scores: scratch of B × (K+1). Returns J.
template <class T>
T negative_sampling_batch_step(const T* __restrict in, std::size_t b, const T* __restrict out,
                               std::size_t k1, std::size_t n, T lr, T* __restrict d_in,
                               T* __restrict d_out, T* __restrict scores) noexcept {
  T loss = 0;
  for (std::size_t j = 0; j < b; ++j) {
    const T* x = in + j * n;
    T* g = scores + j * k1;
    for (std::size_t k = 0; k < k1; ++k) {
      const T s = dot(x, out + k * n, n);
      loss -= log_sigmoid(k == 0 ? s : -s);
      g[k] = lr * ((k == 0 ? T(1) : T(0)) - sigmoid(s));
    }
  }
  for (std::size_t j = 0; j < b; ++j) {
    T* dx = d_in + j * n;
    zero(dx, n);
    const T* g = scores + j * k1;
    for (std::size_t k = 0; k < k1; ++k) axpy(g[k], out + k * n, dx, n);
  }
  for (std::size_t k = 0; k < k1; ++k) {
    T* du = d_out + k * n;
    zero(du, n);
    for (std::size_t j = 0; j < b; ++j) axpy(scores[j * k1 + k], in + j * n, du, n);
  }
  return loss;
}

}  // namespace w2v
