#include "server/store/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "server/store/sqlite.h"
#include "support/temp_dir.h"

namespace w2v::server {
namespace {

namespace fs = std::filesystem;
using proto::CorpusRecord;
using proto::JobRecord;
using proto::JobStatus;
using proto::ModelRecord;

// Whether s contains part, printing both when it does not.
::testing::AssertionResult Contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << s << "\" does not contain \"" << part << "\"";
}

// A fresh directory under the system's temporary directory, removed with the fixture.
class StoreTest : public ::testing::Test {
 protected:
  std::string db_path() const { return (dir_ / "w2vd.sqlite").string(); }

  w2v::testing::TempDir tmp_{"store"};
  const fs::path dir_ = tmp_.path();
};

// ---- records and comparisons ----

CorpusRecord make_corpus(const std::string& id, const std::string& name) {
  CorpusRecord c;
  c.id = id;
  c.name = name;
  c.bytes = 123456789012ULL;
  c.tokens = 98765;
  c.sentences = 321;
  c.distinct_words = 4567;
  c.created_at = "2026-11-21T14:20:00.123Z";
  return c;
}

TrainParams unusual_params() {
  TrainParams p;
  p.model = ModelType::kCbow;
  p.loss = LossType::kHierarchicalSoftmax;
  p.kernel = KernelType::kPair;
  p.dim = 300;
  p.window = 8;
  p.negative = 15;
  p.min_count = 3;
  p.max_vocab = 250000;
  p.sample = 1e-5;
  p.epochs = 12;
  p.alpha = 0.0375;
  p.threads = 7;
  p.seed = (1ULL << 63) + 12345;  // above INT64_MAX: must survive the JSON column
  return p;
}

JobRecord make_job(const std::string& id, const std::string& corpus_id,
                   JobStatus status = JobStatus::kQueued) {
  JobRecord j;
  j.id = id;
  j.corpus_id = corpus_id;
  j.name = "job " + id;
  j.status = status;
  j.created_at = "2026-11-21T14:21:00.000Z";
  return j;
}

JobRecord full_job(const std::string& id, const std::string& corpus_id) {
  JobRecord j = make_job(id, corpus_id, JobStatus::kFailed);
  j.name = "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac";
  j.params = unusual_params();
  j.progress.epoch = 3;
  j.progress.epochs = 12;
  j.progress.words_done = 1234567;
  j.progress.words_total = 9876543210ULL;
  j.progress.fraction = 0.125;
  j.progress.words_per_sec = 812345.5;
  j.progress.loss = 2.718281828459045;
  j.progress.alpha = 0.0231;
  j.progress.eta_seconds = 17.25;
  j.model_id = "m_abc";
  j.error = "out of \"memory\"\n\tsecond line";
  j.started_at = "2026-11-21T14:22:00.000Z";
  j.finished_at = "2026-11-21T14:23:00.000Z";
  j.attempts = 2;
  j.resumed_from_epoch = 2;
  return j;
}

ModelRecord make_model(const std::string& id, const std::optional<std::string>& job_id) {
  ModelRecord m;
  m.id = id;
  m.job_id = job_id;
  m.name = "model " + id;
  m.vocab_size = 71290;
  m.dim = 300;
  if (job_id) {
    m.params = unusual_params();
    m.evaluation = {{"analogies", {{"questions-words.txt", {{"accuracy", 0.7125}, {"n", 19544}}}}},
                    {"pairs", nlohmann::json::object()}};
  } else {
    m.source = proto::ModelSource::kImported;
  }
  m.created_at = "2026-11-21T14:24:00.999Z";
  return m;
}

void expect_same(const TrainParams& a, const TrainParams& b) {
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(a.kernel, b.kernel);
  EXPECT_EQ(a.dim, b.dim);
  EXPECT_EQ(a.window, b.window);
  EXPECT_EQ(a.negative, b.negative);
  EXPECT_EQ(a.min_count, b.min_count);
  EXPECT_EQ(a.max_vocab, b.max_vocab);
  EXPECT_EQ(a.sample, b.sample);
  EXPECT_EQ(a.epochs, b.epochs);
  EXPECT_EQ(a.alpha, b.alpha);
  EXPECT_EQ(a.threads, b.threads);
  EXPECT_EQ(a.seed, b.seed);
}

void expect_same_number(double a, double b) {
  if (std::isnan(a)) {
    EXPECT_TRUE(std::isnan(b)) << b;
  } else {
    EXPECT_EQ(a, b);
  }
}

void expect_same(const CorpusRecord& a, const CorpusRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_EQ(a.sentences, b.sentences);
  EXPECT_EQ(a.distinct_words, b.distinct_words);
  EXPECT_EQ(a.created_at, b.created_at);
}

void expect_same(const JobRecord& a, const JobRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.corpus_id, b.corpus_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.status, b.status);
  expect_same(a.params, b.params);
  EXPECT_EQ(a.progress.epoch, b.progress.epoch);
  EXPECT_EQ(a.progress.epochs, b.progress.epochs);
  EXPECT_EQ(a.progress.words_done, b.progress.words_done);
  EXPECT_EQ(a.progress.words_total, b.progress.words_total);
  expect_same_number(a.progress.fraction, b.progress.fraction);
  expect_same_number(a.progress.words_per_sec, b.progress.words_per_sec);
  expect_same_number(a.progress.loss, b.progress.loss);
  expect_same_number(a.progress.alpha, b.progress.alpha);
  expect_same_number(a.progress.eta_seconds, b.progress.eta_seconds);
  EXPECT_EQ(a.model_id, b.model_id);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.resumed_from_epoch, b.resumed_from_epoch);
  EXPECT_EQ(a.init_model, b.init_model);
  EXPECT_EQ(a.vocabulary, b.vocabulary);
  EXPECT_EQ(a.ranks, b.ranks);
}

