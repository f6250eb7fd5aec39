#pragma once
// Starts a real w2vd process for end-to-end tests: port 0 (the kernel picks a free port, which
// the test reads from the daemon's "listening on" log line), a temporary data directory, and
// its log captured. Stops it with SIGTERM (graceful) or SIGKILL (a crash) on request; the
// destructor kills it if it still runs.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace w2v::testing {

class ServerProcess {
 public:
  // Starts `binary --port 0 --data-dir data_dir --bind 127.0.0.1 args...` (no --bind of its own
  // when args have one) and waits (up to 30 s) for it to listen.
  ServerProcess(std::string binary, std::string data_dir, std::vector<std::string> args = {})
      : binary_(std::move(binary)), data_dir_(std::move(data_dir)), args_(std::move(args)) {
    start();
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& data_dir() const { return data_dir_; }
  pid_t pid() const { return pid_; }

  // Sends sig and waits for the process to exit; returns its exit status (128+signal when it
  // died of a signal).
  int stop(int sig = SIGTERM) {
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // Starts the same command again (same data dir) after stop().
  void restart() {
    if (pid_ > 0) throw std::logic_error("still running");
    start();
  }

  std::string log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }

  // Waits (up to timeout) until the log holds text: what the daemon wrote before answering is in
  // the pipe, but the thread that reads it may not have read it yet.
  bool log_has(const std::string& text,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    std::unique_lock lock(mutex_);
    return grew_.wait_for(lock, timeout, [&] { return log_.find(text) != std::string::npos; });
  }

 private:
  void start() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    // Loopback unless the test binds elsewhere itself.
    const bool binds = std::find(args_.begin(), args_.end(), "--bind") != args_.end();
    std::vector<std::string> argv_s = {binary_, "--port", "0", "--data-dir", data_dir_};
    if (!binds) argv_s.insert(argv_s.end(), {"--bind", "127.0.0.1"});
    argv_s.insert(argv_s.end(), args_.begin(), args_.end());
    std::vector<char*> argv;
    argv.reserve(argv_s.size() + 1);
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDERR_FILENO);
      ::dup2(fds[1], STDOUT_FILENO);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
    ::close(fds[1]);
    const int fd = fds[0];
    // Read the log until the daemon says where it listens.
    std::string seen;
    const std::regex listening("listening on http://[0-9.]+:([0-9]+)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::smatch m;
    while (!std::regex_search(seen, m, listening)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        ::close(fd);
        throw std::runtime_error("w2vd did not start listening; log:\n" + seen);
      }
      char buf[4096];
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fd);
        throw std::runtime_error("w2vd exited before listening; log:\n" + seen);
      }
      seen.append(buf, static_cast<std::size_t>(n));
    }
    port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
    {
      std::lock_guard lock(mutex_);
      log_ += seen;
    }
    if (reader_.joinable()) reader_.join();
    reader_ = std::thread([this, fd] {
      char buf[4096];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
        {
          std::lock_guard lock(mutex_);
          log_.append(buf, static_cast<std::size_t>(n));
        }
        grew_.notify_all();
      }
      ::close(fd);
    });
  }

  std::string binary_, data_dir_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable grew_;
  std::string log_;
  std::thread reader_;
};

}  // namespace w2v::testing
