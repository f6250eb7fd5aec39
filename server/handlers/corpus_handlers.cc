#include <spdlog/spdlog.h>

#include "proto/api_error.h"
#include "proto/json_text.h"
#include "server/handlers/corpus_upload.h"
#include "server/handlers/routes.h"

namespace w2v::server {

using proto::ApiError;

void add_corpus_routes(Router& router, AppContext& app) {
  router.add_upload("POST", "/v1/corpora",
                    [&app](const Request& req) { return CorpusUpload::create(app, req); });

  router.add("GET", "/v1/corpora", [&app](Request&) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : app.store.corpora()) list.push_back(proto::to_json(c));
    return Response::json(200, proto::dump({{"corpora", list}}));
  });

  router.add("GET", "/v1/corpora/{id}", [&app](Request& req) {
    const auto c = app.store.corpus(req.param("id"));
    if (!c) throw proto::not_found_error(proto::Resource::kCorpus, req.param("id"));
    return Response::json(200, proto::dump(proto::to_json(*c)));
  });

  router.add("DELETE", "/v1/corpora/{id}", [&app](Request& req) {
    const std::string& id = req.param("id");
    switch (app.store.delete_corpus(id)) {
      case DeleteResult::kNotFound:
        throw proto::not_found_error(proto::Resource::kCorpus, id);
      case DeleteResult::kInUse:
        throw ApiError::conflict(
            "corpus " + id + " is used by a queued or running job; cancel the job first",
            "corpus_in_use");
      case DeleteResult::kDeleted:
        break;
    }
    DataDir::remove_all(app.dirs.corpus_dir(id));
    spdlog::info("corpus {} deleted", id);
    return Response::no_content();
  });
}

}  // namespace w2v::server
