#pragma once
// The API's error: an HTTP status, a stable snake_case code and a message that says what is
// wrong and how to fix it. On the wire: {"error": {"code": "...", "message": "..."}}.

#include <stdexcept>
#include <string>
#include <string_view>

namespace w2v::proto {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }

  // 400 invalid_argument / invalid_json / ..., with the field or problem named in message.
  static ApiError bad_request(const std::string& message, std::string code = "invalid_argument") {
    return ApiError(400, std::move(code), message);
  }
  static ApiError not_found(const std::string& message, std::string code = "not_found") {
    return ApiError(404, std::move(code), message);
  }
  static ApiError conflict(const std::string& message, std::string code = "conflict") {
    return ApiError(409, std::move(code), message);
  }

 private:
  int status_;
  std::string code_;
};

// What an id names, for not_found_error.
enum class Resource { kCorpus, kJob, kModel };

// 404 <resource>_not_found, "no <resource> <id>": the one answer for an id that names no corpus,
// job or model (any more), wherever that is found out.
ApiError not_found_error(Resource what, const std::string& id);

// The JSON body of an error response.
std::string error_body(const std::string& code, const std::string& message);

}  // namespace w2v::proto
