// The store's queries: each public method is one statement, or one transaction, under the
// store's lock. The schema is server/store/schema.*, the mapping of records to rows
// server/store/rows.*.

#include "server/store/store.h"

#include <mutex>
#include <stdexcept>
#include <utility>

#include "server/store/rows.h"
#include "server/store/schema.h"
#include "server/store/sqlite.h"
#include "server/store/storage_errors.h"

namespace w2v::server {
namespace {

using proto::CorpusRecord;
using proto::JobRecord;
using proto::JobStatus;
using proto::ModelRecord;
using rows::kCorpusColumns;
using rows::kJobColumns;
using rows::kModelColumns;

// SQLite failures caused by the machine rather than by w2vd become StoreUnavailable (503);
// others (constraint violations, corruption) stay as they are.
[[noreturn]] void rethrow_store_error(const sqlite::Error& e, const std::string& path) {
  switch (e.code() & 0xFF) {
    case SQLITE_FULL:
      throw StoreUnavailable("the metadata store cannot be written: the disk holding " + path +
                                 " is full; free space there (w2vd recovers by itself)",
                             true);
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      throw StoreUnavailable(
          "the metadata store " + path + " is unavailable (" + e.what() + "); retry later", false);
    default:
      throw e;
  }
}

}  // namespace

// The connection and the helpers the methods share. A *_locked helper expects its caller to
// hold mutex (through locked()); it never takes it itself.
struct Store::Impl {
  explicit Impl(const std::string& path) : db(path) {}

  void open() {
    schema::open(db);
    count_jobs();
  }

  // The in-memory job counts, from the rows (once, at open).
  void count_jobs() {
    auto s = db.prepare("SELECT status, COUNT(*) FROM jobs GROUP BY status");
    while (s.step()) {
      job_counts.set(rows::job_status(s.column_text(0), "(any)"), rows::to_u64(s.column_int64(1)));
    }
  }

  // Whether the query, with id as :id, finds a row.
  bool any_row_locked(const char* sql, const std::string& id) {
    auto s = db.prepare(sql);
    s.bind_text(":id", id);
    return s.step();
  }

  // The job's status as stored (for the counts); throws when there is no such job.
  JobStatus stored_status_locked(const std::string& id) {
    auto s = db.prepare("SELECT status FROM jobs WHERE id=:id");
    s.bind_text(":id", id);
    if (!s.step()) throw std::runtime_error("cannot update job " + id + ": no such job");
    return rows::job_status(s.column_text(0), id);
  }

  // Returns the status the job had, for the counts (moved by the caller once committed).
  JobStatus update_job_locked(const JobRecord& j) {
    const JobStatus before = stored_status_locked(j.id);
    auto s = db.prepare(
        "UPDATE jobs SET corpus_id=:corpus_id, name=:name, status=:status, params=:params, "
        "progress=:progress, model_id=:model_id, error=:error, created_at=:created_at, "
        "started_at=:started_at, finished_at=:finished_at, attempts=:attempts, "
        "resumed_from_epoch=:resumed_from_epoch, init_model=:init_model, "
        "vocabulary=:vocabulary, ranks=:ranks WHERE id=:id");
    rows::bind_job(s, j);
    s.run();
    if (db.changes() == 0) throw std::runtime_error("cannot update job " + j.id + ": no such job");
    return before;
  }

  void insert_job_locked(const JobRecord& j) {
    auto s = db.prepare(
        "INSERT INTO jobs (id, corpus_id, name, status, params, progress, model_id, error, "
        "created_at, started_at, finished_at, attempts, resumed_from_epoch, init_model, "
        "vocabulary, ranks, seq) VALUES (:id, :corpus_id, :name, :status, :params, :progress, "
        ":model_id, :error, :created_at, :started_at, :finished_at, :attempts, "
        ":resumed_from_epoch, :init_model, :vocabulary, :ranks, "
        "(SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs))");
    rows::bind_job(s, j);
    s.run();
  }

