#pragma once
// What one training job does, step by step, on the files of the data directory: builds the
// vocabulary from the corpus's word counts (and, for a job with init_model, its parent model's:
// server/jobs/continuation.h), encodes the corpus (once; kept for a resume), restores the last
// checkpoint if there is one (else starts from random vectors or the parent's), trains
// (checkpointing at epoch ends), and stages the finished model's files in the job's directory
// for the daemon to publish (server/jobs/model_publication.h).

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/train/model_weights.h"
#include "core/train/trainer.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"
#include "proto/records.h"
#include "server/store/data_dir.h"

namespace w2v::server {

class TrainingJob {
 public:
  // job.params must be valid and have threads > 0.
  TrainingJob(const DataDir& dirs, proto::JobRecord job);

  // Loads what training needs. Returns the number of epochs a checkpoint already holds (0
  // when training starts from scratch). Throws std::runtime_error on unusable input. Every
  // write failure here and in train() throws a std::runtime_error whose message is a job's
  // error: "disk full while writing the checkpoint (needs ~48 MB in DIR)".
  int prepare();
  // What trains the model: w2v::train's signature (core/train/trainer.h). A distributed job's
  // rank 0 passes one that trains across the ranks (server/commands/mpi_job_command.cc).
  using Trainer =
      std::function<TrainOutcome(const EncodedCorpus&, const Vocabulary&, const TrainParams&,
                                 ModelWeights&, const TrainHooks&, int start_epoch)>;
  // Trains the remaining epochs, writing a checkpoint at each epoch end and calling
  // on_epoch_end after it, then stages the finished model (stage_job_model). Returns false
  // when interrupted (by hooks.cancel).
  bool train(TrainHooks hooks, std::function<void(int epochs_done)> on_epoch_end,
             const Trainer& trainer = {});
  // Removes the job's working files (encoded corpus, checkpoint, staged model).
  void remove_work_files() const;

  const proto::JobRecord& record() const noexcept { return job_; }
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

}  // namespace w2v::server
