// The HTTP server end to end on 127.0.0.1: a test Router on an HttpServer on port 0, run on a
// background thread, and clients written here with plain POSIX sockets (so what goes over the
// wire is exactly what a test says). Waits are bounded: poll() timeouts for sockets, condition
// variables or bounded polling loops for server-side effects.

#include "server/http/http_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "proto/api_error.h"
#include "server/http_test_client.h"
#include "support/temp_dir.h"

namespace w2v::server {
namespace {

using namespace std::chrono_literals;
using namespace w2v::server::testing;

// ---- what the routes do ----

struct UploadStats {
  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t bytes = 0;
  std::uint64_t hash = kFnvBasis;
  std::size_t max_chunk = 0;
  int completes = 0;
  int aborts = 0;

  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return pred(*this); });
  }
};

class TestUpload : public UploadHandler {
 public:
  TestUpload(UploadStats& stats, bool fail) : stats_(stats), fail_(fail) {}
  void on_data(std::string_view chunk) override {
    if (fail_) throw proto::ApiError::bad_request("line 1 is not valid", "invalid_corpus");
    std::lock_guard lock(stats_.mu);
    stats_.bytes += chunk.size();
    stats_.hash = fnv1a(stats_.hash, chunk);
    stats_.max_chunk = std::max(stats_.max_chunk, chunk.size());
    stats_.cv.notify_all();
  }
  Response on_complete() override {
    std::lock_guard lock(stats_.mu);
    ++stats_.completes;
    stats_.cv.notify_all();
    return Response::json(201, "{\"bytes\":" + std::to_string(stats_.bytes) + "}");
  }
  void on_abort() noexcept override {
    std::lock_guard lock(stats_.mu);
    ++stats_.aborts;
    stats_.cv.notify_all();
  }

 private:
  UploadStats& stats_;
  bool fail_;
};

class CountingEvents : public EventSource {
 public:
  explicit CountingEvents(int count) : count_(count) {}
  std::string next(bool& done) override {
    ++calls_;
    if (calls_ % 2 == 1) return "";  // nothing new this time: nothing is written
    int n = calls_ / 2;
    if (count_ > 0 && n >= count_) done = true;
    return "event: progress\ndata: {\"n\":" + std::to_string(n) + "}\n\n";
  }
  std::chrono::milliseconds interval() const override { return 5ms; }

 private:
  int count_;  // 0: forever
  int calls_ = 0;
};

struct Observation {
  std::string route;
  int status;
  std::uint64_t bytes;
};

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    // Larger than the server's 256 KiB write chunk, and not a multiple of it.
    for (int i = 0; i < 600001; ++i) file_content_.push_back(static_cast<char>('a' + i % 26));
    std::ofstream(file_path_, std::ios::binary) << file_content_;

    auto echo = [](Request& req) {
      std::string out = req.method + "|" + req.path + "|n=" + req.query_param("n").value_or("") +
                        "|x=" + req.header("x-test").value_or("") + "|body=" + req.body;
      return Response::text(200, out);
    };
    router_.add("GET", "/echo", echo);
    router_.add("POST", "/echo", echo);
    router_.add("GET", "/v1/models/{id}/words/{word}", [](Request& req) {
      return Response::text(200, "id=" + req.param("id") + ";word=" + req.param("word"));
    });
    router_.add("DELETE", "/things/{id}", echo);
    router_.add("PUT", "/things/{id}", echo);
    router_.add("GET", "/api-error", [](Request&) -> Response {
      throw proto::ApiError::bad_request("k must be positive");
    });
    router_.add("GET", "/boom",
                [](Request&) -> Response { throw std::runtime_error("secret detail"); });
    router_.add("GET", "/events", [](Request&) {
      Response r;
      r.events = std::make_shared<CountingEvents>(3);
      return r;
    });
    router_.add("GET", "/events-forever", [](Request&) {
      Response r;
      r.events = std::make_shared<CountingEvents>(0);
      return r;
    });
    router_.add("GET", "/file", [this](Request&) {
      Response r;
      r.content_type = "application/octet-stream";
      r.file_path = file_path_.string();
      return r;
    });
    router_.add("GET", "/file-gone", [this](Request&) {
      Response r;
      r.file_path = file_path_.string() + ".missing";
      return r;
    });
    router_.add_upload("POST", "/upload", [this](const Request&) {
      return std::make_unique<TestUpload>(uploads_, false);
    });
    router_.add_upload("POST", "/upload-fail", [this](const Request&) {
      return std::make_unique<TestUpload>(uploads_, true);
    });
    router_.add_upload("POST", "/upload-refuse",
                       [this](const Request&) -> std::unique_ptr<UploadHandler> {
                         factory_refusals_.fetch_add(1);
                         throw proto::ApiError(415, "unsupported_media_type", "send text/plain");
                       });
  }

  void start(HttpLimits limits = {}, HttpHooks hooks = {}) {
    server_ = std::make_unique<HttpServer>(router_, limits, std::move(hooks));
    server_->listen("127.0.0.1", 0);
    port_ = server_->port();
    ASSERT_NE(port_, 0);
    thread_ = std::thread([this] { server_->run(2); });
  }

  // Stops the server and waits for run() to return; the time that took.
  std::chrono::milliseconds stop(std::chrono::milliseconds grace = 2000ms) {
    auto t0 = Clock::now();
    server_->stop(grace);
    if (thread_.joinable()) thread_.join();
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  }

  void TearDown() override {
    if (server_) stop();
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  UploadStats uploads_;
  std::atomic<int> factory_refusals_{0};
  w2v::testing::TempDir tmp_{"http-server"};
  std::filesystem::path file_path_ = tmp_.file("content.bin");
  std::string file_content_;
};

