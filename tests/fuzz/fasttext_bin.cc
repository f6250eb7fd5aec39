// Fuzzes fastText's .bin reader (what POST /v1/models?format=fasttext reads): whatever parses
// writes back to bytes that parse to the same model, bit for bit, and writing that again gives
// the same bytes (the writer's output is a fixed point of read-then-write).
#include "core/io/fasttext_bin.h"

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/vectors_io.h"
#include "fuzz/fuzz_support.h"

namespace {

w2v::FastTextModel read(const std::string& bytes) {
  std::istringstream in(bytes);
  return w2v::load_fasttext(in, bytes.size());
}

std::string write(const w2v::FastTextModel& m) {
  const std::vector<std::string_view> words(m.words.begin(), m.words.end());
  std::ostringstream out;
  w2v::save_fasttext(out, {m.args, words, m.counts, m.ntokens, m.input, m.output});
  return std::move(out).str();
}

bool same_rows(const w2v::Matrix& a, const w2v::Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (std::size_t r = 0; r < a.rows(); ++r) {
    if (std::memcmp(a.row(r), b.row(r), a.cols() * sizeof(float)) != 0) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  w2v::FastTextModel parsed;
  try {
    parsed = read(std::string(w2v::fuzz::as_text(data, size)));
  } catch (const w2v::VectorsFormatError&) {
    return 0;
  }
  FUZZ_CHECK(parsed.counts.size() == parsed.words.size());
  FUZZ_CHECK(parsed.input.rows() ==
             parsed.words.size() + static_cast<std::size_t>(parsed.args.bucket));
  const std::string written = write(parsed);
  const w2v::FastTextModel again = read(written);
  FUZZ_CHECK(again.words == parsed.words);
  FUZZ_CHECK(again.counts == parsed.counts);
  FUZZ_CHECK(again.ntokens == parsed.ntokens);
  FUZZ_CHECK(std::memcmp(&again.args, &parsed.args, sizeof parsed.args) == 0);
  FUZZ_CHECK(same_rows(again.input, parsed.input));
  FUZZ_CHECK(same_rows(again.output, parsed.output));
  FUZZ_CHECK(write(again) == written);
  return 0;
}
