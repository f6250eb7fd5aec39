#pragma once
// One connection's state machine (session.cc; answering in session_answer.cc, deferred steps in
// session_steps.cc): wait for a request, read its header (under a whole-header
// deadline), route it (route_request), read its body (BodyReader) or not at all, run the handler
// (possibly deferred: PendingStep), write the response (ResponseWriter), and go round again or
// close. Requests are served one at a time, in order (pipelined ones wait in the read buffer).
// Everything of the current request is in one Exchange, replaced whole for the next.

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "server/http/body_reader.h"
#include "server/http/listener.h"
#include "server/http/net.h"
#include "server/http/pending_step.h"
#include "server/http/response_writer.h"

namespace w2v::server::http_io {

class Session : public std::enable_shared_from_this<Session> {
 public:
  // counted: admitted under the connection caps (else refused with 503).
  Session(Listener& listener, tcp::socket&& socket, std::string remote, bool counted);
  ~Session();
  // The most a connection's read buffer holds: a header, and a read beyond it.
  static std::size_t read_buffer_limit(const HttpLimits& limits);

  net::any_io_executor executor() { return stream_.get_executor(); }
  void start();
  // Past a connection cap: 503 (saying why) without reading the request, then close.
  void start_refused(std::string why);
  // The server is stopping: a connection waiting for its next request closes now; the others
  // finish what they are doing (responses then say Connection: close; event streams end at
  // their next poll; deferred steps are waited for).
  void on_server_stop();
  // The grace period is over.
  void force_close();

 private:
  // After a response that leaves request bytes unread, the connection half-closes and reads
  // and discards for up to this long before closing, so the client sees the response rather
  // than a reset (RFC 9112 section 9.6).
  static constexpr std::chrono::seconds kLingerTime{2};

  enum class State { kWaiting, kReading, kBusy, kDeferred, kStreaming, kLingering, kClosed };

  // Everything of one request and its response.
  struct Exchange {
    Request req;
    const Route* route = nullptr;
    unsigned version = 11;
    bool keep_alive = false;  // what the request asked for
    bool keep = false;        // what the response says
    Clock::time_point started{};
    int status = 0;
    bool logged = false;
    std::unique_ptr<HeaderParser> header;
    std::unique_ptr<BodyReader> body;
    std::unique_ptr<UploadHandler> upload;
    std::unique_ptr<ResponseWriter> writer;
  };

  void guard(const std::function<void()>& f) noexcept;
  void log_error(const char* what, const char* detail) noexcept;
  // Wraps a completion handler: keeps the session alive, runs on its strand (the stream's
  // executor), ignores completions after close and never lets an exception out.
  template <class F>
  auto handler(F&& f) {
    return [self = shared_from_this(), f = std::forward<F>(f)](auto&&... args) mutable {
      if (self->state_ == State::kClosed) return;
      self->guard([&] { f(args...); });
    };
  }

  // Reading.
  void wait_for_request();
  void read_header();
  void on_header(error_code ec);
  void start_body(BodyReader::Mode mode, std::uint64_t body_limit);
  void read_body();
  void on_body_read(BodyReader::Outcome outcome);
  void on_upload_data_done(std::exception_ptr error);
  void finish_upload();
  void abort_upload() noexcept;
  template <class F>
  void continue_then(F&& next);
  // The whole-request deadline: at when, the pending read is cancelled and answered with 408.
  void arm_deadline(Clock::time_point when);
  void disarm_deadline();

  // Steps computed elsewhere (session_steps.cc). A step of kind kResponse or kUploadComplete
  // delivers a Response (then sent), kUploadData an exception_ptr (null: read on).
  using StepResult = std::variant<Response, std::exception_ptr>;
  using StepStart = std::function<void(UploadHandler*, std::function<void(StepResult)>)>;
  void run_step(PendingStep::Kind kind, const StepStart& start);
  static void deliver(const std::shared_ptr<PendingStep>& step, StepResult result);
  void on_step_done(PendingStep& step, StepResult result);
  void on_step_result(PendingStep::Kind kind, StepResult result);

  // Answering (session_answer.cc). call() runs application code; an exception becomes the
  // error response, sent there, and call() returns false.
  bool call(const std::function<void()>& f);
  std::string internal_message() const;
  void send_error(int status, const std::string& code, const std::string& message);
  bool request_complete() const;
  void send(Response r);
  ResponseWriter& new_writer();
  template <class Body>
  void fill(http::response<Body>& res, const Response& r, bool keep);
  void on_written(error_code ec);
  void finish_request();

  // Closing.
  void close_graceful(bool linger);
  void drain();
  void close_now() noexcept;

  Listener& listener_;
  const HttpLimits& limits_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;  // bounded; kept across requests: it may hold the next one
  net::steady_timer timer_;    // the header and body deadlines; event stream polls
  const std::string remote_;
  const bool counted_;
  State state_ = State::kWaiting;
  bool first_request_ = true;
  unsigned deadline_generation_ = 0;
  bool timed_out_ = false;
  std::shared_ptr<char[]> chunk_buf_;  // uploads and files; shared with a PendingStep
  Clock::time_point linger_until_{};
  Exchange ex_;
};

}  // namespace w2v::server::http_io
