// Distributed training under a real mpirun (Open MPI, TCP over loopback, one thread per rank):
// ranks end with identical weights; `mpirun -np 2 w2vd train` learns the planted structure as
// well as one process does, also on a corpus of one line, which the ranks split evenly; a rank
// killed mid-job fails the job with a readable message.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>

#include "core/io/vectors_io.h"
#include "core/search/embeddings.h"
#include "distributed/planted_band.h"
#include "mpi/child_process.h"
#include "support/server_process.h"
#include "support/train_helpers.h"

namespace w2v {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

testing::PlantedQuality quality_of(const std::string& vectors_path,
                                   const testing::PlantedCorpus& c) {
  WordVectors wv = load_vectors_file(vectors_path, detect_vectors_format(vectors_path));
  return testing::measure(Embeddings(std::move(wv.words), std::move(wv.vectors)), c);
}

std::vector<std::string> train_args(const std::string& corpus, const std::string& output,
                                    int threads, int epochs) {
  const TrainParams p = testing::planted_params();
  return {W2VD_BINARY,   "train",
          "--corpus",    corpus,
          "--output",    output,
          "--threads",   std::to_string(threads),
          "--dim",       std::to_string(p.dim),
          "--min-count", "1",
          "--sample",    "1e-3",
          "--epochs",    std::to_string(epochs),
          "--seed",      "11"};
}

TEST(MpiTraining, RanksEndWithIdenticalWeights) {
  ChildProcess job(concat(testing::mpirun(2), {MPI_RANKS_AGREE_BINARY}));
  const int status = job.wait(300s);
  EXPECT_EQ(status, 0) << job.output();
  EXPECT_NE(job.output().find("weights identical on every rank"), std::string::npos)
      << job.output();
}

TEST(MpiTraining, TwoRanksLearnThePlantedStructureLikeOneProcess) {
  testing::TempDir dir("mpi-train");
  const testing::PlantedCorpus c = testing::make_planted_corpus();
  const std::string corpus = write_file(dir.path() + "/planted.txt", c.text);

  ChildProcess one(train_args(corpus, dir.path() + "/one.bin", 2, 5));
  ASSERT_EQ(one.wait(300s), 0) << one.output();
  ChildProcess two(concat(testing::mpirun(2), train_args(corpus, dir.path() + "/two.bin", 1, 5)));
  ASSERT_EQ(two.wait(300s), 0) << two.output();

  const auto q1 = quality_of(dir.path() + "/one.bin", c);
  const auto q2 = quality_of(dir.path() + "/two.bin", c);
  testing::expect_same_band(q1, q2, "2 ranks");
  // Rank 0 reports every rank's share of the work.
  EXPECT_NE(two.output().find("rank 1: "), std::string::npos) << two.output();
  EXPECT_NE(two.output().find("on 2 ranks"), std::string::npos) << two.output();
}

// A text8-style corpus, every word on one line: the ranks split it by position in the token
// stream, not by lines, so each gets half the words (rank 0 reports every rank's share), and 2
// ranks learn the planted structure as one process does on the same file.
TEST(MpiTraining, TwoRanksSplitAOneLineCorpusEvenly) {
  testing::TempDir dir("mpi-one-line");
  const testing::PlantedCorpus c = testing::make_planted_corpus();
  std::string line = c.text;
  std::replace(line.begin(), line.end(), '\n', ' ');
  line.pop_back();  // no newline at all, as in text8
  const std::string corpus = write_file(dir.path() + "/one-line.txt", line);

  ChildProcess one(train_args(corpus, dir.path() + "/one.bin", 2, 5));
  ASSERT_EQ(one.wait(300s), 0) << one.output();
  ChildProcess two(concat(testing::mpirun(2), train_args(corpus, dir.path() + "/two.bin", 1, 5)));
  ASSERT_EQ(two.wait(300s), 0) << two.output();

  const std::string out = two.output();
  const std::regex share_line("rank ([0-9]+): .*; a share of ([0-9]+) words");
  std::map<int, long long> shares;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), share_line);
       it != std::sregex_iterator(); ++it) {
    shares[std::stoi((*it)[1].str())] = std::stoll((*it)[2].str());
  }
  ASSERT_EQ(shares.size(), 2u) << out;
  EXPECT_EQ(shares[0] + shares[1], static_cast<long long>(c.tokens)) << out;
  EXPECT_LE(std::abs(shares[0] - shares[1]), 1) << out;

  testing::expect_same_band(quality_of(dir.path() + "/one.bin", c),
                            quality_of(dir.path() + "/two.bin", c), "2 ranks, one line");
}

TEST(MpiTraining, AKilledRankFailsTheJobReadably) {
  testing::TempDir dir("mpi-kill");
  testing::PlantedCorpusOptions o;
  o.topic_sentences = 60000;  // with 1000 epochs, far longer than the test
  const testing::PlantedCorpus c = testing::make_planted_corpus(o);
  const std::string corpus = write_file(dir.path() + "/planted.txt", c.text);

  const auto start = std::chrono::steady_clock::now();
  ChildProcess job(
      concat(testing::mpirun(2), train_args(corpus, dir.path() + "/out.bin", 1, 1000)));
  const auto pid = job.wait_for(std::regex("rank 1 of 2 \\(pid ([0-9]+)\\)"), 120s);
  job.wait_for(std::regex("epoch [0-9]+/1000"), 120s);  // training under way
  ASSERT_EQ(::kill(std::stoi(pid[1]), SIGKILL), 0);
  const int status = job.wait(60s);
  EXPECT_NE(status, 0);
  const std::string out = job.output();
  // Open MPI's mpirun names the rank, its host and the signal.
  EXPECT_TRUE(std::regex_search(out, std::regex("rank 1 .*(signal 9|Killed)"))) << out;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 240s);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/out.bin"));
}

}  // namespace
}  // namespace w2v
