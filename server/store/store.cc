#include "server/store/store.h"

#include <iterator>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "proto/json_text.h"
#include "server/store/sqlite.h"
#include "server/store/storage_errors.h"

namespace w2v::server {
namespace {

using nlohmann::json;
using proto::CorpusRecord;
using proto::JobRecord;
using proto::JobStatus;
using proto::ModelRecord;

// The schema's history: migration i (1-based) brings user_version from i-1 to i. Append new
// migrations at the end; never edit one that has shipped.
//
// Every table has its own seq so "oldest first" and the job FIFO survive VACUUM (which may
// renumber the implicit rowids). jobs.corpus_id and models.job_id are plain columns, not
// foreign keys: a job keeps naming its corpus after the corpus is deleted (once the job is
// over), and an imported model has no job. Text columns hold arbitrary bytes.
constexpr const char* kMigrations[] = {
    // 1: corpora, jobs and models.
    R"sql(
CREATE TABLE corpora (
  id             TEXT PRIMARY KEY NOT NULL,
  seq            INTEGER NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  bytes          INTEGER NOT NULL,
  tokens         INTEGER NOT NULL,
  sentences      INTEGER NOT NULL,
  distinct_words INTEGER NOT NULL,
  created_at     TEXT NOT NULL
);
CREATE TABLE jobs (
  id                 TEXT PRIMARY KEY NOT NULL,
  seq                INTEGER NOT NULL UNIQUE,
  corpus_id          TEXT NOT NULL,
  name               TEXT NOT NULL,
  status             TEXT NOT NULL
                     CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  params             TEXT NOT NULL,  -- JSON (proto::to_json(TrainParams))
  progress           TEXT NOT NULL,  -- JSON (proto::to_json(JobProgress))
  model_id           TEXT,
  error              TEXT,
  created_at         TEXT NOT NULL,
  started_at         TEXT,
  finished_at        TEXT,
  attempts           INTEGER NOT NULL DEFAULT 0,
  resumed_from_epoch INTEGER
);
CREATE INDEX jobs_by_status ON jobs (status, seq);
CREATE INDEX jobs_by_corpus ON jobs (corpus_id, status);
CREATE TABLE models (
  id         TEXT PRIMARY KEY NOT NULL,
  seq        INTEGER NOT NULL UNIQUE,
  job_id     TEXT,
  name       TEXT NOT NULL,
  vocab_size INTEGER NOT NULL,
  dim        INTEGER NOT NULL,
  params     TEXT,           -- JSON (proto::to_json(TrainParams)); NULL for imported models
  evaluation TEXT NOT NULL,  -- JSON object
  source     TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX models_by_job ON models (job_id);
)sql",
    // 2: "kernel": "batch" used to mean the minibatched kernel for skip-gram + ns and the
    // per-pair one for everything else; that meaning is now "auto", and "batch" selects the
    // minibatched CBOW kernel too. Records of other objectives keep their meaning as "auto".
    R"sql(
UPDATE jobs SET params = json_set(params, '$.kernel', 'auto')
 WHERE json_valid(params) AND json_extract(params, '$.kernel') = 'batch'
   AND NOT (json_extract(params, '$.model') = 'skipgram'
            AND json_extract(params, '$.loss') = 'ns');
UPDATE models SET params = json_set(params, '$.kernel', 'auto')
 WHERE params IS NOT NULL AND json_valid(params) AND json_extract(params, '$.kernel') = 'batch'
   AND NOT (json_extract(params, '$.model') = 'skipgram'
            AND json_extract(params, '$.loss') = 'ns');
)sql",
    // 3: a model's default search for /similar.
    R"sql(
ALTER TABLE models ADD COLUMN search TEXT NOT NULL DEFAULT 'exact'
  CHECK (search IN ('exact', 'approximate'));
)sql",
    // 4: how many times the process died while a job was running (a crash loop guard).
    R"sql(
ALTER TABLE jobs ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0;
)sql",
    // 5: a job's progress history, bounded (server/jobs/progress_history.h), for its curves.
    R"sql(
