#pragma once
// The contracts of the training code's plug-ins, as concepts the compiler checks where the
// training loop is instantiated (docs/architecture.md §4 says how to add one):
//   Objective  one loss (negative sampling, hierarchical softmax, softmax): predicts a target
//              word from a hidden vector h, updating the output rows it uses;
//   Walk       one model and kernel (skip-gram, CBOW; pair or batch): trains one sentence.
// Both are built once per training run from (const Vocabulary&, const TrainParams&) and shared
// by every worker; each worker owns a Scratch (its buffers, allocated once) built from
// (const Objective-or-Walk&, const ModelWeights&). The hot calls are const and noexcept.

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/train/model_weights.h"
#include "core/train/train_params.h"
#include "core/vocab/vocabulary.h"

namespace w2v {

// What a walk reports for the sentences it trained: the summed loss and the number of examples.
struct TrainStats {
  double loss = 0;
  std::uint64_t examples = 0;
};

// update(h, h_update, target, output, lr, rng, scratch) runs one example: adds −lr·∂J/∂h to
// h_update (the caller applies it to h's row or rows), steps the output rows it uses, and
// returns the example's loss J.
template <class L>
concept Objective = std::constructible_from<L, const Vocabulary&, const TrainParams&> &&
    std::constructible_from<typename L::Scratch, const L&, const ModelWeights&> &&
    requires(const L& loss, const float* h, float* h_update, std::uint32_t target, Matrix& output,
             float lr, Rng& rng, typename L::Scratch& scratch) {
  { loss.update(h, h_update, target, output, lr, rng, scratch) }
  noexcept->std::same_as<float>;
};

// sentence(ids, n, weights, lr, rng, scratch, stats) trains on the n word ids of one
// (subsampled) sentence at learning rate lr, adding its loss and examples to stats.
template <class W>
concept Walk = std::constructible_from<W, const Vocabulary&, const TrainParams&> &&
    std::constructible_from<typename W::Scratch, const W&, const ModelWeights&> &&
    requires(const W& walk, const std::uint32_t* ids, std::size_t n, ModelWeights& weights,
             float lr, Rng& rng, typename W::Scratch& scratch, TrainStats& stats) {
  { walk.sentence(ids, n, weights, lr, rng, scratch, stats) }
  noexcept;
};

}  // namespace w2v
