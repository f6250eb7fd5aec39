#include "core/io/vectors_io.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/sanitizers.h"
#include "support/temp_dir.h"

namespace w2v {
namespace {

// Whether s contains part, printing both when it does not.
::testing::AssertionResult Contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << s << "\" does not contain \"" << part << "\"";
}

// A fresh path in a directory removed when the tests end.
std::string temp_path(const std::string& name) {
  static const testing::TempDir dir("vectors-io");
  static int serial = 0;
  return dir.file(std::to_string(serial++) + "_" + name);
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

WordVectors load_string(const std::string& s, VectorsFormat format) {
  std::istringstream in(s);
  return load_vectors(in, s.size(), format);
}

std::string save_string(const std::vector<std::string>& words, const Matrix& m,
                        VectorsFormat format) {
  std::vector<std::string_view> views(words.begin(), words.end());
  std::ostringstream out;
  save_vectors(out, views, m, format);
  return out.str();
}

// The message of the VectorsFormatError that loading s throws ("" when it loads).
std::string load_error(const std::string& s, VectorsFormat format) {
  try {
    load_string(s, format);
  } catch (const VectorsFormatError& e) {
    return e.what();
  }
  return "";
}

// Little-endian bytes of a float, as word2vec writes them.
std::string le(float v) {
  const auto bits = std::bit_cast<std::uint32_t>(v);
  std::string out(4, '\0');
  for (int k = 0; k < 4; ++k) out[k] = static_cast<char>((bits >> (8 * k)) & 0xFF);
  return out;
}

std::string binary_row(const std::string& word, const std::vector<float>& values) {
  std::string out = word + ' ';
  for (float v : values) out += le(v);
  return out + '\n';
}

// Random floats of every kind: signs, subnormals, tiny, large, extremes, zeroes.
Matrix random_matrix(std::size_t rows, std::size_t cols, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-140, 127);
  const float specials[] = {0.0f,
                            -0.0f,
                            std::numeric_limits<float>::denorm_min(),
                            -std::numeric_limits<float>::min(),
                            std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::lowest(),
                            1e-30f,
                            -3.3e37f,
                            0.1f,
                            1.0f / 3.0f};
  Matrix m(rows, cols);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      float v = i < std::size(specials) ? specials[i] : unit(gen);
      if (i >= std::size(specials) && i % 3 == 0) v = std::ldexp(v, exponent(gen));
      m.row(r)[c] = std::isfinite(v) ? v : 1.0f;
    }
  }
  return m;
}

std::vector<std::string> test_words(std::size_t n) {
  std::vector<std::string> words = {"the", "caf\xc3\xa9", "\xff\xfe", std::string("nul\0in", 6),
                                    "\xe4\xb8\xad\xe6\x96\x87"};
  for (std::size_t i = words.size(); i < n; ++i) words.push_back("w" + std::to_string(i));
  words.resize(n);
  return words;
}

void expect_bit_exact(const Matrix& want, const WordVectors& got, std::size_t rows) {
  ASSERT_EQ(got.vectors.rows(), rows);
  ASSERT_EQ(got.vectors.cols(), want.cols());
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < want.cols(); ++c) {
      ASSERT_EQ(std::bit_cast<std::uint32_t>(want.row(r)[c]),
                std::bit_cast<std::uint32_t>(got.vectors.row(r)[c]))
          << "row " << r << " col " << c << ": " << want.row(r)[c] << " vs "
          << got.vectors.row(r)[c];
    }
    for (std::size_t c = want.cols(); c < got.vectors.stride(); ++c) {
      ASSERT_EQ(got.vectors.row(r)[c], 0.0f) << "padding of row " << r;
    }
  }
}

class VectorsRoundTrip : public ::testing::TestWithParam<VectorsFormat> {};

TEST_P(VectorsRoundTrip, StreamIsBitExact) {
  const std::vector<std::string> words = test_words(40);
  const Matrix m = random_matrix(words.size(), 37, 7);
  const WordVectors got = load_string(save_string(words, m, GetParam()), GetParam());
  EXPECT_EQ(got.words, words);
  expect_bit_exact(m, got, words.size());
}

