// server/jobs/job_admission.h: what a job request is refused for (ranks, its corpus, its parent
// model, min_count, softmax's limit, the memory estimate), the API error each gets, and the
// record an admitted one runs as, its parameters settled once.

#include "server/jobs/job_admission.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "core/text/word_counts.h"
#include "proto/requests.h"
#include "support/temp_dir.h"

namespace w2v::server {
namespace {

using nlohmann::json;
using proto::ApiError;
using proto::JobRecord;

constexpr const char* kCorpus = "c_words";
// 3 distinct words: "a" 5 times, "b" 3 times, "c" once.
constexpr const char* kText = "a a a b b\na a b c\n";

class JobAdmissionTest : public ::testing::Test {
 protected:
  w2v::testing::TempDir tmp_{"admission"};
  DataDir dirs_{tmp_.path()};
  Store store_{dirs_.database()};
  AdmissionLimits limits_;

  void SetUp() override {
    limits_.train_threads = 3;
    std::filesystem::create_directories(dirs_.corpus_dir(kCorpus));
    std::ofstream(dirs_.corpus_text(kCorpus), std::ios::binary) << kText;
    const WordCounts counts = count_words_in_file(dirs_.corpus_text(kCorpus));
    std::ofstream out(dirs_.corpus_counts(kCorpus), std::ios::binary);
    counts.save(out);
    proto::CorpusRecord c;
    c.id = kCorpus;
    c.name = "the words";
    c.bytes = std::string(kText).size();
    c.tokens = counts.tokens();
    c.sentences = counts.sentences();
    c.distinct_words = counts.distinct();
    c.created_at = proto::now_rfc3339();
    store_.insert_corpus(c);
  }

  JobRecord admit(const json& request) {
    json r = request;
    if (!r.contains("corpus_id")) r["corpus_id"] = kCorpus;
    return JobAdmission(store_, dirs_, limits_).admit(proto::parse_create_job(r));
  }
  // The error admit(request) throws: status, code and message.
  struct Refusal {
    int status = 0;
    std::string code, message;
  };
  Refusal refusal(const json& request) {
    try {
      admit(request);
    } catch (const ApiError& e) {
      return {e.status(), e.code(), e.what()};
    }
    ADD_FAILURE() << "admitted: " << request.dump();
    return {};
  }
  static bool has(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
  }

