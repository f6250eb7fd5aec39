// HttpClient over Boost.Beast. Every network operation is started asynchronously and the
// client's own io_context is run until it completes: that keeps the API synchronous while
// beast::tcp_stream's timeouts apply (they only work for asynchronous operations; Beast's
// synchronous calls would block forever on a silent server).

#include "client/http_client.h"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <utility>

#include "client/gzip_deflater.h"
#include "client/server_address.h"
#include "client/sse_parser.h"

namespace w2v::client {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using beast::error_code;

namespace {

constexpr std::size_t kChunkBytes = 1 << 20;       // upload/download piece
constexpr std::uint32_t kHeaderLimit = 64 * 1024;  // response header bytes
// "No limit": Beast 1.74's body_limit(boost::none) rejects every Content-Length (it compares
// the length with an empty optional), so the largest value stands for none.
constexpr std::uint64_t kNoBodyLimit = std::numeric_limits<std::uint64_t>::max();
constexpr std::chrono::seconds kContinueWait{1};      // for "100 Continue" before sending anyway
constexpr const char* kUserAgent = "w2v-client/0.1";  // sent with every request

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

template <class Fields>
std::map<std::string, std::string> header_map(const Fields& fields) {
  std::map<std::string, std::string> out;
  for (const auto& f : fields) {
    std::string name = lower(std::string(f.name_string()));
    auto [it, inserted] = out.emplace(name, std::string(f.value()));
    if (!inserted) it->second += ", " + std::string(f.value());
  }
  return out;
}

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// The errors of a connection the server closed (as opposed to a timeout or a bad response):
// on a reused connection, before any byte of a response, they mean an idle connection was
// closed under us, and sending the request again on a new one is safe.
bool closed_by_peer(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted;
}

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

struct HttpClient::Impl {
  explicit Impl(const ClientOptions& options)
      : opts(options), addr(parse_base_url(options.base_url)) {}
  ~Impl() { close(); }

  // Runs f; when it throws, the connection is in an unknown state: closed before rethrowing.
  template <class F>
  auto guarded(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (...) {
      close();
      throw;
    }
  }

  ClientOptions opts;
  ServerAddress addr;
  net::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  bool reused = false;  // the open connection has completed an exchange already
  std::vector<char> chunk = std::vector<char>(kChunkBytes);

  // ---- running operations ----

  void arm() {
    if (opts.timeout.count() > 0) {
      stream->expires_after(opts.timeout);
    } else {
      stream->expires_never();
    }
  }

  // Starts an asynchronous operation (start(handler)) with the timeout armed, runs it to
  // completion, returns its error code.
  template <class Start>
  error_code io(Start&& start) {
    error_code result;
    arm();
    start([&result](error_code ec, std::size_t) { result = ec; });
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

  // ---- the connection ----

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
    arm();
    stream->async_connect(endpoints, [&ec](error_code e, const tcp::endpoint&) { ec = e; });
    ioc.restart();
    ioc.run();
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

  // ---- requests ----

  std::string full_target(const std::string& target) const {
    if (target.empty() || target.front() != '/') return addr.prefix + "/" + target;
    return addr.prefix + target;
  }

  template <class Body>
  void prepare(http::request<Body>& req, const std::string& method, const std::string& target,
               const std::map<std::string, std::string>& headers) const {
    req.version(11);
    const http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) {
      req.method_string(method);
    } else {
      req.method(verb);
    }
    req.target(full_target(target));
    req.set(http::field::host, addr.authority);
    req.set(http::field::user_agent, kUserAgent);
    if (!opts.token.empty()) req.set(http::field::authorization, "Bearer " + opts.token);
    for (const auto& [name, value] : headers) req.set(name, value);
  }

  // ---- responses ----

  using Head = http::response_parser<http::empty_body>;

  // Reads the header of the final response (interim 1xx responses are skipped) into head.
  error_code read_head(std::optional<Head>& head, bool head_request, bool* got_bytes) {
    for (;;) {
      head.emplace();
      head->header_limit(kHeaderLimit);
      head->body_limit(kNoBodyLimit);
      if (head_request) head->skip(true);
      const error_code ec =
          io([&](auto handler) { http::async_read_header(*stream, buffer, *head, handler); });
      if (got_bytes && head->got_some()) *got_bytes = true;
      if (ec) return ec;
      const unsigned status = head->get().result_int();
      if (status < 100 || status > 199 || status == 101) return {};
    }
  }

  // Reads the body as it arrives; sink(data, n) gets each piece. sink returning false stops.
  template <class Sink>
  error_code read_body(http::response_parser<http::buffer_body>& p, Sink&& sink) {
    while (!p.is_done()) {
      p.get().body().data = chunk.data();
      p.get().body().size = chunk.size();
      error_code ec = io([&](auto handler) { http::async_read_some(*stream, buffer, p, handler); });
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return ec;
      const std::size_t n = chunk.size() - p.get().body().size;
      if (n > 0 && !sink(chunk.data(), n)) return net::error::operation_aborted;
    }
    return {};
  }

