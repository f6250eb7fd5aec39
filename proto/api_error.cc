#include "proto/api_error.h"

#include "proto/json_text.h"

namespace w2v::proto {

std::string error_body(const std::string& code, const std::string& message) {
  return dump({{"error", {{"code", code}, {"message", json_string(message)}}}});
}

}  // namespace w2v::proto
