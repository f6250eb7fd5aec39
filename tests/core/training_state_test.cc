// The training state file: round trip, and every way a file can fail to belong to its vectors.

#include "core/train/training_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/train/model_weights.h"
#include "support/temp_dir.h"

namespace w2v {
namespace {

const std::vector<std::string_view> kWords = {"the", "cat", "sat", "on", "mat"};

TrainingState sample_state(LossType loss, std::size_t dim = 3) {
  TrainingState s;
  s.loss = loss;
  s.counts = {50, 20, 9, 9, 1};
  s.output = Matrix(output_rows(loss, kWords.size()), dim);
  for (std::size_t r = 0; r < s.output.rows(); ++r) {
    for (std::size_t d = 0; d < dim; ++d) s.output.row(r)[d] = static_cast<float>(r * 10 + d);
  }
  return s;
}

void expect_error_containing(const std::string& path, std::span<const std::string_view> words,
                             std::size_t dim, const std::string& fragment) {
  try {
    load_training_state(path, words, dim);
    ADD_FAILURE() << "loaded; expected an error containing " << fragment;
  } catch (const TrainingStateError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

class TrainingStateFile : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove(path); }
  std::string path = testing::test_temp_path("training_state");
};

TEST_F(TrainingStateFile, RoundTripsEveryLoss) {
  for (LossType loss :
       {LossType::kNegativeSampling, LossType::kHierarchicalSoftmax, LossType::kSoftmax}) {
    const TrainingState s = sample_state(loss);
    save_training_state(path, kWords, s);
    const TrainingState back = load_training_state(path, kWords, 3);
    EXPECT_EQ(back.loss, loss);
    EXPECT_EQ(back.counts, s.counts);
    ASSERT_EQ(back.output.rows(), s.output.rows());
    for (std::size_t r = 0; r < s.output.rows(); ++r) {
      EXPECT_EQ(std::vector<float>(back.output.row(r), back.output.row(r) + 3),
                std::vector<float>(s.output.row(r), s.output.row(r) + 3));
    }
  }
}

TEST_F(TrainingStateFile, RefusesAnotherVocabularyOrDimension) {
  save_training_state(path, kWords, sample_state(LossType::kNegativeSampling));
  const std::vector<std::string_view> reordered = {"cat", "the", "sat", "on", "mat"};
  expect_error_containing(path, reordered, 3, "another vocabulary");
  const std::vector<std::string_view> shorter = {"the", "cat", "sat", "on"};
  expect_error_containing(path, shorter, 3, "another vocabulary");
  expect_error_containing(path, kWords, 4, "dimension 3");
}

TEST_F(TrainingStateFile, RefusesCorruptTruncatedForeignAndNewerFiles) {
  save_training_state(path, kWords, sample_state(LossType::kHierarchicalSoftmax));
  const auto size = std::filesystem::file_size(path);
  auto patch_byte = [&](std::uint64_t offset, char value) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(value);
  };
  {
    patch_byte(size - 2, 0x7f);  // inside the last float
    expect_error_containing(path, kWords, 3, "checksum mismatch");
  }
  save_training_state(path, kWords, sample_state(LossType::kHierarchicalSoftmax));
  std::filesystem::resize_file(path, size - 4);
  expect_error_containing(path, kWords, 3, "truncated");

  save_training_state(path, kWords, sample_state(LossType::kHierarchicalSoftmax));
  patch_byte(8, 3);  // version 3
  expect_error_containing(path, kWords, 3, "format version 3");

  std::ofstream(path, std::ios::binary) << "2 3\nthe 1 2 3\n";
  expect_error_containing(path, kWords, 3, "not a w2vd training state");

