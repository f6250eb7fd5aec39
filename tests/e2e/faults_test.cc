// Disk full, memory admission, crash loops, leftovers and permissions, against a real w2vd:
// nothing ends the process, every failure is a clear error, and the daemon recovers by itself.

#include <netinet/in.h>

#include <functional>

#include "e2e/fault_support.h"
#include "support/sanitizers.h"

namespace w2v::testing {
namespace {

using proto::JobStatus;

constexpr auto kTimeout = std::chrono::seconds(120);

client::W2vdClient client_for(const ServerProcess& s) {
  return client::W2vdClient({s.url(), "", kTimeout});
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

JobStatus final_status(client::W2vdClient& api, const std::string& job) {
  return api.watch_job(job, [](const proto::JobRecord&) { return true; }).status;
}

// Waits until the job runs (and has done some training when past_epoch > 0).
void wait_running(client::W2vdClient& api, const std::string& job, int past_epoch = 0) {
  api.watch_job(job, [&](const proto::JobRecord& j) {
    return !(j.status == JobStatus::kRunning && j.progress.epoch > past_epoch);
  });
}

TEST(DiskFull, UploadAndImportGet507AndLeaveNothingBehind) {
  TempDir scratch("flag");
  const std::string flag = scratch.path() + "/disk-full";
  ScopedEnv env("W2V_FAULT_ENOSPC_FLAG", flag);
  Daemon d;
  const std::string vectors =
      write_file(d.dir.path() + "/v.txt", "3 2\nalpha 1 0\nbeta 0 1\ngamma 1 1\n");
  write_file(flag, "");

  const auto upload = api_error_of([&] { d.api.upload_corpus(d.corpus_file(), "c", false, {}); });
  EXPECT_EQ(upload.status(), 507) << upload.what();
  EXPECT_EQ(upload.code(), "insufficient_storage");
  EXPECT_TRUE(contains(upload.what(), "disk full while writing the corpus")) << upload.what();
  const auto import = api_error_of([&] { d.api.import_model(vectors, "v", "text", {}); });
  EXPECT_EQ(import.status(), 507) << import.what();
  EXPECT_TRUE(std::filesystem::is_empty(d.server.data_dir() + "/tmp"));
  EXPECT_TRUE(std::filesystem::is_empty(d.server.data_dir() + "/corpora"));
  EXPECT_TRUE(std::filesystem::is_empty(d.server.data_dir() + "/models"));
  EXPECT_TRUE(d.api.corpora().empty());

  std::filesystem::remove(flag);  // space is back: no restart needed
  d.api.upload_corpus(d.corpus_file(), "c", false, {});
  d.api.import_model(vectors, "v", "text", {});
  EXPECT_EQ(d.api.corpora().size(), 1u);
  EXPECT_EQ(d.api.models().size(), 1u);
}

TEST(DiskFull, JobWritesFailTheJobWithAReadableErrorAndTheDaemonGoesOn) {
  TempDir scratch("flag");
  const std::string flag = scratch.path() + "/disk-full";
  ScopedEnv env("W2V_FAULT_ENOSPC_FLAG", flag);
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});

  // Full before the job starts: its encoded corpus cannot be written.
  write_file(flag, "");
  const auto early = submit_job(d.api, corpus.id, planted_job_params(2), "");
  auto done = d.api.watch_job(early.id, [](const proto::JobRecord&) { return true; });
  EXPECT_EQ(done.status, JobStatus::kFailed);
  EXPECT_TRUE(
      contains(done.error.value_or(""), "disk full while writing the encoded corpus (needs ~"))
      << done.error.value_or("");
  std::filesystem::remove(flag);

  // Full after the first checkpoint: the next one cannot be written.
  const auto job = submit_job(d.api, corpus.id, planted_job_params(40), "");
  wait_running(d.api, job.id, 1);
  write_file(flag, "");
  done = d.api.watch_job(job.id, [](const proto::JobRecord&) { return true; });
  EXPECT_EQ(done.status, JobStatus::kFailed);
  const std::string error = done.error.value_or("");
  EXPECT_TRUE(contains(error, "disk full while writing the checkpoint (needs ~")) << error;
  EXPECT_TRUE(contains(error, " MB in " + d.server.data_dir() + ")")) << error;
  EXPECT_FALSE(std::filesystem::exists(d.server.data_dir() + "/jobs/" + job.id));

