#pragma once
// The HTTP/1.1 server (Boost.Beast on Boost.Asio; this header keeps Beast out of its users):
// a listener accepting connections (listener.h) and a session per connection (session.h) with
// keep-alive, one request at a time (pipelining-safe), streamed uploads, file bodies, Server-Sent
// Events and deferred responses. Everything a client sends is bounded: header and body sizes,
// chunked framing, the read buffer, per-read and whole-request deadlines, connections in all
// and per address. Every request gets a request id, an access-log line and a metrics
// observation.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/http/request.h"
#include "server/http/response.h"
#include "server/http/router.h"

namespace w2v::server {

struct HttpLimits {
  // Beyond: 431. A chunk-size line or trailer must fit the read buffer (this + 16 KiB): else
  // 400 (431 for a trailer) and close.
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::size_t max_body_bytes = std::size_t{1} << 20;       // ordinary routes (JSON requests): 413
  std::size_t max_document_bytes = std::size_t{64} << 20;  // add_document routes (files): 413
  std::uint64_t max_upload_bytes = 10ull << 30;            // streamed uploads: 413
  // The whole header, and each read of a body: beyond, 408 and close (a client silent before
  // its request starts is closed without an answer).
  std::chrono::seconds read_timeout{30};
  // A body must also arrive at this average rate once read_timeout has passed (bytes/s; 0: no
  // minimum): else 408 and close.
  std::uint64_t min_body_bytes_per_second = std::uint64_t{8} * 1024;
  std::chrono::seconds write_timeout{60};
  std::chrono::seconds idle_timeout{60};    // keep-alive wait for the next request
  std::size_t max_connections = 1024;       // beyond: 503 and close
  std::size_t max_connections_per_ip = 64;  // from one client address; beyond: 503 and close
};

// What happens around every request.
struct HttpHooks {
  // Before routing, for every request; a returned Response is sent instead (e.g. 401).
  std::function<std::optional<Response>(const Request&)> authorize;
  // After routing (path parameters filled), before any body is read; a Response is sent instead.
  std::function<std::optional<Response>(const Request&, const Route&)> admit;
  // After each response: route pattern ("" when unmatched), status, seconds, response bytes.
  std::function<void(const Request&, const std::string& route, int status, double seconds,
                     std::uint64_t bytes)>
      observe;
};

class HttpServer {
 public:
  HttpServer(const Router& router, HttpLimits limits, HttpHooks hooks);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; port 0 picks a free port. Throws std::runtime_error on failure.
  void listen(const std::string& address, std::uint16_t port);
  std::uint16_t port() const;
  // Serves on io_threads threads until stop(); returns when they have all finished.
  void run(int io_threads);
  // Stops accepting, lets in-flight responses finish (event streams end) for up to grace,
  // then closes what is left. Safe from any thread, and from a signal-handling context via
  // the server's own signal handling (see handle_signals).
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // Calls on_signal (on an I/O thread) when SIGINT or SIGTERM arrives while run() runs.
  void handle_signals(std::function<void(int)> on_signal);
  bool stopping() const noexcept;
  std::size_t active_connections() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace w2v::server
