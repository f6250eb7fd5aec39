// A whole session against a real w2vd: upload, train, follow the events, query, export,
// import, evaluate, delete.

#include <csignal>
#include <optional>
#include <random>
#include <set>

#include "core/io/vectors_io.h"
#include "e2e/support.h"

namespace w2v::testing {
namespace {

using proto::JobStatus;

TEST(Session, UploadTrainQueryExportImportEvaluateDelete) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "planted", false, {});
  EXPECT_EQ(corpus.name, "planted");
  EXPECT_EQ(corpus.tokens, planted().tokens);
  EXPECT_EQ(corpus.bytes, planted().text.size());
  EXPECT_GT(corpus.sentences, 10000u);
  ASSERT_EQ(d.api.corpora().size(), 1u);

  const auto job = submit_job(d.api, corpus.id, planted_job_params(), "planted-model");
  EXPECT_TRUE(job.status == JobStatus::kQueued || job.status == JobStatus::kRunning);
  EXPECT_EQ(job.params.dim, 40);
  EXPECT_EQ(job.params.window, 5);            // default filled
  EXPECT_DOUBLE_EQ(job.params.alpha, 0.025);  // default filled

  int updates = 0;
  const auto done = d.api.watch_job(job.id, [&](const proto::JobRecord&) {
    ++updates;
    return true;
  });
  ASSERT_EQ(done.status, JobStatus::kSucceeded) << done.error.value_or("") << d.server.log();
  EXPECT_GE(updates, 1);
  EXPECT_DOUBLE_EQ(done.progress.fraction, 1.0);
  ASSERT_TRUE(done.model_id);
  const auto model = d.api.model(*done.model_id);
  EXPECT_EQ(model.name, "planted-model");
  EXPECT_EQ(model.dim, 40);
  EXPECT_EQ(model.job_id.value_or(""), job.id);

  // Nearest neighbours of a topic word are its topic's words.
  const auto& group = planted().topic_groups[3];
  const std::set<std::string> members(group.begin(), group.end());
  const auto similar = d.api.similar(model.id, {group[0]}, {}, 5);
  ASSERT_EQ(similar.size(), 5u);
  for (const auto& [word, score] : similar) EXPECT_TRUE(members.count(word)) << word;

  // The approximate index (built in the background from this first exact=false query, which
  // the exact search answers meanwhile) finds the same neighbours.
  {
    client::HttpClient http({d.server.url(), "", std::chrono::seconds(60)});
    const std::string target =
        "/v1/models/" + model.id + "/similar?word=" + group[0] + "&k=5&exact=false";
    const auto first = nlohmann::json::parse(http.request("GET", target).body);
    if (first.at("search") == "exact") {
      EXPECT_TRUE(first.contains("index")) << first;
    }
    EXPECT_EQ(wait_for_index(d.api, model.id).state, proto::IndexState::kReady);
    const auto approx = http.request("GET", target);
    ASSERT_EQ(approx.status, 200) << approx.body;
    const auto body = nlohmann::json::parse(approx.body);
    EXPECT_EQ(body.at("search"), "approximate");
    EXPECT_FALSE(body.contains("index"));
    std::set<std::string> got;
    for (const auto& r : body.at("results")) got.insert(r.at("word").get<std::string>());
    std::set<std::string> want;
    for (const auto& [word, score] : similar) want.insert(word);
    EXPECT_EQ(got, want);
    EXPECT_TRUE(std::filesystem::exists(d.server.data_dir() + "/models/" + model.id + "/hnsw.bin"));
    EXPECT_EQ(
        http.request("GET", "/v1/models/" + model.id + "/similar?word=" + group[0] + "&exact=maybe")
            .status,
        400);
  }

  const auto& a = planted().analogies.front();
  const auto analogy =
      d.api.analogy(model.id, proto::AnalogyRequest{a.a, a.b, a.c, 3, AnalogyMethod::kAdd});
  ASSERT_FALSE(analogy.empty());
  EXPECT_EQ(analogy[0].first, a.d);
  EXPECT_GT(d.api.similarity(model.id, group[0], group[1]), 0.5);
  const auto vec = d.api.vector(model.id, group[0]);
  EXPECT_EQ(vec.size(), 40u);

