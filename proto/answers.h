#pragma once
// The bodies of the API's answers that are not one record (proto/records.h) or error
// (proto/api_error.h): lists of records, query results, the dashboard's data and the probes.
// The server writes every answer through these; words pass through json_string() (invalid
// UTF-8 replaced), so writing one never throws. Keys as docs/api.md and proto/openapi.yaml
// give them.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/records.h"

namespace w2v::proto {

// {"corpora": [...]}, {"jobs": [...]}, {"models": [...]}: GET /v1/corpora, /v1/jobs, /v1/models.
nlohmann::json corpora_to_json(const std::vector<CorpusRecord>& corpora);
nlohmann::json jobs_to_json(const std::vector<JobRecord>& jobs);
nlohmann::json models_to_json(const std::vector<ModelRecord>& models);

struct ScoredWord {
  std::string word;
  float score = 0;
};

// {"results": [{"word", "score"}, ...], "oov"} (/analogy), with "search": "exact" |
// "approximate" when search is set (/similar), and "index": the HNSW index's status when the
// approximate search was asked for but the index is not ready, so the answer is the exact
// search's. oov: a query word is outside the model's vocabulary, its vector composed from its
// character n-grams (a model trained with subwords).
struct NeighborsAnswer {
  std::vector<ScoredWord> results;
  std::optional<SearchMode> search;
  std::optional<IndexStatus> index;
  bool oov = false;
};
nlohmann::json to_json(const NeighborsAnswer& a);

// {"word", "vector", "oov"}: GET /v1/models/{id}/words/{word} (oov as in NeighborsAnswer).
struct WordVectorAnswer {
  std::string word;
  std::vector<float> vector;
  bool oov = false;
};
nlohmann::json to_json(const WordVectorAnswer& a);

// One requested word's part of a batch answer: what was found for it, unset when the word is
// not in the model; oov when the word is outside the vocabulary and was answered from its
// character n-grams. JSON: {"word", "found": true, "oov", <what>: ...} or
// {"word", "found": false}.
template <class T>
struct PerWord {
  std::string word;
  std::optional<T> found;
  bool oov = false;
};

// {"results": [{"word", "found", "vector": [...]}, ...]}: POST /v1/models/{id}/batch/vectors,
// one result per requested word, in order.
struct BatchVectorsAnswer {
  std::vector<PerWord<std::vector<float>>> results;
};
nlohmann::json to_json(const BatchVectorsAnswer& a);

// {"results": [{"word", "found", "neighbors": [{"word", "score"}, ...]}, ...], "search"}:
// POST /v1/models/{id}/batch/similar; "index" as in NeighborsAnswer.
struct BatchNeighborsAnswer {
  std::vector<PerWord<std::vector<ScoredWord>>> results;
  SearchMode search = SearchMode::kExact;
  std::optional<IndexStatus> index;
};
nlohmann::json to_json(const BatchNeighborsAnswer& a);

// {"similarity", "oov"}: GET /v1/models/{id}/similarity (oov as in NeighborsAnswer).
struct SimilarityAnswer {
  float similarity = 0;
  bool oov = false;
};
nlohmann::json to_json(const SimilarityAnswer& a);

// {"words": [{"word", "rank"}, ...], "more"}: the dashboard's word completion.
struct CompletionsAnswer {
  struct Word {
    std::string word;
    std::uint64_t rank = 0;  // 1 for the model's most frequent word
  };
  std::vector<Word> words;
  bool more = false;  // further words have the prefix
};
nlohmann::json to_json(const CompletionsAnswer& a);

// {"words", "x", "y", "explained": [x, y], "max_n"}: the dashboard's 2-D map of a model's words.
struct WordMapAnswer {
  std::vector<std::string> words;
  std::vector<float> x, y;
  double explained_x = 0, explained_y = 0;
  long max_n = 0;
};
nlohmann::json to_json(const WordMapAnswer& a);

// A job's progress history (server/jobs/progress_history.h's JSON) with its "job_id".
nlohmann::json job_history_to_json(nlohmann::json history, const std::string& job_id);

// The probes' bodies, keys in this order: {"status":"ok","isa":"<isa>"} and {"status":"ready"}.
std::string health_body(std::string_view isa);
std::string ready_body();

}  // namespace w2v::proto
