#include "server/models/model_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/base/atomic_file.h"
#include "core/io/vectors_io.h"
#include "proto/api_error.h"
#include "support/random_vectors.h"
#include "support/temp_dir.h"

namespace w2v::server {
namespace {

namespace fs = std::filesystem;

class ModelCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { dirs_ = std::make_unique<DataDir>(root_.string()); }

  // A model of n random words written to models/<id>/vectors.bin; returns its id.
  std::string add_model(std::size_t n, std::size_t dim = 32) {
    std::string id = new_id("m");
    fs::create_directories(dirs_->model_dir(id));
    const Embeddings emb = testing::random_embeddings(n, dim, n * 7 + ids_.size());
    const std::vector<std::string_view> words = emb.words();
    save_vectors_file(dirs_->model_vectors(id), words, emb.vectors(), VectorsFormat::kBinary);
    std::lock_guard lock(mutex_);
    ids_.insert(id);
    return id;
  }
  void delete_model(ModelCache& cache, const std::string& id) {
    {
      std::lock_guard lock(mutex_);
      ids_.erase(id);
    }
    cache.evict(id);  // after the store forgot it, as DELETE does
  }
  ModelCache::Exists exists() {
    return [this](const std::string& id) {
      std::lock_guard lock(mutex_);
      return ids_.count(id) != 0;
    };
  }

  w2v::testing::TempDir tmp_{"model-cache"};
  const fs::path root_ = tmp_.path();
  std::unique_ptr<DataDir> dirs_;
  std::mutex mutex_;
  std::set<std::string> ids_;  // the "store"
};

TEST_F(ModelCacheTest, AnUnknownOrDeletedModelIsNull) {
  ModelCache cache(*dirs_, 1 << 30, exists());
  EXPECT_EQ(cache.get("m_nothing"), nullptr);
  EXPECT_EQ(cache.index("m_nothing"), nullptr);
  const std::string id = add_model(100);
  ASSERT_NE(cache.get(id), nullptr);
  delete_model(cache, id);
  EXPECT_EQ(cache.loaded(id), nullptr);
  EXPECT_EQ(cache.get(id), nullptr);  // its files are still there: the store decides
  EXPECT_EQ(cache.entries(), 0u);
}

TEST_F(ModelCacheTest, AModelOverTheLoadLimitIsRefusedBeforeAnythingIsReserved) {
  const std::string big = add_model(2000, 64), small = add_model(50, 8);
  ModelCache probe(*dirs_, 1ull << 40, exists());
  const std::uint64_t big_bytes = probe.get(big)->memory_bytes();
  const std::uint64_t small_bytes = probe.get(small)->memory_bytes();
  ASSERT_LT(small_bytes * 4, big_bytes);

  ModelCache cache(*dirs_, 1ull << 40, exists(), {}, big_bytes / 2);
  try {
    cache.get(big);
    FAIL() << "a model over the limit was loaded";
  } catch (const proto::ApiError& e) {
    EXPECT_EQ(e.status(), 409);
    EXPECT_EQ(e.code(), "model_too_large");
    EXPECT_NE(std::string(e.what()).find("2000 words x dim 64"), std::string::npos) << e.what();
  }
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.loads(), 0u);
  ASSERT_NE(cache.get(small), nullptr);
  ASSERT_NE(cache.index(small), nullptr);

  // A model that fits alone but not with the index a query asks for: the model serves, the
  // index is refused (and not built).
  const std::uint64_t index_bytes = HnswIndex::estimate_memory_bytes(2000, 64);
  ModelCache tight(*dirs_, 1ull << 40, exists(), {}, big_bytes + index_bytes / 2);
  ASSERT_NE(tight.get(big), nullptr);
  try {
    tight.index(big);
    FAIL() << "an index over the limit was built";
  } catch (const proto::ApiError& e) {
    EXPECT_EQ(e.code(), "model_too_large");
    EXPECT_NE(std::string(e.what()).find("for its HNSW index"), std::string::npos) << e.what();
  }
  EXPECT_EQ(tight.index_builds(), 0u);
}

