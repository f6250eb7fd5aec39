#include "server/handlers/model_import.h"

#include <spdlog/spdlog.h>

#include "proto/api_error.h"
#include "proto/json_text.h"
#include "proto/requests.h"
#include "server/handlers/blocking_work.h"
#include "server/jobs/memory_budget.h"
#include "server/store/storage_errors.h"

namespace w2v::server {

using proto::ApiError;

std::unique_ptr<UploadHandler> ModelImport::create(AppContext& app, const Request& req) {
  const std::string f = req.query_param("format").value_or("binary");
  const auto format = parse_vectors_format(f);
  if (!format) throw ApiError::bad_request("format must be binary or text, got " + f);
  const std::string encoding = req.header("content-encoding").value_or("identity");
  if (encoding != "identity") {
    throw ApiError(415, "unsupported_encoding", "model imports take no Content-Encoding");
  }
  std::string name = req.query_param("name").value_or("");
  proto::check_name("name", name);
  auto lease = app.pool.try_lease();
  if (!lease) throw pool_full_error(app);
  auto import = std::make_unique<ModelImport>(app, std::move(name), *format, std::move(lease));
  import->request_id_ = req.request_id;
  return import;
}

ModelImport::ModelImport(AppContext& app, std::string name, VectorsFormat format,
                         std::unique_ptr<BlockingPool::Lease> lease)
    : app_(app),
      lease_(std::move(lease)),
      id_(new_id("m")),
      name_(std::move(name)),
      format_(format),
      temp_dir_(app.dirs.make_temp_dir()) {
  if (name_.empty()) name_ = id_;
  upload_ = std::make_unique<AtomicFile>(temp_dir_ + "/upload");
}

ModelImport::~ModelImport() {
  if (!finished_) on_abort();
}

void ModelImport::on_data(std::string_view chunk) {
  try {
    upload_->write(chunk);
  } catch (...) {
    on_abort();  // before the answer: a 507 means nothing is left
    rethrow_as_storage_error("the model", app_.dirs.root());
  }
}

void ModelImport::on_complete_async(Completion done) {
  complete_on_pool(*lease_, *this, request_id_, done);
}

Response ModelImport::on_complete() {
  try {
    upload_->commit();
  } catch (...) {
    on_abort();  // before the answer: a 507 means nothing is left
    rethrow_as_storage_error("the model", app_.dirs.root());
  }
  const std::string uploaded = temp_dir_ + "/upload";
  WordVectors wv;
  try {
    check_vectors_file_memory(uploaded, max_job_memory(app_.config.max_job_memory));
    wv = load_vectors_file(uploaded, format_);
  } catch (const VectorsFormatError& e) {
    std::string what = e.what();
    if (what.rfind(uploaded, 0) == 0) what = what.substr(uploaded.size() + 2);  // drop the path
    throw ApiError::bad_request(
        "not valid word2vec " + std::string(to_string(format_)) + " vectors: " + what,
        "invalid_vectors");
  }
  DataDir::remove_all(uploaded);
  std::vector<std::string_view> words(wv.words.begin(), wv.words.end());
  try {
    save_vectors_file(temp_dir_ + "/vectors.bin", words, wv.vectors, VectorsFormat::kBinary);
    app_.dirs.publish_dir(temp_dir_, app_.dirs.model_dir(id_));
  } catch (...) {
    on_abort();  // before the answer: a 507 means nothing is left
    rethrow_as_storage_error("the model", app_.dirs.root());
  }
  finished_ = true;

  proto::ModelRecord m;
  m.id = id_;
  m.name = name_;
  m.vocab_size = wv.words.size();
  m.dim = static_cast<int>(wv.vectors.cols());
  m.source = "imported";
  m.created_at = proto::now_rfc3339();
  try {
    app_.store.insert_model(m);
  } catch (...) {
    DataDir::remove_all(app_.dirs.model_dir(id_));
    throw;
  }
  spdlog::info("model {} imported: {} words x {}", id_, m.vocab_size, m.dim);
  Response r = Response::json(201, proto::dump(proto::to_json(m)));
  r.headers.emplace_back("Location", "/v1/models/" + id_);
  return r;
}

void ModelImport::on_abort() noexcept {
  if (finished_) return;
  finished_ = true;
  upload_.reset();
  DataDir::remove_all(temp_dir_);
}

}  // namespace w2v::server
