// Reading word2vec vector files (core/io/vectors_io.h): the rows, and what an import looks at
// first (the header, the format).

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/io/vectors_input.h"
#include "core/io/vectors_io.h"
#include "core/text/word_table.h"

namespace w2v {
namespace {

using namespace vectors_internal;

constexpr std::size_t kMaxNumberBytes = 256;
// What loading allocates before rows are read: words, and bytes of matrix.
constexpr std::size_t kInitialRows = 1024;
constexpr std::size_t kInitialMatrixBytes = 1 << 20;

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

}  // namespace

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
