#pragma once
// Pieces of the fault tests: an environment variable set for the daemons a test starts, a
// small tmpfs, the offline `w2vd check`, and expecting an ApiError from a client call.

#include <sys/mount.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "e2e/support.h"
#include "support/shell_command.h"

namespace w2v::testing {

// Sets an environment variable for the scope (daemons started meanwhile inherit it).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

// A tmpfs of `bytes` mounted on a fresh directory, unmounted at the end; mounted() is false
// (with why()) where mounting is not permitted.
class SmallFilesystem {
 public:
  SmallFilesystem(const std::string& dir, std::uint64_t bytes) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      why_ = std::string("cannot mount a tmpfs on ") + dir_ + ": " + std::strerror(errno);
    }
  }
  ~SmallFilesystem() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  const std::string& path() const { return dir_; }

 private:
  std::string dir_, why_;
  bool mounted_ = false;
};

// Fills the file system holding dir with a file until writes fail (ENOSPC); returns its path.
inline std::string fill_disk(const std::string& dir) {
  std::string path = dir + "/filler";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  const std::string block(std::size_t{64} * 1024, 'f');
  while (f != nullptr && std::fwrite(block.data(), 1, block.size(), f) == block.size()) {
  }
  if (f != nullptr) std::fclose(f);
  return path;
}

struct CheckResult {
  int exit_code = -1;
  std::string output;
};

// Runs `w2vd check --data-dir dir`.
inline CheckResult run_check(const std::string& dir) {
  const auto r =
      w2v::testing::run_shell(std::string(W2VD_BINARY) + " check --data-dir '" + dir + "' 2>&1");
  return {r.exit_code, r.output};
}

inline int file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

}  // namespace w2v::testing
