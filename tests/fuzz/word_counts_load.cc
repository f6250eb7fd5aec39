// Fuzzes the stored word-counts reader (a corpus record's counts file). Property: what loads
// saves to bytes that load to the same counts, and saving those gives the same bytes.
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/text/word_counts.h"
#include "fuzz/fuzz_support.h"

namespace {

std::string save(const w2v::WordCounts& c) {
  std::ostringstream out;
  c.save(out);
  return std::move(out).str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in{std::string(w2v::fuzz::as_text(data, size))};
  w2v::WordCounts counts;
  try {
    counts = w2v::WordCounts::load(in);
  } catch (const std::runtime_error&) {
    return 0;
  }
  std::uint64_t sum = 0;
  for (std::uint32_t id = 0; id < counts.distinct(); ++id) sum += counts.count(id);
  FUZZ_CHECK(sum == counts.tokens());
  const std::string saved = save(counts);
  std::istringstream again_in(saved);
  const w2v::WordCounts again = w2v::WordCounts::load(again_in);
  FUZZ_CHECK(save(again) == saved);
  return 0;
}
