// What the dashboard serves and the API calls only it uses, against a real w2vd: the static
// files (no token needed), a job's progress history (bounded, ordered, surviving a SIGKILL and
// resume), word completion and the word map, with their bounds.

#include <csignal>

#include "e2e/support.h"

namespace w2v::testing {
namespace {

using proto::JobStatus;

nlohmann::json json_of(const client::HttpResponse& r) {
  return nlohmann::json::parse(r.body);
}

// Imports a model of n words "w0".."w{n-1}" (most frequent first) of dimension dim; its id.
std::string import_words(Daemon& d, const std::string& name, int n, int dim) {
  std::string s = std::to_string(n) + " " + std::to_string(dim) + "\n";
  for (int i = 0; i < n; ++i) {
    s += "w" + std::to_string(i);
    for (int c = 0; c < dim; ++c) s += " " + std::to_string(((i * 7 + c * 3) % 11) - 5);
    s += "\n";
  }
  return d.api.import_model(write_file(d.dir.path() + "/" + name + ".txt", s), name, "text").id;
}

TEST(Dashboard, StaticFilesNeedNoTokenButDataDoes) {
  Daemon d({"--token", "tok"}, "tok");
  client::HttpClient anonymous({d.server.url(), "", std::chrono::seconds(10)});
  const auto root = anonymous.request("GET", "/");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(root.headers.at("location"), "/ui/");
  const auto page = anonymous.request("GET", "/ui/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script type=\"module\" src=\"app.js\">"), std::string::npos);
  for (const char* file : {"app.js", "api.js", "explore.js", "word_map.js", "chart.min.js"}) {
    const auto r = anonymous.request("GET", std::string("/ui/") + file);
    EXPECT_EQ(r.status, 200) << file;
    EXPECT_EQ(r.headers.at("content-type"), "text/javascript; charset=utf-8") << file;
  }
  EXPECT_NE(anonymous.request("GET", "/ui/chart.min.js").body.find("Chart.js v"),
            std::string::npos);
  EXPECT_EQ(anonymous.request("GET", "/ui/app.css").headers.at("content-type"),
            "text/css; charset=utf-8");
  EXPECT_EQ(anonymous.request("GET", "/ui/missing.js").status, 404);
  EXPECT_EQ(anonymous.request("GET", "/ui/..%2Fapp.js").status, 404);
  EXPECT_EQ(anonymous.request("GET", "/v1/jobs/j_1/history").status, 401);
  EXPECT_EQ(anonymous.request("GET", "/v1/models/m_1/map").status, 401);
}

TEST(Dashboard, WordCompletionIsInFrequencyOrderAndBounded) {
  Daemon d;
  client::HttpClient h({d.server.url(), "", std::chrono::seconds(10)});
  const std::string base = "/v1/models/" + import_words(d, "m", 300, 8) + "/words";
  auto j = json_of(h.request("GET", base + "?prefix=w1&limit=3"));
  ASSERT_EQ(j["words"].size(), 3u);
  EXPECT_EQ(j["words"][0]["word"], "w1");
  EXPECT_EQ(j["words"][0]["rank"], 2);
  EXPECT_EQ(j["words"][1]["word"], "w10");
  EXPECT_EQ(j["words"][2]["word"], "w11");
  EXPECT_TRUE(j["more"]);
  j = json_of(h.request("GET", base + "?prefix=w29&limit=100"));
  EXPECT_EQ(j["words"].size(), 11u);  // w29, w290..w299
  EXPECT_FALSE(j["more"]);
  EXPECT_EQ(json_of(h.request("GET", base))["words"].size(), 10u);  // the most frequent
  EXPECT_EQ(json_of(h.request("GET", base + "?prefix=zzz"))["words"].size(), 0u);
  for (const char* bad : {"?limit=0", "?limit=101", "?limit=x", "?limit=-1"}) {
    const auto r = h.request("GET", base + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("limit"), std::string::npos) << bad;
  }
  EXPECT_EQ(h.request("GET", base + "?prefix=" + std::string(201, 'w')).status, 400);
  EXPECT_EQ(h.request("GET", "/v1/models/m_nope/words?prefix=w").status, 404);
}

TEST(Dashboard, WordMapIsBoundedByWordsAndMemory) {
  Daemon d;
  client::HttpClient h({d.server.url(), "", std::chrono::seconds(30)});
  const std::string base = "/v1/models/" + import_words(d, "m", 300, 8) + "/map";
  auto j = json_of(h.request("GET", base + "?n=50"));
  ASSERT_EQ(j["words"].size(), 50u);
  EXPECT_EQ(j["words"][0], "w0");
  EXPECT_EQ(j["x"].size(), 50u);
  EXPECT_EQ(j["y"].size(), 50u);
  EXPECT_EQ(j["max_n"], 5000);
  EXPECT_GT(j["explained"][0].get<double>(), 0.0);
  EXPECT_EQ(json_of(h.request("GET", base))["words"].size(), 300u);  // n defaults to 1000
  for (const char* bad : {"?n=1", "?n=5001", "?n=ten"}) {
    const auto r = h.request("GET", base + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("n must be an integer in [2, 5000]"), std::string::npos) << r.body;
  }
  // A wide model allows fewer words: n × dim ≤ 4,000,000.
  const std::string wide = import_words(d, "wide", 10, 2000);
  const auto r = h.request("GET", "/v1/models/" + wide + "/map?n=2001");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("[2, 2000]"), std::string::npos) << r.body;
  EXPECT_EQ(json_of(h.request("GET", "/v1/models/" + wide + "/map"))["max_n"], 2000);
}

