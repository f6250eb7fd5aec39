#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "core/base/rng.h"
#include "core/train/alias_sampler.h"
#include "core/train/subsampler.h"

namespace w2v {
namespace {

// A Zipf-like count vector: count(rank r) = 1e6 / r.
std::vector<std::uint64_t> zipf_counts(std::size_t n) {
  std::vector<std::uint64_t> counts(n);
  for (std::size_t i = 0; i < n; ++i) counts[i] = 1'000'000 / (i + 1);
  return counts;
}

std::vector<double> unigram_target(const std::vector<std::uint64_t>& counts, double power) {
  std::vector<double> p(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    p[i] = std::pow(static_cast<double>(counts[i]), power);
  }
  const double sum = std::accumulate(p.begin(), p.end(), 0.0);
  for (double& x : p) x /= sum;
  return p;
}

std::vector<std::uint64_t> histogram(const AliasSampler& s, std::size_t draws, std::uint64_t seed) {
  std::vector<std::uint64_t> hist(s.size());
  Rng rng(seed);
  for (std::size_t i = 0; i < draws; ++i) {
    const std::uint32_t id = s.sample(rng);
    EXPECT_LT(id, s.size());
    if (id < s.size()) ++hist[id];
  }
  return hist;
}

TEST(AliasSampler, UnigramDrawsMatchCountToThreeQuarters) {
  const std::vector<std::uint64_t> counts = zipf_counts(1000);
  const std::vector<double> p = unigram_target(counts, 0.75);
  const AliasSampler sampler = AliasSampler::unigram(counts);
  ASSERT_EQ(sampler.size(), counts.size());

  constexpr std::size_t kDraws = 1'000'000;
  const std::vector<std::uint64_t> hist = histogram(sampler, kDraws, 12345);

  // Chi-square with 999 degrees of freedom: mean 999, standard deviation ~44.7. The critical
  // value 1300 is more than 6 standard deviations out (a p-value far below 1e-6).
  double chi2 = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double expected = p[i] * kDraws;
    ASSERT_GT(expected, 5.0);  // the test's assumption for every bin
    chi2 += (hist[i] - expected) * (hist[i] - expected) / expected;
  }
  EXPECT_LT(chi2, 1300.0);

