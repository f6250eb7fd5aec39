#pragma once
// Request bodies of the API, parsed strictly: unknown fields, wrong types and out-of-range
// values are ApiError 400s whose message names the field, e.g.
//   "params.dim must be an integer in [1, 4096], got 0"
//   "params.window must be an integer, got \"5\""
//   "unknown field params.dimension (known: model, loss, dim, ...)"
// Codes: "unknown_field" for unknown fields, "invalid_json" for bodies that are not a JSON
// object, "invalid_argument" for everything else (missing, wrong type, out of range).
// Integers: JSON has a single number type, so a number with an integral value written as a
// float (5.0, 1e3) is accepted as that integer; 5.5, booleans, strings and null are rejected
// ("params.window must be an integer, got 5.5"). null is never "absent": omit the field.
// params.alpha 0 means the model's default, like an omitted alpha; the result has it filled.
// params.seed is any integer in [0, 2^64 - 1].

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/analogy_method.h"
#include "core/train_params.h"

namespace w2v::proto {

inline constexpr std::size_t kMaxK = 1000;

// Parses a body as JSON: 400 invalid_json with the parser's position on failure.
nlohmann::json parse_json_body(const std::string& body);

// "params" of a job: every field optional; returns the parameters with defaults (alpha filled
// with the model's default; threads left 0 = the server's setting).
TrainParams parse_train_params(const nlohmann::json& j, const std::string& field = "params");

struct CreateJobRequest {
  std::string corpus_id;
  std::string name;  // optional model name
  TrainParams params;
};
CreateJobRequest parse_create_job(const nlohmann::json& j);

struct SimilarRequest {
  std::vector<std::string> positive, negative;
  std::size_t k = 10;
  // false: the model's HNSW index (approximate, built on first use); unset: the model's
  // "search" setting.
  std::optional<bool> exact;
};
SimilarRequest parse_similar(const nlohmann::json& j);

// PATCH /v1/models/{id}: the settings to change, at least one.
struct ModelPatch {
  std::optional<std::string> name;
  std::optional<std::string> search;  // a name of kSearchNames (proto/records.h)
};
ModelPatch parse_model_patch(const nlohmann::json& j);

struct AnalogyRequest {
  std::string a, b, c;
  std::size_t k = 10;
  AnalogyMethod method = AnalogyMethod::kAdd;  // "add" | "mul"
};
AnalogyRequest parse_analogy(const nlohmann::json& j);

// k from a query string: an integer in [1, kMaxK]; 400 naming "k" otherwise.
std::size_t parse_k(const std::string& text);

}  // namespace w2v::proto