  // The final response's header for a request already sent, then the parser for its body.
  // Retries are the caller's business; this reports whether any byte of a response came.
  using BodyParser = http::response_parser<http::buffer_body>;
  struct Received {
    std::unique_ptr<BodyParser> parser;  // parsers cannot move
    error_code ec;
    bool got_bytes = false;
  };
  Received receive(bool head_request) {
    Received r;
    std::optional<Head> head;
    r.ec = read_head(head, head_request, &r.got_bytes);
    if (!r.ec) r.parser = std::make_unique<BodyParser>(std::move(*head));
    return r;
  }

  HttpResponse start_response(const http::response_parser<http::buffer_body>& p) const {
    HttpResponse out;
    out.status = static_cast<int>(p.get().result_int());
    out.headers = header_map(p.get().base());
    return out;
  }

  // Reads the rest of a response into out.body and finishes the exchange.
  void read_rest(http::response_parser<http::buffer_body>& p, HttpResponse& out,
                 const std::string& what, bool reusable) {
    const error_code ec = read_body(p, [&out](const char* d, std::size_t n) {
      out.body.append(d, n);
      return true;
    });
    if (ec) fail("reading the response to " + what, ec);
    finish(reusable && p.get().keep_alive());
  }

  // Sends a bodiless or small request and returns the parser with the final response's
  // header read, reconnecting once when a reused connection turns out closed.
  template <class Body>
  std::unique_ptr<BodyParser> exchange(http::request<Body>& req, const std::string& what) {
    const bool head_request = req.method() == http::verb::head;
    for (int attempt = 0;; ++attempt) {
      const bool was_reused = ensure_connection();
      error_code ec = io([&](auto handler) { http::async_write(*stream, req, handler); });
      if (ec) {
        if (was_reused && attempt == 0 && closed_by_peer(ec)) {
          close();
          continue;
        }
        fail("sending " + what, ec);
      }
      Received r = receive(head_request);
      if (r.ec) {
        if (was_reused && attempt == 0 && !r.got_bytes && closed_by_peer(r.ec)) {
          close();
          continue;
        }
        fail("reading the response to " + what, r.ec);
      }
      return std::move(r.parser);
    }
  }

  // ---- uploads ----

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

  // An upload's body: read() gives the next piece (0 at the end, throws on a read error).
  // With a known size the body is sent with Content-Length and must be exactly that long;
  // without one it is sent chunked, until read() says it ended.
  struct UploadBody {
    BodyReader read;
    std::optional<std::uint64_t> size;
    std::string name;  // for messages: the file's path, "standard input", ...
  };

  HttpResponse upload_path(const std::string& target, const std::string& path,
                           const std::string& content_type, bool gzip,
                           const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
    File file(std::fopen(path.c_str(), "rb"));
    if (!file) throw std::runtime_error("cannot open " + path + ": " + errno_text());
    struct stat st {};
    if (::fstat(::fileno(file.get()), &st) != 0) {
      throw std::runtime_error("cannot read " + path + ": " + errno_text());
    }
    if (S_ISDIR(st.st_mode)) throw std::runtime_error("cannot upload " + path + ": a directory");
    UploadBody body;
    body.size = static_cast<std::uint64_t>(st.st_size);
    body.name = path;
    body.read = [f = file.get(), &path](char* data, std::size_t capacity) {
      const std::size_t n = std::fread(data, 1, capacity, f);
      if (n == 0 && std::ferror(f)) {
        throw std::runtime_error("cannot read " + path + ": " + errno_text());
      }
      return n;
    };
    return upload(target, body, content_type, gzip, {}, progress);
  }

