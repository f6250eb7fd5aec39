#pragma once
// Reading another process's output without trusting it: a stream split into lines of bounded
// length, and the last few lines of a stream kept for an error message.

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

namespace w2v::server {

// Splits bytes into lines ('\n'; a '\r' before it is dropped). A line longer than max_bytes
// is cut to its first max_bytes, the rest up to its newline skipped, so what it holds never
// exceeds max_bytes whatever arrives.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  using OnLine = std::function<void(std::string_view line)>;
  void feed(std::string_view bytes, const OnLine& on_line);
  // The last line when the stream ended without a newline.
  void finish(const OnLine& on_line);

 private:
  std::size_t max_bytes_;
  std::string line_;
  bool skipping_ = false;  // past max_bytes of the current line
};

// The last max_lines non-empty lines added, each cut to max_line_bytes, with control
// characters replaced by spaces (they end up in a job's error and in logs).
class LineTail {
 public:
  LineTail(std::size_t max_lines, std::size_t max_line_bytes)
      : max_lines_(max_lines), max_line_bytes_(max_line_bytes) {}
  void add(std::string_view line);
  // The lines joined with '\n'.
  std::string text() const;
  bool empty() const noexcept { return lines_.empty(); }

 private:
  std::size_t max_lines_, max_line_bytes_;
  std::deque<std::string> lines_;
};

// line with control characters (and DEL) replaced by spaces, trimmed, cut to max_bytes (at a
// UTF-8 character boundary).
std::string printable_line(std::string_view line, std::size_t max_bytes);

}  // namespace w2v::server
