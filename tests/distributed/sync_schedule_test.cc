// The hot/cold averaging schedule and the global word count the learning rate follows.

#include "core/distributed/sync_schedule.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/distributed/global_word_count.h"

namespace w2v::distributed {
namespace {

TEST(SyncSchedule, HotRowsEveryRoundRarerRowsExponentiallyLessOften) {
  const SyncSchedule s(10'000, 100);
  // Levels of 100, 200, 400, ... rows: prefixes ending at 100, 300, 700, 1500, 3100, 6300, all.
  ASSERT_EQ(s.levels(), 7u);
  EXPECT_EQ(s.rows_in_round(1), 100u);
  EXPECT_EQ(s.rows_in_round(2), 300u);
  EXPECT_EQ(s.rows_in_round(3), 100u);
  EXPECT_EQ(s.rows_in_round(4), 700u);
  EXPECT_EQ(s.rows_in_round(8), 1500u);
  EXPECT_EQ(s.rows_in_round(32), 6300u);
  EXPECT_EQ(s.rows_in_round(64), 10'000u);
  EXPECT_EQ(s.rows_in_round(128), 10'000u);
  EXPECT_EQ(s.rows_in_round(0), 10'000u);

  // Over a cycle of 64 rounds: how often each row is averaged.
  std::vector<int> times(10'000, 0);
  for (std::uint64_t r = 1; r <= 64; ++r) {
    for (std::size_t i = 0; i < s.rows_in_round(r); ++i) ++times[i];
  }
  EXPECT_EQ(times[0], 64);
  EXPECT_EQ(times[99], 64);
  EXPECT_EQ(times[100], 32);
  EXPECT_EQ(times[299], 32);
  EXPECT_EQ(times[300], 16);
  EXPECT_EQ(times[3100], 2);
  EXPECT_EQ(times[9999], 1);
  for (std::size_t i = 1; i < times.size(); ++i) ASSERT_LE(times[i], times[i - 1]) << i;

  double rows = 0;
  for (int t : times) rows += t;
  EXPECT_DOUBLE_EQ(s.mean_rows_per_round(), rows / 64);
  EXPECT_LT(s.mean_rows_per_round(), 10'000.0 / 10);  // far less than everything every round
}

TEST(SyncSchedule, SmallAndDegenerateMatrices) {
  const SyncSchedule small(50, 1024);
  EXPECT_EQ(small.levels(), 1u);
  EXPECT_EQ(small.rows_in_round(1), 50u);
  EXPECT_EQ(small.rows_in_round(7), 50u);
  const SyncSchedule empty(0, 8);
  EXPECT_EQ(empty.rows_in_round(3), 0u);
  EXPECT_THROW(SyncSchedule(10, 0), std::invalid_argument);
  // Huge vocabularies: levels stay bounded and the last one reaches every row.
  const SyncSchedule huge(100'000'000, 1);
  EXPECT_EQ(huge.rows_in_round(std::uint64_t{1} << (huge.levels() - 1)), 100'000'000u);
}

TEST(GlobalWordCount, FollowsTheGlobalCountBetweenRounds) {
  GlobalWordCount c(4, 1'000'000);
  c.on_round(0, 0);
  EXPECT_DOUBLE_EQ(c.fraction(1000), 4000.0 / 1'000'001);  // others assumed at this pace
  // A round finds 100,000 words done globally while this member had done 20,000 (it is slow):
  // the schedule jumps to the global count, not to 4 × 20,000.
  c.on_round(20'000, 100'000);
  EXPECT_DOUBLE_EQ(c.estimate(20'000), 100'000);
  EXPECT_DOUBLE_EQ(c.fraction(21'000), 104'000.0 / 1'000'001);
  EXPECT_EQ(c.local(), 21'000u);
  c.fraction(20'500);  // an older worker's count never lowers the recorded one
  EXPECT_EQ(c.local(), 21'000u);
  c.on_round(21'000, 2'000'000);
  EXPECT_DOUBLE_EQ(c.fraction(21'000), 1.0);  // clamped
}

}  // namespace
}  // namespace w2v::distributed
