#pragma once
// POST /v1/models?name=N&format=binary|text: imports word2vec-format vectors. The body streams
// to a file under tmp/; when complete it is parsed (a malformed file is a 400 saying what and
// where), stored as binary vectors in models/<id>/ and recorded.

#include <memory>
#include <string>

#include "core/atomic_file.h"
#include "core/vectors_io.h"
#include "server/app/app_context.h"
#include "server/http/upload.h"

namespace w2v::server {

class ModelImport : public UploadHandler {
 public:
  ModelImport(AppContext& app, std::string name, VectorsFormat format);
  ~ModelImport() override;

  void on_data(std::string_view chunk) override;
  Response on_complete() override;
  void on_abort() noexcept override;

  static std::unique_ptr<UploadHandler> create(AppContext& app, const Request& req);

 private:
  AppContext& app_;
  std::string id_;
  std::string name_;
  VectorsFormat format_;
  std::string temp_dir_;
  std::unique_ptr<AtomicFile> upload_;
  bool finished_ = false;
};

}  // namespace w2v::server