CREATE TABLE job_progress_history (
  job_id  TEXT PRIMARY KEY NOT NULL,
  history TEXT NOT NULL  -- JSON (ProgressHistory::to_json)
);
)sql",
    // 6: continued training. A model names the model its job started from, and says whether it
    // keeps what training further needs beside its vectors (output weights, word counts): the
    // models before this version kept their vectors only. A job names the model it starts from
    // and what becomes of that model's vocabulary.
    R"sql(
ALTER TABLE models ADD COLUMN parent_id TEXT;
ALTER TABLE models ADD COLUMN weights TEXT NOT NULL DEFAULT 'vectors_only'
  CHECK (weights IN ('full', 'vectors_only'));
ALTER TABLE jobs ADD COLUMN init_model TEXT;
ALTER TABLE jobs ADD COLUMN vocabulary TEXT CHECK (vocabulary IN ('extend', 'keep'));
CREATE INDEX jobs_by_init_model ON jobs (init_model, status);
)sql",
    // 7: rows whose files cannot be used (missing, truncated), found by the start-up sweep or a
    // failed load: why, for a person; NULL while the files are whole.
    R"sql(
ALTER TABLE corpora ADD COLUMN broken TEXT;
ALTER TABLE models ADD COLUMN broken TEXT;
)sql",
    // 8: distributed jobs: the MPI ranks a job trains on (1: in the daemon's process).
    R"sql(
ALTER TABLE jobs ADD COLUMN ranks INTEGER NOT NULL DEFAULT 1 CHECK (ranks >= 1);
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

// Unsigned counts are stored in SQLite's signed 64-bit integers bit for bit.
std::int64_t to_i64(std::uint64_t v) noexcept {
  return static_cast<std::int64_t>(v);
}
std::uint64_t to_u64(std::int64_t v) noexcept {
  return static_cast<std::uint64_t>(v);
}

std::optional<std::int64_t> to_i64(const std::optional<int>& v) {
  if (!v) return std::nullopt;
  return *v;
}
std::optional<int> to_int(const std::optional<std::int64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

[[noreturn]] void corrupt(const std::string& what, const std::string& id, const char* why) {
  throw std::runtime_error("corrupt " + what + " in the database for " + id + ": " + why);
}

TrainParams params_from_text(const std::string& text, const std::string& id) {
  try {
    return proto::train_params_from_json(json::parse(text), "params");
  } catch (const std::exception& e) {
    corrupt("params", id, e.what());
  }
}

proto::JobProgress progress_from_text(const std::string& text, const std::string& id) {
  try {
    return proto::progress_from_json(json::parse(text));
  } catch (const std::exception& e) {
    corrupt("progress", id, e.what());
  }
}

json evaluation_from_text(const std::string& text, const std::string& id) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    corrupt("evaluation", id, e.what());
  }
  if (!j.is_object()) corrupt("evaluation", id, "not a JSON object");
  return j;
}

std::string evaluation_text(const json& evaluation) {
  return proto::dump(evaluation.is_null() ? json::object() : evaluation);
}

// ---- corpora ----

constexpr const char* kCorpusColumns =
    "id, name, bytes, tokens, sentences, distinct_words, created_at, broken";

CorpusRecord read_corpus(const sqlite::Statement& s) {
  CorpusRecord c;
  c.id = s.column_text(0);
  c.name = s.column_text(1);
  c.bytes = to_u64(s.column_int64(2));
  c.tokens = to_u64(s.column_int64(3));
  c.sentences = to_u64(s.column_int64(4));
  c.distinct_words = to_u64(s.column_int64(5));
  c.created_at = s.column_text(6);
  c.broken = s.column_optional_text(7);
  return c;
}

// ---- jobs ----

