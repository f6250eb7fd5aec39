// Counting in bounded memory: the counts equal an in-memory count whether or not the table
// spilled (and whether a partition had to be split again), the table stays within its budget,
// and a full disk while spilling fails cleanly with nothing left behind.

#include "core/text/spilling_word_counter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/base/atomic_file.h"
#include "core/text/word_counts.h"
#include "support/temp_dir.h"

namespace w2v {
namespace {

// A text of `tokens` tokens over `distinct` words with a skewed (Zipf-like) frequency, and
// sentence ends now and then; the same for a seed.
struct Text {
  std::vector<std::string> words;
  std::vector<bool> sentence_end_after;
};
Text skewed_text(std::size_t tokens, std::size_t distinct, unsigned seed, double skew = 3) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Text t;
  for (std::size_t i = 0; i < tokens; ++i) {
    // u^3 puts most tokens on the first words, and still reaches the rare ones; u^1 is uniform.
    const auto w = static_cast<std::size_t>(std::pow(u(rng), skew) * static_cast<double>(distinct));
    t.words.push_back("w" + std::to_string(w) + (w % 7 == 0 ? "-a-longer-tail-of-bytes" : ""));
    t.sentence_end_after.push_back(u(rng) < 0.01);
  }
  return t;
}

WordCounts in_memory(const Text& t) {
  WordCounts wc;
  for (std::size_t i = 0; i < t.words.size(); ++i) {
    wc.add(t.words[i]);
    if (t.sentence_end_after[i]) wc.end_sentence();
  }
  return wc;
}

struct Counted {
  SpillingWordCounter::Totals totals;
  WordCounts loaded;
  std::size_t spills_before_merge = 0;
  std::size_t spills = 0;
  std::size_t largest_table = 0;
  std::size_t largest_allowance = 0;
};
Counted count_spilling(const Text& t, SharedMemoryBudget& budget, const testing::TempDir& dir) {
  SpillingWordCounter counter(budget, dir.file("run-"));
  Counted c;
  for (std::size_t i = 0; i < t.words.size(); ++i) {
    counter.add(t.words[i]);
    if (t.sentence_end_after[i]) counter.end_sentence();
    c.largest_table = std::max(c.largest_table, counter.memory_bytes());
    c.largest_allowance = std::max(c.largest_allowance, counter.allowance());
  }
  c.spills_before_merge = counter.spills();
  {
    AtomicFile out(dir.file("counts"));
    c.totals = counter.write_counts(out);
    out.commit();
  }
  c.spills = counter.spills();
  std::ifstream in(dir.file("counts"), std::ios::binary);
  c.loaded = WordCounts::load(in);
  return c;
}

void expect_same_counts(const WordCounts& expected, const WordCounts& got) {
  ASSERT_EQ(got.distinct(), expected.distinct());
  EXPECT_EQ(got.tokens(), expected.tokens());
  EXPECT_EQ(got.sentences(), expected.sentences());
  for (std::uint32_t id = 0; id < expected.distinct(); ++id) {
    ASSERT_EQ(got.count_of(expected.word(id)), expected.count(id)) << expected.word(id);
  }
}

std::size_t files_in(const std::string& dir) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                                std::filesystem::directory_iterator()));
}

TEST(SpillingWordCounter, WithoutSpillingWritesWhatWordCountsSaves) {
  const Text t = skewed_text(20000, 3000, 1);
  testing::TempDir dir("count-nospill");
  SharedMemoryBudget budget(64 << 20);
  const Counted c = count_spilling(t, budget, dir);
  EXPECT_EQ(c.spills, 0u);
  const WordCounts expected = in_memory(t);
  expect_same_counts(expected, c.loaded);
  EXPECT_EQ(c.totals.distinct, expected.distinct());
  EXPECT_EQ(c.totals.tokens, expected.tokens());
  EXPECT_EQ(c.totals.sentences, expected.sentences());
  // First-occurrence order, as WordCounts keeps it.
  for (std::uint32_t id = 0; id < expected.distinct(); ++id) {
    ASSERT_EQ(c.loaded.word(id), expected.word(id));
  }
  EXPECT_EQ(files_in(dir.path()), 1u);  // the counts file alone
}

TEST(SpillingWordCounter, SpilledCountsAreExactAndTheTableStaysWithinItsBudget) {
  // About 200,000 distinct words in 1 MiB (nothing to take from the shared budget): dozens of
  // spills.
  const Text t = skewed_text(600000, 200000, 2);
  testing::TempDir dir("count-spill");
  SharedMemoryBudget budget(0);
  const Counted c = count_spilling(t, budget, dir);
  EXPECT_GT(c.spills, 10u);
  // The merge wrote the rest of the table as one more run, and no partition had to be split.
  EXPECT_EQ(c.spills, c.spills_before_merge + 1) << "every partition fits: no nested spill";
  // A table spills before it passes a third of the budget; the growth that may follow doubles
  // it at most, and the moment of growth holds old and new: within the budget.
  EXPECT_EQ(c.largest_allowance, SpillingWordCounter::kMinMemoryBytes);
  EXPECT_LE(c.largest_table, SpillingWordCounter::kMinMemoryBytes * 2 / 3);
  expect_same_counts(in_memory(t), c.loaded);
  EXPECT_EQ(files_in(dir.path()), 1u) << "the runs are removed";
}

