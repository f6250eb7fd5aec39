#include "proto/api_error.h"

#include "proto/json_text.h"

namespace w2v::proto {

ApiError not_found_error(Resource what, const std::string& id) {
  std::string noun;
  switch (what) {
    case Resource::kCorpus:
      noun = "corpus";
      break;
    case Resource::kJob:
      noun = "job";
      break;
    case Resource::kModel:
      noun = "model";
      break;
  }
  return ApiError::not_found("no " + noun + " " + id, noun + "_not_found");
}

std::string error_body(const std::string& code, const std::string& message) {
  return dump({{"error", {{"code", code}, {"message", json_string(message)}}}});
}

}  // namespace w2v::proto
