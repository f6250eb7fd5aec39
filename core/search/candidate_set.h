#pragma once
// The best `capacity` (id, score) pairs of a stream offered in ascending id order, for streams
// where most offers fall short: a pair above the bar is appended, and when the buffer reaches
// twice the capacity the best half is kept (nth_element) and the bar raised to the worst kept
// score. Amortised O(1) per kept offer, against a heap's O(log capacity). The buffer is the
// caller's, so a search can reuse one across queries.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "core/search/top_k.h"

namespace w2v {

class CandidateSet {
 public:
  // storage is cleared and used as the buffer.
  CandidateSet(std::size_t capacity, std::vector<Neighbor>& storage)
      : capacity_(std::max<std::size_t>(capacity, 1)), items_(storage) {
    items_.clear();
    items_.reserve(2 * capacity_);
  }

  // A pair must score above this to be kept (-inf until the buffer first fills). Rows come in
  // ascending id order, so one tying the bar would rank below the kept ones.
  float bar() const noexcept { return bar_; }

  void offer(std::uint32_t id, float score) {
    if (!(score > bar_)) return;  // NaN too
    items_.push_back(Neighbor{id, score});
    if (items_.size() == 2 * capacity_) trim();
  }

  // After the stream: the kept pairs, in no particular order.
  std::span<const Neighbor> finish() {
    if (items_.size() > capacity_) trim();
    return items_;
  }
  // Whether some offered pair was left out; each scored at most bar() (after finish()).
  bool dropped() const noexcept { return dropped_; }

 private:
  void trim() {
    std::nth_element(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(capacity_ - 1),
                     items_.end(), ranks_before);
    bar_ = items_[capacity_ - 1].score;
    items_.resize(capacity_);
    dropped_ = true;
  }

  std::size_t capacity_;
  std::vector<Neighbor>& items_;
  float bar_ = -std::numeric_limits<float>::infinity();
  bool dropped_ = false;
};

}  // namespace w2v
