// The training driver: progress reports, cancellation, epoch-end hooks, resuming from a
// checkpoint, and argument checks.

#include "core/train/trainer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

#include "support/temp_dir.h"
#include "support/train_helpers.h"

namespace w2v {
namespace {

using testing::planted_params;

const testing::PlantedCorpus& corpus() {
  static const testing::PlantedCorpus c = testing::make_planted_corpus();
  return c;
}

struct PlantedRun {
  TrainParams params = planted_params();
  Vocabulary vocab;
  EncodedCorpus encoded;
  explicit PlantedRun(int epochs = 2) {
    params.epochs = epochs;
    vocab = testing::vocabulary_of(corpus().text, params);
    encoded = EncodedCorpus::encode_text(corpus().text, vocab);
  }
};

using testing::test_temp_path;

TEST(Trainer, ReportsMonotoneProgressEndingAtOne) {
  PlantedRun s(3);
  ModelWeights w = make_initial_weights(s.vocab.size(), s.params);
  std::mutex m;
  std::vector<TrainProgress> reports;
  TrainHooks hooks;
  hooks.progress_interval = std::chrono::milliseconds(0);
  hooks.on_progress = [&](const TrainProgress& p) {
    std::lock_guard lock(m);
    reports.push_back(p);
  };
  ASSERT_EQ(train(s.encoded, s.vocab, s.params, w, hooks), TrainOutcome::kCompleted);
  ASSERT_GE(reports.size(), 5u);
  for (std::size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].words_done, reports[i - 1].words_done);
    EXPECT_LE(reports[i].alpha, reports[i - 1].alpha);
    EXPECT_GE(reports[i].epoch, reports[i - 1].epoch);
  }
  const TrainProgress& last = reports.back();
  EXPECT_EQ(last.words_total, 3 * s.encoded.words());
  EXPECT_EQ(last.words_done, last.words_total);
  EXPECT_DOUBLE_EQ(last.fraction, 1.0);
  EXPECT_EQ(last.epoch, 3);
  EXPECT_GT(last.words_per_sec, 0);
  EXPECT_GT(last.loss, 0);
  EXPECT_LT(last.alpha, 0.025 * 0.01);
  EXPECT_NEAR(reports.front().alpha, 0.025, 1e-6);
}

TEST(Trainer, LossFallsAsItLearns) {
  PlantedRun s(4);
  s.params.threads = 1;
  ModelWeights w = make_initial_weights(s.vocab.size(), s.params);
  std::vector<double> losses;
  TrainHooks hooks;
  hooks.progress_interval = std::chrono::milliseconds(0);
  hooks.on_progress = [&](const TrainProgress& p) {
    if (p.loss > 0) losses.push_back(p.loss);
  };
  train(s.encoded, s.vocab, s.params, w, hooks);
  ASSERT_GE(losses.size(), 4u);
  EXPECT_LT(losses.back(), 0.8 * losses.front());
}

TEST(Trainer, CancelStopsPromptly) {
  PlantedRun s(50);
  ModelWeights w = make_initial_weights(s.vocab.size(), s.params);
  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> words_at_cancel{0};
  TrainHooks hooks;
  hooks.cancel = &cancel;
  hooks.progress_interval = std::chrono::milliseconds(0);
  hooks.on_progress = [&](const TrainProgress& p) {
    if (p.words_done > 0 && !cancel.exchange(true)) words_at_cancel = p.words_done;
  };
  int epochs_ended = 0;
  hooks.on_epoch_end = [&](int, const ModelWeights&) { ++epochs_ended; };
  EXPECT_EQ(train(s.encoded, s.vocab, s.params, w, hooks), TrainOutcome::kCancelled);
  EXPECT_LE(epochs_ended, 1);  // stopped within the epoch it was cancelled in, or the next
}

TEST(Trainer, EpochEndHookSeesEveryEpoch) {
  PlantedRun s(3);
  ModelWeights w = make_initial_weights(s.vocab.size(), s.params);
  std::vector<int> ended;
  TrainHooks hooks;
  hooks.on_epoch_end = [&](int e, const ModelWeights& weights) {
    EXPECT_EQ(&weights, &w);
    ended.push_back(e);
  };
  train(s.encoded, s.vocab, s.params, w, hooks);
  EXPECT_EQ(ended, (std::vector<int>{1, 2, 3}));
}

TEST(Trainer, ResumingFromACheckpointMatchesAnUninterruptedRun) {
  PlantedRun s(3);
  s.params.threads = 1;
  ModelWeights straight = make_initial_weights(s.vocab.size(), s.params);
  const std::string path = test_temp_path("w2v-ckpt");
  TrainHooks save;
  save.on_epoch_end = [&](int e, const ModelWeights& weights) {
    if (e == 1) save_checkpoint(path, weights, e);
  };
  train(s.encoded, s.vocab, s.params, straight, save);

  Checkpoint c = load_checkpoint(path);
  std::filesystem::remove(path);
  ASSERT_EQ(c.epochs_done, 1);
  train(s.encoded, s.vocab, s.params, c.weights, {}, c.epochs_done);
  EXPECT_EQ(std::memcmp(straight.input.data(), c.weights.input.data(), straight.input.bytes()), 0);
  EXPECT_EQ(std::memcmp(straight.output.data(), c.weights.output.data(), straight.output.bytes()),
            0);
}

