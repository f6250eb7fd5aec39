#pragma once
// The metadata store: corpora, jobs and models in SQLite (WAL mode, synchronous=FULL), schema
// versioned with migrations applied at open. Thread-safe: one connection behind a mutex.
// Throws StoreUnavailable (server/store/storage_errors.h, a 503 ApiError) when the database
// cannot be read or written for a reason outside w2vd (disk full, I/O error), and
// std::runtime_error on other database errors.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/records.h"
#include "server/store/job_counts.h"

namespace w2v::server {

enum class DeleteResult { kDeleted, kNotFound, kInUse };

// What requeue_interrupted_jobs did.
struct InterruptedJobs {
  std::vector<proto::JobRecord> requeued;  // now queued again, to resume
  std::vector<proto::JobRecord> failed;    // the process died under them too often
};

class Store {
 public:
  // Opens (creating and migrating when needed) the database at path.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version() const;
  // Jobs by status, from memory (kept with every job write): cheap enough for every scrape.
  const JobCounts& job_counts() const noexcept;

  void insert_corpus(const proto::CorpusRecord& c);
  std::optional<proto::CorpusRecord> corpus(const std::string& id) const;
  std::vector<proto::CorpusRecord> corpora() const;  // oldest first
  // kInUse when a queued or running job uses it; otherwise deletes the record.
  DeleteResult delete_corpus(const std::string& id);
  // Marks the corpus broken with why (its files cannot be used), or with nullopt whole again;
  // false when there is no such corpus.
  bool set_corpus_broken(const std::string& id, const std::optional<std::string>& why);

  void insert_job(const proto::JobRecord& j);  // appended to the FIFO order
  // In one transaction: inserts j only while its corpus exists (so a job never names a corpus
  // deleted under it: delete_corpus answers kInUse, or this answers false).
  bool insert_job_if_corpus_exists(const proto::JobRecord& j);
  std::optional<proto::JobRecord> job(const std::string& id) const;
  std::vector<proto::JobRecord> jobs() const;                                // in submission order
  std::vector<proto::JobRecord> jobs_with_status(proto::JobStatus s) const;  // submission order
  void update_job(const proto::JobRecord& j);  // replaces the record with j.id
  // In one transaction: inserts the model and updates the job (which names it).
  void complete_job(const proto::JobRecord& j, const proto::ModelRecord& m);
  // At start, in one transaction: counts one more crash for every job still marked running (the
  // previous process died under it); queues it again to resume, or fails it with error once it
  // has crashed max_crashes times.
  InterruptedJobs requeue_interrupted_jobs(int max_crashes, const std::string& error,
                                           const std::string& finished_at);

  // A job's progress history (JSON text, server/jobs/progress_history.h), replaced whole.
  void save_job_history(const std::string& job_id, const std::string& history_json);
  std::optional<std::string> job_history(const std::string& job_id) const;

  void insert_model(const proto::ModelRecord& m);
  std::optional<proto::ModelRecord> model(const std::string& id) const;
  std::vector<proto::ModelRecord> models() const;  // oldest first
  // Every field but the broken mark; false when there is no such model.
  bool update_model(const proto::ModelRecord& m);
  // As set_corpus_broken, for a model.
  bool set_model_broken(const std::string& id, const std::optional<std::string>& why);
  // kInUse when a queued or running job starts from it (init_model); otherwise deletes it.
  DeleteResult delete_model(const std::string& id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace w2v::server
