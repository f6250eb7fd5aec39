#include "core/vocab/vocabulary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace w2v {
namespace {

using WordCount = std::pair<std::string, std::uint64_t>;

// Counts where every word appears count times, added in the given order (interleaved, so the
// order of first appearance is the list's).
WordCounts make_counts(const std::vector<WordCount>& list) {
  WordCounts wc;
  for (const auto& [word, count] : list) wc.add(word);
  for (const auto& [word, count] : list) {
    for (std::uint64_t i = 1; i < count; ++i) wc.add(word);
  }
  wc.end_sentence();
  return wc;
}

std::vector<std::string> words_of(const Vocabulary& v) {
  std::vector<std::string> out;
  for (std::string_view w : v.words()) out.emplace_back(w);
  return out;
}

const std::vector<WordCount> kCounts = {{"rare", 2}, {"the", 50}, {"of", 30},   {"cat", 5},
                                        {"dog", 5},  {"a", 30},   {"zebra", 4}, {"bat", 5},
                                        {"once", 1}, {"mat", 6}};

TEST(Vocabulary, SortsByDescendingCountThenBytes) {
  const Vocabulary v = Vocabulary::build(make_counts(kCounts), {.min_count = 1, .max_vocab = 0});
  EXPECT_EQ(words_of(v), (std::vector<std::string>{"the", "a", "of", "mat", "bat", "cat", "dog",
                                                   "zebra", "rare", "once"}));
  EXPECT_EQ(v.counts(), (std::vector<std::uint64_t>{50, 30, 30, 6, 5, 5, 5, 4, 2, 1}));
  EXPECT_EQ(v.size(), 10u);
  EXPECT_FALSE(v.empty());
}

TEST(Vocabulary, MinCountDropsRareWords) {
  const Vocabulary v = Vocabulary::build(make_counts(kCounts), {.min_count = 5, .max_vocab = 0});
  EXPECT_EQ(words_of(v), (std::vector<std::string>{"the", "a", "of", "mat", "bat", "cat", "dog"}));
  EXPECT_EQ(v.id("zebra"), Vocabulary::kAbsent);
  EXPECT_EQ(v.id("once"), Vocabulary::kAbsent);
  EXPECT_EQ(v.total_count(), 50u + 30 + 30 + 6 + 5 + 5 + 5);

  EXPECT_TRUE(Vocabulary::build(make_counts(kCounts), {.min_count = 51, .max_vocab = 0}).empty());
  EXPECT_EQ(Vocabulary::build(make_counts(kCounts), {.min_count = 0, .max_vocab = 0}).size(), 10u);
}

TEST(Vocabulary, MaxVocabKeepsTheMostFrequent) {
  // The cut falls inside the tie at count 5: bytes order decides, deterministically.
  const Vocabulary v = Vocabulary::build(make_counts(kCounts), {.min_count = 1, .max_vocab = 5});
  EXPECT_EQ(words_of(v), (std::vector<std::string>{"the", "a", "of", "mat", "bat"}));
  EXPECT_EQ(v.total_count(), 50u + 30 + 30 + 6 + 5);
  EXPECT_EQ(v.id("cat"), Vocabulary::kAbsent);

  const Vocabulary both =
      Vocabulary::build(make_counts(kCounts), {.min_count = 30, .max_vocab = 100});
  EXPECT_EQ(words_of(both), (std::vector<std::string>{"the", "a", "of"}));
}

TEST(Vocabulary, OrderDoesNotDependOnInsertionOrder) {
  std::vector<WordCount> list = kCounts;
  list.push_back({"\xff", 5});  // high bytes sort after ASCII
  list.push_back({"Bat", 5});   // uppercase before lowercase
  list.push_back({"ba", 5});    // a prefix sorts first
  list.push_back({std::string("ba\0", 3), 5});
  const std::vector<std::string> expected = {
      "the", "a",   "of",  "mat",  "Bat",   "ba",   std::string("ba\0", 3),
      "bat", "cat", "dog", "\xff", "zebra", "rare", "once"};
  std::mt19937 gen(3);
  for (int round = 0; round < 10; ++round) {
    std::shuffle(list.begin(), list.end(), gen);
    const Vocabulary v = Vocabulary::build(make_counts(list), {.min_count = 1, .max_vocab = 0});
    EXPECT_EQ(words_of(v), expected) << "round " << round;
  }
}

TEST(Vocabulary, LooksUpIdsAndWords) {
  const Vocabulary v = Vocabulary::build(make_counts(kCounts), {.min_count = 1, .max_vocab = 0});
  for (std::size_t id = 0; id < v.size(); ++id) {
    EXPECT_EQ(v.id(v.word(id)), static_cast<std::int32_t>(id));
  }
  EXPECT_EQ(v.id("the"), 0);
  EXPECT_EQ(v.count(0), 50u);
  EXPECT_EQ(v.word(3), "mat");
  EXPECT_EQ(v.count(3), 6u);
  EXPECT_EQ(v.id("absent"), Vocabulary::kAbsent);
  EXPECT_EQ(v.id(""), Vocabulary::kAbsent);
  EXPECT_EQ(v.total_count(), 138u);
}

TEST(Vocabulary, EmptyCounts) {
  const Vocabulary v = Vocabulary::build(WordCounts{}, {});
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.total_count(), 0u);
  EXPECT_EQ(v.id("x"), Vocabulary::kAbsent);
  EXPECT_TRUE(Vocabulary().empty());
}

TEST(Vocabulary, FromWordsKeepsTheGivenOrder) {
  const std::vector<std::string_view> words = {"zeta", "alpha", "\xff", "mid"};
  const Vocabulary v = Vocabulary::from_words(words);
  ASSERT_EQ(v.size(), 4u);
  for (std::size_t i = 0; i < words.size(); ++i) {
    EXPECT_EQ(v.word(i), words[i]);
    EXPECT_EQ(v.id(words[i]), static_cast<std::int32_t>(i));
    EXPECT_EQ(v.count(i), 0u);
  }
  EXPECT_EQ(v.total_count(), 0u);

  const Vocabulary counted = Vocabulary::from_words(words, {1, 20, 3, 4});
  EXPECT_EQ(counted.count(1), 20u);
  EXPECT_EQ(counted.total_count(), 28u);
  EXPECT_EQ(counted.word(0), "zeta");  // not re-sorted
}

TEST(Vocabulary, FromWordsRejectsDuplicatesAndMismatchedCounts) {
  EXPECT_THROW(Vocabulary::from_words({"a", "b", "a"}), std::invalid_argument);
  EXPECT_THROW(Vocabulary::from_words({"a", "a"}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(Vocabulary::from_words({"a", "b"}, {1}), std::invalid_argument);
  EXPECT_NO_THROW(Vocabulary::from_words({"a", std::string_view("a\0", 2)}));
  EXPECT_TRUE(Vocabulary::from_words({}).empty());
}

}  // namespace
}  // namespace w2v