  std::filesystem::remove(flag);
  const auto after = submit_job(d.api, corpus.id, planted_job_params(2), "");
  EXPECT_EQ(final_status(d.api, after.id), JobStatus::kSucceeded) << d.server.log();
  EXPECT_EQ(d.api.models().size(), 1u);
  EXPECT_EQ(run_check(d.server.data_dir()).exit_code, 0);
}

TEST(DiskFull, AnHnswIndexThatCannotBeSavedStillServesAndLeavesNothingBehind) {
  TempDir scratch("flag");
  const std::string flag = scratch.path() + "/disk-full";
  ScopedEnv env("W2V_FAULT_ENOSPC_FLAG", flag);
  Daemon d({"--index-threads", "1"});  // one thread: the same graph after the restart
  const auto m =
      d.api.import_model(write_random_model(d.dir.path() + "/v.bin", 3000, 16), "m", "binary", {});
  const std::string model_dir = d.server.data_dir() + "/models/" + m.id;
  write_file(flag, "");
  d.api.similar(m.id, {"w1"}, {}, 5, false);  // asks for the index: built in the background
  EXPECT_EQ(wait_for_index(d.api, m.id).state, proto::IndexState::kReady);
  std::string search;
  const auto approximate = d.api.similar(m.id, {"w1"}, {}, 5, false, &search);
  EXPECT_EQ(search, "approximate");
  EXPECT_EQ(approximate.size(), 5u);
  EXPECT_FALSE(std::filesystem::exists(model_dir + "/hnsw.bin"));
  for (const auto& entry : std::filesystem::directory_iterator(model_dir)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  }
  EXPECT_TRUE(d.server.log_has("the HNSW index is not saved")) << d.server.log();
  // The index in memory keeps serving; with space back, the next load saves it.
  EXPECT_EQ(d.api.similar(m.id, {"w2"}, {}, 5, false).size(), 5u);
  std::filesystem::remove(flag);
  ASSERT_EQ(d.server.stop(SIGTERM), 0);
  d.server.restart();
  auto api = client_for(d.server);
  api.similar(m.id, {"w1"}, {}, 5, false);
  EXPECT_EQ(wait_for_index(api, m.id).state, proto::IndexState::kReady);
  EXPECT_EQ(api.similar(m.id, {"w1"}, {}, 5, false), approximate);
  EXPECT_TRUE(std::filesystem::exists(model_dir + "/hnsw.bin"));
  ASSERT_EQ(d.server.stop(SIGTERM), 0);
  EXPECT_EQ(run_check(d.server.data_dir()).exit_code, 0);
}

TEST(DiskFull, RealSmallFilesystem) {
  TempDir root("tmpfs");
  SmallFilesystem small(root.path() + "/mnt", 12u << 20);
  if (!small.mounted()) GTEST_SKIP() << "SKIPPED: " << small.why();
  ServerProcess server(W2VD_BINARY, small.path() + "/data");
  auto api = client_for(server);

  // An upload larger than the file system: 507, and its temporary file is gone.
  std::string big;
  for (int i = 0; big.size() < (20u << 20); ++i) big += "word" + std::to_string(i % 5000) + ' ';
  const std::string big_file = write_file(root.path() + "/big.txt", big);
  auto e = api_error_of([&] { api.upload_corpus(big_file, "big", false, {}); });
  EXPECT_EQ(e.status(), 507) << e.what();
  EXPECT_TRUE(std::filesystem::is_empty(small.path() + "/data/tmp"));

  const std::string planted_file = write_file(root.path() + "/planted.txt", planted().text);
  const auto corpus = api.upload_corpus(planted_file, "c", false, {});

  // The disk fills up: uploads get 507 (or 503 when the store is what cannot write), a job
  // fails cleanly or is refused with 503, reads go on.
  const std::string filler = fill_disk(small.path());
  e = api_error_of([&] { api.upload_corpus(planted_file, "c2", false, {}); });
  EXPECT_TRUE(e.status() == 507 || e.status() == 503) << e.status() << " " << e.what();
  std::string job_id;
  e = api_error_of([&] { job_id = submit_job(api, corpus.id, planted_job_params(2), "").id; });
  if (e.status() == 0) {
    const auto j = api.watch_job(job_id, [](const proto::JobRecord&) { return true; });
    EXPECT_EQ(j.status, JobStatus::kFailed);
    EXPECT_TRUE(contains(j.error.value_or(""), "disk full while writing")) << j.error.value_or("");
  } else {
    EXPECT_EQ(e.status(), 503) << e.what();
  }
  EXPECT_EQ(api.corpora().size(), 1u);

  // Space is back: everything works again, in the same process.
  std::filesystem::remove(filler);
  api.upload_corpus(planted_file, "c3", false, {});
  const auto job = submit_job(api, corpus.id, planted_job_params(2), "");
  EXPECT_EQ(final_status(api, job.id), JobStatus::kSucceeded) << server.log();
  EXPECT_EQ(api.corpora().size(), 2u);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
  EXPECT_EQ(run_check(small.path() + "/data").exit_code, 0);
}

TEST(MemoryAdmission, JobsAndImportsOverTheLimitAreRefusedWithTheEstimate) {
  Daemon d({"--max-job-memory", "16MiB"});
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  auto params = planted_job_params(1);
  params["dim"] = 4096;
  const auto e = api_error_of([&] { submit_job(d.api, corpus.id, params, ""); });
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.code(), "job_too_large");
  for (const char* part : {"needs about", "MiB", "--max-job-memory", "min_count", "max_vocab",
                           "params.dim", "x dim 4096"}) {
    EXPECT_TRUE(contains(e.what(), part)) << part << " in " << e.what();
  }
  // The same job with a small dimension fits.
  const auto ok = submit_job(d.api, corpus.id, planted_job_params(1), "");
  EXPECT_EQ(final_status(d.api, ok.id), JobStatus::kSucceeded);

