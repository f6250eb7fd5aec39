#pragma once
// The step from a parsed request head to a routed Request, as a pure function: target parsing
// (origin- and absolute-form), percent-decoding once, the authorize hook, routing (404/405) and
// the framing checks that need the route (411, 413 by Content-Length). No sockets, no Beast:
// unit-tested on its own (tests/server/request_head_test.cc).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/api_error.h"
#include "server/http/request.h"
#include "server/http/response.h"
#include "server/http/router.h"

namespace w2v::server {

// What the HTTP parser saw of a request before its body.
struct RequestHead {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> fields;  // as received, in order
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
};

struct HeadLimits {
  std::uint64_t max_body_bytes = 0;      // ordinary routes (JSON requests)
  std::uint64_t max_document_bytes = 0;  // ordinary routes whose body is a document
  std::uint64_t max_upload_bytes = 0;    // upload routes
};

struct RoutedRequest {
  Request request;                 // every field but body filled
  const Route* route = nullptr;    // the matched route; null when answer is set
  std::optional<Response> answer;  // send this instead of reading a body and calling the route
  std::uint64_t body_limit = 0;    // the most body bytes the route accepts (once routed)
};

using AuthorizeHook = std::function<std::optional<Response>(const Request&)>;
// After routing (path parameters filled), before any body is read.
using AdmitHook = std::function<std::optional<Response>(const Request&, const Route&)>;

// Builds the Request (with request_id and remote as given) and routes it. Exceptions of the
// hooks propagate (a proto::ApiError is the caller's error response).
RoutedRequest route_request(RequestHead head, const Router& router, const AuthorizeHook& authorize,
                            const HeadLimits& limits, std::string request_id, std::string remote,
                            const AdmitHook& admit = {});

// Whether a Content-Type value is application/json (any case, with or without parameters).
bool is_json_media_type(std::string_view content_type);

// The JSON error responses of the HTTP layer.
Response error_response(int status, const std::string& code, const std::string& message);
// The answer to a proto::ApiError from application code; a 503 (overloaded, busy, store
// unavailable) says when to retry (Retry-After: 1).
Response error_response(const proto::ApiError& e);
Response payload_too_large(std::uint64_t limit);

}  // namespace w2v::server
