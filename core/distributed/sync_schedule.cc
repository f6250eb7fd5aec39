#include "core/distributed/sync_schedule.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace w2v::distributed {

SyncSchedule::SyncSchedule(std::size_t rows, std::size_t hot_rows)
    : rows_(rows), hot_rows_(hot_rows), levels_(1) {
  if (hot_rows == 0) throw std::invalid_argument("sync schedule: hot_rows must be at least 1");
  while (level_end(levels_ - 1) < rows_) ++levels_;
}

// Level k ends at hot_rows × (2^(k+1) − 1), capped at rows.
std::size_t SyncSchedule::level_end(std::size_t level) const noexcept {
  if (level >= 40) return rows_;
  const std::size_t span = (std::size_t{2} << level) - 1;
  if (hot_rows_ > rows_ / span) return rows_;
  return std::min(rows_, hot_rows_ * span);
}

std::size_t SyncSchedule::rows_in_round(std::uint64_t round) const noexcept {
  if (round == 0) return rows_;
  const auto top =
      std::min<std::size_t>(static_cast<std::size_t>(std::countr_zero(round)), levels_ - 1);
  return level_end(top);
}

double SyncSchedule::mean_rows_per_round() const noexcept {
  const std::uint64_t cycle = std::uint64_t{1} << std::min<std::size_t>(levels_ - 1, 40);
  double total = 0;
  for (std::size_t k = 0; k < levels_; ++k) {
    const std::size_t begin = k == 0 ? 0 : level_end(k - 1);
    total += static_cast<double>(level_end(k) - begin) * static_cast<double>(cycle >> k);
  }
  return total / static_cast<double>(cycle);
}

}  // namespace w2v::distributed
