#include "server/handlers/model_import.h"

#include "proto/api_error.h"
#include "proto/json_text.h"
#include "proto/requests.h"
#include "server/handlers/blocking_work.h"

namespace w2v::server {

using proto::ApiError;

std::unique_ptr<UploadHandler> ModelImport::create(AppContext& app, const Request& req) {
  const auto format = proto::parse_model_file_format(req.query_param("format"));
  const std::string encoding = req.header("content-encoding").value_or("identity");
  if (encoding != "identity") {
    throw ApiError(415, "unsupported_encoding", "model imports take no Content-Encoding");
  }
  std::string name = req.query_param("name").value_or("");
  proto::check_name("name", name);
  auto lease = app.pool.try_lease();
  if (!lease) throw pool_full_error(app);
  auto import = std::make_unique<ModelImport>(app, std::move(name), format, std::move(lease));
  import->request_id_ = req.request_id;
  return import;
}

ModelImport::ModelImport(AppContext& app, std::string name, proto::ModelFileFormat format,
                         std::unique_ptr<BlockingPool::Lease> lease)
    : app_(app),
      lease_(std::move(lease)),
      name_(std::move(name)),
      format_(format),
      draft_(app.model_service.draft()) {}

// The draft leaves nothing behind unless published.
ModelImport::~ModelImport() = default;

void ModelImport::on_data(std::string_view chunk) {
  draft_.write(chunk);  // a 507 discards it first: nothing is left
}

void ModelImport::on_complete_async(Completion done) {
  complete_on_pool(*lease_, *this, request_id_, done);
}

Response ModelImport::on_complete() {
  const proto::ModelRecord m = app_.model_service.import(draft_, format_, name_);
  Response r = Response::json(201, proto::dump(proto::to_json(m)));
  r.headers.emplace_back("Location", "/v1/models/" + m.id);
  return r;
}

void ModelImport::on_abort() noexcept {
  draft_.discard();
}

}  // namespace w2v::server
