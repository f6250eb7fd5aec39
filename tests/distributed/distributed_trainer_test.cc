// Distributed training over the in-process communicator: the same structure learned as by one
// process, identical weights everywhere, global progress, epoch-end syncs, cancellation and
// failures reaching every member.

#include "core/distributed/distributed_trainer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <mutex>
#include <thread>

#include "core/distributed/job_distribution.h"
#include "distributed/planted_band.h"
#include "support/in_process_communicator.h"
#include "support/train_helpers.h"

namespace w2v::distributed {
namespace {

using testing::InProcessGroup;

const testing::PlantedCorpus& planted() {
  static const testing::PlantedCorpus c = testing::make_planted_corpus();
  return c;
}

struct PlantedSetup {
  TrainParams params = testing::planted_params();
  Vocabulary vocab;
  EncodedCorpus corpus;
  PlantedSetup() {
    params.threads = 1;
    vocab = testing::vocabulary_of(planted().text, params);
    corpus = EncodedCorpus::encode_text(planted().text, vocab);
  }
  // Member `rank`'s share; `weight0` > 0 gives member 0 that fraction of the corpus instead.
  EncodedCorpus share(int rank, int members, double weight0 = 0) const {
    const auto ids = corpus.ids();
    std::size_t begin = 0, end = ids.size();
    if (weight0 > 0) {
      auto cut = static_cast<std::size_t>(ids.size() * weight0);
      while (cut < ids.size() && ids[cut - 1] != kSentenceEnd) ++cut;
      (rank == 0 ? end : begin) = cut;
    } else {
      const std::vector<std::size_t> cuts = share_cuts(ids, members);
      begin = cuts[rank];
      end = cuts[rank + 1];
    }
    return EncodedCorpus::from_ids({ids.begin() + begin, ids.begin() + end});
  }
};

bool same_matrix(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

double checksum(const ModelWeights& w) {
  double s = 0;
  for (std::size_t i = 0; i < w.input.rows(); ++i) s += w.input.row(i)[i % w.input.cols()];
  for (std::size_t i = 0; i < w.output.rows(); ++i) s += w.output.row(i)[0];
  return s;
}

struct MemberResult {
  ModelWeights weights;
  DistributedResult result;
  std::vector<TrainProgress> progress;
  std::vector<std::pair<int, double>> epoch_ends;  // epoch, checksum
  std::thread::id progress_thread, caller_thread;
  std::string error;
};

std::vector<MemberResult> train_members(const PlantedSetup& s, int members,
                                        const TrainParams& params, double weight0 = 0,
                                        const TrainHooks& extra = {}, int failing_rank = -1) {
  InProcessGroup group(members);
  std::vector<MemberResult> out(members);
  group.run([&](Communicator& comm) {
    MemberResult& m = out[comm.rank()];
    m.caller_thread = std::this_thread::get_id();
    const EncodedCorpus share = s.share(comm.rank(), members, weight0);
    // Every member but rank 0 starts from other weights: training must start from rank 0's.
    TrainParams own = params;
    own.seed = params.seed + static_cast<std::uint64_t>(comm.rank());
    m.weights = make_initial_weights(s.vocab.size(), own);
    TrainHooks hooks;
    hooks.cancel = comm.rank() == 1 ? extra.cancel : nullptr;
    hooks.progress_interval = std::chrono::milliseconds(50);
    hooks.on_progress = [&](const TrainProgress& p) {
      m.progress.push_back(p);
      m.progress_thread = std::this_thread::get_id();
      if (comm.rank() == 1 && extra.on_progress) extra.on_progress(p);
    };
    hooks.on_epoch_end = [&](int epoch, const ModelWeights& w) {
      m.epoch_ends.emplace_back(epoch, checksum(w));
      if (comm.rank() == failing_rank) throw std::runtime_error("disk full on rank 1");
    };
    DistributedOptions options;
    options.sync_period = std::chrono::milliseconds(20);
    options.hot_rows = 16;
    try {
      m.result = train_distributed(comm, share, s.vocab, params, m.weights, hooks, options);
    } catch (const std::exception& e) {
      m.error = e.what();
    }
  });
  return out;
}

TEST(DistributedTrainer, TwoMembersLearnThePlantedStructureLikeOneProcess) {
  const PlantedSetup s;
  TrainParams one = s.params;
  one.threads = 2;  // the same total threads as two members of one thread
  const auto single = testing::train_text(planted().text, one);
  const auto q1 = testing::measure(testing::embeddings_of(single), planted());

  const auto members = train_members(s, 2, s.params);
  for (const auto& m : members) ASSERT_EQ(m.error, "");
  testing::Trained t{s.vocab, members[0].weights};
  const auto q2 = testing::measure(testing::embeddings_of(t), planted());
  testing::expect_same_band(q1, q2, "two members");

  // The same weights on both members, bit for bit.
  EXPECT_TRUE(same_matrix(members[0].weights.input, members[1].weights.input));
  EXPECT_TRUE(same_matrix(members[0].weights.output, members[1].weights.output));

  for (const auto& m : members) {
    const DistributedStats& st = m.result.stats;
    EXPECT_EQ(m.result.outcome, TrainOutcome::kCompleted);
    EXPECT_EQ(st.full_syncs, static_cast<std::uint64_t>(s.params.epochs));
    EXPECT_GT(st.rounds, 0u);
    EXPECT_GT(st.allreduce_bytes, 0u);
    // Global progress, reported on the calling thread: every member's words, ending at the total.
    ASSERT_FALSE(m.progress.empty());
    EXPECT_EQ(m.progress_thread, m.caller_thread);
    const TrainProgress& last = m.progress.back();
    EXPECT_EQ(last.words_total, s.corpus.words() * s.params.epochs);
    EXPECT_EQ(last.words_done, last.words_total);
    EXPECT_EQ(last.epoch, s.params.epochs);
    for (std::size_t i = 1; i < m.progress.size(); ++i) {
      EXPECT_GE(m.progress[i].words_done, m.progress[i - 1].words_done);
      EXPECT_LE(m.progress[i].alpha, m.progress[i - 1].alpha);
    }
    EXPECT_EQ(st.local_words, s.share(&m == &members[0] ? 0 : 1, 2).words() * s.params.epochs);
  }
  // Each epoch end saw the same synchronised model on both members.
  ASSERT_EQ(members[0].epoch_ends.size(), static_cast<std::size_t>(s.params.epochs));
  EXPECT_EQ(members[0].epoch_ends, members[1].epoch_ends);
}

TEST(DistributedTrainer, UnequalSharesWaitForEachOtherAtEpochEnds) {
  const PlantedSetup s;
  TrainParams p = s.params;
  p.epochs = 2;
  const auto members = train_members(s, 3, p, /*weight0=*/0.8);
  for (const auto& m : members) {
    ASSERT_EQ(m.error, "");
    EXPECT_EQ(m.result.stats.full_syncs, 2u);
    EXPECT_EQ(m.epoch_ends.size(), 2u);
  }
  EXPECT_TRUE(same_matrix(members[0].weights.input, members[2].weights.input));
  EXPECT_EQ(members[0].epoch_ends, members[1].epoch_ends);
  // Members with a small share spend the epoch in periodic rounds with the busy one.
  EXPECT_GT(members[1].result.stats.rounds, 0u);
}

// A corpus of fewer words than members: the members with no word train nothing but take part in
// every round and epoch end, and end with the same weights as the others.
TEST(DistributedTrainer, MembersWithNoWordsTakePartInEveryEpochEnd) {
  TrainParams p = testing::planted_params();
  p.threads = 1;
  p.epochs = 3;
  const std::string text = "alpha beta";
  const Vocabulary vocab = testing::vocabulary_of(text, p);
  const EncodedCorpus corpus = EncodedCorpus::encode_text(text, vocab);
  constexpr int kMembers = 4;
  const std::vector<std::size_t> cuts = share_cuts(corpus.ids(), kMembers);
  InProcessGroup group(kMembers);
  std::vector<MemberResult> out(kMembers);
  group.run([&](Communicator& comm) {
    MemberResult& m = out[comm.rank()];
    const auto ids =
        corpus.ids().subspan(cuts[comm.rank()], cuts[comm.rank() + 1] - cuts[comm.rank()]);
    const EncodedCorpus share = EncodedCorpus::from_ids({ids.begin(), ids.end()});
    m.weights = make_initial_weights(vocab.size(), p);
    TrainHooks hooks;
    hooks.on_epoch_end = [&](int epoch, const ModelWeights& w) {
      m.epoch_ends.emplace_back(epoch, checksum(w));
    };
    try {
      m.result = train_distributed(comm, share, vocab, p, m.weights, hooks);
    } catch (const std::exception& e) {
      m.error = e.what();
    }
  });
  std::uint64_t words = 0;
  for (int r = 0; r < kMembers; ++r) {
    const MemberResult& m = out[r];
    ASSERT_EQ(m.error, "") << "rank " << r;
    EXPECT_EQ(m.result.outcome, TrainOutcome::kCompleted);
    EXPECT_EQ(m.result.stats.full_syncs, 3u);
    EXPECT_EQ(m.epoch_ends, out[0].epoch_ends);
    EXPECT_TRUE(same_matrix(m.weights.input, out[0].weights.input));
    words += m.result.stats.local_words;
  }
  EXPECT_EQ(words, 2u * 3u);
  EXPECT_EQ(out[0].epoch_ends.size(), 3u);
}

TEST(DistributedTrainer, HierarchicalSoftmaxAndCbowTrainToIdenticalWeights) {
  const PlantedSetup s;
  TrainParams p = s.params;
  p.epochs = 2;
  p.loss = LossType::kHierarchicalSoftmax;
  p.model = ModelType::kCbow;
  const PlantedSetup hs_setup;
  const auto members = train_members(hs_setup, 2, p);
  for (const auto& m : members) ASSERT_EQ(m.error, "");
  EXPECT_TRUE(same_matrix(members[0].weights.output, members[1].weights.output));
  testing::Trained t{s.vocab, members[0].weights};
  EXPECT_GE(testing::measure(testing::embeddings_of(t), planted()).precision_at_5, 0.8);
}

TEST(DistributedTrainer, CancelOnOneMemberCancelsAll) {
  const PlantedSetup s;
  TrainParams p = s.params;
  p.epochs = 1000;  // far longer than the test
  std::atomic<bool> cancel{false};
  TrainHooks extra;
  extra.cancel = &cancel;
  extra.on_progress = [&](const TrainProgress& pr) {
    if (pr.words_done > 0) cancel.store(true);
  };
  const auto start = std::chrono::steady_clock::now();
  const auto members = train_members(s, 2, p, 0, extra);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  for (const auto& m : members) {
    EXPECT_EQ(m.error, "");
    EXPECT_EQ(m.result.outcome, TrainOutcome::kCancelled);
  }
}

TEST(DistributedTrainer, AFailureOnOneMemberStopsAllAndNamesIt) {
  const PlantedSetup s;
  TrainParams p = s.params;
  p.epochs = 1000;
  const auto members = train_members(s, 3, p, 0, {}, /*failing_rank=*/1);
  EXPECT_EQ(members[1].error, "disk full on rank 1");
  EXPECT_EQ(members[0].error, "training stopped: rank 1 failed");
  EXPECT_EQ(members[2].error, "training stopped: rank 1 failed");
}

TEST(DistributedTrainer, MembersThatDisagreeOnParametersRefuseOnEveryMember) {
  const PlantedSetup s;
  InProcessGroup group(2);
  std::vector<std::string> errors(2);
  group.run([&](Communicator& comm) {
    TrainParams p = s.params;
    if (comm.rank() == 1) p.window = 3;
    ModelWeights w = make_initial_weights(s.vocab.size(), p);
    try {
      train_distributed(comm, s.share(comm.rank(), 2), s.vocab, p, w);
    } catch (const std::invalid_argument& e) {
      errors[comm.rank()] = e.what();
    }
  });
  EXPECT_NE(errors[0].find("disagree"), std::string::npos);
  EXPECT_EQ(errors[0], errors[1]);
}

}  // namespace
}  // namespace w2v::distributed
