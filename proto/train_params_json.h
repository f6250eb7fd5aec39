#pragma once
// The job parameters in JSON, from the table of core/train/param_table.h (no parameter is
// named here): a request's "params" (strict: unknown fields, wrong types and values out of
// range are 400s naming the field), a record's params (every parameter, as to_json writes
// them), and the table itself for GET /v1/params. One reader of a parameter's value serves
// requests and records alike.

#include <nlohmann/json.hpp>
#include <string>

#include "core/train/param_table.h"

namespace w2v::proto {

// "params" of a job request: the parameters it sets, every one optional, each checked against
// the table's range; ApiError 400 naming "<field>.<name>" otherwise, e.g.
//   "params.dim must be an integer in [1, 4096], got 0"
//   "params.window must be an integer, got \"5\""
//   "unknown field params.dimension (known: model, loss, kernel, dim, ...)"
// Integers may be written as integral floats (5.0, 1e3); null is never "absent": omit the
// field. The defaults are not filled: they are settled when the job is admitted.
ParamSettings parse_train_params(const nlohmann::json& j, const std::string& field = "params");
// The parameters a request sets, as parse_train_params reads them.
nlohmann::json to_json(const ParamSettings& s);

// A job's parameters, every one (a record's "params").
nlohmann::json to_json(const TrainParams& p);
// The inverse of to_json(TrainParams), for the client and the store: every parameter required
// but those added later (read as their defaults when absent), of its kind (ranges are not
// checked: a record holds what was admitted); unknown fields are ignored (a newer server's).
// Errors (400) name "<record>: field <prefix><name>".
TrainParams train_params_from_json(const nlohmann::json& j,
                                   const std::string& record = "train params",
                                   const std::string& prefix = "");

// The table for forms (GET /v1/params): {"params": [{"name", "label", "type" ("integer" |
// "number" | "boolean" | "string"), "enum" (choices), "minimum", "maximum", "default",
// "default_rule" (when the default depends on other parameters), "zero_is_default", "flag"
// (the command lines' --name), "help"}, ...]} in the table's order.
nlohmann::json params_description();
// The JSON type a parameter of kind k is written as ("integer", "number", "boolean", "string"):
// the table's "type", and proto/openapi.yaml's.
std::string json_type_name(ParamKind k);

}  // namespace w2v::proto
