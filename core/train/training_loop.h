#pragma once
// The training loop behind train(), as a template over the Walk that trains one sentence
// (core/train/training_contracts.h), so each model/objective/kernel combination gets its own
// instantiation (no per-example dispatch), and so tests can instantiate it with a deliberately
// broken walk or objective. It shards the corpus over the workers, subsamples, cuts sentences,
// decays the learning rate (docs/math.md §8), reports progress and stops on cancel or
// divergence.

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <span>
#include <vector>

#include "core/base/isa_namespace.h"
#include "core/base/rng.h"
#include "core/base/tbb_fork_join.h"
#include "core/train/model_weights.h"
#include "core/train/subsampler.h"
#include "core/train/train_params.h"
#include "core/train/trainer.h"
#include "core/train/training_contracts.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN
namespace training {

using Clock = std::chrono::steady_clock;

// Longest run of kept words trained as one sentence (word2vec's MAX_SENTENCE_LENGTH); longer
// sentences are cut into pieces of this length.
constexpr std::size_t kMaxSentence = 1000;
// Words a worker processes between updates of the shared word counter and learning rate.
constexpr std::uint64_t kFlushWords = 10000;

// Each worker's running totals, on its own cache line.
struct alignas(64) WorkerCounters {
  std::atomic<double> loss{0};
  std::atomic<std::uint64_t> examples{0};
};

// State shared by the workers of one train() call.
class Run {
 public:
  Run(const EncodedCorpus& corpus, const TrainParams& params, const TrainHooks& hooks,
      int start_epoch, std::size_t workers)
      : params_(params),
        hooks_(hooks),
        alpha0_(params.effective_alpha()),
        words_per_epoch_(corpus.words()),
        words_total_(words_per_epoch_ * static_cast<std::uint64_t>(params.epochs)),
        words_at_start_(words_per_epoch_ * static_cast<std::uint64_t>(start_epoch)),
        words_done_(words_at_start_),
        counters_(workers),
        start_(Clock::now()),
        next_report_(Clock::now() + hooks.progress_interval) {}

  float alpha_at(std::uint64_t words_done) const {
    const double left =
        1.0 - (hooks_.schedule_fraction
                   ? hooks_.schedule_fraction(words_done)
                   : static_cast<double>(words_done) / static_cast<double>(words_total_ + 1));
    return static_cast<float>(alpha0_ * std::max(left, 1e-4));
  }
  // True once the caller cancelled or the training diverged: workers stop.
  bool cancelled() const noexcept {
    return diverged() ||
           (hooks_.cancel != nullptr && hooks_.cancel->load(std::memory_order_relaxed));
  }
  bool diverged() const noexcept { return diverged_.load(std::memory_order_relaxed); }

  // A worker's periodic flush: adds the words and loss since its previous flush, maybe reports
  // progress, and returns the learning rate to go on with.
  float flush(std::size_t worker, std::uint64_t words, const TrainStats& delta) {
    const std::uint64_t done = words_done_.fetch_add(words, std::memory_order_relaxed) + words;
    if (!std::isfinite(delta.loss)) diverged_.store(true, std::memory_order_relaxed);
    WorkerCounters& c = counters_[worker];  // written by this worker only
    c.loss.store(c.loss.load(std::memory_order_relaxed) + delta.loss, std::memory_order_relaxed);
    c.examples.store(c.examples.load(std::memory_order_relaxed) + delta.examples,
                     std::memory_order_relaxed);
    if (hooks_.on_progress && Clock::now() >= next_report_.load(std::memory_order_relaxed)) {
      report(false);
    }
    return alpha_at(done);
  }

  void begin_epoch(int epoch) noexcept { epoch_.store(epoch, std::memory_order_relaxed); }
  void end_epoch(int epochs_done) noexcept {
    words_done_.store(words_per_epoch_ * static_cast<std::uint64_t>(epochs_done));
  }

  // Calls on_progress; unless forced, only when no other worker is reporting and it is due.
  void report(bool force) {
    if (!hooks_.on_progress) return;
    std::unique_lock lock(report_mutex_, std::defer_lock);
    if (force) {
      lock.lock();
    } else if (!lock.try_lock() || Clock::now() < next_report_.load()) {
      return;
    }
    const auto now = Clock::now();
    next_report_.store(now + hooks_.progress_interval);

    double loss = 0;
    std::uint64_t examples = 0;
    for (const auto& c : counters_) {
      loss += c.loss.load(std::memory_order_relaxed);
      examples += c.examples.load(std::memory_order_relaxed);
    }
    if (examples > reported_examples_) {
      recent_loss_ = (loss - reported_loss_) / static_cast<double>(examples - reported_examples_);
    }
    reported_loss_ = loss;
    reported_examples_ = examples;

    TrainProgress p;
    p.epochs = params_.epochs;
    p.epoch = std::min(epoch_.load(std::memory_order_relaxed) + 1, params_.epochs);
    p.words_done = std::min(words_done_.load(std::memory_order_relaxed), words_total_);
    p.words_total = words_total_;
    p.fraction = words_total_ > 0 ? static_cast<double>(p.words_done) / words_total_ : 1.0;
    p.elapsed_seconds = std::chrono::duration<double>(now - start_).count();
    const double run_words =
        static_cast<double>(p.words_done - std::min(p.words_done, words_at_start_));
    p.words_per_sec = p.elapsed_seconds > 0 ? run_words / p.elapsed_seconds : 0;
    p.eta_seconds = p.words_per_sec > 0 ? (words_total_ - p.words_done) / p.words_per_sec : 0;
    p.loss = recent_loss_;
    p.alpha = alpha_at(p.words_done);
    hooks_.on_progress(p);
  }

