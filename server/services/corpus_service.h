#pragma once
// Corpora: what the /v1/corpora handlers do, below HTTP. A corpus is received as a draft (its
// text to a file under tmp/ and through the tokenizer, which counts words as they pass), then
// published: the text and its counts move into corpora/<id>/ and the row is inserted, in that
// order (server/services/staged_dir.h); deleting removes the row first, then the files.
//
// Errors are proto::ApiError with the API's codes: 404 corpus_not_found, 409 corpus_in_use,
// 400 empty_corpus, 507 insufficient_storage (the draft discarded), and the store's 503.
// Blocking (file writes, fsync): call from the blocking pool, never from an I/O thread, except
// get(), list() and remove(), which are brief.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/spilling_word_counter.h"
#include "core/text/tokenizer.h"
#include "proto/records.h"
#include "server/runtime/upload_counting.h"
#include "server/services/staged_dir.h"
#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {

// A corpus being received. Not thread-safe: one writer at a time. Destroyed unpublished, it
// leaves nothing behind. Its words are counted within the memory the open uploads share
// (--max-count-memory, server/runtime/upload_counting.h): past it the counts spill into the draft's
// directory and are merged when it is published, so a text of any number of distinct words is
// counted exactly in bounded memory.
class CorpusDraft {
 public:
  CorpusDraft(const DataDir& dirs, UploadCounting& counting);

  // Appends text (decompressed): to the file and through the tokenizer and counter. 507 on a
  // full disk (of the text or of a spill), the draft discarded.
  void write(std::string_view text);
  // Bytes of text written so far.
  std::uint64_t bytes() const noexcept { return bytes_; }
  // Removes what was written and gives the counting memory back; the draft cannot be
  // published after.
  void discard() noexcept {
    counter_.reset();
    staged_.discard();
  }

 private:
  friend class CorpusService;
  StagedDir staged_;
  AtomicFile& text_;
  Tokenizer tokenizer_;
  std::optional<SpillingWordCounter> counter_;  // reset once the counts file is written
  std::uint64_t bytes_ = 0;
};

class CorpusService {
 public:
  CorpusService(const DataDir& dirs, Store& store, UploadCounting& counting)
      : dirs_(dirs), store_(store), counting_(counting) {}

  CorpusDraft draft() const { return CorpusDraft(dirs_, counting_); }
  // Finishes the draft's counts and publishes it as a new corpus named name (its id when
  // empty): 400 empty_corpus when it holds no word. Returns the stored record.
  proto::CorpusRecord publish(CorpusDraft& draft, const std::string& name);

  proto::CorpusRecord get(const std::string& id) const;  // 404 corpus_not_found
  std::vector<proto::CorpusRecord> list() const;         // oldest first
  // Deletes the row (409 corpus_in_use while a queued or running job uses it), then the files.
  void remove(const std::string& id);

 private:
  const DataDir& dirs_;
  Store& store_;
  UploadCounting& counting_;
};

}  // namespace w2v::server
