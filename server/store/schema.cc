#include "server/store/schema.h"

#include <iterator>
#include <stdexcept>

namespace w2v::server::schema {
namespace {

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

void refuse_newer(int version, const std::string& path) {
  if (version > kSchemaVersion) {
    throw std::runtime_error("cannot open " + path + ": database schema version " +
                             std::to_string(version) + " is newer than this w2vd supports (" +
                             std::to_string(kSchemaVersion) + "); upgrade w2vd");
  }
}

void migrate(sqlite::Database& db) {
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

}  // namespace

int latest_version() noexcept {
  return kSchemaVersion;
}

int user_version(sqlite::Database& db) {
  auto s = db.prepare("PRAGMA user_version");
  if (!s.step()) throw std::runtime_error("sqlite: PRAGMA user_version returned nothing");
  return static_cast<int>(s.column_int64(0));
}

void open(sqlite::Database& db) {
  // Reading the header first refuses a newer database before anything in it changes (and
  // fails cleanly on a file that is not a database).
  refuse_newer(user_version(db), db.path());
  {
    auto s = db.prepare("PRAGMA journal_mode=WAL");
    const std::string mode = s.step() ? s.column_text(0) : std::string();
    if (mode != "wal") {
      throw std::runtime_error("cannot open " + db.path() +
                               ": the database cannot use WAL journal mode (got \"" + mode + "\")");
    }
  }
  db.exec("PRAGMA synchronous=FULL");
  db.exec("PRAGMA foreign_keys=ON");
  migrate(db);
}

}  // namespace w2v::server::schema
