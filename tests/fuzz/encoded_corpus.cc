// Fuzzes the encoded-corpus reader (the id stream a job trains from, memory-mapped). Properties:
// what opens has exactly the entries the file holds after its header, every one readable, and
// no more vocabulary words than entries.
#include "core/vocab/encoded_corpus.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const w2v::fuzz::MemoryFile file(w2v::fuzz::as_text(data, size));
  w2v::EncodedCorpus corpus;
  try {
    corpus = w2v::EncodedCorpus::open(file.path());
  } catch (const std::runtime_error&) {
    return 0;
  }
  constexpr std::size_t kHeaderBytes = 24;
  const auto ids = corpus.ids();
  FUZZ_CHECK(kHeaderBytes + ids.size() * sizeof(std::uint32_t) == size);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::uint32_t expected;
    std::memcpy(&expected, data + kHeaderBytes + i * sizeof expected, sizeof expected);
    FUZZ_CHECK(ids[i] == expected);
  }
  FUZZ_CHECK(corpus.words() <= ids.size());
  return 0;
}
