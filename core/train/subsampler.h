#pragma once
// Frequent-word subsampling (Mikolov et al. 2013): a token of word w with corpus frequency
// f = count/total is kept with probability min(1, sqrt(t/f) + t/f). The decision per word is
// precomputed as an integer threshold compared against 32 random bits.

#include <cstdint>
#include <span>
#include <vector>

#include "core/base/rng.h"

namespace w2v {

class Subsampler {
 public:
  Subsampler() = default;
  // threshold t <= 0 disables subsampling.
  Subsampler(std::span<const std::uint64_t> counts, double threshold);

  bool keep(std::uint32_t id, Rng& rng) const noexcept {
    return static_cast<std::uint64_t>(rng.next32()) < thresholds_[id];
  }
  // The probability of keeping a token of id.
  double keep_probability(std::uint32_t id) const noexcept;
  static double keep_probability(std::uint64_t count, std::uint64_t total, double threshold);

 private:
  std::vector<std::uint64_t> thresholds_;  // p · 2^32, 2^32 meaning always
};

}  // namespace w2v
