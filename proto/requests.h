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
// "params" is read by proto/train_params_json.h, from the table of core/train/param_table.h;
// its defaults are settled when the job is admitted, not here.

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/search/analogy_method.h"
#include "core/train/train_params.h"
#include "core/vocab/vocabulary_mode.h"
#include "proto/records.h"
#include "proto/train_params_json.h"

namespace w2v::proto {

// Bounds on what a request carries; past one, a 400 names the field and the limit.
inline constexpr std::size_t kMaxK = 1000;
inline constexpr std::size_t kMaxQueryWords = 100;       // in positive, and in negative
inline constexpr std::size_t kMaxBatchWords = 1000;      // "words" of a batch query
inline constexpr std::size_t kMaxBatchResults = 100000;  // words x k of a batch neighbours query
inline constexpr std::size_t kMaxWordBytes = 4096;       // a word (what a model file may hold)
inline constexpr std::size_t kMaxNameBytes = 200;        // a corpus, job or model name
inline constexpr std::size_t kMaxRestrict = 1u << 30;    // restrict (rows searched)
inline constexpr std::size_t kMaxQueryParameters = 16;
inline constexpr std::size_t kMaxQueryParameterBytes = 4096;  // a decoded name or value
inline constexpr int kMaxRanks = 4096;  // "ranks" of a job (the server's --max-ranks may be lower)

// A name as given (a corpus's ?name=, a job's or a model's "name"): at most kMaxNameBytes, no
// control characters (names are logged and shown). 400 naming field otherwise.
void check_name(const std::string& field, std::string_view name);
// A word to look up: non-empty and at most kMaxWordBytes. 400 naming field otherwise.
void check_word(const std::string& field, std::string_view word);
// A request's decoded query parameters: at most kMaxQueryParameters, names and values at most
// kMaxQueryParameterBytes. 400 naming the parameter and the limit otherwise.
void check_query_parameters(const std::multimap<std::string, std::string>& query);

// Parses a body as JSON: 400 invalid_json with the parser's position on failure.
nlohmann::json parse_json_body(const std::string& body);

struct CreateJobRequest {
  std::string corpus_id;
  std::string name;      // optional model name
  ParamSettings params;  // the parameters the request sets; the rest settled at admission
  // Continued training: the model to start from ("init_model") and what becomes of its
  // vocabulary ("vocabulary": "extend", the default, or "keep"; refused without init_model).
  std::optional<std::string> init_model;
  VocabularyMode vocabulary = VocabularyMode::kExtend;
  // MPI ranks to train on ("ranks", an integer in [1, kMaxRanks]; 1: a local job). The server
  // checks it against its --max-ranks and whether it has an --mpi-launcher.
  int ranks = 1;
};
CreateJobRequest parse_create_job(const nlohmann::json& j);

struct SimilarRequest {
  std::vector<std::string> positive, negative;
  std::size_t k = 10;
  // false: the model's HNSW index (approximate; exact while it is made, in the background);
  // unset: the model's "search" setting.
  std::optional<bool> exact;
};
SimilarRequest parse_similar(const nlohmann::json& j);

// PATCH /v1/models/{id}: the settings to change, at least one.
struct ModelPatch {
  std::optional<std::string> name;
  std::optional<SearchMode> search;
};
ModelPatch parse_model_patch(const nlohmann::json& j);

struct AnalogyRequest {
  std::string a, b, c;
  std::size_t k = 10;
  AnalogyMethod method = AnalogyMethod::kAdd;  // "add" | "mul"
};
AnalogyRequest parse_analogy(const nlohmann::json& j);

// POST /v1/models/{id}/batch/vectors and /batch/similar: {"words": [...]} (1 to kMaxBatchWords
// words, duplicates allowed, each answered in order), and for /batch/similar "k" (default 10)
// and "exact" as SimilarRequest has them; the words times k at most kMaxBatchResults.
struct BatchRequest {
  std::vector<std::string> words;
  std::size_t k = 10;
  std::optional<bool> exact;
};
BatchRequest parse_batch_vectors(const nlohmann::json& j);
BatchRequest parse_batch_similar(const nlohmann::json& j);

// The files a model is imported from and exported to (?format= of POST /v1/models and GET
// /v1/models/{id}/vectors): word2vec's binary and text vectors, and fastText's model file (.bin:
// with its character n-grams, what gives words outside the vocabulary a vector).
enum class ModelFileFormat { kBinary, kText, kFastText };
inline constexpr EnumName<ModelFileFormat> kModelFileFormatNames[] = {
    {ModelFileFormat::kBinary, "binary"},
    {ModelFileFormat::kText, "text"},
    {ModelFileFormat::kFastText, "fasttext"},
};
// format from a query string: binary when absent; 400 naming "format" and its values otherwise.
ModelFileFormat parse_model_file_format(const std::optional<std::string>& text);

// k from a query string: an integer in [1, kMaxK]; 400 naming "k" otherwise.
std::size_t parse_k(const std::string& text);
// restrict from a query string: an integer in [0, kMaxRestrict]; 400 naming "restrict" otherwise.
std::size_t parse_restrict(const std::string& text);

// The bodies the client sends: each the inverse of its parse_* above (what it leaves at its
// default is not written, so the server settles it).
nlohmann::json to_json(const CreateJobRequest& r);
nlohmann::json to_json(const SimilarRequest& r);
nlohmann::json to_json(const ModelPatch& p);
nlohmann::json to_json(const AnalogyRequest& r);

}  // namespace w2v::proto
