// Requests that race each other have one defined outcome whatever the interleaving, enforced by
// store transactions: never a 500, never a half-done state.
//   submit vs DELETE corpus:  201 + 409 corpus_in_use, or 404 + 204
//   PATCH vs DELETE model:    200 or 404, + 204
//   cancel vs publish:        200 and the job ends cancelled without a model, or 409 and it
//                             succeeded with its model
//   GET job vs its end:       a failed or cancelled job's work files are gone once any
//                             answer shows its terminal status

#include <atomic>
#include <filesystem>
#include <thread>

#include "e2e/fault_support.h"

namespace w2v::testing {
namespace {

using proto::JobStatus;

client::W2vdClient client_for(const Daemon& d) {
  return client::W2vdClient({d.server.url(), "", std::chrono::seconds(60)});
}

// The status a call answers with (its 2xx on success).
template <class F>
int status_of(F&& f, int success) {
  const proto::ApiError e = api_error_of(std::forward<F>(f));
  return e.status() == 0 ? success : e.status();
}

// Runs a and b at once (a barrier-free start: both threads spin on one flag).
template <class A, class B>
void race(A&& a, B&& b) {
  std::atomic<bool> go{false};
  std::thread ta([&] {
    while (!go) std::this_thread::yield();
    a();
  });
  std::thread tb([&] {
    while (!go) std::this_thread::yield();
    b();
  });
  go = true;
  ta.join();
  tb.join();
}

TEST(Races, SubmitAgainstCorpusDelete) {
  Daemon d;
  // A long job holds the only runner, so the racing jobs stay queued (and their corpus in use).
  const auto base = d.api.upload_corpus(d.corpus_file(), "base", false, {});
  const auto blocker = submit_job(d.api, base.id, planted_job_params(1000), "");
  const std::string small = write_file(d.dir.path() + "/small.txt", "a b c a b a\nb c a\n");
  int kept = 0, deleted = 0;
  for (int i = 0; i < 16; ++i) {
    const auto corpus = d.api.upload_corpus(small, "s", false, {});
    auto api1 = client_for(d);
    auto api2 = client_for(d);
    std::string job;
    int submit = 0, remove = 0;
    race(
        [&] {
          submit = status_of(
              [&] {
                job = submit_job(api1, corpus.id, {{"min_count", 1}, {"dim", 8}}, "").id;
              },
              201);
        },
        [&] { remove = status_of([&] { api2.delete_corpus(corpus.id); }, 204); });
    if (submit == 201) {
      EXPECT_EQ(remove, 409) << "iteration " << i;
      EXPECT_EQ(d.api.corpus(corpus.id).id, corpus.id);
      d.api.cancel_job(job);
      ++kept;
    } else {
      EXPECT_EQ(submit, 404) << "iteration " << i;
      EXPECT_EQ(remove, 204) << "iteration " << i;
      ++deleted;
    }
  }
  std::printf("submit vs delete: %d times the job won, %d times the delete\n", kept, deleted);
  d.api.cancel_job(blocker.id);
  d.api.watch_job(blocker.id, [](const proto::JobRecord&) { return true; });
  ASSERT_EQ(d.server.stop(SIGTERM), 0);
  const auto check = run_check(d.server.data_dir());
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST(Races, PatchAgainstDelete) {
  Daemon d;
  const std::string vectors =
      write_file(d.dir.path() + "/v.txt", "3 2\nalpha 1 0\nbeta 0 1\ngamma 1 1\n");
  int patched = 0, missed = 0;
  for (int i = 0; i < 16; ++i) {
    const auto model = d.api.import_model(vectors, "v", "text", {});
    auto api1 = client_for(d);
    auto api2 = client_for(d);
    int patch = 0, remove = 0;
    race(
        [&] {
          patch = status_of(
              [&] {
                api1.update_model(model.id,
                                  proto::ModelPatch{"renamed", proto::SearchMode::kApproximate});
              },
              200);
        },
        [&] { remove = status_of([&] { api2.delete_model(model.id); }, 204); });
    EXPECT_TRUE(patch == 200 || patch == 404) << "iteration " << i << ": " << patch;
    EXPECT_EQ(remove, 204) << "iteration " << i;
    (patch == 200 ? patched : missed) += 1;
    EXPECT_EQ(api_error_of([&] { d.api.model(model.id); }).status(), 404);
  }
  std::printf("PATCH vs DELETE: %d patched first, %d found the model gone\n", patched, missed);
  EXPECT_TRUE(d.api.models().empty());
}

TEST(Races, CancelAgainstPublish) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  int cancelled = 0, too_late = 0;
  for (int i = 0; i < 8; ++i) {
    const auto job = submit_job(d.api, corpus.id, planted_job_params(1), "");
    // Cancel as the job ends: the closer to 100%, the likelier it lands during publishing.
    const double at = 0.75 + 0.03 * i;
    d.api.watch_job(job.id, [&](const proto::JobRecord& j) {
      return !proto::is_terminal(j.status) && j.progress.fraction < at;
    });
    const int cancel = status_of([&] { d.api.cancel_job(job.id); }, 200);
    const auto done = d.api.watch_job(job.id, [](const proto::JobRecord&) { return true; });
    if (cancel == 200) {
      EXPECT_EQ(done.status, JobStatus::kCancelled) << "iteration " << i;
      EXPECT_FALSE(done.model_id) << "iteration " << i;
      ++cancelled;
    } else {
      EXPECT_EQ(cancel, 409) << "iteration " << i;
      EXPECT_EQ(done.status, JobStatus::kSucceeded) << "iteration " << i;
      ASSERT_TRUE(done.model_id);
      EXPECT_EQ(d.api.model(*done.model_id).job_id, job.id);
      ++too_late;
    }
  }
  std::printf("cancel vs publish: %d cancelled, %d too late (409)\n", cancelled, too_late);
  // Exactly the succeeded jobs have models.
  std::size_t succeeded = 0;
  for (const auto& j : d.api.jobs()) succeeded += j.status == JobStatus::kSucceeded;
  EXPECT_EQ(d.api.models().size(), succeeded);
  ASSERT_EQ(d.server.stop(SIGTERM), 0);
  const auto check = run_check(d.server.data_dir());
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST(Races, ATerminalStatusIsShownOnlyOnceTheJobsWorkFilesAreGone) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  for (int i = 0; i < 8; ++i) {
    const auto job = submit_job(d.api, corpus.id, planted_job_params(1000), "");
    const std::string work = d.server.data_dir() + "/jobs/" + job.id;
    // Running with a checkpoint written: its work directory holds files.
    d.api.watch_job(job.id, [](const proto::JobRecord& j) {
      return !(j.status == JobStatus::kRunning && j.progress.epoch > 0);
    });
    ASSERT_TRUE(std::filesystem::exists(work)) << "iteration " << i;
    // One client asks for the job as fast as it can while another cancels it: the first answer
    // that shows it cancelled must find the directory gone.
    bool work_left = false;
    int polls = 0;
    std::thread poller([&] {
      auto api = client_for(d);
      for (;;) {
        const auto j = api.job(job.id);
        ++polls;
        if (proto::is_terminal(j.status)) {
          work_left = std::filesystem::exists(work);
          EXPECT_EQ(j.status, JobStatus::kCancelled) << "iteration " << i;
          return;
        }
        ASSERT_LT(polls, 1'000'000) << "iteration " << i << ": the job never ended";
      }
    });
    d.api.cancel_job(job.id);
    poller.join();
    EXPECT_FALSE(work_left) << "iteration " << i << ": " << work << " still there after " << polls
                            << " polls";
  }
}

}  // namespace
}  // namespace w2v::testing
