// Fuzzes the word2vec text vectors reader (what model import reads). Property: whatever parses
// writes back to bytes that parse to the same words and bit-identical values, and writing those
// again gives the same bytes (the writer's output is a fixed point of read-then-write).
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "core/vectors_io.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace w2v;
constexpr VectorsFormat kFormat = VectorsFormat::kText;

std::string write(const WordVectors& v) {
  const std::vector<std::string_view> words(v.words.begin(), v.words.end());
  std::ostringstream out;
  save_vectors(out, words, v.vectors, kFormat);
  return std::move(out).str();
}

WordVectors read(const std::string& bytes) {
  std::istringstream in(bytes);
  return load_vectors(in, bytes.size(), kFormat);
}

bool same_values(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (std::size_t r = 0; r < a.rows(); ++r) {
    if (std::memcmp(a.row(r), b.row(r), a.cols() * sizeof(float)) != 0) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  WordVectors parsed;
  try {
    parsed = read(std::string(fuzz::as_text(data, size)));
  } catch (const VectorsFormatError&) {
    return 0;
  }
  FUZZ_CHECK(parsed.vectors.rows() == parsed.words.size());
  const std::string written = write(parsed);
  const WordVectors again = read(written);
  FUZZ_CHECK(again.words == parsed.words);
  FUZZ_CHECK(same_values(again.vectors, parsed.vectors));
  FUZZ_CHECK(write(again) == written);
  return 0;
}
