#pragma once
// CBOW with subwords (docs/math.md §10), as fastText's cbow: the input is the mean over the
// rows of every context word (each word's own row and its n-grams' rows, the lists
// concatenated, so a word with more n-grams weighs more), it predicts the centre word through
// the loss, and every one of those rows receives the whole −lr·∂J/∂h (kernel_subword.h). Any
// objective; one position at a time (CBOW's subword walk has no batch kernel: kernel batch is
// refused with subwords).

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
class SubwordCbow {
 public:
  SubwordCbow(const Vocabulary& vocab, const TrainParams& params)
      : loss_(vocab, params), draw_(params), index_(vocab, subword_settings(params)) {}

  struct Scratch {
    ComposedInput input;
    typename Loss::Scratch loss;
    Scratch(const SubwordCbow& walk, const ModelWeights& w)
        : input(2 * walk.draw_.window() * walk.index_.max_rows(), w.input.cols()),
          loss(walk.loss_, w) {}
  };

  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, TrainStats& stats) const noexcept {
    const std::size_t stride = w.input.stride();
    for (std::size_t i = 0; i < n; ++i) {
      const ContextWindow window = draw_(i, n, rng);
      std::size_t c = 0;
      for (std::size_t j = window.lo; j <= window.hi; ++j) {
        if (j != i) c = s.input.add(index_, sentence[j], w.input, c);
      }
      if (c == 0) continue;
      const std::uint32_t target = sentence[i];
      stats.loss += subword_step(s.input.ones.data(), s.input.rows.data(), c,
                                 s.input.hidden.row(0), s.input.hidden.row(1), stride,
                                 static_cast<float>(c), [&](const float* h, float* h_update) {
                                   return loss_.update(h, h_update, target, w.output, lr, rng,
                                                       s.loss);
                                 });
      ++stats.examples;
    }
  }

 private:
  Loss loss_;
  WindowDraw draw_;
  SubwordIndex index_;
};

W2V_ISA_END
}  // namespace w2v
