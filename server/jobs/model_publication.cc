#include "server/jobs/model_publication.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/io/vectors_io.h"
#include "core/search/evaluation.h"
#include "core/train/subword_vectors.h"
#include "core/train/training_state.h"
#include "proto/evaluation_json.h"
#include "server/models/model_rows.h"
#include "server/store/storage_errors.h"

namespace w2v::server {
namespace {

constexpr const char* kWhat = "the model's vectors";

// What writing a model of vocab_size words of dimension dim takes, about.
std::uint64_t model_bytes(std::uint64_t vocab_size, std::uint64_t dim) {
  return vocab_size * (dim * sizeof(float) + 16) + (1u << 20);
}

}  // namespace

void stage_job_model(const DataDir& dirs, const std::string& job_id, const Vocabulary& vocab,
                     const ModelWeights& weights, const TrainParams& params) {
  const auto words = vocab.words();
  std::string tmp;
  try {
    tmp = dirs.make_temp_dir();
  } catch (const std::exception& e) {
    throw std::runtime_error(describe_write_failure(e, kWhat, 0, dirs.root()));
  }
  try {
    TrainingState state{params.loss, vocab.counts(), weights.output, {}, {}};
    if (params.subwords()) {
      // The vectors are the words' composed vectors; the state keeps the rows they come from.
      state.subwords = subword_settings(params);
      save_vectors_file(tmp + "/vectors.bin", words,
                        composed_word_vectors(weights.input, vocab, state.subwords),
                        VectorsFormat::kBinary);
    } else {
      save_vectors_file(tmp + "/vectors.bin", words, weights.input, VectorsFormat::kBinary);
    }
    save_training_state(tmp + "/training_state.bin", words, state, &weights.input);
    std::filesystem::create_directories(dirs.job_dir(job_id));
    DataDir::remove_all(dirs.job_model(job_id));  // an earlier attempt's
    dirs.publish_dir(tmp, dirs.job_model(job_id));
  } catch (const std::exception& e) {
    DataDir::remove_all(tmp);
    throw std::runtime_error(describe_write_failure(
        e, kWhat,
        model_bytes(weights.input.rows() + (params.subwords() ? words.size() : 0),
                    weights.input.cols()),
        dirs.root()));
  }
}

proto::ModelRecord publish_job_model(const DataDir& dirs, const proto::JobRecord& job,
                                     const EvaluationFiles& eval) {
  const std::string staged = dirs.job_model(job.id);
  const std::string vectors = staged + "/vectors.bin";
  if (!std::filesystem::exists(vectors)) {
    throw std::runtime_error("the job ended but its model is missing from " + staged);
  }
  proto::ModelRecord m;
  m.id = new_id("m");
  m.job_id = job.id;
  m.name = job.name;
  m.dim = job.params.dim;
  m.params = job.params;
  m.source = proto::ModelSource::kTrained;
  m.parent_id = job.init_model;
  m.weights = proto::ModelWeights::kFull;
  try {
    WordVectors wv = load_vectors_file(vectors, VectorsFormat::kBinary);
    const Embeddings emb(std::move(wv.words), std::move(wv.vectors));
    m.vocab_size = emb.size();
    write_model_rows(staged, emb, "model " + m.id + " of job " + job.id);
    if (!eval.empty()) m.evaluation = evaluate_on_files(emb, eval);
    dirs.publish_dir(staged, dirs.model_dir(m.id));
  } catch (const std::exception& e) {
    throw std::runtime_error(describe_write_failure(
        e, kWhat, model_bytes(m.vocab_size, static_cast<std::uint64_t>(m.dim)), dirs.root()));
  }
  m.created_at = proto::now_rfc3339();
  return m;
}

nlohmann::json evaluate_on_files(const Embeddings& emb, const EvaluationFiles& files) {
  nlohmann::json out = nlohmann::json::object();
  const auto name_of = [](const std::string& path) {
    return std::filesystem::path(path).filename().string();
  };
  for (const auto& path : files.analogies) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read evaluation file " + path);
    out["analogies"][name_of(path)] = proto::to_json(evaluate_analogies(emb, in));
  }
  for (const auto& path : files.pairs) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read evaluation file " + path);
    out["pairs"][name_of(path)] = proto::to_json(evaluate_pairs(emb, in));
  }
  return out;
}

}  // namespace w2v::server
