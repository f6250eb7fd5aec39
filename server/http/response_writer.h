#pragma once
// Writes one response on a connection: a string body (with Content-Length), a file (the header,
// then the file in kChunkBytes pieces, each write with its own deadline) or a Server-Sent Events
// stream (a header without Content-Length, then whatever the EventSource returns, polled until
// it is done; the connection ends with it). done is called once, when the response is written
// or failed; after it the writer may be destroyed.

#include <boost/beast/core/file.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/http/net.h"
#include "server/http/response.h"

namespace w2v::server::http_io {

class ResponseWriter {
 public:
  // What the writer needs of its connection.
  struct Io {
    beast::tcp_stream& stream;
    net::steady_timer& timer;  // event stream polls
    std::chrono::seconds write_timeout;
    std::function<bool()> stopping;  // event streams end when the server stops
    std::function<void(const char* what, const char* detail)> log_error;
  };
  using Done = std::function<void(error_code)>;

  explicit ResponseWriter(Io io) : io_(std::move(io)) {}
  ResponseWriter(const ResponseWriter&) = delete;
  ResponseWriter& operator=(const ResponseWriter&) = delete;

  void write_string(http::response<http::string_body> res, Done done);
  // Opens path first; false (and nothing written) when it cannot be opened.
  bool write_file(http::response<http::empty_body> head, const std::string& path,
                  std::shared_ptr<char[]> chunk_buf, Done done, std::string& error);
  // done's error is empty when the source said it was done (or the server is stopping).
  void write_events(http::response<http::empty_body> head, std::shared_ptr<EventSource> events,
                    Done done);

  std::uint64_t bytes() const { return bytes_; }

 private:
  void send_file_chunk();
  void poll_events();
  void schedule_poll();
  void finish(error_code ec);

  Io io_;
  Done done_;
  std::uint64_t bytes_ = 0;
  std::optional<http::response<http::string_body>> str_res_;
  std::optional<http::response<http::empty_body>> head_res_;
  std::optional<http::response_serializer<http::empty_body>> head_sr_;
  std::optional<beast::file> file_;
  std::uint64_t file_left_ = 0;
  std::shared_ptr<char[]> chunk_buf_;
  std::shared_ptr<EventSource> events_;
  std::string sse_chunk_;
};

}  // namespace w2v::server::http_io