constexpr const char* kJobColumns =
    "id, corpus_id, name, status, params, progress, model_id, error, created_at, started_at, "
    "finished_at, attempts, resumed_from_epoch, init_model, vocabulary, ranks";

JobRecord read_job(const sqlite::Statement& s) {
  JobRecord j;
  j.id = s.column_text(0);
  j.corpus_id = s.column_text(1);
  j.name = s.column_text(2);
  const std::string status = s.column_text(3);
  const auto parsed = proto::parse_job_status(status);
  if (!parsed) corrupt("status", j.id, ("unknown status \"" + status + "\"").c_str());
  j.status = *parsed;
  j.params = params_from_text(s.column_text(4), j.id);
  j.progress = progress_from_text(s.column_text(5), j.id);
  j.model_id = s.column_optional_text(6);
  j.error = s.column_optional_text(7);
  j.created_at = s.column_text(8);
  j.started_at = s.column_optional_text(9);
  j.finished_at = s.column_optional_text(10);
  j.attempts = static_cast<int>(s.column_int64(11));
  j.resumed_from_epoch = to_int(s.column_optional_int64(12));
  j.init_model = s.column_optional_text(13);
  j.vocabulary = s.column_optional_text(14);
  j.ranks = static_cast<int>(s.column_int64(15));
  return j;
}

// Binds every column of j but id to parameters 1..12 (in kJobColumns' order), id at 13,
// init_model, vocabulary and ranks at 14, 15 and 16.
void bind_job(sqlite::Statement& s, const JobRecord& j) {
  s.bind_text(1, j.corpus_id);
  s.bind_text(2, j.name);
  s.bind_text(3, proto::to_string(j.status));
  s.bind_text(4, proto::dump(proto::to_json(j.params)));
  s.bind_text(5, proto::dump(proto::to_json(j.progress)));
  s.bind_optional_text(6, j.model_id);
  s.bind_optional_text(7, j.error);
  s.bind_text(8, j.created_at);
  s.bind_optional_text(9, j.started_at);
  s.bind_optional_text(10, j.finished_at);
  s.bind_int64(11, j.attempts);
  s.bind_optional_int64(12, to_i64(j.resumed_from_epoch));
  s.bind_text(13, j.id);
  s.bind_optional_text(14, j.init_model);
  s.bind_optional_text(15, j.vocabulary);
  s.bind_int64(16, j.ranks);
}

// ---- models ----

constexpr const char* kModelColumns =
    "id, job_id, name, vocab_size, dim, params, evaluation, source, created_at, search, "
    "parent_id, weights, broken";

ModelRecord read_model(const sqlite::Statement& s) {
  ModelRecord m;
  m.id = s.column_text(0);
  m.job_id = s.column_optional_text(1);
  m.name = s.column_text(2);
  m.vocab_size = to_u64(s.column_int64(3));
  m.dim = static_cast<int>(s.column_int64(4));
  if (const auto params = s.column_optional_text(5)) m.params = params_from_text(*params, m.id);
  m.evaluation = evaluation_from_text(s.column_text(6), m.id);
  m.source = s.column_text(7);
  m.created_at = s.column_text(8);
  m.search = s.column_text(9);
  m.parent_id = s.column_optional_text(10);
  m.weights = s.column_text(11);
  m.broken = s.column_optional_text(12);
  return m;
}

void bind_model(sqlite::Statement& s, const ModelRecord& m) {
  s.bind_optional_text(1, m.job_id);
  s.bind_text(2, m.name);
  s.bind_int64(3, to_i64(m.vocab_size));
  s.bind_int64(4, m.dim);
  if (m.params) {
    s.bind_text(5, proto::dump(proto::to_json(*m.params)));
  } else {
    s.bind_null(5);
  }
  s.bind_text(6, evaluation_text(m.evaluation));
  s.bind_text(7, m.source);
  s.bind_text(8, m.created_at);
  s.bind_text(9, m.id);
  s.bind_text(10, m.search);
  s.bind_optional_text(11, m.parent_id);
  s.bind_text(12, m.weights);
}

