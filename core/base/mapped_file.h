#pragma once
// A whole file mapped read-only into memory (mmap with MAP_SHARED, so every process mapping the
// same file shares its page-cache pages). Mapping reads nothing: pages come in when they are
// first touched and, being clean, the kernel may drop them again under memory pressure. The file
// must not be modified while it is mapped (w2vd's files are replaced by rename, which leaves a
// mapping of the old file intact).

#include <cstddef>
#include <cstdint>
#include <string>

namespace w2v {

class MappedFile {
 public:
  MappedFile() = default;
  // Throws std::system_error (with errno) when the file cannot be opened, stat'ed or mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // The file's bytes (page-aligned, so 64-byte aligned); null for an empty file.
  const std::uint8_t* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace w2v
