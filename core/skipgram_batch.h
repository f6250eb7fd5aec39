#pragma once
// Skip-gram with negative sampling, minibatched per centre word (HogBatch, Ji et al.): the
// window's context rows and the centre's output row with one shared set of K negatives are
// gathered into thread-local aligned blocks, negative_sampling_batch_step computes every
// update as small dense products, and the deltas are scattered back Hogwild-style. Each output
// row is loaded once per centre instead of once per (centre, context) pair.

#include <algorithm>
#include <cstdint>

#include "core/alias_sampler.h"
#include "core/matrix.h"
#include "core/model_weights.h"
#include "core/negative_sampling.h"
#include "core/negative_sampling_batch.h"
#include "core/rng.h"
#include "core/skipgram.h"
#include "core/train_params.h"
#include "core/vocabulary.h"

namespace w2v {

class BatchSkipgramNs {
 public:
  BatchSkipgramNs(const Vocabulary& vocab, const TrainParams& params)
      : sampler_(AliasSampler::unigram(vocab.counts())),
        negatives_(static_cast<std::size_t>(params.negative)),
        window_(static_cast<std::size_t>(params.window)) {}

  // Per-thread buffers, 64-byte aligned rows.
  struct Scratch {
    Matrix in, out, d_in, d_out, scores;
    std::uint32_t in_ids[kMaxBatchContexts];
    std::uint32_t out_ids[kMaxNegative + 1];
    Scratch(const BatchSkipgramNs& walk, const ModelWeights& w)
        : in(2 * walk.window_, w.input.cols()),
          out(walk.negatives_ + 1, w.input.cols()),
          d_in(2 * walk.window_, w.input.cols()),
          d_out(walk.negatives_ + 1, w.input.cols()),
          scores(1, 2 * walk.window_ * (walk.negatives_ + 1)) {}
  };

  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, SkipgramStats& stats) const noexcept {
    const std::size_t stride = w.input.stride();
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t span = window_ - rng.below(static_cast<std::uint32_t>(window_));
      const std::size_t lo = i >= span ? i - span : 0;
      const std::size_t hi = std::min(n - 1, i + span);
      std::size_t b = 0;
      for (std::size_t j = lo; j <= hi; ++j) {
        if (j == i) continue;
        s.in_ids[b] = sentence[j];
        copy_row(w.input.row(sentence[j]), s.in.row(b), stride);
        ++b;
      }
      if (b == 0) continue;
      const std::uint32_t target = sentence[i];
      std::size_t k1 = 0;
      s.out_ids[k1++] = target;
      for (std::size_t k = 0; k < negatives_; ++k) {
        const std::uint32_t neg = sampler_.sample(rng);
        if (neg != target) s.out_ids[k1++] = neg;
      }
      for (std::size_t k = 0; k < k1; ++k)
        copy_row(w.output.row(s.out_ids[k]), s.out.row(k), stride);

      stats.loss += negative_sampling_batch_step(s.in.data(), b, s.out.data(), k1, stride, lr,
                                                 s.d_in.data(), s.d_out.data(), s.scores.data());
      stats.examples += b;
      for (std::size_t j = 0; j < b; ++j)
        axpy(1.0f, s.d_in.row(j), w.input.row(s.in_ids[j]), stride);
      for (std::size_t k = 0; k < k1; ++k)
        axpy(1.0f, s.d_out.row(k), w.output.row(s.out_ids[k]), stride);
    }
  }

 private:
  static void copy_row(const float* __restrict from, float* __restrict to, std::size_t n) noexcept {
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
  }

  AliasSampler sampler_;
  std::size_t negatives_;
  std::size_t window_;
};

}  // namespace w2v