int user_version(sqlite::Database& db) {
  auto s = db.prepare("PRAGMA user_version");
  if (!s.step()) throw std::runtime_error("sqlite: PRAGMA user_version returned nothing");
  return static_cast<int>(s.column_int64(0));
}

void refuse_newer(int version, const std::string& path) {
  if (version > kSchemaVersion) {
    throw std::runtime_error("cannot open " + path + ": database schema version " +
                             std::to_string(version) + " is newer than this w2vd supports (" +
                             std::to_string(kSchemaVersion) + "); upgrade w2vd");
  }
}

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

struct Store::Impl {
  explicit Impl(const std::string& path) : db(path) {}

  void open() {
    // Reading the header first refuses a newer database before anything in it changes (and
    // fails cleanly on a file that is not a database).
    refuse_newer(user_version(db), db.path());

    {
      auto s = db.prepare("PRAGMA journal_mode=WAL");
      const std::string mode = s.step() ? s.column_text(0) : std::string();
      if (mode != "wal") {
        throw std::runtime_error("cannot open " + db.path() +
                                 ": the database cannot use WAL journal mode (got \"" + mode +
                                 "\")");
      }
    }
    db.exec("PRAGMA synchronous=FULL");
    db.exec("PRAGMA foreign_keys=ON");
    migrate();
    count_jobs();
  }

  // The in-memory job counts, from the rows (once, at open).
  void count_jobs() {
    auto s = db.prepare("SELECT status, COUNT(*) FROM jobs GROUP BY status");
    while (s.step()) {
      const auto status = proto::parse_job_status(s.column_text(0));
      if (!status)
        corrupt("status", "(any)", ("unknown status \"" + s.column_text(0) + "\"").c_str());
      job_counts.set(*status, to_u64(s.column_int64(1)));
    }
  }

  // Whether the query, with id as ?1, finds a row.
  bool any_row_locked(const char* sql, const std::string& id) {
    auto s = db.prepare(sql);
    s.bind_text(1, id);
    return s.step();
  }

  // The job's status as stored (for the counts); throws when there is no such job.
  JobStatus stored_status_locked(const std::string& id) {
    auto s = db.prepare("SELECT status FROM jobs WHERE id=?1");
    s.bind_text(1, id);
    if (!s.step()) throw std::runtime_error("cannot update job " + id + ": no such job");
    const auto status = proto::parse_job_status(s.column_text(0));
    if (!status) corrupt("status", id, ("unknown status \"" + s.column_text(0) + "\"").c_str());
    return *status;
  }

  void migrate() {
    sqlite::Transaction tx(db);
    // Read again under the write lock: another process may have migrated meanwhile.
    const int current = user_version(db);
    refuse_newer(current, db.path());
    if (current == kSchemaVersion) return;  // nothing to do; the guard ends the transaction
    for (int v = current + 1; v <= kSchemaVersion; ++v) {
      try {
        db.exec(kMigrations[v - 1]);
      } catch (const std::exception& e) {
        throw std::runtime_error("cannot migrate " + db.path() + " to schema version " +
                                 std::to_string(v) + ": " + e.what());
      }
    }
    // PRAGMA takes no parameters; the value is our own integer.
    db.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
    tx.commit();
  }

  // Returns the status the job had, for the counts (moved by the caller once committed).
  JobStatus update_job_locked(const JobRecord& j) {
    const JobStatus before = stored_status_locked(j.id);
    auto s = db.prepare(
        "UPDATE jobs SET corpus_id=?1, name=?2, status=?3, params=?4, progress=?5, "
        "model_id=?6, error=?7, created_at=?8, started_at=?9, finished_at=?10, attempts=?11, "
        "resumed_from_epoch=?12, init_model=?14, vocabulary=?15, ranks=?16 WHERE id=?13");
    bind_job(s, j);
    s.run();
    if (db.changes() == 0) throw std::runtime_error("cannot update job " + j.id + ": no such job");
    return before;
  }

