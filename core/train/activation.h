#pragma once
// σ(x) and log σ(x) for the kernels. The double overloads are exact (the gradient checks run
// them); the float overloads, which training runs, read precomputed tables over [-kMaxExp,
// kMaxExp] and saturate outside, as word2vec and fastText do. Both are called through the same
// kernel templates.

#include <array>
#include <cmath>

#include "core/base/isa_namespace.h"

namespace w2v {

inline constexpr float kMaxExp = 8.0f;
inline constexpr int kActivationTableSize = 4096;

namespace detail {
struct ActivationTables {
  std::array<float, kActivationTableSize + 1> sigmoid;
  std::array<float, kActivationTableSize + 1> log_sigmoid;
  ActivationTables();
};
// Built once, at start, by activation.cc, compiled for the build's baseline: a table built by
// an initialiser in a dispatched unit would run that unit's instructions on every CPU.
extern const ActivationTables kActivationTables;
}  // namespace detail

W2V_ISA_BEGIN

inline int activation_index(float x) noexcept {
  return static_cast<int>((x + kMaxExp) * (kActivationTableSize / (2 * kMaxExp)));
}

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
  return detail::kActivationTables.sigmoid[activation_index(x)];
}
inline float log_sigmoid(float x) noexcept {
  if (!(x > -kMaxExp)) return x;
  if (!(x < kMaxExp)) return 0.0f;
  return detail::kActivationTables.log_sigmoid[activation_index(x)];
}

W2V_ISA_END
}  // namespace w2v
