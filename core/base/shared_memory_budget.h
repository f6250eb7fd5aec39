#pragma once
// A number of bytes that several users draw from and give back, without blocking: what the
// word counters of concurrent uploads share (core/text/spilling_word_counter.h), so that their
// tables together stay within one limit however many uploads are open. A user that cannot take
// more makes do with what it has (a counter spills to disk).

#include <atomic>
#include <cstddef>

namespace w2v {

class SharedMemoryBudget {
 public:
  explicit SharedMemoryBudget(std::size_t bytes) noexcept : limit_(bytes) {}
  SharedMemoryBudget(const SharedMemoryBudget&) = delete;
  SharedMemoryBudget& operator=(const SharedMemoryBudget&) = delete;

  // Takes bytes if that many are left, all or nothing.
  bool try_take(std::size_t bytes) noexcept {
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit_ - used) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  // Gives back bytes taken before.
  void give_back(std::size_t bytes) noexcept { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  std::size_t limit() const noexcept { return limit_; }
  std::size_t used() const noexcept { return used_.load(std::memory_order_relaxed); }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

}  // namespace w2v