bool is_request_id(const std::string& s) {
  return s.size() == 16 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/echo?n=1", "X-Test: hello\r\n")));
  auto r1 = c.read_response();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r1->body, "GET|/echo|n=1|x=hello|body=");
  EXPECT_EQ(r1->header("content-type"), "text/plain; charset=utf-8");
  EXPECT_NE(lower(r1->header("connection")), "close");
  EXPECT_TRUE(is_request_id(r1->header("x-request-id"))) << r1->header("x-request-id");

  ASSERT_TRUE(c.send_all(post("/echo?n=2", "payload")));
  auto r2 = c.read_response();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
  EXPECT_EQ(r2->body, "POST|/echo|n=2|x=|body=payload");
  EXPECT_TRUE(is_request_id(r2->header("x-request-id")));
  EXPECT_NE(r1->header("x-request-id"), r2->header("x-request-id"));
  EXPECT_EQ(server_->active_connections(), 1u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/echo?n=1") + post("/echo?n=2", "hello") +
                         get("/echo?n=3", "Connection: close\r\n")));
  for (int i = 1; i <= 3; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->body.find("|n=" + std::to_string(i) + "|"), std::string::npos) << r->body;
    if (i == 2) {
      EXPECT_EQ(r->body, "POST|/echo|n=2|x=|body=hello");
    }
  }
  EXPECT_TRUE(c.wait_closed(5s));  // after the Connection: close one
}

TEST_F(HttpServerTest, Http10ClosesAfterTheResponse) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all("GET /echo?n=7 HTTP/1.0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET|/echo|n=7|x=|body=");
  EXPECT_TRUE(c.wait_closed(5s));
}

TEST_F(HttpServerTest, NotFoundAndMethodNotAllowed) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/nope")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->body, proto::error_body("not_found", "no route for GET /nope"));

  ASSERT_TRUE(c.send_all(get("/things/1")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "DELETE, PUT");
  EXPECT_EQ(r->error_code(), "method_not_allowed");

  // Still the same connection.
  ASSERT_TRUE(c.send_all("DELETE /things/7 HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "DELETE|/things/7|n=|x=|body=");
}

TEST_F(HttpServerTest, PathParametersAreDecoded) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/v1/models/m1/words/caf%C3%A9") +
                         get("/v1/models/m1/words/and%2For") + get("/echo?n=a%20b+c")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "id=m1;word=caf\xC3\xA9");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "id=m1;word=and/or");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET|/echo|n=a b c|x=|body=");
}

TEST_F(HttpServerTest, MalformedEscapesAre400) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/echo?n=%zz")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->error_code(), "invalid_argument");
  ASSERT_TRUE(c.send_all(get("/v1/models/m1/words/caf%C")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(HttpServerTest, PayloadTooLargeByContentLength) {
  HttpLimits limits;
  limits.max_body_bytes = 1000;
  start(limits);
  Client c(port_);
  // Only the header: the answer must come before the body is read.
  ASSERT_TRUE(c.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->error_code(), "payload_too_large");
  EXPECT_EQ(lower(r->header("connection")), "close");
  EXPECT_TRUE(c.wait_closed(5s));

  Client ok(port_);
  ASSERT_TRUE(ok.send_all(post("/echo", std::string(1000, 'x'))));
  r = ok.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, PayloadTooLargeByChunkedBody) {
  HttpLimits limits;
  limits.max_body_bytes = 1000;
  start(limits);
  Client c(port_);
  std::string req = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) req += chunk(std::string(400, 'y'));
  req += "0\r\n\r\n";
  ASSERT_TRUE(c.send_all(req));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->error_code(), "payload_too_large");
}

