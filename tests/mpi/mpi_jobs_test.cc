// Distributed jobs through the daemon: a real w2vd on a loopback port whose --mpi-launcher is
// Open MPI's mpirun starting local ranks (TCP over loopback, one thread per rank). A 2-rank job
// on the planted corpus reports progress, succeeds and publishes a model that learned the
// planted structure and evaluates, also when the corpus is one line; a killed rank fails the job
// with a readable error while the daemon goes on; cancel ends every rank within seconds; a daemon
// killed mid-job resumes it from its checkpoint; a daemon stopped gracefully ends the ranks first;
// "ranks" is refused without a launcher and over --max-ranks.

#include <dirent.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "e2e/support.h"

namespace w2v::testing {
namespace {

using namespace std::chrono_literals;
using proto::JobStatus;

// mpirun as CI needs it (as root, more ranks than cores, loopback only); w2vd adds -np N.
const std::string kLauncher =
    "mpirun --oversubscribe --allow-run-as-root --mca btl self,tcp --mca btl_tcp_if_include lo "
    "--mca oob_tcp_if_include lo";

std::vector<std::string> launcher_args(int max_ranks = 2) {
  return {"--mpi-launcher", kLauncher, "--max-ranks", std::to_string(max_ranks)};
}

nlohmann::json rank_params(int epochs) {
  nlohmann::json p = planted_job_params(epochs);
  p["threads"] = 1;  // per rank
  return p;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The processes of job's ranks: pid by rank, from /proc (command line and Open MPI's
// environment).
std::map<int, pid_t> rank_processes(const std::string& job) {
  std::map<int, pid_t> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (const dirent* e = ::readdir(proc)) {
    const std::string name = e->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = read_text("/proc/" + name + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(" mpi-job ") == std::string::npos || cmdline.find(job) == std::string::npos ||
        cmdline.starts_with("mpirun"))
      continue;
    std::string env = read_text("/proc/" + name + "/environ");
    std::replace(env.begin(), env.end(), '\0', '\n');
    std::smatch m;
    if (std::regex_search(env, m, std::regex("OMPI_COMM_WORLD_RANK=([0-9]+)")))
      out[std::stoi(m[1].str())] = std::stoi(name);
  }
  ::closedir(proc);
  return out;
}

bool alive(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return false;
  const auto close = stat.rfind(')');
  return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] != 'Z';
}

// Polls until done() holds (returns true) or limit passes (false).
template <class F>
bool eventually(F&& done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);  // polling the API or /proc
  }
  return done();
}

// Whether the job's directory goes (the job manager removes it right after the job ends, which
// a client may see just before).
bool work_files_go(const Daemon& d, const std::string& job) {
  return eventually([&] { return !std::filesystem::exists(d.server.data_dir() + "/jobs/" + job); },
                    10s);
}

// The job once its ranks are training (a checkpoint written when at_epoch > 0), with them.
std::map<int, pid_t> wait_training(client::W2vdClient& api, const std::string& job, int ranks,
                                   int at_epoch = 0) {
  std::map<int, pid_t> pids;
  const bool ok = eventually(
      [&] {
        const auto j = api.job(job);
        if (proto::is_terminal(j.status)) return true;
        if (j.progress.words_done == 0 || j.progress.epoch <= at_epoch) return false;
        pids = rank_processes(job);
        return static_cast<int>(pids.size()) == ranks;
      },
      120s);
  EXPECT_TRUE(ok) << "the job did not start training";
  EXPECT_EQ(api.job(job).status, JobStatus::kRunning);
  return pids;
}

// The processes whose parent is pid (zombies included).
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (const dirent* e = ::readdir(proc)) {
    const std::string name = e->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_text("/proc/" + name + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string state;
    pid_t parent = 0;
    rest >> state >> parent;
    if (parent == pid) out.push_back(std::stoi(name));
  }
  ::closedir(proc);
  return out;
}

std::size_t open_descriptors(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    ++n;
  return n;
}

bool all_gone(const std::map<int, pid_t>& ranks) {
  for (const auto& [rank, pid] : ranks)
    if (alive(pid)) return false;
  return true;
}

// A daemon with mpirun as its launcher, and a 2-rank job on the planted corpus whose ranks are
// training (after epochs_before epochs), and the daemon's open descriptors before the job.
struct RunningJob {
  explicit RunningJob(int epochs, int epochs_before = 0)
      : d(launcher_args()),
        corpus(d.api.upload_corpus(d.corpus_file(), "planted")),
        descriptors_before(open_descriptors(d.server.pid())),
        job(submit_job(d.api, corpus.id, rank_params(epochs), "", "", "", 2)),
        ranks(wait_training(d.api, job.id, 2, epochs_before)) {}
  Daemon d;
  proto::CorpusRecord corpus;
  std::size_t descriptors_before;
  proto::JobRecord job;
  std::map<int, pid_t> ranks;
};