void expect_same(const ModelRecord& a, const ModelRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.job_id, b.job_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.vocab_size, b.vocab_size);
  EXPECT_EQ(a.dim, b.dim);
  ASSERT_EQ(a.params.has_value(), b.params.has_value());
  if (a.params) expect_same(*a.params, *b.params);
  EXPECT_EQ(a.evaluation, b.evaluation);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.search, b.search);
  EXPECT_EQ(a.parent_id, b.parent_id);
  EXPECT_EQ(a.weights, b.weights);
}

std::vector<std::string> ids_of(const std::vector<JobRecord>& jobs) {
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(j.id);
  return ids;
}

// ---- corpora ----

TEST_F(StoreTest, CorpusRoundTrip) {
  Store store(db_path());
  const CorpusRecord a = make_corpus("c_a", "caf\xc3\xa9");
  CorpusRecord b = make_corpus("c_b", std::string("bytes \xff\xfe and a NUL \0 inside", 27));
  b.bytes = std::numeric_limits<std::uint64_t>::max();  // beyond SQLite's signed range
  b.tokens = 0;
  const CorpusRecord c = make_corpus("c_c", "");
  store.insert_corpus(a);
  store.insert_corpus(b);
  store.insert_corpus(c);

  const auto got = store.corpus("c_b");
  ASSERT_TRUE(got);
  expect_same(b, *got);
  EXPECT_EQ(got->name.size(), 27u);
  EXPECT_FALSE(store.corpus("c_missing"));
  EXPECT_FALSE(store.corpus(""));

  const auto all = store.corpora();
  ASSERT_EQ(all.size(), 3u);
  expect_same(a, all[0]);  // oldest first
  expect_same(b, all[1]);
  expect_same(c, all[2]);
}

TEST_F(StoreTest, DuplicateIdIsRefused) {
  Store store(db_path());
  store.insert_corpus(make_corpus("c_a", "one"));
  EXPECT_THROW(store.insert_corpus(make_corpus("c_a", "two")), std::runtime_error);
  EXPECT_EQ(store.corpus("c_a")->name, "one");
  store.insert_job(make_job("j_a", "c_a"));
  EXPECT_THROW(store.insert_job(make_job("j_a", "c_a")), std::runtime_error);
  store.insert_model(make_model("m_a", std::nullopt));
  EXPECT_THROW(store.insert_model(make_model("m_a", std::nullopt)), std::runtime_error);
  EXPECT_EQ(store.jobs().size(), 1u);
  EXPECT_EQ(store.models().size(), 1u);
}

// ---- jobs ----

TEST_F(StoreTest, JobRoundTripWithAndWithoutOptionalFields) {
  Store store(db_path());
  const JobRecord bare = make_job("j_bare", "c_1");
  JobRecord full = full_job("j_full", "c_1");
  full.progress.eta_seconds = std::numeric_limits<double>::quiet_NaN();  // unknown ETA
  store.insert_job(bare);
  store.insert_job(full);

  const auto got_bare = store.job("j_bare");
  ASSERT_TRUE(got_bare);
  expect_same(bare, *got_bare);
  EXPECT_FALSE(got_bare->model_id);
  EXPECT_FALSE(got_bare->error);
  EXPECT_FALSE(got_bare->started_at);
  EXPECT_FALSE(got_bare->finished_at);
  EXPECT_FALSE(got_bare->resumed_from_epoch);

  const auto got_full = store.job("j_full");
  ASSERT_TRUE(got_full);
  expect_same(full, *got_full);
  EXPECT_EQ(got_full->name, "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");

  EXPECT_FALSE(store.job("j_missing"));
}

TEST_F(StoreTest, UpdateJobReplacesTheRecord) {
  Store store(db_path());
  store.insert_job(full_job("j_1", "c_1"));
  store.insert_job(make_job("j_2", "c_1"));

  JobRecord back = make_job("j_1", "c_other", JobStatus::kRunning);  // optionals cleared
  back.progress.epoch = 1;
  store.update_job(back);
  expect_same(back, *store.job("j_1"));
  // The update keeps the job's place in the submission order.
  EXPECT_EQ(ids_of(store.jobs()), (std::vector<std::string>{"j_1", "j_2"}));

  EXPECT_THROW(store.update_job(make_job("j_missing", "c_1")), std::runtime_error);
  EXPECT_FALSE(store.job("j_missing"));
}

