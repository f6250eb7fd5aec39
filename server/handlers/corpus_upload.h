#pragma once
// POST /v1/corpora: the body streams through gzip decompression (when Content-Encoding says
// so) into a corpus draft (server/services/corpus_service.h: a file under tmp/ and the
// tokenizer, which counts words as they pass). When the body is complete the draft is
// published (corpora/<id>/, then the record); when it is not, nothing is left behind.
//
// Decompressing and tokenising run on the blocking pool, chunk after chunk, and so does the
// end (writing the counts, publishing): the upload takes its place in the pool when its headers
// arrive (503 with Retry-After when there is none) and keeps it to the end, so an upload once
// started is never refused half-way for want of room.

#include <memory>
#include <string>

#include "server/handlers/app_context.h"
#include "server/handlers/gzip_inflater.h"
#include "server/http/upload.h"
#include "server/services/corpus_service.h"

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
  std::string name_;
  CorpusDraft draft_;
  std::unique_ptr<GzipInflater> inflater_;
};

}  // namespace w2v::server
