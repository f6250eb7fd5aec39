// fastText's model file (.bin) through a real w2vd: imported from what Debian's fastText trains,
// exported so that fastText's own tool reads it, and hostile files refused with nothing left.

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "e2e/support.h"
#include "support/shell_command.h"

namespace w2v::testing {
namespace {

bool have_fasttext() {
  return std::system("command -v fasttext >/dev/null 2>&1") == 0;
}

std::string run(const std::string& command) {
  return run_shell(command).output;
}

// fastText's print-word-vectors of words, by word.
std::map<std::string, std::vector<float>> fasttext_vectors(const std::string& model,
                                                           const std::vector<std::string>& words,
                                                           const std::string& scratch) {
  {
    std::ofstream out(scratch);
    for (const auto& w : words) out << w << "\n";
  }
  std::map<std::string, std::vector<float>> vectors;
  std::istringstream lines(run("fasttext print-word-vectors " + model + " < " + scratch));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string word;
    fields >> word;
    for (float v; fields >> v;) vectors[word].push_back(v);
  }
  return vectors;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t k = 0; k < a.size() && k < b.size(); ++k) {
    ab += double(a[k]) * b[k];
    aa += double(a[k]) * a[k];
    bb += double(b[k]) * b[k];
  }
  return a.size() == b.size() ? ab / std::sqrt(aa * bb) : 0.0;
}

// Files under the data directory's tmp/ and models/ (what a refused import must not leave).
std::size_t files_under(const std::string& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    n += it->is_regular_file();
  }
  return n;
}

class FastTextFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_fasttext()) GTEST_SKIP() << "fastText's command-line tool is not installed";
    daemon_ = std::make_unique<Daemon>();
  }
  std::string path(const std::string& name) { return daemon_->dir.path() + "/" + name; }
  std::unique_ptr<Daemon> daemon_;
  std::string corpus_file_;
};

TEST_F(FastTextFormat, ImportsWhatFastTextTrains) {
  corpus_file_ = daemon_->corpus_file();
  run("fasttext skipgram -input " + corpus_file_ + " -output " + path("ft") +
      " -dim 16 -epoch 1 -minCount 1 -minn 2 -maxn 4 -bucket 5000 -thread 1 -verbose 0");
  ASSERT_TRUE(std::filesystem::exists(path("ft.bin")));
  const auto m = daemon_->api.import_model(path("ft.bin"), "from-fasttext", "fasttext");
  EXPECT_EQ(m.dim, 16);
  ASSERT_TRUE(m.params.has_value());
  EXPECT_EQ(m.params->minn, 2);
  EXPECT_EQ(m.params->maxn, 4);
  EXPECT_EQ(m.params->bucket, 5000);
  EXPECT_EQ(m.weights, proto::ModelWeights::kFull);
  const std::vector<std::string> words = {topic_word(0, 0), topic_word(1, 3), topic_word(2, 7),
                                          relation_word(0, 1), compose("role", 1, "c", 2)};
  // And words it never saw, from their n-grams, as fastText composes them.
  const std::vector<std::string> unseen = {topic_word(0, 0) + "x", "x" + relation_word(1, 2)};
  std::vector<std::string> asked = words;
  asked.insert(asked.end(), unseen.begin(), unseen.end());
  const auto theirs = fasttext_vectors(path("ft.bin"), asked, path("q.txt"));
  for (const auto& w : asked) {
    ASSERT_TRUE(theirs.count(w)) << w;
    EXPECT_GE(cosine(daemon_->api.vector(m.id, w), theirs.at(w)), 0.999) << w;
  }
  const auto r = client::HttpClient({daemon_->server.url(), "", std::chrono::seconds(30)})
                     .request("GET", "/v1/models/" + m.id + "/words/" + unseen[0]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body).at("oov"), true);
  // The record says what the file was trained with, across a restart too.
  daemon_->server.stop();
  daemon_->server.restart();
  client::W2vdClient again(
      client::ClientOptions{daemon_->server.url(), "", std::chrono::seconds(30)});
  EXPECT_EQ(again.model(m.id).params->maxn, 4);
  EXPECT_GE(cosine(again.vector(m.id, words[0]), theirs.at(words[0])), 0.999);

  // Trained further: the job keeps the file's n-gram settings.
  const auto corpus = again.upload_corpus(corpus_file_, "planted");
  const auto job = again.submit_job(
      proto::parse_create_job({{"corpus_id", corpus.id},
                               {"init_model", m.id},
                               {"params", {{"epochs", 1}, {"min_count", 1}, {"threads", 2}}}}));
  const auto done = again.watch_job(job.id);
  ASSERT_EQ(done.status, proto::JobStatus::kSucceeded) << done.error.value_or("");
  const auto child = again.model(done.model_id.value());
  EXPECT_EQ(child.params->maxn, 4);
  EXPECT_EQ(child.params->bucket, 5000);
  EXPECT_EQ(child.dim, 16);
}

