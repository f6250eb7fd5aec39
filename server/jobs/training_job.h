#pragma once
// What one training job does, step by step, on the files of the data directory: builds the
// vocabulary from the corpus's word counts (and, for a job with init_model, its parent model's:
// server/jobs/continuation.h), encodes the corpus (once; kept for a resume), restores the last
// checkpoint if there is one (else starts from random vectors or the parent's), trains
// (checkpointing at epoch ends), and publishes the model's vectors and training state
// (core/io/training_state.h) under a new id, evaluated on the configured files.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/search/embeddings.h"
#include "core/train/model_weights.h"
#include "core/train/trainer.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"
#include "proto/records.h"
#include "server/store/data_dir.h"

namespace w2v::server {

struct EvaluationFiles {
  std::vector<std::string> analogies;
  std::vector<std::string> pairs;
};

class TrainingJob {
 public:
  // job.params must be valid and have threads > 0.
  TrainingJob(const DataDir& dirs, proto::JobRecord job);

  // Loads what training needs. Returns the number of epochs a checkpoint already holds (0
  // when training starts from scratch). Throws std::runtime_error on unusable input. Every
  // write failure here, in train() and in publish_model() throws a std::runtime_error whose
  // message is a job's error: "disk full while writing the checkpoint (needs ~48 MB in DIR)".
  int prepare();
  // What trains the model: w2v::train's signature (core/train/trainer.h). A distributed job's
  // rank 0 passes one that trains across the ranks (server/commands/mpi_job_command.cc).
  using Trainer =
      std::function<TrainOutcome(const EncodedCorpus&, const Vocabulary&, const TrainParams&,
                                 ModelWeights&, const TrainHooks&, int start_epoch)>;
  // Trains the remaining epochs, writing a checkpoint at each epoch end and calling
  // on_epoch_end after it. Returns false when interrupted (by hooks.cancel).
  bool train(TrainHooks hooks, std::function<void(int epochs_done)> on_epoch_end,
             const Trainer& trainer = {});
  // Writes the trained weights as the checkpoint of the last epoch, which prepare() then loads
  // with nothing left to train: how a distributed job's rank 0 hands the daemon its result.
  void save_final_checkpoint() const;
  // Writes the vectors as a new model and evaluates them; returns its record (not stored).
  proto::ModelRecord publish_model(const EvaluationFiles& eval) const;
  // Removes the job's working files (encoded corpus, checkpoint).
  void remove_work_files() const;

  const TrainParams& params() const noexcept { return job_.params; }
  // After prepare().
  const Vocabulary& vocabulary() const noexcept { return vocab_; }
  const EncodedCorpus& corpus() const noexcept { return corpus_; }

 private:
  const DataDir& dirs_;
  proto::JobRecord job_;
  Vocabulary vocab_;
  EncodedCorpus corpus_;
  ModelWeights weights_;
  int start_epoch_ = 0;

  void save_checkpoint_of(const ModelWeights& w, int epochs_done) const;
};

// Evaluates vectors on files (analogies restricted to the 30,000 most frequent words):
// {"analogies": {"<file name>": {...}}, "pairs": {"<file name>": {...}}}.
nlohmann::json evaluate_on_files(const Embeddings& emb, const EvaluationFiles& files);

}  // namespace w2v::server
