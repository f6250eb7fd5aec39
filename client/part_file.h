#pragma once
// A download's file: written under path + ".part" and renamed to path once complete and
// fsynced, so path holds a whole download or nothing; dropped unfinished, the .part file is
// removed.

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>

namespace w2v::client {

class PartFile {
 public:
  // Creates path.part; throws std::runtime_error naming it when it cannot.
  explicit PartFile(std::string path);
  ~PartFile();
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;

  // Throw std::runtime_error naming the file and the reason.
  void write(const char* data, std::size_t n);
  void commit();

 private:
  struct Closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::string path_;
  std::string part_;
  std::unique_ptr<std::FILE, Closer> file_;
  bool committed_ = false;
};

}  // namespace w2v::client
