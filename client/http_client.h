#pragma once
// A synchronous HTTP/1.1 client for w2vd: plain requests, streamed uploads and downloads,
// Server-Sent Events, over one keep-alive connection (client/http_connection.h, the only
// client file with Boost.Beast). Used by w2vctl and by the end-to-end tests.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace w2v::client {

class HttpConnection;

// The server could not be reached or the connection broke (not an HTTP error status).
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// Reads the next piece of a body into buffer (at most capacity bytes) and returns how many
// bytes it read, 0 at the end; throws on a read error.
using BodyReader = std::function<std::size_t(char* buffer, std::size_t capacity)>;

struct ClientOptions {
  std::string base_url = "http://127.0.0.1:8080";  // http://host:port (https is not supported)
  std::string token;                               // sent as Authorization: Bearer <token>
  std::chrono::seconds timeout{60};                // each connect/read/write
};

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // target: path and query, already percent-encoded ("/v1/models/m_x/similar?word=caf%C3%A9").
  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::string& content_type = "application/json",
                       const std::map<std::string, std::string>& headers = {});

  // POSTs the file at path as the body, streamed in chunks (never read whole). With gzip the
  // file is compressed on the fly and sent chunked with Content-Encoding: gzip; otherwise with
  // Content-Length. progress(bytes_sent_of_file, file_size) is called as it goes.
  HttpResponse upload_file(const std::string& target, const std::string& path,
                           const std::string& content_type, bool gzip,
                           const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

  // POSTs what read() gives until its end as the body, streamed with Transfer-Encoding: chunked:
  // for standard input and pipes, whose size is not known in advance. gzip compresses on the
  // fly as upload_file does; headers are added to the request (e.g. {"Content-Encoding",
  // "gzip"} to send bytes that are gzip data already, as they are). progress(bytes_read, 0) is
  // called as it goes.
  HttpResponse upload_stream(const std::string& target, const BodyReader& read,
                             const std::string& content_type, bool gzip,
                             const std::function<void(std::uint64_t, std::uint64_t)>& progress = {},
                             const std::map<std::string, std::string>& headers = {});

  // GETs target; a 2xx body is passed to sink(data, n) piece by piece as it arrives (sink may
  // throw to abandon the download); the returned body is empty then. Other statuses return
  // their body.
  HttpResponse download_to(const std::string& target,
                           const std::function<void(const char* data, std::size_t n)>& sink);

  // GETs target; a 2xx body is streamed to the file at path (written to a temporary name and
  // renamed when complete); the returned body is empty then. Other statuses return their body.
  HttpResponse download(const std::string& target, const std::string& path);

  // GETs a text/event-stream and calls on_event(event_name, data) for each event until the
  // server ends the stream or on_event returns false. Returns the HTTP status (the events are
  // delivered only for 200; otherwise the body is in error_body).
  int stream_events(
      const std::string& target,
      const std::function<bool(const std::string& event, const std::string& data)>& on_event,
      std::string* error_body = nullptr);

  const ClientOptions& options() const noexcept { return options_; }

 private:
  ClientOptions options_;
  std::unique_ptr<HttpConnection> connection_;
};

// Percent-encodes a path segment or query value (RFC 3986 unreserved characters kept).
std::string url_encode(const std::string& s);

}  // namespace w2v::client
