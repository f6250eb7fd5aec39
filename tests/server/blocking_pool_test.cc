#include "server/runtime/blocking_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <thread>
#include <vector>

namespace w2v::server {
namespace {

using namespace std::chrono_literals;

TEST(BlockingPool, RunsPostedTasks) {
  BlockingPool pool(2, 4);
  std::promise<int> result;
  ASSERT_TRUE(pool.try_post([&] { result.set_value(42); }));
  EXPECT_EQ(result.get_future().get(), 42);
}

TEST(BlockingPool, RunsTasksOnSeveralThreadsAtOnce) {
  // Each task waits for the other: they finish only when both run at the same time.
  BlockingPool pool(2, 0);
  std::latch both(2);
  std::promise<void> a, b;
  ASSERT_TRUE(pool.try_post([&] {
    both.arrive_and_wait();
    a.set_value();
  }));
  ASSERT_TRUE(pool.try_post([&] {
    both.arrive_and_wait();
    b.set_value();
  }));
  EXPECT_EQ(a.get_future().wait_for(60s), std::future_status::ready);
  EXPECT_EQ(b.get_future().wait_for(60s), std::future_status::ready);
}

TEST(BlockingPool, RefusesALeaseWhenEveryPlaceIsTaken) {
  BlockingPool pool(1, 2);
  std::vector<std::unique_ptr<BlockingPool::Lease>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(pool.try_lease());
    ASSERT_NE(held.back(), nullptr) << "place " << i;
  }
  EXPECT_EQ(pool.try_lease(), nullptr);
  EXPECT_FALSE(pool.try_post([] {}));
  EXPECT_EQ(pool.refused(), 2u);
  EXPECT_EQ(pool.leased(), 3u);
  held.pop_back();  // a place comes back with its lease
  EXPECT_NE(pool.try_lease(), nullptr);
}

TEST(BlockingPool, ALeasePostsStepAfterStepWhateverTheLoad) {
  // One thread, no queue: the only place is the lease's, yet it posts as often as it likes.
  BlockingPool pool(1, 0);
  auto lease = pool.try_lease();
  ASSERT_NE(lease, nullptr);
  EXPECT_EQ(pool.try_lease(), nullptr);
  int steps = 0;
  for (int i = 0; i < 5; ++i) {
    std::promise<void> done;
    ASSERT_TRUE(lease->post([&] {
      ++steps;
      done.set_value();
    }));
    done.get_future().wait();
  }
  EXPECT_EQ(steps, 5);
}

TEST(BlockingPool, APostedTaskHoldsItsPlaceUntilItHasRun) {
  BlockingPool pool(1, 0);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.try_post([&, released] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  EXPECT_EQ(pool.running(), 1u);
  EXPECT_EQ(pool.try_lease(), nullptr);  // the running task holds the only place
  release.set_value();
  pool.stop();  // joins: the task has run and returned its place
  EXPECT_EQ(pool.leased(), 0u);
  EXPECT_EQ(pool.running(), 0u);
}

TEST(BlockingPool, StopDropsQueuedTasksAndRefusesNewWork) {
  BlockingPool pool(1, 4);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.try_post([&, released] {
    started.set_value();
    released.wait();
    ++ran;
  }));
  started.get_future().wait();
  ASSERT_TRUE(pool.try_post([&] { ++ran; }));  // queued behind the first
  std::thread stopper([&] { pool.stop(); });
  // Once the pool is stopping it refuses a lease although it has free places.
  while (auto lease = pool.try_lease()) {
    lease.reset();
    std::this_thread::yield();
  }
  release.set_value();
  stopper.join();
  EXPECT_EQ(ran.load(), 1);      // the running task finished, the queued one was dropped
  EXPECT_EQ(pool.leased(), 0u);  // and the dropped task's place came back
  EXPECT_EQ(pool.try_lease(), nullptr);
  EXPECT_FALSE(pool.try_post([] {}));
}

TEST(BlockingPool, ATaskThatThrowsDoesNotStopThePool) {
  BlockingPool pool(1, 1);
  ASSERT_TRUE(pool.try_post([] { throw std::runtime_error("boom"); }));
  std::promise<void> after;
  ASSERT_TRUE(pool.try_post([&] { after.set_value(); }));
  EXPECT_EQ(after.get_future().wait_for(60s), std::future_status::ready);
}

}  // namespace
}  // namespace w2v::server