TEST_F(StoreTest, JobsWithStatusAreInSubmissionOrder) {
  Store store(db_path());
  // Ids that sort differently from their submission order.
  const std::vector<std::string> ids = {"j_z", "j_a", "j_m", "j_b", "j_y", "j_c"};
  for (const auto& id : ids) store.insert_job(make_job(id, "c_1"));
  EXPECT_EQ(ids_of(store.jobs()), ids);
  EXPECT_EQ(ids_of(store.jobs_with_status(JobStatus::kQueued)), ids);

  // Updating a record (even twice, even back and forth) does not move it in the queue.
  auto set_status = [&](const std::string& id, JobStatus s) {
    JobRecord j = *store.job(id);
    j.status = s;
    store.update_job(j);
  };
  set_status("j_a", JobStatus::kRunning);
  set_status("j_y", JobStatus::kSucceeded);
  set_status("j_z", JobStatus::kRunning);
  set_status("j_z", JobStatus::kQueued);
  set_status("j_b", JobStatus::kCancelled);

  EXPECT_EQ(ids_of(store.jobs_with_status(JobStatus::kQueued)),
            (std::vector<std::string>{"j_z", "j_m", "j_c"}));
  EXPECT_EQ(ids_of(store.jobs_with_status(JobStatus::kRunning)), (std::vector<std::string>{"j_a"}));
  EXPECT_EQ(ids_of(store.jobs_with_status(JobStatus::kSucceeded)),
            (std::vector<std::string>{"j_y"}));
  EXPECT_EQ(ids_of(store.jobs_with_status(JobStatus::kCancelled)),
            (std::vector<std::string>{"j_b"}));
  EXPECT_TRUE(store.jobs_with_status(JobStatus::kFailed).empty());
  EXPECT_EQ(ids_of(store.jobs()), ids);
}

// ---- models ----

TEST_F(StoreTest, ModelRoundTripTrainedAndImported) {
  Store store(db_path());
  const ModelRecord trained = make_model("m_t", "j_1");
  ModelRecord imported = make_model("m_i", std::nullopt);
  imported.name = "caf\xc3\xa9 vectors";
  store.insert_model(trained);
  store.insert_model(imported);

  const auto got_t = store.model("m_t");
  ASSERT_TRUE(got_t);
  expect_same(trained, *got_t);
  ASSERT_TRUE(got_t->params);
  EXPECT_EQ(got_t->evaluation["analogies"]["questions-words.txt"]["n"], 19544);

  const auto got_i = store.model("m_i");
  ASSERT_TRUE(got_i);
  expect_same(imported, *got_i);
  EXPECT_FALSE(got_i->job_id);
  EXPECT_FALSE(got_i->params);
  EXPECT_EQ(got_i->source, proto::ModelSource::kImported);
  EXPECT_EQ(got_i->evaluation, nlohmann::json::object());

  const auto all = store.models();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "m_t");
  EXPECT_EQ(all[1].id, "m_i");
  EXPECT_FALSE(store.model("m_missing"));
}

TEST_F(StoreTest, UpdateAndDeleteModel) {
  Store store(db_path());
  store.insert_model(make_model("m_1", "j_1"));
  store.insert_model(make_model("m_2", std::nullopt));

  ModelRecord m = *store.model("m_1");
  m.evaluation = {{"pairs", {{"simlex.txt", {{"spearman", 0.41}}}}}};
  m.name = "renamed \xc3\xa9";
  m.params.reset();
  m.search = proto::SearchMode::kApproximate;
  EXPECT_TRUE(store.update_model(m));
  expect_same(m, *store.model("m_1"));
  EXPECT_FALSE(store.update_model(make_model("m_missing", std::nullopt)));

  EXPECT_EQ(store.delete_model("m_1"), DeleteResult::kDeleted);
  EXPECT_FALSE(store.model("m_1"));
  EXPECT_EQ(store.delete_model("m_1"), DeleteResult::kNotFound);
  EXPECT_EQ(store.delete_model("m_never"), DeleteResult::kNotFound);
  ASSERT_EQ(store.models().size(), 1u);
  EXPECT_EQ(store.models()[0].id, "m_2");
}

// ---- delete_corpus ----

