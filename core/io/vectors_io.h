#pragma once
// word2vec's vector file formats, as word2vec, gensim and fastText's tools read and write them.
//   text:   "V d\n" then per word "word v1 v2 ... vd\n"
//   binary: "V d\n" then per word "word " + d little-endian float32 + "\n"
// Rows are written in the order given (the vocabulary's: most frequent first). Text values use
// the shortest representation that reads back to the same float, so both formats round-trip
// exactly. Loading accepts what those tools write (a trailing space before the newline in text,
// a missing newline after a binary row) and rejects anything else with a VectorsFormatError that
// says what and where. It never trusts the header for memory: what it allocates grows with the
// rows actually read (at most twice what they fill), so a lying header costs nothing.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/matrix.h"

namespace w2v {

enum class VectorsFormat { kText, kBinary };
std::string_view to_string(VectorsFormat f) noexcept;  // "text" | "binary"
std::optional<VectorsFormat> parse_vectors_format(std::string_view s) noexcept;

struct VectorsLimits {
  static constexpr std::uint64_t max_words = 100'000'000;
  static constexpr std::uint64_t max_dim = 10'000;
  static constexpr std::size_t max_word_bytes = 4096;
};

class VectorsFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct WordVectors {
  std::vector<std::string> words;
  Matrix vectors;  // words.size() × dim
};

// Writes rows [0, words.size()) of vectors. Throws std::runtime_error if the stream fails.
void save_vectors(std::ostream& out, std::span<const std::string_view> words, MatrixView vectors,
                  VectorsFormat format);
void save_vectors_file(const std::string& path, std::span<const std::string_view> words,
                       MatrixView vectors, VectorsFormat format);  // atomic (AtomicFile)

// Reads a whole vectors file from in, of which at most available_bytes remain (the file size:
// the header is checked against it before anything is allocated). Duplicate words, a count or
// dimension out of VectorsLimits, truncation, unparsable numbers, non-finite values, rows of the
// wrong length and trailing garbage are errors.
WordVectors load_vectors(std::istream& in, std::uint64_t available_bytes, VectorsFormat format);
WordVectors load_vectors_file(const std::string& path, VectorsFormat format);

// The header of a vectors file, checked against VectorsLimits (not against the body), and the
// file's size: what an import is admitted on before it is loaded.
struct VectorsHeader {
  std::uint64_t count = 0;
  std::uint64_t dim = 0;
  std::uint64_t file_bytes = 0;
};
VectorsHeader read_vectors_header(const std::string& path);

// Guesses the format from the first bytes after the header: binary when the first row's bytes
// after the word are not all printable text. Throws VectorsFormatError when there is no header.
VectorsFormat detect_vectors_format(const std::string& path);

}  // namespace w2v
