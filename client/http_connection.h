#pragma once
// One keep-alive HTTP/1.1 connection to w2vd: opened on demand, kept while the server keeps
// it, and opened again for one more try when a reused connection turns out closed before any
// byte of the answer came. HttpClient builds its calls on it. Its .cc is the client's only
// translation unit with Boost.Beast and Asio (slow to compile); this header keeps them out.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/http_client.h"

namespace w2v::client {

// A request's line and header fields. target is path and query, without the base URL's
// prefix; the fields are set in order (a later one replaces an earlier one of the same name).
struct RequestHead {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> fields;
};

class HttpConnection {
 public:
  // Throws std::invalid_argument when options.base_url is not a server URL.
  explicit HttpConnection(const ClientOptions& options);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

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

  // Sends a request with its whole body and reads the final answer's status and header fields
  // (interim 1xx answers are skipped); its body follows with read_body or read_rest.
  HttpResponse send(const RequestHead& head, const std::string& body = "");

  // A request whose body is sent in pieces. begin_upload sends the head, with Content-Length
  // when content_length is given and chunked otherwise; with expect_continue it asks for
  // "100 Continue" and waits briefly for it. It returns the complete answer when the server
  // answered before the body (a refusal: the body is not to be sent), nothing when the body
  // should follow: send_body for each piece, then finish_upload.
  std::optional<HttpResponse> begin_upload(const RequestHead& head,
                                           std::optional<std::uint64_t> content_length,
                                           bool expect_continue);
  // more: pieces follow. False when the write failed (usually the server answered early and
  // closed: finish_upload reports its answer).
  bool send_body(const char* data, std::size_t n, bool more);
  // Reads the complete answer to the upload; sent_all: the whole body went out (otherwise the
  // connection cannot carry another request).
  HttpResponse finish_upload(bool sent_all);

  // Reads the body of the answer send() began, giving each piece to sink as it arrives. sink
  // returning false stops the reading and closes the connection (the rest is unread): false is
  // returned. during names the reading in errors ("downloading", ...). reusable: the
  // connection may carry another request afterwards (when the server keeps it).
  bool read_body(const std::function<bool(const char* data, std::size_t n)>& sink,
                 const std::string& during, bool reusable = true);
  // Reads the rest of the answer send() began into out.body.
  void read_rest(HttpResponse& out, bool reusable = true);

  void close() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace w2v::client
