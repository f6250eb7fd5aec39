// The HTTP/1.1 server on Boost.Beast, after Beast's "advanced server" example: a listener on a
// strand accepting connections, and a Session per connection whose asynchronous chain reads a
// request (header first, then the body whole, streamed to an UploadHandler, or not at all),
// calls the handler and writes the response, with a beast::tcp_stream timeout on every read
// and write. This is the only translation unit of the server that includes Beast.

// GCC 12 warns that Asio's std::atomic_thread_fence is not supported by ThreadSanitizer; Asio's
// synchronisation is otherwise visible to TSan, so a W2V_SANITIZE=thread build needs no more.
#if defined(__SANITIZE_THREAD__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wtsan"
#endif

#include "server/http/http_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/file.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "proto/api_error.h"

namespace w2v::server {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = beast::error_code;
using Clock = std::chrono::steady_clock;

// Streamed uploads are handed to the UploadHandler in pieces of at most this size, and files
// are sent in pieces of this size.
constexpr std::size_t kChunkBytes = 256 * 1024;
// The first read of a request (while waiting for it to start).
constexpr std::size_t kFirstReadBytes = 16 * 1024;
// After a response that leaves request bytes unread, the connection half-closes and reads and
// discards for up to this long before closing, so the client sees the response rather than a
// reset (RFC 7230 section 6.6).
constexpr std::chrono::seconds kLingerTime{2};
// Between the grace period's end (connections force-closed) and stopping the io_context.
constexpr std::chrono::seconds kHardStopDelay{1};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

Response error_response(int status, const std::string& code, const std::string& message) {
  return Response::json(status, proto::error_body(code, message));
}

std::string new_request_id() {
  static std::atomic<std::uint64_t> counter{0};
  thread_local std::mt19937_64 rng = [] {
    std::uint64_t seed = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
    seed ^= std::hash<std::thread::id>{}(std::this_thread::get_id());
    try {
      std::random_device rd;
      seed ^= (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    } catch (...) {
      // no entropy source: the clock and thread id will do for request ids
    }
    return std::mt19937_64(seed);
  }();
  std::uint64_t v =
      rng() ^ (counter.fetch_add(1, std::memory_order_relaxed) * 0x9E3779B97F4A7C15ull);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return std::string(buf, 16);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == lower(b);
}

std::string_view sv(beast::string_view s) {
  return std::string_view(s.data(), s.size());
}

bool is_http_error(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

bool header_safe(std::string_view s) {
  return s.find_first_of("\r\n") == std::string_view::npos && !s.empty();
}

class Session;

// A step of a request computed elsewhere (Response::deferred, UploadHandler::on_data_async and
// on_complete_async) while the session waits without reading. Its completion may come from any
// thread: it takes the session out under mu and posts the result to the session's strand. The
// session stays alive meanwhile (session holds it); when the server is destroyed first, the step
// is abandoned (session taken out) and a late completion is dropped.
struct PendingStep {
  enum class Kind { kResponse, kUploadData, kUploadComplete };
  explicit PendingStep(Kind kind) : kind(kind) {}
  ~PendingStep() {
    // Never delivered (the completion was dropped, or the server went first): an unfinished
    // upload is undone here, as the session would have.
    if (kind == Kind::kUploadData && upload) upload->on_abort();
  }
  const Kind kind;
  std::mutex mu;
  std::shared_ptr<Session> session;  // until delivered or abandoned
  bool delivered = false;
  // While a step of an upload runs, the step owns the handler (and the chunk's bytes), so both
  // outlive the session if they must.
  std::unique_ptr<UploadHandler> upload;
  std::shared_ptr<char[]> chunk;
};

// Everything the sessions share; HttpServer::Impl is one of these.
class ServerCore {
 public:
  ServerCore(const Router& router, HttpLimits limits, HttpHooks hooks)
      : router(router),
        limits(limits),
        hooks(std::move(hooks)),
        strand_(net::make_strand(ioc_)),
        acceptor_(strand_),
        accept_retry_(strand_),
        grace_timer_(strand_) {}
  ~ServerCore();

  void listen(const std::string& address, std::uint16_t port);
  std::uint16_t port() const { return port_.load(); }
  void run(int io_threads);
  void stop(std::chrono::milliseconds grace);
  void handle_signals(std::function<void(int)> on_signal);
  bool stopping() const noexcept { return stopping_.load(); }
  std::size_t active_connections() const noexcept { return active.load(); }

  void add_session(const std::shared_ptr<Session>& s);
  void remove_session(Session* s) noexcept;
  void add_step(const std::shared_ptr<PendingStep>& step);
  void remove_step(PendingStep* step) noexcept;

  const Router& router;
  const HttpLimits limits;
  const HttpHooks hooks;
  std::atomic<std::size_t> active{0};  // accepted connections (not the ones refused with 503)

 private:
  std::vector<std::shared_ptr<Session>> live_sessions();
  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void arm_signals();
  void on_grace_expired();

  std::atomic<bool> stopping_{false};
  std::atomic<bool> destroying_{false};
  std::atomic<std::uint16_t> port_{0};
  std::mutex mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::unordered_map<PendingStep*, std::weak_ptr<PendingStep>> steps_;
  std::function<void(int)> on_signal_;
  // Declared after everything the sessions touch: destroying the io_context destroys the
  // sessions its pending handlers still own.
  net::io_context ioc_;
  net::strand<net::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  net::steady_timer grace_timer_;
  std::optional<net::signal_set> signals_;
};

// One connection: requests one at a time, in order (pipelined ones wait in buffer_).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerCore& core, tcp::socket&& socket, bool counted)
      : core_(core),
        limits_(core.limits),
        stream_(std::move(socket)),
        timer_(stream_.get_executor()),
        counted_(counted) {
    if (counted_) core_.active.fetch_add(1);
    error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? std::string("-") : ep.address().to_string();
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  ~Session() {
    abort_upload();
    if (counted_) core_.active.fetch_sub(1);
    core_.remove_session(this);
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

  void start() {
    core_.add_session(shared_from_this());
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this()] { self->guard([&] { self->wait_for_request(); }); });
  }

  // Past the connection cap: 503 without reading the request, then close.
  void start_refused() {
    core_.add_session(shared_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->guard([&] {
        self->started_ = Clock::now();
        self->req_.request_id = new_request_id();
        self->req_.remote = self->remote_;
        self->keep_alive_ = false;
        spdlog::warn("refusing a connection from {}: {} connections open", self->remote_,
                     self->core_.active.load());
        Response r = error_response(503, "overloaded",
                                    "the server has too many open connections; retry later");
        r.headers.emplace_back("Retry-After", "1");
        self->send(std::move(r));
      });
    });
  }

  // The server is stopping: a connection waiting for its next request closes now; the others
  // finish what they are doing (responses then say Connection: close; event streams end at
  // their next poll).
  void on_server_stop() {
    guard([&] {
      if (state_ == State::kWaiting) close_now();
    });
  }

  // The grace period is over.
  void force_close() {
    guard([&] { close_now(); });
  }

 private:
  // kDeferred: a step of the request runs elsewhere (see PendingStep); nothing is read.
  enum class State { kWaiting, kReading, kBusy, kDeferred, kStreaming, kLingering, kClosed };

  template <class F>
  void guard(F&& f) noexcept {
    try {
      f();
    } catch (const std::exception& e) {
      log_error("connection error", e.what());
      close_now();
    } catch (...) {
      log_error("connection error", "unknown exception");
      close_now();
    }
  }

  void log_error(const char* what, const char* detail) noexcept {
    try {
      spdlog::error("{} (request {} from {}): {}", what,
                    req_.request_id.empty() ? "-" : req_.request_id, remote_, detail);
    } catch (...) {
    }
  }

  // Wraps a completion handler: keeps the session alive, runs on its strand (the stream's
  // executor), ignores completions after close and never lets an exception out.
  template <class F>
  auto handler(F&& f) {
    return [self = shared_from_this(), f = std::forward<F>(f)](auto&&... args) mutable {
      if (self->state_ == State::kClosed) return;
      self->guard([&] { f(args...); });
    };
  }

  // ---- reading a request ----

  void reset_request() {
    req_ = Request{};
    route_ = nullptr;
    route_pattern_.clear();
    header_parser_.reset();
    body_parser_.reset();
    upload_parser_.reset();
    upload_total_ = 0;
    status_ = 0;
    bytes_ = 0;
    finished_ = false;
    keep_alive_ = false;
    version_ = 11;
  }

  void wait_for_request() {
    reset_request();
    if (core_.stopping()) return close_now();
    if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
    state_ = State::kWaiting;
    stream_.expires_after(first_request_ ? limits_.read_timeout : limits_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            handler([this](error_code ec, std::size_t n) {
                              // Idle timeout, the client leaving, or the server stopping: all
                              // close silently, nothing was asked yet.
                              if (ec) return close_now();
                              buffer_.commit(n);
                              read_header();
                            }));
  }

  void read_header() {
    state_ = State::kReading;
    first_request_ = false;
    started_ = Clock::now();
    header_parser_.emplace();
    header_parser_->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(limits_.max_header_bytes, UINT32_MAX)));
    // Checked against the route's limit once routed. (Not boost::none: Beast 1.74 compares
    // "Content-Length > none" as true and refuses every body.)
    header_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    // The header's deadline is our own timer rather than the stream's: a tcp_stream timeout
    // closes the socket, and a client that started a request deserves a 408 first.
    stream_.expires_never();
    header_timed_out_ = false;
    timer_.expires_after(limits_.read_timeout);
    timer_.async_wait(handler([this](error_code ec) {
      if (ec || state_ != State::kReading) return;
      header_timed_out_ = true;
      error_code ignored;
      stream_.socket().cancel(ignored);  // the read completes with operation_aborted
    }));
    http::async_read_header(stream_, buffer_, *header_parser_,
                            handler([this](error_code ec, std::size_t) {
                              timer_.cancel();
                              on_header(ec);
                            }));
  }

  void on_header(error_code ec) {
    state_ = State::kBusy;
    req_.request_id = new_request_id();
    req_.remote = remote_;
    if (ec == http::error::header_limit) {
      return send_error(431, "header_too_large",
                        "the request header is larger than " +
                            std::to_string(limits_.max_header_bytes) + " bytes");
    }
    if (ec && header_timed_out_) {
      return send_error(408, "request_timeout",
                        "the request header did not arrive within " +
                            std::to_string(limits_.read_timeout.count()) + " s");
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
      return close_now();
    }
    if (ec && is_http_error(ec)) {
      return send_error(400, "bad_request", "malformed HTTP request: " + ec.message());
    }
    if (ec) return close_now();

    auto& h = header_parser_->get();
    version_ = h.version();
    keep_alive_ = h.keep_alive();
    req_.method = std::string(sv(h.method_string()));
    req_.target = std::string(sv(h.target()));
    for (const auto& field : h) {
      std::string name = lower(sv(field.name_string()));
      auto [it, inserted] = req_.headers.emplace(name, std::string(sv(field.value())));
      if (!inserted) {
        it->second += ", ";
        it->second += sv(field.value());
      }
    }

    std::string_view target = req_.target;
    if (target.starts_with("http://") || target.starts_with("https://")) {  // absolute-form
      std::size_t slash = target.find('/', target.find("//") + 2);
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
    std::size_t qmark = target.find('?');
    std::string_view raw_path = target.substr(0, qmark);
    std::string_view raw_query =
        qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
    if (raw_path.empty() || raw_path.front() != '/') {
      return send_error(400, "bad_request", "the request target must be a path starting with /");
    }
    auto path = percent_decode(raw_path, false);
    if (!path) {
      return send_error(400, "invalid_argument", "the path has a malformed percent-escape");
    }
    auto query = parse_query(raw_query);
    if (!query) {
      return send_error(400, "invalid_argument", "the query string has a malformed percent-escape");
    }
    req_.path = std::move(*path);
    req_.query = std::move(*query);

    if (core_.hooks.authorize) {
      std::optional<Response> refusal;
      if (!call([&] { refusal = core_.hooks.authorize(req_); })) return;
      if (refusal) return send(std::move(*refusal));
    }

    auto match = core_.router.match_encoded(req_.method, raw_path);
    if (!match) {
      return send_error(400, "invalid_argument", "the path has a malformed percent-escape");
    }
    if (match->route == nullptr) {
      if (match->allowed.empty()) {
        return send_error(404, "not_found", "no route for " + req_.method + " " + req_.path);
      }
      std::string allow;
      for (const auto& m : match->allowed) allow += (allow.empty() ? "" : ", ") + m;
      Response r =
          error_response(405, "method_not_allowed",
                         req_.method + " is not allowed on " + req_.path + "; allowed: " + allow);
      r.headers.emplace_back("Allow", allow);
      return send(std::move(r));
    }
    route_ = match->route;
    route_pattern_ = route_->pattern;
    req_.params = std::move(match->params);

    auto length = header_parser_->content_length();
    bool chunked = header_parser_->chunked();
    // A request with neither header has an empty body (RFC 9112 §6.3), which is fine for
    // ordinary routes (`curl -X POST .../cancel`); an upload must say how its body is framed.
    if (route_->upload && !length && !chunked) {
      return send_error(411, "length_required",
                        req_.method +
                            " of an upload needs a Content-Length header or "
                            "Transfer-Encoding: chunked");
    }
    if (route_->upload) return start_upload(length);
    if (length && *length > limits_.max_body_bytes) return send_too_large(limits_.max_body_bytes);
    start_body();
  }

  // ---- ordinary bodies: read whole, bounded ----

  void start_body() {
    body_parser_.emplace(std::move(*header_parser_));
    header_parser_.reset();
    body_parser_->body_limit(static_cast<std::uint64_t>(limits_.max_body_bytes));
    continue_then([this] { read_body(); });
  }

  void read_body() {
    if (body_parser_->is_done()) return on_body();
    stream_.expires_after(limits_.read_timeout);
    http::async_read_some(
        stream_, buffer_, *body_parser_, handler([this](error_code ec, std::size_t) {
          if (ec == http::error::body_limit) {
            return send_too_large(limits_.max_body_bytes);
          }
          if (ec && is_http_error(ec) && ec != http::error::partial_message &&
              ec != http::error::end_of_stream) {
            return send_error(400, "bad_request", "malformed request body: " + ec.message());
          }
          if (ec) return close_now();  // a timeout (the stream has closed), the client gone
          read_body();
        }));
  }

  void on_body() {
    req_.body = std::move(body_parser_->get().body());
    Response r;
    if (!call([&] { r = route_->handler(req_); })) return;
    send(std::move(r));
  }

  // ---- streamed uploads ----

  void start_upload(boost::optional<std::uint64_t> length) {
    if (length && *length > limits_.max_upload_bytes) {
      return send_too_large(limits_.max_upload_bytes);
    }
    std::unique_ptr<UploadHandler> h;
    if (!call([&] { h = route_->upload(req_); })) return;
    if (!h) {
      log_error("upload factory returned no handler", route_pattern_.c_str());
      return send_error(500, "internal", internal_message());
    }
    upload_ = std::move(h);
    upload_parser_.emplace(std::move(*header_parser_));
    header_parser_.reset();
    upload_parser_->body_limit(limits_.max_upload_bytes);
    if (!chunk_buf_) chunk_buf_ = std::shared_ptr<char[]>(new char[kChunkBytes]);
    continue_then([this] { read_upload(); });
  }

  void read_upload() {
    if (upload_parser_->is_done()) return finish_upload();
    auto& body = upload_parser_->get().body();
    body.data = chunk_buf_.get();
    body.size = kChunkBytes;
    stream_.expires_after(limits_.read_timeout);
    http::async_read_some(stream_, buffer_, *upload_parser_,
                          handler([this](error_code ec, std::size_t) { on_upload_read(ec); }));
  }

  void on_upload_read(error_code ec) {
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::body_limit) {
      abort_upload();
      return send_too_large(limits_.max_upload_bytes);
    }
    if (ec) {
      spdlog::info("upload aborted (request {} {} {} from {}): {}", req_.request_id, req_.method,
                   req_.target, remote_, ec.message());
      abort_upload();
      if (is_http_error(ec) && ec != http::error::partial_message &&
          ec != http::error::end_of_stream) {
        return send_error(400, "bad_request", "malformed request body: " + ec.message());
      }
      return close_now();  // timeout, the client leaving, the server force-closing
    }
    std::size_t got = kChunkBytes - upload_parser_->get().body().size;
    if (got > 0) {
      upload_total_ += got;
      if (upload_total_ > limits_.max_upload_bytes) {  // body_limit covers this; be sure
        abort_upload();
        return send_too_large(limits_.max_upload_bytes);
      }
      std::string_view chunk(chunk_buf_.get(), got);
      return run_step<std::exception_ptr>(
          PendingStep::Kind::kUploadData,
          [chunk](UploadHandler* h, std::function<void(std::exception_ptr)> done) {
            h->on_data_async(chunk, std::move(done));
          },
          &Session::on_upload_data_done);
    }
    read_upload();
  }

  void on_upload_data_done(std::exception_ptr error) {
    if (!error) return read_upload();
    abort_upload();  // first, then call() answers with the error
    call([&] { std::rethrow_exception(error); });
  }

  void finish_upload() {
    // on_complete, so never on_abort: the step keeps the handler until it is done.
    run_step<Response>(
        PendingStep::Kind::kUploadComplete,
        [](UploadHandler* h, Completion done) { h->on_complete_async(std::move(done)); },
        &Session::send);
  }

  // ---- steps computed elsewhere ----

  template <class Result>
  using Then = void (Session::*)(Result);

  // Calls start(upload handler, completion) and waits, reading nothing, until the completion
  // delivers a Result (from any thread, once); then (this->*then)(result) runs on the strand,
  // unless the connection closed meanwhile. An exception from start before the completion was
  // called fails the request as the step's error would.
  template <class Result, class Start>
  void run_step(PendingStep::Kind kind, Start&& start, Then<Result> then) {
    auto step = std::make_shared<PendingStep>(kind);
    step->session = shared_from_this();
    if (kind != PendingStep::Kind::kResponse) step->upload = std::move(upload_);
    if (kind == PendingStep::Kind::kUploadData) step->chunk = chunk_buf_;
    core_.add_step(step);
    state_ = State::kDeferred;
    std::function<void(Result)> done = [step, then](Result result) {
      deliver(step, then, std::move(result));
    };
    try {
      start(step->upload.get(), std::move(done));
    } catch (...) {
      auto error = std::current_exception();
      {
        std::lock_guard lock(step->mu);
        if (step->delivered) {
          return log_error("a deferred step threw after completing", "its error is ignored");
        }
        step->delivered = true;
        step->session.reset();  // this session, kept alive by the caller's handler
      }
      core_.remove_step(step.get());
      if (kind == PendingStep::Kind::kUploadData) upload_ = std::move(step->upload);
      state_ = State::kBusy;
      abort_upload();
      call([&] { std::rethrow_exception(error); });
    }
  }

  // The completion: any thread, any number of calls (all but the first are ignored).
  template <class Result>
  static void deliver(const std::shared_ptr<PendingStep>& step, Then<Result> then, Result result) {
    std::lock_guard lock(step->mu);
    if (step->delivered) {
      spdlog::warn("a deferred step was completed more than once; the repeat is ignored");
      return;
    }
    step->delivered = true;
    auto session = std::move(step->session);
    if (!session) return;  // abandoned: the server is gone
    net::post(session->executor(), [session, step, then, result = std::move(result)]() mutable {
      session->on_step_done(*step, then, std::move(result));
    });
  }

  template <class Result>
  void on_step_done(PendingStep& step, Then<Result> then, Result result) {
    core_.remove_step(&step);
    if (step.kind == PendingStep::Kind::kUploadData) upload_ = std::move(step.upload);
    if (state_ == State::kClosed) {  // the client left, or the server force-closed
      spdlog::info("dropping the result of request {} from {}: the connection closed first",
                   req_.request_id, remote_);
      abort_upload();
      return;
    }
    state_ = State::kBusy;
    guard([&] { (this->*then)(std::move(result)); });
  }

  void abort_upload() noexcept {
    if (auto h = std::move(upload_)) h->on_abort();
  }

  // Writes "100 Continue" first when the client asked for it and the body is wanted.
  template <class F>
  void continue_then(F&& next) {
    auto expect = req_.header("expect");
    if (version_ < 11 || !expect || !iequals(*expect, "100-continue")) return next();
    stream_.expires_after(limits_.write_timeout);
    net::async_write(
        stream_, net::buffer(kContinue.data(), kContinue.size()),
        handler([this, next = std::forward<F>(next)](error_code ec, std::size_t) mutable {
          if (ec) return close_now();
          next();
        }));
  }

  // Runs application code (hook, handler, upload handler). An exception becomes the error
  // response, sent here; returns false then.
  template <class F>
  bool call(F&& f) {
    try {
      f();
      return true;
    } catch (const proto::ApiError& e) {
      send(error_response(e.status(), e.code(), e.what()));
    } catch (const std::exception& e) {
      log_error("unhandled exception", e.what());
      send(error_response(500, "internal", internal_message()));
    } catch (...) {
      log_error("unhandled exception", "not a std::exception");
      send(error_response(500, "internal", internal_message()));
    }
    return false;
  }

  std::string internal_message() const {
    return "internal server error; the server log has the details under request id " +
           req_.request_id;
  }

  // ---- responses ----

  void send_error(int status, const std::string& code, const std::string& message) {
    send(error_response(status, code, message));
  }

  void send_too_large(std::uint64_t limit) {
    send_error(413, "payload_too_large",
               "the request body is larger than the limit of " + std::to_string(limit) + " bytes");
  }

  // Whether the request was read to its end (else the connection cannot be reused).
  bool request_complete() const {
    if (upload_parser_) return upload_parser_->is_done() && !upload_;
    if (body_parser_) return body_parser_->is_done();
    if (header_parser_) return header_parser_->is_done();
    return false;
  }

  template <class Body>
  void fill(http::response<Body>& res, const Response& r, bool keep) {
    res.version(version_);
    res.result(static_cast<unsigned>(status_));
    if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
    res.set("X-Request-Id", req_.request_id);
    for (const auto& [name, value] : r.headers) {
      if (header_safe(name) && value.find_first_of("\r\n") == std::string::npos) {
        res.insert(name, value);
      } else {
        spdlog::warn("dropping malformed response header '{}' (request {})", name, req_.request_id);
      }
    }
    res.keep_alive(keep);
  }

  void send(Response r) {
    if (r.deferred) {
      return run_step<Response>(
          PendingStep::Kind::kResponse,
          [start = std::move(r.deferred)](UploadHandler*, Completion done) {
            start(std::move(done));
          },
          &Session::send);
    }
    state_ = State::kBusy;
    if (r.status < 100 || r.status > 599) {
      log_error("handler returned an invalid status", std::to_string(r.status).c_str());
      r = error_response(500, "internal", internal_message());
    }
    status_ = r.status;
    keep_ = keep_alive_ && request_complete() && !core_.stopping();
    if (r.events) return send_events(std::move(r));
    if (!r.file_path.empty()) {
      error_code ec;
      file_.emplace();
      file_->open(r.file_path.c_str(), beast::file_mode::scan, ec);
      std::uint64_t size = ec ? 0 : file_->size(ec);
      if (!ec) return send_file(r, size);
      file_.reset();
      spdlog::warn("cannot open {} for request {}: {}", r.file_path, req_.request_id, ec.message());
      r = error_response(404, "not_found", "the file for this resource is gone");
      status_ = r.status;
    }
    str_res_.emplace();
    fill(*str_res_, r, keep_);
    if (status_ < 200 || status_ == 204 || status_ == 304) r.body.clear();
    str_res_->body() = std::move(r.body);
    str_res_->prepare_payload();
    stream_.expires_after(limits_.write_timeout);
    http::async_write(stream_, *str_res_, handler([this](error_code ec, std::size_t n) {
                        bytes_ += n;
                        on_written(ec);
                      }));
  }

  // A file: the header (Content-Length from the file's size), then the file in chunks, each
  // write with its own deadline (Beast's file_body would write 4 KiB at a time under one
  // deadline for the whole response, too short for a large model export on a slow link).
  void send_file(const Response& r, std::uint64_t size) {
    head_res_.emplace();
    fill(*head_res_, r, keep_);
    head_res_->content_length(size);
    file_left_ = size;
    head_sr_.emplace(*head_res_);
    stream_.expires_after(limits_.write_timeout);
    http::async_write_header(stream_, *head_sr_, handler([this](error_code ec, std::size_t n) {
                               bytes_ += n;
                               if (ec) return on_written(ec);
                               send_file_chunk();
                             }));
  }

  void send_file_chunk() {
    if (file_left_ == 0) return on_written({});
    if (!chunk_buf_) chunk_buf_ = std::shared_ptr<char[]>(new char[kChunkBytes]);
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(file_left_, kChunkBytes));
    error_code ec;
    std::size_t got = file_->read(chunk_buf_.get(), want, ec);
    if (ec || got == 0) {
      // Shrunk or unreadable after the header went out: the promised length cannot be kept.
      log_error("file response cut short", ec ? ec.message().c_str() : "the file shrank");
      return close_now();
    }
    file_left_ -= got;
    stream_.expires_after(limits_.write_timeout);
    net::async_write(stream_, net::buffer(chunk_buf_.get(), got),
                     handler([this](error_code ec, std::size_t n) {
                       bytes_ += n;
                       if (ec) return on_written(ec);
                       send_file_chunk();
                     }));
  }

  // A whole response is written (or failed to be).
  void on_written(error_code ec) {
    finish_request();
    str_res_.reset();
    head_sr_.reset();
    head_res_.reset();
    file_.reset();
    if (ec) return close_now();
    if (!keep_) return close_graceful(!request_complete());
    wait_for_request();
  }

  // Server-Sent Events: a header without Content-Length and with Connection: close, then the
  // event text written as it comes; the end of the stream is the end of the connection.
  void send_events(Response r) {
    state_ = State::kStreaming;
    events_ = std::move(r.events);
    r.content_type = "text/event-stream";
    head_res_.emplace();
    fill(*head_res_, r, false);
    head_res_->set(http::field::cache_control, "no-cache");
    head_res_->set("X-Accel-Buffering", "no");
    head_sr_.emplace(*head_res_);
    stream_.expires_after(limits_.write_timeout);
    http::async_write_header(stream_, *head_sr_, handler([this](error_code ec, std::size_t n) {
                               bytes_ += n;
                               if (ec) return end_events(false);
                               poll_events();
                             }));
  }

  void poll_events() {
    bool done = core_.stopping();
    std::string text;
    if (!done) {
      try {
        text = events_->next(done);
      } catch (const std::exception& e) {
        log_error("event source failed", e.what());
        done = true;
      } catch (...) {
        log_error("event source failed", "not a std::exception");
        done = true;
      }
    }
    if (text.empty()) return done ? end_events(true) : schedule_poll();
    sse_chunk_ = std::move(text);
    stream_.expires_after(limits_.write_timeout);
    net::async_write(stream_, net::buffer(sse_chunk_),
                     handler([this, done](error_code ec, std::size_t n) {
                       bytes_ += n;
                       if (ec) return end_events(false);
                       if (done) return end_events(true);
                       schedule_poll();
                     }));
  }

  void schedule_poll() {
    std::chrono::milliseconds interval{500};
    try {
      interval = std::max(events_->interval(), std::chrono::milliseconds(1));
    } catch (...) {
    }
    timer_.expires_after(interval);
    timer_.async_wait(handler([this](error_code ec) {
      if (ec) return end_events(false);
      poll_events();
    }));
  }

  void end_events(bool graceful) {
    finish_request();
    events_.reset();
    head_sr_.reset();
    head_res_.reset();
    if (graceful) return close_graceful(false);
    close_now();
  }

  // The access-log line and the metrics observation, once per response.
  void finish_request() {
    if (finished_) return;
    finished_ = true;
    double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    spdlog::info("http id={} remote={} method={} target={} status={} bytes={} ms={:.1f}",
                 req_.request_id, remote_, req_.method.empty() ? "-" : req_.method,
                 req_.target.empty() ? "-" : req_.target, status_, bytes_, seconds * 1e3);
    if (!core_.hooks.observe) return;
    try {
      core_.hooks.observe(req_, route_pattern_, status_, seconds, bytes_);
    } catch (const std::exception& e) {
      log_error("observe hook failed", e.what());
    } catch (...) {
      log_error("observe hook failed", "not a std::exception");
    }
  }

  // ---- closing ----

  // Half-closes; with linger, reads and discards what the client still sends (up to
  // kLingerTime) so that closing does not reset the connection under the response.
  void close_graceful(bool linger) {
    abort_upload();
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || !linger) return close_now();
    state_ = State::kLingering;
    linger_until_ = Clock::now() + kLingerTime;
    buffer_.consume(buffer_.size());
    drain();
  }

  void drain() {
    stream_.expires_at(linger_until_);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            handler([this](error_code ec, std::size_t) {
                              if (ec) return close_now();
                              drain();
                            }));
  }

  // Closes at once; pending operations complete with operation_aborted and are ignored.
  void close_now() noexcept {
    abort_upload();
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    try {
      if (status_ != 0) finish_request();  // a response cut short still gets its log line
      timer_.cancel();
    } catch (...) {
    }
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  ServerCore& core_;
  const HttpLimits& limits_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;  // kept across requests: it may hold the next one
  net::steady_timer timer_;    // event stream polls
  const bool counted_;
  std::string remote_;
  State state_ = State::kWaiting;
  bool first_request_ = true;
  bool header_timed_out_ = false;

  // The current request.
  Request req_;
  const Route* route_ = nullptr;
  std::string route_pattern_;
  unsigned version_ = 11;
  bool keep_alive_ = false;  // what the request asked for
  bool keep_ = false;        // what the response says
  Clock::time_point started_{};
  int status_ = 0;
  std::uint64_t bytes_ = 0;
  bool finished_ = false;
  std::optional<http::request_parser<http::empty_body>> header_parser_;
  std::optional<http::request_parser<http::string_body>> body_parser_;
  std::optional<http::request_parser<http::buffer_body>> upload_parser_;
  std::unique_ptr<UploadHandler> upload_;
  std::shared_ptr<char[]> chunk_buf_;  // shared with a PendingStep handing it to the handler
  std::uint64_t upload_total_ = 0;

  // The current response.
  std::optional<http::response<http::string_body>> str_res_;
  // The header of a file or event-stream response; their bodies are written raw.
  std::optional<http::response<http::empty_body>> head_res_;
  std::optional<http::response_serializer<http::empty_body>> head_sr_;
  std::optional<beast::file> file_;
  std::uint64_t file_left_ = 0;
  std::shared_ptr<EventSource> events_;
  std::string sse_chunk_;
  Clock::time_point linger_until_{};
};

