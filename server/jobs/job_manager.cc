#include "server/jobs/job_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>

#include "core/word_counts.h"
#include "proto/api_error.h"
#include "server/jobs/continuation.h"
#include "server/jobs/training_job.h"

namespace w2v::server {
namespace {

using proto::ApiError;
using proto::JobRecord;
using proto::JobStatus;

proto::JobProgress to_progress(const TrainProgress& p) {
  return {p.epoch,         p.epochs, p.words_done, p.words_total, p.fraction,
          p.words_per_sec, p.loss,   p.alpha,      p.eta_seconds};
}

// The highest count in a counts file, and how many words reach min_count.
struct CountSummary {
  std::uint64_t max_count = 0;
  std::uint64_t words_at_min_count = 0;
};

CountSummary summarise_counts(const std::string& path, std::uint64_t min_count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  const WordCounts counts = WordCounts::load(in);
  CountSummary s;
  for (std::uint32_t id = 0; id < counts.distinct(); ++id) {
    s.max_count = std::max(s.max_count, counts.count(id));
    s.words_at_min_count += counts.count(id) >= min_count;
  }
  return s;
}

}  // namespace

JobManager::JobManager(Store& store, const DataDir& dirs, JobManagerOptions options)
    : store_(store), dirs_(dirs), options_(std::move(options)) {}

JobManager::~JobManager() {
  stop();
}

void JobManager::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  // Interrupted jobs first (they were submitted earlier than anything still queued).
  for (JobRecord j : store_.jobs_with_status(JobStatus::kRunning)) {
    spdlog::info("job {} was interrupted while running; it will resume", j.id);
    j.status = JobStatus::kQueued;
    store_.update_job(j);
  }
  for (const JobRecord& j : store_.jobs_with_status(JobStatus::kQueued)) queue_.push_back(j.id);
  const int n = std::max(1, options_.max_running_jobs);
  for (int i = 0; i < n; ++i) runners_.emplace_back([this] { runner_loop(); });
}

void JobManager::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [id, r] : running_) r->interrupt = true;
  }
  wake_.notify_all();
  for (auto& t : runners_) t.join();
  runners_.clear();
}

JobRecord JobManager::submit(const proto::CreateJobRequest& request) {
  const auto corpus = store_.corpus(request.corpus_id);
  if (!corpus) {
    throw ApiError::not_found("corpus_id: no corpus " + request.corpus_id, "corpus_not_found");
  }
  JobRecord j;
  j.params = request.params;
  std::optional<proto::ModelRecord> parent;
  if (request.init_model) parent = apply_init_model(store_, request, j);
  if (j.params.alpha == 0) j.params.alpha = j.params.effective_alpha();
  if (j.params.threads == 0) {
    TrainParams server_default;
    server_default.threads = options_.train_threads;
    j.params.threads = server_default.effective_threads();
  }
  const CountSummary counts = summarise_counts(dirs_.corpus_counts(corpus->id),
                                               static_cast<std::uint64_t>(j.params.min_count));
  if (counts.words_at_min_count == 0 && !parent) {
    throw ApiError::bad_request("params.min_count: no word of corpus " + corpus->id + " occurs " +
                                std::to_string(j.params.min_count) +
                                " times or more (its most frequent word occurs " +
                                std::to_string(counts.max_count) + " times); lower min_count");
  }
  std::uint64_t vocab = counts.words_at_min_count;
  if (j.params.max_vocab > 0) vocab = std::min<std::uint64_t>(vocab, j.params.max_vocab);
  if (parent) {
    vocab = continued_vocabulary_bound(*parent, request.vocabulary, counts.words_at_min_count,
                                       j.params.max_vocab);
  }
  if (j.params.loss == LossType::kSoftmax && vocab > options_.softmax_max_vocab) {
    throw ApiError::bad_request(
        "params.loss: softmax costs O(vocabulary) per example and is limited to " +
        std::to_string(options_.softmax_max_vocab) + " words; this corpus gives " +
        std::to_string(vocab) + " (use loss ns or hs, or a higher min_count or a max_vocab)");
  }
  j.id = new_id("j");
  j.corpus_id = corpus->id;
  j.name = request.name.empty() ? corpus->name : request.name;
  j.status = JobStatus::kQueued;
  j.progress.epochs = j.params.epochs;
  j.progress.words_total = 0;
  j.progress.alpha = j.params.alpha;
  j.created_at = proto::now_rfc3339();
  {
    std::lock_guard lock(mutex_);
    store_.insert_job(j);
    queue_.push_back(j.id);
  }
  wake_.notify_one();
  spdlog::info("job {} queued on corpus {}", j.id, j.corpus_id);
  return j;
}

