// Fuzzes POST /v1/jobs bodies: parse_create_job and the training parameters in it. Property:
// an accepted request's parameters, settled as at admission and re-serialised (proto's
// to_json(TrainParams), what job records show), parse to equal settled parameters, and pass
// validate().
#include "fuzz/json_request.h"
#include "proto/records.h"

namespace {

using namespace w2v;

TrainParams settled(const proto::CreateJobRequest& r) {
  return settle_params(r.params.over({}));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::check_json_request(
      data, size, proto::parse_create_job,
      [](const proto::CreateJobRequest& r) {
        FUZZ_CHECK(!validate(settled(r)).has_value());
        return nlohmann::json{
            {"corpus_id", r.corpus_id}, {"name", r.name}, {"params", proto::to_json(settled(r))}};
      },
      [](const proto::CreateJobRequest& a, const proto::CreateJobRequest& b) {
        return a.corpus_id == b.corpus_id && a.name == b.name && settled(a) == settled(b);
      });
  return 0;
}