  const std::string huge = write_file(d.dir.path() + "/huge.txt", "1000000 300\nalpha 1\n");
  const auto i = api_error_of([&] { d.api.import_model(huge, "h", "text", {}); });
  EXPECT_EQ(i.status(), 400);
  EXPECT_EQ(i.code(), "model_too_large") << i.what();
  EXPECT_TRUE(contains(i.what(), "1000000 words x dim 300")) << i.what();
}

// The value of an unlabelled gauge in /metrics (-1 when it is not there).
double gauge(client::W2vdClient& api, const std::string& name) {
  const std::string text = api.http().request("GET", "/metrics").body;
  const auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

TEST(MemoryAdmission, ModelLoadsOverTheLimitAreRefusedWithTheEstimateNotAttempted) {
  TempDir dir("load-limit");
  const std::string data = dir.path() + "/data";
  std::string big_id, small_id;
  {
    // Imported under the default limit; then the server restarts with a lower one.
    ServerProcess server(W2VD_BINARY, data);
    auto api = client_for(server);
    big_id = api.import_model(write_random_model(dir.path() + "/big.bin", 20000, 100), "big",
                              "binary", {})
                 .id;
    small_id = api.import_model(write_random_model(dir.path() + "/small.bin", 50, 8), "small",
                                "binary", {})
                   .id;
    ASSERT_EQ(server.stop(SIGTERM), 0);
  }
  ServerProcess server(W2VD_BINARY, data, {"--max-job-memory", "4MiB"});
  auto api = client_for(server);
  const std::string out = dir.path() + "/export.txt";
  const std::string pairs = write_file(dir.path() + "/pairs.txt", "w1 w2 0.5\nw3 w4 0.1\n");
  const std::vector<std::pair<std::string, std::function<void()>>> loads = {
      {"similar", [&] { api.similar(big_id, {"w1"}, {}, 3); }},
      {"similar approximate", [&] { api.similar(big_id, {"w1"}, {}, 3, false); }},
      {"vector", [&] { api.vector(big_id, "w1"); }},
      {"evaluate", [&] { api.evaluate(big_id, pairs, "pairs"); }},
      {"export text", [&] { api.export_model(big_id, "text", out); }},
  };
  for (const auto& [what, load] : loads) {
    const auto e = api_error_of(load);
    EXPECT_EQ(e.status(), 409) << what << ": " << e.what();
    EXPECT_EQ(e.code(), "model_too_large") << what << ": " << e.what();
    for (const char* part : {"needs about", "MiB of memory", "20000 words x dim 100",
                             "over this server's limit of 4.0 MiB (--max-job-memory)"}) {
      EXPECT_TRUE(contains(e.what(), part)) << what << ": " << part << " in " << e.what();
    }
  }
  // Refused before anything was loaded or reserved.
  EXPECT_EQ(gauge(api, "w2vd_model_cache_bytes"), 0);
  EXPECT_EQ(gauge(api, "w2vd_model_cache_models"), 0);
  EXPECT_FALSE(api.model(big_id).broken);  // too large here is not broken
  // The file is sent as it is (nothing loaded), and a model that fits is served.
  api.export_model(big_id, "binary", out);
  EXPECT_EQ(std::filesystem::file_size(out),
            std::filesystem::file_size(data + "/models/" + big_id + "/vectors.bin"));
  EXPECT_EQ(api.similar(small_id, {"w1"}, {}, 3).size(), 3u);
  EXPECT_EQ(api.similar(small_id, {"w1"}, {}, 3, false).size(), 3u);
  EXPECT_EQ(gauge(api, "w2vd_model_cache_models"), 1);
  EXPECT_GT(gauge(api, "w2vd_model_cache_bytes"), 0);
  EXPECT_EQ(server.log().find("model " + big_id + " loaded"), std::string::npos);
}

// Peak resident memory of a process, from /proc (VmHWM, in bytes).
std::uint64_t peak_rss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// Streams `total` bytes (head, then filler lines) as one POST; returns the response.
std::string post_streamed(std::uint16_t port, const std::string& target, const std::string& head,
                          std::uint64_t total) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  const std::string request =
      "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " +
      "application/octet-stream\r\nContent-Length: " + std::to_string(total) + "\r\n\r\n" + head;
  std::string line(1 << 20, ' ');
  for (std::size_t k = 4095; k < line.size(); k += 4096) line[k] = '\n';
  auto send_all = [&](const char* p, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  };
  bool ok = send_all(request.data(), request.size());
  for (std::uint64_t left = total - head.size(); ok && left > 0;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, line.size()));
    ok = send_all(line.data(), n);
    left -= n;
  }
  timeval tv{300, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
    out.append(buf, static_cast<std::size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos && out.find('}') != std::string::npos) break;
  }
  ::close(fd);
  return out;
}