TEST(SpillingWordCounter, APartitionTooLargeForTheBudgetIsSplitAgain) {
  // Far more distinct words than 64 partitions of a 1 MiB table hold: the merge of a partition
  // spills too, into partitions of its own.
  // Uniform over 800,000 words: about 570,000 distinct, 8,900 a partition against tables of
  // about 5,000.
  const Text t = skewed_text(1000000, 800000, 3, 1);
  testing::TempDir dir("count-nested");
  SharedMemoryBudget budget(0);
  const Counted c = count_spilling(t, budget, dir);
  const WordCounts expected = in_memory(t);
  expect_same_counts(expected, c.loaded);
  EXPECT_GT(c.spills_before_merge, 0u);
  EXPECT_GT(c.spills, c.spills_before_merge + 1) << "no partition was split again";
  EXPECT_EQ(files_in(dir.path()), 1u);
}

TEST(SpillingWordCounter, CountedOccurrencesAddUp) {
  testing::TempDir dir("count-weights");
  SharedMemoryBudget budget(0);
  SpillingWordCounter counter(budget, dir.file("run-"));
  counter.add("alpha", 3);
  counter.add("beta");
  counter.add("alpha", 2);
  AtomicFile out(dir.file("counts"));
  const auto totals = counter.write_counts(out);
  out.commit();
  EXPECT_EQ(totals.distinct, 2u);
  EXPECT_EQ(totals.tokens, 6u);
  std::ifstream in(dir.file("counts"), std::ios::binary);
  const WordCounts wc = WordCounts::load(in);
  EXPECT_EQ(wc.count_of("alpha"), 5u);
  EXPECT_EQ(wc.count_of("beta"), 1u);
}

// Two counters drawing on one budget, as concurrent uploads do: together they never hold more
// than it, each counts exactly, and everything taken is given back.
TEST(SpillingWordCounter, CountersSharingABudgetStayWithinItTogether) {
  const Text a = skewed_text(300000, 100000, 5), b = skewed_text(300000, 100000, 6);
  testing::TempDir dir("count-shared");
  SharedMemoryBudget budget(3 << 20);
  {
    SpillingWordCounter first(budget, dir.file("a-")), second(budget, dir.file("b-"));
    std::size_t most_taken = 0;
    for (std::size_t i = 0; i < a.words.size(); ++i) {
      first.add(a.words[i]);
      if (a.sentence_end_after[i]) first.end_sentence();
      second.add(b.words[i]);
      if (b.sentence_end_after[i]) second.end_sentence();
      ASSERT_LE(budget.used(), budget.limit());
      most_taken = std::max(most_taken, budget.used());
    }
    EXPECT_GT(most_taken, budget.limit() / 2) << "the counters used the budget";
    EXPECT_GT(first.spills() + second.spills(), 0u);
    for (auto* counter : {&first, &second}) {
      AtomicFile out(dir.file(counter == &first ? "counts-a" : "counts-b"));
      counter->write_counts(out);
      out.commit();
    }
  }
  EXPECT_EQ(budget.used(), 0u) << "everything taken is given back";
  for (const auto& [name, text] : {std::pair{"counts-a", &a}, std::pair{"counts-b", &b}}) {
    std::ifstream in(dir.file(name), std::ios::binary);
    expect_same_counts(in_memory(*text), WordCounts::load(in));
  }
}

// A full disk while a run is written: add() throws what the file layer throws (a disk-full
// std::system_error), and once the counter is gone nothing it wrote is left.
TEST(SpillingWordCounter, AFullDiskWhileSpillingFailsAndLeavesNothingBehind) {
  const Text t = skewed_text(300000, 100000, 4);
  for (const std::uint64_t room :
       {std::uint64_t{0}, std::uint64_t{200000}, std::uint64_t{2000000}}) {
    testing::TempDir dir("count-full");
    bool failed = false;
    SharedMemoryBudget budget(0);
    {
      SpillingWordCounter counter(budget, dir.file("run-"));
      inject_disk_full_after(room);
      try {
        for (const auto& w : t.words) counter.add(w);
        AtomicFile out(dir.file("counts"));
        counter.write_counts(out);
        out.commit();
      } catch (const std::exception& e) {
        failed = true;
        EXPECT_TRUE(is_disk_full(e)) << e.what();
      }
      inject_disk_full_after(std::nullopt);
    }
    EXPECT_TRUE(failed) << "with " << room << " bytes of room";
    EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "with " << room << " bytes of room";
  }
}

}  // namespace
}  // namespace w2v
