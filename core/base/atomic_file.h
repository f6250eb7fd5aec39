#pragma once
// A file that appears at its path complete or not at all: written to a temporary name beside
// it (mode 0600), fsynced, renamed over the path, and the directory fsynced. Dropped without
// commit(), the temporary file is removed.
//
// I/O errors throw std::system_error carrying errno, so callers can tell a full disk
// (is_disk_full) from other failures.
//
// Test hook (fault injection): with W2V_FAULT_ENOSPC_AFTER_BYTES=N in the environment when the
// process first writes, or after inject_disk_full_after(N), every write through this layer
// fails with ENOSPC once N bytes in all have been written by the process, as on a file system
// that has N bytes left; with W2V_FAULT_ENOSPC_FLAG=PATH, every write fails with ENOSPC while a
// file exists at PATH (a disk that fills up and is freed again). Unused, the hooks cost one
// relaxed atomic load per buffer flush.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace w2v {

class AtomicFile {
 public:
  // Whether commit() makes the file durable (fsync of the file and its directory), or only
  // complete at its path: scratch files that a crash makes worthless anyway (a word counter's
  // spill runs) skip the syncs and keep the rest, the fault hooks included.
  enum class Sync { kDurable, kScratch };

  explicit AtomicFile(std::string path, Sync sync = Sync::kDurable);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t n);
  void write(std::string_view s) { write(s.data(), s.size()); }
  // Overwrites bytes already written at offset.
  void pwrite(const void* data, std::size_t n, std::size_t offset);
  // Makes the file durable (Sync::kDurable) and complete at its path. Throws std::system_error
  // on any I/O error.
  void commit();

  const std::string& path() const noexcept { return path_; }
  const std::string& temp_path() const noexcept { return temp_path_; }

 private:
  void flush_buffer();
  std::string path_;
  std::string temp_path_;
  Sync sync_;
  int fd_ = -1;
  std::string buffer_;
};

// fsyncs the directory holding path, so a rename or creation in it is durable.
void sync_parent_directory(const std::string& path);

// True for a std::system_error (anywhere in a nested chain) whose code is ENOSPC or EDQUOT.
bool is_disk_full(const std::exception& e) noexcept;

// Test hook: writes fail with ENOSPC once `bytes` more bytes have been written (nullopt: never).
void inject_disk_full_after(std::optional<std::uint64_t> bytes) noexcept;

}  // namespace w2v