  std::vector<JobRecord> jobs_with_status_locked(JobStatus status) {
    auto s = db.prepare(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE status=:status ORDER BY seq");
    s.bind_text(":status", proto::to_string(status));
    return all<JobRecord>(std::move(s), rows::read_job);
  }

  void insert_model_locked(const ModelRecord& m) {
    auto s = db.prepare(
        "INSERT INTO models (id, job_id, name, vocab_size, dim, params, evaluation, source, "
        "created_at, search, parent_id, weights, seq) VALUES (:id, :job_id, :name, :vocab_size, "
        ":dim, :params, :evaluation, :source, :created_at, :search, :parent_id, :weights, "
        "(SELECT COALESCE(MAX(seq), 0) + 1 FROM models))");
    rows::bind_model(s, m);
    s.run();
  }

  // Sets (or with nullopt clears) the broken mark of a row of table; false when there is none.
  bool set_broken_locked(const char* table, const std::string& id,
                         const std::optional<std::string>& why) {
    auto s = db.prepare(std::string("UPDATE ") + table + " SET broken=:broken WHERE id=:id");
    s.bind_text(":id", id);
    s.bind_optional_text(":broken", why);
    s.run();
    return db.changes() > 0;
  }

  // The row whose :id is id, read by read; nullopt when there is none.
  template <class Record, class Read>
  std::optional<Record> one(const std::string& sql, const std::string& id, Read read) {
    auto s = db.prepare(sql);
    s.bind_text(":id", id);
    if (!s.step()) return std::nullopt;
    return read(s);
  }

  template <class Record, class Read>
  std::vector<Record> all(sqlite::Statement s, Read read) {
    std::vector<Record> out;
    while (s.step()) out.push_back(read(s));
    return out;
  }

  // Runs f under the store's lock, turning the machine's failures into StoreUnavailable.
  template <class F>
  auto locked(F&& f) -> decltype(f()) {
    std::lock_guard lock(mutex);
    try {
      return f();
    } catch (const sqlite::Error& e) {
      rethrow_store_error(e, db.path());
    }
  }

  std::mutex mutex;
  sqlite::Database db;
  JobCounts job_counts;
};

Store::Store(const std::string& path) : impl_(std::make_unique<Impl>(path)) {
  try {
    impl_->open();
  } catch (const sqlite::Error& e) {
    rethrow_store_error(e, path);
  }
}

Store::~Store() = default;

const JobCounts& Store::job_counts() const noexcept {
  return impl_->job_counts;
}

int Store::schema_version() const {
  return impl_->locked([&] { return schema::user_version(impl_->db); });
}

// ---- corpora ----

void Store::insert_corpus(const CorpusRecord& c) {
  impl_->locked([&] {
    auto s = impl_->db.prepare(
        "INSERT INTO corpora (id, name, bytes, tokens, sentences, distinct_words, created_at, "
        "seq) VALUES (:id, :name, :bytes, :tokens, :sentences, :distinct_words, :created_at, "
        "(SELECT COALESCE(MAX(seq), 0) + 1 FROM corpora))");
    rows::bind_corpus(s, c);
    s.run();
  });
}

std::optional<CorpusRecord> Store::corpus(const std::string& id) const {
  return impl_->locked([&] {
    return impl_->one<CorpusRecord>(
        std::string("SELECT ") + kCorpusColumns + " FROM corpora WHERE id=:id", id,
        rows::read_corpus);
  });
}

std::vector<CorpusRecord> Store::corpora() const {
  return impl_->locked([&] {
    return impl_->all<CorpusRecord>(
        impl_->db.prepare(std::string("SELECT ") + kCorpusColumns + " FROM corpora ORDER BY seq"),
        rows::read_corpus);
  });
}

DeleteResult Store::delete_corpus(const std::string& id) {
  return impl_->locked([&] {
    auto& db = impl_->db;
    sqlite::Transaction tx(db);
    if (!impl_->any_row_locked("SELECT 1 FROM corpora WHERE id=:id", id))
      return DeleteResult::kNotFound;
    if (impl_->any_row_locked(
            "SELECT 1 FROM jobs WHERE corpus_id=:id AND status IN ('queued', 'running') LIMIT 1",
            id))
      return DeleteResult::kInUse;
    {
      auto s = db.prepare("DELETE FROM corpora WHERE id=:id");
      s.bind_text(":id", id);
      s.run();
    }
    tx.commit();
    return DeleteResult::kDeleted;
  });
}

bool Store::set_corpus_broken(const std::string& id, const std::optional<std::string>& why) {
  return impl_->locked([&] { return impl_->set_broken_locked("corpora", id, why); });
}

// ---- jobs ----

void Store::insert_job(const JobRecord& j) {
  impl_->locked([&] {
    impl_->insert_job_locked(j);
    impl_->job_counts.added(j.status);
  });
}

bool Store::insert_job_if_corpus_exists(const JobRecord& j) {
  return impl_->locked([&] {
    auto& db = impl_->db;
    sqlite::Transaction tx(db);
    if (!impl_->any_row_locked("SELECT 1 FROM corpora WHERE id=:id", j.corpus_id)) return false;
    impl_->insert_job_locked(j);
    tx.commit();
    impl_->job_counts.added(j.status);
    return true;
  });
}

std::optional<JobRecord> Store::job(const std::string& id) const {
  return impl_->locked([&] {
    return impl_->one<JobRecord>(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id=:id",
                                 id, rows::read_job);
  });
}

std::vector<JobRecord> Store::jobs() const {
  return impl_->locked([&] {
    return impl_->all<JobRecord>(
        impl_->db.prepare(std::string("SELECT ") + kJobColumns + " FROM jobs ORDER BY seq"),
        rows::read_job);
  });
}

std::vector<JobRecord> Store::jobs_with_status(JobStatus status) const {
  return impl_->locked([&] { return impl_->jobs_with_status_locked(status); });
}

void Store::update_job(const JobRecord& j) {
  impl_->locked([&] {
    const JobStatus before = impl_->update_job_locked(j);
    impl_->job_counts.moved(before, j.status);
  });
}

void Store::complete_job(const JobRecord& j, const ModelRecord& m) {
  impl_->locked([&] {
    sqlite::Transaction tx(impl_->db);
    impl_->insert_model_locked(m);
    const JobStatus before = impl_->update_job_locked(j);
    tx.commit();
    impl_->job_counts.moved(before, j.status);
  });
}

InterruptedJobs Store::requeue_interrupted_jobs(int max_crashes, const std::string& error,
                                                const std::string& finished_at) {
  return impl_->locked([&] {
    auto& db = impl_->db;
    sqlite::Transaction tx(db);
    InterruptedJobs out;
    std::vector<std::pair<JobStatus, JobStatus>> moves;
    for (JobRecord j : impl_->jobs_with_status_locked(JobStatus::kRunning)) {
      std::int64_t crashes = 0;
      {
        auto s = db.prepare("UPDATE jobs SET crashes = crashes + 1 WHERE id=:id RETURNING crashes");
        s.bind_text(":id", j.id);
        if (s.step()) crashes = s.column_int64(0);
      }
      if (crashes >= max_crashes) {
        j.status = JobStatus::kFailed;
        j.error = error;
        j.finished_at = finished_at;
        out.failed.push_back(j);
      } else {
        j.status = JobStatus::kQueued;
        out.requeued.push_back(j);
      }
      moves.emplace_back(impl_->update_job_locked(j), j.status);
    }
    tx.commit();
    for (auto [from, to] : moves) impl_->job_counts.moved(from, to);
    return out;
  });
}

void Store::save_job_history(const std::string& job_id, const std::string& history_json) {
  impl_->locked([&] {
    auto s = impl_->db.prepare(
        "INSERT INTO job_progress_history (job_id, history) VALUES (:job_id, :history) "
        "ON CONFLICT (job_id) DO UPDATE SET history = excluded.history");
    s.bind_text(":job_id", job_id);
    s.bind_text(":history", history_json);
    s.run();
  });
}

std::optional<std::string> Store::job_history(const std::string& job_id) const {
  return impl_->locked([&]() -> std::optional<std::string> {
    auto s = impl_->db.prepare("SELECT history FROM job_progress_history WHERE job_id = :job_id");
    s.bind_text(":job_id", job_id);
    if (!s.step()) return std::nullopt;
    return s.column_text(0);
  });
}

// ---- models ----

void Store::insert_model(const ModelRecord& m) {
  impl_->locked([&] { impl_->insert_model_locked(m); });
}

std::optional<ModelRecord> Store::model(const std::string& id) const {
  return impl_->locked([&] {
    return impl_->one<ModelRecord>(
        std::string("SELECT ") + kModelColumns + " FROM models WHERE id=:id", id, rows::read_model);
  });
}

std::vector<ModelRecord> Store::models() const {
  return impl_->locked([&] {
    return impl_->all<ModelRecord>(
        impl_->db.prepare(std::string("SELECT ") + kModelColumns + " FROM models ORDER BY seq"),
        rows::read_model);
  });
}

bool Store::update_model(const ModelRecord& m) {
  return impl_->locked([&] {
    auto s = impl_->db.prepare(
        "UPDATE models SET job_id=:job_id, name=:name, vocab_size=:vocab_size, dim=:dim, "
        "params=:params, evaluation=:evaluation, source=:source, created_at=:created_at, "
        "search=:search, parent_id=:parent_id, weights=:weights WHERE id=:id");
    rows::bind_model(s, m);
    s.run();
    return impl_->db.changes() > 0;
  });
}

bool Store::set_model_broken(const std::string& id, const std::optional<std::string>& why) {
  return impl_->locked([&] { return impl_->set_broken_locked("models", id, why); });
}

DeleteResult Store::delete_model(const std::string& id) {
  return impl_->locked([&] {
    auto& db = impl_->db;
    sqlite::Transaction tx(db);
    // A queued or running job starts from it (and a restart resumes from it again).
    if (impl_->any_row_locked(
            "SELECT 1 FROM jobs WHERE init_model=:id AND status IN ('queued', 'running') LIMIT 1",
            id))
      return DeleteResult::kInUse;
    auto s = db.prepare("DELETE FROM models WHERE id=:id");
    s.bind_text(":id", id);
    s.run();
    const bool deleted = db.changes() > 0;
    tx.commit();
    return deleted ? DeleteResult::kDeleted : DeleteResult::kNotFound;
  });
}

}  // namespace w2v::server
