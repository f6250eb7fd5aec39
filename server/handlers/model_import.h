#pragma once
// POST /v1/models?name=N&format=binary|text|fasttext: imports word2vec-format vectors or a
// fastText model (.bin). The body streams into a model draft (server/services/model_service.h: a
// file under tmp/); when complete the service parses it (a malformed file is a 400 saying what
// and where), stores it as binary vectors (and a fastText model's training state) in
// models/<id>/ and records it.
//
// Parsing and rewriting run on the blocking pool: the import takes its place there when its
// headers arrive (503 with Retry-After when there is none) and keeps it to the end. The body's
// bytes go to the file as they arrive, on the connection's thread.

#include <memory>
#include <string>

#include "proto/requests.h"
#include "server/handlers/app_context.h"
#include "server/http/upload.h"
#include "server/services/model_service.h"

namespace w2v::server {

class ModelImport : public UploadHandler {
 public:
  ModelImport(AppContext& app, std::string name, proto::ModelFileFormat format,
              std::unique_ptr<BlockingPool::Lease> lease);
  ~ModelImport() override;

  void on_data(std::string_view chunk) override;
  Response on_complete() override;
  void on_abort() noexcept override;
  void on_complete_async(Completion done) override;

  static std::unique_ptr<UploadHandler> create(AppContext& app, const Request& req);

 private:
  AppContext& app_;
  std::unique_ptr<BlockingPool::Lease> lease_;
  std::string request_id_;
  std::string name_;
  proto::ModelFileFormat format_;
  ModelDraft draft_;
};

}  // namespace w2v::server
