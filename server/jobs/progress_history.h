#pragma once
// A job's progress over its whole run, bounded: at most `capacity` samples of the trainer's
// progress reports, kept evenly spaced by downsampling as the job runs. Every report whose
// number is a multiple of the stride is kept; when the samples overflow, every other one is
// dropped and the stride doubles. The latest report is always shown as the last sample.
// Serialised as JSON for the store and GET /v1/jobs/{id}/history.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "core/train/trainer.h"

namespace w2v::server {

struct ProgressSample {
  double seconds = 0;  // training time since the job first started, over all its attempts
  int epoch = 0;       // the epoch under way, 1-based
  double fraction = 0;
  std::uint64_t words_done = 0;
  double loss = 0;
  double words_per_sec = 0;
  double alpha = 0;
};

class ProgressHistory {
 public:
  static constexpr std::size_t kDefaultCapacity = 400;
  static constexpr std::size_t kMinCapacity = 4;

  // capacity is rounded up to an even number of at least kMinCapacity.
  explicit ProgressHistory(std::size_t capacity = kDefaultCapacity);

  // Records a progress report of the run under way (whose elapsed_seconds count from this
  // run's start).
  void add(const TrainProgress& p);
  // Forgets the samples past `fraction` of the job (a resume from a checkpoint retrains
  // them), and makes the next run's times follow on from the last sample kept.
  void truncate_after(double fraction);

  // The kept samples, then the latest report if it was not kept.
  std::vector<ProgressSample> samples() const;
  std::size_t stride() const noexcept { return stride_; }
  std::size_t capacity() const noexcept { return capacity_; }

  // {"capacity", "stride", "reports", "samples": [{seconds, epoch, fraction, words_done, loss,
  // words_per_sec, alpha}, ...]}; "latest" too when the latest report was not kept.
  nlohmann::json to_json() const;
  // Throws std::runtime_error on a malformed or over-long document.
  static ProgressHistory from_json(const nlohmann::json& j);

 private:
  void restart_clock();

  std::size_t capacity_;
  std::size_t stride_ = 1;
  std::uint64_t reports_ = 0;  // reports seen, kept or not
  std::vector<ProgressSample> kept_;
  std::optional<ProgressSample> latest_;  // set when the latest report was not kept
  double base_seconds_ = 0;               // added to this run's elapsed_seconds
};

}  // namespace w2v::server