  void insert_job_locked(const JobRecord& j) {
    auto s = db.prepare(
        "INSERT INTO jobs (corpus_id, name, status, params, progress, model_id, error, "
        "created_at, started_at, finished_at, attempts, resumed_from_epoch, id, init_model, "
        "vocabulary, ranks, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
        "?14, ?15, ?16, (SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs))");
    bind_job(s, j);
    s.run();
  }

  std::vector<JobRecord> jobs_with_status_locked(JobStatus status) {
    auto s = db.prepare(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE status=?1 ORDER BY seq");
    s.bind_text(1, proto::to_string(status));
    return all<JobRecord>(std::move(s), read_job);
  }

  void insert_model_locked(const ModelRecord& m) {
    auto s = db.prepare(
        "INSERT INTO models (job_id, name, vocab_size, dim, params, evaluation, source, "
        "created_at, id, search, parent_id, weights, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9, ?10, ?11, ?12, (SELECT COALESCE(MAX(seq), 0) + 1 FROM models))");
    bind_model(s, m);
    s.run();
  }

  // Sets (or with nullopt clears) the broken mark of a row of table; false when there is none.
  bool set_broken_locked(const char* table, const std::string& id,
                         const std::optional<std::string>& why) {
    return locked([&] {
      auto s = db.prepare(std::string("UPDATE ") + table + " SET broken=?2 WHERE id=?1");
      s.bind_text(1, id);
      s.bind_optional_text(2, why);
      s.run();
      return db.changes() > 0;
    });
  }

  template <class Record, class Read>
  std::optional<Record> one(const std::string& sql, const std::string& id, Read read) {
    auto s = db.prepare(sql);
    s.bind_text(1, id);
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
  return impl_->locked([&] { return user_version(impl_->db); });
}

// ---- corpora ----

void Store::insert_corpus(const CorpusRecord& c) {
  impl_->locked([&] {
    auto s = impl_->db.prepare(
        "INSERT INTO corpora (id, name, bytes, tokens, sentences, distinct_words, created_at, "
        "seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "(SELECT COALESCE(MAX(seq), 0) + 1 FROM corpora))");
    s.bind_text(1, c.id);
    s.bind_text(2, c.name);
    s.bind_int64(3, to_i64(c.bytes));
    s.bind_int64(4, to_i64(c.tokens));
    s.bind_int64(5, to_i64(c.sentences));
    s.bind_int64(6, to_i64(c.distinct_words));
    s.bind_text(7, c.created_at);
    s.run();
  });
}

std::optional<CorpusRecord> Store::corpus(const std::string& id) const {
  return impl_->locked([&] {
    return impl_->one<CorpusRecord>(
        std::string("SELECT ") + kCorpusColumns + " FROM corpora WHERE id=?1", id, read_corpus);
  });
}

std::vector<CorpusRecord> Store::corpora() const {
  return impl_->locked([&] {
    return impl_->all<CorpusRecord>(
        impl_->db.prepare(std::string("SELECT ") + kCorpusColumns + " FROM corpora ORDER BY seq"),
        read_corpus);
  });
}

DeleteResult Store::delete_corpus(const std::string& id) {
  return impl_->locked([&] {
    auto& db = impl_->db;
    sqlite::Transaction tx(db);
    if (!impl_->any_row_locked("SELECT 1 FROM corpora WHERE id=?1", id))
      return DeleteResult::kNotFound;
    if (impl_->any_row_locked(
            "SELECT 1 FROM jobs WHERE corpus_id=?1 AND status IN ('queued', 'running') LIMIT 1",
            id))
      return DeleteResult::kInUse;
    {
      auto s = db.prepare("DELETE FROM corpora WHERE id=?1");
      s.bind_text(1, id);
      s.run();
    }
    tx.commit();
    return DeleteResult::kDeleted;
  });
}

bool Store::set_corpus_broken(const std::string& id, const std::optional<std::string>& why) {
  return impl_->set_broken_locked("corpora", id, why);
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
    if (!impl_->any_row_locked("SELECT 1 FROM corpora WHERE id=?1", j.corpus_id)) return false;
    impl_->insert_job_locked(j);
    tx.commit();
    impl_->job_counts.added(j.status);
    return true;
  });
}

