#pragma once
// CBOW (docs/math.md §3): the mean of the context words' input vectors predicts the centre word
// through the loss, and the gradient is shared back to every context word:
//   h = (1/|C|) Σ_{j∈C} v_j,   ∂J/∂v_j = (1/|C|) ∂J/∂h
// cbow_step computes exactly that (the gradient checks run it with input_step = 1). Training
// steps the context vectors by input_step = |C| times that gradient, i.e. each context vector
// receives the whole −lr·∂J/∂h, as word2vec, gensim (cbow_mean=1) and fastText all do: with the
// plain 1/|C| step the input vectors learn |C| times slower (docs/math.md §3; bench/README.md
// has the measurement). The window is drawn as for skip-gram (core/train/walk_window.h).

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/base/vec_ops.h"
#include "core/train/model_weights.h"
#include "core/train/train_params.h"
#include "core/train/training_contracts.h"
#include "core/train/walk_window.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN

// One CBOW example on context rows ctx[0..c) (a word appearing twice in the window appears
// twice): h = their mean, step(h, h_update) runs the objective (accumulating −lr·∂J/∂h into
// h_update and updating the output rows), then each context row receives
// input_step · h_update / c (its gradient step times input_step). h and h_update are scratch of
// n values. Templated on the scalar for the gradient checks.
template <class T, class Step>
T cbow_step(T* const* ctx, std::size_t c, T* h, T* h_update, std::size_t n, T input_step,
            Step&& step) noexcept {
  zero(h, n);
  for (std::size_t j = 0; j < c; ++j) axpy(T(1), ctx[j], h, n);
  const T inv = T(1) / static_cast<T>(c);
  for (std::size_t i = 0; i < n; ++i) h[i] *= inv;
  zero(h_update, n);
  const T loss = step(h, h_update);
  for (std::size_t j = 0; j < c; ++j) axpy(inv * input_step, h_update, ctx[j], n);
  return loss;
}

// CBOW one position at a time through the objective Loss. A Walk (core/train/training_contracts.h).
template <Objective Loss>
class Cbow {
 public:
  Cbow(const Vocabulary& vocab, const TrainParams& params) : loss_(vocab, params), draw_(params) {}

  struct Scratch {
    Matrix h;  // row 0: h, row 1: h_update
    typename Loss::Scratch loss;
    float* ctx[kMaxContextWords];
    Scratch(const Cbow& walk, const ModelWeights& w) : h(2, w.input.cols()), loss(walk.loss_, w) {}
  };

  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, TrainStats& stats) const noexcept {
    const std::size_t stride = w.input.stride();
    for (std::size_t i = 0; i < n; ++i) {
      const ContextWindow window = draw_(i, n, rng);
      std::size_t c = 0;
      for (std::size_t j = window.lo; j <= window.hi; ++j) {
        if (j != i) s.ctx[c++] = w.input.row(sentence[j]);
      }
      if (c == 0) continue;
      const std::uint32_t target = sentence[i];
      stats.loss += cbow_step(s.ctx, c, s.h.row(0), s.h.row(1), stride, static_cast<float>(c),
                              [&](const float* h, float* h_update) {
                                return loss_.update(h, h_update, target, w.output, lr, rng, s.loss);
                              });
      ++stats.examples;
    }
  }

 private:
  Loss loss_;
  WindowDraw draw_;
};

W2V_ISA_END
}  // namespace w2v
