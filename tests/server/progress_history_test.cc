// ProgressHistory keeps a bounded, evenly spaced series of progress reports, survives a
// round trip through JSON and the store, and forgets what a resume retrains.

#include "server/jobs/progress_history.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "server/store/store.h"
#include "support/temp_dir.h"

namespace w2v::server {
namespace {

TrainProgress report(std::uint64_t i, std::uint64_t total = 100000) {
  TrainProgress p;
  p.epochs = 4;
  p.words_done = i * 10;
  p.words_total = total;
  p.fraction = static_cast<double>(p.words_done) / static_cast<double>(total);
  p.epoch = 1 + static_cast<int>(p.fraction * 4 * 0.999999);
  p.loss = 1.0 / static_cast<double>(i + 1);
  p.words_per_sec = 1000 + static_cast<double>(i);
  p.alpha = 0.025 * (1 - p.fraction);
  p.elapsed_seconds = 0.5 * static_cast<double>(i);
  return p;
}

TEST(ProgressHistory, StaysBoundedAndEvenlySpacedOverAnyNumberOfReports) {
  for (std::uint64_t n : {1u, 7u, 8u, 9u, 100u, 1000u, 9999u}) {
    ProgressHistory h(8);
    for (std::uint64_t i = 0; i < n; ++i) h.add(report(i));
    const auto s = h.samples();
    ASSERT_FALSE(s.empty());
    EXPECT_LE(s.size(), 9u) << n;
    EXPECT_EQ(s.front().words_done, 0u);
    EXPECT_EQ(s.back().words_done, (n - 1) * 10) << "the latest report is always shown";
    // Kept samples are every stride-th report.
    const auto kept = h.to_json()["samples"];
    for (std::size_t i = 0; i < kept.size(); ++i) {
      EXPECT_EQ(kept[i]["words_done"].get<std::uint64_t>(), i * h.stride() * 10) << n;
    }
    if (n > 8) {
      EXPECT_GE(kept.size(), 4u) << "halving keeps at least half the capacity";
    }
  }
}

TEST(ProgressHistory, CapacityIsEvenAndAtLeastTheMinimum) {
  EXPECT_EQ(ProgressHistory(0).capacity(), ProgressHistory::kMinCapacity);
  EXPECT_EQ(ProgressHistory(7).capacity(), 8u);
  EXPECT_EQ(ProgressHistory().capacity(), ProgressHistory::kDefaultCapacity);
}

// The samples without their times.
nlohmann::json untimed(nlohmann::json j) {
  for (auto& s : j["samples"]) s.erase("seconds");
  if (j.contains("latest")) j["latest"].erase("seconds");
  return j;
}

TEST(ProgressHistory, ContinuesIdenticallyAfterAJsonRoundTrip) {
  ProgressHistory a(16);
  for (std::uint64_t i = 0; i < 77; ++i) a.add(report(i));
  ProgressHistory b = ProgressHistory::from_json(nlohmann::json::parse(a.to_json().dump()));
  EXPECT_EQ(b.to_json(), a.to_json());
  // b is loaded for a new run, whose clock starts at 0: its times follow on from the last.
  const double last = a.samples().back().seconds;
  for (std::uint64_t i = 77; i < 500; ++i) {
    a.add(report(i));
    TrainProgress next = report(i);
    next.elapsed_seconds -= report(77).elapsed_seconds;
    b.add(next);
    EXPECT_DOUBLE_EQ(b.samples().back().seconds, last + next.elapsed_seconds);
  }
  EXPECT_EQ(untimed(b.to_json()), untimed(a.to_json()));
}

TEST(ProgressHistory, RefusesMalformedDocuments) {
  EXPECT_THROW(ProgressHistory::from_json(nlohmann::json::object()), std::runtime_error);
  EXPECT_THROW(ProgressHistory::from_json(nlohmann::json::parse(
                   R"({"capacity":4,"stride":1,"reports":9,"samples":[1,2]})")),
               std::runtime_error);
  nlohmann::json too_many = ProgressHistory(4).to_json();
  for (int i = 0; i < 6; ++i) too_many["samples"].push_back(too_many["samples"].size());
  EXPECT_THROW(ProgressHistory::from_json(too_many), std::runtime_error);
}

TEST(ProgressHistory, AResumeForgetsTheSamplesPastItsCheckpointAndKeepsTimeGoing) {
  ProgressHistory h(1000);
  for (std::uint64_t i = 0; i <= 6000; i += 100) h.add(report(i));  // fraction 0 .. 0.6
  h.truncate_after(0.25);
  auto s = h.samples();
  ASSERT_FALSE(s.empty());
  EXPECT_LE(s.back().fraction, 0.25);
  const double last_seconds = s.back().seconds;
  TrainProgress next = report(2600);
  next.elapsed_seconds = 1.5;  // the new run's clock starts again
  h.add(next);
  s = h.samples();
  EXPECT_DOUBLE_EQ(s.back().seconds, last_seconds + 1.5);
}

TEST(ProgressHistory, IsStoredPerJobAndReplacedWhole) {
  w2v::testing::TempDir tmp("history");
  const std::filesystem::path dir = tmp.path();
  {
    Store store((dir / "db.sqlite").string());
    EXPECT_FALSE(store.job_history("j_1"));
    store.save_job_history("j_1", R"({"a":1})");
    store.save_job_history("j_2", R"({"b":2})");
    store.save_job_history("j_1", R"({"a":3})");
    EXPECT_EQ(store.job_history("j_1"), R"({"a":3})");
    EXPECT_EQ(store.job_history("j_2"), R"({"b":2})");
  }
  {
    Store reopened((dir / "db.sqlite").string());
    EXPECT_EQ(reopened.job_history("j_1"), R"({"a":3})");
  }
}

}  // namespace
}  // namespace w2v::server
