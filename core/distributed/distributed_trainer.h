#pragma once
// Data-parallel training across the members of a Communicator (pWord2Vec's design, Ji et al.,
// "Parallelizing Word2Vec in Shared and Distributed Memory"): every member trains its own share
// of the corpus with the local Hogwild trainer (train(), core/train/trainer.h) on a thread of its
// own, while the calling thread — the only one that touches the communicator — combines every
// member's changes to the model (MatrixSync): the most frequent rows every sync_period, rarer
// rows exponentially less often (SyncSchedule), every row at the end of each epoch. The learning
// rate follows the global word count, and progress is global. docs/distributed.md explains the
// design and its costs.

#include <chrono>
#include <cstdint>
#include <stdexcept>

#include "core/distributed/communicator.h"
#include "core/train/model_weights.h"
#include "core/train/train_params.h"
#include "core/train/trainer.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"

namespace w2v::distributed {

struct DistributedOptions {
  // Time between sync rounds (a round begins when every member has reached it).
  std::chrono::milliseconds sync_period{100};
  // Rows in the hottest level of the hot/cold schedule.
  std::size_t hot_rows = 1024;
  // Training threads wait while a round runs, so the changes one round combines are at most a
  // sync period of training on each member, even when rounds are slow; false overlaps training
  // and communication.
  bool pause_training = true;
};

struct DistributedStats {
  std::uint64_t rounds = 0;           // periodic sync rounds
  std::uint64_t full_syncs = 0;       // epoch ends, every row
  std::uint64_t allreduce_bytes = 0;  // payload this member summed with the others
  std::uint64_t local_words = 0;      // corpus words this member trained, over all epochs
  double seconds = 0;                 // from the start of training to the end
  double sync_seconds = 0;            // of which the calling thread spent communicating
};

struct DistributedResult {
  TrainOutcome outcome = TrainOutcome::kCompleted;
  DistributedStats stats;
};

// Thrown on the members whose own training did not fail when another member's did.
class PeerFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Trains weights for epochs start_epoch+1 .. params.epochs on every member of comm at once;
// share is this member's part of the corpus (share_cuts, core/distributed/job_distribution.h;
// it may have no word, then the member only syncs). Every member must pass the same vocabulary and
// parameters (checked: std::invalid_argument on every member otherwise); training starts from
// rank 0's weights (broadcast), so a checkpoint need only be loaded there, and ends with the
// same weights on every member.
//
// hooks.on_progress is called on the calling thread with the global progress; hooks.on_epoch_end
// on the calling thread of every member once the epoch's full sync is done (no worker is
// training then); hooks.cancel on any member cancels every member (kCancelled on all). When a
// member's training throws, it rethrows that exception and the others throw PeerFailed.
DistributedResult train_distributed(Communicator& comm, const EncodedCorpus& share,
                                    const Vocabulary& vocab, const TrainParams& params,
                                    ModelWeights& weights, const TrainHooks& hooks = {},
                                    const DistributedOptions& options = {}, int start_epoch = 0);

}  // namespace w2v::distributed
