#include "server/mpi/child_process_group.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace w2v::server {
namespace {

// fd moved (if needed) to a number above the standard descriptors, close-on-exec.
int above_stdio(int fd) {
  if (fd > STDERR_FILENO) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  const int saved = errno;
  ::close(fd);
  if (moved < 0) throw std::system_error(saved, std::generic_category(), "fcntl");
  return moved;
}

struct Pipe {
  int read = -1, write = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe");
    read = above_stdio(fds[0]);
    write = above_stdio(fds[1]);
  }
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
  int take_read() {
    const int fd = read;
    read = -1;
    return fd;
  }
};

// argv[0] as execve needs it: a path, found in PATH when it has no '/'.
std::string resolve(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  throw std::runtime_error("cannot run " + name + ": not found in PATH");
}

// In the child, between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_child(const char* path, char* const* argv, char* const* envp, int null_fd,
                             int out_fd, int err_fd, int report_fd, pid_t parent, int death_signal,
                             unsigned max_fd) {
  const auto fail = [&report_fd] {
    const int e = errno;
    [[maybe_unused]] const ssize_t n = ::write(report_fd, &e, sizeof e);
    ::_exit(127);
  };
  ::setpgid(0, 0);
  if (::prctl(PR_SET_PDEATHSIG, death_signal) != 0) fail();
  if (::getppid() != parent) ::_exit(127);  // the starting thread died already
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) ::sigaction(sig, &dfl, nullptr);
  if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
      ::dup2(err_fd, STDERR_FILENO) < 0)
    fail();
  // The report pipe at 3 (close-on-exec: exec closes it, telling the parent exec worked),
  // every other descriptor closed.
  constexpr int kReport = STDERR_FILENO + 1;
  if (report_fd != kReport) {
    if (::dup2(report_fd, kReport) < 0) ::_exit(127);
    report_fd = kReport;
  }
  ::fcntl(kReport, F_SETFD, FD_CLOEXEC);
  if (::close_range(kReport + 1, ~0U, 0) != 0) {
    for (unsigned fd = kReport + 1; fd < max_fd; ++fd) ::close(static_cast<int>(fd));
  }
  ::execve(path, argv, envp);
  fail();
  ::_exit(127);
}

}  // namespace

std::vector<std::string> environment_for_children() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "W2VD_", 5) != 0) env.emplace_back(*e);
  }
  return env;
}

ChildProcessGroup::ChildProcessGroup(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env, int death_signal) {
  if (argv.empty()) throw std::invalid_argument("no command to run");
  const std::string path = resolve(argv[0]);
  // Everything the child needs is built before fork: after it, the child may not allocate.
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  const auto max_fd = static_cast<unsigned>(std::min<rlim_t>(files.rlim_cur, 1u << 20));

  Pipe out, err, report;
  const int opened = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (opened < 0) throw std::system_error(errno, std::generic_category(), "open /dev/null");
  const int null_fd = above_stdio(opened);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    exec_child(path.c_str(), args.data(), envp.data(), null_fd, out.write, err.write, report.write,
               parent, death_signal, max_fd);
  }
  const int fork_errno = errno;
  ::close(null_fd);
  if (pid < 0) {
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(fork_errno));
  }
  ::setpgid(pid, pid);  // also here, so a signal sent right after this returns reaches it
  ::close(out.write);
  ::close(err.write);
  ::close(report.write);
  out.write = err.write = report.write = -1;
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(report.read, &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    throw std::runtime_error("cannot run " + path + ": " + std::strerror(exec_errno));
  }
  pid_ = pid;
  out_fd_ = out.take_read();
  err_fd_ = err.take_read();
}

ChildProcessGroup::~ChildProcessGroup() {
  if (!status_ && pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  close_stdout();
  close_stderr();
}

void ChildProcessGroup::close_stdout() noexcept {
  if (out_fd_ >= 0) ::close(out_fd_);
  out_fd_ = -1;
}

void ChildProcessGroup::close_stderr() noexcept {
  if (err_fd_ >= 0) ::close(err_fd_);
  err_fd_ = -1;
}

void ChildProcessGroup::signal(int sig) noexcept {
  if (!status_) ::kill(-pid_, sig);
}

std::optional<int> ChildProcessGroup::try_wait() noexcept {
  if (status_) return status_;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
  return status_;
}

}  // namespace w2v::server