TEST_F(ModelCacheTest, AFailedLoadGoesThroughTheHookToEveryWaitingQuery) {
  const std::string id = add_model(500);
  fs::remove(dirs_->model_vectors(id));
  std::atomic<int> calls{0};
  ModelCache cache(*dirs_, 1ull << 40, exists(), [&](const std::string& m, const std::exception&) {
    ++calls;
    throw proto::ApiError::conflict("model " + m + " is broken", "model_broken");
  });
  for (int i = 0; i < 2; ++i) {
    try {
      cache.get(id);
      FAIL() << "a model without its file was loaded";
    } catch (const proto::ApiError& e) {
      EXPECT_EQ(e.code(), "model_broken");
    }
  }
  EXPECT_EQ(calls.load(), 2);  // nothing cached: every load asks again
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST_F(ModelCacheTest, AModelWithoutARowsFileGetsOneAtItsFirstLoadAndIsMappedAfter) {
  const std::string id = add_model(700, 24);  // as an older w2vd left it: vectors.bin alone
  const std::string rows = dirs_->model_rows(id);
  ASSERT_FALSE(fs::exists(rows));
  auto parsed_wv = load_vectors_file(dirs_->model_vectors(id), VectorsFormat::kBinary);
  const Embeddings parsed(std::move(parsed_wv.words), std::move(parsed_wv.vectors));

  ModelCache cache(*dirs_, 1ull << 40, exists());
  const auto first = cache.get(id);
  ASSERT_TRUE(fs::exists(rows));
  EXPECT_EQ(first->memory_bytes(), fs::file_size(rows));  // already the mapping
  EXPECT_EQ(cache.bytes(), fs::file_size(rows));
  const auto modified = fs::last_write_time(rows);

  // Dropped and loaded again: mapped from the rows file, which is not written again (and which
  // alone serves: vectors.bin is not read).
  cache.evict(id);
  fs::rename(dirs_->model_vectors(id), dirs_->model_vectors(id) + ".away");
  const auto second = cache.get(id);
  EXPECT_EQ(cache.loads(), 2u);
  EXPECT_EQ(fs::last_write_time(rows), modified);
  ASSERT_EQ(second->size(), parsed.size());
  for (std::uint32_t i = 0; i < parsed.size(); i += 50) {
    EXPECT_EQ(second->word(i), parsed.word(i));
    const std::uint32_t pos[] = {i};
    const auto want = parsed.most_similar(pos, {}, 5), got = second->most_similar(pos, {}, 5);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t k = 0; k < want.size(); ++k) {
      EXPECT_EQ(got[k].id, want[k].id);
      EXPECT_EQ(got[k].score, want[k].score);
    }
  }
}

TEST_F(ModelCacheTest, ADamagedRowsFileFailsTheLoadThroughTheHookUntilItIsRemoved) {
  const std::string id = add_model(300, 16);
  const std::string rows = dirs_->model_rows(id);
  std::vector<std::string> errors;
  ModelCache cache(*dirs_, 1ull << 40, exists(),
                   [&](const std::string& m, const std::exception& e) {
                     errors.emplace_back(e.what());
                     throw proto::ApiError::conflict("model " + m + " is broken", "model_broken");
                   });
  ASSERT_NE(cache.get(id), nullptr);
  cache.evict(id);
  fs::resize_file(rows, fs::file_size(rows) - 64);
  EXPECT_THROW(cache.get(id), proto::ApiError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find(rows + ": truncated"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("remove it"), std::string::npos) << errors[0];
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);

  fs::remove(rows);  // what the error says to do: the next load writes it again
  ASSERT_NE(cache.get(id), nullptr);
  EXPECT_TRUE(fs::exists(rows));
  EXPECT_EQ(errors.size(), 1u);
}

