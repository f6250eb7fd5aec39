#pragma once
// The memory corpus uploads count their words in, one budget for every upload open at once
// (core/text/spilling_word_counter.h: a counter that cannot take more spills to disk), and how
// many times they spilled, for /metrics.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/base/shared_memory_budget.h"

namespace w2v::server {

struct UploadCounting {
  explicit UploadCounting(std::size_t bytes) : memory(bytes) {}
  SharedMemoryBudget memory;
  std::atomic<std::uint64_t> spills{0};
};

}  // namespace w2v::server
