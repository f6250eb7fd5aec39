// server/jobs/model_publication.h: a finished job's model is staged in the job's directory by
// whatever trained it, then published under models/<new id> with its record and evaluation;
// nothing staged, nothing published.

#include "server/jobs/model_publication.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "core/base/atomic_file.h"
#include "core/io/vectors_io.h"
#include "core/search/embeddings_file.h"
#include "core/text/word_counts.h"
#include "core/train/subword_vectors.h"
#include "core/train/training_state.h"
#include "support/temp_dir.h"

namespace w2v::server {
namespace {

namespace fs = std::filesystem;

class ModelPublicationTest : public ::testing::Test {
 protected:
  w2v::testing::TempDir tmp_{"publication"};
  DataDir dirs_{tmp_.path()};
  proto::JobRecord job_;
  Vocabulary vocab_;
  ModelWeights weights_;

  void SetUp() override {
    job_.id = "j_finished";
    job_.name = "finished";
    job_.params.dim = 4;
    job_.params.loss = LossType::kNegativeSampling;
    job_.init_model = "m_parent";
    WordCounts counts;
    for (const char* w : {"king", "queen", "king", "man", "woman", "king"}) counts.add(w);
    vocab_ = Vocabulary::build(counts, {1, 0});
    weights_ = make_initial_weights(vocab_.size(), job_.params);
  }
};

TEST_F(ModelPublicationTest, AStagedModelIsPublishedWithItsRecord) {
  stage_job_model(dirs_, job_.id, vocab_, weights_, job_.params);
  ASSERT_TRUE(fs::exists(dirs_.job_model(job_.id) + "/vectors.bin"));
  // Staging again (a resumed attempt) replaces the earlier files.
  stage_job_model(dirs_, job_.id, vocab_, weights_, job_.params);

  const proto::ModelRecord m = publish_job_model(dirs_, job_, {});
  EXPECT_TRUE(is_id(m.id, "m")) << m.id;
  EXPECT_EQ(m.job_id, job_.id);
  EXPECT_EQ(m.name, "finished");
  EXPECT_EQ(m.vocab_size, 4u);
  EXPECT_EQ(m.dim, 4);
  EXPECT_EQ(m.parent_id, "m_parent");
  EXPECT_EQ(m.params->dim, 4);
  EXPECT_TRUE(m.evaluation.empty());
  EXPECT_FALSE(fs::exists(dirs_.job_model(job_.id)));
  const WordVectors wv = load_vectors_file(dirs_.model_vectors(m.id), VectorsFormat::kBinary);
  ASSERT_EQ(wv.words.size(), 4u);
  EXPECT_EQ(wv.words[0], "king");
  EXPECT_EQ(wv.vectors.row_span(1)[2], weights_.input.row_span(1)[2]);
  EXPECT_TRUE(fs::exists(dirs_.model_training_state(m.id)));

  // With its rows file, holding the same rows: the first load maps it.
  const Embeddings mapped = map_embeddings_file(dirs_.model_rows(m.id));
  ASSERT_EQ(mapped.size(), 4u);
  for (std::uint32_t w = 0; w < 4; ++w) {
    EXPECT_EQ(mapped.word(w), wv.words[w]);
    for (std::size_t t = 0; t < 4; ++t) EXPECT_EQ(mapped.vectors().row(w)[t], wv.vectors.row(w)[t]);
  }
}

TEST_F(ModelPublicationTest, ARowsFileThatCannotBeWrittenLeavesItToTheFirstLoad) {
  stage_job_model(dirs_, job_.id, vocab_, weights_, job_.params);
  inject_disk_full_after(0);
  const proto::ModelRecord m = publish_job_model(dirs_, job_, {});
  inject_disk_full_after(std::nullopt);
  EXPECT_TRUE(fs::exists(dirs_.model_vectors(m.id)));
  EXPECT_FALSE(fs::exists(dirs_.model_rows(m.id)));
  for (const auto& entry : fs::directory_iterator(dirs_.model_dir(m.id))) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "vectors.bin" || name == "training_state.bin") << name;  // no temporary
  }
}

TEST_F(ModelPublicationTest, ASubwordModelPublishesComposedVectorsAndKeepsItsRows) {
  job_.params.minn = 2;
  job_.params.maxn = 3;
  job_.params.bucket = 50;
  weights_ = make_initial_weights(vocab_.size(), job_.params);
  ASSERT_EQ(weights_.input.rows(), vocab_.size() + 50);
  stage_job_model(dirs_, job_.id, vocab_, weights_, job_.params);
  const proto::ModelRecord m = publish_job_model(dirs_, job_, {});
  EXPECT_EQ(m.params->maxn, 3);
  const WordVectors wv = load_vectors_file(dirs_.model_vectors(m.id), VectorsFormat::kBinary);
  ASSERT_EQ(wv.words.size(), vocab_.size());
  const Matrix composed =
      composed_word_vectors(weights_.input, vocab_, subword_settings(job_.params));
  for (std::size_t w = 0; w < vocab_.size(); ++w) {
    for (std::size_t t = 0; t < 4; ++t) EXPECT_EQ(wv.vectors.row(w)[t], composed.row(w)[t]);
  }
  const TrainingState state = load_training_state(dirs_.model_training_state(m.id),
                                                  std::vector<std::string_view>(vocab_.words()), 4);
  EXPECT_EQ(state.subwords, subword_settings(job_.params));
  ASSERT_EQ(state.input.rows(), weights_.input.rows());
  for (std::size_t r = 0; r < state.input.rows(); ++r) {
    for (std::size_t t = 0; t < 4; ++t) ASSERT_EQ(state.input.row(r)[t], weights_.input.row(r)[t]);
  }
}

TEST_F(ModelPublicationTest, ThePublishedModelIsEvaluatedOnTheFiles) {
  stage_job_model(dirs_, job_.id, vocab_, weights_, job_.params);
  const std::string pairs = tmp_.file("pairs.txt");
  std::ofstream(pairs) << "king queen 9\nman woman 8\nking man 3\n";
  const proto::ModelRecord m = publish_job_model(dirs_, job_, {{}, {pairs}});
  ASSERT_TRUE(m.evaluation.contains("pairs")) << m.evaluation.dump();
  EXPECT_TRUE(m.evaluation["pairs"].contains("pairs.txt")) << m.evaluation.dump();
}

TEST_F(ModelPublicationTest, NothingStagedIsAJobError) {
  EXPECT_THROW(publish_job_model(dirs_, job_, {}), std::runtime_error);
  EXPECT_TRUE(fs::is_empty(dirs_.root() + "/models"));
}

}  // namespace
}  // namespace w2v::server
