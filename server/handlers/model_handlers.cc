// /v1/models (records, import, export): parse, call server/services/model_service.h, answer
// with proto/.

#include "proto/answers.h"
#include "proto/api_error.h"
#include "proto/json_text.h"
#include "proto/requests.h"
#include "server/handlers/blocking_work.h"
#include "server/handlers/model_import.h"
#include "server/handlers/routes.h"

namespace w2v::server {

namespace {

// A model's file as a download named after the model: "<id>.bin", "<id>.txt" or
// "<id>.fasttext.bin".
Response vectors_file(const std::string& path, const std::string& id,
                      proto::ModelFileFormat format) {
  const bool text = format == proto::ModelFileFormat::kText;
  Response r;
  r.file_path = path;
  r.content_type = text ? "text/plain; charset=utf-8" : "application/octet-stream";
  const char* extension = text                                          ? ".txt"
                          : format == proto::ModelFileFormat::kFastText ? ".fasttext.bin"
                                                                        : ".bin";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + id + extension + "\"");
  return r;
}

}  // namespace

void add_model_routes(Router& router, AppContext& app) {
  router.add("GET", "/v1/models", [&app](Request&) {
    return Response::json(200, proto::dump(proto::models_to_json(app.model_service.list())));
  });

  router.add_upload("POST", "/v1/models",
                    [&app](const Request& req) { return ModelImport::create(app, req); });

  router.add("GET", "/v1/models/{id}", [&app](Request& req) {
    return Response::json(200, proto::dump(proto::to_json(app.model_service.get(req.param("id")))));
  });

  router.add_json("PATCH", "/v1/models/{id}", [&app](Request& req) {
    const auto patch = proto::parse_model_patch(proto::parse_json_body(req.body));
    return Response::json(
        200, proto::dump(proto::to_json(app.model_service.update(req.param("id"), patch))));
  });

  router.add("DELETE", "/v1/models/{id}", [&app](Request& req) {
    app.model_service.remove(req.param("id"));
    return Response::no_content();
  });

  // The text and fastText exports are written once, on the first request for them, on the
  // blocking pool.
  router.add("GET", "/v1/models/{id}/vectors", [&app](Request& req) {
    const proto::ModelRecord m = app.model_service.get(req.param("id"));
    const auto format = proto::parse_model_file_format(req.query_param("format"));
    switch (format) {
      case proto::ModelFileFormat::kBinary:
        return vectors_file(app.model_service.binary_vectors(m), m.id, format);
      case proto::ModelFileFormat::kText:
        if (const auto path = app.model_service.written_text_vectors(m))
          return vectors_file(*path, m.id, format);
        return on_blocking_pool(app, req, [&app, id = m.id, format](const Request&) {
          return vectors_file(app.model_service.text_vectors(id), id, format);
        });
      case proto::ModelFileFormat::kFastText:
        break;
    }
    return on_blocking_pool(app, req, [&app, m, format](const Request&) {
      return vectors_file(app.model_service.fasttext_file(m), m.id, format);
    });
  });
}

}  // namespace w2v::server