TEST_F(StoreTest, DeleteCorpusRefusedWhileQueuedOrRunningJobsUseIt) {
  Store store(db_path());
  store.insert_corpus(make_corpus("c_1", "one"));
  store.insert_corpus(make_corpus("c_2", "two"));
  store.insert_job(make_job("j_q", "c_1", JobStatus::kQueued));
  store.insert_job(make_job("j_r", "c_1", JobStatus::kRunning));
  store.insert_job(make_job("j_other", "c_2", JobStatus::kSucceeded));

  EXPECT_EQ(store.delete_corpus("c_missing"), DeleteResult::kNotFound);
  EXPECT_EQ(store.delete_corpus("c_1"), DeleteResult::kInUse);

  JobRecord q = *store.job("j_q");
  q.status = JobStatus::kCancelled;
  store.update_job(q);
  EXPECT_EQ(store.delete_corpus("c_1"), DeleteResult::kInUse);  // still running
  EXPECT_TRUE(store.corpus("c_1"));

  JobRecord r = *store.job("j_r");
  r.status = JobStatus::kFailed;
  store.update_job(r);
  EXPECT_EQ(store.delete_corpus("c_1"), DeleteResult::kDeleted);
  EXPECT_FALSE(store.corpus("c_1"));
  EXPECT_EQ(store.delete_corpus("c_1"), DeleteResult::kNotFound);

  // Finished jobs keep naming their (deleted) corpus; a corpus with only finished jobs goes.
  EXPECT_EQ(store.job("j_r")->corpus_id, "c_1");
  EXPECT_EQ(store.delete_corpus("c_2"), DeleteResult::kDeleted);
  EXPECT_TRUE(store.corpora().empty());
  EXPECT_EQ(store.jobs().size(), 3u);
}

TEST_F(StoreTest, AJobIsInsertedOnlyWhileItsCorpusExists) {
  Store store(db_path());
  store.insert_corpus(make_corpus("c_1", "one"));
  EXPECT_TRUE(store.insert_job_if_corpus_exists(make_job("j_1", "c_1")));
  EXPECT_FALSE(store.insert_job_if_corpus_exists(make_job("j_2", "c_missing")));
  EXPECT_FALSE(store.job("j_2"));
  EXPECT_EQ(store.delete_corpus("c_1"), DeleteResult::kInUse);
}

TEST_F(StoreTest, InterruptedJobsAreRequeuedUntilTheyHaveCrashedTooOften) {
  Store store(db_path());
  store.insert_job(make_job("j_run", "c_1", JobStatus::kRunning));
  store.insert_job(make_job("j_queued", "c_1", JobStatus::kQueued));
  for (int crash = 1; crash <= 3; ++crash) {
    const InterruptedJobs r = store.requeue_interrupted_jobs(3, "died", "2026-12-01T00:00:00Z");
    if (crash < 3) {
      ASSERT_EQ(r.requeued.size(), 1u);
      EXPECT_EQ(r.requeued[0].id, "j_run");
      EXPECT_TRUE(r.failed.empty());
      EXPECT_EQ(store.job("j_run")->status, JobStatus::kQueued);
      JobRecord j = *store.job("j_run");
      j.status = JobStatus::kRunning;  // the next process starts it again
      store.update_job(j);
    } else {
      EXPECT_TRUE(r.requeued.empty());
      ASSERT_EQ(r.failed.size(), 1u);
      const JobRecord j = *store.job("j_run");
      EXPECT_EQ(j.status, JobStatus::kFailed);
      EXPECT_EQ(j.error, "died");
      EXPECT_EQ(j.finished_at, "2026-12-01T00:00:00Z");
    }
  }
  EXPECT_EQ(store.job("j_queued")->status, JobStatus::kQueued);  // never ran: no crash counted
}

// ---- complete_job ----

TEST_F(StoreTest, CompleteJobStoresModelAndJobTogether) {
  Store store(db_path());
  JobRecord j = make_job("j_1", "c_1", JobStatus::kRunning);
  j.started_at = "2026-11-21T14:22:00.000Z";
  j.attempts = 1;
  store.insert_job(j);

  j.status = JobStatus::kSucceeded;
  j.model_id = "m_1";
  j.finished_at = "2026-11-21T15:00:00.000Z";
  j.progress.fraction = 1.0;
  const ModelRecord m = make_model("m_1", "j_1");
  store.complete_job(j, m);

  expect_same(j, *store.job("j_1"));
  expect_same(m, *store.model("m_1"));
  EXPECT_TRUE(store.jobs_with_status(JobStatus::kRunning).empty());
}

TEST_F(StoreTest, CompleteJobIsAllOrNothing) {
  Store store(db_path());
  const JobRecord running = make_job("j_1", "c_1", JobStatus::kRunning);
  store.insert_job(running);
  store.insert_model(make_model("m_taken", std::nullopt));

  // The model cannot be inserted (its id exists): the job must not change either.
  JobRecord done = running;
  done.status = JobStatus::kSucceeded;
  done.model_id = "m_taken";
  EXPECT_THROW(store.complete_job(done, make_model("m_taken", "j_1")), std::runtime_error);
  expect_same(running, *store.job("j_1"));
  EXPECT_EQ(store.model("m_taken")->source, proto::ModelSource::kImported);

  // The job does not exist: the model must not be left behind.
  JobRecord ghost = make_job("j_ghost", "c_1", JobStatus::kSucceeded);
  ghost.model_id = "m_new";
  EXPECT_THROW(store.complete_job(ghost, make_model("m_new", "j_ghost")), std::runtime_error);
  EXPECT_FALSE(store.model("m_new"));
  EXPECT_EQ(store.models().size(), 1u);

  // And the store still works normally afterwards (no transaction left open).
  done.model_id = "m_ok";
  store.complete_job(done, make_model("m_ok", "j_1"));
  EXPECT_EQ(store.job("j_1")->status, JobStatus::kSucceeded);
  EXPECT_TRUE(store.model("m_ok"));
}

