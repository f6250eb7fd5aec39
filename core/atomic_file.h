#pragma once
// A file that appears at its path complete or not at all: written to a temporary name beside
// it, fsynced, renamed over the path, and the directory fsynced. Dropped without commit(), the
// temporary file is removed.

#include <cstddef>
#include <string>
#include <string_view>

namespace w2v {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t n);
  void write(std::string_view s) { write(s.data(), s.size()); }
  // Overwrites bytes already written at offset.
  void pwrite(const void* data, std::size_t n, std::size_t offset);
  // Makes the file durable at its path. Throws std::runtime_error on any I/O error.
  void commit();

  const std::string& path() const noexcept { return path_; }
  const std::string& temp_path() const noexcept { return temp_path_; }

 private:
  void flush_buffer();
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  std::string buffer_;
};

// fsyncs the directory holding path, so a rename or creation in it is durable.
void sync_parent_directory(const std::string& path);

}  // namespace w2v
