// Queries on embeddings, checked against brute-force computations written out in the test.

#include "core/search/embeddings.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "support/random_vectors.h"

namespace w2v {
namespace {

using testing::cosine;
using testing::random_embeddings;

// Brute force: rank every row by cosine with q, skipping excluded ids.
std::vector<std::uint32_t> brute_top(const Embeddings& e, const std::vector<double>& q,
                                     std::size_t k, const std::vector<std::uint32_t>& exclude) {
  std::vector<float> qf(q.begin(), q.end());
  std::vector<std::pair<double, std::uint32_t>> scored;
  for (std::uint32_t i = 0; i < e.size(); ++i) {
    if (std::find(exclude.begin(), exclude.end(), i) != exclude.end()) continue;
    scored.emplace_back(-cosine(e.vector(i), qf), i);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::uint32_t> ids;
  for (std::size_t i = 0; i < k && i < scored.size(); ++i) ids.push_back(scored[i].second);
  return ids;
}

std::vector<double> unit(std::span<const float> v) {
  double n = 0;
  for (float x : v) n += double(x) * x;
  std::vector<double> u;
  for (float x : v) u.push_back(x / std::sqrt(n));
  return u;
}

std::vector<std::uint32_t> ids_of(const std::vector<Neighbor>& ns) {
  std::vector<std::uint32_t> ids;
  for (const auto& n : ns) ids.push_back(n.id);
  return ids;
}

TEST(Embeddings, FindAndVectors) {
  Matrix m(2, 3);
  m.row(1)[2] = 5;
  const Embeddings e({"a", "b"}, std::move(m));
  EXPECT_EQ(e.find("b").value(), 1u);
  EXPECT_FALSE(e.find("c"));
  EXPECT_EQ(e.vector(1)[2], 5.0f);
  EXPECT_EQ(e.dim(), 3u);
  EXPECT_THROW(Embeddings({"a", "a"}, Matrix(2, 3)), std::invalid_argument);
  EXPECT_THROW(Embeddings({"a"}, Matrix(2, 3)), std::invalid_argument);
}

TEST(Embeddings, SimilarityIsCosine) {
  const Embeddings e = random_embeddings(50, 13, 1);
  for (std::uint32_t a = 0; a < 10; ++a) {
    EXPECT_NEAR(e.similarity(a, a + 1), cosine(e.vector(a), e.vector(a + 1)), 1e-5);
  }
  EXPECT_NEAR(e.similarity(3, 3), 1.0, 1e-5);
}

TEST(Embeddings, ZeroVectorScoresZero) {
  Matrix m(3, 2);
  m.row(0)[0] = 1;
  m.row(2)[0] = 1;
  const Embeddings e({"a", "zero", "c"}, std::move(m));
  EXPECT_EQ(e.similarity(0, 1), 0.0f);
  const std::uint32_t pos[] = {0};
  const auto r = e.most_similar(pos, {}, 2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].id, 2u);
  EXPECT_EQ(r[1].id, 1u);
}

TEST(Embeddings, MostSimilarMatchesBruteForce) {
  // More rows than one scoring block, so block boundaries are crossed.
  const Embeddings e = random_embeddings(1500, 24, 2);
  for (std::uint32_t w : {0u, 7u, 511u, 512u, 1499u}) {
    const std::uint32_t pos[] = {w};
    const auto got = e.most_similar(pos, {}, 10);
    EXPECT_EQ(ids_of(got), brute_top(e, unit(e.vector(w)), 10, {w}));
    for (std::size_t i = 1; i < got.size(); ++i) EXPECT_GE(got[i - 1].score, got[i].score);
    EXPECT_NEAR(got[0].score, cosine(e.vector(w), e.vector(got[0].id)), 1e-5);
  }
}

// A long exclusion list with repeats, unsorted, excludes each of its words once: the answer
// is the brute-force top-k without them (the float path and the 8-bit scan alike).
TEST(Embeddings, LongExclusionListsWithRepeats) {
  const Embeddings e = random_embeddings(3000, 24, 9);
  std::vector<std::uint32_t> exclude;
  for (int rep = 0; rep < 200; ++rep) {
    for (std::uint32_t w : {2999u, 5u, 1200u, 17u}) exclude.push_back(w);
  }
  std::vector<std::uint32_t> distinct = {2999u, 5u, 1200u, 17u};
  // Also exclude the 30 nearest rows of the query, so the exclusion decides the answer.
  const auto nearest = e.nearest(e.vector(5), 30);
  for (const auto& n : nearest) {
    exclude.push_back(n.id);
    distinct.push_back(n.id);
  }
  std::reverse(exclude.begin(), exclude.end());
  const auto got = e.nearest(e.vector(5), 10, exclude);
  EXPECT_EQ(ids_of(got), brute_top(e, unit(e.vector(5)), 10, distinct));
  // most_similar's own exclusion (its query words) equals nearest() given them repeated.
  const std::uint32_t pos[] = {5, 17}, neg[] = {1200};
  const std::vector<std::uint32_t> repeated = {17, 5, 1200, 5, 17, 1200, 5};
  EXPECT_EQ(ids_of(e.most_similar(pos, neg, 10)),
            ids_of(e.nearest(e.query_vector(pos, neg), 10, repeated)));
}

TEST(Embeddings, ExactOnALargerVocabulary) {
  // Enough rows and dimensions for the 8-bit scan to be in use, with candidates to re-score.
  const Embeddings e = random_embeddings(6000, 64, 12);
  std::mt19937_64 rng(13);
  for (int t = 0; t < 40; ++t) {
    const auto w = static_cast<std::uint32_t>(rng() % e.size());
    const std::uint32_t pos[] = {w};
    const auto got = e.most_similar(pos, {}, 25);
    EXPECT_EQ(ids_of(got), brute_top(e, unit(e.vector(w)), 25, {w})) << "word " << w;
    for (const auto& n : got) EXPECT_NEAR(n.score, cosine(e.vector(w), e.vector(n.id)), 1e-5);
  }
}

TEST(Embeddings, ExactWhenManyRowsAreCloserThanTheScanCanTell) {
  // 3,000 rows spread around one direction by less than the 8-bit scan's error: its candidates
  // cannot be trusted, so the search must re-score beyond them to stay exact.
  std::mt19937_64 rng(14);
  std::normal_distribution<float> normal;
  std::vector<float> base(32);
  for (float& x : base) x = normal(rng);
  Matrix m(3000, 32);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < 3000; ++i) {
    words.push_back("w" + std::to_string(i));
    for (std::size_t j = 0; j < 32; ++j) m.row(i)[j] = base[j] + 0.05f * normal(rng);
  }
  const Embeddings e(std::move(words), std::move(m));
  for (std::uint32_t w : {0u, 1234u, 2999u}) {
    const std::uint32_t pos[] = {w};
    EXPECT_EQ(ids_of(e.most_similar(pos, {}, 10)), brute_top(e, unit(e.vector(w)), 10, {w}));
  }
  std::vector<double> q(base.begin(), base.end());
  EXPECT_EQ(ids_of(e.nearest(base, 10)), brute_top(e, q, 10, {}));
}

TEST(Embeddings, NonFiniteRowsFallBackToFloatSearch) {
  Matrix m(40, 4);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < 40; ++i) {
    words.push_back("w" + std::to_string(i));
    for (std::size_t j = 0; j < 4; ++j) m.row(i)[j] = static_cast<float>((i + 1) * (j + 2) % 7);
  }
  m.row(5)[1] = std::numeric_limits<float>::quiet_NaN();
  const Embeddings e(std::move(words), std::move(m));
  const std::uint32_t pos[] = {0};
  const auto got = e.most_similar(pos, {}, 39);
  EXPECT_EQ(got.size(), 38u);  // the NaN row is never a neighbour
  for (const auto& n : got) EXPECT_NE(n.id, 5u);
}

