#pragma once
// Runs a shell command for a test: what it writes to standard output, and its exit status.

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace w2v::testing {

struct CommandResult {
  std::string output;
  int exit_code = -1;  // -1 when it could not run or did not exit
};

inline CommandResult run_shell(const std::string& command) {
  CommandResult r;
  std::FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace w2v::testing
