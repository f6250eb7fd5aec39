#pragma once
// The vectors-file round trip both vectors targets check: whatever parses writes back to bytes
// that parse to the same words and bit-identical values, and writing those again gives the same
// bytes (the writer's output is a fixed point of read-then-write).
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/vectors_io.h"
#include "fuzz/fuzz_support.h"

namespace w2v::fuzz {

inline std::string write_vectors(const WordVectors& v, VectorsFormat format) {
  const std::vector<std::string_view> words(v.words.begin(), v.words.end());
  std::ostringstream out;
  save_vectors(out, words, v.vectors, format);
  return std::move(out).str();
}

inline WordVectors read_vectors(const std::string& bytes, VectorsFormat format) {
  std::istringstream in(bytes);
  return load_vectors(in, bytes.size(), format);
}

inline bool same_values(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (std::size_t r = 0; r < a.rows(); ++r) {
    if (std::memcmp(a.row(r), b.row(r), a.cols() * sizeof(float)) != 0) return false;
  }
  return true;
}

inline void check_vectors_round_trip(const std::uint8_t* data, std::size_t size,
                                     VectorsFormat format) {
  WordVectors parsed;
  try {
    parsed = read_vectors(std::string(as_text(data, size)), format);
  } catch (const VectorsFormatError&) {
    return;
  }
  FUZZ_CHECK(parsed.vectors.rows() == parsed.words.size());
  const std::string written = write_vectors(parsed, format);
  const WordVectors again = read_vectors(written, format);
  FUZZ_CHECK(again.words == parsed.words);
  FUZZ_CHECK(same_values(again.vectors, parsed.vectors));
  FUZZ_CHECK(write_vectors(again, format) == written);
}

}  // namespace w2v::fuzz