  // Export in both formats: they load, and hold what /words serves.
  const std::string bin = d.dir.path() + "/export.bin", txt = d.dir.path() + "/export.txt";
  d.api.export_model(model.id, "binary", bin);
  d.api.export_model(model.id, "text", txt);
  const auto from_bin = load_vectors_file(bin, VectorsFormat::kBinary);
  const auto from_txt = load_vectors_file(txt, VectorsFormat::kText);
  ASSERT_EQ(from_bin.words.size(), model.vocab_size);
  ASSERT_EQ(from_txt.words, from_bin.words);
  const auto row =
      std::find(from_bin.words.begin(), from_bin.words.end(), group[0]) - from_bin.words.begin();
  for (std::size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(from_bin.vectors.row(row)[i], vec[i]);
    EXPECT_EQ(from_txt.vectors.row(row)[i], vec[i]);  // text round-trips exactly
  }

  // Import the export: the copy answers the same.
  const auto imported = d.api.import_model(bin, "copy", "binary");
  EXPECT_EQ(imported.source, proto::ModelSource::kImported);
  EXPECT_EQ(imported.vocab_size, model.vocab_size);
  EXPECT_EQ(d.api.similar(imported.id, {group[0]}, {}, 5), similar);

  // Evaluate on the planted analogies.
  std::string questions = ": planted\n";
  for (const auto& q : planted().analogies)
    questions += q.a + " " + q.b + " " + q.c + " " + q.d + "\n";
  const auto scores =
      d.api.evaluate(model.id, write_file(d.dir.path() + "/q.txt", questions), "auto");
  EXPECT_EQ(scores.at("kind"), "analogies");
  EXPECT_GE(scores.at("accuracy").get<double>(), 0.8);
  EXPECT_EQ(scores.at("questions").get<std::size_t>(), planted().analogies.size());

  // Delete: gone, and its files too.
  d.api.delete_model(imported.id);
  EXPECT_THROW(d.api.model(imported.id), proto::ApiError);
  EXPECT_FALSE(std::filesystem::exists(d.server.data_dir() + "/models/" + imported.id));
  d.api.delete_corpus(corpus.id);
  EXPECT_TRUE(d.api.corpora().empty());
  EXPECT_FALSE(std::filesystem::exists(d.server.data_dir() + "/corpora/" + corpus.id));
  // The trained model outlives its corpus.
  EXPECT_EQ(d.api.similar(model.id, {group[0]}, {}, 5), similar);
}

