#pragma once
// Reads a request body after its header: whole into a string (ordinary routes) or streamed, a
// read at a time, into a chunk buffer for an UploadHandler; either way bounded by the route's
// body limit (RoutedRequest::body_limit). It also bounds what the body's framing may cost: chunk
// extensions (kMaxChunkExtensionBytes), chunk-size lines and trailers (the read buffer's
// maximum size), and the transfer rate (the
// deadline it gives for each read). The session arms that deadline and runs the reads.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/http/http_server.h"
#include "server/http/net.h"
#include "server/http/response.h"

namespace w2v::server::http_io {

// A chunk extension (";name=value...") longer than this is refused with 400.
constexpr std::size_t kMaxChunkExtensionBytes = 4096;

class BodyReader {
 public:
  enum class Mode { kWhole, kStreamed };

  // What one read came to.
  struct Outcome {
    enum class Kind {
      kMore,    // nothing for the caller yet: read again
      kChunk,   // streamed: chunk holds the next bytes of the body
      kDone,    // the whole body has been read
      kRefuse,  // answer with answer, then close
      kGone,    // the client left (or the socket failed): close
    };
    Kind kind = Kind::kMore;
    std::string_view chunk;
    std::optional<Response> answer;
  };

  // Takes over the parser that read the header. A body longer than body_limit is refused with
  // 413. chunk_buf (kChunkBytes) receives streamed bodies and must stay valid while the reader
  // reads.
  BodyReader(Mode mode, HeaderParser&& header, std::uint64_t body_limit, const HttpLimits& limits,
             char* chunk_buf);
  ~BodyReader();
  BodyReader(const BodyReader&) = delete;
  BodyReader& operator=(const BodyReader&) = delete;

  // One read (on the stream's strand); done gets the outcome.
  void read_some(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                 std::function<void(Outcome)> done);
  // Whether the message has been read to its end (else the connection cannot be reused).
  bool is_done() const;
  // The body of a whole-mode read, once is_done().
  std::string take_body();
  // When the next bytes must have come: the per-read timeout, and the minimum transfer rate
  // (after a first read_timeout of grace, at least min_body_bytes_per_second on average).
  Clock::time_point deadline() const;
  // Not reading while a step of the request runs elsewhere: that time does not count against
  // the rate.
  void pause();
  void resume();

 private:
  Outcome classify(error_code ec, const beast::flat_buffer& buffer);

  struct Parsers;
  const Mode mode_;
  const std::uint64_t limit_;
  const HttpLimits& limits_;
  char* const chunk_buf_;
  std::unique_ptr<Parsers> parsers_;
  std::uint64_t received_ = 0;  // body bytes, not framing
  Clock::time_point started_;
  std::optional<Clock::time_point> paused_at_;
  bool extension_too_long_ = false;
  std::uint64_t whole_seen_ = 0;
};

}  // namespace w2v::server::http_io
