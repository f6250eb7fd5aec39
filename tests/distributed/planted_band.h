#pragma once
// The check both distributed learning tests make: a distributed model learns the planted
// structure, in the same band as one process.

#include <gtest/gtest.h>

#include <cstdio>

#include "support/train_helpers.h"

namespace w2v::testing {

inline void expect_same_band(const PlantedQuality& one, const PlantedQuality& distributed,
                             const char* what) {
  std::printf("one process: precision@5 %.3f analogies %.3f; %s: %.3f %.3f\n", one.precision_at_5,
              one.analogy_accuracy, what, distributed.precision_at_5, distributed.analogy_accuracy);
  EXPECT_GE(distributed.precision_at_5, 0.9) << what;
  EXPECT_GE(distributed.analogy_accuracy, 0.8) << what;
  EXPECT_NEAR(distributed.precision_at_5, one.precision_at_5, 0.05) << what;
  EXPECT_NEAR(distributed.analogy_accuracy, one.analogy_accuracy, 0.1) << what;
}

}  // namespace w2v::testing
