// The rows file a model is mapped from (models/<id>/rows.w2vm): written when a model is published
// (an import, a job's model), so the first load maps it; a model without one (a data directory of
// an older w2vd, the file removed) loads from vectors.bin, answers, and gets it; the file then
// serves every later load, across restarts, with the same answers. A damaged file marks the model
// broken at start (or at its load), `w2vd check` finds damage inside the rows, and removing the
// file (as the error says) makes the model whole again.

#include <filesystem>
#include <fstream>
#include <tuple>

#include "e2e/fault_support.h"

namespace w2v::testing {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

client::W2vdClient client_for(const ServerProcess& s) {
  return client::W2vdClient({s.url(), "", std::chrono::seconds(60)});
}

// The words and scores of a similar query, for comparing answers.
client::ScoredWords answer(client::W2vdClient& api, const std::string& id) {
  return api.similar(id, {"w3"}, {}, 8);
}

void flip_byte(const std::string& path, std::streamoff at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = 0;
  f.get(c);
  f.seekp(at);
  f.put(static_cast<char>(c ^ 0x20));
}

// A daemon with a random model of 500 words × 24 imported, and its rows file's path.
struct ImportedModel : Daemon {
  proto::ModelRecord m = api.import_model(write_random_model(dir.path() + "/v.bin", 500, 24),
                                          "imported", "binary", {});
  std::string rows = server.data_dir() + "/models/" + m.id + "/rows.w2vm";
};

TEST(MappedRows, AnImportIsPublishedWithItsRowsFileAndItsFirstLoadMapsIt) {
  ImportedModel d;
  const auto& [m, rows] = std::tie(d.m, d.rows);
  ASSERT_TRUE(fs::exists(rows));
  const auto written = fs::last_write_time(rows);
  EXPECT_EQ(answer(d.api, m.id).size(), 8u);
  EXPECT_EQ(fs::last_write_time(rows), written);  // mapped at the first load, not written again
  EXPECT_EQ(d.server.log().find("rows written"), std::string::npos) << d.server.log();
}

TEST(MappedRows, AModelWithoutItsRowsFileLoadsAnswersAndGetsOneThatServesAfterRestarts) {
  ImportedModel d;
  const auto& [m, rows] = std::tie(d.m, d.rows);
  ASSERT_TRUE(fs::exists(rows));
  fs::remove(rows);  // as an older w2vd left its models: vectors.bin alone

  const auto first = answer(d.api, m.id);
  ASSERT_EQ(first.size(), 8u);
  EXPECT_TRUE(fs::exists(rows));
  const auto written = fs::last_write_time(rows);

  ASSERT_EQ(d.server.stop(SIGTERM), 0) << d.server.log();
  d.server.restart();
  auto api = client_for(d.server);
  EXPECT_FALSE(api.model(m.id).broken);
  EXPECT_EQ(answer(api, m.id), first);
  EXPECT_EQ(api.vector(m.id, "w3").size(), 24u);
  EXPECT_EQ(fs::last_write_time(rows), written);  // mapped, not written again
  const std::string log = d.server.log();         // both runs' lines
  const auto written_at = log.find("rows written");
  EXPECT_NE(written_at, std::string::npos) << log;
  EXPECT_EQ(log.find("rows written", written_at + 1), std::string::npos) << log;
  ASSERT_EQ(d.server.stop(SIGTERM), 0) << d.server.log();
  const auto check = run_check(d.server.data_dir());
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST(MappedRows, ADamagedRowsFileMarksTheModelBrokenUntilItIsRemoved) {
  Daemon d;
  const std::string vectors = write_random_model(d.dir.path() + "/v.bin", 400, 16);
  const auto m = d.api.import_model(vectors, "m", "binary", {});
  const auto before = answer(d.api, m.id);
  const std::string data = d.server.data_dir();
  const std::string rows = data + "/models/" + m.id + "/rows.w2vm";
  ASSERT_TRUE(fs::exists(rows));
  ASSERT_EQ(d.server.stop(SIGTERM), 0) << d.server.log();

  // Damage inside the rows: mapping cannot see it, `w2vd check` reads every byte and does.
  flip_byte(rows, 4096);
  auto check = run_check(data);
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_TRUE(contains(check.output, m.id)) << check.output;
  EXPECT_TRUE(contains(check.output, "the rows are damaged (checksum)")) << check.output;
  EXPECT_TRUE(contains(check.output, "remove it")) << check.output;
  flip_byte(rows, 4096);
  EXPECT_EQ(run_check(data).exit_code, 0);

  // A damaged header: the start-up sweep marks the model broken, and requests say why.
  flip_byte(rows, 20);
  d.server.restart();
  auto api = client_for(d.server);
  const auto record = api.model(m.id);
  EXPECT_EQ(record.state(), "broken");
  EXPECT_TRUE(contains(record.broken.value_or(""), "rows.w2vm: the header is damaged"))
      << record.broken.value_or("");
  const auto e = api_error_of([&] { api.similar(m.id, {"w3"}, {}, 8); });
  EXPECT_EQ(e.status(), 409) << e.what();
  EXPECT_EQ(e.code(), "model_broken") << e.what();
  EXPECT_TRUE(contains(e.what(), "remove it")) << e.what();
  ASSERT_EQ(d.server.stop(SIGTERM), 0) << d.server.log();
  check = run_check(data);
  EXPECT_EQ(check.exit_code, 1) << check.output;

  // Removed, as the error says: whole again at the next start, the file written at the load.
  fs::remove(rows);
  d.server.restart();
  auto whole = client_for(d.server);
  EXPECT_FALSE(whole.model(m.id).broken) << whole.model(m.id).broken.value_or("");
  EXPECT_EQ(answer(whole, m.id), before);
  EXPECT_TRUE(fs::exists(rows));
  EXPECT_EQ(d.server.log().find("internal_error"), std::string::npos) << d.server.log();
}

}  // namespace
}  // namespace w2v::testing
