// Nothing acknowledged is lost: a job survives SIGKILL and SIGTERM and finishes after a
// restart; an upload cut off mid-body leaves no corpus behind.

#include "e2e/support.h"

namespace w2v::testing {
namespace {

using proto::JobStatus;

// Waits until the job has finished at least `epochs` epochs.
void wait_for_epochs(client::W2vdClient& api, const std::string& job, int epochs) {
  api.watch_job(job, [&](const proto::JobRecord& j) {
    return !(j.status == JobStatus::kRunning && j.progress.epoch > epochs);
  });
}

TEST(Durability, JobResumesAfterSigkill) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  const auto job = submit_job(d.api, corpus.id, planted_job_params(30), "");
  wait_for_epochs(d.api, job.id, 2);
  EXPECT_EQ(d.server.stop(SIGKILL), 128 + SIGKILL);

  d.server.restart();
  client::W2vdClient api({d.server.url(), "", std::chrono::seconds(60)});
  const auto done = api.watch_job(job.id, [](const proto::JobRecord&) { return true; });
  ASSERT_EQ(done.status, JobStatus::kSucceeded) << d.server.log();
  EXPECT_EQ(done.attempts, 2);
  ASSERT_TRUE(done.resumed_from_epoch);
  EXPECT_GE(*done.resumed_from_epoch, 2);
  const auto& group = planted().topic_groups[0];
  const auto similar = api.similar(*done.model_id, {group[0]}, {}, 5);
  for (const auto& [word, score] : similar) {
    EXPECT_NE(std::find(group.begin(), group.end(), word), group.end()) << word;
  }
  EXPECT_EQ(api.corpora().size(), 1u);
}

TEST(Durability, SigtermStopsCleanlyAndTheJobResumes) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  const auto queued_later = submit_job(d.api, corpus.id, planted_job_params(1), "");
  const auto job = submit_job(d.api, corpus.id, planted_job_params(30), "");
  wait_for_epochs(d.api, job.id, 1);
  EXPECT_EQ(d.server.stop(SIGTERM), 0) << d.server.log();

  d.server.restart();
  client::W2vdClient api({d.server.url(), "", std::chrono::seconds(60)});
  EXPECT_EQ(api.watch_job(job.id, [](const proto::JobRecord&) { return true; }).status,
            JobStatus::kSucceeded);
  EXPECT_EQ(api.watch_job(queued_later.id, [](const proto::JobRecord&) { return true; }).status,
            JobStatus::kSucceeded);
  EXPECT_EQ(api.models().size(), 2u);
}

TEST(Durability, CutOffUploadLeavesNoCorpus) {
  Daemon d;
  const std::string head =
      "POST /v1/corpora?name=cut HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
      "Content-Length: 1000000\r\n\r\n";
  raw_exchange(d.server.port(), head + std::string(50000, 'a') + " b c\n", 200, false);
  // The server notices the closed connection and removes the partial upload: poll (bounded)
  // until tmp/ is empty.
  const std::string tmp = d.server.data_dir() + "/tmp";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!std::filesystem::is_empty(tmp) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
  EXPECT_TRUE(d.api.corpora().empty());
  EXPECT_TRUE(std::filesystem::is_empty(d.server.data_dir() + "/corpora"));
}

}  // namespace
}  // namespace w2v::testing
