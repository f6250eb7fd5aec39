// HttpConnection over Boost.Beast. Every network operation is started asynchronously and the
// connection's own io_context is run until it completes: that keeps the API synchronous while
// beast::tcp_stream's timeouts apply (they only work for asynchronous operations; Beast's
// synchronous calls would block forever on a silent server).

#include "client/http_connection.h"

#include <poll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <limits>

#include "client/server_address.h"
#include "core/base/ascii.h"

namespace w2v::client {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using beast::error_code;

namespace {

constexpr std::size_t kChunkBytes = 1 << 20;       // download piece
constexpr std::uint32_t kHeaderLimit = 64 * 1024;  // response header bytes
// "No limit": Beast 1.74's body_limit(boost::none) rejects every Content-Length (it compares
// the length with an empty optional), so the largest value stands for none.
constexpr std::uint64_t kNoBodyLimit = std::numeric_limits<std::uint64_t>::max();
constexpr std::chrono::seconds kContinueWait{1};      // for "100 Continue" before sending anyway
constexpr const char* kUserAgent = "w2v-client/0.1";  // sent with every request

using Head = http::response_parser<http::empty_body>;
using BodyParser = http::response_parser<http::buffer_body>;
using UploadRequest = http::request<http::buffer_body>;
using UploadSerializer = http::request_serializer<http::buffer_body>;

HttpResponse start_response(const BodyParser& p) {
  HttpResponse out;
  out.status = static_cast<int>(p.get().result_int());
  for (const auto& f : p.get().base()) {
    const auto name = f.name_string();
    auto [it, inserted] =
        out.headers.emplace(ascii_lower({name.data(), name.size()}), std::string(f.value()));
    if (!inserted) it->second += ", " + std::string(f.value());
  }
  return out;
}

// A fresh parser for the header of an answer.
Head& new_head(std::optional<Head>& head, bool head_request) {
  head.emplace();
  head->header_limit(kHeaderLimit);
  head->body_limit(kNoBodyLimit);
  if (head_request) head->skip(true);
  return *head;
}

// The errors of a connection the server closed (as opposed to a timeout or a bad response):
// on a reused connection, before any byte of a response, they mean an idle connection was
// closed under us, and sending the request again on a new one is safe.
bool closed_by_peer(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted;
}

// How a try at sending a request failed: the error, what was being done ("sending ", ...),
// whether any byte of an answer had come.
struct Failure {
  error_code ec;
  const char* during = "";
  bool got_bytes = false;
};

}  // namespace

struct HttpConnection::Impl {
  explicit Impl(const ClientOptions& options)
      : opts(options), addr(parse_base_url(options.base_url)) {}
  ~Impl() { close(); }

  ClientOptions opts;
  ServerAddress addr;
  net::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  bool reused = false;  // the open connection has completed an exchange already
  std::vector<char> chunk = std::vector<char>(kChunkBytes);

  // The exchange in progress.
  std::string what;                              // "GET /v1/...", for messages
  std::unique_ptr<BodyParser> answer;            // its answer, header read (parsers cannot move)
  std::unique_ptr<UploadRequest> upload;         // an upload's request, and its serializer (which
  std::unique_ptr<UploadSerializer> serializer;  // refers to it) while the body is sent
  error_code write_ec;                           // the upload's failed body write, if one failed