  HttpResponse upload(const std::string& target, const UploadBody& body,
                      const std::string& content_type, bool gzip,
                      const std::map<std::string, std::string>& headers,
                      const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
    const std::uint64_t size = body.size.value_or(0);
    http::request<http::buffer_body> req;
    prepare(req, "POST", target, headers);
    req.set(http::field::content_type, content_type);
    if (gzip) req.set(http::field::content_encoding, "gzip");
    if (gzip || !body.size) {
      req.chunked(true);
    } else {
      req.content_length(size);
    }
    // The server answers "100 Continue" when it wants the body, or refuses at once (401, 413,
    // 415, ...) without making us send gigabytes first.
    const bool expect = gzip || !body.size || size > 0;
    if (expect) req.set(http::field::expect, "100-continue");
    const std::string what = "POST " + req.target().to_string();

    for (int attempt = 0;; ++attempt) {
      const bool was_reused = ensure_connection();
      req.body().data = nullptr;
      req.body().size = 0;
      req.body().more = true;
      http::request_serializer<http::buffer_body> sr(req);
      error_code ec = io([&](auto handler) { http::async_write_header(*stream, sr, handler); });
      if (ec) {
        if (was_reused && attempt == 0 && closed_by_peer(ec)) {
          close();
          continue;
        }
        fail("sending " + what, ec);
      }
      if (expect && wait_readable(kContinueWait)) {
        // Either "100 Continue" or a final answer (usually a refusal) before the body.
        std::optional<Head> head;
        head.emplace();
        head->header_limit(kHeaderLimit);
        head->body_limit(kNoBodyLimit);
        ec = io([&](auto handler) { http::async_read_header(*stream, buffer, *head, handler); });
        if (ec) {
          if (was_reused && attempt == 0 && !head->got_some() && closed_by_peer(ec)) {
            close();
            continue;
          }
          fail("waiting for the answer to " + what, ec);
        }
        if (head->get().result() != http::status::continue_) {
          const unsigned status = head->get().result_int();
          if (status >= 200) {
            // Refused before the body: the body was never sent, so the connection cannot
            // carry another request.
            http::response_parser<http::buffer_body> p(std::move(*head));
            HttpResponse out = start_response(p);
            read_rest(p, out, what, false);
            return out;
          }
          // Another interim response: read_head below skips further ones.
        }
      }
      return send_upload_body(body, gzip, req, sr, what, progress);
    }
  }

  HttpResponse send_upload_body(const UploadBody& body, bool gzip,
                                http::request<http::buffer_body>& req,
                                http::request_serializer<http::buffer_body>& sr,
                                const std::string& what,
                                const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
    error_code write_ec;
    auto send = [&](const char* data, std::size_t n, bool more) {
      req.body().data = const_cast<char*>(data);
      req.body().size = n;
      req.body().more = more;
      error_code ec = io([&](auto handler) { http::async_write(*stream, sr, handler); });
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        write_ec = ec;
        return false;
      }
      return true;
    };

    std::vector<char> input(kChunkBytes);
    std::uint64_t consumed = 0;
    bool sent_all = false;
    // A read error leaves the request unfinished: the connection cannot be reused.
    auto read = [&](char* data, std::size_t capacity) {
      return guarded([&] { return body.read(data, capacity); });
    };
    const std::uint64_t size = body.size.value_or(0);
    if (gzip) {
      GzipDeflater deflater;
      std::vector<char> out(kChunkBytes);
      bool ok = true;
      while (ok) {
        const std::size_t n = read(input.data(), input.size());
        const bool last = n == 0;
        deflater.compress(input.data(), n, last, out, [&](const char* d, std::size_t k) {
          if (ok) ok = send(d, k, true);
        });
        if (!ok) break;
        if (last) {
          ok = send(nullptr, 0, false);  // the last chunk
          sent_all = ok;
          break;
        }
        consumed += n;
        if (progress) progress(consumed, body.size ? std::max(size, consumed) : 0);
      }
    } else if (!body.size) {
      // Chunked, until the source ends.
      for (;;) {
        const std::size_t n = read(input.data(), input.size());
        if (n == 0) {
          sent_all = send(nullptr, 0, false);  // the last chunk
          break;
        }
        consumed += n;
        if (!send(input.data(), n, true)) break;
        if (progress) progress(consumed, 0);
      }
    } else {
      while (consumed < size) {
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(input.size(), size - consumed));
        const std::size_t n = read(input.data(), want);
        if (n == 0) {
          close();
          throw std::runtime_error("cannot read " + body.name + ": it shrank while being sent");
        }
        consumed += n;
        if (!send(input.data(), n, consumed < size)) break;
        if (progress) progress(consumed, size);
      }
      sent_all = consumed == size && !write_ec;
      if (size == 0) sent_all = send(nullptr, 0, false);
    }

    Received r = receive(false);
    if (r.ec) {
      // A failed write usually means the server answered early and closed; its answer is
      // what matters, the write error only when there is none.
      if (!sent_all && write_ec) fail("sending the body of " + what, write_ec);
      fail("reading the response to " + what, r.ec);
    }
    HttpResponse out = start_response(*r.parser);
    read_rest(*r.parser, out, what, sent_all);
    return out;
  }
};

HttpClient::HttpClient(ClientOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const std::string& body, const std::string& content_type,
                                 const std::map<std::string, std::string>& headers) {
  Impl& im = *impl_;
  return im.guarded([&] {
    http::request<http::string_body> req;
    im.prepare(req, method, target, {});
    const http::verb verb = req.method();
    if (!body.empty() || verb == http::verb::post || verb == http::verb::put ||
        verb == http::verb::patch) {
      req.set(http::field::content_type, content_type);
    }
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    const std::string what = method + " " + req.target().to_string();
    const auto p = im.exchange(req, what);
    HttpResponse out = im.start_response(*p);
    im.read_rest(*p, out, what, true);
    return out;
  });
}

