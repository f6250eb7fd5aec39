// fastText's subwords (core/vocab/subword_ngrams.h, core/train/subword_vectors.h): the hash with
// its sign-extended bytes, the n-grams of the framed word by UTF-8 characters, the flat row
// lists of a vocabulary, and composing a vector for a word in the vocabulary or not.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base/matrix.h"
#include "core/train/subword_vectors.h"
#include "core/vocab/subword_ngrams.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
namespace {

std::vector<std::string> ngrams(std::string_view word, int minn, int maxn) {
  std::vector<std::string> out;
  for_each_ngram(word, minn, maxn, [&](std::string_view g) { out.emplace_back(g); });
  return out;
}

TEST(FasttextHash, IsFnv1aOverSignExtendedBytes) {
  EXPECT_EQ(fasttext_hash(""), 2166136261u);
  EXPECT_EQ(fasttext_hash("a"), 3826002220u);
  EXPECT_EQ(fasttext_hash("<wh"), 1048167652u);
  // "é" is 0xC3 0xA9: sign-extended as fastText's int8_t cast does (a plain FNV-1a over the
  // unsigned bytes would give 513665217).
  EXPECT_EQ(fasttext_hash("\xC3\xA9"), 1023043777u);
  EXPECT_EQ(fasttext_hash("<\xC3\xA9>"), 1002806231u);
}

TEST(SubwordNgrams, FramedWordByStartThenLength) {
  // minn 3, maxn 6 (fastText's defaults): "<where>" has 7 characters, so it is not an n-gram.
  EXPECT_EQ(ngrams("where", 3, 6),
            (std::vector<std::string>{"<wh", "<whe", "<wher", "<where", "whe", "wher", "where",
                                      "where>", "her", "here", "here>", "ere", "ere>", "re>"}));
  // A framed word no longer than maxn is one of its n-grams, as in fastText.
  EXPECT_EQ(ngrams("go", 3, 6), (std::vector<std::string>{"<go", "<go>", "go>"}));
}

TEST(SubwordNgrams, SkipsTheFrameAloneButKeepsOtherSingleCharacters) {
  EXPECT_EQ(ngrams("a", 1, 3), (std::vector<std::string>{"<a", "<a>", "a", "a>"}));
}

TEST(SubwordNgrams, CountsUtf8CharactersNotBytes) {
  // "é" is one character of two bytes; "日本" two characters of three bytes each.
  EXPECT_EQ(ngrams("\xC3\xA9", 1, 2),
            (std::vector<std::string>{"<\xC3\xA9", "\xC3\xA9", "\xC3\xA9>"}));
  EXPECT_EQ(ngrams("\xE6\x97\xA5\xE6\x9C\xAC", 3, 3),
            (std::vector<std::string>{"<\xE6\x97\xA5\xE6\x9C\xAC", "\xE6\x97\xA5\xE6\x9C\xAC>"}));
}

TEST(SubwordIndex, OwnRowThenHashedNgramRowsPerWord) {
  const Vocabulary vocab = Vocabulary::from_words({"where", "go"}, {5, 3});
  const SubwordSettings s{3, 6, 1000};
  const SubwordIndex index(vocab, s);
  ASSERT_EQ(index.words(), 2u);
  for (std::size_t w = 0; w < 2; ++w) {
    const auto rows = index.rows(w);
    const auto grams = ngrams(vocab.word(w), 3, 6);
    ASSERT_EQ(rows.size(), grams.size() + 1);
    EXPECT_EQ(rows[0], w);
    for (std::size_t g = 0; g < grams.size(); ++g) {
      EXPECT_EQ(rows[g + 1], 2 + fasttext_hash(grams[g]) % 1000) << grams[g];
    }
  }
  EXPECT_EQ(index.max_rows(), 15u);
}

TEST(SubwordIndex, KeepsRepeatedNgramsAsFasttextDoes) {
  // "aaaa" framed has "aaa" twice; a bucket of 1 sends every n-gram to one row.
  const Vocabulary vocab = Vocabulary::from_words({"aaaa"}, {1});
  const SubwordIndex index(vocab, {3, 3, 1});
  const auto rows = index.rows(0);
  EXPECT_EQ(std::vector<std::uint32_t>(rows.begin(), rows.end()),
            (std::vector<std::uint32_t>{0, 1, 1, 1, 1}));  // <aa aaa aaa aa>
}

TEST(ComposeWordVector, MeanOfOwnRowAndNgramRowsOrNgramsAloneOutOfVocabulary) {
  const Vocabulary vocab = Vocabulary::from_words({"go", "where"}, {5, 3});
  const SubwordSettings s{3, 4, 7};
  Matrix input(vocab.size() + s.bucket, 3);
  for (std::size_t r = 0; r < input.rows(); ++r) {
    for (std::size_t t = 0; t < 3; ++t) input.row(r)[t] = static_cast<float>(r * 10 + t);
  }
  const auto mean_of = [&](const std::vector<std::uint32_t>& rows) {
    std::vector<float> m(3, 0.0f);
    for (const auto r : rows) {
      for (std::size_t t = 0; t < 3; ++t) m[t] += input.row(r)[t] / static_cast<float>(rows.size());
    }
    return m;
  };
  const Matrix all = composed_word_vectors(input, vocab, s);
  const SubwordIndex index(vocab, s);
  for (std::size_t w = 0; w < vocab.size(); ++w) {
    const auto rows = index.rows(w);
    const auto want = mean_of({rows.begin(), rows.end()});
    std::vector<float> got(3);
    EXPECT_EQ(compose_word_vector(input, vocab.size(), s, vocab.word(w),
                                  static_cast<std::int32_t>(w), got.data()),
              rows.size());
    for (std::size_t t = 0; t < 3; ++t) {
      EXPECT_NEAR(got[t], want[t], 1e-4);
      EXPECT_NEAR(all.row(w)[t], want[t], 1e-4);
    }
  }
  // Out of the vocabulary: its n-grams' rows only.
  std::vector<std::uint32_t> rows;
  append_ngram_rows("gone", vocab.size(), s, rows);
  ASSERT_EQ(rows.size(), 7u);  // <go <gon gon gone one one> ne>
  const auto want = mean_of(rows);
  std::vector<float> got(3);
  EXPECT_EQ(compose_word_vector(input, vocab.size(), s, "gone", Vocabulary::kAbsent, got.data()),
            7u);
  for (std::size_t t = 0; t < 3; ++t) EXPECT_NEAR(got[t], want[t], 1e-4);
  // Subwords off: an absent word has no rows.
  EXPECT_EQ(compose_word_vector(input, vocab.size(), SubwordSettings{3, 0, 7}, "gone",
                                Vocabulary::kAbsent, got.data()),
            0u);
  EXPECT_EQ(got, std::vector<float>(3, 0.0f));
}

}  // namespace
}  // namespace w2v
