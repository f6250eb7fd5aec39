// The HTTP server's bounds, attacked over raw sockets on 127.0.0.1: chunked framing that never
// ends (trailers, chunk extensions), bodies that trickle, one address opening too many
// connections, and what the access log prints. Every attack loop is bounded in bytes and time.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "server/http/http_server.h"
#include "server/http_test_client.h"

namespace w2v::server {
namespace {

using namespace std::chrono_literals;
using namespace w2v::server::testing;

class CountingUpload : public UploadHandler {
 public:
  explicit CountingUpload(std::atomic<int>& aborts) : aborts_(aborts) {}
  void on_data(std::string_view chunk) override { bytes_ += chunk.size(); }
  Response on_complete() override {
    return Response::json(201, "{\"bytes\":" + std::to_string(bytes_) + "}");
  }
  void on_abort() noexcept override { aborts_.fetch_add(1); }

 private:
  std::atomic<int>& aborts_;
  std::size_t bytes_ = 0;
};

class HttpLimitsTest : public ::testing::Test {
 protected:
  HttpLimitsTest() {
    router_.add("GET", "/echo", [](Request& req) { return Response::text(200, req.target); });
    router_.add("POST", "/echo", [](Request& req) {
      return Response::text(200, "bytes=" + std::to_string(req.body.size()));
    });
    router_.add_upload("POST", "/upload", [this](const Request&) {
      return std::make_unique<CountingUpload>(aborts_);
    });
  }
  void start(HttpLimits limits = {}) {
    server_ = std::make_unique<HttpServer>(router_, limits, HttpHooks{});
    server_->listen("127.0.0.1", 0);
    port_ = server_->port();
    thread_ = std::thread([this] { server_->run(2); });
  }
  void TearDown() override {
    if (!server_) return;
    server_->stop(1000ms);
    thread_.join();
  }

  // Sends head, then piece after piece (at most max_bytes in all) until the server answers
  // or stops reading; returns the response (nullopt: none within the time).
  static std::optional<RawResponse> flood(Client& c, const std::string& head,
                                          const std::string& piece, std::size_t max_bytes) {
    if (!c.send_all(head)) return c.read_response(5s);
    for (std::size_t sent = 0; sent < max_bytes && !c.readable(0ms); sent += piece.size()) {
      if (!c.send_all(piece)) break;
    }
    return c.read_response(10s);
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::atomic<int> aborts_{0};
};

const std::string kChunkedHead = " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST_F(HttpLimitsTest, EndlessTrailerIs431AndClosed) {
  start();
  for (const std::string target : {"/echo", "/upload"}) {
    Client c(port_);
    auto r = flood(c, "POST " + target + kChunkedHead + chunk("abc") + "0\r\nX-Flood: ",
                   std::string(std::size_t{64} * 1024, 'a'), 16u << 20);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 431) << target;
    EXPECT_EQ(r->error_code(), "header_too_large");
    EXPECT_EQ(lower(r->header("connection")), "close");
    EXPECT_TRUE(c.wait_closed(10s));
  }
  EXPECT_TRUE(eventually([&] { return aborts_.load() == 1; }));  // the upload was undone
}

TEST_F(HttpLimitsTest, EndlessChunkExtensionIs400AndClosed) {
  start();
  for (const std::string target : {"/echo", "/upload"}) {
    Client c(port_);
    auto r = flood(c, "POST " + target + kChunkedHead + "1;ext=",
                   std::string(std::size_t{64} * 1024, 'e'), 16u << 20);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_EQ(r->error_code(), "bad_request");
    EXPECT_TRUE(c.wait_closed(10s));
  }
}

TEST_F(HttpLimitsTest, LongChunkExtensionIs400) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all("POST /echo" + kChunkedHead + "3;x=" + std::string(5000, 'v') +
                         "\r\nabc\r\n0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("chunk extension"), std::string::npos) << r->body;
}

TEST_F(HttpLimitsTest, ShortChunkExtensionsAndTrailersAreFine) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all("POST /echo" + kChunkedHead + "5;name=value\r\nhello\r\n3\r\nabc\r\n" +
                         "0\r\nX-Checksum: 1234\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "bytes=8");
}

TEST_F(HttpLimitsTest, TricklingBodyGets408) {
  HttpLimits limits;
  limits.read_timeout = 1s;  // each read comes well within it
  limits.min_body_bytes_per_second = 1000;
  start(limits);
  for (const std::string target : {"/echo", "/upload"}) {
    Client c(port_);
    ASSERT_TRUE(
        c.send_all("POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"));
    auto t0 = Clock::now();
    // 10 bytes every 100 ms: 100 bytes/s, for at most 8 s.
    while (Clock::now() - t0 < 8s && !c.readable(100ms)) {
      if (!c.send_all(std::string(10, 't'))) break;
    }
    auto r = c.read_response(2s);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 408) << target;
    EXPECT_EQ(r->error_code(), "request_timeout");
    EXPECT_LT(Clock::now() - t0, 5s);
    EXPECT_TRUE(c.wait_closed(5s));
  }
  EXPECT_TRUE(eventually([&] { return aborts_.load() == 1; }));
}

