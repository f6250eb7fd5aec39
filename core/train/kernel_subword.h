#pragma once
// The steps of training with subwords (Bojanowski et al. 2017; docs/math.md §10), on rows,
// templated on the scalar for the gradient checks. A word's input vector is the mean of c input
// rows (its own and its n-grams'; for CBOW, the rows of every context word, concatenated, as
// fastText does):
//   h = (1/c) Σ_r v_r,   ∂J/∂v_r = (1/c) ∂J/∂h
// subword_step composes h once, lets the objective accumulate −lr·∂J/∂h into h_update over all
// the examples h predicts (a skip-gram centre's whole window, or a CBOW position's target), and
// scatters once: each row receives input_step · h_update / c. input_step = 1 is the exact
// gradient step (the gradient checks); training passes input_step = c, so that every row
// receives the whole −lr·∂J/∂h, as fastText's Model::update does for skipgram and cbow (it
// divides by the rows only for its supervised model).
//
// skipgram_ns_window_step is negative sampling for one composed h predicting the b words of a
// window, with one set of K negatives shared by the b examples (HogBatch, Ji et al.): example j
// has its target t_j and every negative n_k ≠ t_j, so
//   J = Σ_j [ −log σ(u_{t_j}ᵀh) − Σ_{k: n_k ≠ t_j} log σ(−u_{n_k}ᵀh) ]
// whose gradient weights negative k by m_k = #{j : t_j ≠ n_k}. From the rows as they were:
//   h_update += Σ_j g_j u_{t_j} + Σ_k g_k u_{n_k},   g_j = lr(1 − σ(u_{t_j}ᵀh)),
//                                                    g_k = −lr m_k σ(u_{n_k}ᵀh)
//   u_{t_j} += g_j h,   u_{n_k} += g_k h
// which is −lr times the exact gradient of J with respect to h and the output rows.

#include <cstddef>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/vec_ops.h"
#include "core/train/activation.h"
#include "core/train/train_params.h"

namespace w2v {
W2V_ISA_BEGIN

// h = the mean of rows[0..c); ones holds at least c ones (so the float path combines the rows
// with h held in registers).
template <class T>
void compose_mean(const T* ones, const T* const* rows, std::size_t c, T* h, std::size_t n) noexcept {
  zero(h, n);
  add_combination(ones, rows, c, h, n);
  const T inv = T(1) / static_cast<T>(c);
  for (std::size_t i = 0; i < n; ++i) h[i] *= inv;
}

// One composed input: h from rows[0..c) (c ≥ 1), step(h, h_update) runs the examples it predicts
// and returns their loss, then each row receives input_step · h_update / c. h and h_update are
// scratch of n values.
template <class T, class Step>
T subword_step(const T* ones, T* const* rows, std::size_t c, T* h, T* h_update, std::size_t n,
               T input_step, Step&& step) noexcept {
  compose_mean(ones, rows, c, h, n);
  zero(h_update, n);
  const T loss = step(h, static_cast<T*>(h_update));
  const T scale = input_step / static_cast<T>(c);
  for (std::size_t r = 0; r < c; ++r) axpy(scale, h_update, rows[r], n);
  return loss;
}

// The largest window step: every context word of the largest window, and the negatives.
inline constexpr std::size_t kMaxWindowRows = kMaxContextWords + kMaxNegative;

// out: the b targets' output rows, then the k negatives' (b + k ≤ kMaxWindowRows), with their
// ids in out_id. Adds −lr·∂J/∂h to h_update, steps the output rows, returns J.
template <class T>
T skipgram_ns_window_step(const T* h, T* h_update, T* const* out, const std::uint32_t* out_id,
                          std::size_t b, std::size_t k, std::size_t n, T lr) noexcept {
  T g[kMaxWindowRows];
  T loss = 0;
  for (std::size_t j = 0; j < b; ++j) {
    const T s = dot(h, out[j], n);
    loss -= log_sigmoid(s);
    g[j] = lr * (T(1) - sigmoid(s));
  }
  for (std::size_t q = b; q < b + k; ++q) {
    std::size_t m = 0;
    for (std::size_t j = 0; j < b; ++j) m += out_id[j] != out_id[q];
    if (m == 0) {
      g[q] = 0;
      continue;
    }
    const T s = dot(h, out[q], n);
    loss -= static_cast<T>(m) * log_sigmoid(-s);
    g[q] = -lr * static_cast<T>(m) * sigmoid(s);
  }
  add_combination(g, out, b + k, h_update, n);
  for (std::size_t q = 0; q < b + k; ++q) axpy(g[q], h, out[q], n);
  return loss;
}

W2V_ISA_END
}  // namespace w2v
