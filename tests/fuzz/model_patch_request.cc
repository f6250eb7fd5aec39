// Fuzzes PATCH /v1/models/{id} bodies (parse_model_patch). Property: an accepted patch written
// back as JSON (proto::to_json, what the client sends) parses to an equal patch.
#include "fuzz/json_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using w2v::proto::ModelPatch;
  w2v::fuzz::check_json_request(
      data, size, w2v::proto::parse_model_patch,
      [](const ModelPatch& p) { return w2v::proto::to_json(p); },
      [](const ModelPatch& a, const ModelPatch& b) {
        return a.name == b.name && a.search == b.search;
      });
  return 0;
}
