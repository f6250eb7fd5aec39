#include "server/runtime/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

namespace w2v::server {
namespace {

// The first log lines of a program may come from several threads at once (a model cache's
// concurrent loads do). They must all reach one default logger, and under ThreadSanitizer
// without a report: spdlog builds that logger lazily inside its own library, which TSan does
// not see into, so a program builds it before its threads start (w2vd in setup_logging, the
// test programs in tests/support/logging_first.cc).
TEST(Logging, ThreadsWhoseFirstLinesComeAtOnceShareOneLogger) {
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::vector<spdlog::logger*> seen(kThreads, nullptr);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      spdlog::info("thread {} logs", t);
      seen[t] = spdlog::default_logger_raw();
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_NE(seen[0], nullptr);
  for (auto* logger : seen) EXPECT_EQ(logger, seen[0]);
}

TEST(Logging, RefusesAnUnknownFormatOrLevel) {
  EXPECT_THROW(setup_logging("xml", "info"), std::invalid_argument);
  EXPECT_THROW(setup_logging("text", "loud"), std::invalid_argument);
  EXPECT_NO_THROW(setup_logging("json", "warning"));
  EXPECT_EQ(spdlog::default_logger_raw()->level(), spdlog::level::warn);
}

}  // namespace
}  // namespace w2v::server
