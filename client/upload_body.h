#pragma once
// An upload's body and the one loop that sends it: read from its source in pieces, compressed
// on the fly (Content-Encoding: gzip) or sent as it is, with the progress reported as it goes.
// No networking here: the pieces go to a sender (HttpConnection::send_body).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "client/http_client.h"

namespace w2v::client {

// read() gives the next piece (0 at the end, throws on a read error). With a known size the
// body can be sent with Content-Length and must then be exactly that long; without one it is
// sent until read() says it ended.
struct UploadBody {
  BodyReader read;
  std::optional<std::uint64_t> size;
  std::string name;  // for messages: the file's path, "the upload's source", ...
};

// The file at path, opened now: throws std::runtime_error naming it when it cannot be opened
// or is a directory.
UploadBody file_upload_body(const std::string& path);

// Puts a piece on the wire (more: pieces follow); false when the write failed.
using PieceSender = std::function<bool(const char* data, std::size_t n, bool more)>;
// progress(bytes read from the source, the source's size or 0 when unknown).
using UploadProgress = std::function<void(std::uint64_t, std::uint64_t)>;

// Sends body through send to its end: gzip-compressed when gzip; otherwise as read, exactly
// body.size bytes when the size is known (a source that ends sooner throws). Returns true when
// the whole body went out, false when a send failed (the rest is not sent).
bool send_upload_body(const UploadBody& body, bool gzip, const PieceSender& send,
                      const UploadProgress& progress);

}  // namespace w2v::client
