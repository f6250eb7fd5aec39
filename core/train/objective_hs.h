#pragma once
// Hierarchical softmax (docs/math.md §6) as the trainer uses it: the target word's Huffman path
// gives the inner-node output rows and their labels (1 − code bit); logistic_step does the
// rest. O(log V · d) per example. An Objective (core/train/training_contracts.h).

#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/train/huffman_tree.h"
#include "core/train/kernel_logistic.h"
#include "core/train/model_weights.h"
#include "core/train/train_params.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN

class HierarchicalSoftmaxLoss {
 public:
  HierarchicalSoftmaxLoss(const Vocabulary& vocab, const TrainParams&)
      : tree_(vocab.counts(), kMaxLogisticRows) {}

  struct Scratch {
    Scratch(const HierarchicalSoftmaxLoss&, const ModelWeights&) {}
  };

  float update(const float* h, float* h_update, std::uint32_t target, Matrix& output, float lr,
               Rng&, Scratch&) const noexcept {
    const auto path = tree_.path(target);
    const auto code = tree_.code(target);
    float* rows[kMaxLogisticRows];
    std::uint8_t labels[kMaxLogisticRows];
    for (std::size_t i = 0; i < path.size(); ++i) {
      rows[i] = output.row(path[i]);
      labels[i] = static_cast<std::uint8_t>(1 - code[i]);
    }
    return logistic_step(h, h_update, rows, labels, path.size(), output.stride(), lr);
  }

  const HuffmanTree& tree() const noexcept { return tree_; }

 private:
  HuffmanTree tree_;
};

W2V_ISA_END
}  // namespace w2v
