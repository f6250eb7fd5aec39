#pragma once
// Skip-gram with subwords and negative sampling, minibatched per centre word (HogBatch, Ji et
// al.; docs/math.md §10): the centre's input is composed once from its rows, the window's
// context words and one shared set of K negatives go through skipgram_ns_window_step as one
// step, and the window's update is scattered once to each of the centre's rows
// (kernel_subword.h). The next centre's negatives are drawn one step ahead and their output
// rows prefetched, as BatchSkipgramNs does.

#include <cstddef>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/train/kernel_negative_sampling.h"
#include "core/train/kernel_subword.h"
#include "core/train/model_weights.h"
#include "core/train/negative_sampler.h"
#include "core/train/subword_rows.h"
#include "core/train/train_params.h"
#include "core/train/training_contracts.h"
#include "core/train/walk_window.h"
#include "core/vocab/subword_ngrams.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN

// A Walk (core/train/training_contracts.h).
class BatchSubwordSkipgramNs {
 public:
  BatchSubwordSkipgramNs(const Vocabulary& vocab, const TrainParams& params)
      : sampler_(vocab, params), draw_(params), index_(vocab, subword_settings(params)) {}

  struct Scratch {
    ComposedInput input;
    float* out[kMaxWindowRows];
    std::uint32_t out_id[kMaxWindowRows];
    std::uint32_t negatives[2][kMaxNegative];  // this centre's and the next one's
    Scratch(const BatchSubwordSkipgramNs& walk, const ModelWeights& w)
        : input(walk.index_.max_rows(), w.input.cols()) {}
  };

  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, TrainStats& stats) const noexcept {
    if (n < 2) return;  // no position has a context
    const std::size_t stride = w.input.stride();
    const std::size_t k = sampler_.count();
    draw_negatives(w, rng, s.negatives[0]);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t* negatives = s.negatives[i & 1];
      if (i + 1 < n) draw_negatives(w, rng, s.negatives[(i & 1) ^ 1]);

      const ContextWindow ctx = draw_(i, n, rng);
      std::size_t b = 0;
      for (std::size_t j = ctx.lo; j <= ctx.hi; ++j) {
        if (j == i) continue;
        s.out_id[b] = sentence[j];
        s.out[b++] = w.output.row(sentence[j]);
      }
      for (std::size_t q = 0; q < k; ++q) {
        s.out_id[b + q] = negatives[q];
        s.out[b + q] = w.output.row(negatives[q]);
      }
      const std::size_t c = s.input.add(index_, sentence[i], w.input, 0);
      stats.loss += subword_step(s.input.ones.data(), s.input.rows.data(), c,
                                 s.input.hidden.row(0), s.input.hidden.row(1), stride,
                                 static_cast<float>(c), [&](const float* h, float* h_update) {
                                   return skipgram_ns_window_step(h, h_update, s.out, s.out_id, b,
                                                                  k, stride, lr);
                                 });
      stats.examples += b;
    }
  }

 private:
  // A window's negatives, all kept (one equal to a context word is masked for that word's
  // example only, in skipgram_ns_window_step); their rows prefetched.
  void draw_negatives(const ModelWeights& w, Rng& rng, std::uint32_t* out) const noexcept {
    prefetch_rows(w.output, out, sampler_.draw(rng, NegativeSampler::kKeepAll, out));
  }

  NegativeSampler sampler_;
  WindowDraw draw_;
  SubwordIndex index_;
};

W2V_ISA_END
}  // namespace w2v
