// Session: answering (the error responses of application code, choosing how to write the
// response, the access log line and metrics observation) and closing.

#include <spdlog/spdlog.h>

#include <boost/beast/core/string.hpp>

#include "proto/api_error.h"
#include "server/http/log_escape.h"
#include "server/http/request_head.h"
#include "server/http/session.h"

namespace w2v::server::http_io {

namespace {

bool header_safe(std::string_view s) {
  return s.find_first_of("\r\n") == std::string_view::npos && !s.empty();
}

}  // namespace

bool Session::call(const std::function<void()>& f) {
  try {
    f();
    return true;
  } catch (const proto::ApiError& e) {
    send(error_response(e));
  } catch (const std::exception& e) {
    log_error("unhandled exception", e.what());
    send(error_response(500, "internal", internal_message()));
  } catch (...) {
    log_error("unhandled exception", "not a std::exception");
    send(error_response(500, "internal", internal_message()));
  }
  return false;
}

std::string Session::internal_message() const {
  return "internal server error; the server log has the details under request id " +
         ex_.req.request_id;
}

void Session::send_error(int status, const std::string& code, const std::string& message) {
  send(error_response(status, code, message));
}

// Whether the request was read to its end (else the connection cannot be reused).
bool Session::request_complete() const {
  if (ex_.body) return ex_.body->is_done() && !ex_.upload;
  if (ex_.header) return ex_.header->is_done();
  return false;
}

template <class Body>
void Session::fill(http::response<Body>& res, const Response& r, bool keep) {
  res.version(ex_.version);
  res.result(static_cast<unsigned>(ex_.status));
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  res.set("X-Request-Id", ex_.req.request_id);
  // No response is ever read as another type than it says (a JSON error as a script, say), and
  // none is kept by a cache unless it says how (the dashboard's files do).
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::cache_control, "no-store");
  for (const auto& [name, value] : r.headers) {
    if (header_safe(name) && value.find_first_of("\r\n") == std::string::npos) {
      if (beast::iequals(name, "Cache-Control")) res.erase(http::field::cache_control);
      res.insert(name, value);
    } else {
      spdlog::warn("dropping malformed response header '{}' (request {})", escape_for_log(name),
                   ex_.req.request_id);
    }
  }
  res.keep_alive(keep);
}

ResponseWriter& Session::new_writer() {
  ex_.writer = std::make_unique<ResponseWriter>(ResponseWriter::Io{
      stream_, timer_, limits_.write_timeout, [this] { return listener_.stopping(); },
      [this](const char* what, const char* detail) { log_error(what, detail); }});
  return *ex_.writer;
}

void Session::send(Response r) {
  if (r.deferred) {
    return run_step(PendingStep::Kind::kResponse,
                    [start = std::move(r.deferred)](UploadHandler*, auto deliver) {
                      start([deliver](Response done) { deliver(StepResult(std::move(done))); });
                    });
  }
  state_ = State::kBusy;
  if (r.status < 100 || r.status > 599) {
    log_error("handler returned an invalid status", std::to_string(r.status).c_str());
    r = error_response(500, "internal", internal_message());
  }
  ex_.status = r.status;
  ex_.keep = ex_.keep_alive && request_complete() && !listener_.stopping();
  auto written = handler([this](error_code ec) { on_written(ec); });

  if (r.events) {
    // No Content-Length: the end of the stream is the end of the connection.
    state_ = State::kStreaming;
    r.content_type = "text/event-stream";
    http::response<http::empty_body> head;
    fill(head, r, false);
    return new_writer().write_events(std::move(head), std::move(r.events),
                                     handler([this](error_code ec) {
                                       finish_request();
                                       if (ec) return close_now();
                                       close_graceful(false);
                                     }));
  }
  if (!r.file_path.empty()) {
    http::response<http::empty_body> head;
    fill(head, r, ex_.keep);
    std::string error;
    if (!chunk_buf_) chunk_buf_ = std::shared_ptr<char[]>(new char[kChunkBytes]);
    if (new_writer().write_file(std::move(head), r.file_path, chunk_buf_, written, error)) return;
    spdlog::warn("cannot open {} for request {}: {}", r.file_path, ex_.req.request_id, error);
    r = error_response(404, "not_found", "the file for this resource is gone");
    ex_.status = r.status;
  }
  http::response<http::string_body> res;
  fill(res, r, ex_.keep);
  if (ex_.status < 200 || ex_.status == 204 || ex_.status == 304) r.body.clear();
  res.body() = std::move(r.body);
  res.prepare_payload();
  new_writer().write_string(std::move(res), written);
}

// A whole response is written (or failed to be).
void Session::on_written(error_code ec) {
  finish_request();
  if (ec) return close_now();
  if (!ex_.keep) return close_graceful(!request_complete());
  wait_for_request();
}

// The access-log line and the metrics observation, once per response.
void Session::finish_request() {
  if (ex_.logged) return;
  ex_.logged = true;
  const double seconds = std::chrono::duration<double>(Clock::now() - ex_.started).count();
  const std::uint64_t bytes = ex_.writer ? ex_.writer->bytes() : 0;
  spdlog::info("http id={} remote={} method={} target={} status={} bytes={} ms={:.1f}",
               ex_.req.request_id, remote_,
               ex_.req.method.empty() ? "-" : escape_for_log(ex_.req.method),
               ex_.req.target.empty() ? "-" : escape_for_log(ex_.req.target), ex_.status, bytes,
               seconds * 1e3);
  if (!listener_.hooks.observe) return;
  try {
    listener_.hooks.observe(ex_.req, ex_.route ? ex_.route->pattern : std::string(), ex_.status,
                            seconds, bytes);
  } catch (const std::exception& e) {
    log_error("observe hook failed", e.what());
  } catch (...) {
    log_error("observe hook failed", "not a std::exception");
  }
}

// Half-closes; with linger, reads and discards what the client still sends (up to
// kLingerTime) so that closing does not reset the connection under the response.
void Session::close_graceful(bool linger) {
  abort_upload();
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec || !linger) return close_now();
  state_ = State::kLingering;
  linger_until_ = Clock::now() + kLingerTime;
  buffer_.consume(buffer_.size());
  drain();
}

void Session::drain() {
  stream_.expires_at(linger_until_);
  stream_.async_read_some(buffer_.prepare(buffer_.max_size()),
                          handler([this](error_code ec, std::size_t) {
                            if (ec) return close_now();
                            drain();
                          }));
}

// Closes at once; pending operations complete with operation_aborted and are ignored.
void Session::close_now() noexcept {
  abort_upload();
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  try {
    if (ex_.status != 0) finish_request();  // a response cut short still gets its log line
    timer_.cancel();
  } catch (...) {
  }
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

}  // namespace w2v::server::http_io