TEST(Session, AModelsSearchSettingPicksTheDefaultSearchAndSurvivesARestart) {
  Daemon d;
  std::mt19937_64 rng(5);
  std::normal_distribution<float> normal;
  std::string text = "300 8\n";
  for (int i = 0; i < 300; ++i) {
    text += "w" + std::to_string(i);
    for (int j = 0; j < 8; ++j) text += " " + std::to_string(normal(rng));
    text += "\n";
  }
  const auto m = d.api.import_model(write_file(d.dir.path() + "/v.txt", text), "small", "text");
  EXPECT_EQ(m.search, proto::SearchMode::kExact);
  const std::string index = d.server.data_dir() + "/models/" + m.id + "/hnsw.bin";
  const auto search_used = [&](client::W2vdClient& api, std::vector<std::string> words,
                               std::optional<bool> exact) {
    std::string search;
    EXPECT_EQ(api.similar(m.id, words, {}, 5, exact, &search).size(), 5u);
    return search;
  };
  EXPECT_EQ(search_used(d.api, {"w1"}, std::nullopt), "exact");
  EXPECT_FALSE(std::filesystem::exists(index));

  const auto patched =
      d.api.update_model(m.id, proto::ModelPatch{std::nullopt, proto::SearchMode::kApproximate});
  EXPECT_EQ(patched.search, proto::SearchMode::kApproximate);
  EXPECT_EQ(patched.name, "small");
  EXPECT_EQ(d.api.model(m.id).search, proto::SearchMode::kApproximate);
  // The PATCH started the index's build, in the background.
  EXPECT_EQ(wait_for_index(d.api, m.id).state, proto::IndexState::kReady);
  EXPECT_EQ(search_used(d.api, {"w1"}, std::nullopt), "approximate");
  EXPECT_TRUE(std::filesystem::exists(index));
  EXPECT_EQ(search_used(d.api, {"w1", "w2"}, std::nullopt), "approximate");  // POST
  EXPECT_EQ(search_used(d.api, {"w1"}, true), "exact");                      // the request decides
  {
    client::HttpClient http({d.server.url(), "", std::chrono::seconds(60)});
    const auto r = http.request("GET", "/v1/models/" + m.id + "/similar?word=w1&restrict=100");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(nlohmann::json::parse(r.body).at("search"), "exact");  // restrict means exact
    // Bad patches name the problem and change nothing.
    const auto bad =
        http.request("PATCH", "/v1/models/" + m.id, R"({"search": "fast"})", "application/json");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("search must be"), std::string::npos) << bad.body;
    const auto unknown =
        http.request("PATCH", "/v1/models/" + m.id, R"({"ef": 10})", "application/json");
    EXPECT_EQ(unknown.status, 400);
    EXPECT_NE(unknown.body.find("unknown field ef"), std::string::npos) << unknown.body;
    EXPECT_EQ(
        http.request("PATCH", "/v1/models/m_missing", R"({"search": "exact"})", "application/json")
            .status,
        404);
  }
  EXPECT_EQ(d.api.model(m.id).search, proto::SearchMode::kApproximate);

  // Kept across a restart; renaming leaves it alone.
  EXPECT_EQ(d.server.stop(SIGTERM), 0) << d.server.log();
  d.server.restart();
  client::W2vdClient api({d.server.url(), "", std::chrono::seconds(60)});
  // The first query loads the model, and asks for its index, which is loaded from its file
  // meanwhile.
  search_used(api, {"w1"}, std::nullopt);
  EXPECT_EQ(wait_for_index(api, m.id).state, proto::IndexState::kReady);
  EXPECT_EQ(search_used(api, {"w1"}, std::nullopt), "approximate");
  EXPECT_EQ(api.update_model(m.id, proto::ModelPatch{"renamed", std::nullopt}).search,
            proto::SearchMode::kApproximate);
  EXPECT_EQ(api.update_model(m.id, proto::ModelPatch{std::nullopt, proto::SearchMode::kExact}).name,
            "renamed");
  EXPECT_EQ(search_used(api, {"w1"}, std::nullopt), "exact");
}

TEST(Session, GzipUploadCountsTheSameAsPlain) {
  Daemon d;
  const auto plain = d.api.upload_corpus(d.corpus_file(), "plain", false, {});
  const auto gz = d.api.upload_corpus(d.corpus_file(), "gz", true, {});
  EXPECT_EQ(gz.tokens, plain.tokens);
  EXPECT_EQ(gz.bytes, plain.bytes);
  EXPECT_EQ(gz.distinct_words, plain.distinct_words);
  EXPECT_EQ(gz.sentences, plain.sentences);
}

TEST(Session, EventsOfAFinishedJobEndAtOnce) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  const auto job = submit_job(d.api, corpus.id, planted_job_params(1), "");
  const auto done = d.api.watch_job(job.id, [](const proto::JobRecord&) { return true; });
  ASSERT_EQ(done.status, JobStatus::kSucceeded);
  std::vector<std::string> events;
  client::HttpClient http({d.server.url(), "", std::chrono::seconds(10)});
  const int status = http.stream_events("/v1/jobs/" + job.id + "/events",
                                        [&](const std::string& e, const std::string&) {
                                          events.push_back(e);
                                          return true;
                                        });
  EXPECT_EQ(status, 200);
  EXPECT_EQ(events, std::vector<std::string>{"end"});
}

