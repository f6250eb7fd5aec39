// Fuzzes POST /v1/jobs bodies: parse_create_job and the training parameters in it. Property:
// an accepted request re-serialised (params through proto/records.h's to_json, what job records
// show) parses to an equal request, and its parameters pass validate().
#include "fuzz/json_request.h"
#include "proto/records.h"

namespace {

using namespace w2v;

bool equal(const TrainParams& a, const TrainParams& b) {
  return a.model == b.model && a.loss == b.loss && a.kernel == b.kernel && a.dim == b.dim &&
         a.window == b.window && a.negative == b.negative && a.min_count == b.min_count &&
         a.max_vocab == b.max_vocab && a.sample == b.sample && a.epochs == b.epochs &&
         a.alpha == b.alpha && a.threads == b.threads && a.seed == b.seed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::check_json_request(
      data, size, proto::parse_create_job,
      [](const proto::CreateJobRequest& r) {
        FUZZ_CHECK(!validate(r.params).has_value());
        return nlohmann::json{
            {"corpus_id", r.corpus_id}, {"name", r.name}, {"params", proto::to_json(r.params)}};
      },
      [](const proto::CreateJobRequest& a, const proto::CreateJobRequest& b) {
        return a.corpus_id == b.corpus_id && a.name == b.name && equal(a.params, b.params);
      });
  return 0;
}
