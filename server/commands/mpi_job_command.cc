#include "server/commands/mpi_job_command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "core/distributed/distributed_trainer.h"
#include "core/distributed/job_distribution.h"
#include "core/distributed/mpi/mpi_communicator.h"
#include "proto/json_text.h"
#include "proto/records.h"
#include "server/jobs/training_job.h"
#include "server/mpi/rank_report.h"
#include "server/store/data_dir.h"

namespace w2v::server {
namespace {

using Clock = std::chrono::steady_clock;
using distributed::Communicator;

// How long rank 0 waits for a rank 0 of an earlier attempt of the job (still ending after the
// daemon that started it died) to let go of the job's directory.
constexpr auto kLockWait = std::chrono::seconds(30);
constexpr auto kProgressEvery = std::chrono::milliseconds(250);
constexpr std::uint64_t kMaxSettingsBytes = 1 << 20;

// This process gets SIGKILL when its parent (the launcher's daemon) dies.
void die_with_parent() {
  const pid_t parent = ::getppid();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) std::_Exit(1);
}

// Rank 0's reports, one write() per line.
void report(const RankReport& r) {
  const std::string line = format_rank_report(r);
  for (std::size_t done = 0; done < line.size();) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the launcher is gone: the ranks end with it
    done += static_cast<std::size_t>(n);
  }
}

void report_error(const std::string& message) {
  RankReport r;
  r.kind = RankReport::Kind::kError;
  r.message = message;
  report(r);
}

