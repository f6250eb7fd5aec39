#include "core/io/vectors_io.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <ostream>
#include <system_error>

#include "core/io/atomic_file.h"
#include "core/text/word_table.h"

namespace w2v {
namespace {

using Limits = VectorsLimits;

constexpr std::size_t kMaxHeaderBytes = 128;
constexpr std::size_t kMaxNumberBytes = 256;
constexpr std::size_t kIoBufferBytes = 1 << 20;
// What loading allocates before rows are read: words, and bytes of matrix.
constexpr std::size_t kInitialRows = 1024;
constexpr std::size_t kInitialMatrixBytes = 1 << 20;
constexpr std::size_t kMaxQuotedBytes = 64;

// ---------------------------------------------------------------------------------------------
// Bytes and messages

bool is_space(int c) {  // the tokenizer's separators: every ASCII whitespace byte but '\n'
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}
bool is_whitespace(int c) {
  return c == '\n' || is_space(c);
}

// Length of the well-formed UTF-8 sequence at s[i] (a multi-byte one), or 0.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
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
std::string quote(std::string_view s) {
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

[[noreturn]] void fail(const std::string& message) {
  throw VectorsFormatError(message);
}

std::string row_label(std::uint64_t row) {
  return "row " + std::to_string(row);
}
std::string row_label(std::uint64_t row, std::string_view word) {
  return row_label(row) + " (word " + quote(word) + ")";
}

// ---------------------------------------------------------------------------------------------
// Floats as little-endian bytes

void float_to_le(float v, char* out) {
  auto bits = std::bit_cast<std::uint32_t>(v);
  for (int k = 0; k < 4; ++k, bits >>= 8) out[k] = static_cast<char>(bits & 0xFF);
}

float float_from_le(const char* in) {
  std::uint32_t bits = 0;
  for (int k = 3; k >= 0; --k) bits = bits << 8 | static_cast<unsigned char>(in[k]);
  return std::bit_cast<float>(bits);
}

// ---------------------------------------------------------------------------------------------
// Input: a buffered reader over an istream that never reads past a byte limit.

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

// ---------------------------------------------------------------------------------------------
// Header: "count dimension\n"

struct Header {
  std::uint64_t count = 0;
  std::uint64_t dim = 0;
};

// The fields of a line separated by runs of spaces and tabs.
std::vector<std::string_view> split_fields(std::string_view s) {
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

std::optional<std::uint64_t> parse_uint(std::string_view s) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

void check_range(const char* what, std::uint64_t v, std::uint64_t max) {
  if (v < 1 || v > max) {
    fail("header: " + std::string(what) + " " + std::to_string(v) + " out of range [1, " +
         std::to_string(max) + "]");
  }
}

Header read_header(Input& in) {
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

// The fewest bytes rows can take: a 1-byte word, then per value a separator and a digit (text)
// or a space and 4 bytes per value (binary); a newline ends each text row but possibly the last.
std::uint64_t min_body_bytes(const Header& h, VectorsFormat format) {
  return format == VectorsFormat::kBinary ? h.count * (4 * h.dim + 2)
                                          : h.count * (2 * h.dim + 2) - 1;
}

[[noreturn]] void fail_truncated(const Header& h, const std::string& where) {
  fail("truncated: header promises " + std::to_string(h.count) + " vectors, input ends " + where);
}

// ---------------------------------------------------------------------------------------------
// Rows

class RowReader {
 public:
  // Nothing is sized from the header's count: the word table, the word list and the matrix
  // grow (doubling) as rows are actually read, so a header that promises more rows than the
  // body holds costs no more memory than the rows that are there.
  RowReader(Input& in, const Header& h, WordVectors& out)
      : in_(in), h_(h), out_(out), table_(std::min<std::size_t>(h.count, kInitialRows)) {
    out_.words.reserve(std::min<std::size_t>(h.count, kInitialRows));
  }

  void read_all(VectorsFormat format) {
    for (std::uint64_t r = 0; r < h_.count; ++r) {
      row_ = r + 1;
      if (format == VectorsFormat::kBinary) {
        read_binary_row();
      } else {
        read_text_row();
      }
    }
    check_trailer();
  }

 private:
  // Reads the word up to the first byte for which stop(c) holds (left unread).
  template <class Stop>
  void read_word(Stop stop) {
    word_.clear();
    in_.append_until(stop, word_, Limits::max_word_bytes + 1);
    if (word_.size() > Limits::max_word_bytes) {
      fail(row_label(row_) + ": word longer than " + std::to_string(Limits::max_word_bytes) +
           " bytes, starting " + quote(word_));
    }
  }

  void add_word() {
    if (table_.intern(word_) != out_.words.size()) {
      fail(row_label(row_, word_) + ": duplicate word, first seen in row " +
           std::to_string(table_.find(word_) + 1));
    }
    out_.words.push_back(word_);
  }

  [[noreturn]] void fail_value(std::size_t index, const std::string& shown,
                               const std::string& problem) const {
    fail(row_label(row_, word_) + ": value " + std::to_string(index + 1) + " " + shown + " " +
         problem);
  }

  void check_finite(float v, std::size_t index, std::string_view text) const {
    if (!std::isfinite(v)) {
      fail_value(index, text.empty() ? (std::isnan(v) ? "(nan)" : "(inf)") : quote(text),
                 "is not finite");
    }
  }

  // Binary row: word, ' ', dim little-endian floats, an optional '\n' (any '\n's before the word
  // are skipped, as gensim does).
  void read_binary_row() {
    while (in_.peek() == '\n') in_.get();
    if (in_.peek() == Input::kEnd) fail_truncated(h_, "after " + std::to_string(row_ - 1));
    read_word([](int c) { return c == ' '; });
    if (in_.peek() == Input::kEnd) {
      fail_truncated(h_, "in " + row_label(row_) + " inside the word " + quote(word_));
    }
    in_.get();  // the ' '
    if (word_.empty()) fail(row_label(row_) + ": empty word");
    const auto bad = std::find_if(word_.begin(), word_.end(), is_whitespace);
    if (bad != word_.end()) {
      fail(row_label(row_, word_) + ": whitespace byte " + quote(std::string_view(&*bad, 1)) +
           " inside the word");
    }
    add_word();

    const std::size_t want = 4 * static_cast<std::size_t>(h_.dim);
    bytes_.resize(want);
    const std::size_t got = in_.read(bytes_.data(), want);
    if (got < want) {
      fail_truncated(h_, "in " + row_label(row_, word_) + " after " + std::to_string(got) + " of " +
                             std::to_string(want) + " vector bytes");
    }
    float* dst = row_to_fill();
    for (std::size_t k = 0; k < h_.dim; ++k) {
      dst[k] = float_from_le(bytes_.data() + 4 * k);
      check_finite(dst[k], k, {});
    }
    if (in_.peek() == '\n') in_.get();
  }

  // Text row: word, then dim numbers, separated by spaces or tabs, then '\n' (or the end of the
  // input); whitespace before the '\n' is fine.
  void read_text_row() {
    const int first = in_.peek();
    if (first == Input::kEnd) fail_truncated(h_, "after " + std::to_string(row_ - 1));
    if (first == '\n') fail(row_label(row_) + ": empty line");
    if (is_space(first)) fail(row_label(row_) + ": empty word (the line starts with whitespace)");
    read_word(is_whitespace);
    add_word();

    float* dst = row_to_fill();
    std::size_t values = 0;
    int c = Input::kEnd;
    for (;;) {
      while (is_space(in_.peek())) in_.get();
      c = in_.get();
      if (c == Input::kEnd || c == '\n') break;
      read_number(static_cast<char>(c), values);
      if (values < h_.dim) dst[values] = parse_value(values);
      ++values;
    }
    if (values == h_.dim) return;
    if (values < h_.dim && c == Input::kEnd) {
      fail_truncated(h_, "in " + row_label(row_, word_) + " after " + std::to_string(values) +
                             " of " + std::to_string(h_.dim) + " values");
    }
    fail(row_label(row_, word_) + ": expected " + std::to_string(h_.dim) + " values, got " +
         std::to_string(values));
  }

  // Reads a number token that starts with first (already consumed).
  void read_number(char first, std::size_t index) {
    number_.assign(1, first);
    in_.append_until(is_whitespace, number_, kMaxNumberBytes + 1);
    if (number_.size() > kMaxNumberBytes) {
      fail_value(index, quote(number_),
                 "is not a number (longer than " + std::to_string(kMaxNumberBytes) + " bytes)");
    }
  }

  float parse_value(std::size_t index) const {
    const char* const first = number_.data();
    const char* const last = first + number_.size();
    float v = 0;
    const auto res = std::from_chars(first, last, v);
    if (res.ptr != last || res.ec == std::errc::invalid_argument) {
      fail_value(index, quote(number_), "is not a number");
    }
    if (res.ec == std::errc::result_out_of_range) {
      // Underflow reads as the nearest float (zero or subnormal), as other readers do.
      double d = 0;
      const auto wide = std::from_chars(first, last, d);
      if (wide.ec != std::errc() || !(std::fabs(d) < std::numeric_limits<float>::max())) {
        fail_value(index, quote(number_), "is out of float range");
      }
      v = static_cast<float>(d);
    }
    check_finite(v, index, number_);
    return v;
  }

  // The matrix row for row_, growing the matrix (to at most the header's count) when it is full.
  float* row_to_fill() {
    const std::size_t r = static_cast<std::size_t>(row_ - 1);
    Matrix& m = out_.vectors;
    if (r >= m.rows()) {
      const std::size_t dim = static_cast<std::size_t>(h_.dim);
      const std::size_t row_bytes =
          (dim + kRowAlignFloats - 1) / kRowAlignFloats * kRowAlignFloats * sizeof(float);
      const std::size_t first = std::max<std::size_t>(1, kInitialMatrixBytes / row_bytes);
      const std::size_t rows =
          std::min<std::size_t>(static_cast<std::size_t>(h_.count), std::max(first, 2 * m.rows()));
      Matrix grown(rows, dim);
      if (m.rows() > 0) std::memcpy(grown.data(), m.data(), m.bytes());
      m = std::move(grown);
    }
    return m.row(r);
  }

  // After the last row only whitespace may follow.
  void check_trailer() {
    while (is_whitespace(in_.peek())) in_.get();
    if (in_.peek() != Input::kEnd) {
      const char c = static_cast<char>(in_.peek());
      fail("trailing garbage after row " + std::to_string(h_.count) +
           " (the header's count): byte " + quote(std::string_view(&c, 1)) + " at offset " +
           std::to_string(in_.offset()));
    }
  }

  Input& in_;
  const Header& h_;
  WordVectors& out_;
  WordTable table_;
  std::uint64_t row_ = 0;  // 1-based, for messages
  std::string word_, number_;
  std::vector<char> bytes_;
};

// ---------------------------------------------------------------------------------------------
// Writing

void check_savable(std::span<const std::string_view> words, const Matrix& vectors) {
  if (words.empty() || words.size() > Limits::max_words || words.size() > vectors.rows()) {
    throw std::invalid_argument("vectors: cannot save " + std::to_string(words.size()) +
                                " words from a matrix of " + std::to_string(vectors.rows()) +
                                " rows");
  }
  if (vectors.cols() < 1 || vectors.cols() > Limits::max_dim) {
    throw std::invalid_argument("vectors: dimension " + std::to_string(vectors.cols()) +
                                " out of range [1, " + std::to_string(Limits::max_dim) + "]");
  }
  for (std::size_t r = 0; r < words.size(); ++r) {
    const std::string_view w = words[r];
    if (w.empty() || w.size() > Limits::max_word_bytes ||
        std::any_of(w.begin(), w.end(), is_whitespace)) {
      throw std::invalid_argument("vectors: " + row_label(r + 1, w) + ": a word must be 1 to " +
                                  std::to_string(Limits::max_word_bytes) +
                                  " bytes without whitespace");
    }
    const auto row = vectors.row_span(r);
    const auto bad =
        std::find_if(row.begin(), row.end(), [](float v) { return !std::isfinite(v); });
    if (bad != row.end()) {
      throw std::invalid_argument("vectors: " + row_label(r + 1, w) + ": value " +
                                  std::to_string(bad - row.begin() + 1) + " is not finite");
    }
  }
}

// Serialises the file into chunks of about kIoBufferBytes and hands each to write(string_view).
template <class Write>
void write_vectors(Write&& write, std::span<const std::string_view> words, const Matrix& vectors,
                   VectorsFormat format) {
  check_savable(words, vectors);
  const std::size_t dim = vectors.cols();
  std::string buf = std::to_string(words.size()) + ' ' + std::to_string(dim) + '\n';
  char number[32];
  for (std::size_t r = 0; r < words.size(); ++r) {
    const float* v = vectors.row(r);
    buf.append(words[r]);
    if (format == VectorsFormat::kBinary) {
      buf += ' ';
      const std::size_t at = buf.size();
      buf.resize(at + 4 * dim);
      for (std::size_t k = 0; k < dim; ++k) float_to_le(v[k], buf.data() + at + 4 * k);
    } else {
      for (std::size_t k = 0; k < dim; ++k) {
        buf += ' ';
        const auto res = std::to_chars(number, number + sizeof number, v[k]);  // shortest exact
        buf.append(number, res.ptr);
      }
    }
    buf += '\n';
    if (buf.size() >= kIoBufferBytes) {
      write(std::string_view(buf));
      buf.clear();
    }
  }
  write(std::string_view(buf));
}

}  // namespace

std::string_view to_string(VectorsFormat f) noexcept {
  return f == VectorsFormat::kBinary ? "binary" : "text";
}

std::optional<VectorsFormat> parse_vectors_format(std::string_view s) noexcept {
  if (s == "text") return VectorsFormat::kText;
  if (s == "binary") return VectorsFormat::kBinary;
  return std::nullopt;
}

void save_vectors(std::ostream& out, std::span<const std::string_view> words, const Matrix& vectors,
                  VectorsFormat format) {
  write_vectors(
      [&](std::string_view s) {
        out.write(s.data(), static_cast<std::streamsize>(s.size()));
        if (!out) throw std::runtime_error("vectors: cannot write to the output stream");
      },
      words, vectors, format);
  out.flush();
  if (!out) throw std::runtime_error("vectors: cannot write to the output stream");
}

void save_vectors_file(const std::string& path, std::span<const std::string_view> words,
                       const Matrix& vectors, VectorsFormat format) {
  AtomicFile file(path);
  write_vectors([&](std::string_view s) { file.write(s); }, words, vectors, format);
  file.commit();
}

WordVectors load_vectors(std::istream& in, std::uint64_t available_bytes, VectorsFormat format) {
  Input input(in, available_bytes);
  const Header h = read_header(input);
  const std::uint64_t need = min_body_bytes(h, format);
  if (input.remaining_limit() < need) {
    fail("truncated: header promises " + std::to_string(h.count) + " vectors of dimension " +
         std::to_string(h.dim) + ", which take at least " + std::to_string(need) + " bytes in " +
         std::string(to_string(format)) + " format, but only " +
         std::to_string(input.remaining_limit()) + " bytes follow the header");
  }
  WordVectors out;
  RowReader(input, h, out).read_all(format);
  return out;
}

WordVectors load_vectors_file(const std::string& path, VectorsFormat format) {
  InputFile file(path);
  try {
    return load_vectors(file.stream, file.size, format);
  } catch (const VectorsFormatError& e) {
    throw VectorsFormatError(path + ": " + e.what());
  }
}

VectorsHeader read_vectors_header(const std::string& path) {
  InputFile file(path);
  Input input(file.stream, file.size);
  try {
    const Header h = read_header(input);
    return {h.count, h.dim, file.size};
  } catch (const VectorsFormatError& e) {
    throw VectorsFormatError(path + ": " + e.what());
  }
}

VectorsFormat detect_vectors_format(const std::string& path) {
  InputFile file(path);
  Input input(file.stream, file.size);
  Header h;
  try {
    h = read_header(input);
  } catch (const VectorsFormatError& e) {
    throw VectorsFormatError(path + ": no word2vec header: " + e.what());
  }
  // Skip the first word as either format would read it.
  while (input.peek() == '\n') input.get();
  for (std::size_t n = 0; input.peek() != ' ' && input.peek() != '\t'; ++n) {
    if (input.peek() == Input::kEnd || input.peek() == '\n' || n > Limits::max_word_bytes) {
      return VectorsFormat::kText;  // not a row of either format; loading will say why
    }
    input.get();
  }
  input.get();
  // Text when the rest of the line is printable and holds exactly dim numbers. The bytes of a
  // binary row may well hold a '\n' early, so the numbers must be counted.
  const std::size_t max_line = 48 * static_cast<std::size_t>(h.dim) + 64;
  std::string line;
  for (int c = input.get(); c != Input::kEnd && c != '\n'; c = input.get()) {
    if (line.size() == max_line || !(is_space(c) || (c > ' ' && c < 0x7F))) {
      return VectorsFormat::kBinary;
    }
    line += static_cast<char>(c);
  }
  const std::vector<std::string_view> fields = split_fields(line);
  const bool all_numbers = std::all_of(fields.begin(), fields.end(), [](std::string_view f) {
    float v = 0;
    return std::from_chars(f.data(), f.data() + f.size(), v).ptr == f.data() + f.size();
  });
  return all_numbers && fields.size() == h.dim ? VectorsFormat::kText : VectorsFormat::kBinary;
}

}  // namespace w2v
