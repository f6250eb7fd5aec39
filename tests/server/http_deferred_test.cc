// Deferred work over real sockets: handlers that return Response::later and upload handlers that
// override on_data_async / on_complete_async, completed from a test worker thread the way the
// blocking pool does. The I/O thread must never wait for them; a completion that comes after
// the client (or the whole server) is gone must be dropped safely.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "proto/api_error.h"
#include "server/http/http_server.h"
#include "server/http_test_client.h"

namespace w2v::server {
namespace {

using namespace std::chrono_literals;
using namespace w2v::server::testing;

// Runs submitted tasks on its own threads; while held, they queue up.
class Worker {
 public:
  explicit Worker(int threads) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
  }
  ~Worker() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      held_ = false;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void submit(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
      ++submitted_;
    }
    cv_.notify_all();
  }
  void hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  int submitted() {
    std::lock_guard lock(mu_);
    return submitted_;
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || (!held_ && !tasks_.empty()); });
      if (tasks_.empty()) return;  // stopping, all done
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
  bool held_ = false;
  bool stopping_ = false;
  int submitted_ = 0;
};

struct UploadLog {
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> hash{kFnvBasis};
  std::atomic<int> steps_started{0};
  std::atomic<int> overlapping{0};    // a step started while another was running
  std::atomic<int> changed_under{0};  // chunk bytes changed while a step ran
  std::atomic<int> completes{0};
  std::atomic<int> aborts{0};
  std::atomic<int> destroyed{0};
};

// Hands each step to the worker, which reads the chunk there and only then calls done.
class AsyncUpload : public UploadHandler {
 public:
  AsyncUpload(Worker& worker, UploadLog& log, bool fail)
      : worker_(worker), log_(log), fail_(fail) {}
  ~AsyncUpload() override { log_.destroyed.fetch_add(1); }

  void on_data(std::string_view) override { ADD_FAILURE() << "the synchronous on_data was called"; }
  Response on_complete() override {
    ADD_FAILURE() << "the synchronous on_complete was called";
    return Response::no_content();
  }
  void on_abort() noexcept override { log_.aborts.fetch_add(1); }

  void on_data_async(std::string_view chunk,
                     std::function<void(std::exception_ptr)> done) override {
    if (running_.exchange(true)) log_.overlapping.fetch_add(1);
    log_.steps_started.fetch_add(1);
    worker_.submit([this, chunk, done = std::move(done)] {
      std::string copy(chunk);
      for (int i = 0; i < 50; ++i)
        std::this_thread::yield();  // give the session a chance to misbehave
      if (copy != chunk) log_.changed_under.fetch_add(1);
      log_.hash = fnv1a(log_.hash, copy);
      log_.bytes += copy.size();
      running_ = false;
      if (fail_) {
        done(std::make_exception_ptr(
            proto::ApiError::bad_request("line 1 is not valid", "invalid_corpus")));
      } else {
        done(nullptr);
      }
    });
  }
  void on_complete_async(Completion done) override {
    worker_.submit([this, done = std::move(done)] {
      log_.completes.fetch_add(1);
      done(Response::json(201, "{\"bytes\":" + std::to_string(log_.bytes.load()) + "}"));
    });
  }

 private:
  Worker& worker_;
  UploadLog& log_;
  bool fail_;
  std::atomic<bool> running_{false};
};

class HttpDeferredTest : public ::testing::Test {
 protected:
  HttpDeferredTest() {
    router_.add("GET", "/echo",
                [](Request& req) { return Response::text(200, "echo " + req.path); });
    router_.add("GET", "/slow", [this](Request& req) {
      std::string id = req.query_param("id").value_or("");
      return Response::later([this, id](Completion done) {
        started_.fetch_add(1);
        worker_.submit([id, done = std::move(done)] { done(Response::text(200, "slow " + id)); });
      });
    });
    router_.add("GET", "/twice", [](Request&) {
      return Response::later([](Completion done) {
        done(Response::text(200, "first"));
        done(Response::text(200, "second"));
      });
    });
    router_.add("GET", "/start-throws", [](Request&) {
      return Response::later(
          [](Completion) -> void { throw proto::ApiError(503, "overloaded", "the pool is full"); });
    });
    router_.add_upload("POST", "/upload", [this](const Request&) {
      return std::make_unique<AsyncUpload>(worker_, uploads_, false);
    });
    router_.add_upload("POST", "/upload-fail", [this](const Request&) {
      return std::make_unique<AsyncUpload>(worker_, uploads_, true);
    });
  }

