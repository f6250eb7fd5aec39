#pragma once
// How a new corpus or model reaches the data directory. Its files are written into a directory
// under tmp/ (each an AtomicFile: temporary name, fsync, rename), the directory is renamed whole
// into its place (corpora/<id>, models/<id>) and its parent synced, and only then is its row
// inserted. So a row always names complete, durable files, and nothing is acknowledged before
// its row is committed; a crash between the rename and the insert leaves a directory without a
// row, which the start-up sweep removes (server/store/consistency.h). A failure at any step
// leaves nothing behind.
//
//   StagedDir staged(dirs, "the corpus");
//   AtomicFile& text = staged.file("text");
//   staged.write([&] { text.write(bytes); });        // a failure discards all (507: disk full)
//   staged.publish(dirs.corpus_dir(id));            // renamed into place, or discarded (507)
//   staged.record([&] { store.insert_corpus(c); });  // the row, or the published copy removed
//
// Destroyed unpublished, it removes its files and directory. Not thread-safe: one owner.

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/base/atomic_file.h"
#include "server/store/data_dir.h"

namespace w2v::server {

class StagedDir {
 public:
  // A new directory under dirs' tmp/; what names the contents in a 507 ("the corpus").
  StagedDir(const DataDir& dirs, std::string what);
  ~StagedDir();
  StagedDir(const StagedDir&) = delete;
  StagedDir& operator=(const StagedDir&) = delete;

  const std::string& path() const noexcept { return path_; }
  // path()/name, a file the directory will publish, kept open until publish() or discard().
  AtomicFile& file(const std::string& name);

  // Runs write_files (writes into path(): file()s, commits); when it throws, discards everything
  // and rethrows, as a 507 insufficient_storage naming what when the disk is full.
  template <class Write>
  void write(Write&& write_files) {
    if (done_) throw std::logic_error("StagedDir: written after it was published or discarded");
    try {
      write_files();
    } catch (...) {
      fail();
    }
  }
  // Renames the directory to dest (which must not exist) and syncs dest's parent; on failure
  // discards as write() does. Every file() must have been committed.
  void publish(const std::string& dest);
  // After publish(): runs insert (the row); when it throws, removes the published directory and
  // rethrows unchanged.
  template <class Insert>
  void record(Insert&& insert) {
    try {
      insert();
    } catch (...) {
      DataDir::remove_all(published_);
      throw;
    }
  }

  // Removes the files and the directory unless published. Idempotent.
  void discard() noexcept;

 private:
  [[noreturn]] void fail();

  const DataDir& dirs_;
  std::string what_;
  std::string path_;
  std::string published_;
  bool done_ = false;
  std::vector<std::unique_ptr<AtomicFile>> files_;
};

}  // namespace w2v::server