TEST(Dashboard, HistoryCoversTheRunInOrderAcrossAKillAndResume) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  const auto job = submit_job(d.api, corpus.id, planted_job_params(30), "");
  client::HttpClient h({d.server.url(), "", std::chrono::seconds(10)});
  EXPECT_EQ(h.request("GET", "/v1/jobs/j_nope/history").status, 404);
  d.api.watch_job(job.id, [](const proto::JobRecord& j) {
    return !(j.status == JobStatus::kRunning && j.progress.epoch > 3);
  });
  const auto live = json_of(h.request("GET", "/v1/jobs/" + job.id + "/history"));
  EXPECT_FALSE(live["samples"].empty());
  EXPECT_EQ(d.server.stop(SIGKILL), 128 + SIGKILL);

  d.server.restart();
  client::W2vdClient api({d.server.url(), "", std::chrono::seconds(60)});
  ASSERT_EQ(api.watch_job(job.id, [](const proto::JobRecord&) { return true; }).status,
            JobStatus::kSucceeded);
  client::HttpClient h2({d.server.url(), "", std::chrono::seconds(10)});
  const auto history = json_of(h2.request("GET", "/v1/jobs/" + job.id + "/history"));
  EXPECT_EQ(history["job_id"], job.id);
  EXPECT_EQ(history["capacity"], 400);
  auto samples = history["samples"];
  if (history.contains("latest")) samples.push_back(history["latest"]);
  ASSERT_GE(samples.size(), 2u);
  EXPECT_LE(samples.size(), 401u);
  for (std::size_t i = 1; i < samples.size(); ++i) {
    EXPECT_GE(samples[i]["fraction"].get<double>(), samples[i - 1]["fraction"].get<double>())
        << i << ": a resume must not leave samples past its checkpoint";
    EXPECT_GE(samples[i]["seconds"].get<double>(), samples[i - 1]["seconds"].get<double>()) << i;
  }
  EXPECT_DOUBLE_EQ(samples.back()["fraction"].get<double>(), 1.0);
  // And it is stored: the same after a clean restart.
  EXPECT_EQ(d.server.stop(SIGTERM), 0);
  d.server.restart();
  client::HttpClient h3({d.server.url(), "", std::chrono::seconds(10)});
  EXPECT_EQ(json_of(h3.request("GET", "/v1/jobs/" + job.id + "/history")), history);
}

}  // namespace
}  // namespace w2v::testing
