#pragma once
// POST /v1/corpora: the body streams through gzip decompression (when Content-Encoding says
// so) into a file under tmp/ and through the tokenizer, which counts words as they pass. When
// the body is complete, the text and its counts move into corpora/<id>/ and the record is
// stored; when it is not, nothing is left behind. Counting stays within --max-count-memory
// however many distinct words the text has: past it the counts spill to temp_dir_ and are
// merged at the end.
//
// Decompressing and tokenising run on the blocking pool, chunk after chunk, and so does the
// end (writing the counts, publishing): the upload takes its place in the pool when its headers
// arrive (503 with Retry-After when there is none) and keeps it to the end, so an upload once
// started is never refused half-way for want of room.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/io/atomic_file.h"
#include "core/text/spilling_word_counter.h"
#include "core/text/tokenizer.h"
#include "server/app/app_context.h"
#include "server/handlers/gzip_inflater.h"
#include "server/http/upload.h"

namespace w2v::server {

class CorpusUpload : public UploadHandler {
 public:
  CorpusUpload(AppContext& app, std::string name, bool gzip,
               std::unique_ptr<BlockingPool::Lease> lease);
  ~CorpusUpload() override;

  void on_data(std::string_view chunk) override;
  Response on_complete() override;
  void on_abort() noexcept override;
  void on_data_async(std::string_view chunk, std::function<void(std::exception_ptr)> done) override;
  void on_complete_async(Completion done) override;

  // Checks the request's headers and makes the handler (415 for an unsupported content type
  // or encoding).
  static std::unique_ptr<UploadHandler> create(AppContext& app, const Request& req);

 private:
  void consume(std::string_view text);

  AppContext& app_;
  std::unique_ptr<BlockingPool::Lease> lease_;
  std::string request_id_;
  std::string id_;
  std::string name_;
  std::string temp_dir_;
  std::unique_ptr<AtomicFile> text_;
  std::unique_ptr<GzipInflater> inflater_;
  Tokenizer tokenizer_;
  // Bounded by the daemon's --max-count-memory, shared with the other uploads; its runs go to
  // temp_dir_.
  std::optional<SpillingWordCounter> counter_;
  std::uint64_t bytes_ = 0;
  bool finished_ = false;
};

}  // namespace w2v::server
