#include "server/http/body_reader.h"

#include <algorithm>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/http/request_head.h"

namespace w2v::server::http_io {

struct BodyReader::Parsers {
  std::optional<http::request_parser<http::string_body>> whole;
  std::optional<http::request_parser<http::buffer_body>> streamed;
  // Beast keeps a pointer to the callback: it lives here, as long as the parsers.
  std::function<void(std::uint64_t, beast::string_view, error_code&)> on_chunk_header;
};

BodyReader::BodyReader(Mode mode, HeaderParser&& header, std::uint64_t body_limit,
                       const HttpLimits& limits, char* chunk_buf)
    : mode_(mode),
      limit_(body_limit),
      limits_(limits),
      chunk_buf_(chunk_buf),
      parsers_(std::make_unique<Parsers>()),
      started_(Clock::now()) {
  parsers_->on_chunk_header = [this](std::uint64_t, beast::string_view extensions, error_code& ec) {
    if (extensions.size() > kMaxChunkExtensionBytes) {
      extension_too_long_ = true;
      ec = http::error::bad_chunk_extension;
    }
  };
  if (mode_ == Mode::kWhole) {
    auto& p = parsers_->whole.emplace(std::move(header));
    p.body_limit(limit_);
    p.on_chunk_header(parsers_->on_chunk_header);
  } else {
    auto& p = parsers_->streamed.emplace(std::move(header));
    p.body_limit(limit_);
    p.on_chunk_header(parsers_->on_chunk_header);
  }
}

BodyReader::~BodyReader() = default;

bool BodyReader::is_done() const {
  return parsers_->whole ? parsers_->whole->is_done() : parsers_->streamed->is_done();
}

std::string BodyReader::take_body() {
  return parsers_->whole ? std::move(parsers_->whole->get().body()) : std::string();
}

Clock::time_point BodyReader::deadline() const {
  auto per_read = Clock::now() + limits_.read_timeout;
  if (limits_.min_body_bytes_per_second == 0) return per_read;
  const double seconds =
      static_cast<double>(received_) / static_cast<double>(limits_.min_body_bytes_per_second);
  auto by_rate =
      started_ + limits_.read_timeout +
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  return std::min(per_read, by_rate);
}

void BodyReader::pause() {
  if (!paused_at_) paused_at_ = Clock::now();
}

void BodyReader::resume() {
  if (paused_at_) started_ += Clock::now() - *paused_at_;
  paused_at_.reset();
}

void BodyReader::read_some(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                           std::function<void(Outcome)> done) {
  if (is_done()) return done(Outcome{Outcome::Kind::kDone, {}, {}});
  auto on_read = [this, &buffer, done = std::move(done)](error_code ec, std::size_t) {
    done(classify(ec, buffer));
  };
  if (parsers_->whole) {
    http::async_read_some(stream, buffer, *parsers_->whole, std::move(on_read));
    return;
  }
  auto& p = *parsers_->streamed;
  p.get().body().data = chunk_buf_;
  p.get().body().size = kChunkBytes;
  http::async_read_some(stream, buffer, p, std::move(on_read));
}

BodyReader::Outcome BodyReader::classify(error_code ec, const beast::flat_buffer& buffer) {
  using Kind = Outcome::Kind;
  auto refuse = [](Response r) { return Outcome{Kind::kRefuse, {}, std::move(r)}; };
  if (ec == http::error::need_buffer) ec = {};
  if (ec == http::error::body_limit) return refuse(payload_too_large(limit_));
  if (extension_too_long_) {
    return refuse(error_response(
        400, "bad_request",
        "a chunk extension is longer than " + std::to_string(kMaxChunkExtensionBytes) + " bytes"));
  }
  if (ec == http::error::buffer_overflow) {
    // The parser waits for the end of a line that does not come within the read buffer's
    // maximum: a chunk-size line, or the trailer after the last chunk ("0" CRLF).
    std::string_view pending(static_cast<const char*>(buffer.data().data()), buffer.size());
    if (pending.starts_with("\r\n")) pending.remove_prefix(2);
    const std::size_t zeros = pending.find_first_not_of('0');
    if (zeros > 0 && zeros != std::string_view::npos &&
        (pending[zeros] == ';' || pending[zeros] == '\r')) {
      return refuse(error_response(431, "header_too_large",
                                   "the trailer of the chunked body is larger than " +
                                       std::to_string(buffer.max_size()) + " bytes"));
    }
    return refuse(error_response(400, "bad_request",
                                 "a chunk-size line of the body is longer than " +
                                     std::to_string(buffer.max_size()) + " bytes"));
  }
  if (ec && is_http_error(ec) && ec != http::error::partial_message &&
      ec != http::error::end_of_stream) {
    return refuse(error_response(400, "bad_request", "malformed request body: " + ec.message()));
  }
  if (ec) return Outcome{Kind::kGone, {}, {}};  // the client left, the server force-closing

  if (parsers_->whole) {
    const auto size = parsers_->whole->get().body().size();
    received_ += size - whole_seen_;
    whole_seen_ = size;
    return Outcome{parsers_->whole->is_done() ? Kind::kDone : Kind::kMore, {}, {}};
  }
  const std::size_t got = kChunkBytes - parsers_->streamed->get().body().size;
  received_ += got;
  if (received_ > limit_) return refuse(payload_too_large(limit_));
  if (got > 0) return Outcome{Kind::kChunk, std::string_view(chunk_buf_, got), {}};
  return Outcome{parsers_->streamed->is_done() ? Kind::kDone : Kind::kMore, {}, {}};
}

}  // namespace w2v::server::http_io
