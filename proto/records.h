#pragma once
// The records the API returns for corpora, jobs and models, and their JSON mapping. Words and
// names pass through json_string() (invalid UTF-8 replaced), so output never throws.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/enum_names.h"
#include "core/train/train_params.h"
#include "core/vocab/vocabulary_mode.h"
#include "proto/train_params_json.h"

namespace w2v::proto {

struct CorpusRecord {
  std::string id;
  std::string name;
  std::uint64_t bytes = 0;  // of the (decompressed) text
  std::uint64_t tokens = 0;
  std::uint64_t sentences = 0;
  std::uint64_t distinct_words = 0;
  std::string created_at;  // RFC 3339 UTC, e.g. "2026-11-21T14:20:00.123Z"
  // Why its files cannot be used (missing, truncated: found at start-up); none when they can.
  // JSON: "state" ("ready" | "broken") and "error".
  std::optional<std::string> broken;
  std::string_view state() const noexcept { return broken ? "broken" : "ready"; }
};

struct JobProgress {
  int epoch = 0;
  int epochs = 0;
  std::uint64_t words_done = 0;
  std::uint64_t words_total = 0;
  double fraction = 0;
  double words_per_sec = 0;
  double loss = 0;
  double alpha = 0;
  double eta_seconds = 0;
};

enum class JobStatus { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
inline constexpr EnumName<JobStatus> kJobStatusNames[] = {
    {JobStatus::kQueued, "queued"},       {JobStatus::kRunning, "running"},
    {JobStatus::kSucceeded, "succeeded"}, {JobStatus::kFailed, "failed"},
    {JobStatus::kCancelled, "cancelled"},
};
std::string_view to_string(JobStatus s) noexcept;  // "queued", "running", ...
std::optional<JobStatus> parse_job_status(std::string_view s) noexcept;
inline bool is_terminal(JobStatus s) noexcept {
  return s == JobStatus::kSucceeded || s == JobStatus::kFailed || s == JobStatus::kCancelled;
}

struct JobRecord {
  std::string id;
  std::string corpus_id;
  std::string name;  // the model's name when it succeeds ("" : the corpus name)
  JobStatus status = JobStatus::kQueued;
  TrainParams params;  // with defaults filled
  JobProgress progress;
  std::optional<std::string> model_id;
  std::optional<std::string> error;
  std::string created_at;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
  int attempts = 0;                          // times it started running (more than 1: resumed)
  std::optional<int> resumed_from_epoch;     // the checkpoint epoch the last attempt resumed from
  std::optional<std::string> init_model;     // continued training: the model it starts from
  std::optional<VocabularyMode> vocabulary;  // with init_model (JSON: "extend" | "keep")
  int ranks = 1;  // MPI ranks it trains on (1: in the daemon's process; docs/distributed.md)
};

// How /similar searches a model by default (ModelRecord::search, PATCH /v1/models/{id}).
enum class SearchMode { kExact, kApproximate };
inline constexpr EnumName<SearchMode> kSearchNames[] = {
    {SearchMode::kExact, "exact"},
    {SearchMode::kApproximate, "approximate"},
};

// Where a model's vectors came from.
enum class ModelSource { kTrained, kImported };
inline constexpr EnumName<ModelSource> kModelSourceNames[] = {
    {ModelSource::kTrained, "trained"},
    {ModelSource::kImported, "imported"},
};

// What a model keeps: kFull, the vectors and what training further needs (output weights, word
// counts); kVectorsOnly, imported, or trained before w2vd kept the rest.
enum class ModelWeights { kFull, kVectorsOnly };
inline constexpr EnumName<ModelWeights> kModelWeightsNames[] = {
    {ModelWeights::kFull, "full"},
    {ModelWeights::kVectorsOnly, "vectors_only"},
};

// A model's approximate-search (HNSW) index, as its record and exact=false answers show it
// (JSON: {"state", "progress", "error"}): none (never asked for, or deleted with its model),
// loading (from its file), building (progress: the fraction of the words inserted), ready
// (built: in memory, or in its file for the next query to load) or failed (error says why;
// setting the model's search to approximate, or a restart, tries again).
enum class IndexState { kNone, kLoading, kBuilding, kReady, kFailed };
inline constexpr EnumName<IndexState> kIndexStateNames[] = {
    {IndexState::kNone, "none"},         {IndexState::kLoading, "loading"},
    {IndexState::kBuilding, "building"}, {IndexState::kReady, "ready"},
    {IndexState::kFailed, "failed"},
};
struct IndexStatus {
  IndexState state = IndexState::kNone;
  double progress = 0;               // 0 to 1, while building
  std::optional<std::string> error;  // when failed
};

struct ModelRecord {
  std::string id;
  std::optional<std::string> job_id;  // none for imported models
  std::string name;
  std::uint64_t vocab_size = 0;
  int dim = 0;
  std::optional<TrainParams> params;  // none for imported models
  nlohmann::json evaluation = nlohmann::json::object();
  ModelSource source = ModelSource::kTrained;
  std::string created_at;
  SearchMode search = SearchMode::kExact;  // how /similar searches it unless told
  std::optional<std::string> parent_id;    // the model its job started from (continued training)
  ModelWeights weights = ModelWeights::kVectorsOnly;
  // Why its files cannot be used (missing, truncated: found at start-up or when a load fails);
  // none when they can. JSON: "state" ("ready" | "broken") and "error".
  std::optional<std::string> broken;
  std::string_view state() const noexcept { return broken ? "broken" : "ready"; }
  // Not stored: filled in by the server when it answers (server/models/index_builder.h).
  IndexStatus index;
};

nlohmann::json to_json(const JobProgress& p);
nlohmann::json to_json(const IndexStatus& s);
nlohmann::json to_json(const CorpusRecord& r);
nlohmann::json to_json(const JobRecord& r);
nlohmann::json to_json(const ModelRecord& r);

// The inverse mappings, for the client and the store; they throw ApiError (400) naming the
// field on a missing field or a wrong type.
CorpusRecord corpus_from_json(const nlohmann::json& j);
JobProgress progress_from_json(const nlohmann::json& j);
JobRecord job_from_json(const nlohmann::json& j);
ModelRecord model_from_json(const nlohmann::json& j);
IndexStatus index_status_from_json(const nlohmann::json& j);

// The current time as RFC 3339 UTC with milliseconds.
std::string now_rfc3339();

}  // namespace w2v::proto
