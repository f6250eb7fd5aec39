#pragma once
// Internal to core/io/vectors_read.cc: reading a vectors file's bytes (a buffered reader that
// never reads past a byte limit) and its header line "count dimension".

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "core/io/vectors_bytes.h"

namespace w2v::vectors_internal {

constexpr std::size_t kMaxHeaderBytes = 128;

class Input {
 public:
  static constexpr int kEnd = -1;

  Input(std::istream& in, std::uint64_t limit)
      : in_(in), left_(limit), buf_(std::min<std::uint64_t>(kIoBufferBytes, limit)) {}

  int peek() { return pos_ < end_ || refill() ? static_cast<unsigned char>(buf_[pos_]) : kEnd; }
  int get() {
    const int c = peek();
    if (c != kEnd) ++pos_;
    return c;
  }
  // Copies up to n bytes to dst; returns how many there were.
  std::size_t read(char* dst, std::size_t n) {
    std::size_t done = 0;
    while (done < n && (pos_ < end_ || refill())) {
      const std::size_t k = std::min(n - done, end_ - pos_);
      std::memcpy(dst + done, buf_.data() + pos_, k);
      pos_ += k;
      done += k;
    }
    return done;
  }
  // Appends bytes to out until the next one satisfies stop, the input ends, or out holds max.
  template <class Stop>
  void append_until(Stop stop, std::string& out, std::size_t max) {
    while (out.size() < max && (pos_ < end_ || refill())) {
      const std::size_t n = std::min(end_ - pos_, max - out.size());
      std::size_t i = 0;
      while (i < n && !stop(static_cast<unsigned char>(buf_[pos_ + i]))) ++i;
      out.append(buf_.data() + pos_, i);
      pos_ += i;
      if (i < n) return;
    }
  }
  std::uint64_t offset() const noexcept { return consumed_ + pos_; }
  std::uint64_t remaining_limit() const noexcept { return left_ + (end_ - pos_); }

 private:
  bool refill() {
    consumed_ += end_;
    pos_ = end_ = 0;
    if (left_ == 0) return false;
    in_.read(buf_.data(),
             static_cast<std::streamsize>(std::min<std::uint64_t>(buf_.size(), left_)));
    end_ = static_cast<std::size_t>(in_.gcount());
    if (in_.bad()) throw std::runtime_error("vectors: read error");
    left_ = end_ == 0 ? 0 : left_ - end_;
    return end_ > 0;
  }

  std::istream& in_;
  std::uint64_t left_;  // bytes the stream may still supply
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
  std::uint64_t consumed_ = 0;  // bytes before buf_[0]
};

// A file opened for Input, with its size.
struct InputFile {
  explicit InputFile(const std::string& path) : stream(path, std::ios::binary) {
    std::error_code ec;
    size = std::filesystem::file_size(path, ec);
    if (!stream || ec) throw std::runtime_error("cannot open vectors file " + path);
  }
  std::ifstream stream;
  std::uint64_t size = 0;
};

struct Header {
  std::uint64_t count = 0;
  std::uint64_t dim = 0;
};

// The fields of a line separated by runs of spaces and tabs.
inline std::vector<std::string_view> split_fields(std::string_view s) {
  std::vector<std::string_view> fields;
  for (std::size_t i = 0; i < s.size();) {
    if (is_space(s[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    fields.push_back(s.substr(i, j - i));
    i = j;
  }
  return fields;
}

inline std::optional<std::uint64_t> parse_uint(std::string_view s) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

inline void check_range(const char* what, std::uint64_t v, std::uint64_t max) {
  if (v < 1 || v > max) {
    fail("header: " + std::string(what) + " " + std::to_string(v) + " out of range [1, " +
         std::to_string(max) + "]");
  }
}

inline Header read_header(Input& in) {
  std::string line;
  for (int c = in.get(); c != '\n'; c = in.get()) {
    if (c == Input::kEnd) {
      fail(line.empty()
               ? "header: the input is empty"
               : "header: no newline after " + quote(line) + " (expected 'count dimension')");
    }
    if (line.size() == kMaxHeaderBytes) {
      fail("header: first line longer than " + std::to_string(kMaxHeaderBytes) +
           " bytes (expected 'count dimension')");
    }
    line += static_cast<char>(c);
  }
  const std::vector<std::string_view> fields = split_fields(line);
  const auto count = fields.size() == 2 ? parse_uint(fields[0]) : std::nullopt;
  const auto dim = fields.size() == 2 ? parse_uint(fields[1]) : std::nullopt;
  if (!count || !dim) fail("header: expected 'count dimension', got " + quote(line));
  check_range("vector count", *count, Limits::max_words);
  check_range("dimension", *dim, Limits::max_dim);
  return {*count, *dim};
}

}  // namespace w2v::vectors_internal
