#include <string>

#include "core/base/isa.h"
#include "proto/answers.h"
#include "server/handlers/routes.h"

namespace w2v::server {

void add_system_routes(Router& router, AppContext& app) {
  // The instruction set of the kernels, from a fixed set of names (core/base/isa.h).
  router.add("GET", "/healthz", [](Request&) {
    return Response::json(200, proto::health_body(to_string(active_isa())));
  });

  router.add("GET", "/readyz", [&app](Request&) {
    // Ready when the store answers.
    app.store.schema_version();
    return Response::json(200, proto::ready_body());
  });

  router.add("GET", "/metrics", [&app](Request&) {
    return Response::text(200, app.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });

  router.add("GET", "/v1/openapi.yaml",
             [](Request&) { return Response::text(200, kOpenApiYaml, "application/yaml"); });
}

}  // namespace w2v::server
