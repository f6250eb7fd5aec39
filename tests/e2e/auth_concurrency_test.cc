// Bearer-token authentication on and off, and many clients at once while a job trains.

#include <atomic>
#include <thread>

#include "e2e/support.h"

namespace w2v::testing {
namespace {

TEST(Auth, TokenGuardsV1Only) {
  Daemon d({"--token", "s3cret"}, "s3cret");
  client::HttpClient anonymous({d.server.url(), "", std::chrono::seconds(10)});
  const auto r = anonymous.request("GET", "/v1/corpora");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(nlohmann::json::parse(r.body).at("error").at("code"), "unauthorized");
  EXPECT_EQ(r.headers.count("www-authenticate"), 1u);
  EXPECT_EQ(anonymous.request("GET", "/healthz").status, 200);
  EXPECT_EQ(anonymous.request("GET", "/readyz").status, 200);
  EXPECT_EQ(anonymous.request("GET", "/metrics").status, 200);
  client::HttpClient wrong({d.server.url(), "s3cret-not", std::chrono::seconds(10)});
  EXPECT_EQ(wrong.request("GET", "/v1/corpora").status, 401);
  EXPECT_NO_THROW(d.api.corpora());  // the right token
}

TEST(Auth, NoTokenMeansOpen) {
  Daemon d;
  client::HttpClient anonymous({d.server.url(), "", std::chrono::seconds(10)});
  EXPECT_EQ(anonymous.request("GET", "/v1/corpora").status, 200);
}

TEST(Concurrency, ManyClientsQueryWhileAJobTrains) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  const auto first = submit_job(d.api, corpus.id, planted_job_params(), "");
  const auto model =
      *d.api.watch_job(first.id, [](const proto::JobRecord&) { return true; }).model_id;
  const auto expected = d.api.similar(model, {"t0w0"}, {}, 5);
  const auto training = submit_job(d.api, corpus.id, planted_job_params(100), "");

  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      client::W2vdClient api({d.server.url(), "", std::chrono::seconds(30)});
      for (int i = 0; i < 50; ++i) {
        (api.similar(model, {"t0w0"}, {}, 5) == expected ? ok : bad)++;
        api.job(training.id);
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), 400);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(d.api.job(training.id).status, proto::JobStatus::kRunning);
  d.api.cancel_job(training.id);
}

}  // namespace
}  // namespace w2v::testing