// ---- ServerCore ----

ServerCore::~ServerCore() {
  destroying_ = true;
  // Steps still running elsewhere: their sessions go now, while the io_context lives; a later
  // completion finds no session and is dropped.
  std::vector<std::shared_ptr<PendingStep>> steps;
  {
    std::lock_guard lock(mu_);
    for (auto& [ptr, weak] : steps_) {
      if (auto step = weak.lock()) steps.push_back(std::move(step));
    }
    steps_.clear();
  }
  std::vector<std::shared_ptr<Session>> orphans;
  for (auto& step : steps) {
    std::lock_guard lock(step->mu);
    if (step->session) orphans.push_back(std::move(step->session));
  }
  orphans.clear();
  error_code ec;
  acceptor_.close(ec);
  if (signals_) {
    signals_->cancel(ec);
    signals_->clear(ec);
  }
  // Members go in reverse order: the timers, acceptor and signal set first, then the
  // io_context with any sessions still referenced by its handlers (their destructors abort
  // unfinished uploads and use mu_ and sessions_, which are still alive).
}

void ServerCore::add_session(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(mu_);
  sessions_.emplace(s.get(), s);
}

void ServerCore::remove_session(Session* s) noexcept {
  try {
    bool last = false;
    {
      std::lock_guard lock(mu_);
      sessions_.erase(s);
      last = sessions_.empty();
    }
    if (last && stopping_.load() && !destroying_.load()) {
      // Nothing left to wait for: let run() return without waiting for the grace period.
      net::post(strand_, [this] {
        std::lock_guard lock(mu_);
        if (sessions_.empty()) grace_timer_.cancel();
      });
    }
  } catch (...) {
    // only from a failed post (out of memory): the grace timer then simply runs out
  }
}

