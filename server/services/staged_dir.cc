#include "server/services/staged_dir.h"

#include <utility>

#include "server/store/storage_errors.h"

namespace w2v::server {

StagedDir::StagedDir(const DataDir& dirs, std::string what)
    : dirs_(dirs), what_(std::move(what)), path_(dirs.make_temp_dir()) {}

StagedDir::~StagedDir() {
  discard();
}

AtomicFile& StagedDir::file(const std::string& name) {
  files_.push_back(std::make_unique<AtomicFile>(path_ + "/" + name));
  return *files_.back();
}

void StagedDir::publish(const std::string& dest) {
  try {
    dirs_.publish_dir(path_, dest);
  } catch (...) {
    fail();
  }
  files_.clear();  // committed: their temporary names are gone
  published_ = dest;
  done_ = true;
}

void StagedDir::discard() noexcept {
  if (done_) return;
  done_ = true;
  files_.clear();  // removes the temporary files of those not committed
  DataDir::remove_all(path_);
}

void StagedDir::fail() {
  discard();  // before the answer: a 507 means nothing is left
  rethrow_as_storage_error(what_, dirs_.root());
}

}  // namespace w2v::server
