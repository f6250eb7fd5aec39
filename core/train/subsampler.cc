#include "core/train/subsampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace w2v {

double Subsampler::keep_probability(std::uint64_t count, std::uint64_t total, double threshold) {
  if (threshold <= 0 || count == 0) return 1.0;
  const double ratio = threshold / (static_cast<double>(count) / static_cast<double>(total));
  return std::min(1.0, std::sqrt(ratio) + ratio);
}

Subsampler::Subsampler(std::span<const std::uint64_t> counts, double threshold) {
  const std::uint64_t total = std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
  thresholds_.resize(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double p = keep_probability(counts[i], total, threshold);
    thresholds_[i] = static_cast<std::uint64_t>(std::ldexp(p, 32));
  }
}

double Subsampler::keep_probability(std::uint32_t id) const noexcept {
  return std::ldexp(static_cast<double>(thresholds_[id]), -32);
}

}  // namespace w2v
