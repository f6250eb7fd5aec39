// Rows whose files are missing or damaged (deleted by hand, a partial restore, a truncated copy):
// the start-up sweep marks them broken with a readable error, GET and the lists show it, every
// request that needs the files answers 409 naming the problem (never 500), DELETE removes
// them, and `w2vd check` keeps reporting them. A model whose files go away while w2vd runs
// becomes broken at its first load (queries read its rows file, its download vectors.bin).

#include <filesystem>
#include <functional>

#include "e2e/fault_support.h"

namespace w2v::testing {
namespace {

namespace fs = std::filesystem;
using proto::JobStatus;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A client for the server as it is now (a restart changes its port).
client::W2vdClient client_for(const ServerProcess& s) {
  return client::W2vdClient({s.url(), "", std::chrono::seconds(60)});
}

void truncate_to(const std::string& path, std::uintmax_t bytes) {
  fs::resize_file(path, bytes);
}

// Every request that needs a model's files answers 409 model_broken naming the model and why.
void expect_model_requests_refused(client::W2vdClient& api, const std::string& scratch,
                                   const std::string& id, const std::string& why) {
  const std::string eval = write_file(scratch + "/pairs.txt", "w1 w2 0.5\nw3 w4 0.1\n");
  const std::string out = scratch + "/export.out";
  const std::vector<std::pair<std::string, std::function<void()>>> requests = {
      {"similar", [&] { api.similar(id, {"w1"}, {}, 3); }},
      {"similar approximate", [&] { api.similar(id, {"w1"}, {}, 3, false); }},
      {"vector", [&] { api.vector(id, "w1"); }},
      {"similarity", [&] { api.similarity(id, "w1", "w2"); }},
      {"analogy",
       [&] {
         api.analogy(id, proto::AnalogyRequest{"w1", "w2", "w3"});
       }},
      {"evaluate", [&] { api.evaluate(id, eval, "pairs"); }},
      {"export binary", [&] { api.export_model(id, "binary", out); }},
      {"export text", [&] { api.export_model(id, "text", out); }},
  };
  for (const auto& [what, request] : requests) {
    const auto e = api_error_of(request);
    EXPECT_EQ(e.status(), 409) << what << ": " << e.what();
    EXPECT_EQ(e.code(), "model_broken") << what << ": " << e.what();
    EXPECT_TRUE(contains(e.what(), "model " + id + " is broken")) << what << ": " << e.what();
    EXPECT_TRUE(contains(e.what(), why)) << what << ": " << e.what();
  }
}

TEST(BrokenFiles, RowsWhoseFilesAreMissingOrTruncatedAreMarkedBrokenAtStart) {
  Daemon d;
  const auto counts_gone = d.api.upload_corpus(d.corpus_file(), "counts gone", false, {});
  const auto text_cut = d.api.upload_corpus(d.corpus_file(), "text cut", false, {});
  const auto whole_corpus = d.api.upload_corpus(d.corpus_file(), "whole", false, {});
  const std::string vectors = write_random_model(d.dir.path() + "/v.bin", 300, 16);
  const auto model_gone = d.api.import_model(vectors, "gone", "binary", {});
  const auto model_cut = d.api.import_model(vectors, "cut", "binary", {});
  const auto whole_model = d.api.import_model(vectors, "whole", "binary", {});
  ASSERT_EQ(d.server.stop(SIGTERM), 0) << d.server.log();

  const std::string data = d.server.data_dir();
  fs::remove(data + "/corpora/" + counts_gone.id + "/counts");
  truncate_to(data + "/corpora/" + text_cut.id + "/text", text_cut.bytes / 2);
  fs::remove(data + "/models/" + model_gone.id + "/vectors.bin");
  truncate_to(data + "/models/" + model_cut.id + "/vectors.bin", 1000);
  d.server.restart();
  auto api = client_for(d.server);

  // The records say what is wrong, alone and in the lists.
  const auto c1 = api.corpus(counts_gone.id);
  EXPECT_EQ(c1.state(), "broken");
  EXPECT_TRUE(contains(c1.broken.value_or(""), "/counts is missing")) << c1.broken.value_or("");
  const auto c2 = api.corpus(text_cut.id);
  EXPECT_TRUE(contains(c2.broken.value_or(""), "/text is truncated")) << c2.broken.value_or("");
  EXPECT_FALSE(api.corpus(whole_corpus.id).broken);
  EXPECT_EQ(api.corpus(whole_corpus.id).state(), "ready");
  const auto m1 = api.model(model_gone.id);
  EXPECT_TRUE(contains(m1.broken.value_or(""), "/vectors.bin is missing"))
      << m1.broken.value_or("");
  const auto m2 = api.model(model_cut.id);
  EXPECT_TRUE(contains(m2.broken.value_or(""), "/vectors.bin is truncated"))
      << m2.broken.value_or("");
  EXPECT_FALSE(api.model(whole_model.id).broken);
  int broken_corpora = 0, broken_models = 0;
  for (const auto& c : api.corpora()) broken_corpora += c.broken.has_value();
  for (const auto& m : api.models()) broken_models += m.broken.has_value();
  EXPECT_EQ(broken_corpora, 2);
  EXPECT_EQ(broken_models, 2);
  // The raw JSON carries "state" and "error".
  const auto raw =
      nlohmann::json::parse(api.http().request("GET", "/v1/models/" + model_gone.id).body);
  EXPECT_EQ(raw.at("state"), "broken");
  EXPECT_EQ(raw.at("error"), *m1.broken);

  // Every request that needs the files: 409 naming the problem.
  expect_model_requests_refused(api, d.dir.path(), model_gone.id, "is missing");
  expect_model_requests_refused(api, d.dir.path(), model_cut.id, "is truncated");
  for (const auto& c : {counts_gone, text_cut}) {
    const auto e = api_error_of([&] { submit_job(api, c.id, planted_job_params(1), ""); });
    EXPECT_EQ(e.status(), 409) << e.what();
    EXPECT_EQ(e.code(), "corpus_broken") << e.what();
    EXPECT_TRUE(contains(e.what(), "corpus " + c.id + " is broken")) << e.what();
  }
  const auto cont = api_error_of([&] {
    submit_job(api, whole_corpus.id, planted_job_params(1), "", model_gone.id, "extend");
  });
  EXPECT_EQ(cont.status(), 409) << cont.what();
  EXPECT_EQ(cont.code(), "model_broken") << cont.what();

  // What is whole works as before.
  EXPECT_EQ(api.similar(whole_model.id, {"w1"}, {}, 3).size(), 3u);
  const auto job = submit_job(api, whole_corpus.id, planted_job_params(1), "");
  EXPECT_EQ(api.watch_job(job.id, [](const proto::JobRecord&) { return true; }).status,
            JobStatus::kSucceeded);

  // check reports every broken row (the daemon stopped: an exact answer).
  ASSERT_EQ(d.server.stop(SIGTERM), 0) << d.server.log();
  auto check = run_check(data);
  EXPECT_EQ(check.exit_code, 1) << check.output;
  for (const std::string& id : {counts_gone.id, text_cut.id, model_gone.id, model_cut.id}) {
    EXPECT_TRUE(contains(check.output, id)) << id << " in\n" << check.output;
  }
  EXPECT_FALSE(contains(check.output, whole_model.id)) << check.output;

  // A broken row stays broken across restarts, and DELETE removes it.
  d.server.restart();
  auto restarted = client_for(d.server);
  EXPECT_TRUE(restarted.model(model_cut.id).broken);
  for (const auto& c : {counts_gone, text_cut}) restarted.delete_corpus(c.id);
  for (const auto& m : {model_gone, model_cut}) restarted.delete_model(m.id);
  EXPECT_EQ(restarted.corpora().size(), 1u);
  EXPECT_EQ(restarted.models().size(), 2u);  // the whole import and the trained model
  ASSERT_EQ(d.server.stop(SIGTERM), 0) << d.server.log();
  check = run_check(data);
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST(BrokenFiles, RestoredFilesMakeTheRowReadyAgainAtTheNextStart) {
  Daemon d;
  const std::string vectors = write_random_model(d.dir.path() + "/v.bin", 200, 8);
  const auto m = d.api.import_model(vectors, "m", "binary", {});
  ASSERT_EQ(d.server.stop(SIGTERM), 0);
  const std::string file = d.server.data_dir() + "/models/" + m.id + "/vectors.bin";
  const std::string saved = d.dir.path() + "/saved.bin";
  fs::rename(file, saved);
  d.server.restart();
  EXPECT_TRUE(client_for(d.server).model(m.id).broken);
  ASSERT_EQ(d.server.stop(SIGTERM), 0);
  fs::rename(saved, file);
  d.server.restart();
  auto api = client_for(d.server);
  EXPECT_FALSE(api.model(m.id).broken) << api.model(m.id).broken.value_or("");
  EXPECT_EQ(api.similar(m.id, {"w1"}, {}, 3).size(), 3u);
}

TEST(BrokenFiles, AModelWhoseFileGoesAwayWhileRunningBecomesBrokenAtItsFirstLoad) {
  Daemon d;
  const std::string vectors = write_random_model(d.dir.path() + "/v.bin", 200, 8);
  const auto gone = d.api.import_model(vectors, "gone", "binary", {});
  const auto cut = d.api.import_model(vectors, "cut", "binary", {});
  const auto cut_rows = d.api.import_model(vectors, "cut rows", "binary", {});
  const auto dir = [&](const proto::ModelRecord& m) {
    return d.server.data_dir() + "/models/" + m.id + "/";
  };
  // A load maps the rows file, written at the import; without it, it parses vectors.bin.
  fs::remove(dir(gone) + "rows.w2vm");
  fs::remove(dir(gone) + "vectors.bin");
  fs::remove(dir(cut) + "rows.w2vm");
  // Cut inside the rows: the header and the size look plausible, the load finds the rest.
  truncate_to(dir(cut) + "vectors.bin", fs::file_size(dir(cut) + "vectors.bin") - 20);
  truncate_to(dir(cut_rows) + "rows.w2vm", fs::file_size(dir(cut_rows) + "rows.w2vm") - 64);

  for (const auto& [id, why] :
       {std::pair{gone.id, std::string("cannot open")}, std::pair{cut.id, std::string("")},
        std::pair{cut_rows.id, std::string("rows.w2vm: truncated")}}) {
    for (int i = 0; i < 2; ++i) {  // the first query finds it out, later ones read the record
      const auto e = api_error_of([&, model = id] { d.api.similar(model, {"w1"}, {}, 3); });
      EXPECT_EQ(e.status(), 409) << e.what();
      EXPECT_EQ(e.code(), "model_broken") << e.what();
      EXPECT_TRUE(contains(e.what(), why)) << e.what();
    }
    const auto record = d.api.model(id);
    EXPECT_EQ(record.state(), "broken");
    EXPECT_TRUE(record.broken);
    d.api.delete_model(id);
  }
  EXPECT_TRUE(d.api.models().empty());
  EXPECT_EQ(d.server.log().find("internal_error"), std::string::npos) << d.server.log();
}

// Queries read the rows file alone: with vectors.bin gone they are answered, and what needs
// vectors.bin (its download) finds it out and marks the model broken.
TEST(BrokenFiles, QueriesNeedOnlyTheRowsFileADownloadFindsVectorsGone) {
  Daemon d;
  const auto m =
      d.api.import_model(write_random_model(d.dir.path() + "/v.bin", 200, 8), "m", "binary", {});
  fs::remove(d.server.data_dir() + "/models/" + m.id + "/vectors.bin");
  EXPECT_EQ(d.api.similar(m.id, {"w1"}, {}, 3).size(), 3u);
  const auto r = d.api.http().request("GET", "/v1/models/" + m.id + "/vectors?format=binary");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_of(r).code, "model_broken") << r.body;
  EXPECT_EQ(d.api.model(m.id).state(), "broken");
  EXPECT_EQ(d.server.log().find("internal_error"), std::string::npos) << d.server.log();
}

}  // namespace
}  // namespace w2v::testing
