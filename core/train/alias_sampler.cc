#include "core/train/alias_sampler.h"

#include <cmath>
#include <numeric>
#include <stdexcept>

namespace w2v {

AliasSampler::AliasSampler(std::span<const double> weights) {
  const std::size_t n = weights.size();
  if (n == 0 || n > 0xFFFFFFFFull) throw std::invalid_argument("alias sampler: bad size");
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  if (!(sum > 0) || !std::isfinite(sum)) throw std::invalid_argument("alias sampler: bad weights");

  std::vector<double> scaled(n);
  std::vector<std::uint32_t> small, large;
  for (std::size_t i = 0; i < n; ++i) {
    if (weights[i] < 0) throw std::invalid_argument("alias sampler: negative weight");
    scaled[i] = weights[i] * static_cast<double>(n) / sum;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
  }
  table_.assign(n, Entry{0xFFFFFFFFu, 0});
  for (std::size_t i = 0; i < n; ++i) table_[i].alias = static_cast<std::uint32_t>(i);
  while (!small.empty() && !large.empty()) {
    const std::uint32_t s = small.back(), l = large.back();
    small.pop_back();
    table_[s].threshold = static_cast<std::uint32_t>(std::ldexp(scaled[s], 32));
    table_[s].alias = l;
    scaled[l] -= 1.0 - scaled[s];
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Whatever is left has probability 1 up to rounding: always keep it.
  size_ = n;
}

AliasSampler AliasSampler::unigram(std::span<const std::uint64_t> counts, double power) {
  std::vector<double> w(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i)
    w[i] = std::pow(static_cast<double>(counts[i]), power);
  return AliasSampler(w);
}

double AliasSampler::probability(std::uint32_t id) const {
  const double n = static_cast<double>(size_);
  double p = 0;
  for (std::uint32_t i = 0; i < size_; ++i) {
    const double keep = table_[i].threshold == 0xFFFFFFFFu && table_[i].alias == i
                            ? 1.0
                            : std::ldexp(static_cast<double>(table_[i].threshold), -32);
    if (i == id) p += keep / n;
    if (table_[i].alias == id && i != id) p += (1.0 - keep) / n;
  }
  return p;
}

}  // namespace w2v
