#pragma once
// CBOW with negative sampling for a minibatch of B consecutive centre positions that share one
// set of K negatives (HogBatch, Ji et al.; docs/math.md §3 and §7). Example b has its own hidden
// vector, target and context, exactly as cbow_step computes them:
//   h_b = (1/|C_b|) Σ_{j∈C_b} v_j
//   J_b = −log σ(u_{t_b}ᵀh_b) − Σ_{k: n_k ≠ t_b} log σ(−u_{n_k}ᵀh_b)
// A negative equal to an example's own target is left out of that example only (word2vec
// skips it per example); the other examples keep it. With
//   S = H Nᵀ (B × K), s_b = u_{t_b}ᵀh_b,   G = lr · (Y − σ(·))   (−lr · ∂J/∂score, masked)
// the step applies, all from the rows as they were before the minibatch:
//   e_b = g_b0 u_{t_b} + Σ_k G_bk u_{n_k}        (−lr · ∂J/∂h_b)
//   u_{t_b} += g_b0 h_b,   u_{n_k} += Σ_b G_bk h_b     (one scatter per negative)
//   v_j += e_b / |C_b|  for every j ∈ C_b         (one scatter per sentence position)
// which is −lr times the exact gradient of Σ_b J_b (ContextStep::kGradient). Training steps each
// context row by the whole e_b instead (ContextStep::kWhole, cbow_step's input_step = |C|; see
// walk_cbow.h). A word repeated among the targets, negatives or context positions gets each of its
// terms added.

#include <cstddef>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/vec_ops.h"
#include "core/train/activation.h"
#include "core/train/kernel_negative_sampling.h"
#include "core/train/train_params.h"

namespace w2v {

// The largest minibatch of centre positions.
inline constexpr std::size_t kMaxCbowBatch = 32;

// The rows of one minibatch. Sentence positions p0..p0+n_in−1 are the ones it reaches; in[i] is
// the input row of position p0+i. Example b's centre is position centre[b] (an index into in),
// its context in[lo[b]..hi[b]] without centre[b] (at least one row).
template <class T>
struct CbowNsBatch {
  T* const* in;
  std::size_t n_in;
  std::size_t b;  // examples, at most kMaxCbowBatch
  const std::size_t* centre;
  const std::size_t* lo;
  const std::size_t* hi;
  T* const* target;  // u_{t_b}
  const std::uint32_t* target_id;
  T* const* negative;  // u_{n_k}, k < n_negative
  const std::uint32_t* negative_id;
  std::size_t n_negative;  // at most kMaxNegative
};

// How context rows are stepped: by their exact gradient step e_b/|C_b|, or by the whole e_b.
enum class ContextStep { kGradient, kWhole };

// Scratch for rows of n values: h and e of B × n each, 64-byte aligned rows of stride n.
template <class T>
struct CbowNsBatchScratch {
  T* h;
  T* e;
};

W2V_ISA_BEGIN

// One step on the minibatch's rows, in place. Returns Σ_b J_b.
template <class T>
T cbow_ns_batch_step(const CbowNsBatch<T>& m, std::size_t n, T lr, ContextStep step,
                     const CbowNsBatchScratch<T>& s) noexcept {
  constexpr std::size_t kRows = kMaxNegative + 1;
  T ones[kMaxContextWords];
  for (T& x : ones) x = T(1);
  T inv_c[kMaxCbowBatch];

  // H: each example's mean context vector.
  for (std::size_t b = 0; b < m.b; ++b) {
    T* h = s.h + b * n;
    const std::size_t c = m.hi[b] - m.lo[b];  // the window without the centre
    zero(h, n);
    add_combination(ones, m.in + m.lo[b], m.centre[b] - m.lo[b], h, n);
    add_combination(ones, m.in + m.centre[b] + 1, m.hi[b] - m.centre[b], h, n);
    inv_c[b] = T(1) / static_cast<T>(c);
    for (std::size_t i = 0; i < n; ++i) h[i] *= inv_c[b];
  }

  // Scores and G, row b = (target, negatives); e_b from the output rows as they are.
  T g[kMaxCbowBatch][kRows];
  T loss = 0;
  const T* rows[kRows];
  for (std::size_t k = 0; k < m.n_negative; ++k) rows[k + 1] = m.negative[k];
  for (std::size_t b = 0; b < m.b; ++b) {
    const T* h = s.h + b * n;
    const T pos = dot(h, m.target[b], n);
    loss -= log_sigmoid(pos);
    g[b][0] = lr * (T(1) - sigmoid(pos));
    for (std::size_t k = 0; k < m.n_negative; ++k) {
      if (m.negative_id[k] == m.target_id[b]) {
        g[b][k + 1] = 0;
        continue;
      }
      const T neg = dot(h, m.negative[k], n);
      loss -= log_sigmoid(-neg);
      g[b][k + 1] = -lr * sigmoid(neg);
    }
    rows[0] = m.target[b];
    T* e = s.e + b * n;
    zero(e, n);
    add_combination(g[b], rows, m.n_negative + 1, e, n);
  }

  // Output rows: each target its own term, each negative Σ_b G_bk h_b.
  const T* h_rows[kMaxCbowBatch];
  for (std::size_t b = 0; b < m.b; ++b) {
    h_rows[b] = s.h + b * n;
    axpy(g[b][0], h_rows[b], m.target[b], n);
  }
  T column[kMaxCbowBatch];
  for (std::size_t k = 0; k < m.n_negative; ++k) {
    for (std::size_t b = 0; b < m.b; ++b) column[b] = g[b][k + 1];
    add_combination(column, h_rows, m.b, m.negative[k], n);
  }

  // Input rows: each position once, with the e_b of every example whose context holds it.
  const T* e_rows[kMaxCbowBatch];
  for (std::size_t i = 0; i < m.n_in; ++i) {
    std::size_t used = 0;
    for (std::size_t b = 0; b < m.b; ++b) {
      if (i < m.lo[b] || i > m.hi[b] || i == m.centre[b]) continue;
      column[used] = step == ContextStep::kWhole ? T(1) : inv_c[b];
      e_rows[used++] = s.e + b * n;
    }
    add_combination(column, e_rows, used, m.in[i], n);
  }
  return loss;
}

W2V_ISA_END
}  // namespace w2v
