#include "server/jobs/continuation.h"

#include <algorithm>
#include <filesystem>
#include <string>

#include "core/io/vectors_io.h"
#include "core/train/param_table.h"
#include "proto/api_error.h"
#include "server/store/broken_rows.h"

namespace w2v::server {
namespace {

using proto::ApiError;

// Takes the parent's value of a parameter into base, refusing a request that set another one.
template <auto M>
void inherit(const proto::CreateJobRequest& r, const proto::ModelRecord& parent,
             const param_detail::MemberType<M>& parent_value, TrainParams& base,
             const std::string& why) {
  const ParamSpec& s = param_of<M>();
  if (const auto wanted = r.params.value<M>(); wanted && *wanted != parent_value) {
    const std::string field(s.name);
    TrainParams kept;
    kept.*M = parent_value;
    throw ApiError::bad_request("params." + field + ": init_model " + parent.id + " has " + field +
                                    " " + param_text(s, s.get(kept)) + why + "; got " +
                                    param_text(s, *r.params.get(s)) + " (omit params." + field +
                                    " to keep the model's)",
                                "init_model_conflict");
  }
  base.*M = parent_value;
}

}  // namespace

proto::ModelRecord apply_init_model(const Store& store, const proto::CreateJobRequest& request,
                                    proto::JobRecord& job, TrainParams& base) {
  const std::string& id = *request.init_model;
  auto parent = store.model(id);
  if (!parent) {
    throw ApiError::bad_request(
        "init_model: no model " + id + " (unknown or deleted); GET /v1/models lists them",
        "init_model_not_found");
  }
  refuse_if_broken(*parent);
  job.init_model = id;
  job.vocabulary = request.vocabulary;
  inherit<&TrainParams::dim>(request, *parent, parent->dim, base, ", the width of its vectors");
  if (parent->params) {
    // Its input rows are its words' and (maxn > 0) its n-grams' as these settings hash them.
    const std::string why = ", the n-gram settings its input rows were trained with";
    inherit<&TrainParams::maxn>(request, *parent, parent->params->maxn, base, why);
    inherit<&TrainParams::minn>(request, *parent, parent->params->minn, base, why);
    inherit<&TrainParams::bucket>(request, *parent, parent->params->bucket, base, why);
  }
  if (parent->weights == proto::ModelWeights::kFull && parent->params) {
    const std::string why = " and kept the output weights it needs";
    inherit<&TrainParams::model>(request, *parent, parent->params->model, base, why);
    inherit<&TrainParams::loss>(request, *parent, parent->params->loss, base, why);
  } else if (parent->params) {
    // Vectors only: the job chooses; by default, what the parent was trained with.
    base.model = parent->params->model;
    base.loss = parent->params->loss;
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