  std::filesystem::remove(path);
  expect_error_containing(path, kWords, 3, "cannot open");
}

TrainingState subword_state() {
  TrainingState s = sample_state(LossType::kNegativeSampling);
  s.subwords = {2, 4, 7};
  s.input = Matrix(kWords.size() + 7, 3);
  for (std::size_t r = 0; r < s.input.rows(); ++r) {
    for (std::size_t d = 0; d < 3; ++d) s.input.row(r)[d] = -static_cast<float>(r * 10 + d);
  }
  return s;
}

TEST_F(TrainingStateFile, WithoutSubwordsWritesVersionOne) {
  save_training_state(path, kWords, sample_state(LossType::kNegativeSampling));
  std::ifstream in(path, std::ios::binary);
  char header[12];
  in.read(header, sizeof header);
  EXPECT_EQ(header[8], 1);  // models without subwords stay readable by an older w2vd
  EXPECT_FALSE(load_training_state(path, kWords, 3).subwords.enabled());
  EXPECT_EQ(load_training_state(path, kWords, 3).input.rows(), 0u);
}

TEST_F(TrainingStateFile, RoundTripsSubwordSettingsAndInputRows) {
  const TrainingState s = subword_state();
  save_training_state(path, kWords, s);
  const TrainingState back = load_training_state(path, kWords, 3);
  EXPECT_EQ(back.subwords, s.subwords);
  ASSERT_EQ(back.input.rows(), kWords.size() + 7);
  for (std::size_t r = 0; r < s.input.rows(); ++r) {
    EXPECT_EQ(std::vector<float>(back.input.row(r), back.input.row(r) + 3),
              std::vector<float>(s.input.row(r), s.input.row(r) + 3));
  }
  EXPECT_EQ(back.counts, s.counts);

  // A flipped byte in the last input row, a cut file, settings out of range: refused.
  const auto size = std::filesystem::file_size(path);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 2));
    f.put(0x11);
  }
  expect_error_containing(path, kWords, 3, "checksum mismatch");
  save_training_state(path, kWords, s);
  std::filesystem::resize_file(path, size - 4);
  expect_error_containing(path, kWords, 3, "truncated");
  save_training_state(path, kWords, s);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(56);  // minn, after the 56-byte header
    f.put(9);     // above maxn 4
  }
  expect_error_containing(path, kWords, 3, "invalid subword settings");
}

// The n-gram rows mapped in place are the bucket rows load_training_state reads; mapping checks
// the header and the size, not the checksum, which verify_training_state reads every byte for.
TEST_F(TrainingStateFile, MapsTheNgramRowsInPlaceAndVerifiesTheWholeFileOnRequest) {
  const TrainingState s = subword_state();
  save_training_state(path, kWords, s);
  const NgramRows rows = map_ngram_rows(path, kWords, 3);
  EXPECT_EQ(rows.subwords, s.subwords);
  ASSERT_NE(rows.rows, nullptr);
  EXPECT_EQ(rows.dim, 3u);
  EXPECT_EQ(rows.bytes, 7u * 3 * sizeof(float));
  for (std::uint64_t b = 0; b < 7; ++b) {
    const float* want = s.input.row(kWords.size() + b);
    EXPECT_EQ(std::vector<float>(rows.row(b), rows.row(b) + 3), std::vector<float>(want, want + 3));
  }
  const auto size = std::filesystem::file_size(path);
  EXPECT_EQ(verify_training_state(path), size);

  // Another vocabulary, dimension or a cut file: refused by the header, as loading refuses them.
  EXPECT_THROW(map_ngram_rows(path, std::span(kWords).first(4), 3), TrainingStateError);
  EXPECT_THROW(map_ngram_rows(path, kWords, 4), TrainingStateError);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 2));
    f.put(0x11);
  }
  EXPECT_NO_THROW(map_ngram_rows(path, kWords, 3));  // inside the rows: only a full read sees it
  try {
    verify_training_state(path);
    ADD_FAILURE() << "a flipped byte was not found";
  } catch (const TrainingStateError& e) {
    EXPECT_NE(std::string(e.what()).find("checksum mismatch"), std::string::npos) << e.what();
  }
  std::filesystem::resize_file(path, size - 4);
  EXPECT_THROW(map_ngram_rows(path, kWords, 3), TrainingStateError);
  EXPECT_THROW(verify_training_state(path), TrainingStateError);

  // A state without subwords has no n-gram rows.
  save_training_state(path, kWords, sample_state(LossType::kNegativeSampling));
  const NgramRows none = map_ngram_rows(path, kWords, 3);
  EXPECT_FALSE(none.subwords.enabled());
  EXPECT_EQ(none.rows, nullptr);
  EXPECT_EQ(verify_training_state(path), std::filesystem::file_size(path));
}

TEST_F(TrainingStateFile, SaveRefusesMismatchedState) {
  TrainingState bad = subword_state();
  bad.input = Matrix(kWords.size() + 6, 3);  // one bucket row short
  EXPECT_THROW(save_training_state(path, kWords, bad), std::invalid_argument);

  TrainingState s = sample_state(LossType::kNegativeSampling);
  s.counts.pop_back();
  EXPECT_THROW(save_training_state(path, kWords, s), std::invalid_argument);
}

}  // namespace
}  // namespace w2v
