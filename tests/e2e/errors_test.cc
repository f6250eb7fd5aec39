// Every error status of the API, with its body, against a real w2vd; and the daemon keeps
// serving afterwards.

#include "e2e/support.h"

namespace w2v::testing {
namespace {

class Errors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new Daemon({"--max-upload-bytes", "200000", "--max-body-bytes", "100000"});
  }
  static void TearDownTestSuite() { delete daemon_; }
  client::HttpClient http() {
    return client::HttpClient({daemon_->server.url(), "", std::chrono::seconds(10)});
  }
  std::string corpus_id() {
    static std::string id;
    if (id.empty()) {
      const std::string small = daemon_->dir.path() + "/small.txt";
      write_file(small, "a b c a b a\nb c a\n");
      id = daemon_->api.upload_corpus(small, "small", false, {}).id;
    }
    return id;
  }
  static Daemon* daemon_;
};
Daemon* Errors::daemon_ = nullptr;

TEST_F(Errors, BadParameterNamesTheFieldAndRange) {
  auto h = http();
  const auto e = error_of(h.request(
      "POST", "/v1/jobs", R"({"corpus_id":")" + corpus_id() + R"(","params":{"dim":0}})"));
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.code, "invalid_argument");
  EXPECT_NE(e.message.find("params.dim must be an integer in [1, 4096], got 0"), std::string::npos)
      << e.message;
}

TEST_F(Errors, UnknownFieldAndWrongTypeAreRejected) {
  auto h = http();
  auto e = error_of(h.request(
      "POST", "/v1/jobs", R"({"corpus_id":")" + corpus_id() + R"(","params":{"dimension":10}})"));
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("params.dimension"), std::string::npos) << e.message;
  e = error_of(h.request("POST", "/v1/jobs",
                         R"({"corpus_id":")" + corpus_id() + R"(","params":{"window":"5"}})"));
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("params.window"), std::string::npos) << e.message;
  e = error_of(
      h.request("POST", "/v1/jobs", R"({"corpus_id":")" + corpus_id() + R"(","colour":1})"));
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("colour"), std::string::npos) << e.message;
}

TEST_F(Errors, InvalidJson) {
  auto h = http();
  const auto e = error_of(h.request("POST", "/v1/jobs", "{\"corpus_id\": "));
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.code, "invalid_json");
}

TEST_F(Errors, MinCountAboveEveryWordIsRefusedAtSubmit) {
  auto h = http();
  const auto e = error_of(h.request(
      "POST", "/v1/jobs", R"({"corpus_id":")" + corpus_id() + R"(","params":{"min_count":100}})"));
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("min_count"), std::string::npos) << e.message;
}

TEST_F(Errors, UnknownIdsAndWordsAre404) {
  auto h = http();
  EXPECT_EQ(error_of(h.request("GET", "/v1/corpora/c_nope")).code, "corpus_not_found");
  EXPECT_EQ(error_of(h.request("GET", "/v1/jobs/j_nope")).status, 404);
  EXPECT_EQ(error_of(h.request("GET", "/v1/models/m_nope")).status, 404);
  EXPECT_EQ(error_of(h.request("POST", "/v1/jobs", R"({"corpus_id":"c_nope"})")).status, 404);
  EXPECT_EQ(error_of(h.request("GET", "/v1/nothing/here")).code, "not_found");
}

TEST_F(Errors, WrongMethodIs405WithAllow) {
  auto h = http();
  const auto r = h.request("DELETE", "/v1/jobs");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(error_of(r).code, "method_not_allowed");
  ASSERT_TRUE(r.headers.count("allow"));
  EXPECT_NE(r.headers.at("allow").find("GET"), std::string::npos);
  EXPECT_NE(r.headers.at("allow").find("POST"), std::string::npos);
}

