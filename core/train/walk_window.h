#pragma once
// The context window of one sentence position, as every walk draws it (docs/math.md §2): the
// effective window b is drawn uniformly from 1..window (one draw from the worker's stream), and
// the context is positions [lo, hi] without the centre, clipped to the sentence.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/rng.h"

namespace w2v {
W2V_ISA_BEGIN

struct ContextWindow {
  std::size_t lo, hi;  // inclusive; the centre lies in between
};

// Position i of a sentence of n > i words, with the largest window `window` (at least 1).
inline ContextWindow draw_window(std::size_t i, std::size_t n, std::size_t window,
                                 Rng& rng) noexcept {
  const std::size_t span = window - rng.below(static_cast<std::uint32_t>(window));
  return {i >= span ? i - span : 0, std::min(n - 1, i + span)};
}

W2V_ISA_END
}  // namespace w2v