TEST_F(HttpServerTest, UploadPayloadTooLargeByContentLength) {
  HttpLimits limits;
  limits.max_upload_bytes = 1 << 20;
  start(limits);
  Client c(port_);
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->error_code(), "payload_too_large");
  std::lock_guard lock(uploads_.mu);
  EXPECT_EQ(uploads_.bytes, 0u);  // refused before any handler existed
  EXPECT_EQ(uploads_.aborts, 0);
  EXPECT_EQ(uploads_.completes, 0);
}

TEST_F(HttpServerTest, UploadPayloadTooLargeByChunkedOverflowAborts) {
  HttpLimits limits;
  limits.max_upload_bytes = 1 << 20;
  start(limits);
  Client c(port_);
  std::string piece(std::size_t{64} * 1024, 'z');
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  for (int i = 0; i < 32; ++i) {  // 2 MiB: the server answers midway and discards the rest
    if (!c.send_all(chunk(piece))) break;
  }
  c.send_all("0\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->error_code(), "payload_too_large");
  EXPECT_TRUE(uploads_.wait([](UploadStats& s) { return s.aborts == 1; }));
  std::lock_guard lock(uploads_.mu);
  EXPECT_EQ(uploads_.completes, 0);
  EXPECT_LE(uploads_.bytes, 1u << 20);
}

TEST_F(HttpServerTest, PostWithoutLengthHasAnEmptyBody) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all("POST /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, LengthRequired) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 411);
  EXPECT_EQ(r->error_code(), "length_required");
  // No body was announced, so the connection stays usable.
  ASSERT_TRUE(c.send_all(get("/echo?n=2")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, HeaderTooLarge) {
  HttpLimits limits;
  limits.max_header_bytes = 4096;
  start(limits);
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/echo", "X-Big: " + std::string(8000, 'h') + "\r\n")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(r->error_code(), "header_too_large");
  EXPECT_TRUE(is_request_id(r->header("x-request-id")));
  EXPECT_TRUE(c.wait_closed(5s));
}

TEST_F(HttpServerTest, ChunkedUploadOf5MBIsStreamedToTheHandler) {
  start();
  Client c(port_);
  ASSERT_TRUE(
      c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                 "Content-Type: text/plain\r\n\r\n"));
  const std::size_t total = 5u << 20;
  std::uint64_t hash = kFnvBasis;
  std::uint32_t state = 12345;
  std::size_t sent = 0;
  while (sent < total) {
    std::size_t n = std::min<std::size_t>(total - sent, 1000 + (state % 200000));
    std::string data(n, '\0');
    for (char& ch : data) {
      state = state * 1664525u + 1013904223u;
      ch = static_cast<char>(state >> 24);
    }
    hash = fnv1a(hash, data);
    ASSERT_TRUE(c.send_all(chunk(data)));
    sent += n;
  }
  ASSERT_TRUE(c.send_all("0\r\n\r\n"));
  auto r = c.read_response(30s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{\"bytes\":" + std::to_string(total) + "}");
  std::lock_guard lock(uploads_.mu);
  EXPECT_EQ(uploads_.completes, 1);
  EXPECT_EQ(uploads_.aborts, 0);
  EXPECT_EQ(uploads_.bytes, total);
  EXPECT_EQ(uploads_.hash, hash);
  EXPECT_LE(uploads_.max_chunk, 256u * 1024u);
}

TEST_F(HttpServerTest, UploadWithContentLengthAndExpectContinue) {
  start();
  Client c(port_);
  std::string body(300000, 'q');
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n"));
  auto cont = c.read_response();
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->status, 100);
  ASSERT_TRUE(c.send_all(body));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{\"bytes\":300000}");
  // And the connection goes on.
  ASSERT_TRUE(c.send_all(get("/echo?n=9")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, ClientLeavingMidUploadAborts) {
  start();
  {
    Client c(port_);
    ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
    ASSERT_TRUE(c.send_all(std::string(100000, 'a')));
    // The server has started reading once some bytes were handed over.
    EXPECT_TRUE(uploads_.wait([](UploadStats& s) { return s.bytes > 0; }));
  }  // closed mid-body
  EXPECT_TRUE(uploads_.wait([](UploadStats& s) { return s.aborts == 1; }));
  std::lock_guard lock(uploads_.mu);
  EXPECT_EQ(uploads_.completes, 0);
}

TEST_F(HttpServerTest, UploadFactoryRefusalIsAnsweredWithoutReadingTheBody) {
  start();
  Client c(port_);
  ASSERT_TRUE(
      c.send_all("POST /upload-refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(r->body, proto::error_body("unsupported_media_type", "send text/plain"));
  EXPECT_EQ(factory_refusals_.load(), 1);
  EXPECT_TRUE(c.wait_closed(5s));
}

TEST_F(HttpServerTest, UploadHandlerErrorAbortsAndAnswers) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(post("/upload-fail", std::string(5000, 'b'))));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->error_code(), "invalid_corpus");
  EXPECT_TRUE(uploads_.wait([](UploadStats& s) { return s.aborts == 1; }));
  std::lock_guard lock(uploads_.mu);
  EXPECT_EQ(uploads_.completes, 0);
}

TEST_F(HttpServerTest, ExceptionsBecomeErrorResponses) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/api-error")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->body, proto::error_body("invalid_argument", "k must be positive"));
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["error"]["message"], "k must be positive");

  ASSERT_TRUE(c.send_all(get("/boom")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->error_code(), "internal");
  EXPECT_EQ(r->body.find("secret detail"), std::string::npos);
  EXPECT_NE(r->body.find(r->header("x-request-id")), std::string::npos);

  // The connection survives both.
  ASSERT_TRUE(c.send_all(get("/echo?n=3")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, EventStreamSendsEventsUntilDone) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/events")));
  auto r = c.read_response();  // no Content-Length: the body ends with the connection
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/event-stream");
  EXPECT_EQ(r->header("cache-control"), "no-cache");
  EXPECT_FALSE(r->has("content-length"));
  EXPECT_EQ(lower(r->header("connection")), "close");
  EXPECT_EQ(r->body,
            "event: progress\ndata: {\"n\":1}\n\n"
            "event: progress\ndata: {\"n\":2}\n\n"
            "event: progress\ndata: {\"n\":3}\n\n");
}

TEST_F(HttpServerTest, FileResponses) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/file")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/octet-stream");
  EXPECT_EQ(r->header("content-length"), std::to_string(file_content_.size()));
  EXPECT_EQ(r->body, file_content_);

  ASSERT_TRUE(c.send_all(get("/file-gone")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->error_code(), "not_found");
}

TEST_F(HttpServerTest, ConnectionCapAnswers503) {
  HttpLimits limits;
  limits.max_connections = 2;
  start(limits);
  auto c1 = std::make_unique<Client>(port_);
  Client c2(port_);
  for (Client* c : {c1.get(), &c2}) {
    ASSERT_TRUE(c->send_all(get("/echo")));
    auto r = c->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(server_->active_connections(), 2u);

  Client c3(port_);
  ASSERT_TRUE(c3.send_all(get("/echo")));
  auto r = c3.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->error_code(), "overloaded");
  EXPECT_TRUE(c3.wait_closed(5s));

  c1.reset();
  EXPECT_TRUE(eventually([&] { return server_->active_connections() == 1; }));
  Client c4(port_);
  ASSERT_TRUE(c4.send_all(get("/echo")));
  r = c4.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, SilentClientIsClosedAfterReadTimeout) {
  HttpLimits limits;
  limits.read_timeout = 1s;
  start(limits);
  Client c(port_);
  auto t0 = Clock::now();
  EXPECT_TRUE(c.wait_closed(10s));
  EXPECT_GE(Clock::now() - t0, 900ms);
  EXPECT_TRUE(c.buffered().empty());  // closed silently: nothing was asked
}

TEST_F(HttpServerTest, SlowHeaderGets408) {
  HttpLimits limits;
  limits.read_timeout = 1s;
  start(limits);
  Client c(port_);
  ASSERT_TRUE(c.send_all("GET /echo HTTP/1.1\r\nHost: x\r\n"));  // and never the end
  auto r = c.read_response(10s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(r->error_code(), "request_timeout");
  EXPECT_TRUE(c.wait_closed(10s));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  HttpLimits limits;
  limits.idle_timeout = 1s;
  start(limits);
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/echo")));
  ASSERT_TRUE(c.read_response());
  EXPECT_TRUE(c.wait_closed(10s));
  EXPECT_TRUE(eventually([&] { return server_->active_connections() == 0; }));
}

TEST_F(HttpServerTest, StopReturnsPromptlyWithAnIdleKeepAliveConnection) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/echo")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(stop(5000ms), 2000ms);
  EXPECT_TRUE(server_->stopping());
  EXPECT_TRUE(c.wait_closed(5s));
}

TEST_F(HttpServerTest, StopEndsEventStreams) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/events-forever")));
  auto h = c.read_header_only();
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  ASSERT_TRUE(c.read_at_least(50));  // a few events have come
  EXPECT_LT(stop(5000ms), 2000ms);
  EXPECT_TRUE(c.wait_closed(5s));
}

TEST_F(HttpServerTest, StopClosesWhatIsLeftAfterTheGracePeriod) {
  start();
  Client c(port_);
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
  ASSERT_TRUE(c.send_all(std::string(1000, 'a')));
  ASSERT_TRUE(uploads_.wait([](UploadStats& s) { return s.bytes == 1000; }));
  auto took = stop(300ms);  // the upload never finishes: it is cut at the end of the grace
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3000ms);
  EXPECT_TRUE(uploads_.wait([](UploadStats& s) { return s.aborts == 1; }, 1s));
  EXPECT_TRUE(c.wait_closed(5s));
  EXPECT_EQ(server_->active_connections(), 0u);
}