  // The most frequent words, where the exponent matters most, each within 4% (over 5 sigma).
  for (std::size_t i = 0; i < 5; ++i) {
    const double expected = p[i] * kDraws;
    EXPECT_LT(std::abs(hist[i] - expected) / expected, 0.04) << "word " << i;
  }
  // Against the plain unigram (power 1) the top word is clearly off: the test can tell.
  const std::vector<double> plain = unigram_target(counts, 1.0);
  EXPECT_GT(std::abs(hist[0] - plain[0] * kDraws) / (plain[0] * kDraws), 0.2);
}

TEST(AliasSampler, ProbabilityMatchesTarget) {
  const std::vector<std::uint64_t> counts = zipf_counts(1000);
  const std::vector<double> p = unigram_target(counts, 0.75);
  const AliasSampler sampler = AliasSampler::unigram(counts);
  double sum = 0;
  for (std::uint32_t i = 0; i < p.size(); ++i) {
    const double q = sampler.probability(i);
    EXPECT_NEAR(q, p[i], 1e-9 + 1e-6 * p[i]) << "word " << i;
    sum += q;
  }
  EXPECT_NEAR(sum, 1.0, 1e-6);
}

TEST(AliasSampler, OtherPowers) {
  const std::vector<std::uint64_t> counts = {1, 10, 100, 1000};
  for (const double power : {0.0, 0.5, 1.0}) {
    const std::vector<double> p = unigram_target(counts, power);
    const AliasSampler sampler = AliasSampler::unigram(counts, power);
    for (std::uint32_t i = 0; i < p.size(); ++i) {
      EXPECT_NEAR(sampler.probability(i), p[i], 1e-8) << "power " << power << " word " << i;
    }
  }
}

TEST(AliasSampler, SingleWord) {
  const std::vector<std::uint64_t> counts = {7};
  const AliasSampler sampler = AliasSampler::unigram(counts);
  ASSERT_EQ(sampler.size(), 1u);
  EXPECT_DOUBLE_EQ(sampler.probability(0), 1.0);
  Rng rng(1);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(sampler.sample(rng), 0u);
}

TEST(AliasSampler, ZeroWeightsAreNeverDrawn) {
  const std::vector<double> weights = {0, 1, 0, 3, 0, 0, 2, 0};
  const AliasSampler sampler(weights);
  for (std::uint32_t i = 0; i < weights.size(); ++i) {
    if (weights[i] == 0) {
      EXPECT_EQ(sampler.probability(i), 0.0) << i;
    }
  }
  EXPECT_NEAR(sampler.probability(3), 0.5, 1e-9);
  const std::vector<std::uint64_t> hist = histogram(sampler, 200'000, 99);
  for (std::uint32_t i = 0; i < weights.size(); ++i) {
    if (weights[i] == 0) {
      EXPECT_EQ(hist[i], 0u) << "zero-weight entry " << i << " was drawn";
    }
  }
  EXPECT_EQ(hist[1] + hist[3] + hist[6], 200'000u);

  // Zero counts in a unigram table, and a table where a single entry has all the weight.
  const std::vector<std::uint64_t> counts = {0, 0, 5, 0};
  const AliasSampler only = AliasSampler::unigram(counts);
  const std::vector<std::uint64_t> h2 = histogram(only, 10'000, 5);
  EXPECT_EQ(h2[2], 10'000u);
  EXPECT_DOUBLE_EQ(only.probability(2), 1.0);
}

TEST(AliasSampler, RejectsBadWeights) {
  EXPECT_THROW(AliasSampler(std::vector<double>{}), std::invalid_argument);
  EXPECT_THROW(AliasSampler(std::vector<double>{0, 0}), std::invalid_argument);
  EXPECT_THROW(AliasSampler(std::vector<double>{1, -1, 2}), std::invalid_argument);
  EXPECT_THROW(AliasSampler(std::vector<double>{1, INFINITY}), std::invalid_argument);
  EXPECT_THROW(AliasSampler(std::vector<double>{1, NAN}), std::invalid_argument);
}

TEST(AliasSampler, SameSeedSameDraws) {
  const std::vector<std::uint64_t> counts = zipf_counts(50);
  const AliasSampler sampler = AliasSampler::unigram(counts);
  Rng a(7), b(7);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(sampler.sample(a), sampler.sample(b));
}

// ---------------------------------------------------------------------------------------------

double keep_formula(std::uint64_t count, std::uint64_t total, double t) {
  const double f = static_cast<double>(count) / static_cast<double>(total);
  return std::min(1.0, std::sqrt(t / f) + t / f);
}

TEST(Subsampler, KeepProbabilityIsTheFormula) {
  constexpr std::uint64_t kTotal = 10'000'000;
  for (const double t : {1e-3, 1e-4, 1e-5}) {
    for (const std::uint64_t count :
         std::vector<std::uint64_t>{1, 100, 1000, 12345, 100000, 3000000, kTotal}) {
      EXPECT_EQ(Subsampler::keep_probability(count, kTotal, t), keep_formula(count, kTotal, t))
          << "t " << t << " count " << count;
    }
  }
  // By hand: f = 0.1, t = 1e-4: sqrt(1e-3) + 1e-3.
  EXPECT_NEAR(Subsampler::keep_probability(1'000'000, kTotal, 1e-4), 0.0326227766016838, 1e-15);
  // f = t: sqrt(1) + 1 > 1, kept always.
  EXPECT_EQ(Subsampler::keep_probability(100, 1'000'000, 1e-4), 1.0);
}

TEST(Subsampler, PrecomputedProbabilitiesMatchTheFormula) {
  const std::vector<std::uint64_t> counts = {5'000'000, 1'000'000, 200'000, 30'000, 1'000, 1};
  const std::uint64_t total = std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
  const Subsampler s(counts, 1e-4);
  for (std::uint32_t id = 0; id < counts.size(); ++id) {
    EXPECT_NEAR(s.keep_probability(id), keep_formula(counts[id], total, 1e-4), 0x1p-32) << id;
  }
  EXPECT_EQ(s.keep_probability(5), 1.0);
}

TEST(Subsampler, EmpiricalKeepRateWithinFourSigma) {
  const std::vector<std::uint64_t> counts = {5'000'000, 1'000'000, 200'000, 30'000, 1'000};
  const Subsampler s(counts, 1e-4);
  constexpr int kTrials = 1'000'000;
  Rng rng(2024);
  for (std::uint32_t id = 0; id < counts.size(); ++id) {
    const double p = s.keep_probability(id);
    int kept = 0;
    for (int i = 0; i < kTrials; ++i) kept += s.keep(id, rng) ? 1 : 0;
    const double rate = static_cast<double>(kept) / kTrials;
    const double sigma = std::sqrt(p * (1 - p) / kTrials);
    EXPECT_LE(std::abs(rate - p), 4 * sigma + 1e-12) << "id " << id << " p " << p;
    if (p == 1.0) {
      EXPECT_EQ(kept, kTrials);
    }
  }
}

TEST(Subsampler, ThresholdZeroKeepsEverything) {
  const std::vector<std::uint64_t> counts = {1'000'000'000, 5, 1};
  for (const double t : {0.0, -1.0}) {
    const Subsampler s(counts, t);
    Rng rng(1);
    for (std::uint32_t id = 0; id < counts.size(); ++id) {
      EXPECT_EQ(s.keep_probability(id), 1.0);
      for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(s.keep(id, rng)) << "id " << id;
    }
    EXPECT_EQ(Subsampler::keep_probability(1'000'000'000, 1'000'000'006, t), 1.0);
  }
}

}  // namespace
}  // namespace w2v
