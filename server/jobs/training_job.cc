#include "server/jobs/training_job.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "core/io/training_state.h"
#include "core/io/vectors_io.h"
#include "core/search/embeddings.h"
#include "core/search/evaluation.h"
#include "core/text/word_counts.h"
#include "core/text/word_table.h"
#include "core/train/continued_training.h"
#include "proto/evaluation_json.h"
#include "server/jobs/continuation.h"
#include "server/store/storage_errors.h"

namespace w2v::server {

TrainingJob::TrainingJob(const DataDir& dirs, proto::JobRecord job)
    : dirs_(dirs), job_(std::move(job)) {}

int TrainingJob::prepare() {
  const TrainParams& p = job_.params;
  std::optional<ParentModel> parent;  // continued training: the model the job starts from
  {
    std::ifstream in(dirs_.corpus_counts(job_.corpus_id), std::ios::binary);
    if (!in) throw std::runtime_error("the corpus's files are missing (was it deleted?)");
    if (job_.init_model) parent = load_parent_model(dirs_, *job_.init_model);
    // Only the words the vocabulary can take: those of min_count, and the parent's (which
    // stay whatever their count). A corpus's rare words can be tens of millions.
    WordTable parent_words(parent ? parent->words.size() : 0);
    if (parent) {
      for (const auto& w : parent->words) parent_words.intern(w);
    }
    const auto min_count = static_cast<std::uint64_t>(p.min_count);
    const WordCounts counts = WordCounts::load(in, [&](std::string_view word, std::uint64_t count) {
      return count >= min_count || (parent && parent_words.find(word) != WordTable::kNotFound);
    });
    encoded_bytes_ = (counts.tokens() + counts.sentences() + 4) * sizeof(std::uint32_t);
    if (parent) {
      const VocabularyMode mode = job_.vocabulary.value_or(VocabularyMode::kExtend);
      vocab_ = continued_vocabulary(
          *parent, counts,
          {mode, static_cast<std::uint64_t>(p.min_count), static_cast<std::size_t>(p.max_vocab)});
    } else {
      vocab_ = Vocabulary::build(
          counts, {static_cast<std::uint64_t>(p.min_count), static_cast<std::size_t>(p.max_vocab)});
    }
  }
  if (vocab_.empty()) throw std::runtime_error("no word of the corpus reaches min_count");
  try {
    std::filesystem::create_directories(dirs_.job_dir(job_.id));
  } catch (const std::exception& e) {
    throw std::runtime_error(
        describe_write_failure(e, "the job's directory", encoded_bytes_, dirs_.root()));
  }

  const std::string encoded = dirs_.job_encoded(job_.id);
  bool reuse = false;
  if (std::filesystem::exists(encoded)) {
    try {
      corpus_ = EncodedCorpus::open(encoded);
      reuse = true;
    } catch (const std::exception&) {
      // A torn or foreign file: encode again.
    }
  }
  if (!reuse) {
    try {
      corpus_ = EncodedCorpus::encode_file(dirs_.corpus_text(job_.corpus_id), vocab_, encoded);
    } catch (const std::exception& e) {
      throw std::runtime_error(
          describe_write_failure(e, "the encoded corpus", encoded_bytes_, dirs_.root()));
    }
  }

  start_epoch_ = 0;
  const std::string checkpoint = dirs_.job_checkpoint(job_.id);
  if (std::filesystem::exists(checkpoint)) {
    try {
      Checkpoint c = load_checkpoint(checkpoint);
      const auto dim = static_cast<std::size_t>(p.dim);
      if (c.weights.input.rows() == vocab_.size() && c.weights.input.cols() == dim &&
          c.weights.output.rows() == output_rows(p.loss, vocab_.size()) &&
          c.epochs_done <= p.epochs) {
        weights_ = std::move(c.weights);
        start_epoch_ = c.epochs_done;
        return start_epoch_;
      }
    } catch (const std::exception&) {
      // Unreadable: start over.
    }
  }
  if (parent) {
    ContinuedWeights start = continued_weights(*parent, vocab_, p);
    spdlog::info("job {} starts from model {}: {} of {} words and {} of {} output rows carried",
                 job_.id, *job_.init_model, start.words_carried, vocab_.size(),
                 start.output_rows_carried, start.weights.output.rows());
    weights_ = std::move(start.weights);
  } else {
    weights_ = make_initial_weights(vocab_.size(), p);
  }
  return 0;
}

void TrainingJob::save_checkpoint_of(const ModelWeights& w, int epochs_done) const {
  try {
    save_checkpoint(dirs_.job_checkpoint(job_.id), w, epochs_done);
  } catch (const std::exception& e) {
    const std::uint64_t bytes =
        (w.input.rows() * w.input.cols() + w.output.rows() * w.output.cols()) * sizeof(float);
    throw std::runtime_error(describe_write_failure(e, "the checkpoint", bytes, dirs_.root()));
  }
}

bool TrainingJob::train(TrainHooks hooks, std::function<void(int epochs_done)> on_epoch_end,
                        const Trainer& trainer) {
  hooks.on_epoch_end = [&](int epochs_done, const ModelWeights& w) {
    if (epochs_done < job_.params.epochs) save_checkpoint_of(w, epochs_done);
    if (on_epoch_end) on_epoch_end(epochs_done);
  };
  if (start_epoch_ >= job_.params.epochs) return true;
  const TrainOutcome outcome =
      trainer ? trainer(corpus_, vocab_, job_.params, weights_, hooks, start_epoch_)
              : w2v::train(corpus_, vocab_, job_.params, weights_, hooks, start_epoch_);
  return outcome == TrainOutcome::kCompleted;
}

void TrainingJob::save_final_checkpoint() const {
  save_checkpoint_of(weights_, job_.params.epochs);
}

proto::ModelRecord TrainingJob::publish_model(const EvaluationFiles& eval) const {
  proto::ModelRecord m;
  m.id = new_id("m");
  m.job_id = job_.id;
  m.name = job_.name;
  m.vocab_size = vocab_.size();
  m.dim = job_.params.dim;
  m.params = job_.params;
  m.source = proto::ModelSource::kTrained;
  m.parent_id = job_.init_model;
  m.weights = proto::ModelWeights::kFull;

  const auto words = vocab_.words();
  std::string tmp;
  try {
    tmp = dirs_.make_temp_dir();
  } catch (const std::exception& e) {
    throw std::runtime_error(describe_write_failure(e, "the model's vectors", 0, dirs_.root()));
  }
  try {
    save_vectors_file(tmp + "/vectors.bin", words, weights_.input, VectorsFormat::kBinary);
    save_training_state(tmp + "/training_state.bin", words,
                        {job_.params.loss, vocab_.counts(), weights_.output});
    if (!eval.analogies.empty() || !eval.pairs.empty()) {
      std::vector<std::string> names(words.begin(), words.end());
      m.evaluation = evaluate_on_files(Embeddings(std::move(names), weights_.input), eval);
    }
    dirs_.publish_dir(tmp, dirs_.model_dir(m.id));
  } catch (const std::exception& e) {
    DataDir::remove_all(tmp);
    const std::uint64_t bytes =
        words.size() * (weights_.input.cols() * sizeof(float) + 16) + (1u << 20);
    throw std::runtime_error(describe_write_failure(e, "the model's vectors", bytes, dirs_.root()));
  }
  m.created_at = proto::now_rfc3339();
  return m;
}

void TrainingJob::remove_work_files() const {
  DataDir::remove_all(dirs_.job_dir(job_.id));
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
