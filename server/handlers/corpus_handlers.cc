// /v1/corpora: parse, call server/services/corpus_service.h, answer with proto/.

#include "proto/answers.h"
#include "proto/json_text.h"
#include "proto/records.h"
#include "server/handlers/corpus_upload.h"
#include "server/handlers/routes.h"

namespace w2v::server {

void add_corpus_routes(Router& router, AppContext& app) {
  router.add_upload("POST", "/v1/corpora",
                    [&app](const Request& req) { return CorpusUpload::create(app, req); });

  router.add("GET", "/v1/corpora", [&app](Request&) {
    return Response::json(200, proto::dump(proto::corpora_to_json(app.corpus_service.list())));
  });

  router.add("GET", "/v1/corpora/{id}", [&app](Request& req) {
    return Response::json(200,
                          proto::dump(proto::to_json(app.corpus_service.get(req.param("id")))));
  });

  router.add("DELETE", "/v1/corpora/{id}", [&app](Request& req) {
    app.corpus_service.remove(req.param("id"));
    return Response::no_content();
  });
}

}  // namespace w2v::server
