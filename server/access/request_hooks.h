#pragma once
// What every request goes through before its handler: where it comes from (the Host allow-list,
// no cross-site writes: server/http/origin_guard.h), the token on /v1 (slowed down after wrong
// guesses: auth_throttle.h), its query string within bounds, and, once routed, its ids of
// the right shape before any handler builds a path from them.

#include <memory>
#include <string>

#include "server/access/access_token.h"
#include "server/http/http_server.h"
#include "server/runtime/config.h"
#include "server/runtime/metrics.h"

namespace w2v::server {

HttpHooks make_hooks(const ServerConfig& config, const AccessToken& token, Metrics& metrics);

}  // namespace w2v::server
