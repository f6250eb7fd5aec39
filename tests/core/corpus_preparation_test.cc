// The step between a corpus and training: counts from the text or from a counts file, the
// vocabulary (min_count, a parent's words), the empty-vocabulary error, and the encoded file
// written, kept and reused, or removed.

#include "core/train/corpus_preparation.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/text/word_counts.h"
#include "support/temp_dir.h"

namespace w2v {
namespace {

namespace fs = std::filesystem;

class CorpusPreparationTest : public ::testing::Test {
 protected:
  testing::TempDir tmp_{"corpus-prep"};
  std::string text_ = tmp_.file("text");
  std::string counts_ = tmp_.file("counts");
  std::string encoded_ = tmp_.file("encoded.bin");

  void SetUp() override {
    std::ofstream(text_) << "a a a b b c\na a b d\n";
    std::ofstream out(counts_, std::ios::binary);
    count_words_in_file(text_).save(out);
  }
  static TrainParams with_min_count(int min_count) {
    TrainParams p;
    p.min_count = min_count;
    return p;
  }
};

TEST_F(CorpusPreparationTest, CountsTheTextOrReadsItsCountsFileAlike) {
  for (const CorpusSource& source : {CorpusSource{text_, ""}, CorpusSource{text_, counts_}}) {
    const CorpusVocabulary v = corpus_vocabulary(source, with_min_count(2));
    EXPECT_EQ(v.tokens, 10u);
    EXPECT_EQ(v.sentences, 2u);
    ASSERT_EQ(v.vocab.size(), 2u);
    EXPECT_EQ(v.vocab.words()[0], "a");
    EXPECT_EQ(v.vocab.words()[1], "b");
  }
  // From the counts file only the words the vocabulary can take are read.
  EXPECT_EQ(corpus_vocabulary({text_, counts_}, with_min_count(2)).distinct, 2u);
  EXPECT_EQ(corpus_vocabulary({text_, ""}, with_min_count(2)).distinct, 4u);
}

TEST_F(CorpusPreparationTest, AParentKeepsItsRareWords) {
  ParentModel parent;
  parent.words = {"d", "x"};
  parent.input = Matrix(2, 4);
  const ContinuedFrom extend{parent, VocabularyMode::kExtend};
  const CorpusVocabulary v = corpus_vocabulary({text_, counts_}, with_min_count(4), &extend);
  EXPECT_EQ(v.vocab.size(), 3u);  // a (5 times), and the parent's d and x whatever their count
  const ContinuedFrom keep{parent, VocabularyMode::kKeep};
  EXPECT_EQ(corpus_vocabulary({text_, counts_}, with_min_count(4), &keep).vocab.size(), 2u);
}

TEST_F(CorpusPreparationTest, NoWordAtMinCountIsAnError) {
  try {
    corpus_vocabulary({text_, ""}, with_min_count(6));
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("min_count=6"), std::string::npos) << e.what();
  }
  EXPECT_THROW(corpus_vocabulary({text_, tmp_.file("missing")}, with_min_count(1)),
               std::runtime_error);
}

TEST_F(CorpusPreparationTest, ATemporaryEncodingIsRemovedOnceMapped) {
  const PreparedCorpus p = prepare_corpus({text_, ""}, with_min_count(2), encoded_);
  EXPECT_EQ(p.corpus.words(), 8u);  // the a's and b's
  EXPECT_FALSE(fs::exists(encoded_));
  EXPECT_EQ(p.corpus.ids().size(), 10u);  // and the two sentence ends
}

TEST_F(CorpusPreparationTest, AKeptEncodingIsReusedAndATornOneWrittenAgain) {
  const CorpusVocabulary v = corpus_vocabulary({text_, counts_}, with_min_count(2));
  EXPECT_EQ(encode_corpus(text_, v.vocab, encoded_, EncodedFile::kKept).words(), 8u);
  ASSERT_TRUE(fs::exists(encoded_));
  // Reused as it is: the text it came from is no longer read.
  fs::remove(text_);
  EXPECT_EQ(encode_corpus(text_, v.vocab, encoded_, EncodedFile::kKept).words(), 8u);
  // A torn file is encoded again from the text.
  std::ofstream(text_) << "a b\n";
  std::ofstream(encoded_, std::ios::trunc) << "torn";
  EXPECT_EQ(encode_corpus(text_, v.vocab, encoded_, EncodedFile::kKept).words(), 2u);
}

}  // namespace
}  // namespace w2v
