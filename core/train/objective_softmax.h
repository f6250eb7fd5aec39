#pragma once
// The full softmax (docs/math.md §4) as the trainer uses it: every output row competes for the
// target, O(V · d) per example, so it is only for small vocabularies (the server refuses it
// above --softmax-max-vocab). An Objective (core/train/training_contracts.h).

#include <cstdint>
#include <vector>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/train/kernel_softmax.h"
#include "core/train/model_weights.h"
#include "core/train/train_params.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN

class SoftmaxLoss {
 public:
  SoftmaxLoss(const Vocabulary&, const TrainParams&) {}

  struct Scratch {
    std::vector<float> scores;  // one per output row, allocated once per thread
    Scratch(const SoftmaxLoss&, const ModelWeights& w) : scores(w.output.rows()) {}
  };

  float update(const float* h, float* h_update, std::uint32_t target, Matrix& output, float lr,
               Rng&, Scratch& s) const noexcept {
    return softmax_step(h, h_update, output.data(), output.stride(), output.rows(), target,
                        output.stride(), lr, s.scores.data());
  }
};

W2V_ISA_END
}  // namespace w2v
