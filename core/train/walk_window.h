#pragma once
// The context window of one sentence position, as every walk draws it (docs/math.md §2): with
// shrink_windows (word2vec's draw, the default) the effective window b is drawn uniformly from
// 1..window; without it every position has the full window, as gensim's shrink_windows=False.
// Either way one draw from the worker's stream per position, so both settings consume the
// stream alike; the setting is a mask on the draw, not a branch. The context is positions
// [lo, hi] without the centre, clipped to the sentence.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/rng.h"
#include "core/train/train_params.h"

namespace w2v {
W2V_ISA_BEGIN

struct ContextWindow {
  std::size_t lo, hi;  // inclusive; the centre lies in between
};

// Position i of a sentence of n > i words, with the largest window `window` (at least 1):
// b = window − (a draw in [0, window) & keep), so keep 0 is the full window.
inline ContextWindow draw_window(std::size_t i, std::size_t n, std::size_t window, Rng& rng,
                                 std::uint32_t keep = ~std::uint32_t{0}) noexcept {
  const std::size_t span = window - (rng.below(static_cast<std::uint32_t>(window)) & keep);
  return {i >= span ? i - span : 0, std::min(n - 1, i + span)};
}

// The window draw of one job's walk: its window and shrink_windows, fixed at construction.
class WindowDraw {
 public:
  explicit WindowDraw(const TrainParams& p) noexcept
      : window_(static_cast<std::size_t>(p.window)),
        keep_(p.shrink_windows ? ~std::uint32_t{0} : std::uint32_t{0}) {}
  ContextWindow operator()(std::size_t i, std::size_t n, Rng& rng) const noexcept {
    return draw_window(i, n, window_, rng, keep_);
  }
  std::size_t window() const noexcept { return window_; }

 private:
  std::size_t window_;
  std::uint32_t keep_;
};

W2V_ISA_END
}  // namespace w2v