void ServerCore::add_step(const std::shared_ptr<PendingStep>& step) {
  std::lock_guard lock(mu_);
  std::erase_if(steps_, [](const auto& entry) { return entry.second.expired(); });
  steps_.emplace(step.get(), step);
}

void ServerCore::remove_step(PendingStep* step) noexcept {
  std::lock_guard lock(mu_);
  steps_.erase(step);
}

std::vector<std::shared_ptr<Session>> ServerCore::live_sessions() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mu_);
  out.reserve(sessions_.size());
  for (auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

void ServerCore::listen(const std::string& address, std::uint16_t port) {
  error_code ec;
  auto addr = net::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + address + "': " + ec.message());
  tcp::endpoint endpoint(addr, port);
  auto fail = [&](const char* what) {
    std::string msg = std::string("cannot ") + what + " " + address + ":" + std::to_string(port) +
                      ": " + ec.message();
    error_code ignored;
    acceptor_.close(ignored);
    throw std::runtime_error(msg);
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) fail("open a socket for");
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) fail("configure");
  if (acceptor_.bind(endpoint, ec); ec) fail("bind to");
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) fail("listen on");
  auto local = acceptor_.local_endpoint(ec);
  if (ec) fail("query the port of");
  port_ = local.port();
  net::post(strand_, [this] { do_accept(); });
}

