#pragma once
// Skip-gram with subwords (docs/math.md §10), one objective step per (centre, context) pair: as
// fastText, the centre word's input (the mean of its own row and its n-grams' rows) predicts
// each context word through the loss. The input is composed once per window, every pair of the
// window is trained against it, and the window's summed update is scattered once to each of the
// centre's rows (kernel_subword.h), so the n-gram average costs one composition per centre, not
// one per pair. Any objective (ns, hs, softmax). The window is drawn as every walk draws it
// (walk_window.h).

#include <cstddef>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/train/kernel_subword.h"
#include "core/train/model_weights.h"
#include "core/train/subword_rows.h"
#include "core/train/train_params.h"
#include "core/train/training_contracts.h"
#include "core/train/walk_window.h"
#include "core/vocab/subword_ngrams.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN

// A Walk (core/train/training_contracts.h).
template <Objective Loss>
class SubwordSkipgram {
 public:
  SubwordSkipgram(const Vocabulary& vocab, const TrainParams& params)
      : loss_(vocab, params), draw_(params), index_(vocab, subword_settings(params)) {}

  struct Scratch {
    ComposedInput input;
    typename Loss::Scratch loss;
    Scratch(const SubwordSkipgram& walk, const ModelWeights& w)
        : input(walk.index_.max_rows(), w.input.cols()), loss(walk.loss_, w) {}
  };

  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, TrainStats& stats) const noexcept {
    const std::size_t stride = w.input.stride();
    for (std::size_t i = 0; i < n; ++i) {
      const ContextWindow ctx = draw_(i, n, rng);
      if (ctx.hi == ctx.lo) continue;  // a sentence of one word
      const std::size_t c = s.input.add(index_, sentence[i], w.input, 0);
      stats.loss += subword_step(s.input.ones.data(), s.input.rows.data(), c,
                                 s.input.hidden.row(0), s.input.hidden.row(1), stride,
                                 static_cast<float>(c), [&](const float* h, float* h_update) {
                                   float loss = 0;
                                   for (std::size_t j = ctx.lo; j <= ctx.hi; ++j) {
                                     if (j == i) continue;
                                     loss += loss_.update(h, h_update, sentence[j], w.output, lr,
                                                          rng, s.loss);
                                     ++stats.examples;
                                   }
                                   return loss;
                                 });
    }
  }

 private:
  Loss loss_;
  WindowDraw draw_;
  SubwordIndex index_;
};

W2V_ISA_END
}  // namespace w2v