  void add_parent(const std::string& id, int dim) {
    proto::ModelRecord m;
    m.id = id;
    m.job_id = "j_parent";
    m.name = "parent";
    m.vocab_size = 10;
    m.dim = dim;
    m.params = TrainParams{};
    m.params->dim = dim;
    m.created_at = proto::now_rfc3339();
    store_.insert_model(m);
  }
};

TEST_F(JobAdmissionTest, AnAdmittedJobIsQueuedWithItsParametersSettled) {
  const JobRecord j = admit({{"params", {{"model", "cbow"}, {"dim", 8}}}});
  EXPECT_TRUE(is_id(j.id, "j")) << j.id;
  EXPECT_EQ(j.corpus_id, kCorpus);
  EXPECT_EQ(j.name, "the words");  // the corpus's, when the request names none
  EXPECT_EQ(j.status, proto::JobStatus::kQueued);
  EXPECT_EQ(j.ranks, 1);
  EXPECT_EQ(j.params.dim, 8);
  EXPECT_EQ(j.params.alpha, 0.05);  // CBOW's default, settled here
  EXPECT_EQ(j.params.threads, 3);   // the server's, for a request that leaves it to the server
  EXPECT_EQ(j.progress.epochs, j.params.epochs);
  EXPECT_EQ(j.progress.alpha, j.params.alpha);
  EXPECT_FALSE(j.created_at.empty());
  EXPECT_TRUE(store_.jobs().empty());  // admission stores nothing

  const JobRecord k = admit({{"name", "mine"}, {"params", {{"alpha", 0.1}, {"threads", 2}}}});
  EXPECT_EQ(k.name, "mine");
  EXPECT_EQ(k.params.alpha, 0.1);
  EXPECT_EQ(k.params.threads, 2);
  EXPECT_EQ(admit({}).params.alpha, 0.025);  // skip-gram's default
  EXPECT_NE(admit({}).id, admit({}).id);
}

TEST_F(JobAdmissionTest, AnUnknownOrBrokenCorpusIsRefused) {
  const Refusal unknown = refusal({{"corpus_id", "c_nope"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.code, "corpus_not_found");
  EXPECT_EQ(unknown.message, job_corpus_not_found("c_nope").what());

  store_.set_corpus_broken(kCorpus, "its text is gone");
  const Refusal broken = refusal({});
  EXPECT_EQ(broken.status, 409);
  EXPECT_EQ(broken.code, "corpus_broken");
  EXPECT_TRUE(has(broken.message, "its text is gone")) << broken.message;
}

TEST_F(JobAdmissionTest, ACorpusWhoseFilesWentBadIsMarkedBroken) {
  std::filesystem::remove(dirs_.corpus_counts(kCorpus));
  const Refusal r = refusal({});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.code, "corpus_broken");
  const auto c = store_.corpus(kCorpus);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->broken.has_value());  // from now on, without reading the files again
}

TEST_F(JobAdmissionTest, NoWordAtMinCountIsRefusedWithTheMostFrequentWordsCount) {
  const Refusal r = refusal({{"params", {{"min_count", 6}}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(has(r.message, "params.min_count")) << r.message;
  EXPECT_TRUE(has(r.message, "occurs 5 times")) << r.message;
  EXPECT_EQ(admit({{"params", {{"min_count", 5}}}}).params.min_count, 5);
}

TEST_F(JobAdmissionTest, SoftmaxIsRefusedOverItsVocabularyLimit) {
  limits_.softmax_max_vocab = 2;
  const Refusal r = refusal({{"params", {{"loss", "softmax"}, {"min_count", 1}}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(has(r.message, "params.loss")) << r.message;
  EXPECT_TRUE(has(r.message, "this corpus gives 3")) << r.message;
  // Within it through min_count or max_vocab.
  admit({{"params", {{"loss", "softmax"}, {"min_count", 3}}}});
  admit({{"params", {{"loss", "softmax"}, {"min_count", 1}, {"max_vocab", 2}}}});
}

TEST_F(JobAdmissionTest, AJobOverTheMemoryLimitIsRefused) {
  limits_.max_job_memory = 1024;
  const Refusal r = refusal({});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.code, "job_too_large");
  EXPECT_TRUE(has(r.message, "--max-job-memory")) << r.message;
  limits_.max_job_memory = std::uint64_t{1} << 30;
  admit({});
}

TEST_F(JobAdmissionTest, RanksNeedALauncherAndStayWithinTheMaximum) {
  const Refusal none = refusal({{"ranks", 2}});
  EXPECT_EQ(none.status, 400);
  EXPECT_TRUE(has(none.message, "--mpi-launcher")) << none.message;
  limits_.has_mpi_launcher = true;
  limits_.max_ranks = 4;
  EXPECT_EQ(admit({{"ranks", 4}}).ranks, 4);
  const Refusal over = refusal({{"ranks", 5}});
  EXPECT_EQ(over.status, 400);
  EXPECT_TRUE(has(over.message, "at most 4")) << over.message;
}

TEST_F(JobAdmissionTest, AContinuedJobTakesItsParentsDimension) {
  const Refusal unknown = refusal({{"init_model", "m_nope"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.code, "init_model_not_found");

  add_parent("m_parent", 16);
  const JobRecord j = admit({{"init_model", "m_parent"}});
  EXPECT_EQ(j.init_model, "m_parent");
  EXPECT_EQ(j.params.dim, 16);
  // No word of the corpus at min_count: the parent's words are trained anyway.
  EXPECT_EQ(admit({{"init_model", "m_parent"}, {"params", {{"min_count", 100}}}}).params.dim, 16);
  const Refusal conflict = refusal({{"init_model", "m_parent"}, {"params", {{"dim", 8}}}});
  EXPECT_EQ(conflict.status, 400);
  EXPECT_EQ(conflict.code, "init_model_conflict");
  EXPECT_TRUE(has(conflict.message, "params.dim")) << conflict.message;
}

TEST_F(JobAdmissionTest, SubwordJobsAreCheckedAsAWhole) {
  const JobRecord j = admit({{"params", {{"maxn", 6}, {"bucket", 1000}}}});
  EXPECT_EQ(j.params.maxn, 6);
  EXPECT_EQ(j.params.minn, 3);          // fastText's default
  EXPECT_EQ(admit({}).params.maxn, 0);  // off by default
  const Refusal order = refusal({{"params", {{"minn", 5}, {"maxn", 4}}}});
  EXPECT_EQ(order.status, 400);
  EXPECT_TRUE(has(order.message, "params.minn must be at most maxn (4)")) << order.message;
  const Refusal batch =
      refusal({{"params", {{"model", "cbow"}, {"kernel", "batch"}, {"maxn", 6}}}});
  EXPECT_TRUE(has(batch.message, "params.kernel")) << batch.message;
  EXPECT_EQ(admit({{"params", {{"model", "cbow"}, {"maxn", 6}, {"bucket", 10}}}}).params.kernel,
            KernelType::kAuto);
  // Distributed jobs have no subword path: refused, naming maxn.
  limits_.has_mpi_launcher = true;
  const Refusal ranks = refusal({{"ranks", 2}, {"params", {{"maxn", 6}}}});
  EXPECT_EQ(ranks.status, 400);
  EXPECT_TRUE(has(ranks.message, "params.maxn")) << ranks.message;
  EXPECT_TRUE(has(ranks.message, "ranks")) << ranks.message;
  EXPECT_EQ(admit({{"ranks", 2}}).ranks, 2);
}

TEST_F(JobAdmissionTest, TheMemoryEstimateCountsTheBucketRows) {
  // Enough for the words' rows, not for 2,000,000 bucket rows of dim 100 (800 MB).
  limits_.max_job_memory = std::uint64_t{64} << 20;
  admit({});
  const Refusal r = refusal({{"params", {{"maxn", 6}}}});
  EXPECT_EQ(r.code, "job_too_large");
  EXPECT_TRUE(has(r.message, "2000000 n-gram bucket rows")) << r.message;
  EXPECT_TRUE(has(r.message, "params.bucket")) << r.message;
  admit({{"params", {{"maxn", 6}, {"bucket", 10000}}}});
}

TEST_F(JobAdmissionTest, AContinuedJobKeepsItsParentsNgramSettings) {
  add_parent("m_parent", 16);
  proto::ModelRecord sub = *store_.model("m_parent");
  sub.id = "m_sub";
  sub.params->minn = 2;
  sub.params->maxn = 5;
  sub.params->bucket = 5000;
  store_.insert_model(sub);
  const JobRecord j = admit({{"init_model", "m_sub"}});
  EXPECT_EQ(j.params.minn, 2);
  EXPECT_EQ(j.params.maxn, 5);
  EXPECT_EQ(j.params.bucket, 5000);
  EXPECT_EQ(admit({{"init_model", "m_sub"}, {"params", {{"maxn", 5}}}}).params.maxn, 5);
  for (const auto& [field, value] :
       {std::pair{"maxn", 0}, std::pair{"minn", 3}, std::pair{"bucket", 2000}}) {
    const Refusal conflict = refusal({{"init_model", "m_sub"}, {"params", {{field, value}}}});
    EXPECT_EQ(conflict.code, "init_model_conflict") << field;
    EXPECT_TRUE(has(conflict.message, std::string("params.") + field)) << conflict.message;
  }
  // A parent without subwords keeps them off.
  const Refusal on = refusal({{"init_model", "m_parent"}, {"params", {{"maxn", 6}}}});
  EXPECT_EQ(on.code, "init_model_conflict");
}

}  // namespace
}  // namespace w2v::server