// The in-memory counts /metrics reads equal a count of the rows after every kind of write,
// including a transaction that fails, and after reopening.
TEST_F(StoreTest, JobCountsFollowEveryCommittedWrite) {
  const auto expect_counts = [](const Store& store) {
    for (auto s : {JobStatus::kQueued, JobStatus::kRunning, JobStatus::kSucceeded,
                   JobStatus::kFailed, JobStatus::kCancelled}) {
      EXPECT_EQ(store.job_counts().count(s), store.jobs_with_status(s).size())
          << proto::to_string(s);
    }
  };
  {
    Store store(db_path());
    expect_counts(store);
    store.insert_job(make_job("j_1", "c_1"));
    store.insert_job(make_job("j_2", "c_1"));
    store.insert_job(make_job("j_3", "c_1", JobStatus::kRunning));
    EXPECT_EQ(store.job_counts().count(JobStatus::kQueued), 2u);
    expect_counts(store);

    JobRecord j = *store.job("j_1");
    j.status = JobStatus::kRunning;
    store.update_job(j);
    store.update_job(j);  // no change of status
    expect_counts(store);

    j.status = JobStatus::kSucceeded;
    j.model_id = "m_1";
    store.complete_job(j, make_model("m_1", "j_1"));
    expect_counts(store);

    JobRecord failed = *store.job("j_3");
    failed.status = JobStatus::kSucceeded;
    EXPECT_THROW(store.complete_job(failed, make_model("m_1", "j_3")), std::runtime_error);
    EXPECT_THROW(store.update_job(make_job("j_ghost", "c_1", JobStatus::kFailed)),
                 std::runtime_error);
    EXPECT_THROW(store.insert_job(make_job("j_2", "c_1")), std::runtime_error);  // duplicate
    expect_counts(store);
    EXPECT_EQ(store.job_counts().count(JobStatus::kRunning), 1u);
  }
  Store reopened(db_path());
  expect_counts(reopened);
  EXPECT_EQ(reopened.job_counts().count(JobStatus::kSucceeded), 1u);
}

// ---- durability, schema ----

TEST_F(StoreTest, ReopeningKeepsEverything) {
  const CorpusRecord c = make_corpus("c_1", "caf\xc3\xa9");
  const JobRecord j1 = full_job("j_1", "c_1");
  const JobRecord j2 = make_job("j_2", "c_1");
  const ModelRecord m = make_model("m_1", "j_1");
  {
    Store store(db_path());
    store.insert_corpus(c);
    store.insert_job(j1);
    store.insert_job(j2);
    store.insert_model(m);
  }
  EXPECT_TRUE(fs::exists(db_path()));
  {
    Store store(db_path());
    expect_same(c, *store.corpus("c_1"));
    expect_same(j1, *store.job("j_1"));
    expect_same(j2, *store.job("j_2"));
    expect_same(m, *store.model("m_1"));
    // New jobs still queue behind the old ones.
    store.insert_job(make_job("j_0", "c_1"));
    EXPECT_EQ(ids_of(store.jobs_with_status(JobStatus::kQueued)),
              (std::vector<std::string>{"j_2", "j_0"}));
  }
  Store store(db_path());
  EXPECT_EQ(ids_of(store.jobs()), (std::vector<std::string>{"j_1", "j_2", "j_0"}));
  EXPECT_EQ(store.corpora().size(), 1u);
  EXPECT_EQ(store.models().size(), 1u);
}

TEST_F(StoreTest, SchemaVersionAndPragmas) {
  int version = 0;
  {
    Store store(db_path());
    version = store.schema_version();
    EXPECT_GE(version, 1);
  }
  {
    Store store(db_path());  // reopening migrates nothing
    EXPECT_EQ(store.schema_version(), version);

    sqlite::Database db(db_path());
    auto mode = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.column_text(0), "wal");
    auto uv = db.prepare("PRAGMA user_version");
    ASSERT_TRUE(uv.step());
    EXPECT_EQ(uv.column_int64(0), version);
    auto tables = db.prepare(
        "SELECT name FROM sqlite_master WHERE type='table' AND name IN ('corpora', 'jobs', "
        "'models') ORDER BY name");
    std::vector<std::string> names;
    while (tables.step()) names.push_back(tables.column_text(0));
    EXPECT_EQ(names, (std::vector<std::string>{"corpora", "jobs", "models"}));
  }
}

