#pragma once
// Draws word ids with probability proportional to given weights in O(1) with O(V) memory
// (Walker's alias method, Vose's construction). The negative sampler uses count^0.75.

#include <cstdint>
#include <span>
#include <vector>

#include "core/base/rng.h"

namespace w2v {

class AliasSampler {
 public:
  AliasSampler() = default;
  // weights must be non-negative with a positive sum.
  explicit AliasSampler(std::span<const double> weights);
  // The unigram distribution raised to power: P(w) ∝ count(w)^power.
  static AliasSampler unigram(std::span<const std::uint64_t> counts, double power = 0.75);

  std::uint32_t sample(Rng& rng) const noexcept {
    const std::uint64_t r = rng.next();
    const auto i = static_cast<std::uint32_t>(((r >> 32) * size_) >> 32);
    const Entry e = table_[i];
    return static_cast<std::uint32_t>(r) < e.threshold ? i : e.alias;
  }
  std::size_t size() const noexcept { return table_.size(); }
  // The probability the sampler draws id (for tests).
  double probability(std::uint32_t id) const;

 private:
  struct Entry {
    std::uint32_t threshold;  // keep i when the low 32 random bits are below this
    std::uint32_t alias;
  };
  std::vector<Entry> table_;
  std::uint64_t size_ = 0;
};

}  // namespace w2v