TEST(MemoryAdmission, ALyingImportHeaderCostsTensOfMegabytesNotGigabytes) {
  if (w2v::testing::kMemorySanitized) GTEST_SKIP() << w2v::testing::kMemoryMeasureUnderSanitizer;
  // Only the body may refuse it: the limit is out of the way.
  Daemon d({"--max-job-memory", "1TiB", "--max-upload-bytes", "1073741824"});
  // 100 million one-dimensional vectors promised; 400 MB follow (enough for the size check),
  // but only two rows are rows.
  const std::string head = "100000000 1\nalpha 0.5\nbeta 0.25\n";
  const std::uint64_t total = 400'000'100;
  const std::string response =
      post_streamed(d.server.port(), "/v1/models?format=text&name=liar", head, total);
  EXPECT_EQ(raw_status(response), 400) << response.substr(0, 400);
  EXPECT_TRUE(contains(response, "invalid_vectors")) << response.substr(0, 400);
  const std::uint64_t peak = peak_rss(d.server.pid());
  std::printf("w2vd peak resident memory (VmHWM) after a 400 MB lying import: %.1f MiB\n",
              static_cast<double>(peak) / (1 << 20));
  EXPECT_GT(peak, 0u);
  EXPECT_LT(peak, 100u << 20);
  EXPECT_TRUE(d.api.models().empty());
}

