#include "core/distributed/distributed_trainer.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>

#include "core/distributed/global_word_count.h"
#include "core/distributed/matrix_sync.h"
#include "core/distributed/sync_schedule.h"

namespace w2v::distributed {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The control message every round begins with, summed over the members: what each member's
// sync thread needs to take the same decision as every other.
enum Slot : std::size_t {
  kWords,        // words trained so far (this run, all epochs, including those before it)
  kLoss,         // the member's latest mean loss per example
  kHasLoss,      // 1 when it has one
  kAtEpochEnd,   // 1 when its trainer waits at an epoch end
  kCancel,       // 1 when its caller asked to cancel
  kFailedRanks,  // 2^rank when its training failed (ranks below 52)
  kFailed,       // 1 when its training failed
  kSlots
};
using Header = std::array<double, kSlots>;

// Every member holds the same value of each entry of values (decided identically on every
// member: n·Σx² = (Σx)² exactly when all x are equal).
bool same_everywhere(Communicator& comm, std::span<const double> values) {
  std::vector<double> sums;
  for (double v : values) {
    sums.push_back(v);
    sums.push_back(v * v);
  }
  comm.allreduce_sum(sums);
  const double n = comm.size();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (n * sums[2 * i + 1] != sums[2 * i] * sums[2 * i]) return false;
  }
  return true;
}

void broadcast_matrix(Communicator& comm, Matrix& m) {
  comm.broadcast(std::as_writable_bytes(std::span<float>(m.data(), m.rows() * m.stride())), 0);
}

std::string lowest_rank(double mask) {
  const auto bits = static_cast<std::uint64_t>(mask);
  if (bits == 0) return "a rank";
  return "rank " + std::to_string(std::countr_zero(bits));
}

// What the training thread and the sync thread share.
class Coordination {
 public:
  // Training thread, at the end of epoch `epoch`: waits until every member's model has been
  // synchronised (true) or the group stopped (false).
  bool wait_for_sync(int epoch) {
    std::unique_lock lock(mutex_);
    waiting_epoch_ = epoch;
    wake_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return synced_epoch_ >= epoch || stopped_; });
    return !stopped_;
  }
  void trainer_finished(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    error_ = std::move(error);
    finished_ = true;
    wake_ = true;
    cv_.notify_all();
  }

  // Sync thread: sleeps until the next round is due or the trainer needs a round now.
  void sleep_until(Clock::time_point when) {
    std::unique_lock lock(mutex_);
    cv_.wait_until(lock, when, [&] { return wake_; });
    wake_ = false;
  }
  bool at_epoch_end() {
    std::lock_guard lock(mutex_);
    return waiting_epoch_ > synced_epoch_;
  }
  int waiting_epoch() {
    std::lock_guard lock(mutex_);
    return waiting_epoch_;
  }
  bool failed() {
    std::lock_guard lock(mutex_);
    return error_ != nullptr;
  }
  std::exception_ptr error() {
    std::lock_guard lock(mutex_);
    return error_;
  }
  void release(int epoch) {
    std::lock_guard lock(mutex_);
    synced_epoch_ = epoch;
    cv_.notify_all();
  }
  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    cv_.notify_all();
  }
  // Training workers pass here every few thousand words; while a round runs they wait.
  void pass() {
    if (!paused_.load(std::memory_order_acquire)) return;
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !paused_.load(std::memory_order_relaxed) || stopped_; });
  }
  void pause(bool on) {
    std::lock_guard lock(mutex_);
    paused_.store(on, std::memory_order_release);
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int waiting_epoch_ = 0, synced_epoch_ = 0;
  bool wake_ = false, finished_ = false, stopped_ = false;
  std::atomic<bool> paused_{false};
  std::exception_ptr error_;
};

class DistributedRun {
 public:
  DistributedRun(Communicator& comm, const EncodedCorpus& share, const Vocabulary& vocab,
                 const TrainParams& params, ModelWeights& weights, const TrainHooks& hooks,
                 const DistributedOptions& options, int start_epoch)
      : comm_(comm),
        share_(share),
        vocab_(vocab),
        params_(params),
        weights_(weights),
        hooks_(hooks),
        options_(options),
        start_epoch_(start_epoch),
        input_schedule_(weights.input.rows(), options.hot_rows),
        output_schedule_(weights.output.rows(), options.hot_rows),
        output_order_(params.loss == LossType::kHierarchicalSoftmax ? RowOrder::kReversed
                                                                    : RowOrder::kForward) {}

