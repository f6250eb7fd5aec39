// Fuzzes POST /v1/models/{id}/similar bodies (parse_similar). Property: an accepted request
// written back as JSON (proto::to_json, what the client sends) parses to an equal request.
#include "fuzz/json_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using w2v::proto::SimilarRequest;
  w2v::fuzz::check_json_request(
      data, size, w2v::proto::parse_similar,
      [](const SimilarRequest& r) {
        FUZZ_CHECK(r.k >= 1 && r.k <= w2v::proto::kMaxK);
        return w2v::proto::to_json(r);
      },
      [](const SimilarRequest& a, const SimilarRequest& b) {
        return a.positive == b.positive && a.negative == b.negative && a.k == b.k &&
               a.exact == b.exact;
      });
  return 0;
}
