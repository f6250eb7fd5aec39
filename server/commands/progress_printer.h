#pragma once
// What `w2vd train` prints on standard error, on one process or on rank 0 of an MPI run: the
// corpus read, training progress (one line redrawn in place on a terminal, a line every few
// seconds otherwise) and the summary, whose "in S s (N words/s)" bench/kernels.sh and
// bench/distributed.sh read. Quiet, it prints nothing. on_progress may be called from any thread.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "core/train/corpus_preparation.h"
#include "core/train/trainer.h"

namespace w2v::server {

class ProgressPrinter {
 public:
  // ranks: how many train the model (named in the lines when more than 1). The run's total time
  // counts from here.
  explicit ProgressPrinter(bool quiet, int ranks = 1);

  // "read T tokens, D distinct words; vocabulary V words (S s)".
  void corpus_read(const CorpusVocabulary& v);
  void on_progress(const TrainProgress& p);
  // Ends the progress line being redrawn, if any (before other output).
  void end_progress();
  // "trained V words × D [on N ranks] in S s (N words/s); total S s;
  // wrote OUTPUT". words: the words trained in that time (every epoch's).
  void trained(std::size_t vocab, int dim, double train_seconds, double words,
               const std::string& output);

 private:
  using Clock = std::chrono::steady_clock;
  const bool quiet_, tty_;
  const int ranks_;
  const Clock::time_point start_ = Clock::now();
  std::mutex mutex_;
  Clock::time_point last_line_{};
  bool line_open_ = false;  // a progress line without its newline, on a terminal
};

}  // namespace w2v::server
