// The approximate index finds (almost all of) the exact top-k, with the same cosine scores;
// it round-trips through a file and refuses a file made for another model.

#include "core/search/hnsw_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <random>
#include <set>
#include <system_error>
#include <thread>

#include "core/base/atomic_file.h"
#include "support/temp_dir.h"

namespace w2v {
namespace {

Embeddings clustered_embeddings(std::size_t n, std::size_t dim, std::uint64_t seed) {
  // Points around 50 centres, as word vectors cluster.
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<std::vector<float>> centres(50, std::vector<float>(dim));
  for (auto& c : centres) {
    for (float& x : c) x = normal(rng);
  }
  Matrix m(n, dim);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < n; ++i) {
    words.push_back("w" + std::to_string(i));
    const auto& c = centres[i % centres.size()];
    for (std::size_t j = 0; j < dim; ++j) m.row(i)[j] = c[j] + 0.7f * normal(rng);
  }
  return Embeddings(std::move(words), std::move(m));
}

double recall_at_10(const Embeddings& emb, const HnswIndex& index, std::size_t queries) {
  std::size_t hits = 0;
  for (std::uint32_t q = 0; q < queries; ++q) {
    const std::uint32_t pos[] = {q};
    const auto exact = emb.most_similar(pos, {}, 10);
    const auto approx = index.search(emb.query_vector(pos, {}), 10, pos);
    std::set<std::uint32_t> truth;
    for (const auto& n : exact) truth.insert(n.id);
    for (const auto& n : approx) hits += truth.count(n.id);
  }
  return static_cast<double>(hits) / (10.0 * queries);
}

TEST(HnswIndex, RecallAgainstExactSearch) {
  const Embeddings emb = clustered_embeddings(8000, 32, 1);
  const auto index = HnswIndex::build(emb);
  EXPECT_GE(recall_at_10(emb, *index, 300), 0.95);
  // Scores are cosines, and the query word itself is excluded.
  const std::uint32_t q[] = {7};
  const auto r = index->search(emb.query_vector(q, {}), 5, q);
  ASSERT_EQ(r.size(), 5u);
  for (const auto& n : r) {
    EXPECT_NE(n.id, 7u);
    EXPECT_NEAR(n.score, emb.similarity(7, n.id), 1e-4);
  }
  for (std::size_t i = 1; i < r.size(); ++i) EXPECT_GE(r[i - 1].score, r[i].score);
}

// Built from two threads at once, the graph is as good: each insert links into what the other
// is inserting, and the recall against exact search stays as high as one thread's.
TEST(HnswIndex, ParallelBuildKeepsRecall) {
  const Embeddings emb = clustered_embeddings(8000, 32, 1);
  HnswOptions options;
  options.threads = 2;
  HnswBuildControl control;
  const auto index = HnswIndex::build(emb, options, &control);
  EXPECT_EQ(control.inserted.load(), emb.size());
  EXPECT_GE(recall_at_10(emb, *index, 300), 0.95);
  EXPECT_EQ(HnswIndex::estimate_memory_bytes(emb.size(), emb.dim()), index->memory_bytes());
}

// One thread draws the same levels and inserts in the same order every time: the same graph.
TEST(HnswIndex, OneThreadBuildsTheSameGraphEveryTime) {
  const Embeddings emb = clustered_embeddings(3000, 16, 6);
  const auto a = HnswIndex::build(emb);
  const auto b = HnswIndex::build(emb);
  for (std::uint32_t q = 0; q < 50; ++q) {
    const std::uint32_t pos[] = {q};
    const auto ra = a->search(emb.query_vector(pos, {}), 10, pos);
    const auto rb = b->search(emb.query_vector(pos, {}), 10, pos);
    ASSERT_EQ(ra.size(), rb.size());
    for (std::size_t i = 0; i < ra.size(); ++i) EXPECT_EQ(ra[i].id, rb[i].id);
  }
}

// A stop set while the build runs (here once a thousand points are in, watched from another
// thread) ends it early with HnswBuildCancelled, far from every point inserted.
TEST(HnswIndex, AStopEndsTheBuildEarly) {
  const Embeddings emb = clustered_embeddings(20000, 32, 7);
  HnswOptions options;
  options.threads = 2;
  HnswBuildControl control;
  auto stopper = std::async(std::launch::async, [&control] {
    while (control.inserted.load() < 1000) std::this_thread::yield();
    control.stop = true;
  });
  EXPECT_THROW(HnswIndex::build(emb, options, &control), HnswBuildCancelled);
  stopper.get();
  EXPECT_GE(control.inserted.load(), 1000u);
  EXPECT_LT(control.inserted.load(), emb.size() / 2);
  // A stop set before the build starts: nothing but the entry point is inserted.
  HnswBuildControl stopped;
  stopped.stop = true;
  EXPECT_THROW(HnswIndex::build(emb, options, &stopped), HnswBuildCancelled);
  EXPECT_EQ(stopped.inserted.load(), 1u);
}

TEST(HnswIndex, ARepeatedExclusionListCostsOneLookupPerWord) {
  // 10,000 copies of one word exclude that word once: the answer still has k words, the
  // search asks the graph for k + 1 rows, not k + 10,000.
  const Embeddings emb = clustered_embeddings(3000, 16, 4);
  const auto index = HnswIndex::build(emb);
  const std::uint32_t q[] = {11};
  const std::vector<std::uint32_t> repeated(10000, 11);
  const auto once = index->search(emb.query_vector(q, {}), 10, q);
  const auto many = index->search(emb.query_vector(q, {}), 10, repeated);
  ASSERT_EQ(many.size(), 10u);
  for (std::size_t i = 0; i < once.size(); ++i) EXPECT_EQ(once[i].id, many[i].id);
  for (const auto& n : many) EXPECT_NE(n.id, 11u);
}

TEST(HnswIndex, SavesAndLoads) {
  const Embeddings emb = clustered_embeddings(2000, 16, 2);
  const auto index = HnswIndex::build(emb);
  testing::TempDir tmp("hnsw");
  const std::string path = tmp.file("index");
  index->save(path);
  const auto loaded = HnswIndex::load(path, emb);
  const std::uint32_t q[] = {3};
  const auto a = index->search(emb.query_vector(q, {}), 10, q);
  const auto b = loaded->search(emb.query_vector(q, {}), 10, q);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
  const Embeddings other = clustered_embeddings(1999, 16, 3);
  EXPECT_THROW(HnswIndex::load(path, other), std::runtime_error);
}

TEST(HnswIndex, MemoryEstimateIsWhatTheBuiltIndexUses) {
  for (const auto& [n, dim] : {std::pair<std::size_t, std::size_t>{1, 4}, {500, 16}, {3000, 33}}) {
    const Embeddings emb = clustered_embeddings(n, dim, n);
    const auto index = HnswIndex::build(emb);
    EXPECT_EQ(HnswIndex::estimate_memory_bytes(n, dim), index->memory_bytes()) << n << " x " << dim;
  }
}

// A full disk while the index is written: save() says so (a std::system_error that is_disk_full
// recognises) and leaves nothing behind, neither at the path nor under a temporary name; a
// complete index at the path stays as it was.
TEST(HnswIndex, SaveOnAFullDiskFailsAndLeavesNothingHalfWritten) {
  const Embeddings emb = clustered_embeddings(2000, 16, 5);
  const auto index = HnswIndex::build(emb);
  testing::TempDir dir("hnsw-full");
  const std::string path = dir.file("hnsw.bin");

  for (const std::uint64_t room : {std::uint64_t{0}, std::uint64_t{1000}, std::uint64_t{100000}}) {
    inject_disk_full_after(room);
    try {
      index->save(path);
      inject_disk_full_after(std::nullopt);
      FAIL() << "save succeeded with " << room << " bytes of room";
    } catch (const std::exception& e) {
      inject_disk_full_after(std::nullopt);
      EXPECT_TRUE(is_disk_full(e)) << e.what();
    }
    EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "with " << room << " bytes of room";
  }

  // A saved index survives a later failed save whole.
  index->save(path);
  const auto saved_size = std::filesystem::file_size(path);
  inject_disk_full_after(100);
  EXPECT_THROW(index->save(path), std::system_error);
  inject_disk_full_after(std::nullopt);
  EXPECT_EQ(std::filesystem::file_size(path), saved_size);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
  const auto loaded = HnswIndex::load(path, emb);
  EXPECT_EQ(loaded->memory_bytes(), index->memory_bytes());
}

}  // namespace
}  // namespace w2v
