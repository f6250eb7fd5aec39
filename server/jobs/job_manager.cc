#include "server/jobs/job_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "proto/api_error.h"
#include "server/jobs/model_publication.h"
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

}  // namespace

JobManager::JobManager(Store& store, const DataDir& dirs, JobManagerOptions options)
    : store_(store),
      dirs_(dirs),
      options_(std::move(options)),
      admission_(store_, dirs_,
                 {options_.train_threads, options_.softmax_max_vocab, options_.max_job_memory,
                  !options_.eval_analogies.empty() || !options_.eval_pairs.empty(),
                  !options_.mpi.launcher.empty(), options_.max_ranks}) {}

JobManager::~JobManager() {
  stop();
}

void JobManager::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  load_queue();  // when the store is not usable yet, the runners retry
  const int n = std::max(1, options_.max_running_jobs);
  for (int i = 0; i < n; ++i) runners_.emplace_back([this] { runner_loop(); });
}

bool JobManager::load_queue() {
  if (queue_loaded_) return true;
  try {
    const InterruptedJobs interrupted = store_.requeue_interrupted_jobs(
        options_.max_crashes,
        "the w2vd process died while this job was running, " +
            std::to_string(options_.max_crashes) +
            " times (out of memory? see the job's memory estimate in docs/operations.md); it is "
            "not started again",
        proto::now_rfc3339());
    for (const JobRecord& j : interrupted.requeued) {
      spdlog::info("job {} was interrupted while running; it will resume", j.id);
    }
    for (const JobRecord& j : interrupted.failed) {
      spdlog::error("job {} failed: {}", j.id, j.error.value_or(""));
      DataDir::remove_all(dirs_.job_dir(j.id));
    }
    // Interrupted jobs come first anyway: they were submitted earlier than anything queued.
    for (const JobRecord& j : store_.jobs_with_status(JobStatus::kQueued)) queue_.push_back(j.id);
  } catch (const std::exception& e) {
    spdlog::error("cannot load the job queue from the store: {}; retrying", e.what());
    return false;
  }
  queue_loaded_ = true;
  return true;
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
  JobRecord j = admission_.admit(request);
  {
    std::lock_guard lock(mutex_);
    // The corpus check and the insert are one store transaction: a concurrent DELETE of the
    // corpus either sees this job (409 corpus_in_use) or makes this 404.
    if (!store_.insert_job_if_corpus_exists(j)) throw job_corpus_not_found(j.corpus_id);
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
  const auto finished = [&](JobStatus status) {
    return ApiError::conflict("job " + id + " has already " + std::string(proto::to_string(status)),
                              "job_finished");
  };
  std::unique_lock lock(mutex_);
  if (auto it = running_.find(id); it != running_.end()) {
    // Its outcome is decided under mutex_: once it is, the cancel comes too late.
    if (it->second->decided) throw finished(*it->second->decided);
    it->second->cancel_requested = true;
    it->second->interrupt = true;
    return it->second->record;
  }
  auto j = store_.job(id);
  if (!j) throw proto::not_found_error(proto::Resource::kJob, id);
  if (proto::is_terminal(j->status)) throw finished(j->status);
  queue_.erase(std::remove(queue_.begin(), queue_.end(), id), queue_.end());
  j->status = JobStatus::kCancelled;
  j->finished_at = proto::now_rfc3339();
  store_.update_job(*j);
  lock.unlock();
  DataDir::remove_all(dirs_.job_dir(id));
  spdlog::info("job {} cancelled while queued", id);
  return *j;
}

std::optional<nlohmann::json> JobManager::history(const std::string& id) const {
  {
    std::lock_guard lock(mutex_);
    if (auto it = running_.find(id); it != running_.end()) return it->second->history.to_json();
  }
  if (!store_.job(id)) return std::nullopt;
  return stored_history(id).to_json();
}

ProgressHistory JobManager::stored_history(const std::string& id) const {
  const auto text = store_.job_history(id);
  if (!text) return ProgressHistory();
  try {
    return ProgressHistory::from_json(nlohmann::json::parse(*text));
  } catch (const std::exception& e) {
    spdlog::warn("job {}: stored progress history unreadable, starting a new one: {}", id,
                 e.what());
    return ProgressHistory();
  }
}

double JobManager::training_words_per_sec() const {
  std::lock_guard lock(mutex_);
  double total = 0;
  for (const auto& [id, r] : running_) total += r->record.progress.words_per_sec;
  return total;
}

void JobManager::wait_retry(std::unique_lock<std::mutex>& lock) {
  wake_.wait_for(lock, options_.store_retry, [&] { return stopping_; });
}

void JobManager::runner_loop() {
  for (;;) {
    std::string id;
    {
      std::unique_lock lock(mutex_);
      while (!stopping_ && !load_queue()) wait_retry(lock);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      id = queue_.front();
      queue_.pop_front();
    }
    try {
      run(id);
    } catch (const std::exception& e) {
      // run() handles its own failures; this is the last line that keeps the daemon up.
      spdlog::error("job {}: unexpected failure in the job runner: {}", id, e.what());
    }
  }
}

bool JobManager::train(Running& r, TrainingJob& job) {
  const std::string id = r.record.id;  // never changes
  const auto resumed_from = [&](int resumed) {
    std::lock_guard lock(mutex_);
    if (resumed > 0 || r.record.attempts > 1) {
      r.record.resumed_from_epoch = resumed;
      spdlog::info("job {} resumes from epoch {}", id, resumed);
    }
    r.history.truncate_after(static_cast<double>(resumed) / r.record.params.epochs);
  };
  const auto on_progress = [&](const TrainProgress& p) {
    std::lock_guard lock(mutex_);
    r.record.progress = to_progress(p);
    r.history.add(p);
  };
  const auto on_epoch_end = [&](int) {
    std::lock_guard lock(mutex_);
    try {
      store_.update_job(r.record);  // progress only: the checkpoint on disk is what counts
      store_.save_job_history(id, r.history.to_json().dump());
    } catch (const std::exception& e) {
      spdlog::warn("job {}: cannot store its progress: {}", id, e.what());
    }
  };
  const JobRecord record = [&] {
    std::lock_guard lock(mutex_);
    return r.record;
  }();
  if (record.ranks <= 1) {
    resumed_from(job.prepare());
    TrainHooks hooks;
    hooks.cancel = &r.interrupt;
    hooks.on_progress = on_progress;
    return job.train(hooks, on_epoch_end);
  }
  spdlog::info("job {} starts on {} MPI ranks", id, record.ranks);
  // Rank 0 stages the finished model in the job's directory, as a local job does.
  return run_mpi_job(options_.mpi, dirs_, record, r.interrupt,
                     {resumed_from, on_progress, on_epoch_end});
}

bool JobManager::persist(const std::string& what, const std::function<void()>& write) {
  for (bool logged = false;;) {
    try {
      write();
      if (logged) spdlog::info("{}: stored", what);
      return true;
    } catch (const std::exception& e) {
      if (!logged) spdlog::error("{}: cannot store it ({}); retrying until it can", what, e.what());
      logged = true;
    }
    std::unique_lock lock(mutex_);
    wait_retry(lock);
    if (stopping_) return false;
  }
}

void JobManager::run(const std::string& id) {
  auto r = std::make_shared<Running>();
  {
    std::unique_lock lock(mutex_);
    try {
      auto j = store_.job(id);
      if (!j || j->status != JobStatus::kQueued) return;  // cancelled meanwhile
      r->record = *j;
      r->record.status = JobStatus::kRunning;
      r->record.attempts += 1;
      if (!r->record.started_at) r->record.started_at = proto::now_rfc3339();
      r->record.resumed_from_epoch.reset();
      store_.update_job(r->record);
      r->history = stored_history(id);
    } catch (const std::exception& e) {
      spdlog::error("job {} cannot start: {}; retrying", id, e.what());
      queue_.push_front(id);
      wait_retry(lock);
      return;
    }
    running_[id] = r;
  }
  spdlog::info("job {} running (attempt {})", id, r->record.attempts);

  TrainingJob job(dirs_, r->record);
  std::optional<proto::ModelRecord> model;
  // The outcome is decided under mutex_ (r->decided: a cancel from then on is refused as too
  // late) but shown in r->record only once a failed or cancelled job's work files are gone, so a
  // client that sees its terminal status finds them gone (a crash in between resumes the job
  // from scratch).
  JobRecord final_record;
  try {
    const bool completed = train(*r, job);
    if (completed) {
      model =
          publish_job_model(dirs_, job.record(), {options_.eval_analogies, options_.eval_pairs});
    }
    std::lock_guard lock(mutex_);
    final_record = r->record;
    if (r->cancel_requested) {
      final_record.status = JobStatus::kCancelled;
      final_record.finished_at = proto::now_rfc3339();
    } else if (completed) {
      final_record.status = JobStatus::kSucceeded;
      final_record.model_id = model->id;
      final_record.finished_at = proto::now_rfc3339();
    } else {
      final_record.status = JobStatus::kQueued;  // shutting down: resume on the next start
    }
    if (proto::is_terminal(final_record.status)) r->decided = final_record.status;
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    final_record = r->record;
    final_record.status = JobStatus::kFailed;
    final_record.error = e.what();
    final_record.finished_at = proto::now_rfc3339();
    r->decided = final_record.status;
  }

  const bool ended_without_model =
      final_record.status == JobStatus::kFailed || final_record.status == JobStatus::kCancelled;
  if (ended_without_model) job.remove_work_files();
  {
    std::lock_guard lock(mutex_);
    r->record = final_record;
  }
  bool stored = false;
  if (final_record.status == JobStatus::kSucceeded) {
    stored = persist("job " + id + " succeeded with model " + model->id,
                     [&] { store_.complete_job(final_record, *model); });
    if (!stored) DataDir::remove_all(dirs_.model_dir(model->id));  // swept anyway at start
  } else {
    if (model) DataDir::remove_all(dirs_.model_dir(model->id));  // cancelled after publishing
    stored = persist("job " + id + " " + std::string(proto::to_string(final_record.status)),
                     [&] { store_.update_job(final_record); });
  }
  switch (final_record.status) {
    case JobStatus::kSucceeded:
      spdlog::info("job {} succeeded: model {}", id, model->id);
      break;
    case JobStatus::kFailed:
      spdlog::error("job {} failed: {}", id, final_record.error.value_or(""));
      break;
    case JobStatus::kCancelled:
      spdlog::info("job {} cancelled", id);
      break;
    default:
      spdlog::info("job {} interrupted by shutdown; it will resume", id);
  }
  {
    std::lock_guard lock(mutex_);
    try {
      store_.save_job_history(id, r->history.to_json().dump());
    } catch (const std::exception& e) {
      spdlog::error("job {}: cannot store its progress history: {}", id, e.what());
    }
    running_.erase(id);
  }
  if (stored && final_record.status == JobStatus::kSucceeded) job.remove_work_files();
}

}  // namespace w2v::server