// Undoes migrations 8 to 4 on a database at the current version.
void downgrade_to_version_3(sqlite::Database& db) {
  db.exec("ALTER TABLE jobs DROP COLUMN ranks");      // migration 8
  db.exec("ALTER TABLE corpora DROP COLUMN broken");  // migration 7
  db.exec("ALTER TABLE models DROP COLUMN broken");
  db.exec("DROP INDEX jobs_by_init_model");
  for (const char* column : {"jobs DROP COLUMN init_model", "jobs DROP COLUMN vocabulary",
                             "models DROP COLUMN parent_id", "models DROP COLUMN weights"}) {
    db.exec(std::string("ALTER TABLE ") + column);
  }                                                 // migration 6
  db.exec("DROP TABLE job_progress_history");       // migration 5
  db.exec("ALTER TABLE jobs DROP COLUMN crashes");  // migration 4
  db.exec("PRAGMA user_version=3");
}

TEST_F(StoreTest, BrokenMarksAreSetClearedAndSurviveOtherUpdates) {
  Store store(db_path());
  store.insert_corpus(make_corpus("c_1", "text"));
  store.insert_model(make_model("m_1", std::nullopt));
  EXPECT_FALSE(store.corpus("c_1")->broken);
  EXPECT_FALSE(store.model("m_1")->broken);

  EXPECT_TRUE(store.set_corpus_broken("c_1", "corpora/c_1/counts is missing"));
  EXPECT_TRUE(store.set_model_broken("m_1", "models/m_1/vectors.bin is truncated"));
  EXPECT_EQ(store.corpus("c_1")->broken, "corpora/c_1/counts is missing");
  EXPECT_EQ(store.corpora().at(0).broken, "corpora/c_1/counts is missing");
  EXPECT_EQ(store.models().at(0).broken, "models/m_1/vectors.bin is truncated");
  // A PATCH (update_model) keeps the mark.
  ModelRecord m = *store.model("m_1");
  m.name = "renamed";
  m.broken.reset();
  EXPECT_TRUE(store.update_model(m));
  EXPECT_EQ(store.model("m_1")->name, "renamed");
  EXPECT_EQ(store.model("m_1")->broken, "models/m_1/vectors.bin is truncated");

  EXPECT_TRUE(store.set_model_broken("m_1", std::nullopt));
  EXPECT_FALSE(store.model("m_1")->broken);
  EXPECT_FALSE(store.set_corpus_broken("c_none", "x"));
  EXPECT_FALSE(store.set_model_broken("m_none", "x"));
  EXPECT_EQ(store.delete_corpus("c_1"), DeleteResult::kDeleted);
}

TEST_F(StoreTest, MigrationSevenLeavesOlderRowsReady) {
  {
    Store store(db_path());
    store.insert_corpus(make_corpus("c_old", "text"));
    store.insert_model(make_model("m_old", std::nullopt));
  }
  {
    sqlite::Database db(db_path());
    db.exec("ALTER TABLE jobs DROP COLUMN ranks");
    db.exec("ALTER TABLE corpora DROP COLUMN broken");
    db.exec("ALTER TABLE models DROP COLUMN broken");
    db.exec("PRAGMA user_version=6");
  }
  Store store(db_path());
  EXPECT_EQ(store.schema_version(), 8);
  EXPECT_FALSE(store.corpus("c_old")->broken);
  EXPECT_FALSE(store.model("m_old")->broken);
}

TEST_F(StoreTest, ContinuedTrainingFieldsRoundTrip) {
  Store store(db_path());
  JobRecord j = make_job("j_c", "c_1");
  j.init_model = "m_parent";
  j.vocabulary = VocabularyMode::kKeep;
  store.insert_job(j);
  expect_same(j, *store.job("j_c"));
  j.status = JobStatus::kRunning;
  store.update_job(j);
  expect_same(j, *store.job("j_c"));

  ModelRecord m = make_model("m_child", "j_c");
  m.parent_id = "m_parent";
  m.weights = proto::ModelWeights::kFull;
  store.insert_model(m);
  expect_same(m, *store.model("m_child"));
  m.weights = proto::ModelWeights::kVectorsOnly;
  store.update_model(m);
  expect_same(m, *store.model("m_child"));
}

TEST_F(StoreTest, RanksRoundTripAndOlderJobsRunOnOneRank) {
  {
    Store store(db_path());
    store.insert_job(make_job("j_old", "c_1"));
  }
  {
    sqlite::Database db(db_path());
    db.exec("ALTER TABLE jobs DROP COLUMN ranks");
    db.exec("PRAGMA user_version=7");
  }
  Store store(db_path());
  EXPECT_EQ(store.job("j_old")->ranks, 1);
  JobRecord j = make_job("j_mpi", "c_1");
  j.ranks = 4;
  store.insert_job(j);
  expect_same(j, *store.job("j_mpi"));
  j.ranks = 2;
  store.update_job(j);
  expect_same(j, *store.job("j_mpi"));
}

TEST_F(StoreTest, DeleteModelRefusedWhileAQueuedOrRunningJobStartsFromIt) {
  Store store(db_path());
  store.insert_model(make_model("m_parent", std::nullopt));
  JobRecord j = make_job("j_c", "c_1");
  j.init_model = "m_parent";
  j.vocabulary = VocabularyMode::kExtend;
  store.insert_job(j);
  EXPECT_EQ(store.delete_model("m_parent"), DeleteResult::kInUse);
  j.status = JobStatus::kRunning;
  store.update_job(j);
  EXPECT_EQ(store.delete_model("m_parent"), DeleteResult::kInUse);
  j.status = JobStatus::kFailed;
  store.update_job(j);
  EXPECT_EQ(store.delete_model("m_parent"), DeleteResult::kDeleted);
}

