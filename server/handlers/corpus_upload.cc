#include "server/handlers/corpus_upload.h"

#include "core/base/ascii.h"
#include "proto/api_error.h"
#include "proto/json_text.h"
#include "proto/requests.h"
#include "server/handlers/blocking_work.h"

namespace w2v::server {

using proto::ApiError;

namespace {

// The media type without parameters: "text/plain; charset=utf-8" -> "text/plain".
std::string media_type(const std::string& content_type) {
  std::string t = ascii_lower(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

}  // namespace

std::unique_ptr<UploadHandler> CorpusUpload::create(AppContext& app, const Request& req) {
  const std::string type = media_type(req.header("content-type").value_or(""));
  if (!type.empty() && type.rfind("text/", 0) != 0 && type != "application/octet-stream") {
    throw ApiError(415, "unsupported_media_type",
                   "a corpus is plain text: send it with Content-Type: text/plain (got " + type +
                       "; with curl use --data-binary @file -H 'Content-Type: text/plain')");
  }
  const std::string encoding = ascii_lower(req.header("content-encoding").value_or("identity"));
  if (encoding != "identity" && encoding != "gzip") {
    throw ApiError(415, "unsupported_encoding",
                   "Content-Encoding must be gzip or identity, got " + encoding);
  }
  std::string name = req.query_param("name").value_or("");
  proto::check_name("name", name);
  auto lease = app.pool.try_lease();
  if (!lease) throw pool_full_error(app);
  auto upload =
      std::make_unique<CorpusUpload>(app, std::move(name), encoding == "gzip", std::move(lease));
  upload->request_id_ = req.request_id;
  return upload;
}

CorpusUpload::CorpusUpload(AppContext& app, std::string name, bool gzip,
                           std::unique_ptr<BlockingPool::Lease> lease)
    : app_(app),
      lease_(std::move(lease)),
      name_(std::move(name)),
      draft_(app.corpus_service.draft()) {
  if (gzip) inflater_ = std::make_unique<GzipInflater>();
}

// The draft leaves nothing behind unless published.
CorpusUpload::~CorpusUpload() = default;

void CorpusUpload::consume(std::string_view text) {
  if (draft_.bytes() + text.size() > app_.config.max_upload_bytes) {
    throw ApiError(413, "payload_too_large",
                   "the decompressed corpus exceeds the limit of " +
                       std::to_string(app_.config.max_upload_bytes) + " bytes");
  }
  draft_.write(text);  // a 507 discards it first: nothing is left
}

void CorpusUpload::on_data_async(std::string_view chunk,
                                 std::function<void(std::exception_ptr)> done) {
  // The connection keeps chunk, and this handler, until done is called.
  const bool posted = lease_->post([this, chunk, done] {
    std::exception_ptr error;
    try {
      on_data(chunk);
    } catch (...) {
      error = std::current_exception();  // an ApiError becomes the error response
    }
    done(error);
  });
  if (!posted) done(std::make_exception_ptr(shutting_down_error()));
}

void CorpusUpload::on_complete_async(Completion done) {
  complete_on_pool(*lease_, *this, request_id_, done);
}

void CorpusUpload::on_data(std::string_view chunk) {
  if (inflater_) {
    inflater_->feed(chunk, [this](std::string_view out) { consume(out); });
  } else {
    consume(chunk);
  }
}

Response CorpusUpload::on_complete() {
  if (inflater_ && !inflater_->complete()) {
    throw ApiError::bad_request("the gzip body is truncated", "invalid_gzip");
  }
  const proto::CorpusRecord record = app_.corpus_service.publish(draft_, name_);
  Response r = Response::json(201, proto::dump(proto::to_json(record)));
  r.headers.emplace_back("Location", "/v1/corpora/" + record.id);
  return r;
}

void CorpusUpload::on_abort() noexcept {
  draft_.discard();
}

}  // namespace w2v::server
