#include "server/http/session.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <cctype>
#include <cstdio>
#include <limits>
#include <random>
#include <thread>

#include "proto/api_error.h"
#include "server/http/log_escape.h"
#include "server/http/request_head.h"

namespace w2v::server::http_io {

namespace {

// The first read of a request (while waiting for it to start).
constexpr std::size_t kFirstReadBytes = std::size_t{16} * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

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

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Session::Session(Listener& listener, tcp::socket&& socket, std::string remote, bool counted)
    : listener_(listener),
      limits_(listener.limits),
      stream_(std::move(socket)),
      buffer_(read_buffer_limit(listener.limits)),
      timer_(stream_.get_executor()),
      remote_(std::move(remote)),
      counted_(counted) {
  error_code ec;
  stream_.socket().set_option(tcp::no_delay(true), ec);
}

Session::~Session() {
  abort_upload();
  listener_.remove_session(this, remote_, counted_);
}

std::size_t Session::read_buffer_limit(const HttpLimits& limits) {
  return limits.max_header_bytes + kFirstReadBytes;
}

void Session::start() {
  listener_.add_session(shared_from_this());
  net::dispatch(stream_.get_executor(),
                [self = shared_from_this()] { self->guard([&] { self->wait_for_request(); }); });
}

void Session::start_refused(std::string why) {
  listener_.add_session(shared_from_this());
  net::dispatch(stream_.get_executor(), [self = shared_from_this(), why = std::move(why)] {
    self->guard([&] {
      self->ex_.started = Clock::now();
      self->ex_.req.request_id = new_request_id();
      self->ex_.req.remote = self->remote_;
      spdlog::warn("refusing a connection from {}: {}", self->remote_, why);
      Response r = error_response(503, "overloaded", why);
      r.headers.emplace_back("Retry-After", "1");
      self->send(std::move(r));
    });
  });
}

void Session::on_server_stop() {
  guard([&] {
    if (state_ == State::kWaiting) close_now();
  });
}

void Session::force_close() {
  guard([&] { close_now(); });
}

void Session::guard(const std::function<void()>& f) noexcept {
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

void Session::log_error(const char* what, const char* detail) noexcept {
  try {
    spdlog::error("{} (request {} from {}): {}", what,
                  ex_.req.request_id.empty() ? "-" : ex_.req.request_id, remote_, detail);
  } catch (...) {
  }
}

// ---- reading a request ----

void Session::wait_for_request() {
  ex_ = Exchange{};
  if (listener_.stopping()) return close_now();
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

void Session::read_header() {
  state_ = State::kReading;
  first_request_ = false;
  ex_.started = Clock::now();
  ex_.header = std::make_unique<HeaderParser>();
  ex_.header->header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(limits_.max_header_bytes, UINT32_MAX)));
  // Checked against the route's limit once routed. (Not boost::none: Beast 1.74 compares
  // "Content-Length > none" as true and refuses every body.)
  ex_.header->body_limit(std::numeric_limits<std::uint64_t>::max());
  // The whole header has one deadline (not one per read), on our own timer rather than the
  // stream's: a tcp_stream timeout closes the socket, and a client that started a request
  // deserves a 408 first.
  stream_.expires_never();
  arm_deadline(Clock::now() + limits_.read_timeout);
  http::async_read_header(stream_, buffer_, *ex_.header,
                          handler([this](error_code ec, std::size_t) {
                            disarm_deadline();
                            on_header(ec);
                          }));
}

void Session::arm_deadline(Clock::time_point when) {
  const unsigned generation = ++deadline_generation_;
  timed_out_ = false;
  timer_.expires_at(when);
  timer_.async_wait(handler([this, generation](error_code ec) {
    if (ec || generation != deadline_generation_) return;
    timed_out_ = true;
    error_code ignored;
    stream_.socket().cancel(ignored);  // the read completes with operation_aborted
  }));
}

void Session::disarm_deadline() {
  ++deadline_generation_;
  timer_.cancel();
}

void Session::on_header(error_code ec) {
  state_ = State::kBusy;
  ex_.req.request_id = new_request_id();
  ex_.req.remote = remote_;
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return send_error(
        431, "header_too_large",
        "the request header is larger than " + std::to_string(limits_.max_header_bytes) + " bytes");
  }
  if (ec && timed_out_) {
    return send_error(408, "request_timeout",
                      "the request header did not arrive within " +
                          std::to_string(limits_.read_timeout.count()) + " s");
  }
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return close_now();
  if (ec && is_http_error(ec)) {
    return send_error(400, "bad_request", "malformed HTTP request: " + ec.message());
  }
  if (ec) return close_now();

  auto& h = ex_.header->get();
  ex_.version = h.version();
  ex_.keep_alive = h.keep_alive();
  RequestHead head;
  head.method = std::string(sv(h.method_string()));
  head.target = std::string(sv(h.target()));
  for (const auto& field : h) {
    head.fields.emplace_back(std::string(sv(field.name_string())), std::string(sv(field.value())));
  }
  if (auto length = ex_.header->content_length()) head.content_length = *length;
  head.chunked = ex_.header->chunked();
  // The method and target go in the log line even when routing fails.
  ex_.req.method = head.method;
  ex_.req.target = head.target;