TEST_P(VectorsRoundTrip, FileIsBitExactAndDetected) {
  const std::vector<std::string> words = test_words(300);
  const Matrix m = random_matrix(words.size() + 5, 100, 11);  // extra rows are not written
  const std::vector<std::string_view> views(words.begin(), words.end());
  const std::string path = temp_path("roundtrip");
  save_vectors_file(path, views, m, GetParam());
  EXPECT_EQ(detect_vectors_format(path), GetParam());
  const WordVectors got = load_vectors_file(path, GetParam());
  EXPECT_EQ(got.words, words);
  expect_bit_exact(m, got, words.size());
  std::filesystem::remove(path);
}

TEST_P(VectorsRoundTrip, SingleValue) {
  Matrix m(1, 1);
  m.row(0)[0] = -2.5e-3f;
  const WordVectors got = load_string(save_string({"x"}, m, GetParam()), GetParam());
  expect_bit_exact(m, got, 1);
}

INSTANTIATE_TEST_SUITE_P(Formats, VectorsRoundTrip,
                         ::testing::Values(VectorsFormat::kText, VectorsFormat::kBinary),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(VectorsIo, WritesWord2vecText) {
  Matrix m(2, 3);
  const float values[2][3] = {{0.1f, -1.0f, 2.5e-3f}, {3.0f, 1e20f, -0.0f}};
  for (int r = 0; r < 2; ++r) std::copy(values[r], values[r] + 3, m.row(r));
  EXPECT_EQ(save_string({"a", "bb"}, m, VectorsFormat::kText),
            "2 3\na 0.1 -1 0.0025\nbb 3 1e+20 -0\n");
}

TEST(VectorsIo, WritesWord2vecBinary) {
  Matrix m(2, 2);
  m.row(0)[0] = 1.0f;
  m.row(0)[1] = -2.0f;
  m.row(1)[0] = 0.5f;
  m.row(1)[1] = 0.0f;
  const std::string expected(
      "2 2\na \x00\x00\x80\x3f\x00\x00\x00\xc0\nbb \x00\x00\x00\x3f\x00\x00\x00\x00\n",
      4 + 11 + 12);
  EXPECT_EQ(save_string({"a", "bb"}, m, VectorsFormat::kBinary), expected);
}

TEST(VectorsIo, LoadsHandWrittenText) {
  const WordVectors v =
      load_string("3 2\nthe 0.1 0.2\nof -1 2.5e-3\nand 3 4 \n", VectorsFormat::kText);
  ASSERT_EQ(v.words, (std::vector<std::string>{"the", "of", "and"}));
  ASSERT_EQ(v.vectors.rows(), 3u);
  ASSERT_EQ(v.vectors.cols(), 2u);
  EXPECT_EQ(v.vectors.row(0)[0], 0.1f);
  EXPECT_EQ(v.vectors.row(0)[1], 0.2f);
  EXPECT_EQ(v.vectors.row(1)[0], -1.0f);
  EXPECT_EQ(v.vectors.row(1)[1], 2.5e-3f);
  EXPECT_EQ(v.vectors.row(2)[0], 3.0f);
  EXPECT_EQ(v.vectors.row(2)[1], 4.0f);
}

TEST(VectorsIo, TextAcceptsTabsCrlfMissingFinalNewlineAndTrailingBlankLines) {
  const WordVectors v = load_string("2 3\r\nx\t1\t2 \t3\r\ny .5 1. 1E2", VectorsFormat::kText);
  ASSERT_EQ(v.words, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(v.vectors.row(0)[2], 3.0f);
  EXPECT_EQ(v.vectors.row(1)[0], 0.5f);
  EXPECT_EQ(v.vectors.row(1)[2], 100.0f);
  EXPECT_NO_THROW(load_string("1 1\na 1\n\n  \n\t\n", VectorsFormat::kText));
}

TEST(VectorsIo, TextUnderflowReadsAsZero) {
  const WordVectors v = load_string("1 2\na 1e-50 -1e-60\n", VectorsFormat::kText);
  EXPECT_EQ(v.vectors.row(0)[0], 0.0f);
  EXPECT_EQ(v.vectors.row(0)[1], 0.0f);
  EXPECT_TRUE(std::signbit(v.vectors.row(0)[1]));
}

TEST(VectorsIo, LoadsHandWrittenBinary) {
  // Built byte by byte: 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0, 0.5f = 00 00 00 3f.
  std::string file = "3 2\n";
  file += "one ";
  file += std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8);
  file += "\n";
  file += "\n\ntwo ";  // extra newlines before a word are skipped, as gensim does
  file += std::string("\x00\x00\x00\x3f\x00\x00\x80\x3f", 8);
  file += "three ";  // no newline after the previous row
  file += std::string("\x00\x00\x00\xc0\x00\x00\x00\x00", 8);
  const WordVectors v = load_string(file, VectorsFormat::kBinary);
  ASSERT_EQ(v.words, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(v.vectors.row(0)[0], 1.0f);
  EXPECT_EQ(v.vectors.row(0)[1], -2.0f);
  EXPECT_EQ(v.vectors.row(1)[0], 0.5f);
  EXPECT_EQ(v.vectors.row(1)[1], 1.0f);
  EXPECT_EQ(v.vectors.row(2)[0], -2.0f);
  EXPECT_EQ(v.vectors.row(2)[1], 0.0f);
}

TEST(VectorsIo, FormatNames) {
  EXPECT_EQ(to_string(VectorsFormat::kText), "text");
  EXPECT_EQ(to_string(VectorsFormat::kBinary), "binary");
  EXPECT_EQ(parse_vectors_format("text"), VectorsFormat::kText);
  EXPECT_EQ(parse_vectors_format("binary"), VectorsFormat::kBinary);
  EXPECT_EQ(parse_vectors_format("bin"), std::nullopt);
  EXPECT_EQ(parse_vectors_format(""), std::nullopt);
}

TEST(VectorsIo, DetectsFormat) {
  const std::string text = temp_path("detect_text");
  write_file(text, "2 3\nthe 0.1 -2 3e5\nof 1 2 3\n");
  EXPECT_EQ(detect_vectors_format(text), VectorsFormat::kText);

  // The first float's first byte is '\n' (0x3f800a0a ~ 1.0000012): still binary.
  const std::string binary = temp_path("detect_binary");
  write_file(binary, "1 3\nthe " + le(std::bit_cast<float>(0x3f800a0au)) + le(1.0f) + le(2.0f));
  EXPECT_EQ(detect_vectors_format(binary), VectorsFormat::kBinary);
  EXPECT_NO_THROW(load_vectors_file(binary, VectorsFormat::kBinary));

  // d = 1 with printable float bytes: "abcd" is not a number, so binary.
  const std::string printable = temp_path("detect_printable");
  write_file(printable, "1 1\nw abcd\n");
  EXPECT_EQ(detect_vectors_format(printable), VectorsFormat::kBinary);

  const std::string empty = temp_path("detect_empty");
  write_file(empty, "");
  EXPECT_THROW(detect_vectors_format(empty), VectorsFormatError);
  const std::string no_header = temp_path("detect_no_header");
  write_file(no_header, "hello world\n");
  EXPECT_THROW(detect_vectors_format(no_header), VectorsFormatError);
  EXPECT_THROW(detect_vectors_format(temp_path("missing")), std::runtime_error);

  for (const auto& p : {text, binary, printable, empty, no_header}) std::filesystem::remove(p);
}

TEST(VectorsIo, SaveFileIsAtomicAndLeavesNoTemporaryFiles) {
  const std::string dir = temp_path("dir");
  std::filesystem::create_directory(dir);
  const std::string path = dir + "/vectors.txt";
  Matrix m(1, 2);
  const std::vector<std::string_view> words = {"a"};
  save_vectors_file(path, words, m, VectorsFormat::kText);
  EXPECT_EQ(read_file(path), "1 2\na 0 0\n");
  const std::vector<std::string_view> bad = {"a b"};
  EXPECT_THROW(save_vectors_file(path, bad, m, VectorsFormat::kText), std::invalid_argument);
  EXPECT_EQ(read_file(path), "1 2\na 0 0\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
  std::filesystem::remove_all(dir);
}

TEST(VectorsIo, SaveRejectsWhatCouldNotBeLoaded) {
  Matrix m(2, 2);
  std::ostringstream out;
  const auto save = [&](std::vector<std::string_view> words) {
    save_vectors(out, words, m, VectorsFormat::kBinary);
  };
  EXPECT_THROW(save({}), std::invalid_argument);
  EXPECT_THROW(save({"a", "b", "c"}), std::invalid_argument);  // more words than rows
  EXPECT_THROW(save({""}), std::invalid_argument);
  EXPECT_THROW(save({"a\tb"}), std::invalid_argument);
  EXPECT_THROW(save({"a\n"}), std::invalid_argument);
  m.row(1)[1] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(save({"a", "b"}), std::invalid_argument);
  EXPECT_THROW(
      save_vectors(out, std::vector<std::string_view>{"a"}, Matrix(1, 0), VectorsFormat::kText),
      std::invalid_argument);
}

TEST(VectorsIo, SaveReportsStreamFailure) {
  Matrix m(1, 1);
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_THROW(save_vectors(out, std::vector<std::string_view>{"a"}, m, VectorsFormat::kText),
               std::runtime_error);
}

// ---------------------------------------------------------------------------------------------
// Malformed input: every case throws VectorsFormatError saying what and where.

struct Bad {
  const char* name;
  std::string input;
  VectorsFormat format;
  std::string phrase;
};

void PrintTo(const Bad& b, std::ostream* os) {
  *os << b.name;
}

class VectorsMalformed : public ::testing::TestWithParam<Bad> {};

TEST_P(VectorsMalformed, IsRejectedWithMessage) {
  const Bad& b = GetParam();
  EXPECT_TRUE(Contains(load_error(b.input, b.format), b.phrase)) << b.name;
}

constexpr auto kText = VectorsFormat::kText;
constexpr auto kBinary = VectorsFormat::kBinary;
const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

INSTANTIATE_TEST_SUITE_P(
    Cases, VectorsMalformed,
    ::testing::Values(
        Bad{"empty", "", kText, "header: the input is empty"},
        Bad{"header_no_newline", "3 2", kText, "header: no newline"},
        Bad{"header_one_field", "3\na 1\n", kText, "header: expected 'count dimension', got '3'"},
        Bad{"header_three_fields", "3 2 1\n", kText, "expected 'count dimension'"},
        Bad{"header_words", "abc def\n", kBinary, "expected 'count dimension', got 'abc def'"},
        Bad{"header_negative", "-3 2\n", kText, "expected 'count dimension'"},
        Bad{"header_suffix", "3 2x\n", kText, "expected 'count dimension'"},
        Bad{"header_overflow", "99999999999999999999999 2\n", kText, "expected 'count dimension'"},
        Bad{"header_too_long", std::string(200, '1') + "\n", kText, "longer than 128 bytes"},
        Bad{"dim_zero", "1 0\na\n", kText, "header: dimension 0 out of range [1, 10000]"},
        Bad{"dim_large", "1 10001\n", kBinary, "header: dimension 10001 out of range [1, 10000]"},
        Bad{"count_zero", "0 5\n", kText, "header: vector count 0 out of range [1, 100000000]"},
        Bad{"count_large", "100000001 1\n", kText, "vector count 100000001 out of range"},
        Bad{"header_lies_text", "1000 100\nthe 1 2\n", kText,
            "truncated: header promises 1000 vectors of dimension 100"},
        Bad{"header_lies_binary", "10 2\na " + le(1) + le(2) + "\n", kBinary,
            "truncated: header promises 10 vectors of dimension 2"},
        Bad{"text_missing_rows", "3 2\nthe 0.1 0.2\nof 1 2\n", kText,
            "truncated: header promises 3 vectors, input ends after 2"},
        Bad{"text_cut_in_row", "2 2\nthe 0.1 0.2\nof 1", kText,
            "truncated: header promises 2 vectors, input ends in row 2 (word 'of') after 1 of 2"},
        Bad{"binary_missing_rows",
            "3 1\n" + binary_row("a", {1}) + binary_row("b", {2}) + std::string(6, '\n'), kBinary,
            "truncated: header promises 3 vectors, input ends after 2"},
        Bad{"binary_cut_in_vector",
            "2 2\n" + binary_row("aaaa", {1, 2}) + "b " + le(3) + "\x01\x02", kBinary,
            "input ends in row 2 (word 'b') after 6 of 8 vector bytes"},
        Bad{"binary_cut_in_word", "2 1\n" + binary_row("a", {1}) + "bcdefgh", kBinary,
            "input ends in row 2 inside the word 'bcdefgh'"},
        Bad{"text_too_few", "2 2\nthe 0.1 0.2\nof 1\nx", kText,
            "row 2 (word 'of'): expected 2 values, got 1"},
        Bad{"text_too_many", "2 2\nthe 0.1 0.2 0.3\nof 1 2\n", kText,
            "row 1 (word 'the'): expected 2 values, got 3"},
        Bad{"text_word_only", "1 2\nthere\n", kText,
            "row 1 (word 'there'): expected 2 values, got 0"},
        Bad{"text_bad_number", "1 2\nfoo 0.1 0.2x\n", kText,
            "row 1 (word 'foo'): value 2 '0.2x' is not a number"},
        Bad{"text_word_as_number", "1 1\nfoo bar\n", kText, "value 1 'bar' is not a number"},
        Bad{"text_plus", "1 1\nfoo +1\n", kText, "is not a number"},
        Bad{"text_hex", "1 1\nfoo 0x10\n", kText, "is not a number"},
        Bad{"text_long_number", "1 1\nfoo " + std::string(300, '1') + "\n", kText,
            "is not a number (longer than 256 bytes)"},
        Bad{"text_overflow", "1 1\nfoo 1e39\n", kText, "value 1 '1e39' is out of float range"},
        Bad{"text_nan", "2 2\nthe 0.1 0.2\nfoo nan 1\n", kText,
            "row 2 (word 'foo'): value 1 'nan' is not finite"},
        Bad{"text_inf", "1 2\nfoo 1 -inf\n", kText, "value 2 '-inf' is not finite"},
        Bad{"binary_nan", "1 2\n" + binary_row("foo", {1, kNaN}), kBinary,
            "row 1 (word 'foo'): value 2 (nan) is not finite"},
        Bad{"binary_inf", "1 1\n" + binary_row("foo", {-kInf}), kBinary, "(inf) is not finite"},
        Bad{"text_duplicate", "3 1\na 1\nb 2\na 3\n", kText,
            "row 3 (word 'a'): duplicate word, first seen in row 1"},
        Bad{"binary_duplicate",
            "2 1\n" + binary_row("\xc3\xa9t\xc3\xa9", {1}) + binary_row("\xc3\xa9t\xc3\xa9", {2}),
            kBinary, "row 2 (word '\xc3\xa9t\xc3\xa9'): duplicate word"},
        Bad{"text_long_word", "1 1\n" + std::string(5000, 'w') + " 1\n", kText,
            "row 1: word longer than 4096 bytes"},
        Bad{"binary_long_word", "1 1\n" + binary_row(std::string(5000, 'w'), {1}), kBinary,
            "row 1: word longer than 4096 bytes"},
        Bad{"text_empty_word", "1 2\n 0.1 0.2\n", kText, "row 1: empty word"},
        Bad{"text_empty_line", "2 1\na 1\n\nb 2\n", kText, "row 2: empty line"},
        Bad{"binary_empty_word", "1 1\n " + le(1) + "\n", kBinary, "row 1: empty word"},
        Bad{"binary_tab_in_word", "1 1\n" + binary_row("a\tb", {1}), kBinary,
            "row 1 (word 'a\\x09b'): whitespace byte '\\x09' inside the word"},
        Bad{"text_trailing", "1 1\na 1\nb 2\n", kText, "trailing garbage after row 1"},
        Bad{"binary_trailing", "1 1\n" + binary_row("a", {1}) + "\n\x01", kBinary,
            "trailing garbage after row 1 (the header's count): byte '\\x01' at offset 12"},
        Bad{"quotes_invalid_utf8", "2 1\n\xff\xc3 1\n\xff\xc3 1\n", kText,
            "(word '\\xff\\xc3'): duplicate word"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(VectorsIo, LyingHeaderThrowsQuicklyWithoutAllocating) {
  const std::string file = "100000000 10000\na 1\n";  // 20 bytes
  ASSERT_EQ(file.size(), 20u);
  const auto start = std::chrono::steady_clock::now();
  for (const auto format : {kText, kBinary}) {
    EXPECT_TRUE(Contains(load_error(file, format),
                         "truncated: header promises 100000000 vectors of dimension 10000"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(VectorsIo, ReadsNoFurtherThanAvailableBytes) {
  const std::string s = "2 1\na 1\nb 2\n";
  std::istringstream in(s);
  try {
    load_vectors(in, s.size() - 5, kText);  // "b 2\n" and one byte of "a 1\n" are out of reach
    FAIL() << "expected an error";
  } catch (const VectorsFormatError& e) {
    EXPECT_TRUE(Contains(e.what(), "truncated"));
  }
}

TEST(VectorsIo, FileErrorsNameThePath) {
  const std::string path = temp_path("dup");
  write_file(path, "2 1\na 1\na 2\n");
  try {
    load_vectors_file(path, kText);
    FAIL() << "expected an error";
  } catch (const VectorsFormatError& e) {
    EXPECT_TRUE(Contains(e.what(), path));
    EXPECT_TRUE(Contains(e.what(), "duplicate word"));
  }
  std::filesystem::remove(path);
  EXPECT_THROW(load_vectors_file(path, kText), std::runtime_error);
}

TEST(VectorsIo, LongWordInMessageIsCut) {
  const std::string word(4000, 'x');
  const std::string msg = load_error("2 1\n" + word + " 1\n" + word + " 2\n", kText);
  EXPECT_TRUE(Contains(msg, "duplicate word"));
  EXPECT_LT(msg.size(), 200u);
}

// A header that promises far more rows than the body holds costs no memory: in a child
// process limited to 512 MiB of address space, a header of 100 million vectors whose "file"
// is said to be 400 MB long (enough for the size check) fails on its third row with a format
// error, not bad_alloc. (The promise alone used to allocate about 10 GB.)
TEST(VectorsIo, ALyingHeaderAllocatesOnlyWhatTheRowsFill) {
  if (w2v::testing::kMemorySanitized) GTEST_SKIP() << w2v::testing::kMemoryMeasureUnderSanitizer;
  for (const VectorsFormat format : {VectorsFormat::kText, VectorsFormat::kBinary}) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      rlimit limit{512u << 20, 512u << 20};
      ::setrlimit(RLIMIT_AS, &limit);
      std::string body = "100000000 1\n";
      if (format == VectorsFormat::kText) {
        body += "alpha 0.5\nbeta 0.25\n";
      } else {
        const float v = 0.5f;
        for (const char* w : {"alpha", "beta"}) {
          body += std::string(w) + ' ';
          body.append(reinterpret_cast<const char*>(&v), sizeof v);
          body += '\n';
        }
      }
      std::istringstream in(body);
      try {
        load_vectors(in, 900'000'000, format);
      } catch (const VectorsFormatError&) {
        std::_Exit(0);
      } catch (const std::bad_alloc&) {
        std::_Exit(2);
      } catch (...) {
        std::_Exit(3);
      }
      std::_Exit(4);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << to_string(format);
    EXPECT_EQ(WEXITSTATUS(status), 0) << to_string(format) << " (2: bad_alloc)";
  }
}

}  // namespace
}  // namespace w2v