TEST(Trainer, CheckpointRejectsTruncatedFile) {
  PlantedRun s(1);
  const ModelWeights w = make_initial_weights(s.vocab.size(), s.params);
  const std::string path = test_temp_path("w2v-ckpt-trunc");
  save_checkpoint(path, w, 1);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 4);
  EXPECT_THROW(load_checkpoint(path), std::runtime_error);
  std::filesystem::remove(path);
  EXPECT_THROW(load_checkpoint(path), std::runtime_error);
}

// An epoch count past what any job can have (here 2^32 - 1, which an int reads as -1) is a
// corrupt checkpoint, not a job to resume at epoch -1 (found by tests/fuzz/checkpoint.cc).
TEST(Trainer, CheckpointRejectsAnImpossibleEpochCount) {
  PlantedRun s(1);
  const ModelWeights w = make_initial_weights(s.vocab.size(), s.params);
  const std::string path = test_temp_path("w2v-ckpt-epochs");
  save_checkpoint(path, w, 1);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    const std::uint64_t epochs = 0xFFFFFFFFu;
    f.seekp(8);  // after the magic
    f.write(reinterpret_cast<const char*>(&epochs), sizeof epochs);
  }
  EXPECT_THROW(load_checkpoint(path), std::runtime_error);
  std::filesystem::remove(path);
}

// A header with 0 columns passes any size check whatever its row count; 2^64 - 1 rows of nothing
// must be rejected, not read one by one (found by tests/fuzz/checkpoint.cc as a timeout).
TEST(Trainer, CheckpointRejectsZeroColumns) {
  const std::string path = test_temp_path("w2v-ckpt-cols");
  {
    std::ofstream out(path, std::ios::binary);
    // epochs, input rows and columns, output rows and columns
    const std::uint64_t fields[5] = {1, ~std::uint64_t{0}, 0, 0, 0};
    out.write("W2VCKPT1", 8);
    out.write(reinterpret_cast<const char*>(fields), sizeof fields);
  }
  EXPECT_THROW(load_checkpoint(path), std::runtime_error);
  std::filesystem::remove(path);
}

TEST(Trainer, RejectsBadArguments) {
  PlantedRun s(1);
  ModelWeights w = make_initial_weights(s.vocab.size(), s.params);
  TrainParams bad = s.params;
  bad.dim = 0;
  EXPECT_THROW(train(s.encoded, s.vocab, bad, w), std::invalid_argument);
  bad = s.params;
  bad.dim = 41;  // weights were made for 40
  EXPECT_THROW(train(s.encoded, s.vocab, bad, w), std::invalid_argument);
  const EncodedCorpus empty = EncodedCorpus::from_ids({});
  EXPECT_THROW(train(empty, s.vocab, s.params, w), std::invalid_argument);
  EXPECT_THROW(train(s.encoded, s.vocab, s.params, w, {}, 5), std::invalid_argument);
}

TEST(TrainParams, ValidationNamesTheField) {
  TrainParams p;
  EXPECT_FALSE(validate(p));
  p.dim = 0;
  EXPECT_EQ(validate(p).value(), "dim must be an integer in [1, 4096], got 0");
  p = {};
  p.sample = -1;
  EXPECT_NE(validate(p).value().find("sample must be a number in [0"), std::string::npos);
  p = {};
  p.alpha = -0.5;
  EXPECT_NE(validate(p).value().find("alpha"), std::string::npos);
  p = {};
  p.negative = 65;
  EXPECT_NE(validate(p).value().find("negative must be an integer in [1, 64], got 65"),
            std::string::npos);
  EXPECT_DOUBLE_EQ(TrainParams{}.effective_alpha(), 0.025);
  TrainParams cbow;
  cbow.model = ModelType::kCbow;
  EXPECT_DOUBLE_EQ(cbow.effective_alpha(), 0.05);
}

TEST(TrainParams, AutoKernelIsBatchForSkipgramNsOnly) {
  TrainParams p;
  EXPECT_EQ(p.kernel, KernelType::kAuto);
  EXPECT_EQ(p.effective_kernel(), KernelType::kBatch);
  p.model = ModelType::kCbow;
  EXPECT_EQ(p.effective_kernel(), KernelType::kPair);
  p.kernel = KernelType::kBatch;
  EXPECT_EQ(p.effective_kernel(), KernelType::kBatch);
  for (LossType loss : {LossType::kHierarchicalSoftmax, LossType::kSoftmax}) {
    p.loss = loss;
    EXPECT_EQ(p.effective_kernel(), KernelType::kPair);  // no batched kernel for hs or softmax
  }
  p = {};
  p.kernel = KernelType::kPair;
  EXPECT_EQ(p.effective_kernel(), KernelType::kPair);
  for (KernelType k : {KernelType::kAuto, KernelType::kPair, KernelType::kBatch}) {
    EXPECT_EQ(parse_kernel_type(to_string(k)), k);
  }
  EXPECT_FALSE(parse_kernel_type("Batch").has_value());
}

}  // namespace
}  // namespace w2v
