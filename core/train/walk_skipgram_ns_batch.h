#pragma once
// Skip-gram with negative sampling, minibatched per centre word (HogBatch, Ji et al.): the
// window's context rows and the centre's output row with one shared set of K negatives go
// through negative_sampling_batch_step as small dense products, and the deltas are added back
// Hogwild-style. Each output row is loaded once per centre instead of once per (centre,
// context) pair, and no row is copied. The next centre's negatives are drawn one step ahead so
// their rows (random, hence cache misses) are prefetched while the current centre computes.

#include <algorithm>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/train/kernel_negative_sampling.h"
#include "core/train/kernel_skipgram_ns_batch.h"
#include "core/train/model_weights.h"
#include "core/train/negative_sampler.h"
#include "core/train/train_params.h"
#include "core/train/training_contracts.h"
#include "core/train/walk_window.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN

// A Walk (core/train/training_contracts.h).
class BatchSkipgramNs {
 public:
  BatchSkipgramNs(const Vocabulary& vocab, const TrainParams& params)
      : sampler_(vocab, params), draw_(params) {}

  // Per-thread buffers, 64-byte aligned rows.
  struct Scratch {
    Matrix d_out, scores;
    float* in[kMaxContextWords];
    std::uint32_t negatives[2][kMaxNegative];  // this centre's and the next one's
    std::size_t n_negatives[2] = {0, 0};
    Scratch(const BatchSkipgramNs& walk, const ModelWeights& w)
        : d_out(walk.sampler_.count() + 1, w.input.cols()),
          scores(1, 2 * walk.draw_.window() * (walk.sampler_.count() + 1)) {}
  };

  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, TrainStats& stats) const noexcept {
    if (n == 0) return;
    const std::size_t stride = w.input.stride();
    float* out[kMaxNegative + 1];
    draw_negatives(sentence[0], w, rng, s, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t cur = i & 1;
      if (i + 1 < n) draw_negatives(sentence[i + 1], w, rng, s, cur ^ 1);

      const ContextWindow ctx = draw_(i, n, rng);
      std::size_t b = 0;
      for (std::size_t j = ctx.lo; j <= ctx.hi; ++j) {
        if (j == i) continue;
        s.in[b++] = w.input.row(sentence[j]);
      }
      if (b == 0) continue;
      std::size_t k1 = 0;
      out[k1++] = w.output.row(sentence[i]);
      for (std::size_t k = 0; k < s.n_negatives[cur]; ++k) {
        out[k1++] = w.output.row(s.negatives[cur][k]);
      }

      stats.loss += negative_sampling_batch_step(s.in, b, out, k1, stride, lr, s.d_out.data(),
                                                 s.scores.data());
      stats.examples += b;
    }
  }

 private:
  // Draws the negatives of a centre word (skipping the word itself, as word2vec does) into
  // slot, and prefetches their output rows and the centre's own.
  void draw_negatives(std::uint32_t centre, const ModelWeights& w, Rng& rng, Scratch& s,
                      std::size_t slot) const noexcept {
    prefetch_for_write(w.output.row(centre), w.output.stride());
    s.n_negatives[slot] = sampler_.draw(rng, centre, s.negatives[slot]);
    prefetch_rows(w.output, s.negatives[slot], s.n_negatives[slot]);
  }

  NegativeSampler sampler_;
  WindowDraw draw_;
};

W2V_ISA_END
}  // namespace w2v
