#include "server/jobs/training_job.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "core/train/continued_training.h"
#include "core/train/corpus_preparation.h"
#include "core/train/training_state.h"
#include "server/jobs/continuation.h"
#include "server/jobs/model_publication.h"
#include "server/store/storage_errors.h"

namespace w2v::server {

TrainingJob::TrainingJob(const DataDir& dirs, proto::JobRecord job)
    : dirs_(dirs), job_(std::move(job)) {}

int TrainingJob::prepare() {
  const TrainParams& p = job_.params;
  std::optional<ParentModel> parent;  // continued training: the model the job starts from
  const CorpusSource source{dirs_.corpus_text(job_.corpus_id), dirs_.corpus_counts(job_.corpus_id)};
  if (!std::filesystem::exists(source.counts)) {
    throw std::runtime_error("the corpus's files are missing (was it deleted?)");
  }
  if (job_.init_model) parent = load_parent_model(dirs_, *job_.init_model);
  std::optional<ContinuedFrom> from;
  if (parent) {
    from.emplace(ContinuedFrom{*parent, job_.vocabulary.value_or(VocabularyMode::kExtend)});
  }
  CorpusVocabulary prepared = corpus_vocabulary(source, p, from ? &*from : nullptr);
  vocab_ = std::move(prepared.vocab);
  const std::uint64_t encoded_bytes = prepared.encoded_bytes();
  try {
    std::filesystem::create_directories(dirs_.job_dir(job_.id));
  } catch (const std::exception& e) {
    throw std::runtime_error(
        describe_write_failure(e, "the job's directory", encoded_bytes, dirs_.root()));
  }
  try {
    corpus_ = encode_corpus(source.text, vocab_, dirs_.job_encoded(job_.id), EncodedFile::kKept);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        describe_write_failure(e, "the encoded corpus", encoded_bytes, dirs_.root()));
  }

  start_epoch_ = 0;
  const std::string checkpoint = dirs_.job_checkpoint(job_.id);
  if (std::filesystem::exists(checkpoint)) {
    try {
      Checkpoint c = load_checkpoint(checkpoint);
      const auto dim = static_cast<std::size_t>(p.dim);
      if (c.weights.input.rows() == p.input_rows(vocab_.size()) && c.weights.input.cols() == dim &&
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
  if (start_epoch_ < job_.params.epochs) {
    const TrainOutcome outcome =
        trainer ? trainer(corpus_, vocab_, job_.params, weights_, hooks, start_epoch_)
                : w2v::train(corpus_, vocab_, job_.params, weights_, hooks, start_epoch_);
    if (outcome != TrainOutcome::kCompleted) return false;
  }
  stage_job_model(dirs_, job_.id, vocab_, weights_, job_.params);
  // Staged: the weights and the encoded corpus are not needed any more, and freeing them leaves
  // room for publication's copy of the vectors (publish_job_model).
  weights_ = ModelWeights{};
  corpus_ = EncodedCorpus{};
  return true;
}

void TrainingJob::remove_work_files() const {
  DataDir::remove_all(dirs_.job_dir(job_.id));
}

}  // namespace w2v::server
