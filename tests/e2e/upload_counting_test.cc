// Counting an upload's words in bounded memory, against a real w2vd: a corpus of millions of
// distinct words is counted exactly within --max-count-memory (the counts spill to disk and
// merge), /metrics shows the spills, and a full disk while spilling is a 507 that leaves nothing.

#include <cstdio>
#include <fstream>
#include <string>

#include "core/text/word_counts.h"
#include "e2e/fault_support.h"
#include "support/sanitizers.h"

namespace w2v::testing {
namespace {

// Every token distinct but one, "common", every 100th token; lines of 1,000 tokens.
struct DistinctCorpus {
  std::string path;
  std::uint64_t distinct_tokens = 0;
  std::uint64_t common = 0;
};
DistinctCorpus write_distinct_corpus(const std::string& path, std::uint64_t tokens) {
  DistinctCorpus c{path, 0, 0};
  std::FILE* f = std::fopen(path.c_str(), "w");
  for (std::uint64_t i = 0; i < tokens; ++i) {
    if (i % 100 == 0) {
      std::fputs("common", f);
      ++c.common;
    } else {
      std::fprintf(f, "x%07llx", static_cast<unsigned long long>(i));
      ++c.distinct_tokens;
    }
    std::fputc(i % 1000 == 999 ? '\n' : ' ', f);
  }
  std::fclose(f);
  return c;
}

std::uint64_t peak_rss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

double metric(client::W2vdClient& api, const std::string& name) {
  const std::string text = api.http().request("GET", "/metrics").body;
  const auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

TEST(UploadCounting, MillionsOfDistinctWordsAreCountedExactlyWithinTheBudget) {
  // 3 million tokens, about 2.97 million of them distinct (27 MB): counted in memory, their
  // table alone takes about 270 MB; here the counting may take 8 MiB (and 1 MiB of its own).
  constexpr std::uint64_t kBudget = 8 << 20;
  // A job's memory limit that the corpus's rare words alone would pass (about 3 million words
  // at some 40 bytes each), had the job to hold them: it reads only those of its min_count.
  Daemon d({"--max-count-memory", std::to_string(kBudget), "--max-job-memory", "64MiB"});
  const DistinctCorpus corpus = write_distinct_corpus(d.dir.path() + "/ids.txt", 3'000'000);
  const std::uint64_t before = peak_rss(d.server.pid());

  const proto::CorpusRecord record = d.api.upload_corpus(corpus.path, "ids", false, {});
  EXPECT_EQ(record.tokens, corpus.distinct_tokens + corpus.common);
  EXPECT_EQ(record.distinct_words, corpus.distinct_tokens + 1);
  EXPECT_EQ(record.sentences, 3000u);
  EXPECT_GT(metric(d.api, "w2vd_upload_count_spills_total"), 0);
  EXPECT_EQ(metric(d.api, "w2vd_upload_count_memory_bytes"), 0) << "given back";

  // Every count exact, in the file the jobs read.
  std::ifstream in(d.server.data_dir() + "/corpora/" + record.id + "/counts", std::ios::binary);
  std::uint64_t words = 0, wrong = 0;
  const CountsHeader header = for_each_count(in, [&](std::string_view w, std::uint64_t count) {
    ++words;
    wrong += count != (w == "common" ? corpus.common : 1);
  });
  EXPECT_EQ(words, record.distinct_words);
  EXPECT_EQ(header.distinct, record.distinct_words);
  EXPECT_EQ(wrong, 0u);
  EXPECT_TRUE(std::filesystem::is_empty(d.server.data_dir() + "/tmp")) << "no run left";

  if (!kMemorySanitized) {
    const std::uint64_t peak = peak_rss(d.server.pid());
    std::printf("w2vd peak resident memory: %.1f MiB before the upload, %.1f MiB after\n",
                static_cast<double>(before) / (1 << 20), static_cast<double>(peak) / (1 << 20));
    EXPECT_LT(peak, before + kBudget + (40u << 20));
  }

  // A job on it: only "common" reaches min_count 2; admitted within 64 MiB, and trained.
  const auto job = submit_job(d.api, record.id, {{"min_count", 2}, {"epochs", 1}, {"dim", 8}});
  const auto done = d.api.watch_job(job.id);
  EXPECT_EQ(done.status, proto::JobStatus::kSucceeded) << done.error.value_or("");
}

// A full disk while the counts spill, or while the text is written beside them (the file layer
// fails whichever write passes the room first; the counter's own test fails a spill for sure):
// the upload gets 507, nothing is left in tmp/ or corpora/, and the memory is given back.
TEST(UploadCounting, AFullDiskWhileCountingGets507AndLeavesNothing) {
  TempDir scratch("count-flag");
  const DistinctCorpus corpus = write_distinct_corpus(scratch.path() + "/ids.txt", 600'000);
  const auto size = std::filesystem::file_size(corpus.path);
  // Room for the text and a little of the runs: the first spills of a 0-byte shared budget
  // (1 MiB tables) come long before the text's end.
  ScopedEnv env("W2V_FAULT_ENOSPC_AFTER_BYTES", std::to_string(size / 2));
  Daemon d({"--max-count-memory", "0"});
  const auto error = api_error_of([&] { d.api.upload_corpus(corpus.path, "ids", false, {}); });
  EXPECT_EQ(error.status(), 507) << error.what();
  EXPECT_EQ(error.code(), "insufficient_storage");
  EXPECT_TRUE(std::filesystem::is_empty(d.server.data_dir() + "/tmp"));
  EXPECT_TRUE(std::filesystem::is_empty(d.server.data_dir() + "/corpora"));
  EXPECT_TRUE(d.api.corpora().empty());
  EXPECT_EQ(metric(d.api, "w2vd_upload_count_memory_bytes"), 0);
}

}  // namespace
}  // namespace w2v::testing