TEST_F(HttpLimitsTest, SlowButSteadyBodyIsServed) {
  HttpLimits limits;
  limits.read_timeout = 1s;
  limits.min_body_bytes_per_second = 1000;
  start(limits);
  Client c(port_);
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\n"));
  // 3,000 bytes/s for 3 s: three times the minimum rate.
  for (int i = 0; i < 15; ++i) {
    ASSERT_FALSE(c.readable(200ms)) << "answered early: " << c.buffered();
    ASSERT_TRUE(c.send_all(std::string(600, 's')));
  }
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{\"bytes\":9000}");
}

TEST_F(HttpLimitsTest, TricklingHeaderGets408) {
  HttpLimits limits;
  limits.read_timeout = 1s;
  start(limits);
  Client c(port_);
  const std::string head = "GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(100, 'h');
  auto t0 = Clock::now();
  for (char ch : head) {  // one byte every 50 ms: each read is quick, the header never ends
    if (c.readable(50ms) || !c.send_all(std::string(1, ch))) break;
  }
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_LT(Clock::now() - t0, 4s);
}

TEST_F(HttpLimitsTest, OneAddressCannotTakeEveryConnection) {
  HttpLimits limits;
  limits.max_connections = 100;
  limits.max_connections_per_ip = 2;
  start(limits);
  auto c1 = std::make_unique<Client>(port_, "127.0.0.1");
  Client c2(port_, "127.0.0.1");
  for (Client* c : {c1.get(), &c2}) {
    ASSERT_TRUE(c->send_all(get("/echo")));
    auto r = c->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  Client c3(port_, "127.0.0.1");
  ASSERT_TRUE(c3.send_all(get("/echo")));
  auto r = c3.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->error_code(), "overloaded");
  EXPECT_NE(r->body.find("per address"), std::string::npos) << r->body;
  EXPECT_EQ(r->header("retry-after"), "1");
  EXPECT_TRUE(c3.wait_closed(5s));

  Client other(port_, "127.0.0.2");  // another address still gets in
  ASSERT_TRUE(other.send_all(get("/echo")));
  r = other.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  c1.reset();  // a place frees up
  EXPECT_TRUE(eventually([&] { return server_->active_connections() == 2; }));
  Client c4(port_, "127.0.0.1");
  ASSERT_TRUE(c4.send_all(get("/echo")));
  r = c4.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpLimitsTest, AccessLogEscapesWhatTheClientSent) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  logger->set_pattern("%v");
  spdlog::set_default_logger(logger);
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/echo?a=\x80\xff\\")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  TearDown();
  server_.reset();
  spdlog::set_default_logger(previous);
  const std::string text = log.str();
  EXPECT_NE(text.find("target=/echo?a=\\x80\\xff\\\\ "), std::string::npos) << text;
  EXPECT_EQ(text.find('\x80'), std::string::npos);
  EXPECT_EQ(text.find('\xff'), std::string::npos);
}

}  // namespace
}  // namespace w2v::server
