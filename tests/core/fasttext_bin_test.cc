#include "core/io/fasttext_bin.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/vectors_io.h"
#include "support/shell_command.h"
#include "support/temp_dir.h"

namespace w2v {
namespace {

::testing::AssertionResult Contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << s << "\" does not contain \"" << part << "\"";
}

FastTextModel random_model(std::size_t nwords, std::int32_t dim, std::int32_t bucket,
                           std::uint64_t seed = 1) {
  FastTextModel m;
  m.args.dim = dim;
  m.args.bucket = bucket;
  m.args.minn = bucket > 0 ? 3 : 0;
  m.args.maxn = bucket > 0 ? 6 : 0;
  m.args.loss = FastTextArgs::kLossNs;
  m.args.model = FastTextArgs::kModelSkipgram;
  for (std::size_t i = 0; i < nwords; ++i) {
    m.words.push_back("word" + std::to_string(i) + (i % 3 == 0 ? "é" : ""));
    m.counts.push_back(static_cast<std::int64_t>(1000 - i));
    m.ntokens += m.counts.back();
  }
  m.input = Matrix(nwords + static_cast<std::size_t>(bucket), static_cast<std::size_t>(dim));
  m.output = Matrix(nwords, static_cast<std::size_t>(dim));
  m.input.fill_uniform(-1, 1, seed);
  m.output.fill_uniform(-1, 1, seed + 1);
  return m;
}

std::string to_bytes(const FastTextModel& m) {
  const std::vector<std::string_view> words(m.words.begin(), m.words.end());
  std::ostringstream out;
  save_fasttext(out, {m.args, words, m.counts, m.ntokens, m.input, m.output});
  return std::move(out).str();
}

FastTextModel from_bytes(const std::string& bytes) {
  std::istringstream in(bytes);
  return load_fasttext(in, bytes.size());
}

std::string load_error(const std::string& bytes) {
  try {
    from_bytes(bytes);
  } catch (const VectorsFormatError& e) {
    return e.what();
  }
  return "(loaded)";
}

void expect_same_rows(const Matrix& a, const Matrix& b) {
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.cols(), b.cols());
  for (std::size_t r = 0; r < a.rows(); ++r) {
    ASSERT_EQ(std::memcmp(a.row(r), b.row(r), a.cols() * sizeof(float)), 0) << "row " << r;
  }
}

// Byte offsets of the fixed layout (core/io/fasttext_bin.h).
constexpr std::size_t kVersionAt = 4;
constexpr std::size_t kModelAt = 8 + 7 * 4;
constexpr std::size_t kDictionaryAt = 8 + 12 * 4 + 8;
constexpr std::size_t kNwordsAt = kDictionaryAt + 4;
constexpr std::size_t kNlabelsAt = kDictionaryAt + 8;
constexpr std::size_t kEntriesAt = kDictionaryAt + 12 + 16;

template <class T>
void poke(std::string& bytes, std::size_t at, T v) {
  std::memcpy(bytes.data() + at, &v, sizeof v);
}

TEST(FastTextBin, RoundTripIsBitExact) {
  const FastTextModel m = random_model(50, 7, 11);
  const std::string bytes = to_bytes(m);
  const FastTextModel back = from_bytes(bytes);
  EXPECT_EQ(back.words, m.words);
  EXPECT_EQ(back.counts, m.counts);
  EXPECT_EQ(back.ntokens, m.ntokens);
  EXPECT_EQ(back.args.dim, 7);
  EXPECT_EQ(back.args.bucket, 11);
  EXPECT_EQ(back.args.minn, 3);
  EXPECT_EQ(back.args.maxn, 6);
  EXPECT_EQ(back.args.t, m.args.t);
  expect_same_rows(back.input, m.input);
  expect_same_rows(back.output, m.output);
  EXPECT_EQ(to_bytes(back), bytes);
  // The size the layout gives: header, args, dictionary, two matrices.
  std::size_t dictionary = 0;
  for (const auto& w : m.words) dictionary += w.size() + 1 + 8 + 1;
  EXPECT_EQ(bytes.size(), 8 + 12 * 4 + 8 + 12 + 16 + dictionary + 2 * 17 + (61 + 50) * 7 * 4);
}

