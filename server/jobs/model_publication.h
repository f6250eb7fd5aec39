#pragma once
// How a finished job's model leaves the job. Whatever trained it (the daemon for a local job,
// rank 0 of a distributed one, server/commands/mpi_job_command.h) writes the model's files into
// the job's directory (stage_job_model: jobs/<id>/model/, assembled under tmp/ and renamed into
// place); the daemon then publishes them (publish_job_model): evaluated on the configured
// files, renamed into models/<new id>/, and returned as the model's record for the job manager
// to store with the job's outcome. So the daemon needs nothing of the training to publish.
//
// Every failure throws a std::runtime_error whose message is a job's error ("disk full while
// writing the model's vectors (needs ~48 MB in DIR)").

#include <string>
#include <vector>

#include "core/search/embeddings.h"
#include "core/train/model_weights.h"
#include "core/vocab/vocabulary.h"
#include "proto/records.h"
#include "server/store/data_dir.h"

namespace w2v::server {

struct EvaluationFiles {
  std::vector<std::string> analogies;
  std::vector<std::string> pairs;
  bool empty() const noexcept { return analogies.empty() && pairs.empty(); }
};

// Writes vocab's vectors (weights.input; with subwords, each word's composed vector) and
// training state (core/train/training_state.h, with subwords the input rows too) as the model of
// job id, trained with params, replacing any earlier one.
void stage_job_model(const DataDir& dirs, const std::string& job_id, const Vocabulary& vocab,
                     const ModelWeights& weights, const TrainParams& params);

// Publishes the model staged for job as a new model, with its rows file (server/models/
// model_rows.h, so that its first load maps it), evaluated on eval; returns its record (not
// stored). Throws when the job has no staged model.
proto::ModelRecord publish_job_model(const DataDir& dirs, const proto::JobRecord& job,
                                     const EvaluationFiles& eval);

// Evaluates vectors on files (analogies restricted to the 30,000 most frequent words):
// {"analogies": {"<file name>": {...}}, "pairs": {"<file name>": {...}}}.
nlohmann::json evaluate_on_files(const Embeddings& emb, const EvaluationFiles& files);

}  // namespace w2v::server
