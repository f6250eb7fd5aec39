// The request metrics' labels come from closed sets, whatever clients send: 1,000 requests with
// made-up methods over raw sockets leave /metrics at most one series larger.

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <set>
#include <thread>

#include "server/http/http_server.h"
#include "server/http_test_client.h"
#include "server/runtime/metrics.h"

namespace w2v::server {
namespace {

using namespace std::chrono_literals;
using namespace w2v::server::testing;

// The label sets of the request series in a /metrics text.
std::set<std::string> request_series(const std::string& text) {
  static const std::regex series(R"(^(w2vd_http_request[a-z_]*)\{(.*)\} )");
  static const std::regex le(R"(,?le="[^"]*")");
  std::set<std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, series)) {
      out.insert(m[1].str() + "{" + std::regex_replace(m[2].str(), le, "") + "}");
    }
  }
  return out;
}

TEST(HttpMetricsTest, RandomMethodsLeaveTheSeriesBounded) {
  Metrics metrics;
  Router router;
  router.add("GET", "/metrics", [&](Request&) { return Response::text(200, metrics.render()); });
  router.add("POST", "/things/{id}", [](Request&) { return Response::no_content(); });
  HttpHooks hooks;
  hooks.observe = [&](const Request& req, const std::string& route, int status, double seconds,
                      std::uint64_t) {
    metrics.observe_request(route, req.method, status, seconds);
  };
  HttpServer server(router, {}, hooks);
  server.listen("127.0.0.1", 0);
  std::thread runner([&] { server.run(2); });

  Client c(server.port());
  auto scrape = [&] {
    EXPECT_TRUE(c.send_all(get("/metrics")));
    auto r = c.read_response();
    EXPECT_TRUE(r && r->status == 200);
    return r ? r->body : std::string();
  };
  // Known methods on known and unknown paths.
  for (const char* req : {"POST /things/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                          "DELETE /nope HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    ASSERT_TRUE(c.send_all(req));
    ASSERT_TRUE(c.read_response());
  }
  scrape();
  const auto before = request_series(scrape());
  ASSERT_FALSE(before.empty());

  std::mt19937 rng(42);
  const std::string letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (int batch = 0; batch < 10; ++batch) {
    std::string pipeline;
    for (int i = 0; i < 100; ++i) {
      std::string method;
      for (int k = 0; k < 8; ++k) method += letters[rng() % letters.size()];
      pipeline += method + " /nope/" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }
    ASSERT_TRUE(c.send_all(pipeline));
    for (int i = 0; i < 100; ++i) {
      auto r = c.read_response();
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 404);
    }
  }
  const auto after = request_series(scrape());
  std::set<std::string> added;
  for (const auto& s : after) {
    if (!before.count(s)) added.insert(s);
  }
  // One series each of the counter and the histogram: route "unmatched", method "other".
  EXPECT_LE(added.size(), 4u);  // requests_total, and the histogram's _bucket, _sum, _count
  for (const auto& s : added) {
    EXPECT_NE(s.find("route=\"unmatched\",method=\"other\""), std::string::npos) << s;
  }
  EXPECT_TRUE(before.count(
      "w2vd_http_requests_total{route=\"/things/{id}\",method=\"POST\",status=\"204\"}"));
  EXPECT_TRUE(before.count(
      "w2vd_http_requests_total{route=\"unmatched\",method=\"DELETE\",status=\"404\"}"));

  server.stop(1000ms);
  runner.join();
}

}  // namespace
}  // namespace w2v::server
