#include "core/train/activation.h"

namespace w2v {
namespace detail {

ActivationTables::ActivationTables() {
  for (int i = 0; i <= kActivationTableSize; ++i) {
    // Entry i holds the value at the centre of its bucket.
    const double x = (2.0 * (i + 0.5) / kActivationTableSize - 1.0) * kMaxExp;
    sigmoid[i] = static_cast<float>(1.0 / (1.0 + std::exp(-x)));
    log_sigmoid[i] = static_cast<float>(-std::log1p(std::exp(-x)));
  }
}

const ActivationTables kActivationTables;

}  // namespace detail
}  // namespace w2v
