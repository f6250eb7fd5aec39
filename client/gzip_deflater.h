#pragma once
// Compressing an upload while it is sent (Content-Encoding: gzip).

#include <zlib.h>

#include <cstddef>
#include <stdexcept>
#include <vector>

namespace w2v::client {

// A gzip stream (RFC 1952) producer around zlib's deflate.
class GzipDeflater {
 public:
  GzipDeflater() {
    // Level 1: an upload is compressed while it is sent, so speed matters more than ratio
    // (text still shrinks about 3x).
    if (deflateInit2(&zs_, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      throw std::runtime_error("cannot initialise zlib's deflate");
    }
  }
  ~GzipDeflater() { deflateEnd(&zs_); }
  GzipDeflater(const GzipDeflater&) = delete;
  GzipDeflater& operator=(const GzipDeflater&) = delete;

  // Compresses input (finish: the last call, input may be empty) and calls emit(data, n) for
  // each piece of output.
  template <class Emit>
  void compress(const char* input, std::size_t n, bool finish, std::vector<char>& out,
                Emit&& emit) {
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input));
    zs_.avail_in = static_cast<uInt>(n);
    const int flush = finish ? Z_FINISH : Z_NO_FLUSH;
    int ret = Z_OK;
    do {
      zs_.next_out = reinterpret_cast<Bytef*>(out.data());
      zs_.avail_out = static_cast<uInt>(out.size());
      ret = deflate(&zs_, flush);
      if (ret == Z_STREAM_ERROR) throw std::runtime_error("zlib deflate failed");
      const std::size_t produced = out.size() - zs_.avail_out;
      if (produced > 0) emit(out.data(), produced);
    } while (zs_.avail_out == 0 || (finish && ret != Z_STREAM_END));
  }

 private:
  z_stream zs_{};
};

}  // namespace w2v::client
