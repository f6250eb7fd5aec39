#pragma once
// The metadata store: corpora, jobs and models in SQLite (WAL mode, synchronous=FULL), schema
// versioned with migrations applied at open. Thread-safe: one connection behind a mutex.
// Throws std::runtime_error on database errors.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/records.h"

namespace w2v::server {

enum class DeleteResult { kDeleted, kNotFound, kInUse };

class Store {
 public:
  // Opens (creating and migrating when needed) the database at path.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version() const;

  void insert_corpus(const proto::CorpusRecord& c);
  std::optional<proto::CorpusRecord> corpus(const std::string& id) const;
  std::vector<proto::CorpusRecord> corpora() const;  // oldest first
  // kInUse when a queued or running job uses it; otherwise deletes the record.
  DeleteResult delete_corpus(const std::string& id);

  void insert_job(const proto::JobRecord& j);  // appended to the FIFO order
  std::optional<proto::JobRecord> job(const std::string& id) const;
  std::vector<proto::JobRecord> jobs() const;                                // in submission order
  std::vector<proto::JobRecord> jobs_with_status(proto::JobStatus s) const;  // submission order
  void update_job(const proto::JobRecord& j);  // replaces the record with j.id
  // In one transaction: inserts the model and updates the job (which names it).
  void complete_job(const proto::JobRecord& j, const proto::ModelRecord& m);

  void insert_model(const proto::ModelRecord& m);
  std::optional<proto::ModelRecord> model(const std::string& id) const;
  std::vector<proto::ModelRecord> models() const;  // oldest first
  void update_model(const proto::ModelRecord& m);
  // kInUse when a queued or running job starts from it (init_model); otherwise deletes it.
  DeleteResult delete_model(const std::string& id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace w2v::server