void ServerCore::do_accept() {
  if (stopping_.load() || !acceptor_.is_open()) return;
  acceptor_.async_accept(net::make_strand(ioc_), [this](error_code ec, tcp::socket socket) {
    try {
      on_accept(ec, std::move(socket));
    } catch (const std::exception& e) {
      spdlog::error("accepting a connection failed: {}", e.what());
      do_accept();
    }
  });
}

void ServerCore::on_accept(error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping_.load()) return;
  if (ec) {
    // e.g. out of file descriptors: try again shortly rather than spin
    spdlog::warn("accept failed: {}", ec.message());
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this](error_code e) {
      if (!e) do_accept();
    });
    return;
  }
  bool refuse = active.load() >= limits.max_connections;
  auto session = std::make_shared<Session>(*this, std::move(socket), !refuse);
  if (refuse) {
    session->start_refused();
  } else {
    session->start();
  }
  do_accept();
}

void ServerCore::run(int io_threads) {
  auto loop = [this] {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("exception escaped into the I/O loop: {}", e.what());
      } catch (...) {
        spdlog::error("unknown exception escaped into the I/O loop");
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < io_threads; ++i) threads.emplace_back(loop);
  loop();
  for (auto& t : threads) t.join();
}

void ServerCore::stop(std::chrono::milliseconds grace) {
  if (stopping_.exchange(true)) return;
  net::post(strand_, [this, grace] {
    error_code ec;
    acceptor_.close(ec);
    accept_retry_.cancel();
    if (signals_) {
      signals_->cancel(ec);
      signals_->clear(ec);  // a second SIGINT/SIGTERM gets the default action again
    }
    auto live = live_sessions();
    for (auto& s : live) net::post(s->executor(), [s] { s->on_server_stop(); });
    if (live.empty()) return;
    grace_timer_.expires_after(grace);
    grace_timer_.async_wait([this](error_code e) {
      if (!e) on_grace_expired();
    });
  });
}