std::optional<JobRecord> JobManager::job(const std::string& id) const {
  {
    std::lock_guard lock(mutex_);
    if (auto it = running_.find(id); it != running_.end()) return it->second->record;
  }
  return store_.job(id);
}

std::vector<JobRecord> JobManager::jobs() const {
  std::vector<JobRecord> all = store_.jobs();
  std::lock_guard lock(mutex_);
  for (JobRecord& j : all) {
    if (auto it = running_.find(j.id); it != running_.end()) j = it->second->record;
  }
  return all;
}

JobRecord JobManager::cancel(const std::string& id) {
  std::unique_lock lock(mutex_);
  if (auto it = running_.find(id); it != running_.end()) {
    it->second->cancel_requested = true;
    it->second->interrupt = true;
    return it->second->record;
  }
  auto j = store_.job(id);
  if (!j) throw ApiError::not_found("no job " + id, "job_not_found");
  if (proto::is_terminal(j->status)) {
    throw ApiError::conflict(
        "job " + id + " has already " + std::string(proto::to_string(j->status)), "job_finished");
  }
  queue_.erase(std::remove(queue_.begin(), queue_.end(), id), queue_.end());
  j->status = JobStatus::kCancelled;
  j->finished_at = proto::now_rfc3339();
  store_.update_job(*j);
  lock.unlock();
  DataDir::remove_all(dirs_.job_dir(id));
  spdlog::info("job {} cancelled while queued", id);
  return *j;
}

std::map<JobStatus, std::size_t> JobManager::count_by_status() const {
  std::map<JobStatus, std::size_t> counts;
  for (const JobRecord& j : jobs()) ++counts[j.status];
  return counts;
}

double JobManager::training_words_per_sec() const {
  std::lock_guard lock(mutex_);
  double total = 0;
  for (const auto& [id, r] : running_) total += r->record.progress.words_per_sec;
  return total;
}

void JobManager::runner_loop() {
  for (;;) {
    std::string id;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      id = queue_.front();
      queue_.pop_front();
    }
    run(id);
  }
}

void JobManager::run(const std::string& id) {
  auto r = std::make_shared<Running>();
  {
    std::lock_guard lock(mutex_);
    auto j = store_.job(id);
    if (!j || j->status != JobStatus::kQueued) return;  // cancelled meanwhile
    r->record = *j;
    r->record.status = JobStatus::kRunning;
    r->record.attempts += 1;
    if (!r->record.started_at) r->record.started_at = proto::now_rfc3339();
    r->record.resumed_from_epoch.reset();
    store_.update_job(r->record);
    running_[id] = r;
  }
  spdlog::info("job {} running (attempt {})", id, r->record.attempts);

  TrainingJob job(dirs_, r->record);
  try {
    const int resumed = job.prepare();
    if (resumed > 0 || r->record.attempts > 1) {
      std::lock_guard lock(mutex_);
      r->record.resumed_from_epoch = resumed;
      store_.update_job(r->record);
      spdlog::info("job {} resumes from epoch {}", id, resumed);
    }
    TrainHooks hooks;
    hooks.cancel = &r->interrupt;
    hooks.on_progress = [&](const TrainProgress& p) {
      std::lock_guard lock(mutex_);
      r->record.progress = to_progress(p);
    };
    const bool completed = job.train(hooks, [&](int) {
      std::lock_guard lock(mutex_);
      store_.update_job(r->record);
    });
    if (completed) {
      const proto::ModelRecord model =
          job.publish_model({options_.eval_analogies, options_.eval_pairs});
      std::lock_guard lock(mutex_);
      r->record.status = JobStatus::kSucceeded;
      r->record.model_id = model.id;
      r->record.finished_at = proto::now_rfc3339();
      store_.complete_job(r->record, model);
      spdlog::info("job {} succeeded: model {}", id, model.id);
    } else {
      std::lock_guard lock(mutex_);
      if (r->cancel_requested) {
        r->record.status = JobStatus::kCancelled;
        r->record.finished_at = proto::now_rfc3339();
        spdlog::info("job {} cancelled", id);
      } else {
        r->record.status = JobStatus::kQueued;  // shutting down: resume on the next start
        spdlog::info("job {} interrupted by shutdown; it will resume", id);
      }
      store_.update_job(r->record);
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    r->record.status = JobStatus::kFailed;
    r->record.error = e.what();
    r->record.finished_at = proto::now_rfc3339();
    store_.update_job(r->record);
    spdlog::error("job {} failed: {}", id, e.what());
  }
  {
    std::lock_guard lock(mutex_);
    running_.erase(id);
  }
  if (proto::is_terminal(r->record.status)) job.remove_work_files();
}

}  // namespace w2v::server
