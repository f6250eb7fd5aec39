#pragma once
// Runs training jobs: a FIFO queue persisted in the store, up to max_running_jobs at once, each
// on its own thread whose training runs in its own oneTBB task arena (so the HTTP threads keep
// answering), or (ranks > 1) as an MPI job (server/mpi/mpi_job_run.h). What is queued has been
// admitted (server/jobs/job_admission.h); one job's steps are server/jobs/training_job.h, its
// model's publication server/jobs/model_publication.h. Running jobs publish live progress,
// write a checkpoint at every epoch end, and on restart resume from it. Cancel works for queued
// and running jobs; stop() interrupts running jobs so the next start resumes them.
//
// Nothing a job does ends the process: any failure (a full disk, an unreadable corpus, a store
// that cannot be written) fails that job with a readable error. A store write that fails is
// retried every few seconds while the job's record stays in memory (so GET shows it), until
// the store takes it; a job the process died under max_crashes times is failed, not restarted.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "proto/records.h"
#include "proto/requests.h"
#include "server/jobs/job_admission.h"
#include "server/jobs/progress_history.h"
#include "server/jobs/training_job.h"
#include "server/mpi/mpi_job_run.h"
#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {

struct JobManagerOptions {
  int max_running_jobs = 1;
  int train_threads = 0;                    // used when a job asks for threads = 0; 0 = every core
  std::vector<std::string> eval_analogies;  // evaluation files run on every finished model
  std::vector<std::string> eval_pairs;
  std::size_t softmax_max_vocab = 50000;        // loss=softmax is refused above this vocabulary
  std::uint64_t max_job_memory = 0;             // jobs estimated above it are refused; 0: default
  int max_crashes = 3;                          // process deaths under a job before it is failed
  std::chrono::milliseconds store_retry{2000};  // between attempts to write a failed record
  // Distributed jobs ("ranks" > 1): how to start them (no launcher: refused) and the most
  // ranks a job may ask for.
  MpiLaunch mpi;
  int max_ranks = 64;
};

class JobManager {
 public:
  JobManager(Store& store, const DataDir& dirs, JobManagerOptions options);
  ~JobManager();
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  // Requeues the jobs a previous process left running (they resume from their checkpoints),
  // queues the queued ones in submission order, and starts the runners.
  void start();
  // Interrupts running jobs (their records go back to queued, to resume on the next start),
  // and joins the runners. Idempotent.
  void stop();

  // Admits the request (server/jobs/job_admission.h: its errors) and queues it; 404 as well
  // when its corpus is deleted before the job is stored.
  proto::JobRecord submit(const proto::CreateJobRequest& request);
  // The record, with live progress while it runs.
  std::optional<proto::JobRecord> job(const std::string& id) const;
  std::vector<proto::JobRecord> jobs() const;
  // Cancels a queued or running job (a running one stops within about a second; one that has
  // finished training but not yet committed its model is cancelled and the model discarded).
  // 404 for an unknown job, 409 when it has already finished.
  proto::JobRecord cancel(const std::string& id);
  // The job's progress history (ProgressHistory::to_json), live while it runs; nullopt for an
  // unknown job, an empty history for one that has not run.
  std::optional<nlohmann::json> history(const std::string& id) const;

  // For metrics (jobs by status: Store::job_counts()).
  double training_words_per_sec() const;

 private:
  struct Running {
    proto::JobRecord record;
    std::atomic<bool> interrupt{false};
    bool cancel_requested = false;  // guarded by mutex_
    ProgressHistory history;        // guarded by mutex_
    // The terminal status decided for it, before record shows it (guarded by mutex_): a cancel
    // from then on comes too late.
    std::optional<proto::JobStatus> decided;
  };
  void runner_loop();
  // Requeues what the previous process left running and fills the queue from the store; false
  // (logged) when the store cannot be read or written yet.
  bool load_queue();
  void run(const std::string& id);
  // Trains r's job, in this process or (ranks > 1) as an MPI job, its model staged for
  // publication (server/jobs/model_publication.h); false when interrupted.
  bool train(Running& r, TrainingJob& job);
  // Runs write until the store takes it, waiting store_retry between attempts; false when
  // stop() came first. Called without mutex_ held.
  bool persist(const std::string& what, const std::function<void()>& write);
  // Waits store_retry or until stop(); lock holds mutex_.
  void wait_retry(std::unique_lock<std::mutex>& lock);
  ProgressHistory stored_history(const std::string& id) const;

  Store& store_;
  const DataDir& dirs_;
  const JobManagerOptions options_;
  const JobAdmission admission_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::map<std::string, std::shared_ptr<Running>> running_;
  bool stopping_ = false;
  bool started_ = false;
  bool queue_loaded_ = false;
  std::vector<std::thread> runners_;
};

}  // namespace w2v::server
