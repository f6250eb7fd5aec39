#include "core/text/word_counts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "support/train_helpers.h"

namespace w2v {
namespace {

using testing::word_counts_of;

std::string saved(const WordCounts& wc) {
  std::ostringstream out;
  wc.save(out);
  return out.str();
}

WordCounts load_string(const std::string& s) {
  std::istringstream in(s);
  return WordCounts::load(in);
}

void expect_same(const WordCounts& a, const WordCounts& b) {
  ASSERT_EQ(a.distinct(), b.distinct());
  EXPECT_EQ(a.tokens(), b.tokens());
  EXPECT_EQ(a.sentences(), b.sentences());
  for (std::uint32_t id = 0; id < a.distinct(); ++id) {
    EXPECT_EQ(a.word(id), b.word(id)) << id;
    EXPECT_EQ(a.count(id), b.count(id)) << id;
  }
}

TEST(WordCounts, CountsWordsTokensAndSentences) {
  const WordCounts wc = word_counts_of("the cat\nthe dog the\n\n  \ncat\n");
  EXPECT_EQ(wc.distinct(), 3u);
  EXPECT_EQ(wc.tokens(), 6u);
  EXPECT_EQ(wc.sentences(), 3u);
  EXPECT_EQ(wc.word(0), "the");
  EXPECT_EQ(wc.word(1), "cat");
  EXPECT_EQ(wc.word(2), "dog");
  EXPECT_EQ(wc.count(0), 3u);
  EXPECT_EQ(wc.count(1), 2u);
  EXPECT_EQ(wc.count(2), 1u);
  EXPECT_EQ(wc.count_of("the"), 3u);
  EXPECT_EQ(wc.count_of("dog"), 1u);
  EXPECT_EQ(wc.count_of("bird"), 0u);
}

TEST(WordCounts, EmptyText) {
  const WordCounts wc = word_counts_of("");
  EXPECT_EQ(wc.distinct(), 0u);
  EXPECT_EQ(wc.tokens(), 0u);
  EXPECT_EQ(wc.sentences(), 0u);
  expect_same(wc, load_string(saved(wc)));
}

TEST(WordCounts, SaveFormat) {
  const WordCounts wc = word_counts_of("b a b\n");
  EXPECT_EQ(saved(wc), "w2v-word-counts 1 2 3 1\n2 b\n1 a\n");
}

TEST(WordCounts, RoundTripKeepsEveryByte) {
  std::string text = "the \xff the \xff\xfe caf\xc3\xa9\n";
  text += std::string("nul\0inside \0 the\n", 17);
  text += "\x80\x81 \x01\x02\x7f last";
  const WordCounts wc = word_counts_of(text);
  ASSERT_EQ(wc.count_of(std::string("nul\0inside", 10)), 1u);
  ASSERT_EQ(wc.count_of(std::string(1, '\0')), 1u);
  ASSERT_EQ(wc.count_of("\xff"), 1u);
  const WordCounts back = load_string(saved(wc));
  expect_same(wc, back);
  EXPECT_EQ(back.count_of("the"), 3u);
  EXPECT_EQ(back.count_of(std::string("nul\0inside", 10)), 1u);
  EXPECT_EQ(back.count_of("\x01\x02\x7f"), 1u);
  EXPECT_EQ(saved(back), saved(wc));
}

TEST(WordCounts, RoundTripOfManyWords) {
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += "w" + std::to_string(i % 1777) + (i % 13 == 0 ? "\n" : " ");
  }
  const WordCounts wc = word_counts_of(text);
  EXPECT_EQ(wc.distinct(), 1777u);
  EXPECT_EQ(wc.tokens(), 5000u);
  expect_same(wc, load_string(saved(wc)));
}

TEST(WordCounts, CountsAFile) {
  testing::TempDir tmp("word-counts");
  const std::string path = tmp.file("corpus.txt");
  std::string text;
  for (int i = 0; i < 300000; ++i)
    text += (i % 10 == 9 ? "end\n" : "w" + std::to_string(i % 50) + " ");
  {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }
  const WordCounts from_file = count_words_in_file(path);
  expect_same(word_counts_of(text), from_file);
  EXPECT_EQ(from_file.tokens(), 300000u);
  EXPECT_EQ(from_file.sentences(), 30000u);
  std::filesystem::remove(path);
  EXPECT_THROW(count_words_in_file(path), std::runtime_error);
}

// Malformed streams: each must be rejected with std::runtime_error, as the header promises.
struct Bad {
  const char* name;
  std::string input;
};

void PrintTo(const Bad& b, std::ostream* os) {
  *os << b.name;
}

class WordCountsMalformed : public ::testing::TestWithParam<Bad> {};

TEST_P(WordCountsMalformed, IsRejected) {
  const Bad& b = GetParam();
  EXPECT_THROW(load_string(b.input), std::runtime_error) << b.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WordCountsMalformed,
    ::testing::Values(
        Bad{"empty", ""}, Bad{"wrong_magic", "word-counts 1 1 1 1\n1 a\n"},
        Bad{"wrong_version", "w2v-word-counts 2 1 1 1\n1 a\n"},
        Bad{"short_header", "w2v-word-counts 1 1\n"},
        Bad{"header_not_numbers", "w2v-word-counts 1 x y z\n"},
        Bad{"truncated", "w2v-word-counts 1 3 6 1\n3 a\n2 b\n"},
        Bad{"no_space", "w2v-word-counts 1 1 1 1\n1a\n"},
        Bad{"empty_word", "w2v-word-counts 1 1 1 1\n1 \n"},
        Bad{"empty_count", "w2v-word-counts 1 1 1 1\n a\n"},
        Bad{"counts_do_not_add_up", "w2v-word-counts 1 2 5 1\n2 a\n2 b\n"},
        Bad{"duplicate", "w2v-word-counts 1 2 2 1\n1 a\n1 a\n"},
        Bad{"count_not_a_number", "w2v-word-counts 1 1 1 1\nx a\n"},
        Bad{"count_out_of_range", "w2v-word-counts 1 1 1 1\n99999999999999999999999 a\n"},
        Bad{"count_with_suffix", "w2v-word-counts 1 1 1 1\n1x a\n"},
        Bad{"negative_count_wraps", "w2v-word-counts 1 2 1 1\n-1 a\n2 b\n"},
        Bad{"word_with_space", "w2v-word-counts 1 1 1 1\n1 a b\n"},
        Bad{"word_with_tab", "w2v-word-counts 1 1 1 1\n1 a\tb\n"},
        Bad{"sum_wraps_around", "w2v-word-counts 1 2 1 1\n18446744073709551615 a\n2 b\n"},
        Bad{"trailing_lines", "w2v-word-counts 1 1 1 1\n1 a\n1 b\n"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace w2v