void ServerCore::on_grace_expired() {
  auto live = live_sessions();
  if (live.empty()) return;
  spdlog::warn("closing {} connection(s) still open after the shutdown grace period", live.size());
  for (auto& s : live) net::post(s->executor(), [s] { s->force_close(); });
  grace_timer_.expires_after(kHardStopDelay);
  grace_timer_.async_wait([this](error_code e) {
    if (e) return;
    spdlog::warn("connections still busy after closing; stopping the I/O loop");
    ioc_.stop();
  });
}

void ServerCore::handle_signals(std::function<void(int)> on_signal) {
  on_signal_ = std::move(on_signal);
  signals_.emplace(strand_, SIGINT, SIGTERM);
  arm_signals();
}

void ServerCore::arm_signals() {
  signals_->async_wait([this](error_code ec, int signo) {
    if (ec) return;
    spdlog::info("received signal {}", signo);
    try {
      if (on_signal_) on_signal_(signo);
    } catch (const std::exception& e) {
      spdlog::error("signal handler failed: {}", e.what());
    } catch (...) {
      spdlog::error("signal handler failed");
    }
    if (!stopping_.load()) arm_signals();
  });
}

}  // namespace

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(const Router& router, HttpLimits limits, HttpHooks hooks)
    : impl_(std::make_unique<Impl>(router, limits, std::move(hooks))) {}

HttpServer::~HttpServer() = default;

void HttpServer::listen(const std::string& address, std::uint16_t port) {
  impl_->listen(address, port);
}
std::uint16_t HttpServer::port() const {
  return impl_->port();
}
void HttpServer::run(int io_threads) {
  impl_->run(io_threads);
}
void HttpServer::stop(std::chrono::milliseconds grace) {
  impl_->stop(grace);
}
void HttpServer::handle_signals(std::function<void(int)> on_signal) {
  impl_->handle_signals(std::move(on_signal));
}
bool HttpServer::stopping() const noexcept {
  return impl_->stopping();
}
std::size_t HttpServer::active_connections() const noexcept {
  return impl_->active_connections();
}

}  // namespace w2v::server
