#include "server/jobs/continuation.h"

#include <algorithm>
#include <filesystem>
#include <string>

#include "core/io/vectors_io.h"
#include "proto/api_error.h"
#include "server/store/broken_rows.h"

namespace w2v::server {
namespace {

using proto::ApiError;

bool given(const proto::CreateJobRequest& r, std::string_view field) {
  return std::find(r.given_params.begin(), r.given_params.end(), field) != r.given_params.end();
}

// Takes the parent's value of a parameter, refusing a request that set another one.
template <class T>
void inherit(const proto::CreateJobRequest& r, const proto::ModelRecord& parent, const char* field,
             const T& parent_value, T& value, const std::string& why) {
  if (given(r, field) && value != parent_value) {
    std::string wanted, kept;
    if constexpr (std::is_same_v<T, int>) {
      wanted = std::to_string(value);
      kept = std::to_string(parent_value);
    } else {
      wanted = std::string(to_string(value));
      kept = std::string(to_string(parent_value));
    }
    throw ApiError::bad_request("params." + std::string(field) + ": init_model " + parent.id +
                                    " has " + field + " " + kept + why + "; got " + wanted +
                                    " (omit params." + field + " to keep the model's)",
                                "init_model_conflict");
  }
  value = parent_value;
}

}  // namespace

proto::ModelRecord apply_init_model(const Store& store, const proto::CreateJobRequest& request,
                                    proto::JobRecord& job) {
  const std::string& id = *request.init_model;
  auto parent = store.model(id);
  if (!parent) {
    throw ApiError::bad_request(
        "init_model: no model " + id + " (unknown or deleted); GET /v1/models lists them",
        "init_model_not_found");
  }
  refuse_if_broken(*parent);
  job.init_model = id;
  job.vocabulary = std::string(to_string(request.vocabulary));
  TrainParams& p = job.params;
  inherit(request, *parent, "dim", parent->dim, p.dim, ", the width of its vectors");
  if (parent->weights == "full" && parent->params) {
    const std::string why = " and kept the output weights it needs";
    inherit(request, *parent, "model", parent->params->model, p.model, why);
    inherit(request, *parent, "loss", parent->params->loss, p.loss, why);
  } else if (parent->params) {
    // Vectors only: the job chooses; by default, what the parent was trained with.
    if (!given(request, "model")) p.model = parent->params->model;
    if (!given(request, "loss")) p.loss = parent->params->loss;
  }
  if (!given(request, "alpha")) {
    p.alpha = 0;  // the default of the model the job ends up with
    p.alpha = p.effective_alpha();
  }
  return *parent;
}

std::uint64_t continued_vocabulary_bound(const proto::ModelRecord& parent, VocabularyMode mode,
                                         std::uint64_t words_at_min_count, std::int64_t max_vocab) {
  if (mode == VocabularyMode::kKeep) return parent.vocab_size;
  std::uint64_t bound = parent.vocab_size + words_at_min_count;
  if (max_vocab > 0) {
    bound = std::max<std::uint64_t>(
        parent.vocab_size, std::min<std::uint64_t>(bound, static_cast<std::uint64_t>(max_vocab)));
  }
  return bound;
}

ParentModel load_parent_model(const DataDir& dirs, const std::string& id) {
  const std::string vectors = dirs.model_vectors(id);
  if (!std::filesystem::exists(vectors)) {
    throw std::runtime_error("init_model " + id + " was deleted (its vectors are gone)");
  }
  ParentModel parent;
  try {
    WordVectors wv = load_vectors_file(vectors, VectorsFormat::kBinary);
    parent.words = std::move(wv.words);
    parent.input = std::move(wv.vectors);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read the vectors of init_model " + id + ": " + e.what());
  }
  // A model published with its training state has the file from the start (the model's
  // directory is renamed into place whole); without it, the model keeps its vectors only.
  const std::string state = dirs.model_training_state(id);
  if (std::filesystem::exists(state)) {
    const std::vector<std::string_view> words(parent.words.begin(), parent.words.end());
    try {
      parent.state = load_training_state(state, words, parent.input.cols());
    } catch (const std::exception& e) {
      throw std::runtime_error("init_model " + id + ": " + e.what());
    }
  }
  return parent;
}

}  // namespace w2v::server
