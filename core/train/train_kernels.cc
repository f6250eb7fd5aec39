// Compiled once per instruction set, with that instruction set's -march flags and W2V_ISA_NAME
// (core/CMakeLists.txt): everything this unit defines is in that namespace. No dynamic
// initialisation here (core/base/isa_namespace.h): the table is constant-initialised.

#include "core/train/train_kernels.h"

#include <stdexcept>

#include "core/base/isa_namespace.h"
#include "core/train/kernel_cbow_ns_batch.h"
#include "core/train/kernel_logistic.h"
#include "core/train/kernel_skipgram_ns_batch.h"
#include "core/train/kernel_softmax.h"
#include "core/train/objective_hs.h"
#include "core/train/objective_ns.h"
#include "core/train/objective_softmax.h"
#include "core/train/training_loop.h"
#include "core/train/walk_cbow.h"
#include "core/train/walk_cbow_ns_batch.h"
#include "core/train/walk_skipgram.h"
#include "core/train/walk_skipgram_ns_batch.h"
#include "core/train/walk_skipgram_subword.h"
#include "core/train/walk_skipgram_subword_ns_batch.h"
#include "core/train/walk_cbow_subword.h"

#if !defined(W2V_ISA_ENUM)
#error "train_kernels.cc is compiled once per instruction set, with W2V_ISA_ENUM set"
#endif

namespace w2v {
W2V_ISA_BEGIN
namespace {

using TrainFunction = TrainOutcome (*)(const EncodedCorpus&, const Vocabulary&, const TrainParams&,
                                       ModelWeights&, const TrainHooks&, int);

// One instantiation of the training loop per model, objective, kernel (the kernel as
// TrainParams::effective_kernel() resolves it) and whether subwords are on. A new objective or
// walk is a row here.
struct Route {
  ModelType model;
  LossType loss;
  KernelType kernel;
  TrainFunction train;
  bool subwords = false;
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
    {ModelType::kSkipgram, LossType::kNegativeSampling, KernelType::kPair,
     &training::train_with<SubwordSkipgram<NegativeSamplingLoss>>, true},
    {ModelType::kSkipgram, LossType::kNegativeSampling, KernelType::kBatch,
     &training::train_with<BatchSubwordSkipgramNs>, true},
    {ModelType::kSkipgram, LossType::kHierarchicalSoftmax, KernelType::kPair,
     &training::train_with<SubwordSkipgram<HierarchicalSoftmaxLoss>>, true},
    {ModelType::kSkipgram, LossType::kSoftmax, KernelType::kPair,
     &training::train_with<SubwordSkipgram<SoftmaxLoss>>, true},
    {ModelType::kCbow, LossType::kNegativeSampling, KernelType::kPair,
     &training::train_with<SubwordCbow<NegativeSamplingLoss>>, true},
    {ModelType::kCbow, LossType::kHierarchicalSoftmax, KernelType::kPair,
     &training::train_with<SubwordCbow<HierarchicalSoftmaxLoss>>, true},
    {ModelType::kCbow, LossType::kSoftmax, KernelType::kPair,
     &training::train_with<SubwordCbow<SoftmaxLoss>>, true},
};

TrainOutcome train_routed(const EncodedCorpus& corpus, const Vocabulary& vocab,
                          const TrainParams& params, ModelWeights& weights, const TrainHooks& hooks,
                          int start_epoch) {
  const KernelType kernel = params.effective_kernel();
  for (const Route& r : kRoutes) {
    if (r.model == params.model && r.loss == params.loss && r.kernel == kernel &&
        r.subwords == params.subwords()) {
      return r.train(corpus, vocab, params, weights, hooks, start_epoch);
    }
  }
  throw std::logic_error("no training walk for this model, loss, kernel and subword setting");
}

float dot_float(const float* a, const float* b, std::size_t n) noexcept {
  return dot(a, b, n);
}

void add_combination_float(const float* coef, const float* const* rows, std::size_t m, float* y,
                           std::size_t n) noexcept {
  add_combination(coef, rows, m, y, n);
}

}  // namespace

extern const TrainKernels kTrainKernels;
const TrainKernels kTrainKernels = {
    Isa::W2V_ISA_ENUM,
    &train_routed,
    &negative_sampling_batch_step<float>,
    &cbow_ns_batch_step<float>,
    &logistic_step<float>,
    &softmax_step<float>,
    &dot_float,
    &add_combination_float,
};

W2V_ISA_END
}  // namespace w2v