// Share of a topic word's 5 nearest neighbours from its own topic.
double topic_precision(client::W2vdClient& api, const std::string& model) {
  std::size_t hits = 0, total = 0;
  for (const auto& group : planted().topic_groups) {
    const std::set<std::string> members(group.begin(), group.end());
    for (std::size_t i = 0; i < group.size(); i += 5) {
      for (const auto& [word, score] : api.similar(model, {group[i]}, {}, 5)) {
        hits += members.count(word);
        ++total;
      }
    }
  }
  return total ? static_cast<double>(hits) / static_cast<double>(total) : 0;
}

TEST(MpiJobs, TwoRanksTrainThroughTheApi) {
  Daemon d(launcher_args());
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "planted");
  // Long enough (a few seconds) for the event stream, which polls every 0.5 s, to see it run.
  constexpr int kEpochs = 15;
  const auto job = submit_job(d.api, corpus.id, rank_params(kEpochs), "", "", "", 2);
  EXPECT_EQ(job.ranks, 2);
  int running_updates = 0;
  const auto done = d.api.watch_job(job.id, [&](const proto::JobRecord& j) {
    if (j.status == JobStatus::kRunning && j.progress.words_done > 0) {
      ++running_updates;
      EXPECT_GT(j.progress.words_total, 0u);
      EXPECT_LE(j.progress.epoch, kEpochs);
    }
    return true;
  });
  ASSERT_EQ(done.status, JobStatus::kSucceeded) << done.error.value_or("") << d.server.log();
  std::printf("progress events while the ranks trained: %d\n", running_updates);
  EXPECT_GE(running_updates, 1) << "no progress event from the ranks";
  EXPECT_EQ(done.ranks, 2);
  EXPECT_EQ(done.progress.epoch, kEpochs);
  EXPECT_EQ(done.progress.words_done, done.progress.words_total);
  EXPECT_TRUE(work_files_go(d, job.id));
  EXPECT_TRUE(rank_processes(job.id).empty());

  const auto model = d.api.model(done.model_id.value_or("none"));
  EXPECT_EQ(model.job_id, job.id);
  EXPECT_EQ(model.weights, proto::ModelWeights::kFull);
  EXPECT_GE(topic_precision(d.api, model.id), 0.9);
  std::string questions = ": planted\n";
  for (const auto& q : planted().analogies)
    questions += q.a + " " + q.b + " " + q.c + " " + q.d + "\n";
  const auto scores =
      d.api.evaluate(model.id, write_file(d.dir.path() + "/q.txt", questions), "analogies");
  EXPECT_GE(scores.at("accuracy").get<double>(), 0.8) << scores.dump();
  const auto history = d.api.http().request("GET", "/v1/jobs/" + job.id + "/history");
  EXPECT_EQ(history.status, 200);
  EXPECT_GE(nlohmann::json::parse(history.body).at("samples").size(), 2u) << history.body;
}

// A corpus of one line, as text8: the ranks split it by position in the token stream, not by
// lines, so both ranks train (rank 1 used to get no word and fail the job) and the model learns.
TEST(MpiJobs, TwoRanksTrainACorpusOfOneLine) {
  Daemon d(launcher_args());
  std::string line = planted().text;
  std::replace(line.begin(), line.end(), '\n', ' ');
  const auto corpus =
      d.api.upload_corpus(write_file(d.dir.path() + "/one-line.txt", line), "one-line");
  const auto job = submit_job(d.api, corpus.id, rank_params(5), "", "", "", 2);
  const auto done = d.api.watch_job(job.id);
  ASSERT_EQ(done.status, JobStatus::kSucceeded) << done.error.value_or("") << d.server.log();
  EXPECT_EQ(done.ranks, 2);
  EXPECT_EQ(done.progress.words_total, 5 * planted().tokens);
  EXPECT_EQ(done.progress.words_done, done.progress.words_total);
  EXPECT_GE(topic_precision(d.api, done.model_id.value_or("none")), 0.9);
}

TEST(MpiJobs, AKilledRankFailsTheJobReadablyAndTheDaemonGoesOn) {
  RunningJob r(1000);
  ASSERT_EQ(r.ranks.count(1), 1u);
  ASSERT_EQ(::kill(r.ranks.at(1), SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return proto::is_terminal(r.d.api.job(r.job.id).status); }, 60s));
  const auto failed = r.d.api.job(r.job.id);
  EXPECT_EQ(failed.status, JobStatus::kFailed);
  EXPECT_TRUE(std::regex_match(failed.error.value_or(""),
                               std::regex("rank 1 on \\S+ exited with signal 9 \\(Killed\\)")))
      << failed.error.value_or("") << "\n"
      << r.d.server.log();
  EXPECT_TRUE(eventually([&] { return !alive(r.ranks.at(0)); }, 10s)) << "rank 0 still runs";
  EXPECT_TRUE(work_files_go(r.d, r.job.id));
  // The daemon serves on, and runs the next job.
  const auto next = r.d.api.watch_job(submit_job(r.d.api, r.corpus.id, rank_params(1)).id);
  EXPECT_EQ(next.status, JobStatus::kSucceeded) << next.error.value_or("");
}