TEST_F(Errors, DeletingACorpusAJobUsesIs409AndCancelWorks) {
  auto h = http();
  // A slice of the planted corpus that fits under this server's upload limit.
  const std::string& text = planted().text;
  const std::string slice = text.substr(0, text.rfind('\n', 150000) + 1);
  const std::string corpus =
      daemon_->api
          .upload_corpus(write_file(daemon_->dir.path() + "/slice.txt", slice), "slice", false, {})
          .id;
  const auto job = submit_job(daemon_->api, corpus, planted_job_params(1000), "");
  const auto e = error_of(h.request("DELETE", "/v1/corpora/" + corpus));
  EXPECT_EQ(e.status, 409);
  EXPECT_EQ(e.code, "corpus_in_use");
  daemon_->api.cancel_job(job.id);
  const auto start = std::chrono::steady_clock::now();
  const auto done = daemon_->api.watch_job(job.id, [](const proto::JobRecord&) { return true; });
  EXPECT_EQ(done.status, proto::JobStatus::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(error_of(h.request("POST", "/v1/jobs/" + job.id + "/cancel")).status, 409);
  EXPECT_EQ(h.request("DELETE", "/v1/corpora/" + corpus).status, 204);
}

TEST_F(Errors, LengthRequired) {
  const std::string r =
      raw_exchange(daemon_->server.port(),
                   "POST /v1/corpora HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                   "text/plain\r\nConnection: close\r\n\r\n",
                   5000, true);
  EXPECT_EQ(raw_status(r), 411) << r;
}

TEST_F(Errors, UploadTooLargeIs413AndLeavesNothing) {
  const std::string big = daemon_->dir.path() + "/big.txt";
  write_file(big, std::string(300000, 'x'));
  try {
    daemon_->api.upload_corpus(big, "too-big", false, {});
    FAIL() << "expected 413";
  } catch (const proto::ApiError& e) {
    EXPECT_EQ(e.status(), 413);
  } catch (const client::ConnectionError&) {
    // The server may close the connection while the body is still being sent.
  }
  for (const auto& c : daemon_->api.corpora()) EXPECT_NE(c.name, "too-big");
}

TEST_F(Errors, JsonBodyTooLargeIs413) {
  auto h = http();
  const auto r =
      h.request("POST", "/v1/jobs", "{\"corpus_id\":\"" + std::string(200000, 'x') + "\"}");
  EXPECT_EQ(r.status, 413);
}

TEST_F(Errors, WrongContentTypeIs415) {
  auto h = http();
  const auto r = h.request("POST", "/v1/corpora?name=x", "{\"a\":1}", "application/json");
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(error_of(r).message.find("text/plain"), std::string::npos);
}

TEST_F(Errors, EmptyCorpusAndBadGzipAre400) {
  auto h = http();
  EXPECT_EQ(error_of(h.request("POST", "/v1/corpora?name=e", "  \n \n", "text/plain")).code,
            "empty_corpus");
  EXPECT_EQ(error_of(h.request("POST", "/v1/corpora?name=g", "not gzip at all", "text/plain",
                               {{"Content-Encoding", "gzip"}}))
                .code,
            "invalid_gzip");
}

TEST_F(Errors, QueryErrors) {
  auto h = http();
  const auto model = daemon_->api.import_model(
      write_file(daemon_->dir.path() + "/v.txt", "3 2\nalpha 1 0\nbeta 0 1\ngamma 1 1\n"), "tiny",
      "text");
  const std::string base = "/v1/models/" + model.id;
  auto e = error_of(h.request("GET", base + "/similar?word=delta"));
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.code, "word_not_found");
  EXPECT_NE(e.message.find("delta"), std::string::npos);
  EXPECT_EQ(error_of(h.request("GET", base + "/similar?word=alpha&k=0")).status, 400);
  EXPECT_EQ(error_of(h.request("GET", base + "/similar?word=alpha&k=1001")).status, 400);
  EXPECT_EQ(error_of(h.request("GET", base + "/similar")).status, 400);
  EXPECT_EQ(error_of(h.request("POST", base + "/analogy", R"({"a":"alpha","b":"beta"})")).status,
            400);
  EXPECT_EQ(h.request("GET", base + "/similar?word=alpha&k=2").status, 200);
  // Malformed imports are 400s that say what is wrong.
  e = error_of(h.request("POST", "/v1/models?format=text&name=bad", "2 3\nx 1 2\n", "text/plain"));
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.code, "invalid_vectors");
  e = error_of(h.request("POST", "/v1/models?format=binary&name=bad", "99999999 9999\n",
                         "application/octet-stream"));
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(h.request("GET", "/healthz").status, 200);  // still alive
}

