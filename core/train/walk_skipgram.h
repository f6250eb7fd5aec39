#pragma once
// Skip-gram (docs/math.md §2): every word of a sentence and each word of its context window form an
// example. As in word2vec.c, the context word's input vector predicts the centre word through
// the loss (by the symmetry of the window this is the same set of pairs as centre→context), and
// the effective window of each position is drawn uniformly from 1..window (walk_window.h; the
// full window without shrink_windows).

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

// Skip-gram trained one (context, centre) example at a time through the objective Loss. A Walk
// (core/train/training_contracts.h).
template <Objective Loss>
class PairSkipgram {
 public:
  PairSkipgram(const Vocabulary& vocab, const TrainParams& params)
      : loss_(vocab, params), draw_(params) {}

  struct Scratch {
    Matrix h_update;
    typename Loss::Scratch loss;
    Scratch(const PairSkipgram& walk, const ModelWeights& w)
        : h_update(1, w.input.cols()), loss(walk.loss_, w) {}
  };

  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, TrainStats& stats) const noexcept {
    const std::size_t stride = w.input.stride();
    float* h_update = s.h_update.row(0);
    for (std::size_t i = 0; i < n; ++i) {
      const ContextWindow ctx = draw_(i, n, rng);
      float example_loss = 0;
      for (std::size_t j = ctx.lo; j <= ctx.hi; ++j) {
        if (j == i) continue;
        float* h = w.input.row(sentence[j]);
        zero(h_update, stride);
        example_loss += loss_.update(h, h_update, sentence[i], w.output, lr, rng, s.loss);
        axpy(1.0f, h_update, h, stride);
        ++stats.examples;
      }
      stats.loss += example_loss;
    }
  }

 private:
  Loss loss_;
  WindowDraw draw_;
};

W2V_ISA_END
}  // namespace w2v
