#pragma once
// Admission: whether a job request may run on this server, and how. A request is checked
// against the server's limits (ranks, an MPI launcher), its corpus (known, not broken, some word
// at min_count), its parent model for continued training (server/jobs/continuation.h), the
// softmax vocabulary limit and the job's estimated peak memory (server/runtime/memory_budget.h);
// its parameters are settled here, once: the request's, over the parent model's, over the
// defaults, with the defaults that depend on the others (alpha's) and the server's thread count.
// What comes out is the job's record, ready to queue; nothing is stored except a corpus found
// broken on the way (marked so, as the start-up sweep would).

#include <cstddef>
#include <cstdint>
#include <string>

#include "proto/api_error.h"
#include "proto/records.h"
#include "proto/requests.h"
#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {

// The server's limits a job must fit (from its configuration: server/runtime/config.h).
struct AdmissionLimits {
  int train_threads = 0;                  // a job's threads when it asks for 0; 0: every core
  std::size_t softmax_max_vocab = 50000;  // loss=softmax is refused above this vocabulary
  std::uint64_t max_job_memory = 0;       // jobs estimated above it are refused; 0: the default
  bool evaluates = false;                 // every finished model is evaluated (a copy of it)
  bool has_mpi_launcher = false;          // without one, a job trains on 1 rank only
  int max_ranks = 64;
};

class JobAdmission {
 public:
  JobAdmission(Store& store, const DataDir& dirs, AdmissionLimits limits)
      : store_(store), dirs_(dirs), limits_(limits) {}

  // The record the request runs as: a new id, status queued, the parameters settled, the
  // corpus's name for a nameless job. Throws proto::ApiError: 404 for an unknown corpus; 409
  // corpus_broken / model_broken when its corpus or init_model is broken (server/store/
  // broken_rows.h; a corpus whose files are found bad here is marked broken); 400 for more than
  // one rank without an MPI launcher or more than max_ranks, an init_model that is unknown or
  // conflicts with a parameter, no word of the corpus at min_count, softmax over its limit, and
  // an estimated peak memory over max_job_memory (job_too_large).
  proto::JobRecord admit(const proto::CreateJobRequest& request) const;

 private:
  Store& store_;
  const DataDir& dirs_;
  const AdmissionLimits limits_;
};

// 404 corpus_not_found for a job's corpus_id: also what a submission gets when the corpus is
// deleted between admission and the job's insert.
proto::ApiError job_corpus_not_found(const std::string& corpus_id);

}  // namespace w2v::server
