#pragma once
// Skip-gram (MATH.md §1): every word of a sentence and each word of its context window form an
// example. As in word2vec.c, the context word's input vector predicts the centre word through
// the loss (by the symmetry of the window this is the same set of pairs as centre→context), and
// the effective window of each position is drawn uniformly from 1..window.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/model_weights.h"
#include "core/rng.h"
#include "core/train_params.h"
#include "core/vec_ops.h"
#include "core/vocabulary.h"

namespace w2v {

struct SkipgramStats {
  double loss = 0;
  std::uint64_t examples = 0;
};

template <class Loss>
void train_skipgram_sentence(const std::uint32_t* sentence, std::size_t n, std::size_t window,
                             ModelWeights& w, const Loss& loss, float lr, Rng& rng, float* h_update,
                             SkipgramStats& stats) noexcept {
  const std::size_t stride = w.input.stride();
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t span = window - rng.below(static_cast<std::uint32_t>(window));
    const std::size_t lo = i >= span ? i - span : 0;
    const std::size_t hi = std::min(n - 1, i + span);
    float example_loss = 0;
    for (std::size_t j = lo; j <= hi; ++j) {
      if (j == i) continue;
      float* h = w.input.row(sentence[j]);
      zero(h_update, stride);
      example_loss += loss.update(h, h_update, sentence[i], w.output, lr, rng);
      axpy(1.0f, h_update, h, stride);
      ++stats.examples;
    }
    stats.loss += example_loss;
  }
}

// Skip-gram trained one (context, centre) example at a time through Loss (any objective with
// Loss::update, see training_loop.h).
template <class Loss>
class PairSkipgram {
 public:
  PairSkipgram(const Vocabulary& vocab, const TrainParams& params)
      : loss_(vocab, params), window_(static_cast<std::size_t>(params.window)) {}

  struct Scratch {
    Matrix h_update;
    Scratch(const PairSkipgram&, const ModelWeights& w) : h_update(1, w.input.cols()) {}
  };

  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, SkipgramStats& stats) const noexcept {
    train_skipgram_sentence(sentence, n, window_, w, loss_, lr, rng, s.h_update.row(0), stats);
  }

 private:
  Loss loss_;
  std::size_t window_;
};

}  // namespace w2v