TEST_F(HttpServerTest, NewConnectionsAreRefusedOnceStopping) {
  start();
  Client idle(port_);
  server_->stop(2000ms);
  // The listening socket closes promptly: connecting then fails or the connection is closed.
  EXPECT_TRUE(eventually([&] {
    try {
      Client late(port_);
      late.send_all(get("/echo"));
      return late.wait_closed(2s) && late.buffered().empty();
    } catch (const std::runtime_error&) {
      return true;  // connection refused
    }
  }));
  EXPECT_TRUE(idle.wait_closed(5s));
}

TEST(HttpServerLifecycleTest, StopBeforeRunMakesRunReturn) {
  Router router;
  router.add("GET", "/", [](Request&) { return Response::text(200, "x"); });
  HttpServer server(router, {}, {});
  server.listen("127.0.0.1", 0);
  server.stop();
  EXPECT_TRUE(server.stopping());
  auto t0 = Clock::now();
  server.run(2);
  EXPECT_LT(Clock::now() - t0, 2s);
}

TEST(HttpServerLifecycleTest, SignalsReachTheCallback) {
  Router router;
  router.add("GET", "/", [](Request&) { return Response::text(200, "x"); });
  HttpServer server(router, {}, {});
  server.listen("127.0.0.1", 0);
  std::atomic<int> got{0};
  server.handle_signals([&](int sig) {
    got = sig;
    server.stop();
  });
  std::thread runner([&] { server.run(1); });
  ASSERT_EQ(::raise(SIGTERM), 0);
  runner.join();  // returns because the callback stopped the server
  EXPECT_EQ(got.load(), SIGTERM);
}

