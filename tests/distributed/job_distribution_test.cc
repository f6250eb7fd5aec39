// Rank 0 hands the others the vocabulary and their share of the corpus.

#include "core/distributed/job_distribution.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <span>
#include <vector>

#include "support/in_process_communicator.h"
#include "support/train_helpers.h"

namespace w2v::distributed {
namespace {

std::uint64_t words_in(std::span<const std::uint32_t> ids) {
  return static_cast<std::uint64_t>(
      std::count_if(ids.begin(), ids.end(), [](std::uint32_t id) { return id != kSentenceEnd; }));
}

// share_cuts(ids, members) partitions ids into `members` contiguous shares whose word counts
// differ by at most one, each cut just before a word; returns the words of each share.
std::vector<std::uint64_t> expect_even_split(const std::vector<std::uint32_t>& ids, int members) {
  const std::vector<std::size_t> cuts = share_cuts(ids, members);
  EXPECT_EQ(cuts.size(), static_cast<std::size_t>(members) + 1);
  if (cuts.size() != static_cast<std::size_t>(members) + 1) return {};
  EXPECT_EQ(cuts.front(), 0u);
  EXPECT_EQ(cuts.back(), ids.size());
  std::vector<std::uint64_t> words;
  for (int r = 0; r < members; ++r) {
    EXPECT_LE(cuts[r], cuts[r + 1]) << members << " members, rank " << r;
    if (cuts[r] > cuts[r + 1]) return {};
    if (r > 0 && cuts[r] < ids.size()) {
      EXPECT_NE(ids[cuts[r]], kSentenceEnd) << "cut before a sentence end, rank " << r;
    }
    words.push_back(words_in(std::span(ids).subspan(cuts[r], cuts[r + 1] - cuts[r])));
  }
  const auto [least, most] = std::minmax_element(words.begin(), words.end());
  EXPECT_LE(*most - *least, 1u) << members << " members";
  EXPECT_EQ(std::accumulate(words.begin(), words.end(), std::uint64_t{0}), words_in(ids));
  return words;
}

TEST(ShareCuts, OneLineSplitsEvenly) {
  std::vector<std::uint32_t> ids;
  for (std::uint32_t w = 0; w < 1001; ++w) ids.push_back(w % 17);
  for (int members : {1, 2, 3, 7, 64}) expect_even_split(ids, members);
  ids.push_back(kSentenceEnd);  // a final line end changes nothing
  const auto words = expect_even_split(ids, 2);
  EXPECT_EQ(words, (std::vector<std::uint64_t>{500, 501}));
  EXPECT_EQ(share_cuts(ids, 2)[1], 500u);  // the middle of the line
}

TEST(ShareCuts, ManyShortLinesSplitEvenly) {
  std::vector<std::uint32_t> ids;
  for (int s = 0; s < 50; ++s) {
    for (int w = 0; w <= s % 7; ++w) ids.push_back(static_cast<std::uint32_t>(w));
    ids.push_back(kSentenceEnd);
  }
  for (int members : {1, 2, 3, 7, 200}) expect_even_split(ids, members);
  // One-word lines then one long line: equal in words, not in entries.
  std::vector<std::uint32_t> mixed;
  for (int s = 0; s < 300; ++s) mixed.insert(mixed.end(), {1, kSentenceEnd});
  for (int w = 0; w < 300; ++w) mixed.push_back(2);
  for (int members : {2, 3, 4}) expect_even_split(mixed, members);
  EXPECT_EQ(share_cuts(mixed, 2)[1], 600u);  // after the one-word lines
}

TEST(ShareCuts, EmptyLinesAreNoWords) {
  // Leading, repeated and trailing sentence ends, as from_ids accepts them.
  const std::vector<std::uint32_t> ids = {kSentenceEnd, kSentenceEnd, 1, kSentenceEnd,
                                          kSentenceEnd, kSentenceEnd, 2, 3,
                                          kSentenceEnd, kSentenceEnd, 4, kSentenceEnd};
  for (int members : {1, 2, 3, 4}) expect_even_split(ids, members);
  EXPECT_EQ(share_cuts(ids, 2), (std::vector<std::size_t>{0, 7, ids.size()}));
  // Encoding drops empty lines.
  TrainParams p;
  p.min_count = 1;
  const std::string text = "\n\n\na b\n\n\nc d e\n\n f \n\n";
  const EncodedCorpus corpus = EncodedCorpus::encode_text(text, testing::vocabulary_of(text, p));
  const std::vector<std::uint32_t> encoded(corpus.ids().begin(), corpus.ids().end());
  EXPECT_EQ(expect_even_split(encoded, 2), (std::vector<std::uint64_t>{3, 3}));
}

TEST(ShareCuts, FewerWordsThanMembersLeaveSomeSharesEmpty) {
  const std::vector<std::uint32_t> ids = {5, kSentenceEnd, 6};
  const auto words = expect_even_split(ids, 5);
  EXPECT_EQ(words, (std::vector<std::uint64_t>{0, 0, 1, 0, 1}));
  for (int members : {1, 2, 3}) expect_even_split(ids, members);
  EXPECT_EQ(share_cuts({}, 3), (std::vector<std::size_t>{0, 0, 0, 0}));
  const std::vector<std::uint32_t> no_words = {kSentenceEnd};
  EXPECT_EQ(expect_even_split(no_words, 2), (std::vector<std::uint64_t>{0, 0}));
  EXPECT_THROW(share_cuts(ids, 0), std::invalid_argument);
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