TEST_F(FastTextFormat, ExportsWhatFastTextReads) {
  const auto corpus = daemon_->api.upload_corpus(daemon_->corpus_file(), "planted");
  auto params = planted_job_params(2);
  params["minn"] = 3;
  params["maxn"] = 5;
  params["bucket"] = 4000;
  const auto job = submit_job(daemon_->api, corpus.id, params);
  const auto done = daemon_->api.watch_job(job.id);
  ASSERT_EQ(done.status, proto::JobStatus::kSucceeded) << done.error.value_or("");
  const std::string model = done.model_id.value();
  daemon_->api.export_model(model, "fasttext", path("ours.bin"));
  const std::vector<std::string> words = {topic_word(0, 0), topic_word(1, 3), topic_word(2, 7),
                                          relation_word(0, 1), compose("role", 1, "c", 2)};
  const auto read = fasttext_vectors(path("ours.bin"), words, path("q.txt"));
  for (const auto& w : words) {
    ASSERT_TRUE(read.count(w)) << w;
    EXPECT_GE(cosine(daemon_->api.vector(model, w), read.at(w)), 0.999) << w;
  }
  // Written once: a second export is the same file.
  daemon_->api.export_model(model, "fasttext", path("again.bin"));
  std::ifstream a(path("ours.bin"), std::ios::binary), b(path("again.bin"), std::ios::binary);
  EXPECT_TRUE(std::equal(std::istreambuf_iterator<char>(a), {}, std::istreambuf_iterator<char>(b)));
}

TEST_F(FastTextFormat, WordVectorsWithoutStateExportToo) {
  const auto m =
      daemon_->api.import_model(write_random_model(path("w2v.bin"), 50, 8), "plain", "binary");
  daemon_->api.export_model(m.id, "fasttext", path("plain.bin"));
  const auto read = fasttext_vectors(path("plain.bin"), {"w0", "w7"}, path("q.txt"));
  for (const char* w : {"w0", "w7"}) {
    ASSERT_TRUE(read.count(w)) << w;
    EXPECT_GE(cosine(daemon_->api.vector(m.id, w), read.at(w)), 0.999) << w;
  }
}

TEST_F(FastTextFormat, BadFilesAre400AndLeaveNothing) {
  run("fasttext skipgram -input " + daemon_->corpus_file() + " -output " + path("ok") +
      " -dim 4 -epoch 1 -minCount 1 -minn 2 -maxn 3 -bucket 100 -thread 1 -verbose 0");
  std::ifstream in(path("ok.bin"), std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(good.size(), 200u);
  const auto with = [&](std::size_t at, std::int32_t v, std::size_t also_at = 0) {
    std::string bytes = good;
    std::memcpy(bytes.data() + at, &v, sizeof v);
    if (also_at != 0) std::memcpy(bytes.data() + also_at, &v, sizeof v);
    return bytes;
  };
  constexpr std::size_t kDictionaryAt = 8 + 12 * 4 + 8;  // its size, then its word count
  const std::map<std::string, std::pair<std::string, std::string>> bad = {
      {"truncated", {good.substr(0, good.size() - 7), "truncated"}},
      {"wrong magic", {with(0, 12345), "not a fastText model"}},
      {"supervised", {with(8 + 7 * 4, 3), "supervised"}},
      {"lying counts", {with(kDictionaryAt, 50'000'000, kDictionaryAt + 4), "need at least"}},
  };
  const std::string data = daemon_->server.data_dir();
  auto h = client::HttpClient({daemon_->server.url(), "", std::chrono::seconds(30)});
  for (const auto& [what, file] : bad) {
    const auto r = h.request("POST", "/v1/models?format=fasttext&name=bad", file.first,
                             "application/octet-stream");
    const auto e = error_of(r);
    EXPECT_EQ(e.status, 400) << what;
    EXPECT_EQ(e.code, "invalid_vectors") << what;
    EXPECT_NE(e.message.find(file.second), std::string::npos) << what << ": " << e.message;
  }
  EXPECT_TRUE(daemon_->api.models().empty());
  EXPECT_EQ(files_under(data + "/models"), 0u);
  EXPECT_EQ(files_under(data + "/tmp"), 0u);
  EXPECT_EQ(error_of(h.request("GET", "/v1/models/m_x/vectors?format=word2vec")).status, 404);
}

}  // namespace
}  // namespace w2v::testing
