// Fuzzes POST /v1/models/{id}/analogy bodies (parse_analogy). Property: an accepted request
// written back as JSON (proto::to_json, what the client sends) parses to an equal request.
#include "fuzz/json_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using w2v::proto::AnalogyRequest;
  w2v::fuzz::check_json_request(
      data, size, w2v::proto::parse_analogy,
      [](const AnalogyRequest& r) {
        FUZZ_CHECK(r.k >= 1 && r.k <= w2v::proto::kMaxK);
        return w2v::proto::to_json(r);
      },
      [](const AnalogyRequest& a, const AnalogyRequest& b) {
        return a.a == b.a && a.b == b.b && a.c == b.c && a.k == b.k && a.method == b.method;
      });
  return 0;
}