TEST(CrashLoop, AJobTheProcessDiedUnderThreeTimesIsFailedNotStartedAgain) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  const auto job = submit_job(d.api, corpus.id, planted_job_params(1000), "");
  for (int crash = 1; crash <= 3; ++crash) {
    auto api = client_for(d.server);
    wait_running(api, job.id);
    EXPECT_EQ(d.server.stop(SIGKILL), 128 + SIGKILL);
    d.server.restart();
  }
  auto api = client_for(d.server);
  const auto j = api.job(job.id);
  EXPECT_EQ(j.status, JobStatus::kFailed) << d.server.log();
  EXPECT_EQ(j.attempts, 3);
  EXPECT_TRUE(contains(j.error.value_or(""), "died while this job was running, 3 times"))
      << j.error.value_or("");
  EXPECT_FALSE(std::filesystem::exists(d.server.data_dir() + "/jobs/" + job.id));
  EXPECT_EQ(api.health().value("status", ""), "ok");
}

TEST(Sweep, CheckReportsEveryInconsistencyAndStartUpRemovesLeftovers) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  const auto model = d.api.import_model(
      write_file(d.dir.path() + "/v.txt", "3 2\nalpha 1 0\nbeta 0 1\ngamma 1 1\n"), "v", "text",
      {});
  ASSERT_EQ(d.server.stop(SIGTERM), 0);
  const std::string data = d.server.data_dir();
  auto r = run_check(data);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "is consistent (1 corpora, 1 models, 0 jobs)")) << r.output;

  // What crashes leave behind.
  const std::vector<std::string> leftovers = {
      data + "/corpora/c_orphan", data + "/models/m_orphan", data + "/jobs/j_orphan",
      data + "/tmp/t_cut", data + "/models/" + model.id + "/vectors.txt.tmp.1.2"};
  for (const auto& p : leftovers) {
    if (p.find(".tmp.") != std::string::npos) {
      write_file(p, "partial");
    } else {
      std::filesystem::create_directories(p);
      write_file(p + "/text", "x");
    }
  }
  r = run_check(data);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  for (const auto& p : leftovers) EXPECT_TRUE(contains(r.output, p)) << p << " in " << r.output;
  EXPECT_TRUE(contains(r.output, "5 inconsistencies")) << r.output;

  d.server.restart();  // the sweep removes them, logging each
  auto api = client_for(d.server);
  EXPECT_EQ(api.corpora().size(), 1u);
  EXPECT_EQ(api.models().size(), 1u);
  ASSERT_EQ(d.server.stop(SIGTERM), 0);
  EXPECT_TRUE(contains(d.server.log(), "start-up sweep: removing")) << d.server.log();
  for (const auto& p : leftovers) EXPECT_FALSE(std::filesystem::exists(p)) << p;
  r = run_check(data);
  EXPECT_EQ(r.exit_code, 0) << r.output;

  // A row whose files are gone.
  std::filesystem::remove(data + "/corpora/" + corpus.id + "/counts");
  r = run_check(data);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "corpus " + corpus.id + ": ")) << r.output;
  EXPECT_TRUE(contains(r.output, "is missing")) << r.output;

  EXPECT_EQ(run_check(d.dir.path() + "/nowhere").exit_code, 2);
}

TEST(Permissions, TheDataDirectoryIsPrivateToTheDaemonUser) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "c", false, {});
  const std::string data = d.server.data_dir();
  for (const std::string& dir : {data, data + "/corpora", data + "/models", data + "/jobs",
                                 data + "/tmp", data + "/corpora/" + corpus.id}) {
    EXPECT_EQ(file_mode(dir), 0700) << dir;
  }
  for (const std::string& file : {data + "/w2vd.sqlite", data + "/corpora/" + corpus.id + "/text",
                                  data + "/corpora/" + corpus.id + "/counts"}) {
    EXPECT_EQ(file_mode(file), 0600) << file;
  }
}

}  // namespace
}  // namespace w2v::testing