TEST(Embeddings, MostSimilarWithNegativesIsGensimsMeanOfUnitVectors) {
  const Embeddings e = random_embeddings(800, 16, 3);
  const std::uint32_t pos[] = {1, 2}, neg[] = {3};
  std::vector<double> q(16, 0.0);
  for (std::uint32_t p : pos) {
    const auto u = unit(e.vector(p));
    for (std::size_t i = 0; i < 16; ++i) q[i] += u[i];
  }
  const auto u = unit(e.vector(3));
  for (std::size_t i = 0; i < 16; ++i) q[i] -= u[i];
  EXPECT_EQ(ids_of(e.most_similar(pos, neg, 7)), brute_top(e, q, 7, {1, 2, 3}));
}

TEST(Embeddings, RestrictSearchesOnlyTheFirstRows) {
  const Embeddings e = random_embeddings(600, 8, 4);
  const std::uint32_t pos[] = {5};
  for (const auto& n : e.most_similar(pos, {}, 20, 100)) EXPECT_LT(n.id, 100u);
}

TEST(Embeddings, KLargerThanVocabularyReturnsEverythingElse) {
  const Embeddings e = random_embeddings(5, 4, 5);
  const std::uint32_t pos[] = {0};
  EXPECT_EQ(e.most_similar(pos, {}, 100).size(), 4u);
}

TEST(Embeddings, AnalogyAddIsMostSimilarOfBMinusAPlusC) {
  const Embeddings e = random_embeddings(700, 12, 6);
  const std::uint32_t pos[] = {20, 30}, neg[] = {10};
  EXPECT_EQ(ids_of(e.analogy(10, 20, 30, 5)), ids_of(e.most_similar(pos, neg, 5)));
}

TEST(Embeddings, AnalogyMulMatchesBruteForce) {
  const Embeddings e = random_embeddings(700, 12, 7);
  const std::uint32_t a = 1, b = 2, c = 3;
  double best = -1e300;
  std::uint32_t best_id = 0;
  for (std::uint32_t x = 0; x < e.size(); ++x) {
    if (x == a || x == b || x == c) continue;
    auto s = [&](std::uint32_t y) { return (1 + cosine(e.vector(x), e.vector(y))) / 2; };
    const double score = s(b) * s(c) / (s(a) + 1e-3);
    if (score > best) {
      best = score;
      best_id = x;
    }
  }
  const auto got = e.analogy(a, b, c, 1, AnalogyMethod::kMul);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, best_id);
  EXPECT_NEAR(got[0].score, best, 1e-4);
}

TEST(Embeddings, BatchEqualsOneByOne) {
  const Embeddings e = random_embeddings(1100, 20, 8);
  Matrix queries(300, 20);  // more than one batch of queries
  std::vector<std::vector<std::uint32_t>> exclude(300);
  std::mt19937_64 rng(9);
  std::normal_distribution<float> normal;
  for (std::size_t i = 0; i < 300; ++i) {
    for (std::size_t j = 0; j < 20; ++j) queries.row(i)[j] = normal(rng);
    exclude[i] = {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1)};
  }
  const auto batch = e.nearest_batch(queries, 5, exclude);
  ASSERT_EQ(batch.size(), 300u);
  for (std::size_t i = 0; i < 300; ++i) {
    const auto one = e.nearest(queries.row_span(i), 5, exclude[i]);
    EXPECT_EQ(ids_of(batch[i]), ids_of(one)) << "query " << i;
  }
}

}  // namespace
}  // namespace w2v
