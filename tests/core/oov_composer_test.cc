// The out-of-vocabulary composer (core/train/oov_composer.h): a word's vector is fastText's mean
// of its n-gram rows, bit-equal to compose_word_vector's; a word with no n-gram a vocabulary
// word shares (or no n-gram at all) gets none; its bytes are the bucket rows and the bucket bits.

#include "core/train/oov_composer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base/matrix.h"
#include "core/train/subword_vectors.h"
#include "core/vocab/subword_ngrams.h"
#include "core/vocab/vocabulary.h"
#include "support/ngram_rows_of.h"

namespace w2v {
namespace {

const std::vector<std::string_view> kWords = {"walk", "walks", "talking", "house"};

Matrix random_input(std::size_t rows, std::size_t dim) {
  Matrix m(rows, dim);
  m.fill_uniform(-1.0f, 1.0f, 7);
  return m;
}

Matrix copy_of(const Matrix& m) {
  Matrix out(m.rows(), m.cols());
  for (std::size_t r = 0; r < m.rows(); ++r) {
    std::copy(m.row(r), m.row(r) + m.cols(), out.row(r));
  }
  return out;
}

TEST(OovComposer, VectorIsComposeWordVectorOfAnAbsentWord) {
  const SubwordSettings s{3, 6, 5000};
  const std::size_t dim = 19;
  const Matrix input = random_input(kWords.size() + s.bucket, dim);
  const OovComposer composer(testing::ngram_rows_of(copy_of(input), kWords.size(), s), kWords);
  for (const std::string word : {"walking", "talked", "houses", "walk"}) {
    std::vector<float> got(dim), want(dim);
    ASSERT_TRUE(composer.compose(word, got)) << word;
    const std::size_t rows =
        compose_word_vector(input, kWords.size(), s, word, Vocabulary::kAbsent, want.data());
    EXPECT_GT(rows, 0u);
    EXPECT_EQ(got, want) << word;  // the same sum in the same order
  }
}

TEST(OovComposer, NoKnownNgramMeansNoVector) {
  // A bucket large enough that the vocabulary's n-grams cover few of them: "qqqqzzzz" shares
  // no n-gram with any word, and none of its buckets collides with theirs (checked below).
  const SubwordSettings s{3, 6, 200'000};
  const std::size_t dim = 4;
  const OovComposer composer(
      testing::ngram_rows_of(random_input(kWords.size() + s.bucket, dim), kWords.size(), s),
      kWords);
  std::vector<std::uint64_t> vocab_buckets;
  for (const auto& w : kWords) {
    for_each_ngram(w, s.minn, s.maxn, [&](std::string_view g) {
      vocab_buckets.push_back(fasttext_hash(g) % s.bucket);
    });
  }
  bool collides = false;
  for_each_ngram("qqqqzzzz", s.minn, s.maxn, [&](std::string_view g) {
    const std::uint64_t b = fasttext_hash(g) % s.bucket;
    for (const auto v : vocab_buckets) collides = collides || v == b;
  });
  ASSERT_FALSE(collides);
  std::vector<float> out(dim);
  EXPECT_FALSE(composer.compose("qqqqzzzz", out));
  // One shared n-gram ("<wa") is enough.
  EXPECT_TRUE(composer.compose("wa", out));
}

TEST(OovComposer, WordWithNoNgramHasNoVector) {
  // minn 5: "<ab>" has 4 characters, so "ab" has no n-gram at all.
  const SubwordSettings s{5, 6, 1000};
  const OovComposer composer(
      testing::ngram_rows_of(random_input(kWords.size() + s.bucket, 8), kWords.size(), s), kWords);
  std::vector<float> out(8);
  EXPECT_FALSE(composer.compose("ab", out));
  EXPECT_FALSE(composer.compose("", out));
}

TEST(OovComposer, CountsItsBucketRowsAndBits) {
  const SubwordSettings s{3, 5, 1000};
  const std::size_t dim = 20;  // stride 32 in a Matrix, 20 in a mapped state file
  const OovComposer composer(
      testing::ngram_rows_of(random_input(kWords.size() + s.bucket, dim), kWords.size(), s),
      kWords);
  EXPECT_EQ(composer.memory_bytes(), s.bucket * 32 * sizeof(float) + 16 * sizeof(std::uint64_t));
  EXPECT_EQ(OovComposer::estimate_memory_bytes(dim, s),
            s.bucket * dim * sizeof(float) + 16 * sizeof(std::uint64_t));
}

TEST(OovComposer, RefusesRowsThatDoNotFit) {
  const SubwordSettings s{3, 5, 1000};
  // Fewer rows than the words and buckets, or no subwords: no n-gram rows to compose from.
  EXPECT_THROW(
      OovComposer(testing::ngram_rows_of(random_input(s.bucket, 4), kWords.size(), s), kWords),
      std::invalid_argument);
  EXPECT_THROW(OovComposer(testing::ngram_rows_of(random_input(kWords.size() + 1000, 4),
                                                  kWords.size(), SubwordSettings{}),
                           kWords),
               std::invalid_argument);
}

}  // namespace
}  // namespace w2v
