#include "server/mpi/mpi_job_run.h"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>

#include "core/base/atomic_file.h"
#include "proto/json_text.h"
#include "server/mpi/bounded_lines.h"
#include "server/mpi/child_process_group.h"
#include "server/mpi/mpi_failure.h"
#include "server/mpi/rank_report.h"
#include "server/store/storage_errors.h"

namespace w2v::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStderrLine = 400;
constexpr std::size_t kStderrTailLines = 40;
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
constexpr int kPollMillis = 100;
// How long the launcher's pipes may stay open after it exited (something it started holding
// them): then they are closed and the job ends anyway.
constexpr auto kDrainAfterExit = std::chrono::seconds(2);

void write_job_record(const DataDir& dirs, const proto::JobRecord& job) {
  const std::string text = proto::dump(proto::to_json(job));
  try {
    std::filesystem::create_directories(dirs.job_dir(job.id));
    AtomicFile f(dirs.job_record(job.id));
    f.write(text);
    f.commit();
  } catch (const std::exception& e) {
    throw std::runtime_error(
        describe_write_failure(e, "the job's record for rank 0", text.size(), dirs.root()));
  }
}

// What the launcher said, as it arrives.
class LauncherOutput {
 public:
  LauncherOutput(const proto::JobRecord& job, const MpiJobHooks& hooks)
      : epochs_(job.params.epochs),
        hooks_(hooks),
        out_(kMaxRankReportLine),
        err_(kMaxStderrLine),
        tail_(kStderrTailLines, kMaxStderrLine) {}

  void stdout_bytes(std::string_view bytes) {
    out_.feed(bytes, [this](std::string_view line) { stdout_line(line); });
  }
  void stderr_bytes(std::string_view bytes) {
    err_.feed(bytes, [this](std::string_view line) { tail_.add(line); });
  }
  void finish() {
    out_.finish([this](std::string_view line) { stdout_line(line); });
    err_.finish([this](std::string_view line) { tail_.add(line); });
  }

  bool done() const noexcept { return done_; }
  const std::optional<std::string>& rank0_error() const noexcept { return rank0_error_; }
  std::string tail() const { return tail_.text(); }

 private:
  void stdout_line(std::string_view line) {
    const auto r = parse_rank_report(line, epochs_);
    if (!r) {
      tail_.add(line);  // the launcher's or a rank's own words
      return;
    }
    switch (r->kind) {
      case RankReport::Kind::kResumed:
        if (hooks_.on_resumed) hooks_.on_resumed(r->epochs_done);
        break;
      case RankReport::Kind::kProgress:
        if (hooks_.on_progress) hooks_.on_progress(r->progress);
        break;
      case RankReport::Kind::kEpochEnd:
        if (hooks_.on_epoch_end) hooks_.on_epoch_end(r->epochs_done);
        break;
      case RankReport::Kind::kDone:
        done_ = true;
        break;
      case RankReport::Kind::kError:
        rank0_error_ = r->message;
        break;
    }
  }

  const int epochs_;
  const MpiJobHooks& hooks_;
  LineSplitter out_, err_;
  LineTail tail_;
  bool done_ = false;
  std::optional<std::string> rank0_error_;
};

// Reads what is there on fd (one chunk); false at end of stream or on an error.
bool read_some(int fd, std::string& buf) {
  buf.resize(kReadChunk);
  ssize_t n;
  do {
    n = ::read(fd, buf.data(), buf.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) {
    buf.clear();
    return true;
  }
  if (n <= 0) return false;
  buf.resize(static_cast<std::size_t>(n));
  return true;
}

}  // namespace

std::vector<std::string> mpi_job_command(const MpiLaunch& launch, const DataDir& dirs,
                                         const proto::JobRecord& job) {
  std::vector<std::string> cmd = launch.launcher;
  cmd.insert(cmd.end(),
             {"-np", std::to_string(job.ranks), launch.rank_binary, "mpi-job", "--data-dir",
              std::filesystem::absolute(dirs.root()).string(), "--job", job.id});
  return cmd;
}

bool run_mpi_job(const MpiLaunch& launch, const DataDir& dirs, const proto::JobRecord& job,
                 const std::atomic<bool>& interrupt, const MpiJobHooks& hooks) {
  if (launch.launcher.empty()) {
    throw std::runtime_error("the job asks for " + std::to_string(job.ranks) +
                             " ranks and this server has no --mpi-launcher (any more)");
  }
  write_job_record(dirs, job);
  const std::vector<std::string> cmd = mpi_job_command(launch, dirs, job);
  // SIGTERM if this thread dies with the daemon: mpirun then ends its ranks.
  ChildProcessGroup child(cmd, environment_for_children(), SIGTERM);
  LauncherOutput output(job, hooks);

  std::optional<Clock::time_point> terminated_at, exited_at;
  bool killed = false;
  std::optional<int> status;
  std::string buf;
  for (;;) {
    pollfd fds[2];
    nfds_t n = 0;
    for (const int fd : {child.stdout_fd(), child.stderr_fd()}) {
      if (fd >= 0) fds[n++] = {fd, POLLIN, 0};
    }
    if (n > 0) {
      ::poll(fds, n, kPollMillis);
    } else {
      ::poll(nullptr, 0, kPollMillis);  // waiting for the exit
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      const bool is_stdout = fds[i].fd == child.stdout_fd();
      if (!read_some(fds[i].fd, buf)) {
        is_stdout ? child.close_stdout() : child.close_stderr();
        continue;
      }
      is_stdout ? output.stdout_bytes(buf) : output.stderr_bytes(buf);
    }
    const auto now = Clock::now();
    if (interrupt.load() && !terminated_at) {
      child.signal(SIGTERM);
      terminated_at = now;
    }
    if (terminated_at && !killed && now - *terminated_at >= launch.grace) {
      child.signal(SIGKILL);
      killed = true;
    }
    if (!status) {
      status = child.try_wait();
      if (status) exited_at = now;
    }
    const bool drained = child.stdout_fd() < 0 && child.stderr_fd() < 0;
    if (status && (drained || now - *exited_at >= kDrainAfterExit)) break;
  }
  output.finish();
  if (terminated_at) return false;
  if (output.done() && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return true;
  std::string tail = output.tail();
  std::replace(tail.begin(), tail.end(), '\n', '|');
  spdlog::warn("job {}: the MPI job failed; the launcher's last output: {}", job.id, tail);
  throw std::runtime_error(
      describe_mpi_failure({*status, cmd.front(), output.tail(), output.rank0_error()}));
}

}  // namespace w2v::server
