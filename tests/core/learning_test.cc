// Learning tests: a correct skip-gram or CBOW trainer recovers the structure planted in a
// synthetic corpus; the same trainer with the gradient's sign flipped must not.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "core/train/walk_cbow_ns_batch.h"
#include "support/train_helpers.h"

namespace w2v {
namespace {

using testing::make_planted_corpus;
using testing::measure;
using testing::planted_params;
using testing::PlantedCorpus;

void print(const char* what, const testing::PlantedQuality& q) {
  std::printf("%s: precision@5 %.3f, analogy accuracy %.3f\n", what, q.precision_at_5,
              q.analogy_accuracy);
}

const PlantedCorpus& corpus() {
  static const PlantedCorpus c = make_planted_corpus();
  return c;
}

// The negative-sampling loss with the update's sign flipped: gradient ascent.
class FlippedNegativeSamplingLoss : public NegativeSamplingLoss {
 public:
  using NegativeSamplingLoss::NegativeSamplingLoss;
  float update(const float* h, float* h_update, std::uint32_t target, Matrix& output, float lr,
               Rng& rng, Scratch& s) const noexcept {
    return NegativeSamplingLoss::update(h, h_update, target, output, -lr, rng, s);
  }
};

TEST(SkipgramLearning, RecoversPlantedStructure) {
  for (KernelType kernel : {KernelType::kPair, KernelType::kBatch}) {
    auto p = planted_params();
    p.kernel = kernel;
    const auto t = testing::train_text(corpus().text, p);
    const auto q = measure(testing::embeddings_of(t), corpus());
    print(kernel == KernelType::kPair ? "skipgram-ns pair kernel" : "skipgram-ns batch kernel", q);
    EXPECT_GE(q.precision_at_5, 0.9) << to_string(kernel);
    EXPECT_GE(q.analogy_accuracy, 0.8) << to_string(kernel);
  }
}

// The minibatched CBOW kernel with the update's sign flipped: gradient ascent.
class FlippedBatchCbowNs : public BatchCbowNs {
 public:
  using BatchCbowNs::BatchCbowNs;
  void sentence(const std::uint32_t* ids, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, TrainStats& stats) const noexcept {
    BatchCbowNs::sentence(ids, n, w, -lr, rng, s, stats);
  }
};

TEST(CbowLearning, RecoversPlantedStructure) {
  for (KernelType kernel : {KernelType::kPair, KernelType::kBatch}) {
    auto p = planted_params();
    p.model = ModelType::kCbow;
    p.alpha = 0;  // CBOW's default
    p.kernel = kernel;
    const auto t = testing::train_text(corpus().text, p);
    const auto q = measure(testing::embeddings_of(t), corpus());
    print(kernel == KernelType::kPair ? "cbow-ns pair kernel" : "cbow-ns batch kernel", q);
    EXPECT_GE(q.precision_at_5, 0.9) << to_string(kernel);
    EXPECT_GE(q.analogy_accuracy, 0.8) << to_string(kernel);
  }
}

TEST(CbowLearning, FlippedGradientFails) {
  auto p = planted_params();
  p.model = ModelType::kCbow;
  p.alpha = 0;
  try {
    const auto t = testing::train_text_with_walk<FlippedBatchCbowNs>(corpus().text, p);
    const auto q = measure(testing::embeddings_of(t), corpus());
    print("cbow-ns batch kernel, flipped gradient", q);
    EXPECT_LT(q.precision_at_5, 0.5);
    EXPECT_LT(q.analogy_accuracy, 0.3);
  } catch (const TrainingDiverged& e) {
    std::printf("cbow-ns batch kernel, flipped gradient: %s\n", e.what());
  }
}

// Every model and objective recovers the planted structure, each combination a test case.
struct Combination {
  ModelType model;
  LossType loss;
};

class ObjectiveLearning : public ::testing::TestWithParam<Combination> {};

TEST_P(ObjectiveLearning, RecoversPlantedStructure) {
  auto p = planted_params();
  p.model = GetParam().model;
  p.loss = GetParam().loss;
  p.alpha = 0;  // the model's default
  const std::string name = std::string(to_string(p.model)) + "-" + std::string(to_string(p.loss));
  const auto q = measure(testing::embeddings_of(testing::train_text(corpus().text, p)), corpus());
  print(name.c_str(), q);
  EXPECT_GE(q.precision_at_5, 0.9) << name;
  EXPECT_GE(q.analogy_accuracy, 0.8) << name;
}

INSTANTIATE_TEST_SUITE_P(
    AllButNs, ObjectiveLearning,
    ::testing::Values(Combination{ModelType::kSkipgram, LossType::kHierarchicalSoftmax},
                      Combination{ModelType::kSkipgram, LossType::kSoftmax},
                      Combination{ModelType::kCbow, LossType::kHierarchicalSoftmax},
                      Combination{ModelType::kCbow, LossType::kSoftmax}),
    [](const ::testing::TestParamInfo<Combination>& info) {
      return std::string(to_string(info.param.model)) + "_" +
             std::string(to_string(info.param.loss));
    });

TEST(SkipgramLearning, FlippedGradientFails) {
  // Gradient ascent either diverges (the trainer then throws) or learns nothing.
  try {
    const auto t =
        testing::train_text_with_loss<FlippedNegativeSamplingLoss>(corpus().text, planted_params());
    const auto q = measure(testing::embeddings_of(t), corpus());
    print("flipped gradient", q);
    EXPECT_LT(q.precision_at_5, 0.5);
    EXPECT_LT(q.analogy_accuracy, 0.3);
  } catch (const TrainingDiverged& e) {
    std::printf("flipped gradient: %s\n", e.what());
  }
}

TEST(SkipgramLearning, OneThreadIsDeterministic) {
  auto p = planted_params();
  p.threads = 1;
  p.epochs = 2;
  const auto a = testing::train_text(corpus().text, p);
  const auto b = testing::train_text(corpus().text, p);
  ASSERT_EQ(a.weights.input.bytes(), b.weights.input.bytes());
  EXPECT_EQ(std::memcmp(a.weights.input.data(), b.weights.input.data(), a.weights.input.bytes()),
            0);
  EXPECT_EQ(std::memcmp(a.weights.output.data(), b.weights.output.data(), a.weights.output.bytes()),
            0);
  p.seed += 1;
  const auto c = testing::train_text(corpus().text, p);
  EXPECT_NE(std::memcmp(a.weights.input.data(), c.weights.input.data(), a.weights.input.bytes()),
            0);
}

TEST(SkipgramLearning, ThreadCountsReachTheSameBand) {
  for (int threads : {1, 4}) {
    auto p = planted_params();
    p.threads = threads;
    const auto q = measure(testing::embeddings_of(testing::train_text(corpus().text, p)), corpus());
    EXPECT_GE(q.precision_at_5, 0.9) << threads << " threads";
    EXPECT_GE(q.analogy_accuracy, 0.8) << threads << " threads";
  }
}

// shrink_windows off: every position trains with the full window (gensim's
// shrink_windows=False); the planted structure is still recovered, by each model and kernel.
TEST(FullWindowLearning, RecoversPlantedStructure) {
  for (ModelType model : {ModelType::kSkipgram, ModelType::kCbow}) {
    for (KernelType kernel : {KernelType::kPair, KernelType::kBatch}) {
      auto p = planted_params();
      p.model = model;
      p.kernel = kernel;
      p.shrink_windows = false;
      const auto t = testing::train_text(corpus().text, p);
      const auto q = measure(testing::embeddings_of(t), corpus());
      const std::string what = std::string(to_string(model)) + " " +
                               std::string(to_string(kernel)) + " kernel, full windows";
      print(what.c_str(), q);
      EXPECT_GE(q.precision_at_5, 0.9) << what;
      EXPECT_GE(q.analogy_accuracy, 0.8) << what;
    }
  }
}

// The setting reaches every walk: with one thread and one seed, each walk trains other weights
// with full windows than with drawn ones.
TEST(FullWindowLearning, ChangesWhatEveryWalkTrains) {
  for (ModelType model : {ModelType::kSkipgram, ModelType::kCbow}) {
    for (KernelType kernel : {KernelType::kPair, KernelType::kBatch}) {
      auto p = planted_params();
      p.model = model;
      p.kernel = kernel;
      p.epochs = 1;
      p.threads = 1;
      const auto drawn = testing::train_text(corpus().text, p);
      p.shrink_windows = false;
      const auto full = testing::train_text(corpus().text, p);
      const auto& a = drawn.weights.input;
      const auto& b = full.weights.input;
      ASSERT_EQ(a.rows(), b.rows());
      EXPECT_NE(std::memcmp(a.row(0), b.row(0), a.cols() * sizeof(float)), 0)
          << to_string(model) << " " << to_string(kernel);
    }
  }
}

}  // namespace
}  // namespace w2v
