// The pieces the daemon runs distributed jobs with (server/jobs/): the launcher command split
// without a shell, the child process group (its own group, no inherited descriptors, no W2VD_*
// variables, killed with the thread that started it), bounded reading of its output, rank 0's
// reports parsed as untrusted input, and the readable message for an MPI job that failed.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

#include "server/mpi/bounded_lines.h"
#include "server/mpi/child_process_group.h"
#include "server/mpi/command_line.h"
#include "server/mpi/mpi_failure.h"
#include "server/mpi/rank_report.h"

namespace w2v::server {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

TEST(CommandLine, SplitsLikeAShellWithoutOne) {
  EXPECT_EQ(split_command_line("mpirun --hostfile /etc/w2vd/hosts"),
            (Strings{"mpirun", "--hostfile", "/etc/w2vd/hosts"}));
  EXPECT_EQ(split_command_line("  a\t b  \n"), (Strings{"a", "b"}));
  EXPECT_EQ(split_command_line("mpirun --mca x 'a b' \"c \\\"d\\\"\" e\\ f"),
            (Strings{"mpirun", "--mca", "x", "a b", "c \"d\"", "e f"}));
  EXPECT_EQ(split_command_line("'$HOME' `id` $(id) ;"), (Strings{"$HOME", "`id`", "$(id)", ";"}));
  EXPECT_EQ(split_command_line("''"), (Strings{""}));
  EXPECT_TRUE(split_command_line("").empty());
  EXPECT_THROW(split_command_line("mpirun 'oops"), std::invalid_argument);
  EXPECT_THROW(split_command_line("mpirun \"oops"), std::invalid_argument);
  EXPECT_THROW(split_command_line("mpirun oops\\"), std::invalid_argument);
  EXPECT_THROW(split_command_line(std::string("mpi\0run", 7)), std::invalid_argument);
}

TEST(LineSplitter, BoundsEveryLineWhateverArrives) {
  LineSplitter s(8);
  Strings lines;
  const auto add = [&](std::string_view l) { lines.emplace_back(l); };
  s.feed("ab", add);
  s.feed("c\r\nlonger than eight\nx", add);
  s.feed(std::string(100000, 'y'), add);
  s.feed("\nlast", add);
  s.finish(add);
  EXPECT_EQ(lines, (Strings{"abc", "longer t", "xyyyyyyy", "last"}));
}

TEST(LineTail, KeepsTheLastLinesPrintableAndBounded) {
  LineTail t(2, 5);
  t.add("one");
  t.add("   ");
  t.add("tw\x1bo");
  t.add("three and more");
  EXPECT_EQ(t.text(), "tw o\nthree");
  EXPECT_EQ(printable_line("ab\xc3\xa9", 3), "ab");  // never half a character
}

// A report's line as the daemon reads it: without its newline.
std::string line_of(const RankReport& r) {
  std::string line = format_rank_report(r);
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  return line;
}

TEST(RankReport, RoundTripsEveryKind) {
  TrainProgress p;
  p.epoch = 2;
  p.epochs = 5;
  p.words_done = 123456789012ull;
  p.words_total = 500000000000ull;
  p.words_per_sec = 812345.5;
  p.loss = 1.875;
  p.alpha = 0.0125;
  p.elapsed_seconds = 12.5;
  p.eta_seconds = 40;
  RankReport r;
  r.progress = p;
  const auto back = parse_rank_report(line_of(r), 5);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->kind, RankReport::Kind::kProgress);
  EXPECT_EQ(back->progress.epoch, 2);
  EXPECT_EQ(back->progress.words_done, p.words_done);
  EXPECT_EQ(back->progress.words_total, p.words_total);
  EXPECT_DOUBLE_EQ(back->progress.fraction, 123456789012.0 / 500000000000.0);
  EXPECT_DOUBLE_EQ(back->progress.words_per_sec, 812345.5);
  EXPECT_DOUBLE_EQ(back->progress.loss, 1.875);
  EXPECT_DOUBLE_EQ(back->progress.eta_seconds, 40);

