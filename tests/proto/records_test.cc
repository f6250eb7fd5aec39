#include "proto/records.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <string>

#include "proto/api_error.h"
#include "proto/json_text.h"

namespace w2v {

// TrainParams compares all its parameters itself (operator== = default).

namespace proto {

bool operator==(const CorpusRecord& a, const CorpusRecord& b) {
  return a.id == b.id && a.name == b.name && a.bytes == b.bytes && a.tokens == b.tokens &&
         a.sentences == b.sentences && a.distinct_words == b.distinct_words &&
         a.created_at == b.created_at && a.broken == b.broken;
}

bool operator==(const JobProgress& a, const JobProgress& b) {
  return a.epoch == b.epoch && a.epochs == b.epochs && a.words_done == b.words_done &&
         a.words_total == b.words_total && a.fraction == b.fraction &&
         a.words_per_sec == b.words_per_sec && a.loss == b.loss && a.alpha == b.alpha &&
         a.eta_seconds == b.eta_seconds;
}

bool operator==(const JobRecord& a, const JobRecord& b) {
  return a.id == b.id && a.corpus_id == b.corpus_id && a.name == b.name && a.status == b.status &&
         a.params == b.params && a.progress == b.progress && a.model_id == b.model_id &&
         a.error == b.error && a.created_at == b.created_at && a.started_at == b.started_at &&
         a.finished_at == b.finished_at && a.attempts == b.attempts &&
         a.resumed_from_epoch == b.resumed_from_epoch && a.init_model == b.init_model &&
         a.vocabulary == b.vocabulary && a.ranks == b.ranks;
}

bool operator==(const ModelRecord& a, const ModelRecord& b) {
  return a.id == b.id && a.job_id == b.job_id && a.name == b.name && a.vocab_size == b.vocab_size &&
         a.dim == b.dim && a.params == b.params && a.evaluation == b.evaluation &&
         a.source == b.source && a.created_at == b.created_at && a.search == b.search &&
         a.broken == b.broken && a.index.state == b.index.state &&
         a.index.progress == b.index.progress && a.index.error == b.index.error;
}

namespace {

using nlohmann::json;

// Runs f, expects an ApiError 400 whose message contains every one of parts.
template <class F>
void expect_bad_request(F f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no ApiError thrown";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
          << "message \"" << e.what() << "\" lacks \"" << p << "\"";
  }
}

TrainParams sample_params() {
  TrainParams p;
  p.model = ModelType::kCbow;
  p.loss = LossType::kHierarchicalSoftmax;
  p.dim = 300;
  p.window = 8;
  p.shrink_windows = false;
  p.minn = 2;
  p.maxn = 5;
  p.bucket = 100000;
  p.negative = 15;
  p.min_count = 3;
  p.max_vocab = 200000;
  p.sample = 1e-5;
  p.epochs = 20;
  p.alpha = 0.05;
  p.threads = 12;
  p.seed = std::numeric_limits<std::uint64_t>::max();
  return p;
}

CorpusRecord sample_corpus() {
  return {"c_abc123",  "wiki text8", 100000000, 17005207, 1, 253854, "2026-11-21T14:20:00.123Z",
          std::nullopt};
}

JobRecord sample_job() {
  JobRecord j;
  j.id = "j_0001";
  j.corpus_id = "c_abc123";
  j.name = "text8-cbow";
  j.status = JobStatus::kSucceeded;
  j.params = sample_params();
  j.progress = {20, 20, 340104140, 340104140, 1.0, 812345.5, 1.875, 0.0001, 0.0};
  j.model_id = "m_77";
  j.created_at = "2026-11-21T14:20:00.123Z";
  j.started_at = "2026-11-21T14:20:01.000Z";
  j.finished_at = "2026-11-21T14:30:00.999Z";
  j.attempts = 2;
  j.resumed_from_epoch = 7;
  j.init_model = "m_parent";
  j.vocabulary = VocabularyMode::kKeep;
  j.ranks = 4;
  return j;
}

ModelRecord sample_model() {
  ModelRecord m;
  m.id = "m_77";
  m.job_id = "j_0001";
  m.name = "text8-cbow";
  m.vocab_size = 71290;
  m.dim = 300;
  m.params = sample_params();
  m.evaluation = {{"analogies", {{"accuracy", 0.61}, {"questions", 19544}}}};
  m.source = ModelSource::kTrained;
  m.created_at = "2026-11-21T14:30:00.999Z";
  m.search = SearchMode::kApproximate;
  m.parent_id = "m_parent";
  m.weights = ModelWeights::kFull;
  return m;
}

TEST(JobStatusNames, RoundTrip) {
  for (const auto s : {JobStatus::kQueued, JobStatus::kRunning, JobStatus::kSucceeded,
                       JobStatus::kFailed, JobStatus::kCancelled}) {
    const auto back = parse_job_status(to_string(s));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(to_string(JobStatus::kQueued), "queued");
  EXPECT_EQ(to_string(JobStatus::kRunning), "running");
  EXPECT_EQ(to_string(JobStatus::kSucceeded), "succeeded");
  EXPECT_EQ(to_string(JobStatus::kFailed), "failed");
  EXPECT_EQ(to_string(JobStatus::kCancelled), "cancelled");
  EXPECT_FALSE(parse_job_status("canceled").has_value());
  EXPECT_FALSE(parse_job_status("").has_value());
  EXPECT_FALSE(parse_job_status("Queued").has_value());
}

TEST(TrainParamsJson, HasTheApiFieldsAndNames) {
  const json j = to_json(sample_params());
  EXPECT_EQ(j.size(), 17u);
  EXPECT_EQ(j["minn"], 2);
  EXPECT_EQ(j["maxn"], 5);
  EXPECT_EQ(j["bucket"], 100000);
  EXPECT_EQ(j["kernel"], "auto");
  EXPECT_EQ(j["shrink_windows"], false);
  EXPECT_EQ(j["model"], "cbow");
  EXPECT_EQ(j["loss"], "hs");
  EXPECT_EQ(j["dim"], 300);
  EXPECT_EQ(j["window"], 8);
  EXPECT_EQ(j["negative"], 15);
  EXPECT_EQ(j["min_count"], 3);
  EXPECT_EQ(j["max_vocab"], 200000);
  EXPECT_DOUBLE_EQ(j["sample"].get<double>(), 1e-5);
  EXPECT_EQ(j["epochs"], 20);
  EXPECT_DOUBLE_EQ(j["alpha"].get<double>(), 0.05);
  EXPECT_EQ(j["threads"], 12);
  EXPECT_EQ(j["seed"].get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
  const json d = to_json(TrainParams{});
  EXPECT_EQ(d["model"], "skipgram");
  EXPECT_EQ(d["loss"], "ns");
  EXPECT_EQ(d["shrink_windows"], true);
  EXPECT_EQ(d["maxn"], 0);  // subwords off
  EXPECT_EQ(d["minn"], 3);
  EXPECT_EQ(d["bucket"], 2000000);
  TrainParams soft;
  soft.loss = LossType::kSoftmax;
  EXPECT_EQ(to_json(soft)["loss"], "softmax");
}

TEST(CorpusJson, ShapeAndRoundTrip) {
  const CorpusRecord c = sample_corpus();
  const json j = to_json(c);
  EXPECT_EQ(j.size(), 9u);
  for (const char* k : {"id", "name", "bytes", "tokens", "sentences", "distinct_words",
                        "created_at", "state", "error"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(corpus_from_json(j), c);
  // Through text too, as the client sees it.
  EXPECT_EQ(corpus_from_json(json::parse(dump(j))), c);
}

TEST(ProgressJson, ShapeAndRoundTrip) {
  const JobProgress p = sample_job().progress;
  const json j = to_json(p);
  EXPECT_EQ(j.size(), 9u);
  for (const char* k : {"epoch", "epochs", "words_done", "words_total", "fraction", "words_per_sec",
                        "loss", "alpha", "eta_seconds"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(progress_from_json(j), p);
  EXPECT_EQ(progress_from_json(json::parse(dump(j))), p);
}

TEST(ProgressJson, NonFiniteNumbersAreNull) {
  JobProgress p;
  p.loss = std::numeric_limits<double>::quiet_NaN();
  p.eta_seconds = std::numeric_limits<double>::infinity();
  const json j = to_json(p);
  EXPECT_TRUE(j["loss"].is_null());
  EXPECT_TRUE(j["eta_seconds"].is_null());
  const JobProgress back = progress_from_json(json::parse(dump(j)));
  EXPECT_TRUE(std::isnan(back.loss));
  EXPECT_TRUE(std::isnan(back.eta_seconds));
  EXPECT_EQ(back.fraction, 0.0);
}

TEST(JobJson, ShapeAndRoundTrip) {
  const JobRecord r = sample_job();
  const json j = to_json(r);
  EXPECT_EQ(j.size(), 16u);
  for (const char* k : {"id", "corpus_id", "name", "status", "params", "progress", "model_id",
                        "error", "created_at", "started_at", "finished_at", "attempts",
                        "resumed_from_epoch", "init_model", "vocabulary", "ranks"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["status"], "succeeded");
  EXPECT_EQ(j["params"], to_json(r.params));
  EXPECT_EQ(j["model_id"], "m_77");
  EXPECT_EQ(j["attempts"], 2);
  EXPECT_EQ(j["resumed_from_epoch"], 7);
  EXPECT_EQ(j["init_model"], "m_parent");
  EXPECT_EQ(j["vocabulary"], "keep");
  EXPECT_EQ(j["ranks"], 4);
  EXPECT_EQ(job_from_json(j), r);
  EXPECT_EQ(job_from_json(json::parse(dump(j))), r);
}

TEST(JobJson, AbsentOptionalsAreNull) {
  JobRecord r;
  r.id = "j_1";
  r.corpus_id = "c_1";
  r.created_at = "2026-01-01T00:00:00.000Z";
  const json j = to_json(r);
  EXPECT_EQ(j["status"], "queued");
  EXPECT_EQ(j["name"], "");
  for (const char* k : {"model_id", "error", "started_at", "finished_at", "resumed_from_epoch",
                        "init_model", "vocabulary"}) {
    ASSERT_TRUE(j.contains(k)) << k;
    EXPECT_TRUE(j[k].is_null()) << k;
  }
  EXPECT_EQ(j["ranks"], 1);
  EXPECT_EQ(job_from_json(j), r);
  json older = j;  // a server from before distributed jobs
  older.erase("ranks");
  EXPECT_EQ(job_from_json(older).ranks, 1);
  older["params"].erase("shrink_windows");  // and before shrink_windows: word2vec's draw
  EXPECT_TRUE(job_from_json(older).params.shrink_windows);
  for (const char* field : {"minn", "maxn", "bucket"}) older["params"].erase(field);
  const TrainParams before_subwords = job_from_json(older).params;  // fastText's off and defaults
  EXPECT_EQ(before_subwords.maxn, 0);
  EXPECT_EQ(before_subwords.minn, 3);
  EXPECT_EQ(before_subwords.bucket, 2'000'000);
}

TEST(JobJson, FailedJobCarriesError) {
  JobRecord r = sample_job();
  r.status = JobStatus::kFailed;
  r.model_id.reset();
  r.error = "training diverged: the loss became NaN or infinite; lower alpha";
  const json j = to_json(r);
  EXPECT_EQ(j["status"], "failed");
  EXPECT_TRUE(j["model_id"].is_null());
  EXPECT_EQ(j["error"], *r.error);
  EXPECT_EQ(job_from_json(j), r);
}

TEST(ModelJson, ShapeAndRoundTrip) {
  ModelRecord m = sample_model();
  m.index = IndexStatus{IndexState::kBuilding, 0.25, std::nullopt};
  json j = to_json(m);
  EXPECT_EQ(j.size(), 15u);
  for (const char* k :
       {"id", "job_id", "name", "vocab_size", "dim", "params", "evaluation", "source", "created_at",
        "search", "parent_id", "weights", "state", "error", "index"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["evaluation"]["analogies"]["questions"], 19544);
  EXPECT_EQ(j["search"], "approximate");
  EXPECT_EQ(j["index"], json::parse(R"({"state": "building", "progress": 0.25, "error": null})"));
  EXPECT_EQ(model_from_json(j), m);
  EXPECT_EQ(model_from_json(json::parse(dump(j))), m);
  m.index = IndexStatus{IndexState::kFailed, 0, "out of memory"};
  EXPECT_EQ(model_from_json(to_json(m)), m);
  // Older servers send no index: none.
  j.erase("index");
  EXPECT_EQ(model_from_json(j).index.state, IndexState::kNone);
  j["index"] = json::parse(R"({"state": "half", "progress": 0, "error": null})");
  EXPECT_THROW(model_from_json(j), ApiError);
}

TEST(RecordsJson, BrokenRecordsCarryStateAndError) {
  CorpusRecord c = sample_corpus();
  EXPECT_EQ(to_json(c)["state"], "ready");
  EXPECT_TRUE(to_json(c)["error"].is_null());
  c.broken = "/data/corpora/c_1/counts is missing";
  json j = to_json(c);
  EXPECT_EQ(j["state"], "broken");
  EXPECT_EQ(j["error"], "/data/corpora/c_1/counts is missing");
  EXPECT_EQ(corpus_from_json(json::parse(dump(j))), c);
  // Older servers send neither: ready.
  j.erase("state");
  j.erase("error");
  EXPECT_FALSE(corpus_from_json(j).broken);
  j["state"] = "gone";
  EXPECT_THROW(corpus_from_json(j), ApiError);

  ModelRecord m = sample_model();
  m.broken = "its vectors cannot be loaded: truncated";
  EXPECT_EQ(to_json(m)["state"], "broken");
  EXPECT_EQ(model_from_json(json::parse(dump(to_json(m)))), m);
}

TEST(ModelJson, OlderServersModelsAreVectorsOnlyAndWeightsAreChecked) {
  json j = to_json(sample_model());
  EXPECT_EQ(j["parent_id"], "m_parent");
  EXPECT_EQ(j["weights"], "full");
  j.erase("weights");
  j.erase("parent_id");
  const ModelRecord old = model_from_json(j);
  EXPECT_EQ(old.weights, ModelWeights::kVectorsOnly);
  EXPECT_FALSE(old.parent_id);
  j["weights"] = "some";
  EXPECT_THROW(model_from_json(j), ApiError);
}

TEST(ModelJson, SearchIsExactWhenAbsentAndCheckedWhenPresent) {
  json j = to_json(sample_model());
  j.erase("search");
  EXPECT_EQ(model_from_json(j).search, SearchMode::kExact);
  j["search"] = "fast";
  EXPECT_THROW(model_from_json(j), ApiError);
}

TEST(ModelJson, ImportedModelHasNullJobAndParams) {
  ModelRecord m;
  m.id = "m_imp";
  m.name = "GoogleNews";
  m.vocab_size = 3000000;
  m.dim = 300;
  m.source = ModelSource::kImported;
  m.created_at = "2026-01-01T00:00:00.000Z";
  const json j = to_json(m);
  EXPECT_TRUE(j["job_id"].is_null());
  EXPECT_TRUE(j["params"].is_null());
  EXPECT_TRUE(j["evaluation"].is_object());
  EXPECT_TRUE(j["evaluation"].empty());
  EXPECT_EQ(j["source"], "imported");
  EXPECT_EQ(model_from_json(j), m);
}

TEST(RecordsJson, InvalidUtf8InNamesIsReplaced) {
  CorpusRecord c = sample_corpus();
  c.name = "bad\xFFname";
  const json j = to_json(c);
  EXPECT_EQ(j["name"], "bad\xEF\xBF\xBDname");
  std::string text;
  ASSERT_NO_THROW(text = j.dump());  // already valid: even the strict dump works
  EXPECT_TRUE(is_valid_utf8(text));

  JobRecord r = sample_job();
  r.name = "\xC0\xAF";
  r.error = "unknown word \xED\xA0\x80";
  const json jj = to_json(r);
  EXPECT_TRUE(is_valid_utf8(jj["name"].get<std::string>()));
  EXPECT_TRUE(is_valid_utf8(jj["error"].get<std::string>()));
  ASSERT_NO_THROW((void)jj.dump());

  ModelRecord m = sample_model();
  m.name = "m\x80";
  m.evaluation = {{"oov", {std::string("w\xFF")}}};  // not sanitised, but dump() copes
  const json jm = to_json(m);
  EXPECT_EQ(jm["name"], "m\xEF\xBF\xBD");
  ASSERT_NO_THROW((void)dump(jm));
}

TEST(RecordsJson, ValidUtf8NamesAreUnchanged) {
  CorpusRecord c = sample_corpus();
  c.name = "caf\xC3\xA9 \xF0\x9F\x98\x80";
  EXPECT_EQ(to_json(c)["name"], c.name);
  EXPECT_EQ(corpus_from_json(to_json(c)), c);
}

TEST(RecordsFromJson, MissingFieldsAreNamed) {
  json c = to_json(sample_corpus());
  c.erase("tokens");
  expect_bad_request([&] { corpus_from_json(c); }, {"tokens"});

  json j = to_json(sample_job());
  j.erase("attempts");
  expect_bad_request([&] { job_from_json(j); }, {"attempts"});

  j = to_json(sample_job());
  j.erase("model_id");  // optional, but must be present (as null)
  expect_bad_request([&] { job_from_json(j); }, {"model_id"});

  j = to_json(sample_job());
  j["params"].erase("window");
  expect_bad_request([&] { job_from_json(j); }, {"params.window"});

  j = to_json(sample_job());
  j["progress"].erase("eta_seconds");
  expect_bad_request([&] { job_from_json(j); }, {"progress.eta_seconds"});

  json m = to_json(sample_model());
  m.erase("evaluation");
  expect_bad_request([&] { model_from_json(m); }, {"evaluation"});
}

TEST(RecordsFromJson, WrongTypesAreNamed) {
  json c = to_json(sample_corpus());
  c["bytes"] = "100";
  expect_bad_request([&] { corpus_from_json(c); }, {"bytes", "\"100\""});
  c = to_json(sample_corpus());
  c["bytes"] = -1;
  expect_bad_request([&] { corpus_from_json(c); }, {"bytes", "-1"});
  c = to_json(sample_corpus());
  c["name"] = 5;
  expect_bad_request([&] { corpus_from_json(c); }, {"name", "string"});

  json j = to_json(sample_job());
  j["status"] = "done";
  expect_bad_request([&] { job_from_json(j); }, {"status", "\"done\""});
  j = to_json(sample_job());
  j["params"]["model"] = "glove";
  expect_bad_request([&] { job_from_json(j); }, {"params.model", "glove"});
  j = to_json(sample_job());
  j["params"]["dim"] = true;
  expect_bad_request([&] { job_from_json(j); }, {"params.dim", "true"});
  j = to_json(sample_job());
  j["progress"] = json::array();
  expect_bad_request([&] { job_from_json(j); }, {"progress", "object"});
  j = to_json(sample_job());
  j["resumed_from_epoch"] = "3";
  expect_bad_request([&] { job_from_json(j); }, {"resumed_from_epoch"});

  json m = to_json(sample_model());
  m["evaluation"] = json::array();
  expect_bad_request([&] { model_from_json(m); }, {"evaluation", "object"});
  m = to_json(sample_model());
  m["params"] = 3;
  expect_bad_request([&] { model_from_json(m); }, {"params", "object"});

  expect_bad_request([&] { corpus_from_json(json::array()); }, {"object"});
  expect_bad_request([&] { job_from_json(json(nullptr)); }, {"object"});
  expect_bad_request([&] { model_from_json(json("m")); }, {"object"});
}

TEST(RecordsFromJson, ExtraFieldsAreIgnored) {
  json j = to_json(sample_job());
  j["queue_position"] = 3;  // a newer server may add fields
  EXPECT_EQ(job_from_json(j), sample_job());
}

TEST(NowRfc3339, FormatIsUtcWithMilliseconds) {
  const std::string t = now_rfc3339();
  EXPECT_TRUE(std::regex_match(t, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")))
      << t;
  EXPECT_GE(t.substr(0, 4), "2024");
  // Lexicographic order is time order.
  EXPECT_LE(t, now_rfc3339());
}

}  // namespace
}  // namespace proto
}  // namespace w2v
