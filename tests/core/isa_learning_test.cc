// Learning tests once per instruction set this machine runs (core/base/isa.h), forced through
// the dispatch: every walk whose inner loops have their own vector code (the pair and batch
// kernels of skip-gram and CBOW with negative sampling, and hierarchical softmax's logistic
// steps) recovers the planted structure under each set, so an AVX-512 machine tests the AVX2
// and portable kernels too. learning_test.cc checks the rest (full softmax, threads,
// determinism, a flipped gradient) under the active set.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "support/isa_params.h"
#include "support/train_helpers.h"

namespace w2v {
namespace {

const testing::PlantedCorpus& corpus() {
  static const testing::PlantedCorpus c = testing::make_planted_corpus();
  return c;
}

struct Walk {
  ModelType model;
  LossType loss;
  KernelType kernel;
};

class IsaLearning : public ::testing::TestWithParam<Isa> {};

TEST_P(IsaLearning, EveryVectorisedWalkRecoversPlantedStructure) {
  const testing::ScopedIsa scope(GetParam());
  for (const Walk& w :
       {Walk{ModelType::kSkipgram, LossType::kNegativeSampling, KernelType::kBatch},
        Walk{ModelType::kSkipgram, LossType::kNegativeSampling, KernelType::kPair},
        Walk{ModelType::kCbow, LossType::kNegativeSampling, KernelType::kBatch},
        Walk{ModelType::kCbow, LossType::kNegativeSampling, KernelType::kPair},
        Walk{ModelType::kSkipgram, LossType::kHierarchicalSoftmax, KernelType::kPair}}) {
    auto p = testing::planted_params();
    p.model = w.model;
    p.loss = w.loss;
    p.kernel = w.kernel;
    p.alpha = 0;  // the model's default
    const std::string name =
        std::string(to_string(GetParam())) + " " + std::string(to_string(p.model)) + "-" +
        std::string(to_string(p.loss)) + " " + std::string(to_string(w.kernel));
    const auto q =
        testing::measure(testing::embeddings_of(testing::train_text(corpus().text, p)), corpus());
    std::printf("%s: precision@5 %.3f, analogy accuracy %.3f\n", name.c_str(), q.precision_at_5,
                q.analogy_accuracy);
    EXPECT_GE(q.precision_at_5, 0.9) << name;
    EXPECT_GE(q.analogy_accuracy, 0.8) << name;
  }
}

W2V_INSTANTIATE_FOR_EACH_ISA(IsaLearning);

}  // namespace
}  // namespace w2v