std::optional<JobRecord> Store::job(const std::string& id) const {
  return impl_->locked([&] {
    return impl_->one<JobRecord>(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id=?1",
                                 id, read_job);
  });
}

std::vector<JobRecord> Store::jobs() const {
  return impl_->locked([&] {
    return impl_->all<JobRecord>(
        impl_->db.prepare(std::string("SELECT ") + kJobColumns + " FROM jobs ORDER BY seq"),
        read_job);
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
        auto s = db.prepare("UPDATE jobs SET crashes = crashes + 1 WHERE id=?1 RETURNING crashes");
        s.bind_text(1, j.id);
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

// ---- models ----

void Store::save_job_history(const std::string& job_id, const std::string& history_json) {
  impl_->locked([&] {
    auto s = impl_->db.prepare(
        "INSERT INTO job_progress_history (job_id, history) VALUES (?1, ?2) "
        "ON CONFLICT (job_id) DO UPDATE SET history = excluded.history");
    s.bind_text(1, job_id);
    s.bind_text(2, history_json);
    s.run();
  });
}

std::optional<std::string> Store::job_history(const std::string& job_id) const {
  return impl_->locked([&]() -> std::optional<std::string> {
    auto s = impl_->db.prepare("SELECT history FROM job_progress_history WHERE job_id = ?1");
    s.bind_text(1, job_id);
    if (!s.step()) return std::nullopt;
    return s.column_text(0);
  });
}

void Store::insert_model(const ModelRecord& m) {
  impl_->locked([&] { impl_->insert_model_locked(m); });
}

std::optional<ModelRecord> Store::model(const std::string& id) const {
  return impl_->locked([&] {
    return impl_->one<ModelRecord>(
        std::string("SELECT ") + kModelColumns + " FROM models WHERE id=?1", id, read_model);
  });
}

std::vector<ModelRecord> Store::models() const {
  return impl_->locked([&] {
    return impl_->all<ModelRecord>(
        impl_->db.prepare(std::string("SELECT ") + kModelColumns + " FROM models ORDER BY seq"),
        read_model);
  });
}

bool Store::update_model(const ModelRecord& m) {
  return impl_->locked([&] {
    auto s = impl_->db.prepare(
        "UPDATE models SET job_id=?1, name=?2, vocab_size=?3, dim=?4, params=?5, evaluation=?6, "
        "source=?7, created_at=?8, search=?10, parent_id=?11, weights=?12 WHERE id=?9");
    bind_model(s, m);
    s.run();
    return impl_->db.changes() > 0;
  });
}

bool Store::set_model_broken(const std::string& id, const std::optional<std::string>& why) {
  return impl_->set_broken_locked("models", id, why);
}

DeleteResult Store::delete_model(const std::string& id) {
  return impl_->locked([&] {
    auto& db = impl_->db;
    sqlite::Transaction tx(db);
    // A queued or running job starts from it (and a restart resumes from it again).
    if (impl_->any_row_locked(
            "SELECT 1 FROM jobs WHERE init_model=?1 AND status IN ('queued', 'running') LIMIT 1",
            id))
      return DeleteResult::kInUse;
    auto s = db.prepare("DELETE FROM models WHERE id=?1");
    s.bind_text(1, id);
    s.run();
    const bool deleted = db.changes() > 0;
    tx.commit();
    return deleted ? DeleteResult::kDeleted : DeleteResult::kNotFound;
  });
}

}  // namespace w2v::server
