// Fuzzes the word2vec text vectors reader (what model import reads), with the round-trip
// property of tests/fuzz/vectors_round_trip.h.
#include "fuzz/vectors_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  w2v::fuzz::check_vectors_round_trip(data, size, w2v::VectorsFormat::kText);
  return 0;
}
