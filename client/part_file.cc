#include "client/part_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace w2v::client {

PartFile::PartFile(std::string path)
    : path_(std::move(path)), part_(path_ + ".part"), file_(std::fopen(part_.c_str(), "wb")) {
  if (!file_) throw std::runtime_error("cannot write " + part_ + ": " + std::strerror(errno));
}

PartFile::~PartFile() {
  if (committed_) return;
  file_.reset();
  std::error_code ignored;
  std::filesystem::remove(part_, ignored);
}

void PartFile::write(const char* data, std::size_t n) {
  if (std::fwrite(data, 1, n, file_.get()) != n) {
    throw std::runtime_error("cannot write " + part_ + ": " + std::strerror(errno));
  }
}

void PartFile::commit() {
  if (std::fflush(file_.get()) != 0 || ::fsync(::fileno(file_.get())) != 0 ||
      std::fclose(file_.release()) != 0) {
    throw std::runtime_error("cannot write " + part_ + ": " + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(part_, path_, ec);
  if (ec) throw std::runtime_error("cannot rename " + part_ + " to " + path_ + ": " + ec.message());
  committed_ = true;
}

}  // namespace w2v::client
