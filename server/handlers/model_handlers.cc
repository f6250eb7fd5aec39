#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>

#include "core/io/vectors_io.h"
#include "proto/api_error.h"
#include "proto/json_text.h"
#include "server/handlers/blocking_work.h"
#include "server/handlers/model_import.h"
#include "server/handlers/routes.h"
#include "server/store/broken_rows.h"

namespace w2v::server {

using proto::ApiError;

namespace {

proto::ModelRecord model_or_404(Store& store, const std::string& id) {
  auto m = store.model(id);
  if (!m) throw proto::not_found_error(proto::Resource::kModel, id);
  return *m;
}

Response text_file(const std::string& path, const std::string& id) {
  Response r;
  r.file_path = path;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + id + ".txt\"");
  return r;
}

// Text exports being written: one writer per model, others of the same model wait for it.
class ExportsInProgress {
 public:
  class Claim {
   public:
    Claim(ExportsInProgress& exports, std::string id) : exports_(exports), id_(std::move(id)) {
      std::unique_lock lock(exports_.mutex_);
      exports_.done_.wait(lock, [&] { return exports_.ids_.count(id_) == 0; });
      exports_.ids_.insert(id_);
    }
    ~Claim() {
      {
        std::lock_guard lock(exports_.mutex_);
        exports_.ids_.erase(id_);
      }
      exports_.done_.notify_all();
    }
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;

   private:
    ExportsInProgress& exports_;
    std::string id_;
  };

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  std::set<std::string> ids_;
};

// The text export is made once, on the first request for it, on the blocking pool; requests
// for the same model's export while it is being written wait for it (on the pool).
Response text_export(AppContext& app, Request& req, const std::string& id) {
  const std::string path = app.dirs.model_text(id);
  if (std::filesystem::exists(path)) return text_file(path, id);
  return on_blocking_pool(app, req, [&app, id, path](const Request&) {
    static ExportsInProgress exports;
    const ExportsInProgress::Claim claim(exports, id);
    if (!std::filesystem::exists(path)) {
      // The cache asks the store: a model deleted since the request began is not exported.
      const auto emb = app.models.get(id);
      if (!emb) throw proto::not_found_error(proto::Resource::kModel, id);
      std::vector<std::string_view> words(emb->words().begin(), emb->words().end());
      try {
        save_vectors_file(path, words, emb->vectors(), VectorsFormat::kText);
      } catch (const std::exception&) {
        // Deleted while it was written (its directory went with it)?
        if (!app.store.model(id)) throw proto::not_found_error(proto::Resource::kModel, id);
        throw;
      }
    }
    return text_file(path, id);
  });
}

}  // namespace

void add_model_routes(Router& router, AppContext& app) {
  router.add("GET", "/v1/models", [&app](Request&) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : app.store.models()) list.push_back(proto::to_json(m));
    return Response::json(200, proto::dump({{"models", list}}));
  });

  router.add_upload("POST", "/v1/models",
                    [&app](const Request& req) { return ModelImport::create(app, req); });

  router.add("GET", "/v1/models/{id}", [&app](Request& req) {
    return Response::json(200,
                          proto::dump(proto::to_json(model_or_404(app.store, req.param("id")))));
  });

  router.add_json("PATCH", "/v1/models/{id}", [&app](Request& req) {
    const std::string& id = req.param("id");
    const auto patch = proto::parse_model_patch(proto::parse_json_body(req.body));
    const auto m = app.settings.update(id, patch);
    if (!m) throw proto::not_found_error(proto::Resource::kModel, id);
    spdlog::info("model {} updated: name {}, search {}", id,
                 proto::dump(proto::json_string(m->name)), m->search);
    return Response::json(200, proto::dump(proto::to_json(*m)));
  });

  router.add("DELETE", "/v1/models/{id}", [&app](Request& req) {
    const std::string& id = req.param("id");
    switch (app.store.delete_model(id)) {
      case DeleteResult::kNotFound:
        throw proto::not_found_error(proto::Resource::kModel, id);
      case DeleteResult::kInUse:
        throw ApiError::conflict("model " + id +
                                     " is the init_model of a queued or running job; cancel the "
                                     "job or wait for it to finish",
                                 "model_in_use");
      case DeleteResult::kDeleted:
        break;
    }
    app.models.evict(id);
    app.settings.forget(id);
    DataDir::remove_all(app.dirs.model_dir(id));
    spdlog::info("model {} deleted", id);
    return Response::no_content();
  });

  router.add("GET", "/v1/models/{id}/vectors", [&app](Request& req) {
    const proto::ModelRecord m = model_or_404(app.store, req.param("id"));
    const std::string f = req.query_param("format").value_or("binary");
    const auto format = parse_vectors_format(f);
    if (!format) throw ApiError::bad_request("format must be binary or text, got " + f);
    refuse_if_broken(m);
    if (*format == VectorsFormat::kText) return text_export(app, req, m.id);
    // Sent as it is: a file gone or cut since the start-up sweep is found out here (its header).
    if (const auto why = model_files_problem(app.dirs, m)) mark_model_broken(app.store, m.id, *why);
    Response r;
    r.file_path = app.dirs.model_vectors(m.id);
    r.content_type = "application/octet-stream";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + m.id + ".bin\"");
    return r;
  });
}

}  // namespace w2v::server
