#pragma once
// Internal to server/http: the Boost.Beast and Asio names its translation units share. Only the
// HTTP layer's .cc files include this (handlers see Request and Response only).

// GCC 12 warns that Asio's std::atomic_thread_fence is not supported by ThreadSanitizer; Asio's
// synchronisation is otherwise visible to TSan, so a W2V_SANITIZE=thread build needs no more.
#if defined(__SANITIZE_THREAD__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wtsan"
#endif

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstddef>
#include <string_view>

namespace w2v::server::http_io {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = beast::error_code;
using Clock = std::chrono::steady_clock;
using HeaderParser = http::request_parser<http::empty_body>;

// Streamed uploads are handed to their handler, and files are sent, in pieces of this size.
constexpr std::size_t kChunkBytes = std::size_t{256} * 1024;

inline std::string_view sv(beast::string_view s) {
  return std::string_view(s.data(), s.size());
}

// An error of the HTTP parser (malformed request), as opposed to one of the socket.
inline bool is_http_error(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

}  // namespace w2v::server::http_io
