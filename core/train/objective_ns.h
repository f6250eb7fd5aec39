#pragma once
// The negative-sampling objective (docs/math.md §5) as the trainer uses it: draws the K
// negatives of an example and runs negative_sampling_step on their output rows. An Objective
// (core/train/training_contracts.h), like objective_hs.h and objective_softmax.h.

#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/train/kernel_negative_sampling.h"
#include "core/train/model_weights.h"
#include "core/train/negative_sampler.h"
#include "core/train/train_params.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN

class NegativeSamplingLoss {
 public:
  NegativeSamplingLoss(const Vocabulary& vocab, const TrainParams& params)
      : sampler_(vocab, params) {}

  struct Scratch {
    Scratch(const NegativeSamplingLoss&, const ModelWeights&) {}
  };

  // A negative equal to the target is skipped (word2vec).
  float update(const float* h, float* h_update, std::uint32_t target, Matrix& output, float lr,
               Rng& rng, Scratch&) const noexcept {
    std::uint32_t negatives[kMaxNegative];
    const std::size_t k = sampler_.draw(rng, target, negatives);
    float* rows[kMaxNegative + 1];
    rows[0] = output.row(target);
    for (std::size_t i = 0; i < k; ++i) rows[i + 1] = output.row(negatives[i]);
    return negative_sampling_step(h, h_update, rows, k + 1, output.stride(), lr);
  }

 private:
  NegativeSampler sampler_;
};

W2V_ISA_END
}  // namespace w2v
