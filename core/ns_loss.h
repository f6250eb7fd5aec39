#pragma once
// The negative-sampling objective as the trainer uses it: draws the K negatives of an example
// from the unigram^0.75 distribution and runs negative_sampling_step on their output rows.
//
// Every objective (ns_loss.h, hs_loss.h, softmax_loss.h) has this interface, so a model's walk
// (skip-gram, CBOW) is instantiated once per objective and nothing dispatches per example:
//   Loss(const Vocabulary&, const TrainParams&);
//   struct Scratch { Scratch(const Loss&, const ModelWeights&); };   // per thread
//   float update(const float* h, float* h_update, std::uint32_t target, Matrix& output,
//                float lr, Rng& rng, Scratch&) const;   // returns the example's loss

#include <cstdint>

#include "core/alias_sampler.h"
#include "core/matrix.h"
#include "core/model_weights.h"
#include "core/negative_sampling.h"
#include "core/rng.h"
#include "core/train_params.h"
#include "core/vocabulary.h"

namespace w2v {

class NegativeSamplingLoss {
 public:
  NegativeSamplingLoss(const Vocabulary& vocab, const TrainParams& params)
      : sampler_(AliasSampler::unigram(vocab.counts())),
        negatives_(static_cast<std::size_t>(params.negative)) {}

  struct Scratch {
    Scratch(const NegativeSamplingLoss&, const ModelWeights&) {}
  };

  // A negative equal to the target is skipped (word2vec).
  float update(const float* h, float* h_update, std::uint32_t target, Matrix& output, float lr,
               Rng& rng, Scratch&) const noexcept {
    float* rows[kMaxNegative + 1];
    rows[0] = output.row(target);
    std::size_t n = 1;
    for (std::size_t k = 0; k < negatives_; ++k) {
      const std::uint32_t w = sampler_.sample(rng);
      if (w != target) rows[n++] = output.row(w);
    }
    return negative_sampling_step(h, h_update, rows, n, output.stride(), lr);
  }

 private:
  AliasSampler sampler_;
  std::size_t negatives_;
};

}  // namespace w2v
