// The window draw every walk shares (core/train/walk_window.h): word2vec's uniform reduced
// window with shrink_windows, the full window without it, and the same stream consumed by both.

#include "core/train/walk_window.h"

#include <gtest/gtest.h>

#include <map>

namespace w2v {
namespace {

TrainParams with_window(int window, bool shrink) {
  TrainParams p;
  p.window = window;
  p.shrink_windows = shrink;
  return p;
}

TEST(WindowDraw, ShrinkingDrawsEverySpanFromOneToWindowUniformly) {
  const WindowDraw draw(with_window(5, true));
  EXPECT_EQ(draw.window(), 5u);
  Rng rng(7);
  std::map<std::size_t, int> spans;
  constexpr int kDraws = 50000;
  for (int k = 0; k < kDraws; ++k) {
    const ContextWindow w = draw(50, 100, rng);  // far from both ends: the span is hi - 50
    ASSERT_EQ(50 - w.lo, w.hi - 50);
    ++spans[w.hi - 50];
  }
  ASSERT_EQ(spans.size(), 5u);
  for (const auto& [span, count] : spans) {
    EXPECT_GE(span, 1u);
    EXPECT_LE(span, 5u);
    EXPECT_NEAR(count, kDraws / 5, kDraws / 50) << "span " << span;
  }
}

TEST(WindowDraw, WithoutShrinkingEveryPositionHasTheFullWindow) {
  const WindowDraw draw(with_window(5, false));
  Rng rng(7);
  for (int k = 0; k < 1000; ++k) {
    const ContextWindow w = draw(50, 100, rng);
    EXPECT_EQ(w.lo, 45u);
    EXPECT_EQ(w.hi, 55u);
  }
  // Clipped to the sentence.
  const ContextWindow first = draw(0, 3, rng);
  EXPECT_EQ(first.lo, 0u);
  EXPECT_EQ(first.hi, 2u);
  const ContextWindow last = draw(9, 10, rng);
  EXPECT_EQ(last.lo, 4u);
  EXPECT_EQ(last.hi, 9u);
}

TEST(WindowDraw, BothSettingsConsumeTheStreamAlike) {
  // One draw per position either way: what follows the windows (negatives, subsampling) sees
  // the same stream.
  Rng a(3), b(3);
  const WindowDraw shrink(with_window(8, true)), full(with_window(8, false));
  for (int k = 0; k < 100; ++k) {
    (void)shrink(20, 40, a);
    (void)full(20, 40, b);
  }
  EXPECT_EQ(a.next(), b.next());
}

TEST(WindowDraw, ShrinkingIsTheDefault) {
  EXPECT_TRUE(TrainParams{}.shrink_windows);
}

}  // namespace
}  // namespace w2v
