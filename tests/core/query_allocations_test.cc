// The query path allocates nothing per query but its result, once its per-thread buffers have
// grown (also for a subword model's out-of-vocabulary words): counted by replacing the global
// operator new in this test binary.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>

#include "core/search/embeddings.h"
#include "core/train/oov_composer.h"
#include "support/ngram_rows_of.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace w2v {
namespace {

TEST(QueryAllocations, MostSimilarAllocatesOnlyItsResult) {
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal;
  Matrix m(5000, 50);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < 5000; ++i) {
    words.push_back("w" + std::to_string(i));
    for (std::size_t j = 0; j < 50; ++j) m.row(i)[j] = normal(rng);
  }
  const Embeddings e(std::move(words), std::move(m));
  const std::uint32_t warm[] = {1, 2}, warm_neg[] = {3};
  e.most_similar(warm, warm_neg, 10);  // grows this thread's buffers
  for (std::uint32_t w : {10u, 999u, 4321u}) {
    const std::uint32_t pos[] = {w};
    const long before = g_allocations.load();
    const auto result = e.most_similar(pos, {}, 10);
    EXPECT_EQ(g_allocations.load() - before, 1) << "word " << w;
    EXPECT_EQ(result.size(), 10u);
  }
}

// A word outside the vocabulary: composing its vector allocates nothing (n-grams within a
// std::string's inline buffer), its searches only their result.
TEST(QueryAllocations, OutOfVocabularyQueriesAllocateOnlyTheirResult) {
  std::mt19937_64 rng(2);
  std::normal_distribution<float> normal;
  const std::size_t n = 2000, dim = 40;
  const SubwordSettings s{3, 6, 10000};
  Matrix vectors(n, dim), input(n + s.bucket, dim);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < n; ++i) {
    words.push_back("w" + std::to_string(i));
    for (std::size_t j = 0; j < dim; ++j) vectors.row(i)[j] = normal(rng);
  }
  for (std::size_t i = 0; i < input.rows(); ++i) {
    for (std::size_t j = 0; j < dim; ++j) input.row(i)[j] = normal(rng);
  }
  const std::vector<std::string_view> views(words.begin(), words.end());
  const OovComposer composer(testing::ngram_rows_of(std::move(input), n, s), views);
  const Embeddings e(std::move(words), std::move(vectors));
  std::vector<float> v(dim);
  const std::uint32_t exclude[] = {5, 6};
  ASSERT_TRUE(composer.compose("w12x", v));
  e.nearest(v, 10, exclude);  // grows this thread's buffers
  e.analogy(e.vector(5), v, e.vector(6), exclude, 10, AnalogyMethod::kMul);
  for (const char* word : {"w77x", "w1999y", "xw42"}) {
    long before = g_allocations.load();
    ASSERT_TRUE(composer.compose(word, v)) << word;
    EXPECT_EQ(g_allocations.load() - before, 0) << word;
    before = g_allocations.load();
    EXPECT_EQ(e.nearest(v, 10, exclude).size(), 10u);
    EXPECT_EQ(g_allocations.load() - before, 1) << word;
    for (const AnalogyMethod m : {AnalogyMethod::kAdd, AnalogyMethod::kMul}) {
      before = g_allocations.load();
      EXPECT_EQ(e.analogy(e.vector(5), v, e.vector(6), exclude, 10, m).size(), 10u);
      EXPECT_EQ(g_allocations.load() - before, 1) << word;
    }
  }
}

}  // namespace
}  // namespace w2v