  DistributedResult run() {
    agree_on_the_job();
    start_ = Clock::now();
    std::thread trainer([this] { train_locally(); });
    try {
      sync_loop();
    } catch (...) {
      // The communicator failed: stop the local trainer before leaving.
      cancel_.store(true);
      coordination_.stop();
      trainer.join();
      throw;
    }
    trainer.join();
    stats_.seconds = seconds_between(start_, Clock::now());
    stats_.local_words = count_->local();
    stats_.allreduce_bytes = comm_.allreduce_bytes() - bytes_at_start_;
    if (auto error = coordination_.error()) std::rethrow_exception(error);
    if (sync_error_) std::rethrow_exception(sync_error_);
    if (failed_mask_ != 0) {
      throw PeerFailed("training stopped: " + lowest_rank(failed_mask_) + " failed");
    }
    return {cancelled_ ? TrainOutcome::kCancelled : TrainOutcome::kCompleted, stats_};
  }

 private:
  // Checks that every member trains the same model, learns the corpus size, and starts everyone
  // from rank 0's weights.
  void agree_on_the_job() {
    const std::array<double, 9> shape = {
        static_cast<double>(vocab_.size()),
        static_cast<double>(vocab_.total_count()),
        static_cast<double>(params_.dim),
        static_cast<double>(params_.epochs),
        static_cast<double>(params_.window),
        static_cast<double>(params_.negative),
        static_cast<double>(weights_.output.rows()),
        static_cast<double>(start_epoch_),
        static_cast<double>(static_cast<int>(params_.loss) * 4 + static_cast<int>(params_.model))};
    if (!same_everywhere(comm_, shape)) {
      throw std::invalid_argument(
          "distributed training: the ranks disagree on the vocabulary, parameters or start epoch");
    }
    std::array<double, 1> words = {static_cast<double>(share_.words())};
    comm_.allreduce_sum(words);
    words_per_epoch_ = words[0];
    words_total_ = words_per_epoch_ * params_.epochs;
    words_at_start_ = words_per_epoch_ * start_epoch_;
    count_ = std::make_unique<GlobalWordCount>(comm_.size(), words_total_);
    const std::uint64_t local = share_.words() * static_cast<std::uint64_t>(start_epoch_);
    count_->fraction(local);
    count_->on_round(local, words_at_start_);
    broadcast_matrix(comm_, weights_.input);
    broadcast_matrix(comm_, weights_.output);
    input_sync_.emplace(comm_, weights_.input);
    output_sync_.emplace(comm_, weights_.output);
    bytes_at_start_ = comm_.allreduce_bytes();
  }

  // The training thread.
  void train_locally() {
    TrainHooks local;
    local.cancel = &cancel_;
    local.progress_interval = options_.sync_period;
    local.on_progress = [this](const TrainProgress& p) {
      loss_.store(p.loss, std::memory_order_relaxed);
      epoch_.store(p.epoch, std::memory_order_relaxed);
    };
    local.on_epoch_end = [this](int epochs_done, const ModelWeights&) {
      coordination_.wait_for_sync(epochs_done);
    };
    local.schedule_fraction = [this](std::uint64_t words_done) {
      coordination_.pass();
      return count_->fraction(words_done);
    };
    std::exception_ptr error;
    try {
      if (share_.words() > 0) {
        train(share_, vocab_, params_, weights_, local, start_epoch_);
      } else {
        // A share with no word (a corpus of fewer words than members): nothing to train, but
        // every epoch end still needs this member.
        for (int epoch = start_epoch_ + 1; epoch <= params_.epochs; ++epoch) {
          if (!coordination_.wait_for_sync(epoch)) break;
        }
      }
    } catch (...) {
      error = std::current_exception();
    }
    coordination_.trainer_finished(error);
  }

  void sync_loop() {
    auto next_round = Clock::now() + options_.sync_period;
    auto next_report = Clock::now();
    for (;;) {
      coordination_.sleep_until(next_round);
      next_round = Clock::now() + options_.sync_period;
      const auto t0 = Clock::now();
      // Training pauses during the round (as in pWord2Vec), so what one round sends is at most
      // a sync period of training, however long rounds take on a busy machine or link.
      struct Resume {
        Coordination& c;
        ~Resume() { c.pause(false); }
      } resume{coordination_};
      if (options_.pause_training) coordination_.pause(true);
      const Header h = exchange_header();
      if (h[kFailed] > 0 || h[kCancel] > 0) {
        failed_mask_ =
            h[kFailed] > 0 && !coordination_.failed() && !sync_error_ ? h[kFailedRanks] : 0;
        cancelled_ = h[kFailed] == 0;
        cancel_.store(true);
        coordination_.stop();
        stats_.sync_seconds += seconds_between(t0, Clock::now());
        return;
      }
      if (h[kAtEpochEnd] == comm_.size()) {
        const int epoch = coordination_.waiting_epoch();
        input_sync_->sync(weights_.input, weights_.input.rows(), RowOrder::kForward,
                          SyncMode::kExact);
        output_sync_->sync(weights_.output, weights_.output.rows(), output_order_,
                           SyncMode::kExact);
        ++stats_.full_syncs;
        stats_.sync_seconds += seconds_between(t0, Clock::now());
        count_->on_round(count_->local(), words_per_epoch_ * epoch);
        report(epoch);
        if (hooks_.on_epoch_end) {
          try {
            hooks_.on_epoch_end(epoch, weights_);
          } catch (...) {
            sync_error_ = std::current_exception();  // told to the others in the next round
          }
        }
        coordination_.release(epoch);
        if (epoch == params_.epochs && !sync_error_) return;
        continue;
      }
      ++stats_.rounds;
      const std::size_t rows_in = input_schedule_.rows_in_round(stats_.rounds);
      const std::size_t rows_out = output_schedule_.rows_in_round(stats_.rounds);
      input_sync_->sync(weights_.input, rows_in, RowOrder::kForward, SyncMode::kKeepLocalUpdates);
      output_sync_->sync(weights_.output, rows_out, output_order_, SyncMode::kKeepLocalUpdates);
      stats_.sync_seconds += seconds_between(t0, Clock::now());
      if (Clock::now() >= next_report) {
        next_report = Clock::now() + hooks_.progress_interval;
        report(0);
      }
    }
  }

