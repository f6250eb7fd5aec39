// Continued training over the API: a job with init_model extends or keeps a model's vocabulary,
// names its parent, starts from imported vectors, refuses what conflicts with its parent, and
// survives a restart mid-training like any job.

#include "e2e/support.h"

namespace w2v::testing {
namespace {

using proto::JobStatus;

constexpr int kTopics = 6;
constexpr int kOldWords = 15;  // per topic, in part A
constexpr int kAllWords = 20;  // part B also brings words kOldWords..kAllWords-1 of each topic

std::string topic_text(int words, int sentences, std::uint64_t seed) {
  return topic_sentences(kTopics, words, sentences, seed);
}

struct TwoParts : Daemon {
  explicit TwoParts(std::vector<std::string> args = {}) : Daemon(std::move(args)) {
    a = api.upload_corpus(write_file(dir.path() + "/a.txt", topic_text(kOldWords, 5000, 1)), "a");
    b = api.upload_corpus(write_file(dir.path() + "/b.txt", topic_text(kAllWords, 5000, 2)), "b");
  }
  proto::ModelRecord train(const std::string& corpus, const nlohmann::json& params,
                           const std::string& init_model = "", const std::string& vocab = "") {
    const auto job = submit_job(api, corpus, params, "", init_model, vocab);
    const auto done = api.watch_job(job.id);
    EXPECT_EQ(done.status, JobStatus::kSucceeded) << done.error.value_or("") << server.log();
    return api.model(done.model_id.value_or("none"));
  }
  proto::CorpusRecord a, b;
};

// Share of a topic word's 5 nearest neighbours from its own topic, over words [from, to).
double topic_precision(client::W2vdClient& api, const std::string& model, int from, int to) {
  std::size_t hits = 0, total = 0;
  for (int t = 0; t < kTopics; ++t) {
    for (int i = from; i < to; ++i) {
      for (const auto& [word, score] : api.similar(model, {topic_word(t, i)}, {}, 5)) {
        hits += word.starts_with("t" + std::to_string(t) + "w");
        ++total;
      }
    }
  }
  return total ? static_cast<double>(hits) / static_cast<double>(total) : 0;
}

TEST(ContinueTraining, ExtendAddsTheNewWordsAndNamesTheParent) {
  TwoParts d;
  const auto parent = d.train(d.a.id, planted_job_params());
  EXPECT_EQ(parent.weights, proto::ModelWeights::kFull);
  EXPECT_FALSE(parent.parent_id);
  EXPECT_EQ(parent.vocab_size, static_cast<std::uint64_t>(kTopics * kOldWords));

  auto params = planted_job_params();
  params.erase("dim");
  const auto child = d.train(d.b.id, params, parent.id);
  EXPECT_EQ(child.parent_id, parent.id);
  EXPECT_EQ(child.weights, proto::ModelWeights::kFull);
  EXPECT_EQ(child.vocab_size, static_cast<std::uint64_t>(kTopics * kAllWords));
  EXPECT_EQ(child.dim, parent.dim);
  EXPECT_GE(topic_precision(d.api, child.id, kOldWords, kAllWords), 0.8);
  EXPECT_GE(topic_precision(d.api, child.id, 0, kOldWords), 0.9);
  // The job record says where it started; the parent is still there.
  const auto job = d.api.job(*child.job_id);
  EXPECT_EQ(job.init_model, parent.id);
  EXPECT_EQ(job.vocabulary, VocabularyMode::kExtend);
  EXPECT_EQ(d.api.model(parent.id).vocab_size, parent.vocab_size);
}

TEST(ContinueTraining, KeepTrainsTheParentsWordsOnly) {
  TwoParts d;
  const auto parent = d.train(d.a.id, planted_job_params());
  const auto child = d.train(d.b.id, planted_job_params(), parent.id, "keep");
  EXPECT_EQ(child.vocab_size, parent.vocab_size);
  EXPECT_EQ(api_error_of([&] { d.api.vector(child.id, topic_word(0, kAllWords - 1)); }).status(),
            404);
  EXPECT_GE(topic_precision(d.api, child.id, 0, kOldWords), 0.9);
  EXPECT_EQ(d.api.job(*child.job_id).vocabulary, VocabularyMode::kKeep);
}

TEST(ContinueTraining, StartsFromImportedVectors) {
  TwoParts d;
  const auto trained = d.train(d.a.id, planted_job_params());
  const std::string file = d.dir.path() + "/a.bin";
  d.api.export_model(trained.id, "binary", file);
  const auto imported = d.api.import_model(file, "imported");
  EXPECT_EQ(imported.weights, proto::ModelWeights::kVectorsOnly);

  auto params = planted_job_params();
  params["loss"] = "hs";  // a vectors-only parent lets the job choose: output weights start at 0
  const auto child = d.train(d.b.id, params, imported.id);
  EXPECT_EQ(child.parent_id, imported.id);
  EXPECT_EQ(child.params->loss, LossType::kHierarchicalSoftmax);
  EXPECT_EQ(child.vocab_size, static_cast<std::uint64_t>(kTopics * kAllWords));
  EXPECT_GE(topic_precision(d.api, child.id, 0, kAllWords), 0.8);
}

TEST(ContinueTraining, RefusesWhatConflictsWithTheParent) {
  TwoParts d({"--softmax-max-vocab", "50"});
  const auto parent = d.train(d.a.id, planted_job_params(1));
  const auto expect_400 = [&](const nlohmann::json& params, const std::string& init_model,
                              const std::string& vocab, const std::string& code,
                              const std::string& fragment) {
    const auto e = api_error_of([&] { submit_job(d.api, d.b.id, params, "", init_model, vocab); });
    EXPECT_EQ(e.status(), 400) << e.what();
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  };
  expect_400({{"dim", 41}}, parent.id, "", "init_model_conflict", "params.dim");
  expect_400({{"loss", "hs"}}, parent.id, "", "init_model_conflict", "params.loss");
  expect_400({{"model", "cbow"}}, parent.id, "", "init_model_conflict", "params.model");
  expect_400({}, "m_nosuchmodel", "", "init_model_not_found", "m_nosuchmodel");
  expect_400({}, parent.id, "sideways", "invalid_argument", "vocabulary");
  expect_400({}, "", "keep", "invalid_argument", "init_model");
  // Same values as the parent are no conflict.
  EXPECT_EQ(
      d.api.watch_job(submit_job(d.api, d.b.id, planted_job_params(1), "", parent.id).id).status,
      JobStatus::kSucceeded);

  // A vectors-only parent fixes the dimension; its loss must fit the vocabulary it brings.
  const std::string file = d.dir.path() + "/a.bin";
  d.api.export_model(parent.id, "binary", file);
  const auto imported = d.api.import_model(file, "imported");
  expect_400({{"dim", 10}}, imported.id, "", "init_model_conflict", "params.dim");
  expect_400({{"loss", "softmax"}}, imported.id, "keep", "invalid_argument", "params.loss");

  // A deleted parent is unknown; a parent a queued job starts from cannot be deleted.
  const auto other = d.train(d.a.id, planted_job_params(1));
  d.api.delete_model(other.id);
  expect_400({}, other.id, "", "init_model_not_found", other.id);
  const auto slow = submit_job(d.api, d.b.id, planted_job_params(200), "", parent.id);
  EXPECT_EQ(api_error_of([&] { d.api.delete_model(parent.id); }).status(), 409);
  d.api.cancel_job(slow.id);
  d.api.watch_job(slow.id);
  d.api.delete_model(parent.id);
}

TEST(ContinueTraining, ResumesFromItsCheckpointAfterARestart) {
  TwoParts d;
  const auto parent = d.train(d.a.id, planted_job_params());
  const auto job = submit_job(d.api, d.b.id, planted_job_params(120), "", parent.id);
  d.api.watch_job(job.id, [&](const proto::JobRecord& j) {
    return !(j.status == JobStatus::kRunning && j.progress.epoch > 2);
  });
  EXPECT_EQ(d.server.stop(SIGKILL), 128 + SIGKILL);

  d.server.restart();
  client::W2vdClient api({d.server.url(), "", std::chrono::seconds(60)});
  const auto done = finish_resumed_job(api, d.server, job.id, 2);
  ASSERT_TRUE(done.model_id);
  const auto child = api.model(*done.model_id);
  EXPECT_EQ(child.parent_id, parent.id);
  EXPECT_EQ(child.vocab_size, static_cast<std::uint64_t>(kTopics * kAllWords));
  EXPECT_GE(topic_precision(api, child.id, 0, kAllWords), 0.8);
}

}  // namespace
}  // namespace w2v::testing
