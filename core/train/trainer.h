#pragma once
// Trains word vectors on an encoded corpus: Hogwild workers on a oneTBB task arena, each
// owning a contiguous shard of the corpus per epoch, the learning rate decaying linearly over
// all epochs' words, progress reported while it runs, cancellable, with a hook at epoch ends.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>

#include "core/train/model_weights.h"
#include "core/train/train_params.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"

namespace w2v {

struct TrainProgress {
  int epoch = 0;  // the epoch under way, 1-based (epochs when finished)
  int epochs = 0;
  std::uint64_t words_done = 0;   // corpus words processed over all epochs, before subsampling
  std::uint64_t words_total = 0;  // epochs × words per epoch
  double fraction = 0;
  double words_per_sec = 0;  // since this run started
  double loss = 0;           // mean loss per example since the previous report
  double alpha = 0;          // current learning rate
  double elapsed_seconds = 0;
  double eta_seconds = 0;
};

struct TrainHooks {
  // Called at most once per progress_interval (from whichever worker notices), once at each
  // epoch end and once at the end. Must be thread-safe and quick.
  std::function<void(const TrainProgress&)> on_progress;
  // Called between epochs, no worker running: a place to write a checkpoint.
  std::function<void(int epochs_done, const ModelWeights&)> on_epoch_end;
  // Polled every few thousand words; training stops soon after it becomes true.
  const std::atomic<bool>* cancel = nullptr;
  std::chrono::milliseconds progress_interval{500};
  // Where the linear learning-rate decay stands, in [0, 1], given the corpus words this call has
  // counted over all epochs (those before start_epoch included). Unset: those words over
  // epochs × the corpus's words. Called by every worker every few thousand words, so thread-safe
  // and quick; distributed training (core/distributed/) makes it follow the global word count.
  std::function<double(std::uint64_t words_done)> schedule_fraction;
};

enum class TrainOutcome { kCompleted, kCancelled };

// Thrown when the loss becomes NaN or infinite (a learning rate far too high, or vectors that
// overflowed): the weights are then useless.
class TrainingDiverged : public std::runtime_error {
 public:
  TrainingDiverged()
      : std::runtime_error("training diverged: the loss became NaN or infinite; lower alpha") {}
};

// Trains weights (made by make_initial_weights or loaded from a checkpoint) for epochs
// start_epoch+1 .. params.epochs. Throws std::invalid_argument on parameters that validate()
// rejects or that do not fit the weights or the vocabulary, TrainingDiverged when it diverges.
TrainOutcome train(const EncodedCorpus& corpus, const Vocabulary& vocab, const TrainParams& params,
                   ModelWeights& weights, const TrainHooks& hooks = {}, int start_epoch = 0);

}  // namespace w2v
