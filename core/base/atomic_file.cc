#include "core/base/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace w2v {
namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

[[noreturn]] void fail_with(int error, const std::string& what, const std::string& path) {
  throw std::system_error(error, std::generic_category(), what + " " + path);
}

[[noreturn]] void fail_on_file(const std::string& what, const std::string& path) {
  fail_with(errno, what, path);
}

std::string temp_name(const std::string& path) {
  static std::atomic<unsigned> serial{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(serial++);
}

// The fault-injection budget: bytes writes may still take; kUnlimited when the hook is off.
constexpr std::int64_t kUnlimited = -1;

std::int64_t budget_from_environment() noexcept {
  const char* v = std::getenv("W2V_FAULT_ENOSPC_AFTER_BYTES");
  if (v == nullptr || *v == '\0') return kUnlimited;
  char* end = nullptr;
  const long long n = std::strtoll(v, &end, 10);
  return (end != nullptr && *end == '\0' && n >= 0) ? n : kUnlimited;
}

std::atomic<std::int64_t>& write_budget() noexcept {
  static std::atomic<std::int64_t> budget{budget_from_environment()};
  return budget;
}

// W2V_FAULT_ENOSPC_FLAG: a path; while a file exists there, every write fails.
const std::string& flag_path() {
  static const std::string path = [] {
    const char* v = std::getenv("W2V_FAULT_ENOSPC_FLAG");
    return std::string(v != nullptr ? v : "");
  }();
  return path;
}

// How many of n bytes the injected fault lets through (all of them when the hook is off).
std::size_t allowed_bytes(std::size_t n) noexcept {
  if (!flag_path().empty() && ::access(flag_path().c_str(), F_OK) == 0) return 0;
  auto& budget = write_budget();
  std::int64_t left = budget.load(std::memory_order_relaxed);
  for (;;) {
    if (left == kUnlimited) return n;
    const std::int64_t take = std::min<std::int64_t>(left, static_cast<std::int64_t>(n));
    if (budget.compare_exchange_weak(left, left - take, std::memory_order_relaxed)) {
      return static_cast<std::size_t>(take);
    }
  }
}

// write(2) of all n bytes, failing (errno set) on an error or an injected full disk.
bool write_all(int fd, const char* p, std::size_t n) {
  const std::size_t allowed = allowed_bytes(n);
  std::size_t left = allowed;
  while (left > 0) {
    const ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    left -= static_cast<std::size_t>(w);
  }
  if (allowed < n) {
    errno = ENOSPC;
    return false;
  }
  return true;
}

}  // namespace

AtomicFile::AtomicFile(std::string path, Sync sync)
    : path_(std::move(path)), temp_path_(temp_name(path_)), sync_(sync) {
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) fail_on_file("cannot create", temp_path_);
  buffer_.reserve(kBufferBytes);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

void AtomicFile::flush_buffer() {
  const bool ok = write_all(fd_, buffer_.data(), buffer_.size());
  buffer_.clear();
  if (!ok) fail_on_file("cannot write", temp_path_);
}

void AtomicFile::write(const void* data, std::size_t n) {
  if (buffer_.size() + n > kBufferBytes) flush_buffer();
  if (n >= kBufferBytes) {  // written as it is, not copied (a model's rows are a GB)
    if (!write_all(fd_, static_cast<const char*>(data), n))
      fail_on_file("cannot write", temp_path_);
    return;
  }
  buffer_.append(static_cast<const char*>(data), n);
}

void AtomicFile::pwrite(const void* data, std::size_t n, std::size_t offset) {
  flush_buffer();
  const ssize_t w = ::pwrite(fd_, data, n, static_cast<off_t>(offset));
  if (w != static_cast<ssize_t>(n)) fail_with(w < 0 ? errno : ENOSPC, "cannot write", temp_path_);
}

void AtomicFile::commit() {
  flush_buffer();
  const bool durable = sync_ == Sync::kDurable;
  if (durable && ::fsync(fd_) != 0) fail_on_file("cannot fsync", temp_path_);
  if (::close(fd_) != 0) {
    const int saved = errno;
    fd_ = -1;
    ::unlink(temp_path_.c_str());
    fail_with(saved, "cannot close", temp_path_);
  }
  fd_ = -1;
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp_path_.c_str());
    fail_with(saved, "cannot rename to", path_);
  }
  if (durable) sync_parent_directory(path_);
}

void sync_parent_directory(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_on_file("cannot open directory", dir);
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) fail_with(saved, "cannot fsync directory", dir);
}

bool is_disk_full(const std::exception& e) noexcept {
  if (const auto* s = dynamic_cast<const std::system_error*>(&e)) {
    if (s->code() == std::errc::no_space_on_device) return true;
    if (s->code().category() == std::generic_category() && s->code().value() == EDQUOT) {
      return true;
    }
  }
  try {
    std::rethrow_if_nested(e);
  } catch (const std::exception& inner) {
    return is_disk_full(inner);
  } catch (...) {
  }
  return false;
}

void inject_disk_full_after(std::optional<std::uint64_t> bytes) noexcept {
  write_budget().store(bytes ? static_cast<std::int64_t>(*bytes) : kUnlimited,
                       std::memory_order_relaxed);
}

}  // namespace w2v
