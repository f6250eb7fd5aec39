#pragma once
// The word count the learning rate follows in distributed training: the global count as of the
// last sync round, plus this member's words since then times the number of members (who
// train at about the same pace). Written by the sync thread once per round, read by every
// training worker every few thousand words, so lock-free.

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace w2v::distributed {

class GlobalWordCount {
 public:
  GlobalWordCount(int members, double words_total) : members_(members), total_(words_total) {}

  // Sync thread: after a round that found `global` words done across the members, when this
  // member had done `local`.
  void on_round(std::uint64_t local, double global) noexcept {
    local_at_round_.store(local, std::memory_order_relaxed);
    global_.store(global, std::memory_order_relaxed);
  }
  // Worker: this member has done `local` words; records the largest seen (for the next round)
  // and returns where the global schedule stands, in [0, 1].
  double fraction(std::uint64_t local) noexcept {
    std::uint64_t seen = local_.load(std::memory_order_relaxed);
    while (seen < local && !local_.compare_exchange_weak(seen, local, std::memory_order_relaxed)) {
    }
    return std::min(1.0, estimate(local) / (total_ + 1));
  }
  // The estimated global words done when this member has done `local`.
  double estimate(std::uint64_t local) const noexcept {
    const std::uint64_t base = local_at_round_.load(std::memory_order_relaxed);
    const double since = local > base ? static_cast<double>(local - base) : 0.0;
    return global_.load(std::memory_order_relaxed) + since * members_;
  }
  std::uint64_t local() const noexcept { return local_.load(std::memory_order_relaxed); }
  double global_at_round() const noexcept { return global_.load(std::memory_order_relaxed); }
  double total() const noexcept { return total_; }

 private:
  const int members_;
  const double total_;
  std::atomic<std::uint64_t> local_{0}, local_at_round_{0};
  std::atomic<double> global_{0};
};

}  // namespace w2v::distributed