  RoutedRequest routed;
  HeadLimits head_limits{limits_.max_body_bytes, limits_.max_document_bytes,
                         limits_.max_upload_bytes};
  if (!call([&] {
        routed = route_request(std::move(head), listener_.router, listener_.hooks.authorize,
                               head_limits, ex_.req.request_id, remote_, listener_.hooks.admit);
      })) {
    return;
  }
  ex_.req = std::move(routed.request);
  if (routed.answer) return send(std::move(*routed.answer));
  ex_.route = routed.route;
  const std::uint64_t body_limit = routed.body_limit;
  if (!ex_.route->upload) return start_body(BodyReader::Mode::kWhole, body_limit);

  std::unique_ptr<UploadHandler> upload;
  if (!call([&] { upload = ex_.route->upload(ex_.req); })) return;
  if (!upload) {
    log_error("upload factory returned no handler", ex_.route->pattern.c_str());
    return send_error(500, "internal", internal_message());
  }
  ex_.upload = std::move(upload);
  start_body(BodyReader::Mode::kStreamed, body_limit);
}

// ---- bodies ----

void Session::start_body(BodyReader::Mode mode, std::uint64_t body_limit) {
  if (!chunk_buf_) chunk_buf_ = std::shared_ptr<char[]>(new char[kChunkBytes]);
  ex_.body = std::make_unique<BodyReader>(mode, std::move(*ex_.header), body_limit, limits_,
                                          chunk_buf_.get());
  ex_.header.reset();
  continue_then([this] { read_body(); });
}

void Session::read_body() {
  state_ = State::kReading;
  stream_.expires_never();
  arm_deadline(ex_.body->deadline());
  ex_.body->read_some(stream_, buffer_, handler([this](BodyReader::Outcome outcome) {
                        disarm_deadline();
                        on_body_read(std::move(outcome));
                      }));
}

void Session::on_body_read(BodyReader::Outcome outcome) {
  using Kind = BodyReader::Outcome::Kind;
  state_ = State::kBusy;
  if (timed_out_) {
    abort_upload();
    return send_error(408, "request_timeout",
                      "the request body did not arrive in time (each read within " +
                          std::to_string(limits_.read_timeout.count()) + " s, and at least " +
                          std::to_string(limits_.min_body_bytes_per_second) +
                          " bytes/s on average after the first " +
                          std::to_string(limits_.read_timeout.count()) + " s)");
  }
  switch (outcome.kind) {
    case Kind::kMore:
      return read_body();
    case Kind::kRefuse:
      if (ex_.upload) {
        spdlog::info("upload refused (request {} {} {} from {}): {}", ex_.req.request_id,
                     escape_for_log(ex_.req.method), escape_for_log(ex_.req.target), remote_,
                     outcome.answer->status);
      }
      abort_upload();
      return send(std::move(*outcome.answer));
    case Kind::kGone:
      if (ex_.upload) {
        spdlog::info("upload aborted (request {} {} {} from {}): the connection ended",
                     ex_.req.request_id, escape_for_log(ex_.req.method),
                     escape_for_log(ex_.req.target), remote_);
      }
      abort_upload();
      return close_now();  // the client leaving, the server force-closing
    case Kind::kChunk:
      ex_.body->pause();
      return run_step(PendingStep::Kind::kUploadData,
                      [chunk = outcome.chunk](UploadHandler* h, auto deliver) {
                        h->on_data_async(chunk, [deliver](std::exception_ptr error) {
                          deliver(StepResult(std::move(error)));
                        });
                      });
    case Kind::kDone:
      break;
  }
  if (ex_.upload) return finish_upload();
  ex_.req.body = ex_.body->take_body();
  Response r;
  if (!call([&] { r = ex_.route->handler(ex_.req); })) return;
  send(std::move(r));
}

void Session::on_upload_data_done(std::exception_ptr error) {
  ex_.body->resume();
  if (!error) return read_body();
  abort_upload();  // first, then call() answers with the error
  call([&] { std::rethrow_exception(error); });
}

void Session::finish_upload() {
  // on_complete, so never on_abort: the step keeps the handler until it is done.
  run_step(PendingStep::Kind::kUploadComplete, [](UploadHandler* h, auto deliver) {
    h->on_complete_async([deliver](Response r) { deliver(StepResult(std::move(r))); });
  });
}

void Session::abort_upload() noexcept {
  if (auto h = std::move(ex_.upload)) h->on_abort();
}

// Writes "100 Continue" first when the client asked for it and the body is wanted.
template <class F>
void Session::continue_then(F&& next) {
  auto expect = ex_.req.header("expect");
  if (ex_.version < 11 || !expect || !iequals(*expect, "100-continue")) return next();
  stream_.expires_after(limits_.write_timeout);
  net::async_write(
      stream_, net::buffer(kContinue.data(), kContinue.size()),
      handler([this, next = std::forward<F>(next)](error_code ec, std::size_t) mutable {
        if (ec) return close_now();
        stream_.expires_never();
        next();
      }));
}

}  // namespace w2v::server::http_io