  Header exchange_header() {
    const bool failed = coordination_.failed() || sync_error_ != nullptr;
    const double loss = loss_.load(std::memory_order_relaxed);
    const std::uint64_t words = count_->local();
    Header h{};
    h[kWords] = static_cast<double>(words);
    h[kLoss] = std::isfinite(loss) ? loss : 0.0;
    h[kHasLoss] = std::isfinite(loss) && loss > 0 ? 1.0 : 0.0;
    h[kAtEpochEnd] = coordination_.at_epoch_end() ? 1.0 : 0.0;
    h[kCancel] = hooks_.cancel != nullptr && hooks_.cancel->load() ? 1.0 : 0.0;
    h[kFailed] = failed ? 1.0 : 0.0;
    h[kFailedRanks] = failed && comm_.rank() < 52 ? std::ldexp(1.0, comm_.rank()) : 0.0;
    comm_.allreduce_sum(h);
    count_->on_round(words, h[kWords]);
    if (h[kHasLoss] > 0) global_loss_ = h[kLoss] / h[kHasLoss];
    return h;
  }

  // Global progress to hooks.on_progress; epoch_done: the epoch just synchronised, or 0.
  void report(int epoch_done) {
    if (!hooks_.on_progress) return;
    const auto now = Clock::now();
    TrainProgress p;
    p.epochs = params_.epochs;
    p.epoch = epoch_done > 0 ? epoch_done : std::max(1, epoch_.load(std::memory_order_relaxed));
    const double done = std::min(count_->global_at_round(), words_total_);
    p.words_done = static_cast<std::uint64_t>(done);
    p.words_total = static_cast<std::uint64_t>(words_total_);
    p.fraction = words_total_ > 0 ? done / words_total_ : 1.0;
    p.elapsed_seconds = seconds_between(start_, now);
    p.words_per_sec = p.elapsed_seconds > 0 ? (done - words_at_start_) / p.elapsed_seconds : 0.0;
    p.eta_seconds = p.words_per_sec > 0 ? (words_total_ - done) / p.words_per_sec : 0.0;
    p.loss = global_loss_;
    p.alpha = params_.effective_alpha() * std::max(1.0 - done / (words_total_ + 1), 1e-4);
    hooks_.on_progress(p);
  }

  Communicator& comm_;
  const EncodedCorpus& share_;
  const Vocabulary& vocab_;
  const TrainParams& params_;
  ModelWeights& weights_;
  const TrainHooks& hooks_;
  const DistributedOptions& options_;
  const int start_epoch_;
  const SyncSchedule input_schedule_, output_schedule_;
  const RowOrder output_order_;
  std::optional<MatrixSync> input_sync_, output_sync_;  // once every member has rank 0's weights
  Coordination coordination_;

  double words_per_epoch_ = 0, words_total_ = 0, words_at_start_ = 0;
  std::unique_ptr<GlobalWordCount> count_;
  std::atomic<double> loss_{0};
  std::atomic<int> epoch_{0};
  std::atomic<bool> cancel_{false};
  double global_loss_ = 0;
  double failed_mask_ = 0;
  bool cancelled_ = false;
  std::exception_ptr sync_error_;
  std::uint64_t bytes_at_start_ = 0;
  Clock::time_point start_;
  DistributedStats stats_;
};

}  // namespace

DistributedResult train_distributed(Communicator& comm, const EncodedCorpus& share,
                                    const Vocabulary& vocab, const TrainParams& params,
                                    ModelWeights& weights, const TrainHooks& hooks,
                                    const DistributedOptions& options, int start_epoch) {
  if (options.sync_period.count() <= 0) {
    throw std::invalid_argument("distributed training: sync_period must be positive");
  }
  return DistributedRun(comm, share, vocab, params, weights, hooks, options, start_epoch).run();
}

}  // namespace w2v::distributed