TEST_F(HttpServerTest, AuthorizeHookCanRefuse) {
  HttpHooks hooks;
  hooks.authorize = [](const Request& req) -> std::optional<Response> {
    if (req.path.rfind("/v1/", 0) != 0) return std::nullopt;
    if (req.header("authorization") == "Bearer sesame") return std::nullopt;
    return Response::json(401, proto::error_body("unauthorized", "missing or wrong token"));
  };
  start({}, std::move(hooks));
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/v1/models/m/words/w")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->error_code(), "unauthorized");
  ASSERT_TRUE(c.send_all(get("/v1/models/m/words/w", "Authorization: Bearer sesame\r\n")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "id=m;word=w");
  ASSERT_TRUE(c.send_all(get("/echo")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, ObserveHookSeesEveryResponse) {
  std::mutex mu;
  std::vector<Observation> seen;
  HttpHooks hooks;
  hooks.observe = [&](const Request& req, const std::string& route, int status, double seconds,
                      std::uint64_t bytes) {
    EXPECT_GE(seconds, 0.0);
    EXPECT_TRUE(is_request_id(req.request_id));
    EXPECT_EQ(req.remote, "127.0.0.1");
    std::lock_guard lock(mu);
    seen.push_back({route, status, bytes});
  };
  start({}, std::move(hooks));
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/v1/models/a/words/b") + get("/nope")));
  ASSERT_TRUE(c.read_response());
  ASSERT_TRUE(c.read_response());
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return seen.size() == 2;
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(seen[0].route, "/v1/models/{id}/words/{word}");
  EXPECT_EQ(seen[0].status, 200);
  EXPECT_GT(seen[0].bytes, 0u);
  EXPECT_EQ(seen[1].route, "");
  EXPECT_EQ(seen[1].status, 404);
}

TEST_F(HttpServerTest, ListenFailureThrows) {
  start();
  HttpServer other(router_, {}, {});
  EXPECT_THROW(other.listen("127.0.0.1", port_), std::runtime_error);
  EXPECT_THROW(other.listen("not-an-address", 0), std::runtime_error);
}

}  // namespace
}  // namespace w2v::server
