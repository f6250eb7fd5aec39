#pragma once
// Temporary files and directories for tests, under the system temp dir, unique per process and
// per use, so tests run in parallel (ctest -j) never share one.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>

namespace w2v::testing {

// A unique path under the system temp dir, named after tag; nothing is created.
inline std::filesystem::path unique_temp_path(const std::string& tag) {
  static std::atomic<int> serial{0};
  static const unsigned salt = std::random_device{}();
  return std::filesystem::temp_directory_path() /
         ("w2v-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(salt) + "-" +
          std::to_string(serial++));
}

// A fresh, empty directory, removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "test") : path_(unique_temp_path(tag).string()) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The path of name inside it (not created).
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A path for a temporary file named after the running test (not created, not removed).
inline std::string test_temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          (name + "." + std::to_string(::getpid()) + "." +
           ::testing::UnitTest::GetInstance()->current_test_info()->name()))
      .string();
}

}  // namespace w2v::testing