  void start(int io_threads = 1) {
    HttpLimits limits;
    limits.max_connections_per_ip = 1024;  // ManyConcurrentDeferredRequests opens 65
    server_ = std::make_unique<HttpServer>(router_, limits, HttpHooks{});
    server_->listen("127.0.0.1", 0);
    port_ = server_->port();
    thread_ = std::thread([this, io_threads] { server_->run(io_threads); });
  }

  std::chrono::milliseconds stop(std::chrono::milliseconds grace) {
    auto t0 = Clock::now();
    server_->stop(grace);
    if (thread_.joinable()) thread_.join();
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  }

  void TearDown() override {
    worker_.release();
    if (server_) stop(2000ms);
  }

  Worker worker_{4};  // outlives the server, as the blocking pool may
  UploadLog uploads_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::atomic<int> started_{0};
};

TEST_F(HttpDeferredTest, DeferredResponseDoesNotBlockTheIoThread) {
  start(1);  // one I/O thread: were it waiting for the worker, nothing else would be served
  worker_.hold();
  Client slow(port_);
  ASSERT_TRUE(slow.send_all(get("/slow?id=1")));
  ASSERT_TRUE(eventually([&] { return started_.load() == 1; }));

  Client other(port_);
  ASSERT_TRUE(other.send_all(get("/echo")));
  auto r = other.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(slow.buffered().empty());

  worker_.release();
  r = slow.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow 1");
  EXPECT_NE(lower(r->header("connection")), "close");
  // The connection goes on after a deferred response.
  ASSERT_TRUE(slow.send_all(get("/echo")));
  r = slow.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "echo /echo");
}

TEST_F(HttpDeferredTest, ManyConcurrentDeferredRequests) {
  start(2);
  constexpr int kClients = 64;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(port_));
    ASSERT_TRUE(clients.back()->send_all(get("/slow?id=" + std::to_string(i))));
  }
  for (int i = 0; i < kClients; ++i) {
    auto r = clients[i]->read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "slow " + std::to_string(i));
  }
  // Pipelined deferred requests on one connection are answered in order.
  Client c(port_);
  std::string batch;
  for (int i = 0; i < 10; ++i) batch += get("/slow?id=p" + std::to_string(i));
  ASSERT_TRUE(c.send_all(batch));
  for (int i = 0; i < 10; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "slow p" + std::to_string(i));
  }
}