TEST_F(ModelCacheTest, ARowsFileThatCannotBeWrittenLeavesTheParsedCopyServing) {
  const std::string id = add_model(300, 16);
  ModelCache cache(*dirs_, 1ull << 40, exists());
  inject_disk_full_after(0);
  const auto parsed = cache.get(id);
  inject_disk_full_after(std::nullopt);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(parsed->size(), 300u);
  EXPECT_FALSE(fs::exists(dirs_->model_rows(id)));
  for (const auto& entry : fs::directory_iterator(dirs_->model_dir(id))) {
    EXPECT_EQ(entry.path().filename(), "vectors.bin");  // no temporary file left
  }
  cache.evict(id);
  ASSERT_NE(cache.get(id), nullptr);
  EXPECT_TRUE(fs::exists(dirs_->model_rows(id)));
}

// A build stopped half-way (its model deleted, the daemon stopping) ends in HnswBuildCancelled,
// writes no index file and gives back what it reserved; the next build, not stopped, saves it.
TEST_F(ModelCacheTest, AStoppedIndexBuildWritesNothingAndReleasesItsReservation) {
  const std::string a = add_model(8000, 16);
  ModelCache cache(*dirs_, 1ull << 40, exists());
  ASSERT_NE(cache.get(a), nullptr);
  const std::uint64_t model_bytes = cache.bytes();
  HnswOptions options;
  options.threads = 2;
  HnswBuildControl control;
  auto stopper = std::async(std::launch::async, [&control] {
    while (control.inserted.load() < 1000) std::this_thread::yield();
    control.stop = true;
  });
  EXPECT_THROW(cache.index(a, options, &control), HnswBuildCancelled);
  stopper.get();
  EXPECT_LT(control.inserted.load(), control.total.load());
  EXPECT_FALSE(fs::exists(dirs_->model_hnsw(a)));
  for (const auto& entry : fs::directory_iterator(dirs_->model_dir(a))) {  // the vectors alone
    const auto name = entry.path().filename();
    EXPECT_TRUE(name == "vectors.bin" || name == "rows.w2vm") << name;
  }
  EXPECT_EQ(cache.bytes(), model_bytes);
  EXPECT_EQ(cache.index_builds(), 0u);
  EXPECT_EQ(cache.loaded_index(a), nullptr);

  HnswBuildControl again;
  ASSERT_NE(cache.index(a, options, &again), nullptr);
  EXPECT_EQ(again.inserted.load(), 8000u);
  EXPECT_TRUE(fs::exists(dirs_->model_hnsw(a)));
  EXPECT_NE(cache.loaded_index(a), nullptr);
}

TEST_F(ModelCacheTest, StaysWithinItsBudgetCountingIndexes) {
  const std::string a = add_model(2000), b = add_model(2000);
  ModelCache probe(*dirs_, 1ull << 40, exists());
  const std::uint64_t model_bytes = probe.get(a)->memory_bytes();
  probe.index(a);
  const std::uint64_t with_index = probe.bytes();
  ASSERT_GT(with_index, model_bytes);

  // Room for one model with its index, not for two models.
  ModelCache cache(*dirs_, with_index + model_bytes / 2, exists());
  ASSERT_NE(cache.index(a), nullptr);
  EXPECT_EQ(cache.bytes(), with_index);
  ASSERT_NE(cache.get(b), nullptr);  // evicts a, the least recently used
  EXPECT_EQ(cache.loaded(a), nullptr);
  EXPECT_LE(cache.bytes(), with_index + model_bytes / 2);
  ASSERT_NE(cache.index(b), nullptr);  // b's index fits beside b alone
  EXPECT_LE(cache.bytes(), with_index + model_bytes / 2);
  EXPECT_EQ(cache.entries(), 1u);
}

