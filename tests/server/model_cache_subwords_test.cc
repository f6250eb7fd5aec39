// The model cache's n-gram rows for out-of-vocabulary queries (ModelCache::subwords): mapped once
// from a subword model's training state, counted in the cache's bytes with the model and
// dropped with it; a model without subwords (or without a training state) has none; a damaged
// state goes through the load-failure hook (the model marked broken), a refusal does not.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/io/vectors_io.h"
#include "core/train/model_weights.h"
#include "core/train/training_state.h"
#include "proto/api_error.h"
#include "server/models/model_cache.h"
#include "support/random_vectors.h"
#include "support/temp_dir.h"

namespace w2v::server {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kWords = 60, kDim = 20;

class ModelCacheSubwordsTest : public ::testing::Test {
 protected:
  void SetUp() override { dirs_ = std::make_unique<DataDir>(fs::path(tmp_.path()).string()); }

  // A model of random vectors; with a training state when state is set (subwords when
  // bucket > 0).
  std::string add_model(const std::string& id, bool state, std::uint64_t bucket) {
    fs::create_directories(dirs_->model_dir(id));
    const Embeddings emb = testing::random_embeddings(kWords, kDim, 3);
    const std::vector<std::string_view> words = emb.words();
    save_vectors_file(dirs_->model_vectors(id), words, emb.vectors(), VectorsFormat::kBinary);
    if (state) {
      TrainingState s;
      s.counts.assign(kWords, 5);
      s.output = testing::random_matrix(output_rows(s.loss, kWords), kDim, 4);
      if (bucket > 0) {
        s.subwords = {3, 5, bucket};
        s.input = testing::random_matrix(kWords + bucket, kDim, 5);
      }
      save_training_state(dirs_->model_training_state(id), words, s);
    }
    return id;
  }

  w2v::testing::TempDir tmp_{"model-cache-subwords"};
  std::unique_ptr<DataDir> dirs_;
};

TEST_F(ModelCacheSubwordsTest, ReadOnceCountedAndEvictedWithTheModel) {
  ModelCache cache(*dirs_, 1ull << 30);
  const std::string id = add_model("m_sub", true, 5000);
  EXPECT_FALSE(cache.loaded_subwords(id).has_value());  // not loaded
  const auto emb = cache.get(id);
  const std::uint64_t model_bytes = cache.bytes();
  EXPECT_FALSE(cache.loaded_subwords(id).has_value());  // loaded, n-grams not asked for yet
  const auto composer = cache.subwords(id);
  ASSERT_NE(composer, nullptr);
  EXPECT_EQ(composer->memory_bytes(),
            OovComposer::estimate_memory_bytes(kDim, composer->settings()));
  EXPECT_EQ(cache.bytes(), model_bytes + composer->memory_bytes());
  EXPECT_EQ(cache.subwords(id), composer);  // kept: not read again
  EXPECT_EQ(cache.loaded_subwords(id).value(), composer);
  // The composed vector of a word the vocabulary lacks ("w1x" shares "<w1", "w1x" ... rows).
  std::vector<float> v(kDim);
  EXPECT_TRUE(composer->compose("w1x", v));
  cache.evict(id);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_FALSE(cache.loaded_subwords(id).has_value());
}

TEST_F(ModelCacheSubwordsTest, ModelsWithoutSubwordsHaveNone) {
  ModelCache cache(*dirs_, 1ull << 30);
  for (const auto& id : {add_model("m_plain", true, 0), add_model("m_imported", false, 0)}) {
    cache.get(id);
    const std::uint64_t before = cache.bytes();
    EXPECT_EQ(cache.subwords(id), nullptr);
    EXPECT_EQ(cache.bytes(), before);
    const auto known = cache.loaded_subwords(id);
    ASSERT_TRUE(known.has_value());  // known to have none: no read next time
    EXPECT_EQ(*known, nullptr);
  }
}

TEST_F(ModelCacheSubwordsTest, TheRowsCountTowardTheModelLimit) {
  const std::string id = add_model("m_big", true, 20000);
  // Room for the vectors (about 20 KB), not for 20,000 n-gram rows of dim 20 (1.3 MB).
  ModelCache cache(*dirs_, 1ull << 30, {}, {}, 256ull * 1024);
  ASSERT_NE(cache.get(id), nullptr);
  EXPECT_THROW(cache.subwords(id), proto::ApiError);
  EXPECT_FALSE(cache.loaded_subwords(id).has_value());
}

TEST_F(ModelCacheSubwordsTest, ADamagedStateGoesThroughTheLoadFailureHookARefusalDoesNot) {
  const std::string id = add_model("m_cut", true, 5000);
  std::vector<std::string> failures;
  const auto hook = [&](const std::string& m, const std::exception& e) {
    failures.push_back(m + ": " + e.what());
    throw proto::ApiError::conflict("model " + m + " is broken", "model_broken");
  };
  {
    // Over the model limit: refused (model_too_large), and the model is not broken.
    ModelCache cache(*dirs_, 1ull << 30, {}, hook, 64ull * 1024);
    ASSERT_NE(cache.get(id), nullptr);
    EXPECT_THROW(cache.subwords(id), proto::ApiError);
    EXPECT_TRUE(failures.empty());
  }
  const std::string state = dirs_->model_training_state(id);
  fs::resize_file(state, fs::file_size(state) - 4);
  ModelCache cache(*dirs_, 1ull << 30, {}, hook);
  ASSERT_NE(cache.get(id), nullptr);
  const std::uint64_t model_bytes = cache.bytes();
  for (int i = 0; i < 2; ++i) {  // not kept: every query asks again (and gets the hook's error)
    try {
      cache.subwords(id);
      ADD_FAILURE() << "a cut training state was mapped";
    } catch (const proto::ApiError& e) {
      EXPECT_EQ(e.code(), "model_broken");
    }
  }
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_NE(failures[0].find("truncated"), std::string::npos) << failures[0];
  EXPECT_EQ(cache.bytes(), model_bytes);
  EXPECT_FALSE(cache.loaded_subwords(id).has_value());
}

}  // namespace
}  // namespace w2v::server