  r.progress.loss = std::nan("");  // before the first examples
  const auto no_loss = parse_rank_report(line_of(r), 5);
  ASSERT_TRUE(no_loss);
  EXPECT_TRUE(std::isnan(no_loss->progress.loss));

  for (auto kind : {RankReport::Kind::kResumed, RankReport::Kind::kEpochEnd}) {
    RankReport e;
    e.kind = kind;
    e.epochs_done = 3;
    const auto b = parse_rank_report(line_of(e), 5);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->kind, kind);
    EXPECT_EQ(b->epochs_done, 3);
  }
  RankReport done;
  done.kind = RankReport::Kind::kDone;
  EXPECT_EQ(parse_rank_report(line_of(done), 5)->kind, RankReport::Kind::kDone);
  RankReport error;
  error.kind = RankReport::Kind::kError;
  error.message = "disk full\nwhile writing\x07 the checkpoint";
  const auto e = parse_rank_report(line_of(error), 5);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "disk full while writing  the checkpoint");
}

TEST(RankReport, IgnoresWhatIsNotAReportThatFitsTheJob) {
  for (const char* line : {
           "",
           "progress 1 5 10 100 1 1 0.1 1 1",         // no marker
           "[1,0]<stdout>:@w2vd done",                // not at the start
           "@w2vd",                                   //
           "@w2vd done now",                          //
           "@w2vd resumed 6",                         // more epochs than the job has
           "@w2vd epoch -1",                          //
           "@w2vd epoch 1x",                          //
           "@w2vd epoch 99999999999999999999",        //
           "@w2vd progress 1 6 10 100 1 1 0.1 1 1",   // another job's epochs
           "@w2vd progress 1 5 200 100 1 1 0.1 1 1",  // more words done than in total
           "@w2vd progress 1 5 10 100 -1 1 0.1 1 1",  // negative speed
           "@w2vd progress 1 5 10 100 inf 1 0.1 1 1",
           "@w2vd progress 1 5 10 100 1 inf 0.1 1 1",
           "@w2vd progress 1 5 10 100 1 1 0.1 1",  // a field short
           "@w2vd progress 1 5 10 100 1 1 0.1 1 1 1",
           "@w2vd error ",
           "@w2vd launch missiles",
       }) {
    EXPECT_FALSE(parse_rank_report(line, 5)) << line;
  }
  const std::string long_error = "@w2vd error " + std::string(5000, 'x');
  EXPECT_EQ(parse_rank_report(long_error, 5)->message.size(), kMaxRankErrorBytes);
}

TEST(MpiFailure, NamesTheRankItsHostAndTheSignal) {
  // Open MPI 4.1's words when a rank is killed.
  const std::string killed =
      "err from 0\n"
      "--------------------------------------------------------------------------\n"
      "Primary job  terminated normally, but 1 process returned\n"
      "a non-zero exit code. Per user-direction, the job has been aborted.\n"
      "--------------------------------------------------------------------------\n"
      "--------------------------------------------------------------------------\n"
      "mpirun noticed that process rank 1 with PID 0 on node host-b exited on signal 9 "
      "(Killed).\n"
      "--------------------------------------------------------------------------";
  EXPECT_EQ(describe_mpi_failure({137 << 8, "mpirun", killed, "training stopped: rank 1 failed"}),
            "rank 1 on host-b exited with signal 9 (Killed)");
}

TEST(MpiFailure, RankZerosOwnErrorOtherwise) {
  const std::string exited =
      "mpirun detected that one or more processes exited with non-zero status, thus causing\n"
      "the job to be terminated. The first process to do so was:\n"
      "  Process name: [[47309,1],0]\n"
      "  Exit code:    1\n";
  EXPECT_EQ(describe_mpi_failure({1 << 8, "mpirun", exited,
                                  "disk full while writing the checkpoint (needs ~48 MB in /d)"}),
            "disk full while writing the checkpoint (needs ~48 MB in /d)");
  // Without one: the rank's exit status and what the ranks said last.
  const std::string rank2 =
      "w2vd mpi-job: rank 2 of 4 (pid 77) on host-c: out of memory\n" + exited;
  const std::string m = describe_mpi_failure({1 << 8, "mpirun", rank2, std::nullopt});
  EXPECT_TRUE(
      m.starts_with("rank 0 exited with status 1; its last output: w2vd mpi-job: rank 2 "
                    "of 4 (pid 77) on host-c: out of memory"))
      << m;
}