TEST(FastTextBin, FileRoundTripIsAtomic) {
  const testing::TempDir dir("fasttext-bin");
  const FastTextModel m = random_model(5, 4, 0);
  const std::vector<std::string_view> words(m.words.begin(), m.words.end());
  save_fasttext_file(dir.file("m.bin"), {m.args, words, m.counts, m.ntokens, m.input, m.output});
  const FastTextModel back = load_fasttext_file(dir.file("m.bin"));
  EXPECT_EQ(back.words, m.words);
  expect_same_rows(back.input, m.input);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(FastTextBin, PartsThatDisagreeAreRefusedBeforeWriting) {
  FastTextModel m = random_model(5, 4, 3);
  m.args.bucket = 4;  // the input matrix has 5 + 3 rows
  EXPECT_THROW(to_bytes(m), std::invalid_argument);
}

TEST(FastTextBin, WrongMagicOrVersion) {
  std::string bytes = to_bytes(random_model(3, 4, 0));
  std::string other = bytes;
  poke<std::int32_t>(other, 0, 1234);
  EXPECT_TRUE(Contains(load_error(other), "not a fastText model: magic number 1234"));
  other = bytes;
  poke<std::int32_t>(other, kVersionAt, 13);
  EXPECT_TRUE(Contains(load_error(other), "version 13 is not supported"));
  EXPECT_TRUE(Contains(load_error("abc"), "truncated"));
  EXPECT_TRUE(Contains(load_error(""), "truncated"));
}

TEST(FastTextBin, SupervisedModelsAreRefused) {
  std::string bytes = to_bytes(random_model(3, 4, 0));
  std::string sup = bytes;
  poke<std::int32_t>(sup, kModelAt, FastTextArgs::kModelSupervised);
  EXPECT_TRUE(Contains(load_error(sup), "supervised"));
  std::string labels = bytes;
  poke<std::int32_t>(labels, kNlabelsAt, 2);
  EXPECT_TRUE(Contains(load_error(labels), "supervised fastText model (2 labels)"));
}

TEST(FastTextBin, QuantisedMatricesAreRefused) {
  const FastTextModel m = random_model(3, 4, 0);
  std::string bytes = to_bytes(m);
  std::size_t input_at = kEntriesAt;
  for (const auto& w : m.words) input_at += w.size() + 1 + 9;
  ASSERT_EQ(bytes[input_at], '\0');
  bytes[input_at] = 1;
  EXPECT_TRUE(Contains(load_error(bytes), "quantised (a .ftz model)"));
}

TEST(FastTextBin, LyingCountsAreRefusedBeforeAllocating) {
  std::string bytes = to_bytes(random_model(3, 4, 0));
  poke<std::int32_t>(bytes, kDictionaryAt, 90'000'000);
  poke<std::int32_t>(bytes, kNwordsAt, 90'000'000);
  const std::string error = load_error(bytes);
  EXPECT_TRUE(Contains(error, "90000000 words")) << error;
  EXPECT_TRUE(Contains(error, "need at least")) << error;
  std::string bucket = to_bytes(random_model(3, 4, 0));
  poke<std::int32_t>(bucket, 8 + 8 * 4, 50'000'000);  // bucket
  EXPECT_TRUE(Contains(load_error(bucket), "bucket 50000000"));
  std::string negative = to_bytes(random_model(3, 4, 0));
  poke<std::int32_t>(negative, kNwordsAt, -1);
  EXPECT_TRUE(Contains(load_error(negative), "word count -1 out of range"));
}

TEST(FastTextBin, EveryTruncationIsAnError) {
  const std::string bytes = to_bytes(random_model(4, 3, 2));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(from_bytes(bytes.substr(0, n)), VectorsFormatError) << n << " bytes";
  }
  EXPECT_TRUE(Contains(load_error(bytes + "x"), "trailing bytes"));
}

