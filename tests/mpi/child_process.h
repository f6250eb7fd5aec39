#pragma once
// A child process for the MPI tests (mpirun and what it starts): its stdout and stderr
// captured together, waits bounded in time, killed on destruction if still running.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace w2v::testing {

class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);  // its own process group: the destructor ends mpirun and its ranks
      ::dup2(fds[1], STDERR_FILENO);
      ::dup2(fds[1], STDOUT_FILENO);
      ::execvp(args[0], args.data());
      std::_Exit(127);
    }
    ::close(fds[1]);
    reader_ = std::thread([this, fd = fds[0]] {
      char buf[4096];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
        std::lock_guard lock(mutex_);
        output_.append(buf, static_cast<std::size_t>(n));
      }
      ::close(fd);
    });
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();
  }

  std::string output() const {
    std::lock_guard lock(mutex_);
    return output_;
  }
  // Polls the output until it matches re (returns the match and its groups, copied: the
  // output goes on growing) or the time is up (throws).
  std::vector<std::string> wait_for(const std::regex& re, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      std::smatch m;
      const std::string out = output();
      if (std::regex_search(out, m, re)) return {m.begin(), m.end()};
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("timed out waiting for output; got:\n" + out);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a pipe's text
    }
  }
  // Waits for the exit (throws after limit); returns the exit code, or 128 + signal.
  int wait(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        if (reader_.joinable()) reader_.join();
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("process did not exit in time; output:\n" + output());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  pid_t pid_ = -1;
  mutable std::mutex mutex_;
  std::string output_;
  std::thread reader_;
};

// mpirun with what CI needs: more ranks than cores, as root, TCP between ranks on loopback.
inline std::vector<std::string> mpirun(int ranks) {
  return {"mpirun",
          "--oversubscribe",
          "--allow-run-as-root",
          "--mca",
          "btl",
          "self,tcp",
          "--mca",
          "btl_tcp_if_include",
          "lo",
          "--mca",
          "oob_tcp_if_include",
          "lo",
          "-np",
          std::to_string(ranks)};
}

}  // namespace w2v::testing