// The batch queries answer every word, unknown ones as such; their bounds are 400s naming the
// field and the limit.
TEST_F(Errors, BatchQueries) {
  auto h = http();
  const auto model = daemon_->api.import_model(
      write_file(daemon_->dir.path() + "/b.txt", "3 2\nalpha 1 0\nbeta 0 1\ngamma 1 1\n"),
      "tiny-batch", "text");
  const std::string base = "/v1/models/" + model.id + "/batch";
  auto r = h.request("POST", base + "/vectors", R"({"words":["beta","delta","beta"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["results"].size(), 3u);
  EXPECT_EQ(j["results"][0]["word"], "beta");
  EXPECT_EQ(j["results"][0]["found"], true);
  EXPECT_EQ(j["results"][0]["vector"], nlohmann::json::parse("[0.0, 1.0]"));
  EXPECT_EQ(j["results"][1]["word"], "delta");
  EXPECT_EQ(j["results"][1]["found"], false);
  EXPECT_FALSE(j["results"][1].contains("vector"));
  EXPECT_EQ(j["results"][2]["found"], true);

  r = h.request("POST", base + "/similar", R"({"words":["alpha","zeta"],"k":1})");
  ASSERT_EQ(r.status, 200) << r.body;
  j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["search"], "exact");
  ASSERT_EQ(j["results"].size(), 2u);
  ASSERT_EQ(j["results"][0]["neighbors"].size(), 1u);
  EXPECT_EQ(j["results"][0]["neighbors"][0]["word"], "gamma");
  EXPECT_EQ(j["results"][1]["found"], false);
  // Exact while the index is made, in the background; then through it.
  r = h.request("POST", base + "/similar", R"({"words":["alpha"],"k":2,"exact":false})");
  ASSERT_EQ(r.status, 200) << r.body;
  j = nlohmann::json::parse(r.body);
  if (j["search"] == "exact") {
    EXPECT_TRUE(j.contains("index")) << j;
  }
  EXPECT_EQ(wait_for_index(daemon_->api, model.id).state, proto::IndexState::kReady);
  r = h.request("POST", base + "/similar", R"({"words":["alpha"],"k":2,"exact":false})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["search"], "approximate");

  auto e = error_of(h.request("POST", base + "/vectors", R"({"words":[]})"));
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("words"), std::string::npos) << e.message;
  e = error_of(h.request("POST", base + "/vectors", R"({})"));
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("words is required"), std::string::npos) << e.message;
  nlohmann::json many = {{"words", std::vector<std::string>(1001, "alpha")}};
  e = error_of(h.request("POST", base + "/vectors", many.dump()));
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("words may hold at most 1000 words, got 1001"), std::string::npos)
      << e.message;
  e = error_of(h.request("POST", base + "/vectors", R"({"words":["alpha",""]})"));
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("words[1]"), std::string::npos) << e.message;
  e = error_of(h.request("POST", base + "/vectors", R"({"words":["alpha"],"k":3})"));
  EXPECT_EQ(e.code, "unknown_field");
  many = {{"words", std::vector<std::string>(1000, "alpha")}, {"k", 101}};
  e = error_of(h.request("POST", base + "/similar", many.dump()));
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("words x k must be at most 100000, got 1000 x 101"), std::string::npos)
      << e.message;
  e = error_of(h.request("POST", base + "/similar", R"({"words":["alpha"],"k":0})"));
  EXPECT_NE(e.message.find("k must be an integer in [1, 1000]"), std::string::npos) << e.message;
  e = error_of(h.request("POST", base + "/similar", R"({"words":"alpha"})"));
  EXPECT_NE(e.message.find("words must be an array"), std::string::npos) << e.message;
  e = error_of(h.request("POST", "/v1/models/m_nope/batch/vectors", R"({"words":["alpha"]})"));
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(h.request("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace w2v::testing
