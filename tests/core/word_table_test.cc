#include "core/text/word_table.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace w2v {
namespace {

TEST(WordTable, InternAssignsDenseIdsInFirstSeenOrder) {
  WordTable t;
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.intern("the"), 0u);
  EXPECT_EQ(t.intern("cat"), 1u);
  EXPECT_EQ(t.intern("the"), 0u);
  EXPECT_EQ(t.intern("sat"), 2u);
  EXPECT_EQ(t.intern("cat"), 1u);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.word(0), "the");
  EXPECT_EQ(t.word(1), "cat");
  EXPECT_EQ(t.word(2), "sat");
}

TEST(WordTable, FindDoesNotAdd) {
  WordTable t;
  EXPECT_EQ(t.find("absent"), WordTable::kNotFound);
  t.intern("present");
  EXPECT_EQ(t.find("present"), 0u);
  EXPECT_EQ(t.find("absent"), WordTable::kNotFound);
  EXPECT_EQ(t.find("presen"), WordTable::kNotFound);
  EXPECT_EQ(t.find("presentt"), WordTable::kNotFound);
  EXPECT_EQ(t.size(), 1u);
}

TEST(WordTable, EmptyStringIsAWord) {
  WordTable t;
  EXPECT_EQ(t.find(""), WordTable::kNotFound);
  t.intern("a");
  const std::uint32_t id = t.intern("");
  EXPECT_EQ(id, 1u);
  EXPECT_EQ(t.find(""), id);
  EXPECT_EQ(t.word(id), "");
  EXPECT_EQ(t.intern(""), id);
  EXPECT_EQ(t.find(std::string(1, '\0')), WordTable::kNotFound);
  EXPECT_EQ(t.size(), 2u);
}

TEST(WordTable, NulAndHighBytesAreOrdinaryBytes) {
  const std::vector<std::string> words = {std::string("a\0b", 3),
                                          std::string("a\0c", 3),
                                          "a",
                                          std::string("a\0", 2),
                                          "\xff",
                                          "\xff\xff",
                                          "\x80",
                                          std::string("\0\xff", 2),
                                          "caf\xc3\xa9",
                                          "cafe"};
  WordTable t;
  for (std::size_t i = 0; i < words.size(); ++i) EXPECT_EQ(t.intern(words[i]), i) << i;
  for (std::size_t i = 0; i < words.size(); ++i) {
    EXPECT_EQ(t.find(words[i]), i) << i;
    EXPECT_EQ(t.word(static_cast<std::uint32_t>(i)), words[i]) << i;
  }
}

TEST(WordTable, RunsOfZeroBytesOfEveryLengthAreDistinct) {
  // Words that differ only in length and are all zero bytes: the hash's zero padding of the
  // last block must not merge them.
  WordTable t;
  for (std::size_t n = 0; n <= 40; ++n) EXPECT_EQ(t.intern(std::string(n, '\0')), n);
  for (std::size_t n = 0; n <= 40; ++n) {
    EXPECT_EQ(t.find(std::string(n, '\0')), n);
    EXPECT_EQ(t.word(static_cast<std::uint32_t>(n)).size(), n);
  }
}

std::vector<std::string> many_words(std::size_t n) {
  std::mt19937_64 gen(42);
  std::vector<std::string> words;
  words.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    // Unique by construction (the index), with random bytes and lengths around it.
    std::string w = std::to_string(i) + '#';
    const std::size_t extra = gen() % 24;
    for (std::size_t k = 0; k < extra; ++k) w += static_cast<char>(gen() & 0xFF);
    words.push_back(std::move(w));
  }
  return words;
}

TEST(WordTable, GrowthTo200kWordsKeepsEveryMapping) {
  const std::vector<std::string> words = many_words(200'000);
  for (const std::size_t expected : {std::size_t{0}, std::size_t{200'000}}) {
    WordTable t(expected);
    for (std::size_t i = 0; i < words.size(); ++i) {
      ASSERT_EQ(t.intern(words[i]), i) << "word " << i;
    }
    ASSERT_EQ(t.size(), words.size());
    for (std::size_t i = 0; i < words.size(); ++i) {
      ASSERT_EQ(t.find(words[i]), i) << "word " << i;
      ASSERT_EQ(t.word(static_cast<std::uint32_t>(i)), words[i]) << "word " << i;
      ASSERT_EQ(t.intern(words[i]), i) << "word " << i;
    }
    EXPECT_EQ(t.size(), words.size());
    EXPECT_EQ(t.find("not a word"), WordTable::kNotFound);
    EXPECT_GT(t.memory_bytes(), words.size() * sizeof(std::uint64_t));
  }
}

TEST(WordTable, CopiesAreIndependent) {
  WordTable a;
  a.intern("x");
  WordTable b = a;
  b.intern("y");
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(a.find("y"), WordTable::kNotFound);
  EXPECT_EQ(b.find("x"), 0u);
  EXPECT_EQ(b.find("y"), 1u);
}

TEST(WordTable, HashIsDeterministicAndSeesEveryByte) {
  EXPECT_EQ(hash_bytes("hello"), hash_bytes(std::string("hello")));
  EXPECT_NE(hash_bytes(""), hash_bytes(std::string(1, '\0')));
  EXPECT_NE(hash_bytes("abcdefgh"), hash_bytes("abcdefgi"));
  EXPECT_NE(hash_bytes("abcdefghi"), hash_bytes("abcdefghj"));
  EXPECT_NE(hash_bytes("a"), hash_bytes("b"));
}

}  // namespace
}  // namespace w2v
