// Every list and string a request carries is bounded: past a bound the client gets a 400 that
// names the field (or parameter) and the limit, at once, whatever the size of the excess.

#include <chrono>

#include "e2e/support.h"

namespace w2v::testing {
namespace {

#define EXPECT_REFUSED(response, part)                                                      \
  do {                                                                                      \
    const ErrorBody e = error_of(response);                                                 \
    EXPECT_EQ(e.status, 400) << e.message;                                                  \
    EXPECT_NE(e.message.find(part), std::string::npos) << e.message << " lacks " << (part); \
  } while (0)

class RequestCaps : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new Daemon();
    model_ =
        daemon_->api
            .import_model(write_random_model(daemon_->dir.path() + "/small.bin", 500, 16), "small")
            .id;
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }
  client::HttpClient& http() { return daemon_->api.http(); }

  static Daemon* daemon_;
  static std::string model_;
};
Daemon* RequestCaps::daemon_ = nullptr;
std::string RequestCaps::model_;

std::string words_json(std::size_t n) {
  std::string out = "[";
  for (std::size_t i = 0; i < n; ++i) out += i ? ",\"w1\"" : "\"w1\"";
  return out + "]";
}

TEST_F(RequestCaps, SimilarWordListsAreBounded) {
  const std::string target = "/v1/models/" + model_ + "/similar";
  EXPECT_EQ(http().request("POST", target, R"({"positive": )" + words_json(100) + "}").status, 200);
  EXPECT_REFUSED(http().request("POST", target, R"({"positive": )" + words_json(101) + "}"),
                 "positive may hold at most 100 words, got 101");
  // The largest list a JSON body can carry (1 MiB) is refused as fast as it is parsed.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_REFUSED(http().request("POST", target, R"({"negative": )" + words_json(200000) + "}"),
                 "negative may hold at most 100 words, got 200000");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_REFUSED(
      http().request("POST", target, R"({"positive": ["w1", ")" + std::string(5000, 'x') + "\"]}"),
      "positive[1] must be at most 4096 bytes");
}

// The attack: 64 MiB of copies of one word (16 M words) fitted the general body limit, and was
// read and parsed on an I/O thread before the count was checked (1.3 GB resident, /healthz
// stalled for a second). A JSON request body has its own small limit, checked on the header:
// the answer comes without a byte of the body sent.
TEST_F(RequestCaps, JsonBodiesHaveTheirOwnSmallLimit) {
  const std::string head =
      "POST /v1/models/" + model_ +
      "/similar HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 67108864\r\n\r\n";
  const std::string answer = raw_exchange(daemon_->server.port(), head);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("payload_too_large"), std::string::npos) << answer;
  EXPECT_NE(answer.find("limit of 1048576 bytes"), std::string::npos) << answer;
  // Sent whole (chunked by the client or not), a body past the limit is refused as it arrives,
  // on every JSON route: a query, a job's parameters, a PATCH.
  const std::string two_mib = R"({"positive": )" + words_json(400000) + "}";
  EXPECT_EQ(http().request("POST", "/v1/models/" + model_ + "/similar", two_mib).status, 413);
  EXPECT_EQ(http().request("POST", "/v1/jobs", std::string(2 << 20, ' ')).status, 413);
  EXPECT_EQ(http().request("PATCH", "/v1/models/" + model_, std::string(2 << 20, ' ')).status, 413);
}

TEST_F(RequestCaps, QueryStringsAreBounded) {
  std::string many = "/v1/models/" + model_ + "/similar?word=w1";
  for (int i = 0; i < 16; ++i) many += "&p" + std::to_string(i) + "=1";
  EXPECT_REFUSED(http().request("GET", many), "at most 16 parameters, got 17");
  EXPECT_REFUSED(http().request("GET", "/healthz?x=" + std::string(4097, 'x')),
                 "query parameter \"x\" must be at most 4096 bytes");
  EXPECT_REFUSED(http().request("GET", "/v1/models/" + model_ + "/similar?word=w1&restrict=-1"),
                 "restrict must be an integer in [0, 1073741824]");
  EXPECT_REFUSED(http().request("GET", "/v1/models/" + model_ +
                                           "/similarity?a=w1&b=" + std::string(4097, 'b')),
                 "query parameter \"b\" must be at most 4096 bytes");
  EXPECT_EQ(http().request("GET", "/v1/models/" + model_ + "/similar?word=w1&k=3").status, 200);
}

TEST_F(RequestCaps, NamesAreBoundedAndHaveNoControlCharacters) {
  EXPECT_REFUSED(http().request("PATCH", "/v1/models/" + model_,
                                nlohmann::json{{"name", std::string(201, 'n')}}.dump()),
                 "name must be at most 200 bytes, got 201");
  EXPECT_REFUSED(http().request("PATCH", "/v1/models/" + model_,
                                nlohmann::json{{"name", "forged\nINFO line"}}.dump()),
                 "name must not contain control characters");
  EXPECT_REFUSED(http().request("POST", "/v1/jobs",
                                nlohmann::json{{"corpus_id", "c_x"}, {"name", "tab\there"}}.dump()),
                 "name must not contain control characters");
  EXPECT_REFUSED(http().request("POST", "/v1/corpora?name=two%0Alines", "a b c\n", "text/plain"),
                 "name must not contain control characters");
  EXPECT_REFUSED(http().request("POST", "/v1/models?name=" + std::string(300, 'm'), "1 1\n",
                                "application/octet-stream"),
                 "name must be at most 200 bytes");
  // The model kept its name.
  EXPECT_EQ(daemon_->api.model(model_).name, "small");
}

}  // namespace
}  // namespace w2v::testing