TEST(Session, MetricsAndOpenApiAreServed) {
  Daemon d;
  d.api.corpora();
  client::HttpClient http({d.server.url(), "", std::chrono::seconds(10)});
  const auto metrics = http.request("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find(
                "w2vd_http_requests_total{route=\"/v1/corpora\",method=\"GET\",status=\"200\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("w2vd_jobs{status=\"queued\"} 0"), std::string::npos);
  EXPECT_NE(metrics.body.find("w2vd_http_request_duration_seconds_bucket"), std::string::npos);
  const auto openapi = http.request("GET", "/v1/openapi.yaml");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_NE(openapi.body.find("openapi: 3"), std::string::npos);
  EXPECT_EQ(http.request("GET", "/healthz").status, 200);
  EXPECT_EQ(http.request("GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace w2v::testing

namespace w2v::testing {
namespace {

// Each model with each loss trains through the API and learns the planted topics. One test per
// pair, so a failure names it and CTest runs them side by side.
class Objectives : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(Objectives, TrainsThroughTheApi) {
  const auto [model, loss] = GetParam();
  Daemon d({"--softmax-max-vocab", "1000"});
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  auto params = planted_job_params(2);
  params["model"] = model;
  params["loss"] = loss;
  const auto job = submit_job(d.api, corpus.id, params, "");
  EXPECT_DOUBLE_EQ(job.params.alpha, std::string(model) == "cbow" ? 0.05 : 0.025);
  const auto done = d.api.watch_job(job.id, [](const proto::JobRecord&) { return true; });
  ASSERT_EQ(done.status, proto::JobStatus::kSucceeded) << done.error.value_or("");
  const auto& group = planted().topic_groups[1];
  const auto similar = d.api.similar(*done.model_id, {group[0]}, {}, 3);
  for (const auto& [word, score] : similar) {
    EXPECT_NE(std::find(group.begin(), group.end(), word), group.end()) << word;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryModelAndLoss, Objectives,
                         ::testing::Values(std::pair{"skipgram", "ns"}, std::pair{"skipgram", "hs"},
                                           std::pair{"skipgram", "softmax"},
                                           std::pair{"cbow", "ns"}, std::pair{"cbow", "hs"},
                                           std::pair{"cbow", "softmax"}),
                         [](const auto& info) {
                           return std::string(info.param.first) + "_" + info.param.second;
                         });

TEST(ObjectiveLimits, SoftmaxAboveTheVocabularyLimitIsRefusedAtSubmit) {
  Daemon d({"--softmax-max-vocab", "50"});
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  auto params = planted_job_params(1);
  params["loss"] = "softmax";
  try {
    submit_job(d.api, corpus.id, params, "");
    FAIL() << "expected a 400";
  } catch (const proto::ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_NE(std::string(e.what()).find("ns or hs"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace w2v::testing

namespace w2v::testing {
namespace {

TEST(Jobs, FinishedModelsAreEvaluatedOnTheConfiguredFiles) {
  TempDir files("eval-files");
  std::string questions = ": planted\n";
  for (const auto& q : planted().analogies)
    questions += q.a + " " + q.b + " " + q.c + " " + q.d + "\n";
  const std::string analogies = write_file(files.path() + "/planted-analogies.txt", questions);
  const std::string pairs = write_file(
      files.path() + "/pairs.tsv", "t0w0\tt0w1\t9\nt0w0\tt1w0\t1\nt2w3\tt2w4\t8\nt2w3\tt5w5\t2\n");
  Daemon d({"--eval-analogies", analogies, "--eval-pairs", pairs});
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  const auto done = d.api.watch_job(submit_job(d.api, corpus.id, planted_job_params(), "").id,
                                    [](const proto::JobRecord&) { return true; });
  ASSERT_EQ(done.status, proto::JobStatus::kSucceeded);
  const auto model = d.api.model(*done.model_id);
  const auto& eval = model.evaluation;
  ASSERT_TRUE(eval.contains("analogies")) << eval.dump();
  EXPECT_GE(eval["analogies"]["planted-analogies.txt"]["accuracy"].get<double>(), 0.8);
  EXPECT_GT(eval["pairs"]["pairs.tsv"]["spearman"].get<double>(), 0.5);
  EXPECT_EQ(eval["pairs"]["pairs.tsv"]["used"].get<int>(), 4);
}

TEST(Jobs, ADivergingJobFailsWithAReadableErrorAndTheDaemonGoesOn) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  auto params = planted_job_params(20);
  params["alpha"] = 1.0;  // far too high: the loss overflows
  params["dim"] = 300;
  const auto done = d.api.watch_job(submit_job(d.api, corpus.id, params, "").id,
                                    [](const proto::JobRecord&) { return true; });
  ASSERT_EQ(done.status, proto::JobStatus::kFailed) << "the job did not diverge";
  ASSERT_TRUE(done.error);
  EXPECT_NE(done.error->find("diverged"), std::string::npos) << *done.error;
  EXPECT_FALSE(done.model_id);
  // The daemon still trains.
  const auto ok = d.api.watch_job(submit_job(d.api, corpus.id, planted_job_params(1), "").id,
                                  [](const proto::JobRecord&) { return true; });
  EXPECT_EQ(ok.status, proto::JobStatus::kSucceeded);
}

}  // namespace
}  // namespace w2v::testing