TEST(FastTextBin, NonFiniteValuesRepeatsAndLabelsAreRefused) {
  FastTextModel m = random_model(3, 4, 0);
  m.output.row(1)[2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(Contains(load_error(to_bytes(m)), "row 1 of the output matrix"));
  m = random_model(3, 4, 0);
  m.words[2] = m.words[0];
  EXPECT_TRUE(Contains(load_error(to_bytes(m)), "repeats"));
  std::string bytes = to_bytes(random_model(3, 4, 0));
  const std::size_t type_at = kEntriesAt + std::string("word0é").size() + 1 + 8;
  ASSERT_EQ(bytes[type_at], '\0');
  bytes[type_at] = 1;
  EXPECT_TRUE(Contains(load_error(bytes), "is a label"));
}

std::string run(const std::string& command) {
  return testing::run_shell(command).output;
}

// fastText's own tool (Debian's `fasttext`), when installed, reads what w2vd writes and w2vd
// reads what it trains: word vectors agree to the digits fastText prints.
TEST(FastTextBin, FastTextsOwnToolAgrees) {
  if (std::system("command -v fasttext >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "fastText's command-line tool is not installed";
  }
  const testing::TempDir dir("fasttext-cli");
  // What w2vd writes (no subwords: a word's vector is its row), printed by fastText.
  const FastTextModel ours = random_model(20, 5, 0);
  const std::vector<std::string_view> words(ours.words.begin(), ours.words.end());
  save_fasttext_file(dir.file("ours.bin"),
                     {ours.args, words, ours.counts, ours.ntokens, ours.input, ours.output});
  {
    std::ofstream q(dir.file("words.txt"));
    for (const auto& w : ours.words) q << w << "\n";
  }
  std::istringstream printed(
      run("fasttext print-word-vectors " + dir.file("ours.bin") + " < " + dir.file("words.txt")));
  std::size_t seen = 0;
  for (std::string word; printed >> word; ++seen) {
    ASSERT_LT(seen, ours.words.size());
    ASSERT_EQ(word, ours.words[seen]);
    for (std::size_t k = 0; k < 5; ++k) {
      float v = 0;
      printed >> v;
      EXPECT_NEAR(v, ours.input.row(seen)[k], 1e-4) << word << "[" << k << "]";
    }
  }
  EXPECT_EQ(seen, ours.words.size());

  // What fastText trains, read by w2vd.
  {
    std::ofstream corpus(dir.file("corpus.txt"));
    std::mt19937 rng(3);
    for (int line = 0; line < 200; ++line) {
      for (int i = 0; i < 12; ++i) corpus << "t" << rng() % 30 << ' ';
      corpus << '\n';
    }
  }
  run("fasttext skipgram -input " + dir.file("corpus.txt") + " -output " + dir.file("theirs") +
      " -dim 6 -epoch 1 -minCount 1 -minn 2 -maxn 3 -bucket 100 -thread 1 -verbose 0");
  const FastTextModel theirs = load_fasttext_file(dir.file("theirs.bin"));
  EXPECT_EQ(theirs.args.dim, 6);
  EXPECT_EQ(theirs.args.minn, 2);
  EXPECT_EQ(theirs.args.maxn, 3);
  EXPECT_EQ(theirs.args.bucket, 100);
  EXPECT_EQ(theirs.input.rows(), theirs.words.size() + 100);
  EXPECT_EQ(theirs.output.rows(), theirs.words.size());
  EXPECT_EQ(theirs.words.size(), 31u);  // 30 words and the end of line, </s>
  EXPECT_EQ(std::count(theirs.words.begin(), theirs.words.end(), "</s>"), 1);
}

}  // namespace
}  // namespace w2v
