#pragma once
// Internal to core/io/vectors_*.cc: the byte-level pieces both reading and writing word2vec
// vector files use (which bytes separate fields, a word quoted for a message, row labels,
// floats as little-endian bytes). Not part of the public API (core/io/vectors_io.h).

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/io/vectors_io.h"

namespace w2v::vectors_internal {

using Limits = VectorsLimits;

constexpr std::size_t kIoBufferBytes = 1 << 20;  // read and written at a time
constexpr std::size_t kMaxQuotedBytes = 64;      // of a word in a message

inline bool is_space(int c) {  // the tokenizer's separators: every ASCII whitespace byte but '\n'
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}
inline bool is_whitespace(int c) {
  return c == '\n' || is_space(c);
}

// Length of the well-formed UTF-8 sequence at s[i] (a multi-byte one), or 0.
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

// A word for an error message: quoted, valid UTF-8 kept, other non-printable bytes as \xNN,
// cut after kMaxQuotedBytes. The result is always valid UTF-8 (it may end up in JSON).
inline std::string quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  std::size_t i = 0;
  while (i < s.size() && i < kMaxQuotedBytes) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
      ++i;
    } else if (const std::size_t n = c >= 0x80 ? utf8_sequence_length(s, i) : 0; n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    }
  }
  out += i < s.size() ? "'..." : "'";
  return out;
}

[[noreturn]] inline void fail(const std::string& message) {
  throw VectorsFormatError(message);
}

inline std::string row_label(std::uint64_t row) {
  return "row " + std::to_string(row);
}
inline std::string row_label(std::uint64_t row, std::string_view word) {
  return row_label(row) + " (word " + quote(word) + ")";
}

// Floats as little-endian bytes, whatever the machine's order.
inline void float_to_le(float v, char* out) {
  auto bits = std::bit_cast<std::uint32_t>(v);
  for (int k = 0; k < 4; ++k, bits >>= 8) out[k] = static_cast<char>(bits & 0xFF);
}

inline float float_from_le(const char* in) {
  std::uint32_t bits = 0;
  for (int k = 3; k >= 0; --k) bits = bits << 8 | static_cast<unsigned char>(in[k]);
  return std::bit_cast<float>(bits);
}

}  // namespace w2v::vectors_internal