TEST(MpiJobs, CancelEndsEveryRankWithinSeconds) {
  RunningJob r(1000);
  const auto t0 = std::chrono::steady_clock::now();
  r.d.api.cancel_job(r.job.id);
  EXPECT_TRUE(eventually(
      [&] { return all_gone(r.ranks) && r.d.api.job(r.job.id).status == JobStatus::kCancelled; },
      15s))
      << r.d.server.log();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("cancel to every rank gone and the job cancelled: %.2f s\n", seconds);
  EXPECT_LT(seconds, 10.0);
  EXPECT_FALSE(r.d.api.job(r.job.id).model_id);
  EXPECT_TRUE(work_files_go(r.d, r.job.id));
  // The launcher is reaped and its pipes closed: the daemon has no child and no more
  // descriptors than before the job.
  EXPECT_TRUE(children_of(r.d.server.pid()).empty());
  EXPECT_LE(open_descriptors(r.d.server.pid()), r.descriptors_before);
}

TEST(MpiJobs, AJobInterruptedByADaemonCrashResumesFromItsCheckpoint) {
  constexpr int kEpochs = 30;
  RunningJob r(kEpochs, 2);  // a checkpoint or two written
  r.d.server.stop(SIGKILL);
  // The ranks die with the daemon's launcher (it gets SIGTERM when the daemon dies).
  EXPECT_TRUE(eventually([&] { return all_gone(r.ranks); }, 15s));
  r.d.server.restart();  // on another port
  client::W2vdClient api({r.d.server.url(), "", std::chrono::seconds(60)});
  const auto done = finish_resumed_job(api, r.d.server, r.job.id, 2);
  EXPECT_LT(done.resumed_from_epoch.value_or(kEpochs), kEpochs) << "the first attempt had ended";
  EXPECT_GE(topic_precision(api, done.model_id.value_or("none")), 0.9);
}

TEST(MpiJobs, AGracefulStopEndsTheRanksAndQueuesTheJobAgain) {
  RunningJob r(1000);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(r.d.server.stop(SIGTERM), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  for (const auto& [rank, pid] : r.ranks) EXPECT_FALSE(alive(pid)) << "rank " << rank;
  r.d.server.restart();
  client::W2vdClient api({r.d.server.url(), "", std::chrono::seconds(60)});
  // Queued again (and running again soon): it resumes; cancel it.
  EXPECT_FALSE(proto::is_terminal(api.job(r.job.id).status));
  api.cancel_job(r.job.id);
  EXPECT_EQ(api.watch_job(r.job.id).status, JobStatus::kCancelled);
}

TEST(MpiJobs, RanksAreRefusedWithoutALauncherAndOverTheMaximum) {
  {
    Daemon d;  // no --mpi-launcher
    const auto corpus = d.api.upload_corpus(d.corpus_file(), "planted");
    const auto e =
        api_error_of([&] { submit_job(d.api, corpus.id, rank_params(1), "", "", "", 2); });
    EXPECT_EQ(e.status(), 400);
    EXPECT_TRUE(std::string(e.what()).starts_with("ranks: this server has no --mpi-launcher"))
        << e.what();
    EXPECT_TRUE(d.api.jobs().empty());
    // One rank is a local job, launcher or not.
    EXPECT_EQ(
        d.api.watch_job(submit_job(d.api, corpus.id, rank_params(1), "", "", "", 1).id).status,
        JobStatus::kSucceeded);
  }
  Daemon d(launcher_args(2));
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "planted");
  const auto over =
      api_error_of([&] { submit_job(d.api, corpus.id, rank_params(1), "", "", "", 3); });
  EXPECT_EQ(over.status(), 400);
  EXPECT_STREQ(over.what(), "ranks must be at most 2 on this server (--max-ranks), got 3");
  auto http = d.api.http().request("POST", "/v1/jobs",
                                   R"({"corpus_id": ")" + corpus.id + R"(", "ranks": "two"})",
                                   "application/json");
  EXPECT_EQ(http.status, 400);
  EXPECT_NE(http.body.find("ranks must be an integer, got \\\"two\\\""), std::string::npos)
      << http.body;
}

}  // namespace
}  // namespace w2v::testing
