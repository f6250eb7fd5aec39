// HNSW indexes are built in the background: a query that asks for the approximate search while
// its model's index builds is answered at once by the exact search, saying so and how far the
// build is; deleting the model or stopping the daemon mid-build stops the build and leaves
// nothing half-written, and a build the stop interrupted starts again with the daemon. The
// model is large enough (100,000 words) that its build, on one thread, lasts seconds: far
// longer than the steps a test takes while it runs.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "e2e/fault_support.h"
#include "e2e/support.h"
#include "support/shell_command.h"
#include "support/temp_dir.h"

namespace w2v::testing {
namespace {

namespace fs = std::filesystem;
using proto::IndexState;

constexpr std::size_t kWords = 100000;

// A daemon whose index builds run on one thread, with a model of kWords words.
struct BuildingDaemon {
  Daemon d{{"--index-threads", "1"}};
  proto::ModelRecord model = d.api.import_model(
      write_random_model(d.dir.path() + "/v.bin", kWords, 64), "big", "binary", {});
  std::string model_dir() const { return d.server.data_dir() + "/models/" + model.id; }

  // Sets the model's search to approximate (which starts the build) and follows its record
  // until some words are in the graph; the status then.
  proto::IndexStatus start_build() {
    d.api.update_model(model.id, proto::ModelPatch{std::nullopt, proto::SearchMode::kApproximate});
    for (;;) {
      const proto::IndexStatus s = d.api.model(model.id).index;
      EXPECT_NE(s.state, IndexState::kFailed) << s.error.value_or("");
      EXPECT_NE(s.state, IndexState::kReady) << "built before the test could look";
      EXPECT_NE(s.state, IndexState::kNone);
      if (s.state != IndexState::kBuilding && s.state != IndexState::kLoading) return s;
      if (s.progress > 0) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // between two looks
    }
  }
};

// The model's directory holds its vectors and nothing of an index, complete or not.
void expect_no_index_files(const std::string& model_dir) {
  EXPECT_FALSE(fs::exists(model_dir + "/hnsw.bin"));
  for (const auto& entry : fs::directory_iterator(model_dir)) {
    EXPECT_EQ(entry.path().filename().string().find("hnsw"), std::string::npos) << entry.path();
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

TEST(IndexBuild, QueriesAreAnsweredExactlyAtOnceWhileTheIndexBuilds) {
  BuildingDaemon b;
  const proto::IndexStatus building = b.start_build();
  ASSERT_EQ(building.state, IndexState::kBuilding);
  EXPECT_LT(building.progress, 1.0);
  client::HttpClient http({b.d.server.url(), "", std::chrono::seconds(60)});
  const std::string base = "/v1/models/" + b.model.id;

  // The model's setting (approximate) and an explicit exact=false: the exact answer, at once.
  for (const std::string query : {"/similar?word=w7&k=10", "/similar?word=w7&k=10&exact=false"}) {
    const auto start = std::chrono::steady_clock::now();
    const auto r = http.request("GET", base + query);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_LT(took, std::chrono::seconds(5)) << query;  // not the build's time
    const auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j.at("search"), "exact") << query;
    EXPECT_EQ(j.at("index").at("state"), "building") << j;
    const double progress = j.at("index").at("progress").get<double>();
    EXPECT_GT(progress, 0.0) << j;
    EXPECT_LT(progress, 1.0) << j;
    const auto exact = b.d.api.similar(b.model.id, {"w7"}, {}, 10, true);
    ASSERT_EQ(j.at("results").size(), exact.size());
    for (std::size_t i = 0; i < exact.size(); ++i) {
      EXPECT_EQ(j.at("results")[i].at("word"), exact[i].first);
    }
  }
  // w2vctl says why the answer is the exact search's, and passes the index on in --json.
  const std::string ctl = std::string(W2VCTL_BINARY) + " --server " + b.d.server.url();
  const CommandResult table =
      run_shell(ctl + " similar " + b.model.id + " w7 -k 3 --approximate 2>&1");
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("w2vctl: the model's index is building ("), std::string::npos)
      << table.output;
  EXPECT_NE(table.output.find("answered by the exact search"), std::string::npos) << table.output;
  const CommandResult json =
      run_shell(ctl + " --json similar " + b.model.id + " w7 -k 3 --approximate");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const auto ctl_json = nlohmann::json::parse(json.output);
  EXPECT_EQ(ctl_json.at("search"), "exact") << ctl_json;
  EXPECT_EQ(ctl_json.at("index").at("state"), "building") << ctl_json;

  const auto batch = nlohmann::json::parse(
      http.request("POST", base + "/batch/similar", R"({"words":["w1","w2"],"k":3,"exact":false})",
                   "application/json")
          .body);
  EXPECT_EQ(batch.at("search"), "exact");
  EXPECT_EQ(batch.at("index").at("state"), "building");
  // An exact query says nothing of the index; the record and the list show its progress.
  EXPECT_FALSE(nlohmann::json::parse(http.request("GET", base + "/similar?word=w7&exact=true").body)
                   .contains("index"));
  const auto listed = nlohmann::json::parse(http.request("GET", "/v1/models").body);
  EXPECT_EQ(listed.at("models").at(0).at("index").at("state"), "building");
  const auto metrics = http.request("GET", "/metrics").body;
  EXPECT_NE(metrics.find("w2vd_index_builds_pending 1"), std::string::npos) << metrics;
}

TEST(IndexBuild, DeletingTheModelStopsItsBuildAndLeavesNothing) {
  BuildingDaemon b;
  ASSERT_EQ(b.start_build().state, IndexState::kBuilding);
  client::HttpClient http({b.d.server.url(), "", std::chrono::seconds(60)});
  EXPECT_EQ(http.request("DELETE", "/v1/models/" + b.model.id).status, 204);
  EXPECT_TRUE(b.d.server.log_has("model " + b.model.id + ": the HNSW index build stopped"))
      << b.d.server.log();
  EXPECT_FALSE(fs::exists(b.model_dir()));
  EXPECT_EQ(http.request("GET", "/v1/models/" + b.model.id).status, 404);
  EXPECT_EQ(http.request("GET", "/healthz").status, 200);
  const auto metrics = http.request("GET", "/metrics").body;
  EXPECT_NE(metrics.find("w2vd_index_builds_pending 0"), std::string::npos) << metrics;
  ASSERT_EQ(b.d.server.stop(SIGTERM), 0) << b.d.server.log();
  EXPECT_EQ(run_check(b.d.server.data_dir()).exit_code, 0);
}

TEST(IndexBuild, StoppingTheDaemonMidBuildWritesNothingAndTheBuildStartsAgain) {
  BuildingDaemon b;
  ASSERT_EQ(b.start_build().state, IndexState::kBuilding);
  ASSERT_EQ(b.d.server.stop(SIGTERM), 0) << b.d.server.log();
  EXPECT_TRUE(b.d.server.log_has("the HNSW index build stopped")) << b.d.server.log();
  expect_no_index_files(b.model_dir());
  EXPECT_EQ(run_check(b.d.server.data_dir()).exit_code, 0);

  // The model's search is approximate and it has no index: the restarted daemon builds it,
  // unasked.
  b.d.server.restart();
  client::W2vdClient api({b.d.server.url(), "", std::chrono::seconds(60)});
  const proto::IndexStatus again = api.model(b.model.id).index;
  EXPECT_TRUE(again.state == IndexState::kBuilding || again.state == IndexState::kLoading)
      << name_of(proto::kIndexStateNames, again.state);
  // Deleted meanwhile, then stopped: nothing crashes, nothing is left.
  api.delete_model(b.model.id);
  ASSERT_EQ(b.d.server.stop(SIGTERM), 0) << b.d.server.log();
  EXPECT_FALSE(fs::exists(b.model_dir()));
  EXPECT_EQ(run_check(b.d.server.data_dir()).exit_code, 0);
}

}  // namespace
}  // namespace w2v::testing