 private:
  const TrainParams& params_;
  const TrainHooks& hooks_;
  const double alpha0_;
  const std::uint64_t words_per_epoch_, words_total_, words_at_start_;
  std::atomic<std::uint64_t> words_done_;
  std::atomic<int> epoch_{0};
  std::atomic<bool> diverged_{false};
  std::vector<WorkerCounters> counters_;
  const Clock::time_point start_;
  std::atomic<Clock::time_point> next_report_;
  std::mutex report_mutex_;
  double reported_loss_ = 0, recent_loss_ = 0;
  std::uint64_t reported_examples_ = 0;
};

// Everything one worker needs for one epoch over its shard.
template <Walk W>
struct Shard {
  std::span<const std::uint32_t> ids;
  const TrainParams& params;
  const W& walk;
  const Subsampler& subsampler;
  ModelWeights& weights;
  Run& run;
  std::size_t worker;
  Rng rng;

  void train() {
    std::vector<std::uint32_t> sentence;
    sentence.reserve(kMaxSentence);
    typename W::Scratch scratch(walk, weights);

    TrainStats stats;
    std::uint64_t words = 0;
    float lr = run.flush(worker, 0, stats);
    std::size_t pos = 0;
    while (pos < ids.size()) {
      sentence.clear();
      while (pos < ids.size()) {
        const std::uint32_t id = ids[pos++];
        if (id == kSentenceEnd) break;
        ++words;
        if (subsampler.keep(id, rng)) {
          sentence.push_back(id);
          if (sentence.size() == kMaxSentence) break;
        }
      }
      walk.sentence(sentence.data(), sentence.size(), weights, lr, rng, scratch, stats);
      if (words >= kFlushWords) {
        lr = run.flush(worker, words, stats);
        words = 0;
        stats = {};
        if (run.cancelled()) return;
      }
    }
    run.flush(worker, words, stats);
  }
};

// Runs epochs start_epoch+1 .. params.epochs with the walk W. Arguments are assumed valid
// (train() checks them).
template <Walk W>
TrainOutcome train_with(const EncodedCorpus& corpus, const Vocabulary& vocab,
                        const TrainParams& params, ModelWeights& weights, const TrainHooks& hooks,
                        int start_epoch) {
  const W walk(vocab, params);
  const Subsampler subsampler(vocab.counts(), params.sample);
  const auto workers = static_cast<std::size_t>(params.effective_threads());
  Run run(corpus, params, hooks, start_epoch, workers);
  const std::span<const std::uint32_t> ids = corpus.ids();

  // One shard per requested thread; the arena never asks oneTBB for more threads than it has
  // (more would only be refused), so extra shards wait for a free thread.
  tbb::task_arena arena(std::min(static_cast<int>(workers), tbb::info::default_concurrency()));
  run.report(true);
  for (int epoch = start_epoch; epoch < params.epochs; ++epoch) {
    if (run.cancelled()) return TrainOutcome::kCancelled;
    run.begin_epoch(epoch);
    TbbForkJoin order;  // for ThreadSanitizer (core/base/tbb_fork_join.h)
    order.forking();
    arena.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<std::size_t>(0, workers, 1),
          [&](const tbb::blocked_range<std::size_t>& r) {
            order.task_begins();
            for (std::size_t w = r.begin(); w != r.end(); ++w) {
              const std::size_t begin = ids.size() * w / workers;
              const std::size_t end = ids.size() * (w + 1) / workers;
              const std::uint64_t stream = static_cast<std::uint64_t>(epoch) * workers + w;
              Shard<W>{ids.subspan(begin, end - begin), params, walk, subsampler, weights, run, w,
                       Rng(params.seed, stream)}
                  .train();
            }
            order.task_ends();
          },
          tbb::simple_partitioner());
    });
    order.joined();
    if (run.diverged()) throw TrainingDiverged();
    if (run.cancelled()) return TrainOutcome::kCancelled;
    run.end_epoch(epoch + 1);
    run.report(true);
    if (hooks.on_epoch_end) hooks.on_epoch_end(epoch + 1, weights);
  }
  return TrainOutcome::kCompleted;
}

}  // namespace training
W2V_ISA_END
}  // namespace w2v
