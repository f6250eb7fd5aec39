#pragma once
// Streaming tokenizer with word2vec's rules: ASCII whitespace separates words, '\n' ends a
// sentence, every other byte (UTF-8, NUL, invalid sequences) belongs to a word as it is.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace w2v {

// Longest token kept, in bytes; longer tokens are cut to this prefix (word2vec keeps 100).
inline constexpr std::size_t kMaxTokenBytes = 100;

namespace detail {
enum ByteClass : std::uint8_t { kWordByte = 0, kSpaceByte = 1, kNewlineByte = 2 };
inline constexpr std::array<std::uint8_t, 256> kByteClasses = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned char c : {' ', '\t', '\v', '\f', '\r'}) t[c] = kSpaceByte;
  t['\n'] = kNewlineByte;
  return t;
}();
inline bool is_word_byte(char c) {
  return kByteClasses[static_cast<unsigned char>(c)] == kWordByte;
}
}  // namespace detail

// Feeds chunks of any size; a word split across chunks is reassembled. A Sink provides
// `void on_word(std::string_view)` and `void on_sentence_end()`. Empty lines produce no
// sentence; the last sentence needs no trailing newline (call finish()).
class Tokenizer {
 public:
  template <class Sink>
  void feed(std::string_view chunk, Sink& sink) {
    const char* p = chunk.data();
    const char* const end = p + chunk.size();
    if (word_open_) {
      const char* start = p;
      while (p < end && detail::is_word_byte(*p)) ++p;
      append_pending(start, p);
      if (p == end) return;
      flush_pending(sink);
    }
    while (p < end) {
      const std::uint8_t cls = detail::kByteClasses[static_cast<unsigned char>(*p)];
      if (cls == detail::kNewlineByte) {
        end_sentence(sink);
        ++p;
        continue;
      }
      if (cls == detail::kSpaceByte) {
        ++p;
        continue;
      }
      const char* start = p;
      while (p < end && detail::is_word_byte(*p)) ++p;
      if (p == end) {
        append_pending(start, p);
        return;
      }
      const auto len = std::min<std::size_t>(static_cast<std::size_t>(p - start), kMaxTokenBytes);
      sink.on_word(std::string_view(start, len));
      sentence_open_ = true;
    }
  }

  // Ends the input: emits a word and sentence still open. The tokenizer can then be reused.
  template <class Sink>
  void finish(Sink& sink) {
    flush_pending(sink);
    end_sentence(sink);
  }

 private:
  void append_pending(const char* start, const char* stop) {
    const auto n = static_cast<std::size_t>(stop - start);
    const std::size_t room = kMaxTokenBytes - pending_;
    const std::size_t take = std::min(n, room);
    std::copy(start, start + take, pending_buf_.data() + pending_);
    pending_ += take;
    if (n > 0) word_open_ = true;
  }
  template <class Sink>
  void flush_pending(Sink& sink) {
    if (pending_ > 0) {
      sink.on_word(std::string_view(pending_buf_.data(), pending_));
      sentence_open_ = true;
    }
    pending_ = 0;
    word_open_ = false;
  }
  template <class Sink>
  void end_sentence(Sink& sink) {
    if (sentence_open_) sink.on_sentence_end();
    sentence_open_ = false;
  }

  std::array<char, kMaxTokenBytes> pending_buf_{};
  std::size_t pending_ = 0;
  bool word_open_ = false;  // a word continues from the previous chunk
  bool sentence_open_ = false;
};

}  // namespace w2v