  // Starts an asynchronous operation (start(handler)) with the timeout armed, runs it to
  // completion, returns its error code.
  template <class Start>
  error_code io(Start&& start) {
    error_code result;
    if (opts.timeout.count() > 0) {
      stream->expires_after(opts.timeout);
    } else {
      stream->expires_never();
    }
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  std::string describe(const error_code& ec) const {
    if (ec == beast::error::timeout) {
      return "timed out after " + std::to_string(opts.timeout.count()) + " s";
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof) {
      return "the server closed the connection";
    }
    return ec.message();
  }

  [[noreturn]] void fail(const std::string& during, const error_code& ec) {
    close();
    throw ConnectionError("connection to " + addr.url + " failed while " + during + ": " +
                          describe(ec));
  }

  void close() noexcept {
    if (stream) {
      error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->socket().close(ignored);
      stream.reset();
    }
    buffer.clear();
    reused = false;
  }

  // An idle keep-alive connection is usable when nothing is waiting to be read on it (the
  // server closing shows as readable: end of stream).
  bool idle_connection_usable() {
    if (!stream || !stream->socket().is_open() || buffer.size() > 0) return false;
    pollfd p{};
    p.fd = stream->socket().native_handle();
    p.events = POLLIN;
    return ::poll(&p, 1, 0) == 0;
  }

  // Makes sure a connection is open; returns true when it is a reused one (which the server
  // may have closed in the meantime without it showing yet).
  bool ensure_connection() {
    if (reused && idle_connection_usable()) return true;
    close();
    error_code ec;
    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(addr.host, addr.port, ec);
    if (ec) {
      throw ConnectionError("cannot connect to " + addr.url + ": cannot resolve " + addr.host +
                            ": " + ec.message());
    }
    stream = std::make_unique<beast::tcp_stream>(ioc);
    ec = io([&](auto handler) { stream->async_connect(endpoints, handler); });
    if (ec) {
      const std::string why = describe(ec);
      close();
      throw ConnectionError("cannot connect to " + addr.url + ": " + why);
    }
    stream->socket().set_option(tcp::no_delay(true), ec);
    return false;
  }

  // After a complete exchange: keep the connection for the next request or close it.
  void finish(bool keep_alive) {
    if (keep_alive && stream) {
      reused = true;
    } else {
      close();
    }
  }

  // Waits until the connection has something to read (true) or the time passes (false).
  bool wait_readable(std::chrono::steady_clock::duration d) {
    if (buffer.size() > 0) return true;
    bool readable = false;
    net::steady_timer timer(ioc);
    timer.expires_after(d);
    stream->socket().async_wait(tcp::socket::wait_read, [&](error_code ec) {
      if (ec != net::error::operation_aborted) readable = true;  // data, end or error
      timer.cancel();
    });
    timer.async_wait([&](error_code ec) {
      if (!ec) {
        error_code ignored;
        stream->socket().cancel(ignored);
      }
    });
    ioc.restart();
    ioc.run();
    return readable;
  }

  template <class Body>
  void prepare(http::request<Body>& req, const RequestHead& head) {
    req.version(11);
    const http::verb verb = http::string_to_verb(head.method);
    if (verb == http::verb::unknown) {
      req.method_string(head.method);
    } else {
      req.method(verb);
    }
    const bool rooted = !head.target.empty() && head.target.front() == '/';
    req.target(addr.prefix + (rooted ? "" : "/") + head.target);
    req.set(http::field::host, addr.authority);
    req.set(http::field::user_agent, kUserAgent);
    if (!opts.token.empty()) req.set(http::field::authorization, "Bearer " + opts.token);
    for (const auto& [name, value] : head.fields) req.set(name, value);
    what = head.method + " " + std::string(req.target());
  }

  // Reads the header of the final answer (interim 1xx answers are skipped) into answer.
  error_code receive(bool head_request, bool* got_bytes) {
    std::optional<Head> head;
    for (;;) {
      new_head(head, head_request);
      const error_code ec =
          io([&](auto handler) { http::async_read_header(*stream, buffer, *head, handler); });
      if (head->got_some()) *got_bytes = true;
      if (ec) return ec;
      const unsigned status = head->get().result_int();
      if (status < 100 || status > 199 || status == 101) break;
    }
    answer = std::make_unique<BodyParser>(std::move(*head));
    return {};
  }

  // Makes a try at sending a request (try_once() on an open connection) and, when it fails on a
  // reused connection the server turns out to have closed before any byte of an answer, one
  // more on a new connection. Other failures throw ConnectionError.
  template <class Try>
  void with_one_retry(Try&& try_once) {
    for (int attempt = 0;; ++attempt) {
      const bool was_reused = ensure_connection();
      const Failure f = try_once();
      if (!f.ec) return;
      if (was_reused && attempt == 0 && !f.got_bytes && closed_by_peer(f.ec)) {
        close();
        continue;
      }
      fail(f.during + what, f.ec);
    }
  }
};

HttpConnection::HttpConnection(const ClientOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}

HttpConnection::~HttpConnection() = default;

void HttpConnection::close() noexcept {
  impl_->close();
}

HttpResponse HttpConnection::send(const RequestHead& head, const std::string& body) {
  Impl& c = *impl_;
  http::request<http::string_body> req;
  c.prepare(req, head);
  req.body() = body;
  req.prepare_payload();
  const bool head_request = req.method() == http::verb::head;
  c.with_one_retry([&]() -> Failure {
    if (error_code ec = c.io([&](auto h) { http::async_write(*c.stream, req, h); })) {
      return {ec, "sending "};
    }
    bool got_bytes = false;
    if (error_code ec = c.receive(head_request, &got_bytes)) {
      return {ec, "reading the response to ", got_bytes};
    }
    return {};
  });
  return start_response(*c.answer);
}

std::optional<HttpResponse> HttpConnection::begin_upload(
    const RequestHead& head, std::optional<std::uint64_t> content_length, bool expect_continue) {
  Impl& c = *impl_;
  c.serializer.reset();
  c.upload = std::make_unique<UploadRequest>();
  UploadRequest& req = *c.upload;
  c.prepare(req, head);
  if (content_length) {
    req.content_length(*content_length);
  } else {
    req.chunked(true);
  }
  if (expect_continue) req.set(http::field::expect, "100-continue");
  c.write_ec = {};
  std::optional<Head> early;  // an answer before the body
  c.with_one_retry([&]() -> Failure {
    req.body().data = nullptr;
    req.body().size = 0;
    req.body().more = true;
    c.serializer = std::make_unique<UploadSerializer>(req);
    early.reset();
    if (error_code ec =
            c.io([&](auto h) { http::async_write_header(*c.stream, *c.serializer, h); })) {
      return {ec, "sending "};
    }
    if (!expect_continue || !c.wait_readable(kContinueWait)) return {};
    // Either "100 Continue" or a final answer (usually a refusal) before the body.
    new_head(early, false);
    if (error_code ec =
            c.io([&](auto h) { http::async_read_header(*c.stream, c.buffer, *early, h); })) {
      return {ec, "waiting for the answer to ", early->got_some()};
    }
    return {};
  });
  // None, or another interim answer: the body follows (finish_upload skips further ones).
  if (!early || early->get().result_int() < 200) return std::nullopt;
  // Refused before the body: the body was never sent, so the connection cannot carry
  // another request.
  c.answer = std::make_unique<BodyParser>(std::move(*early));
  HttpResponse out = start_response(*c.answer);
  read_rest(out, false);
  return out;
}

bool HttpConnection::send_body(const char* data, std::size_t n, bool more) {
  Impl& c = *impl_;
  c.upload->body().data = const_cast<char*>(data);
  c.upload->body().size = n;
  c.upload->body().more = more;
  error_code ec = c.io([&](auto handler) { http::async_write(*c.stream, *c.serializer, handler); });
  if (ec == http::error::need_buffer) ec = {};
  if (ec) c.write_ec = ec;
  return !ec;
}

HttpResponse HttpConnection::finish_upload(bool sent_all) {
  Impl& c = *impl_;
  bool got_bytes = false;
  const error_code ec = c.receive(false, &got_bytes);
  if (ec) {
    // A failed write usually means the server answered early and closed; its answer is what
    // matters, the write error only when there is none.
    if (!sent_all && c.write_ec) c.fail("sending the body of " + c.what, c.write_ec);
    c.fail("reading the response to " + c.what, ec);
  }
  HttpResponse out = start_response(*c.answer);
  read_rest(out, sent_all);
  return out;
}

bool HttpConnection::read_body(const std::function<bool(const char*, std::size_t)>& sink,
                               const std::string& during, bool reusable) {
  Impl& c = *impl_;
  BodyParser& p = *c.answer;
  while (!p.is_done()) {
    p.get().body().data = c.chunk.data();
    p.get().body().size = c.chunk.size();
    error_code ec = c.io([&](auto h) { http::async_read_some(*c.stream, c.buffer, p, h); });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) c.fail(during + " " + c.what, ec);
    const std::size_t n = c.chunk.size() - p.get().body().size;
    if (n > 0 && !sink(c.chunk.data(), n)) {
      c.close();  // the rest of the body is unread: never reuse this connection
      return false;
    }
  }
  c.finish(reusable && p.get().keep_alive());
  return true;
}

void HttpConnection::read_rest(HttpResponse& out, bool reusable) {
  const auto append = [&out](const char* data, std::size_t n) {
    out.body.append(data, n);
    return true;
  };
  read_body(append, "reading the response to", reusable);
}

}  // namespace w2v::client
