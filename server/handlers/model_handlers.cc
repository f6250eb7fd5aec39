// /v1/models (records, import, export): parse, call server/services/model_service.h, answer
// with proto/.

#include "core/io/vectors_io.h"
#include "proto/answers.h"
#include "proto/api_error.h"
#include "proto/json_text.h"
#include "proto/requests.h"
#include "server/handlers/blocking_work.h"
#include "server/handlers/model_import.h"
#include "server/handlers/routes.h"

namespace w2v::server {

namespace {

// A model's vectors file as a download named after the model: "<id>.txt" or "<id>.bin".
Response vectors_file(const std::string& path, const std::string& id, VectorsFormat format) {
  const bool text = format == VectorsFormat::kText;
  Response r;
  r.file_path = path;
  r.content_type = text ? "text/plain; charset=utf-8" : "application/octet-stream";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + id + (text ? ".txt" : ".bin") + "\"");
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

  // The text export is written once, on the first request for it, on the blocking pool.
  router.add("GET", "/v1/models/{id}/vectors", [&app](Request& req) {
    const proto::ModelRecord m = app.model_service.get(req.param("id"));
    const std::string f = req.query_param("format").value_or("binary");
    const auto format = parse_vectors_format(f);
    if (!format) throw proto::ApiError::bad_request("format must be binary or text, got " + f);
    if (*format == VectorsFormat::kBinary) {
      return vectors_file(app.model_service.binary_vectors(m), m.id, VectorsFormat::kBinary);
    }
    if (const auto path = app.model_service.written_text_vectors(m))
      return vectors_file(*path, m.id, VectorsFormat::kText);
    return on_blocking_pool(app, req, [&app, id = m.id](const Request&) {
      return vectors_file(app.model_service.text_vectors(id), id, VectorsFormat::kText);
    });
  });
}

}  // namespace w2v::server
