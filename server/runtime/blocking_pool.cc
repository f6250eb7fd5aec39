#include "server/runtime/blocking_pool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace w2v::server {

BlockingPool::BlockingPool(std::size_t threads, std::size_t max_queued)
    : thread_count_(std::max<std::size_t>(1, threads)), max_queued_(max_queued) {
  places_ = thread_count_ + max_queued;
  threads_.reserve(thread_count_);
  for (std::size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { worker(); });
}

BlockingPool::~BlockingPool() {
  stop();
}

BlockingPool::Lease::~Lease() {
  std::lock_guard lock(pool_.mutex_);
  --pool_.leased_;
}

bool BlockingPool::Lease::post(std::function<void()> task) {
  return pool_.post(std::move(task));
}

std::unique_ptr<BlockingPool::Lease> BlockingPool::try_lease() {
  std::lock_guard lock(mutex_);
  if (stopping_ || leased_ >= places_) {
    ++refused_;
    return nullptr;
  }
  ++leased_;
  return std::unique_ptr<Lease>(new Lease(*this));
}

bool BlockingPool::try_post(std::function<void()> task) {
  std::shared_ptr<Lease> lease = try_lease();
  if (!lease) return false;
  // The lease travels with the task and is returned when the task (and its copy) is gone.
  return lease->post([lease, task = std::move(task)]() mutable {
    task();
    task = nullptr;
  });
}

bool BlockingPool::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void BlockingPool::worker() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("blocking pool: a task threw: {}", e.what());
    } catch (...) {
      spdlog::error("blocking pool: a task threw a non-standard exception");
    }
    task = nullptr;  // its captures (a lease among them) go before the task counts as done
    std::lock_guard lock(mutex_);
    --running_;
  }
}

void BlockingPool::stop() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  dropped.clear();  // outside the lock: the tasks' captures may hold leases
}

std::size_t BlockingPool::leased() const {
  std::lock_guard lock(mutex_);
  return leased_;
}

std::size_t BlockingPool::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

std::uint64_t BlockingPool::refused() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

}  // namespace w2v::server
