#include "server/access/request_hooks.h"

#include "proto/api_error.h"
#include "proto/json_text.h"
#include "proto/requests.h"
#include "server/access/auth_throttle.h"
#include "server/http/origin_guard.h"
#include "server/http/request_head.h"
#include "server/store/data_dir.h"

namespace w2v::server {

namespace {

Response unauthorized() {
  Response r = error_response(401, "unauthorized",
                              "this server requires 'Authorization: Bearer <token>' on /v1");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

Response too_many_guesses() {
  Response r = error_response(429, "too_many_attempts",
                              "too many wrong tokens from this address: wait a second and send "
                              "the right one");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// The {id} of /v1/<collection>/{id}... must have its collection's shape (data_dir.h, is_id):
// 404 otherwise, before any handler looks for it (and a path is built from it).
std::optional<Response> check_ids(const Request& req, const Route& route) {
  static const std::pair<const char*, const char*> kCollections[] = {
      {"/v1/models/{id}", "m"}, {"/v1/corpora/{id}", "c"}, {"/v1/jobs/{id}", "j"}};
  for (const auto& [prefix, kind] : kCollections) {
    if (!route.pattern.starts_with(prefix)) continue;
    const std::string& id = req.param("id");
    if (is_id(id, kind)) return std::nullopt;
    const std::string noun = kind[0] == 'm' ? "model" : kind[0] == 'c' ? "corpus" : "job";
    return error_response(404, noun + "_not_found",
                          "no " + noun + " " + proto::json_string(id) + " (" + noun + " ids are " +
                              kind + "_ followed by letters a-z and digits)");
  }
  return std::nullopt;
}

}  // namespace

HttpHooks make_hooks(const ServerConfig& config, const AccessToken& token, Metrics& metrics) {
  HttpHooks hooks;
  auto hosts = std::make_shared<const HostAllowList>(config.bind, config.allowed_hosts);
  auto throttle = std::make_shared<AuthThrottle>();
  hooks.authorize = [hosts, throttle, expected = token.token, metrics_auth = config.metrics_auth](
                        const Request& req) -> std::optional<Response> {
    // The probes answer any Host: orchestrators address them by the container's IP, and they
    // tell no one more than that w2vd runs (their other methods are 405s).
    const bool probe = req.path == "/healthz" || req.path == "/readyz";
    if (!probe) {
      if (auto refusal = check_origin(req, *hosts)) return refusal;
    }
    const bool guarded = req.path.starts_with("/v1/") || req.path == "/v1" ||
                         (metrics_auth && req.path == "/metrics");
    if (!expected.empty() && guarded) {
      const auto presented = req.header("authorization");
      if (!presented) return unauthorized();
      if (!throttle->may_try(req.remote)) return too_many_guesses();
      if (!bearer_matches(*presented, expected)) {
        throttle->failed(req.remote);
        return unauthorized();
      }
    }
    proto::check_query_parameters(req.query);
    return std::nullopt;
  };
  hooks.admit = [](const Request& req, const Route& route) { return check_ids(req, route); };
  hooks.observe = [&metrics](const Request& req, const std::string& route, int status,
                             double seconds, std::uint64_t) {
    metrics.observe_request(route, req.method, status, seconds);
  };
  return hooks;
}

}  // namespace w2v::server
