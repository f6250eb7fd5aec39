#include "client/upload_body.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "client/gzip_deflater.h"

namespace w2v::client {
namespace {

constexpr std::size_t kPieceBytes = 1 << 20;  // read from the source at a time

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

UploadBody file_upload_body(const std::string& path) {
  std::shared_ptr<std::FILE> file(std::fopen(path.c_str(), "rb"), [](std::FILE* f) {
    if (f) std::fclose(f);
  });
  if (!file) throw std::runtime_error("cannot open " + path + ": " + errno_text());
  struct stat st {};
  if (::fstat(::fileno(file.get()), &st) != 0) {
    throw std::runtime_error("cannot read " + path + ": " + errno_text());
  }
  if (S_ISDIR(st.st_mode)) throw std::runtime_error("cannot upload " + path + ": a directory");
  UploadBody body;
  body.size = static_cast<std::uint64_t>(st.st_size);
  body.name = path;
  body.read = [file, path](char* data, std::size_t capacity) {
    const std::size_t n = std::fread(data, 1, capacity, file.get());
    if (n == 0 && std::ferror(file.get())) {
      throw std::runtime_error("cannot read " + path + ": " + errno_text());
    }
    return n;
  };
  return body;
}

bool send_upload_body(const UploadBody& body, bool gzip, const PieceSender& send,
                      const UploadProgress& progress) {
  // Sent as it is with a known size: exactly that many bytes (Content-Length); otherwise
  // until the source ends.
  const bool exact = body.size && !gzip;
  const std::uint64_t size = body.size.value_or(0);
  std::vector<char> input(kPieceBytes);
  std::vector<char> compressed;
  std::optional<GzipDeflater> deflater;
  if (gzip) {
    deflater.emplace();
    compressed.resize(kPieceBytes);
  }
  std::uint64_t consumed = 0;
  for (;;) {
    std::size_t want = input.size();
    if (exact) want = static_cast<std::size_t>(std::min<std::uint64_t>(want, size - consumed));
    const std::size_t n = want > 0 ? body.read(input.data(), want) : 0;
    if (n == 0 && exact && consumed < size) {
      throw std::runtime_error("cannot read " + body.name + ": it shrank while being sent");
    }
    consumed += n;
    const bool last = exact ? consumed == size : n == 0;
    bool ok = true;
    if (deflater) {
      deflater->compress(input.data(), n, last, compressed, [&](const char* d, std::size_t k) {
        if (ok) ok = send(d, k, true);
      });
      if (ok && last) ok = send(nullptr, 0, false);  // the last chunk
    } else {
      ok = send(n > 0 ? input.data() : nullptr, n, !last);
    }
    if (!ok) return false;
    if (n > 0 && progress) progress(consumed, body.size ? std::max(size, consumed) : 0);
    if (last) return true;
  }
}

}  // namespace w2v::client