HttpResponse HttpClient::upload_file(
    const std::string& target, const std::string& path, const std::string& content_type, bool gzip,
    const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  return impl_->guarded(
      [&] { return impl_->upload_path(target, path, content_type, gzip, progress); });
}

HttpResponse HttpClient::upload_stream(
    const std::string& target, const BodyReader& read, const std::string& content_type, bool gzip,
    const std::function<void(std::uint64_t, std::uint64_t)>& progress,
    const std::map<std::string, std::string>& headers) {
  return impl_->guarded([&] {
    Impl::UploadBody body;
    body.read = read;
    body.name = "the upload's source";
    return impl_->upload(target, body, content_type, gzip, headers, progress);
  });
}

HttpResponse HttpClient::download_to(const std::string& target,
                                     const std::function<void(const char*, std::size_t)>& sink) {
  Impl& im = *impl_;
  return im.guarded([&] {
    http::request<http::empty_body> req;
    im.prepare(req, "GET", target, {});
    const std::string what = "GET " + req.target().to_string();
    const auto p = im.exchange(req, what);
    HttpResponse out = im.start_response(*p);
    if (out.status < 200 || out.status > 299) {
      im.read_rest(*p, out, what, true);
      return out;
    }
    const error_code ec = im.read_body(*p, [&](const char* d, std::size_t n) {
      sink(d, n);
      return true;
    });
    if (ec) im.fail("downloading " + what, ec);
    im.finish(p->get().keep_alive());
    return out;
  });
}

HttpResponse HttpClient::download(const std::string& target, const std::string& path) {
  Impl& im = *impl_;
  const std::string part = path + ".part";
  bool part_created = false;
  try {
    http::request<http::empty_body> req;
    im.prepare(req, "GET", target, {});
    const std::string what = "GET " + req.target().to_string();
    const auto p = im.exchange(req, what);
    HttpResponse out = im.start_response(*p);
    if (out.status < 200 || out.status > 299) {
      im.read_rest(*p, out, what, true);
      return out;
    }
    File file(std::fopen(part.c_str(), "wb"));
    if (!file) throw std::runtime_error("cannot write " + part + ": " + errno_text());
    part_created = true;
    bool write_failed = false;
    const error_code ec = im.read_body(*p, [&](const char* d, std::size_t n) {
      write_failed = std::fwrite(d, 1, n, file.get()) != n;
      return !write_failed;
    });
    if (write_failed) throw std::runtime_error("cannot write " + part + ": " + errno_text());
    if (ec) im.fail("downloading " + what, ec);
    if (std::fflush(file.get()) != 0 || ::fsync(::fileno(file.get())) != 0) {
      throw std::runtime_error("cannot write " + part + ": " + errno_text());
    }
    if (std::fclose(file.release()) != 0) {
      throw std::runtime_error("cannot write " + part + ": " + errno_text());
    }
    std::error_code fs_ec;
    std::filesystem::rename(part, path, fs_ec);
    if (fs_ec) {
      throw std::runtime_error("cannot rename " + part + " to " + path + ": " + fs_ec.message());
    }
    part_created = false;
    im.finish(p->get().keep_alive());
    return out;
  } catch (...) {
    im.close();
    if (part_created) {
      std::error_code ignored;
      std::filesystem::remove(part, ignored);
    }
    throw;
  }
}

int HttpClient::stream_events(
    const std::string& target,
    const std::function<bool(const std::string& event, const std::string& data)>& on_event,
    std::string* error_body) {
  Impl& im = *impl_;
  return im.guarded([&] {
    http::request<http::empty_body> req;
    im.prepare(req, "GET", target,
               {{"Accept", "text/event-stream"}, {"Cache-Control", "no-cache"}});
    const std::string what = "GET " + req.target().to_string();
    const auto p = im.exchange(req, what);
    HttpResponse out = im.start_response(*p);
    if (out.status != 200) {
      im.read_rest(*p, out, what, true);
      if (error_body) *error_body = std::move(out.body);
      return out.status;
    }
    SseParser parser;
    bool stopped = false;
    const error_code ec = im.read_body(*p, [&](const char* d, std::size_t n) {
      parser.feed(std::string_view(d, n));
      while (auto e = parser.next()) {
        if (!on_event(e->event, e->data)) {
          stopped = true;
          return false;
        }
      }
      return true;
    });
    if (stopped) {
      im.close();  // the rest of the stream is unread: never reuse this connection
      return out.status;
    }
    if (ec) im.fail("reading the event stream of " + what, ec);
    im.finish(p->get().keep_alive());
    return out.status;
  });
}

std::string url_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace w2v::client
