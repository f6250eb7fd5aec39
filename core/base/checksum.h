#pragma once
// A fast 64-bit checksum of bytes, 8 at a time, for finding damage in w2vd's own files (not a
// cryptographic hash). A piece whose length is not a multiple of 8 has its tail folded in with
// its length, so a writer and its reader must add the same pieces; pieces of whole 8-byte words
// may be split anywhere. The value is part of the files' formats: changing it changes theirs.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace w2v {

class Checksum {
 public:
  void add(const void* data, std::size_t n) noexcept {
    const auto* p = static_cast<const unsigned char*>(data);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      mix(w);
    }
    if (i < n) {
      std::uint64_t w = 0;
      std::memcpy(&w, p + i, n - i);
      mix(w ^ (static_cast<std::uint64_t>(n - i) << 56));
    }
  }
  std::uint64_t value() const noexcept { return h_; }

 private:
  void mix(std::uint64_t w) noexcept {
    h_ ^= w * 0x9E3779B97F4A7C15ull;
    h_ = std::rotl(h_, 27) * 0x100000001B3ull + 0x52DCE729ull;
  }
  std::uint64_t h_ = 0xCBF29CE484222325ull;
};

}  // namespace w2v
