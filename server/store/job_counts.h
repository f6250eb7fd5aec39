#pragma once
// How many jobs the store holds in each status, kept in memory beside the store so /metrics
// reads five numbers instead of every job row. The store counts its rows once when it opens
// and then moves a job between statuses with each write it commits.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "proto/records.h"

namespace w2v::server {

class JobCounts {
 public:
  static constexpr std::size_t kStatuses = 5;  // proto::JobStatus's values

  void set(proto::JobStatus s, std::uint64_t n) noexcept { at(s).store(n); }
  void added(proto::JobStatus s) noexcept { ++at(s); }
  void moved(proto::JobStatus from, proto::JobStatus to) noexcept {
    if (from == to) return;
    --at(from);
    ++at(to);
  }
  std::uint64_t count(proto::JobStatus s) const noexcept { return at(s).load(); }

 private:
  std::atomic<std::uint64_t>& at(proto::JobStatus s) noexcept {
    return counts_[static_cast<std::size_t>(s)];
  }
  const std::atomic<std::uint64_t>& at(proto::JobStatus s) const noexcept {
    return counts_[static_cast<std::size_t>(s)];
  }
  std::array<std::atomic<std::uint64_t>, kStatuses> counts_{};
};

}  // namespace w2v::server
