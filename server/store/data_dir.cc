#include "server/store/data_dir.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <stdio.h>  // renameat2
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <system_error>

#include "core/base/atomic_file.h"

namespace w2v::server {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSubdirs[] = {"corpora", "jobs", "models", "tmp"};

[[noreturn]] void fail(const std::string& what, const std::error_code& ec) {
  throw std::runtime_error(what + ": " + ec.message());
}

[[noreturn]] void fail_errno(const std::string& what) {
  fail(what, std::error_code(errno, std::generic_category()));
}

// Creates dir (mode 0700: corpora and models are private) when missing; true when it did.
bool ensure_directory(const std::string& dir) {
  std::error_code ec;
  const bool created = fs::create_directories(dir, ec);
  if (ec) fail("cannot create directory " + dir, ec);
  if (created && ::chmod(dir.c_str(), 0700) != 0) fail_errno("cannot set the mode of " + dir);
  if (!fs::is_directory(dir, ec)) {
    throw std::runtime_error("cannot use " + dir + " as a directory: it is not one");
  }
  return created;
}

// Fills out with random bytes from the kernel's CSPRNG (std::random_device if unavailable).
void random_bytes(unsigned char* out, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::getrandom(out + got, n - got, 0);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  if (got == n) return;
  thread_local std::random_device device;
  for (; got < n; ++got) out[got] = static_cast<unsigned char>(device());
}

// Renames from to to, failing when to exists (rename(2) would replace an empty directory).
void rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  if (errno != EINVAL && errno != ENOSYS) fail_errno("cannot rename " + from + " to " + to);
  // A file system without RENAME_NOREPLACE: check, then rename (racy only against ourselves).
  std::error_code ec;
  if (fs::exists(fs::symlink_status(to, ec))) {
    fail("cannot rename " + from + " to " + to, std::make_error_code(std::errc::file_exists));
  }
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    fail_errno("cannot rename " + from + " to " + to);
  }
}

}  // namespace

DataDir::DataDir(std::string root) : root_(std::move(root)) {
  if (root_.empty()) throw std::runtime_error("the data directory path is empty");
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();

  const bool created_root = ensure_directory(root_);
  bool created_any = created_root;
  for (const char* sub : kSubdirs) created_any |= ensure_directory(root_ + "/" + sub);
  if (created_any) {
    // Make the new directory entries durable: the subdirectories in root, root in its parent.
    sync_parent_directory(root_ + "/" + kSubdirs[0]);
    if (created_root) sync_parent_directory(root_);
  }
  if (::access(root_.c_str(), W_OK | X_OK) != 0) {
    fail_errno("cannot write to the data directory " + root_);
  }
}

std::string DataDir::make_temp_dir() const {
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string dir = root_ + "/tmp/" + new_id("t");
    if (::mkdir(dir.c_str(), 0700) == 0) return dir;
    if (errno != EEXIST) fail_errno("cannot create directory " + dir);
    // It existed (a collision in 100 random bits): draw again.
  }
  throw std::runtime_error("cannot create a fresh directory under " + root_ + "/tmp");
}

void DataDir::publish_dir(const std::string& temp_dir, const std::string& dest) const {
  // The entries written into temp_dir become durable with it, then the rename does, on both
  // sides (tmp/ loses it, dest's parent gains it).
  sync_parent_directory(temp_dir + "/.");
  rename_no_replace(temp_dir, dest);
  sync_parent_directory(dest);
  sync_parent_directory(temp_dir);
}

void DataDir::remove_all(const std::string& path) noexcept {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) {
    try {
      spdlog::warn("cannot remove {}: {}", path, ec.message());
    } catch (...) {
    }
  }
}

void DataDir::clean_temp() const {
  const std::string tmp = root_ + "/tmp";
  std::error_code ec;
  fs::directory_iterator it(tmp, ec);
  if (ec) fail("cannot list " + tmp, ec);
  for (; it != fs::directory_iterator(); it.increment(ec)) remove_all(it->path().string());
  if (ec) fail("cannot list " + tmp, ec);
}

std::string new_id(const char* prefix) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  static_assert(sizeof kAlphabet - 1 == 32);
  constexpr std::size_t kChars = 20;  // 100 bits
  unsigned char bytes[kChars];
  random_bytes(bytes, kChars);

  std::string id = prefix != nullptr ? prefix : "";
  if (!id.empty()) id += '_';
  // 256 is a multiple of 32, so the low five bits of a uniform byte are uniform.
  for (const unsigned char b : bytes) id += kAlphabet[b & 31];
  return id;
}

bool is_id(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size() + 2 || s.size() > prefix.size() + 65) return false;
  if (s.substr(0, prefix.size()) != prefix || s[prefix.size()] != '_') return false;
  for (const char c : s.substr(prefix.size() + 1)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace w2v::server