TEST(MpiFailure, TheLaunchersOwnStatusAndABoundedExcerpt) {
  EXPECT_EQ(describe_mpi_failure({SIGSEGV, "mpirun", "", std::nullopt}),
            "the MPI launcher mpirun was killed by signal 11 (Segmentation fault)");
  const std::string noisy(5000, 'z');
  const std::string m = describe_mpi_failure({3 << 8, "srun", "usage: srun\n" + noisy, {}});
  EXPECT_TRUE(m.starts_with("the MPI launcher srun exited with status 3; its last output: ...z"))
      << m;
  EXPECT_LT(m.size(), 700u);
  EXPECT_EQ(describe_mpi_failure({0, "true", "", {}}),
            "the MPI launcher true exited before rank 0 finished the job");
}

// Reads fd to its end (bounded by a deadline).
std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  return out;
}

int wait_exit(ChildProcessGroup& child, std::chrono::seconds limit = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (const auto s = child.try_wait()) return *s;
    std::this_thread::sleep_for(10ms);  // polling a child's exit
  }
  ADD_FAILURE() << "the child did not exit in time";
  return -1;
}

TEST(ChildProcessGroup, RunsWithOnlyTheStandardDescriptorsAndNoW2vdSettings) {
  const int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec
  ASSERT_GE(leaked, 3);
  ::setenv("W2VD_TOKEN", "secret", 1);
  ChildProcessGroup child(
      {"sh", "-c", "ls /proc/$$/fd; echo token=${W2VD_TOKEN:-none}; echo oops >&2; exit 3"},
      environment_for_children(), SIGKILL);
  ::unsetenv("W2VD_TOKEN");
  const std::string out = read_all(child.stdout_fd());
  const std::string err = read_all(child.stderr_fd());
  EXPECT_EQ(out, "0\n1\n2\ntoken=none\n");
  EXPECT_EQ(err, "oops\n");
  const int status = wait_exit(child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << status;
  ::close(leaked);
}

TEST(ChildProcessGroup, ASignalReachesTheWholeGroup) {
  ChildProcessGroup child({"sh", "-c", "sleep 60 & echo $!; wait"}, environment_for_children(),
                          SIGKILL);
  std::string first;
  char c;
  while (::read(child.stdout_fd(), &c, 1) == 1 && c != '\n') first += c;
  const pid_t sleeper = std::stoi(first);
  EXPECT_EQ(::getpgid(sleeper), child.pid());
  child.signal(SIGTERM);
  const int status = wait_exit(child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
  // The sleeper (reparented once its shell died) got it too.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (::kill(sleeper, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);  // polling for the process to go
  }
  EXPECT_NE(::kill(sleeper, 0), 0);
}

TEST(ChildProcessGroup, DiesWithTheThreadThatStartedIt) {
  std::unique_ptr<ChildProcessGroup> child;
  std::thread([&] {
    child = std::make_unique<ChildProcessGroup>(Strings{"sleep", "60"}, environment_for_children(),
                                                SIGKILL);
  }).join();
  const int status = wait_exit(*child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
}

TEST(ChildProcessGroup, SaysWhyACommandCannotRun) {
  try {
    ChildProcessGroup({"no-such-launcher-w2vd"}, environment_for_children(), SIGKILL);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "cannot run no-such-launcher-w2vd: not found in PATH");
  }
  try {
    ChildProcessGroup({"/etc/passwd"}, environment_for_children(), SIGKILL);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "cannot run /etc/passwd: Permission denied");
  }
}

TEST(ChildProcessGroup, TheDestructorKillsAndReapsARunningChild) {
  pid_t pid = 0;
  {
    ChildProcessGroup child({"sleep", "60"}, environment_for_children(), SIGKILL);
    pid = child.pid();
  }
  EXPECT_NE(::kill(pid, 0), 0);  // gone, not a zombie: reaped
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
}

}  // namespace
}  // namespace w2v::server
