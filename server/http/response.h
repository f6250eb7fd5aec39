#pragma once
// What a handler returns: a body in memory, a file to send, or an event stream
// (text/event-stream) that the connection polls until it says it is done.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace w2v::server {

// A Server-Sent Events source. The connection calls next() once right away and then every
// interval() until done is set; whatever next() returns (complete "event: ...\ndata: ...\n\n"
// blocks, possibly empty) is written to the client.
class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual std::string next(bool& done) = 0;
  virtual std::chrono::milliseconds interval() const { return std::chrono::milliseconds(500); }
};

struct Response;
// Delivers a deferred response. May be called from any thread, exactly once.
using Completion = std::function<void(Response)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string file_path;                // when set, the file's bytes are the body
  std::shared_ptr<EventSource> events;  // when set, an event stream is the body
  // When set, the response is computed elsewhere (the blocking pool): the connection calls
  // deferred(complete) once, on its I/O thread, and waits without blocking until complete(r)
  // delivers the real response (from any thread). Every other field is then ignored.
  std::function<void(Completion)> deferred;

  static Response json(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static Response later(std::function<void(Completion)> start) {
    Response r;
    r.deferred = std::move(start);
    return r;
  }
  static Response no_content() {
    Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  static Response text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8") {
    Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
  }
};

}  // namespace w2v::server
