#include "core/train/trainer.h"

#include <stdexcept>

#include "core/train/objective_hs.h"
#include "core/train/objective_ns.h"
#include "core/train/objective_softmax.h"
#include "core/train/training_loop.h"
#include "core/train/walk_cbow.h"
#include "core/train/walk_cbow_ns_batch.h"
#include "core/train/walk_skipgram.h"
#include "core/train/walk_skipgram_ns_batch.h"

namespace w2v {
namespace {

using TrainFunction = TrainOutcome (*)(const EncodedCorpus&, const Vocabulary&, const TrainParams&,
                                       ModelWeights&, const TrainHooks&, int);

// One instantiation of the training loop per model, objective and kernel (the kernel as
// TrainParams::effective_kernel() resolves it). A new objective or walk is a row here.
struct Route {
  ModelType model;
  LossType loss;
  KernelType kernel;
  TrainFunction train;
};

constexpr Route kRoutes[] = {
    {ModelType::kSkipgram, LossType::kNegativeSampling, KernelType::kPair,
     &training::train_with<PairSkipgram<NegativeSamplingLoss>>},
    {ModelType::kSkipgram, LossType::kNegativeSampling, KernelType::kBatch,
     &training::train_with<BatchSkipgramNs>},
    {ModelType::kSkipgram, LossType::kHierarchicalSoftmax, KernelType::kPair,
     &training::train_with<PairSkipgram<HierarchicalSoftmaxLoss>>},
    {ModelType::kSkipgram, LossType::kSoftmax, KernelType::kPair,
     &training::train_with<PairSkipgram<SoftmaxLoss>>},
    {ModelType::kCbow, LossType::kNegativeSampling, KernelType::kPair,
     &training::train_with<Cbow<NegativeSamplingLoss>>},
    {ModelType::kCbow, LossType::kNegativeSampling, KernelType::kBatch,
     &training::train_with<BatchCbowNs>},
    {ModelType::kCbow, LossType::kHierarchicalSoftmax, KernelType::kPair,
     &training::train_with<Cbow<HierarchicalSoftmaxLoss>>},
    {ModelType::kCbow, LossType::kSoftmax, KernelType::kPair,
     &training::train_with<Cbow<SoftmaxLoss>>},
};

}  // namespace

TrainOutcome train(const EncodedCorpus& corpus, const Vocabulary& vocab, const TrainParams& params,
                   ModelWeights& weights, const TrainHooks& hooks, int start_epoch) {
  if (auto error = validate(params)) throw std::invalid_argument(*error);
  if (vocab.empty() || corpus.words() == 0) {
    throw std::invalid_argument("the corpus has no words in the vocabulary");
  }
  const auto dim = static_cast<std::size_t>(params.dim);
  if (weights.input.rows() != vocab.size() || weights.input.cols() != dim ||
      weights.output.rows() != output_rows(params.loss, vocab.size()) ||
      weights.output.cols() != dim) {
    throw std::invalid_argument("the weights do not match the vocabulary and parameters");
  }
  if (start_epoch < 0 || start_epoch > params.epochs) {
    throw std::invalid_argument("start epoch out of range");
  }
  const KernelType kernel = params.effective_kernel();
  for (const Route& r : kRoutes) {
    if (r.model == params.model && r.loss == params.loss && r.kernel == kernel) {
      return r.train(corpus, vocab, params, weights, hooks, start_epoch);
    }
  }
  throw std::logic_error("no training walk for this model, loss and kernel");
}

}  // namespace w2v
