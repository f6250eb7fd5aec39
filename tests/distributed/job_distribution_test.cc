// Rank 0 hands the others the vocabulary and their share of the corpus.

#include "core/distributed/job_distribution.h"

#include <gtest/gtest.h>

#include "support/in_process_communicator.h"
#include "support/train_helpers.h"

namespace w2v::distributed {
namespace {

TEST(ShareBounds, ContiguousCoveringSharesCutAtSentenceEnds) {
  std::vector<std::uint32_t> ids;
  for (int s = 0; s < 50; ++s) {
    for (int w = 0; w <= s % 7; ++w) ids.push_back(static_cast<std::uint32_t>(w));
    ids.push_back(kSentenceEnd);
  }
  for (int members : {1, 2, 3, 7, 200}) {
    std::size_t expect_begin = 0;
    for (int r = 0; r < members; ++r) {
      const auto [begin, end] = share_bounds(ids, r, members);
      EXPECT_EQ(begin, expect_begin) << members << ' ' << r;
      EXPECT_LE(begin, end);
      if (begin > 0 && begin < ids.size()) {
        EXPECT_EQ(ids[begin - 1], kSentenceEnd);
      }
      expect_begin = end;
    }
    EXPECT_EQ(expect_begin, ids.size()) << members;
  }
  const auto [b, e] = share_bounds(ids, 0, 2);
  EXPECT_NEAR(static_cast<double>(e - b), ids.size() / 2.0, 9);  // about half
}

TEST(JobDistribution, EveryMemberGetsRankZerosVocabularyAndItsShare) {
  const std::string text = "a b c a b a\nd a b\nc c a e\nb a\nf a b c\n";
  TrainParams p;
  p.min_count = 1;
  const Vocabulary vocab = testing::vocabulary_of(text, p);
  const EncodedCorpus corpus = EncodedCorpus::encode_text(text, vocab);

  testing::InProcessGroup group(3);
  std::vector<std::vector<std::uint32_t>> shares(3);
  std::vector<Vocabulary> vocabs(3);
  group.run([&](Communicator& comm) {
    const bool root = comm.rank() == 0;
    vocabs[comm.rank()] = broadcast_vocabulary(comm, root ? &vocab : nullptr);
    const EncodedCorpus share = scatter_corpus(comm, root ? &corpus : nullptr);
    shares[comm.rank()].assign(share.ids().begin(), share.ids().end());
  });
  std::vector<std::uint32_t> joined;
  for (int r = 0; r < 3; ++r) {
    ASSERT_EQ(vocabs[r].size(), vocab.size());
    for (std::size_t i = 0; i < vocab.size(); ++i) {
      EXPECT_EQ(vocabs[r].word(i), vocab.word(i));
      EXPECT_EQ(vocabs[r].count(i), vocab.count(i));
    }
    EXPECT_EQ(vocabs[r].total_count(), vocab.total_count());
    EXPECT_FALSE(shares[r].empty());
    joined.insert(joined.end(), shares[r].begin(), shares[r].end());
  }
  EXPECT_EQ(joined, std::vector<std::uint32_t>(corpus.ids().begin(), corpus.ids().end()));
}

TEST(JobDistribution, OnlyRankZeroPassesTheVocabulary) {
  testing::InProcessGroup group(1);
  group.run([&](Communicator& comm) {
    EXPECT_THROW(broadcast_vocabulary(comm, nullptr), std::invalid_argument);
  });
}

}  // namespace
}  // namespace w2v::distributed
