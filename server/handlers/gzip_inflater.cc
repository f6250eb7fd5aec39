#include "server/handlers/gzip_inflater.h"

#include <zlib.h>

#include <array>
#include <cstring>

#include "proto/api_error.h"

namespace w2v::server {

struct GzipInflater::Impl {
  z_stream z{};
  bool in_member = false;  // inside a member: its end has not been seen yet
  Impl() {
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib init failed");
  }
  ~Impl() { inflateEnd(&z); }
};

GzipInflater::GzipInflater() : impl_(std::make_unique<Impl>()) {}
GzipInflater::~GzipInflater() = default;

void GzipInflater::feed(std::string_view chunk, const std::function<void(std::string_view)>& out) {
  z_stream& z = impl_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
  z.avail_in = static_cast<uInt>(chunk.size());
  std::array<char, std::size_t{64} * 1024> buf;
  while (z.avail_in > 0) {
    impl_->in_member = true;
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = buf.size() - z.avail_out;
    if (produced > 0) out(std::string_view(buf.data(), produced));
    if (rc == Z_STREAM_END) {
      impl_->in_member = false;
      inflateReset(&z);  // another member may follow
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      throw proto::ApiError::bad_request(
          std::string("the gzip body is corrupt: ") + (z.msg ? z.msg : "inflate failed"),
          "invalid_gzip");
    }
    if (rc == Z_BUF_ERROR && produced == 0) break;  // needs more input
  }
}

bool GzipInflater::complete() const noexcept {
  return !impl_->in_member;
}

}  // namespace w2v::server
