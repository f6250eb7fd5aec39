#include "core/trainer.h"

#include <stdexcept>

#include "core/cbow.h"
#include "core/cbow_batch.h"
#include "core/hs_loss.h"
#include "core/ns_loss.h"
#include "core/skipgram_batch.h"
#include "core/softmax_loss.h"
#include "core/training_loop.h"

namespace w2v {

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
  // One instantiation of the training loop per model, objective and kernel.
  const bool batch = params.effective_kernel() == KernelType::kBatch;
  if (params.model == ModelType::kSkipgram) {
    switch (params.loss) {
      case LossType::kNegativeSampling:
        if (batch)
          return train_with_walk<BatchSkipgramNs>(corpus, vocab, params, weights, hooks,
                                                  start_epoch);
        return train_with_walk<PairSkipgram<NegativeSamplingLoss>>(corpus, vocab, params, weights,
                                                                   hooks, start_epoch);
      case LossType::kHierarchicalSoftmax:
        return train_with_walk<PairSkipgram<HierarchicalSoftmaxLoss>>(corpus, vocab, params,
                                                                      weights, hooks, start_epoch);
      case LossType::kSoftmax:
        return train_with_walk<PairSkipgram<SoftmaxLoss>>(corpus, vocab, params, weights, hooks,
                                                          start_epoch);
    }
  }
  switch (params.loss) {
    case LossType::kNegativeSampling:
      if (batch)
        return train_with_walk<BatchCbowNs>(corpus, vocab, params, weights, hooks, start_epoch);
      return train_with_walk<Cbow<NegativeSamplingLoss>>(corpus, vocab, params, weights, hooks,
                                                         start_epoch);
    case LossType::kHierarchicalSoftmax:
      return train_with_walk<Cbow<HierarchicalSoftmaxLoss>>(corpus, vocab, params, weights, hooks,
                                                            start_epoch);
    case LossType::kSoftmax:
      break;
  }
  return train_with_walk<Cbow<SoftmaxLoss>>(corpus, vocab, params, weights, hooks, start_epoch);
}

}  // namespace w2v
