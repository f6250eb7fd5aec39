#include "core/train/trainer.h"

#include <stdexcept>

#include "core/train/train_kernels.h"

namespace w2v {

TrainOutcome train(const EncodedCorpus& corpus, const Vocabulary& vocab, const TrainParams& params,
                   ModelWeights& weights, const TrainHooks& hooks, int start_epoch) {
  if (auto error = validate(params)) throw std::invalid_argument(*error);
  if (vocab.empty() || corpus.words() == 0) {
    throw std::invalid_argument("the corpus has no words in the vocabulary");
  }
  const auto dim = static_cast<std::size_t>(params.dim);
  if (weights.input.rows() != params.input_rows(vocab.size()) || weights.input.cols() != dim ||
      weights.output.rows() != output_rows(params.loss, vocab.size()) ||
      weights.output.cols() != dim) {
    throw std::invalid_argument("the weights do not match the vocabulary and parameters");
  }
  if (params.input_rows(vocab.size()) > std::uint64_t{1} << 32) {
    throw std::invalid_argument("the vocabulary and bucket rows exceed 2^32 rows");
  }
  if (start_epoch < 0 || start_epoch > params.epochs) {
    throw std::invalid_argument("start epoch out of range");
  }
  return train_kernels().train(corpus, vocab, params, weights, hooks, start_epoch);
}

}  // namespace w2v