TEST_F(HttpDeferredTest, CompletionAfterTheClientLeftIsDropped) {
  start(1);
  worker_.hold();
  {
    Client c(port_);
    ASSERT_TRUE(c.send_all(get("/slow?id=gone")));
    ASSERT_TRUE(eventually([&] { return started_.load() == 1; }));
  }  // the client leaves while the work runs
  worker_.release();
  EXPECT_TRUE(eventually([&] { return server_->active_connections() == 0; }));
  Client next(port_);
  ASSERT_TRUE(next.send_all(get("/echo")));
  auto r = next.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpDeferredTest, SecondCompletionIsIgnored) {
  start(1);
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/twice")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "first");
  ASSERT_TRUE(c.send_all(get("/echo")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "echo /echo");  // not "second"
}

TEST_F(HttpDeferredTest, ExceptionFromTheStartIsTheErrorResponse) {
  start(1);
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/start-throws")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->error_code(), "overloaded");
}

TEST_F(HttpDeferredTest, StopWaitsForDeferredWorkWithinTheGracePeriod) {
  start(1);
  worker_.hold();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/slow?id=s")));
  ASSERT_TRUE(eventually([&] { return started_.load() == 1; }));
  std::atomic<bool> stopped{false};
  std::chrono::milliseconds took{};
  std::thread stopper([&] {
    took = stop(10000ms);
    stopped = true;
  });
  EXPECT_TRUE(server_->stopping() || eventually([&] { return server_->stopping(); }));
  EXPECT_FALSE(stopped.load());
  worker_.release();
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow s");
  EXPECT_EQ(lower(r->header("connection")), "close");
  stopper.join();
  EXPECT_LT(took, 5000ms);  // ended with the work, not with the grace period
}

TEST_F(HttpDeferredTest, CompletionAfterTheServerIsGoneIsDropped) {
  start(1);
  worker_.hold();
  Client c(port_);
  ASSERT_TRUE(c.send_all(get("/slow?id=late")));
  ASSERT_TRUE(eventually([&] { return started_.load() == 1; }));
  auto took = stop(200ms);  // the work outlasts the grace period: the connection is cut
  EXPECT_LT(took, 5000ms);
  server_.reset();
  worker_.release();  // the completion now finds no server
  EXPECT_TRUE(c.wait_closed(5s));
}

// ---- uploads ----

std::string random_bytes(std::size_t n, std::uint32_t& state) {
  std::string data(n, '\0');
  for (char& ch : data) {
    state = state * 1664525u + 1013904223u;
    ch = static_cast<char>(state >> 24);
  }
  return data;
}

TEST_F(HttpDeferredTest, UploadStepsRunElsewhereOneAtATime) {
  start(1);
  Client c(port_);
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::size_t total = 3u << 20;
  std::uint64_t hash = kFnvBasis;
  std::uint32_t state = 777;
  for (std::size_t sent = 0; sent < total;) {
    std::string data = random_bytes(std::min<std::size_t>(total - sent, 70000), state);
    hash = fnv1a(hash, data);
    ASSERT_TRUE(c.send_all(chunk(data)));
    sent += data.size();
  }
  ASSERT_TRUE(c.send_all("0\r\n\r\n"));
  auto r = c.read_response(30s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{\"bytes\":" + std::to_string(total) + "}");
  EXPECT_EQ(uploads_.bytes.load(), total);
  EXPECT_EQ(uploads_.hash.load(), hash);
  EXPECT_GT(uploads_.steps_started.load(), 1);
  EXPECT_EQ(uploads_.overlapping.load(), 0);
  EXPECT_EQ(uploads_.changed_under.load(), 0);
  EXPECT_EQ(uploads_.completes.load(), 1);
  EXPECT_EQ(uploads_.aborts.load(), 0);
  EXPECT_TRUE(eventually([&] { return uploads_.destroyed.load() == 1; }));
  ASSERT_TRUE(c.send_all(get("/echo")));  // and the connection goes on
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpDeferredTest, UploadStepErrorAbortsAndAnswers) {
  start(1);
  Client c(port_);
  ASSERT_TRUE(c.send_all(post("/upload-fail", std::string(5000, 'b'))));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->error_code(), "invalid_corpus");
  EXPECT_TRUE(eventually([&] { return uploads_.aborts.load() == 1; }));
  EXPECT_EQ(uploads_.completes.load(), 0);
}

TEST_F(HttpDeferredTest, ClientLeavingDuringAnUploadStepAbortsOnceAfterIt) {
  start(1);
  worker_.hold();
  {
    Client c(port_);
    ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
    ASSERT_TRUE(c.send_all(std::string(100000, 'a')));
    ASSERT_TRUE(eventually([&] { return uploads_.steps_started.load() == 1; }));
  }
  worker_.release();
  EXPECT_TRUE(eventually([&] { return uploads_.destroyed.load() == 1; }));
  EXPECT_EQ(uploads_.aborts.load(), 1);
  EXPECT_EQ(uploads_.completes.load(), 0);
}

TEST_F(HttpDeferredTest, ServerGoneDuringAnUploadStepAbortsOnceAfterIt) {
  start(1);
  worker_.hold();
  Client c(port_);
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
  ASSERT_TRUE(c.send_all(std::string(100000, 'a')));
  ASSERT_TRUE(eventually([&] { return uploads_.steps_started.load() == 1; }));
  stop(200ms);
  server_.reset();
  EXPECT_EQ(uploads_.aborts.load(), 0);  // the step still runs and reads the chunk
  worker_.release();
  EXPECT_TRUE(eventually([&] { return uploads_.destroyed.load() == 1; }));
  EXPECT_EQ(uploads_.aborts.load(), 1);
  EXPECT_EQ(uploads_.completes.load(), 0);
}

}  // namespace
}  // namespace w2v::server