TEST_F(StoreTest, MigrationFourMarksOlderModelsVectorsOnly) {
  {
    Store store(db_path());
    ModelRecord m = make_model("m_old", "j_1");
    m.weights = proto::ModelWeights::kFull;
    store.insert_model(m);
    store.insert_job(make_job("j_old", "c_1"));
  }
  {
    sqlite::Database db(db_path());
    downgrade_to_version_3(db);
  }
  Store store(db_path());
  const auto m = store.model("m_old");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->weights, proto::ModelWeights::kVectorsOnly);
  EXPECT_FALSE(m->parent_id);
  EXPECT_FALSE(store.job("j_old")->init_model);
  EXPECT_FALSE(store.job("j_old")->vocabulary);
  EXPECT_EQ(m->name, make_model("m_old", "j_1").name);
}

TEST_F(StoreTest, MigrationsFromVersionOneKeepOldRecordsMeaning) {
  // A version-1 database: jobs and models written when "batch" meant "auto", and before
  // models had a search setting.
  const auto params = [](ModelType model, KernelType kernel) {
    TrainParams p;
    p.model = model;
    p.kernel = kernel;
    return p;
  };
  {
    Store store(db_path());
    JobRecord cbow = make_job("j_cbow", "c_1");
    cbow.params = params(ModelType::kCbow, KernelType::kBatch);
    JobRecord sg = make_job("j_sg", "c_1");
    sg.params = params(ModelType::kSkipgram, KernelType::kBatch);
    JobRecord pair = make_job("j_pair", "c_1");
    pair.params = params(ModelType::kCbow, KernelType::kPair);
    store.insert_job(cbow);
    store.insert_job(sg);
    store.insert_job(pair);
    ModelRecord m = make_model("m_cbow", "j_cbow");
    m.params = params(ModelType::kCbow, KernelType::kBatch);
    store.insert_model(m);
    store.insert_model(make_model("m_imported", std::nullopt));
  }
  {
    sqlite::Database db(db_path());
    downgrade_to_version_3(db);
    db.exec("ALTER TABLE models DROP COLUMN search");
    db.exec("PRAGMA user_version=1");
  }
  Store store(db_path());
  EXPECT_EQ(store.job("j_cbow")->params.kernel, KernelType::kAuto);
  EXPECT_EQ(store.job("j_sg")->params.kernel, KernelType::kBatch);
  EXPECT_EQ(store.job("j_pair")->params.kernel, KernelType::kPair);
  EXPECT_EQ(store.model("m_cbow")->params->kernel, KernelType::kAuto);
  EXPECT_FALSE(store.model("m_imported")->params.has_value());
  EXPECT_EQ(store.model("m_cbow")->search, proto::SearchMode::kExact);  // migration 3's default
  EXPECT_EQ(store.model("m_imported")->search, proto::SearchMode::kExact);
  // Everything else in the records is unchanged.
  EXPECT_EQ(store.job("j_cbow")->params.model, ModelType::kCbow);
  EXPECT_EQ(store.job("j_cbow")->name, "job j_cbow");
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  int version = 0;
  {
    Store store(db_path());
    version = store.schema_version();
    store.insert_corpus(make_corpus("c_1", "kept"));
  }
  const int newer = version + 41;
  {
    sqlite::Database db(db_path());
    db.exec("PRAGMA user_version=" + std::to_string(newer));
  }
  try {
    Store store(db_path());
    FAIL() << "a database of a newer schema was opened";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(Contains(e.what(), "database schema version " + std::to_string(newer) +
                                       " is newer than this w2vd supports (" +
                                       std::to_string(version) + "); upgrade w2vd"));
  }
  // Refusing it changed nothing.
  sqlite::Database db(db_path());
  auto uv = db.prepare("PRAGMA user_version");
  ASSERT_TRUE(uv.step());
  EXPECT_EQ(uv.column_int64(0), newer);
  auto count = db.prepare("SELECT count(*) FROM corpora");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.column_int64(0), 1);
}

TEST_F(StoreTest, NotADatabaseIsRefused) {
  {
    std::ofstream out(db_path(), std::ios::binary);
    out << "this is not an SQLite database, just some text that is long enough to have a header";
  }
  EXPECT_THROW(Store store(db_path()), std::runtime_error);
  EXPECT_THROW(Store store((dir_ / "no" / "such" / "dir" / "w2vd.sqlite").string()),
               std::runtime_error);
}

// ---- concurrency ----

