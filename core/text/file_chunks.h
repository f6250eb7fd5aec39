#pragma once
// Reads a file in fixed-size chunks, so that files larger than memory stream through.

#include <cstddef>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace w2v {

// Calls fn(std::string_view chunk) for consecutive chunks of the file at path.
// Throws std::runtime_error naming the path when it cannot be opened or read.
template <class Fn>
void for_each_file_chunk(const std::string& path, Fn&& fn, std::size_t chunk_bytes = 1 << 20) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::vector<char> buf(chunk_bytes);
  for (;;) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n > 0) fn(std::string_view(buf.data(), n));
    if (n < buf.size()) {
      if (std::ferror(f.get())) throw std::runtime_error("error reading " + path);
      return;
    }
  }
}

}  // namespace w2v