// An exclusive lock on path, held until this process exits.
void lock_for_life(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  const auto deadline = Clock::now() + kLockWait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      throw std::runtime_error("cannot lock " + path + ": " + std::strerror(errno));
    if (Clock::now() > deadline)
      throw std::runtime_error("an earlier attempt of this job still runs (it holds " + path + ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

proto::JobRecord read_job_record(const DataDir& dirs, const std::string& id) {
  std::ifstream in(dirs.job_record(id), std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + dirs.job_record(id));
  std::stringstream text;
  text << in.rdbuf();
  return proto::job_from_json(nlohmann::json::parse(text.str()));
}

// What every rank needs besides the vocabulary and its share: the job's parameters and the
// epoch training starts after.
struct Settings {
  TrainParams params;
  int start_epoch = 0;
};

Settings broadcast_settings(Communicator& comm, const Settings* mine) {
  std::string text;
  if (mine) {
    text =
        proto::dump({{"params", proto::to_json(mine->params)}, {"start_epoch", mine->start_epoch}});
  }
  std::uint64_t size = text.size();
  comm.broadcast(std::as_writable_bytes(std::span(&size, 1)), 0);
  if (size > kMaxSettingsBytes) throw std::runtime_error("rank 0 sent settings too large");
  text.resize(size);
  comm.broadcast(std::as_writable_bytes(std::span(text.data(), text.size())), 0);
  const auto j = nlohmann::json::parse(text);
  return {proto::train_params_from_json(j.at("params")), j.at("start_epoch").get<int>()};
}

// Rank 0's preparation of the job in dirs (its record, the lock, TrainingJob::prepare) into
// job; false (reported) when it fails.
bool prepare(std::optional<TrainingJob>& job, const DataDir& dirs, const std::string& id,
             int& start_epoch) {
  try {
    lock_for_life(dirs.job_rank0_lock(id));
    job.emplace(dirs, read_job_record(dirs, id));
    start_epoch = job->prepare();
    return true;
  } catch (const std::exception& e) {
    report_error(e.what());
    return false;
  }
}

// Progress to the daemon: at most every kProgressEvery, and the last of each epoch.
class ProgressReports {
 public:
  void operator()(const TrainProgress& p) {
    const auto now = Clock::now();
    if (now - last_ < kProgressEvery && p.epoch == epoch_ && p.words_done < p.words_total) return;
    last_ = now;
    epoch_ = p.epoch;
    RankReport r;
    r.kind = RankReport::Kind::kProgress;
    r.progress = p;
    report(r);
  }

 private:
  Clock::time_point last_{};
  int epoch_ = -1;
};

int run_rank0(Communicator& comm, const std::string& host, const std::string& data_dir,
              const std::string& id) {
  std::optional<DataDir> dirs;
  std::optional<TrainingJob> job;
  int start_epoch = 0;
  if (!std::filesystem::is_directory(data_dir + "/jobs/" + id)) {
    report_error("rank 0 runs on " + host + ", which has no " + data_dir + "/jobs/" + id +
                 ": the MPI launcher must start rank 0 on the daemon's machine (first in the "
                 "hostfile)");
  } else {
    dirs.emplace(data_dir);
    if (!prepare(job, *dirs, id, start_epoch)) job.reset();
  }
  if (!job) {
    const Vocabulary none;
    distributed::broadcast_vocabulary(comm, &none);  // tells the other ranks to give up
    return 1;
  }
  try {
    distributed::broadcast_vocabulary(comm, &job->vocabulary());
    const EncodedCorpus share = distributed::scatter_corpus(comm, &job->corpus());
    Settings mine;
    mine.params = job->params();
    mine.start_epoch = start_epoch;
    broadcast_settings(comm, &mine);
    RankReport resumed;
    resumed.kind = RankReport::Kind::kResumed;
    resumed.epochs_done = start_epoch;
    report(resumed);

    ProgressReports progress;
    TrainHooks hooks;
    hooks.on_progress = [&](const TrainProgress& p) { progress(p); };
    const auto distributed_trainer = [&](const EncodedCorpus&, const Vocabulary& vocab,
                                         const TrainParams& params, ModelWeights& weights,
                                         const TrainHooks& h, int start) {
      return distributed::train_distributed(comm, share, vocab, params, weights, h, {}, start)
          .outcome;
    };
    const bool completed = job->train(
        hooks,
        [](int epochs_done) {
          RankReport r;
          r.kind = RankReport::Kind::kEpochEnd;
          r.epochs_done = epochs_done;
          report(r);
        },
        distributed_trainer);
    if (!completed) {
      report_error("training was cancelled");
      return 1;
    }
    RankReport done;
    done.kind = RankReport::Kind::kDone;
    report(done);
    return 0;
  } catch (const std::exception& e) {
    report_error(e.what());
    return 1;
  }
}

int run_other_rank(Communicator& comm, const std::string& me) {
  const Vocabulary vocab = distributed::broadcast_vocabulary(comm, nullptr);
  if (vocab.empty()) {
    std::cerr << "w2vd mpi-job: " << me << ": rank 0 could not prepare the job\n";
    return 1;
  }
  try {
    const EncodedCorpus share = distributed::scatter_corpus(comm, nullptr);
    const Settings s = broadcast_settings(comm, nullptr);
    if (s.start_epoch >= s.params.epochs) return 0;  // rank 0 has the final weights already
    ModelWeights weights = make_initial_weights(vocab.size(), s.params);  // rank 0's replace them
    distributed::train_distributed(comm, share, vocab, s.params, weights, {}, {}, s.start_epoch);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "w2vd mpi-job: " << me << ": " << e.what() << '\n';
    return 1;
  }
}

int run_rank(const std::string& data_dir, const std::string& id) {
  die_with_parent();
  distributed::MpiSession session;
  Communicator& comm = session.world();
  const std::string host = session.host();
  if (comm.rank() == 0) return run_rank0(comm, host, data_dir, id);
  return run_other_rank(comm, "rank " + std::to_string(comm.rank()) + " of " +
                                  std::to_string(comm.size()) + " (pid " +
                                  std::to_string(::getpid()) + ") on " + host);
}

}  // namespace

void add_mpi_job_command(CLI::App& app, int& exit_code) {
  auto data_dir = std::make_shared<std::string>();
  auto job = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "mpi-job", "one rank of a distributed job, started by the daemon under its MPI launcher");
  cmd->group("");  // not for people: the daemon writes the command line
  cmd->add_option("--data-dir", *data_dir, "the daemon's data directory (rank 0 reads it)")
      ->required();
  cmd->add_option("--job", *job, "the job's id")->required();
  cmd->callback([data_dir, job, &exit_code] {
    try {
      exit_code = run_rank(*data_dir, *job);
    } catch (const std::exception& e) {
      std::cerr << "w2vd mpi-job: " << e.what() << '\n';
      exit_code = 1;
    }
  });
}

}  // namespace w2v::server