TEST_F(StoreTest, ConcurrentInsertsAllLand) {
  Store store(db_path());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          const std::string suffix = std::to_string(t) + "_" + std::to_string(i);
          store.insert_corpus(make_corpus("c_" + suffix, "corpus " + suffix));
          store.insert_job(make_job("j_" + suffix, "c_" + suffix));
          store.insert_model(make_model("m_" + suffix, "j_" + suffix));
          if (!store.job("j_" + suffix)) ++failures;
          if (i % 50 == 0) (void)store.jobs_with_status(JobStatus::kQueued);
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "thread " << t << ": " << e.what();
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);

  const std::size_t n = kThreads * kPerThread;
  EXPECT_EQ(store.corpora().size(), n);
  EXPECT_EQ(store.models().size(), n);
  const auto jobs = store.jobs();
  ASSERT_EQ(jobs.size(), n);
  std::set<std::string> unique;
  for (const auto& j : jobs) unique.insert(j.id);
  EXPECT_EQ(unique.size(), n);
  // Each thread's jobs appear in the order that thread submitted them.
  std::vector<int> next(kThreads, 0);
  for (const auto& j : jobs) {
    const auto underscore = j.id.find('_', 2);
    const int t = std::stoi(j.id.substr(2, underscore - 2));
    const int i = std::stoi(j.id.substr(underscore + 1));
    EXPECT_EQ(i, next[t]) << j.id;
    next[t] = i + 1;
  }
}

// ---- the SQLite wrapper ----

TEST_F(StoreTest, SqliteTransactionRollsBackUnlessCommitted) {
  sqlite::Database db(db_path());
  db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)");
  {
    sqlite::Transaction tx(db);
    db.prepare("INSERT INTO t VALUES ('a', 1)").run();
    EXPECT_FALSE(db.autocommit());
  }  // dropped: rolled back
  EXPECT_TRUE(db.autocommit());
  {
    sqlite::Transaction tx(db);
    db.prepare("INSERT INTO t VALUES ('b', 2)").run();
    tx.commit();
  }
  auto s = db.prepare("SELECT k FROM t ORDER BY k");
  std::vector<std::string> keys;
  while (s.step()) keys.push_back(s.column_text(0));
  EXPECT_EQ(keys, (std::vector<std::string>{"b"}));
}

TEST_F(StoreTest, SqliteBindsAndReadsEveryType) {
  sqlite::Database db(db_path());
  db.exec("CREATE TABLE t (s TEXT, i INTEGER, d REAL, n TEXT)");
  const std::string bytes("a\0b\xff\xc3\xa9", 6);
  auto ins = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  ins.bind_text(1, bytes).bind_int64(2, std::numeric_limits<std::int64_t>::min());
  ins.bind_double(3, 0.1).bind_null(4);
  ins.run();
  EXPECT_EQ(db.changes(), 1);
  ins.reset();
  ins.bind_optional_text(1, std::nullopt).bind_optional_int64(2, std::int64_t{7});
  ins.run();

  auto s = db.prepare("SELECT s, i, d, n FROM t ORDER BY rowid");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_count(), 4);
  EXPECT_EQ(s.column_text(0), bytes);
  EXPECT_EQ(s.column_int64(1), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(s.column_double(2), 0.1);
  EXPECT_TRUE(s.column_is_null(3));
  EXPECT_FALSE(s.column_optional_text(3));
  ASSERT_TRUE(s.step());
  EXPECT_FALSE(s.column_optional_text(0));
  EXPECT_EQ(s.column_optional_int64(1), 7);
  EXPECT_TRUE(s.column_is_null(2));  // cleared by reset()
  EXPECT_FALSE(s.step());

  EXPECT_THROW(db.prepare("SELECT * FROM no_such_table"), std::runtime_error);
  EXPECT_THROW(db.exec("INSERT INTO no_such_table VALUES (1)"), std::runtime_error);
  EXPECT_THROW(ins.bind_int64(9, 1), std::runtime_error);
  try {
    db.prepare("SELEC 1");
    FAIL();
  } catch (const sqlite::Error& e) {
    EXPECT_TRUE(Contains(e.what(), "syntax error"));
    EXPECT_EQ(e.code() & 0xff, SQLITE_ERROR);
  }
}

// Parameters bound by name: the order the SQL names them in does not matter, and a name the
// statement does not have is an error rather than a parameter left NULL.
TEST_F(StoreTest, StatementsBindParametersByName) {
  sqlite::Database db(db_path());
  db.exec("CREATE TABLE t (a TEXT, b INTEGER)");
  {
    auto s = db.prepare("INSERT INTO t (b, a) VALUES (:b, :a)");
    s.bind_text(":a", "x").bind_int64(":b", 7);
    s.run();
  }
  auto s = db.prepare("SELECT a, b FROM t");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_text(0), "x");
  EXPECT_EQ(s.column_int64(1), 7);
  auto wrong = db.prepare("INSERT INTO t (a) VALUES (:a)");
  try {
    wrong.bind_text(":b", "y");
    FAIL() << "bound a parameter the statement does not have";
  } catch (const sqlite::Error& e) {
    EXPECT_TRUE(Contains(e.what(), "no parameter :b"));
  }
}

}  // namespace
}  // namespace w2v::server
