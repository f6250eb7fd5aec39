#pragma once
// The API's routes (docs/api.md, proto/openapi.yaml), one register function per resource.

#include "server/handlers/app_context.h"
#include "server/http/router.h"

namespace w2v::server {

void add_system_routes(Router& router, AppContext& app);  // /healthz /readyz /metrics openapi
void add_corpus_routes(Router& router, AppContext& app);  // /v1/corpora...
void add_job_routes(Router& router, AppContext& app);     // /v1/jobs... /v1/params
void add_model_routes(Router& router, AppContext& app);   // /v1/models... (records, import, export)
void add_query_routes(Router& router, AppContext& app);   // /v1/models/{id}/similar ... evaluate
void add_dashboard_routes(Router& router, AppContext& app);  // / /ui/... and the dashboard's data

inline void add_all_routes(Router& router, AppContext& app) {
  add_system_routes(router, app);
  add_corpus_routes(router, app);
  add_job_routes(router, app);
  add_model_routes(router, app);
  add_query_routes(router, app);
  add_dashboard_routes(router, app);
}

// The API description (proto/openapi.yaml, embedded at build time).
extern const char* const kOpenApiYaml;

}  // namespace w2v::server
