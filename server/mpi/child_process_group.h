#pragma once
// A command the daemon runs as a child: in a process group of its own (so a signal reaches it
// and whatever it runs in that group), its standard output and error read through pipes, its
// standard input /dev/null, and none of the daemon's other descriptors (listening sockets,
// the store). If the thread that started it dies — the daemon killed without a chance to stop
// it — the child gets `death_signal` (PR_SET_PDEATHSIG), so it never outlives the daemon for
// long. The destructor kills the group (SIGKILL) if the child still runs and reaps it: no
// zombie, no descriptor left open.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace w2v::server {

class ChildProcessGroup {
 public:
  // Starts argv (argv[0] looked up in PATH when it has no '/') with the environment env
  // ("NAME=value" each). Throws std::runtime_error naming the command and why when it cannot
  // be started (not found, not executable, no more processes).
  ChildProcessGroup(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    int death_signal);
  ~ChildProcessGroup();
  ChildProcessGroup(const ChildProcessGroup&) = delete;
  ChildProcessGroup& operator=(const ChildProcessGroup&) = delete;

  pid_t pid() const noexcept { return pid_; }
  // The read ends of its standard output and error; -1 once closed.
  int stdout_fd() const noexcept { return out_fd_; }
  int stderr_fd() const noexcept { return err_fd_; }
  void close_stdout() noexcept;
  void close_stderr() noexcept;

  // Sends sig to the child's process group; nothing once the child is reaped.
  void signal(int sig) noexcept;
  // The child's wait status once it has exited (it is then reaped), nullopt while it runs.
  std::optional<int> try_wait() noexcept;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;  // once reaped
  int out_fd_ = -1, err_fd_ = -1;
};

// The daemon's environment without its own W2VD_* settings (the token among them), for the
// commands it runs.
std::vector<std::string> environment_for_children();

}  // namespace w2v::server
