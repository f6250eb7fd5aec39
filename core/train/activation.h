#pragma once
// σ(x) and log σ(x) for the kernels. The double overloads are exact (the gradient checks run
// them); the float overloads, which training runs, read precomputed tables over [-kMaxExp,
// kMaxExp] and saturate outside, as word2vec and fastText do. Both are called through the same
// kernel templates.

#include <array>
#include <cmath>

namespace w2v {

inline constexpr float kMaxExp = 8.0f;
inline constexpr int kActivationTableSize = 4096;

namespace detail {
struct ActivationTables {
  std::array<float, kActivationTableSize + 1> sigmoid;
  std::array<float, kActivationTableSize + 1> log_sigmoid;
  ActivationTables() {
    for (int i = 0; i <= kActivationTableSize; ++i) {
      // Entry i holds the value at the centre of its bucket.
      const double x = (2.0 * (i + 0.5) / kActivationTableSize - 1.0) * kMaxExp;
      sigmoid[i] = static_cast<float>(1.0 / (1.0 + std::exp(-x)));
      log_sigmoid[i] = static_cast<float>(-std::log1p(std::exp(-x)));
    }
  }
};
inline const ActivationTables kActivationTables;
inline int activation_index(float x) noexcept {
  return static_cast<int>((x + kMaxExp) * (kActivationTableSize / (2 * kMaxExp)));
}
}  // namespace detail

inline double sigmoid(double x) noexcept {
  return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
}
inline double log_sigmoid(double x) noexcept {
  return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
}

// NaN maps to 0 (sigmoid) and NaN (log_sigmoid): never to a table index.
inline float sigmoid(float x) noexcept {
  if (!(x > -kMaxExp)) return 0.0f;
  if (!(x < kMaxExp)) return 1.0f;
  return detail::kActivationTables.sigmoid[detail::activation_index(x)];
}
inline float log_sigmoid(float x) noexcept {
  if (!(x > -kMaxExp)) return x;
  if (!(x < kMaxExp)) return 0.0f;
  return detail::kActivationTables.log_sigmoid[detail::activation_index(x)];
}

}  // namespace w2v
