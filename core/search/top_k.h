#pragma once
// The k best (id, score) pairs offered so far, as a min-heap on score with the worst at the
// front. Ties go to the lower id, so when rows are offered in ascending id order the earlier
// (more frequent) word stays; NaN scores are never kept.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace w2v {

struct Neighbor {
  std::uint32_t id;
  float score;
};

// The order of results: higher score first, then lower id.
inline bool ranks_before(const Neighbor& a, const Neighbor& b) noexcept {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(k); }

  std::size_t size() const noexcept { return heap_.size(); }
  bool full() const noexcept { return heap_.size() == k_; }
  // The score a new row must beat to enter: -inf until the heap is full.
  float threshold() const noexcept {
    return full() && k_ > 0 ? heap_.front().score : -std::numeric_limits<float>::infinity();
  }
  // The kept pairs, in heap order.
  std::span<const Neighbor> items() const noexcept { return heap_; }

  void offer(std::uint32_t id, float score, std::span<const std::uint32_t> exclude) {
    if (!(score == score) || k_ == 0) return;  // NaN
    if (full() && !ranks_before(Neighbor{id, score}, heap_.front())) return;
    if (std::find(exclude.begin(), exclude.end(), id) != exclude.end()) return;
    if (full()) {
      std::pop_heap(heap_.begin(), heap_.end(), ranks_before);
      heap_.back() = Neighbor{id, score};
    } else {
      heap_.push_back(Neighbor{id, score});
    }
    std::push_heap(heap_.begin(), heap_.end(), ranks_before);
  }

  // The kept pairs, best first; the heap is left empty.
  std::vector<Neighbor> take() {
    std::sort(heap_.begin(), heap_.end(), ranks_before);
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<Neighbor> heap_;
};

}  // namespace w2v
