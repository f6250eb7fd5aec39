#pragma once
// Streaming gzip decompression (zlib) for Content-Encoding: gzip bodies, including bodies of
// several concatenated gzip members (what `cat a.gz b.gz` makes).

#include <functional>
#include <memory>
#include <string_view>

namespace w2v::server {

class GzipInflater {
 public:
  GzipInflater();
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  // Decompresses chunk, calling out with each piece of output. Throws proto::ApiError 400
  // ("invalid_gzip") on corrupt data.
  void feed(std::string_view chunk, const std::function<void(std::string_view)>& out);
  // True when the input ended at the end of a gzip member (not cut off in the middle).
  bool complete() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace w2v::server
