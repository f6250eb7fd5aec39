// Heavy requests run on the blocking pool, not on the HTTP I/O threads: with the pool held by
// two long evaluations, /healthz and a query on a loaded model still answer at once, and one
// more heavy request is refused with 503 and Retry-After instead of waiting.

#include <chrono>
#include <future>
#include <random>
#include <regex>
#include <thread>

#include "e2e/support.h"

namespace w2v::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// questions-words analogies over the first n words.
std::string analogy_questions(std::size_t lines, std::size_t n) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<std::size_t> word(0, n - 1);
  std::string out = ": random\n";
  for (std::size_t i = 0; i < lines; ++i) {
    for (int j = 0; j < 4; ++j) out += (j ? " w" : "w") + std::to_string(word(rng));
    out += '\n';
  }
  return out;
}

// The value of an unlabelled gauge in /metrics, -1 when absent.
double gauge(client::HttpClient& http, const std::string& name) {
  const auto r = http.request("GET", "/metrics");
  std::smatch m;
  if (!std::regex_search(r.body, m, std::regex("\n" + name + " ([0-9.e+]+)\n"))) return -1;
  return std::stod(m[1]);
}

double millis_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

TEST(BlockingPool, HeavyRequestsLeaveTheIoThreadsFreeAndAreRefusedWhenThePoolIsFull) {
  // As many I/O threads as heavy requests: were the work on them, nothing else would answer.
  Daemon d({"--io-threads", "2", "--blocking-threads", "2", "--blocking-queue", "0"});
  const std::size_t words = 20000;
  const auto model =
      d.api.import_model(write_random_model(d.dir.path() + "/big.bin", words, 64), "big");
  ASSERT_EQ(d.api.similar(model.id, {"w1"}, {}, 5).size(), 5u);  // loaded now

  const std::string questions = analogy_questions(60000, words);
  const std::string evaluate = "/v1/models/" + model.id + "/evaluate?kind=analogies";
  const client::ClientOptions options{d.server.url(), "", std::chrono::seconds(600)};
  auto heavy = [&] {
    client::HttpClient http(options);
    return http.request("POST", evaluate, questions, "text/plain");
  };
  auto first = std::async(std::launch::async, heavy);
  auto second = std::async(std::launch::async, heavy);

  // Both evaluations hold their places in the pool (polled, with a deadline).
  client::HttpClient http(options);
  const auto deadline = Clock::now() + 120s;
  while (gauge(http, "w2vd_blocking_places_taken") < 2 && Clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(gauge(http, "w2vd_blocking_places_taken"), 2) << "the evaluations never started";

  auto start = Clock::now();
  EXPECT_EQ(http.request("GET", "/healthz").status, 200);
  const double healthz_ms = millis_since(start);
  start = Clock::now();
  const auto query = http.request("GET", "/v1/models/" + model.id + "/similar?word=w7&k=5");
  const double query_ms = millis_since(start);
  EXPECT_EQ(query.status, 200) << query.body;
  start = Clock::now();
  const auto refused = http.request("POST", evaluate, "w1 w2 w3 w4\n", "text/plain");
  const double refused_ms = millis_since(start);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.headers.count("retry-after"), 1u);
  EXPECT_NE(refused.body.find("\"busy\""), std::string::npos) << refused.body;
  // The evaluations still held the pool all along: the 503 was theirs.
  EXPECT_EQ(gauge(http, "w2vd_blocking_places_taken"), 2) << "the evaluations ended too soon";
  // Prompt: far below the seconds the evaluations take (generous for a loaded test machine).
  EXPECT_LT(healthz_ms, 500) << "healthz";
  EXPECT_LT(query_ms, 500) << "query";
  EXPECT_LT(refused_ms, 500) << "refusal";

  for (auto* f : {&first, &second}) {
    const auto r = f->get();
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("\"questions\""), std::string::npos) << r.body.substr(0, 200);
  }
  // Once they are done the pool takes heavy work again.
  EXPECT_EQ(http.request("POST", evaluate, "w1 w2 w3 w4\n", "text/plain").status, 200);
}

}  // namespace
}  // namespace w2v::testing