TEST_F(ModelCacheTest, AnIndexCountsAndMakesRoomFromTheStartOfItsBuild) {
  const std::string a = add_model(500), b = add_model(10000);
  ModelCache probe(*dirs_, 1ull << 40, exists());
  const std::uint64_t a_bytes = probe.get(a)->memory_bytes();
  const std::uint64_t b_bytes = probe.get(b)->memory_bytes();
  const std::uint64_t estimate = HnswIndex::estimate_memory_bytes(10000, 32);

  // Room for b with its index, not for a beside them.
  const std::uint64_t budget = b_bytes + estimate + a_bytes / 2;
  ModelCache cache(*dirs_, budget, exists());
  ASSERT_NE(cache.get(a), nullptr);
  ASSERT_NE(cache.get(b), nullptr);
  auto build = std::async(std::launch::async, [&] { return cache.index(b); });
  // While no build has finished (index_builds() counts finished builds, and is read after
  // bytes()), the cache must already count b's index and have evicted a for it.
  bool seen_while_building = false;
  while (build.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    const std::uint64_t bytes = cache.bytes();
    const bool a_loaded = cache.loaded(a) != nullptr;
    if (cache.index_builds() == 0 && bytes >= b_bytes + estimate) {
      seen_while_building = true;
      EXPECT_FALSE(a_loaded);
      EXPECT_LE(bytes, budget);
      break;
    }
    std::this_thread::yield();
  }
  ASSERT_NE(build.get(), nullptr);
  EXPECT_TRUE(seen_while_building) << "the build ran without the cache counting its index";
  EXPECT_EQ(cache.index_builds(), 1u);
  EXPECT_EQ(cache.bytes(), b_bytes + cache.index(b)->memory_bytes());  // the estimate is gone
}

TEST_F(ModelCacheTest, AModelLargerThanTheBudgetIsServedAlone) {
  const std::string a = add_model(1000), b = add_model(1000);
  ModelCache cache(*dirs_, 1024, exists());
  ASSERT_NE(cache.index(a), nullptr);  // never an error because of the cache's own budget
  ASSERT_NE(cache.get(b), nullptr);
  EXPECT_EQ(cache.entries(), 1u);
  ASSERT_NE(cache.index(a), nullptr);  // a comes back (its index from its file)
  EXPECT_EQ(cache.index_builds(), 1u);
}

TEST_F(ModelCacheTest, ConcurrentQueriesLoadOnceAndBuildTheIndexOnceDespiteEvictions) {
  const std::string a = add_model(3000), b = add_model(100);
  ModelCache cache(*dirs_, 1ull << 40, exists());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(7);
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        try {
          if (cache.index(a) == nullptr) ++failures;
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  // Meanwhile another model comes and goes, and a is evicted now and then (its index build
  // must not start again, nor fail).
  threads.emplace_back([&] {
    for (int i = 0; i < 20; ++i) {
      cache.get(b);
      cache.evict(a);
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(cache.index_builds(), 1u);
}

TEST_F(ModelCacheTest, LoadsThatDoNotFitBesideLoadsInProgressWaitForThem) {
  // Many first queries of many models at once: they all load, but the bytes held (loaded and
  // loading) never exceed the budget.
  std::vector<std::string> ids;
  ids.reserve(6);
  for (int i = 0; i < 6; ++i) ids.push_back(add_model(3000));
  ModelCache probe(*dirs_, 1ull << 40, exists());
  const std::uint64_t budget = probe.get(ids[0])->memory_bytes() * 5 / 2;  // two at once
  ModelCache cache(*dirs_, budget, exists());
  std::atomic<int> loaded{0}, over{0};
  std::vector<std::thread> threads;
  threads.reserve(ids.size());
  for (const auto& id : ids) {
    threads.emplace_back([&, id] {
      if (cache.get(id)) ++loaded;
      if (cache.bytes() > budget) ++over;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(loaded.load(), 6);
  EXPECT_EQ(cache.loads(), 6u);
  EXPECT_EQ(over.load(), 0);
  EXPECT_LE(cache.bytes(), budget);
  EXPECT_LE(cache.entries(), 2u);
}

}  // namespace
}  // namespace w2v::server
