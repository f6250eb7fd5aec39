#include "server/http/request_head.h"

#include <string_view>

#include "core/base/ascii.h"
#include "proto/api_error.h"

namespace w2v::server {

namespace {

// The path and query of a target in origin-form ("/p?q") or absolute-form ("http://h/p?q").
std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
  if (target.starts_with("http://") || target.starts_with("https://")) {
    std::size_t slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  std::size_t qmark = target.find('?');
  if (qmark == std::string_view::npos) return {target, {}};
  return {target.substr(0, qmark), target.substr(qmark + 1)};
}

// Takes r by reference, not by value: the answer is built from r.request (method, path) as an
// argument, and an argument moving r could run first (the order is unspecified; clang moves
// first, and the 404 read "no route for  ").
RoutedRequest answered(RoutedRequest& r, Response answer) {
  r.answer = std::move(answer);
  r.route = nullptr;
  return std::move(r);
}

}  // namespace

Response error_response(int status, const std::string& code, const std::string& message) {
  return Response::json(status, proto::error_body(code, message));
}

Response error_response(const proto::ApiError& e) {
  Response r = error_response(e.status(), e.code(), e.what());
  if (e.status() == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

Response payload_too_large(std::uint64_t limit) {
  return error_response(
      413, "payload_too_large",
      "the request body is larger than the limit of " + std::to_string(limit) + " bytes");
}

bool is_json_media_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  return ascii_lower(t) == "application/json";
}

RoutedRequest route_request(RequestHead head, const Router& router, const AuthorizeHook& authorize,
                            const HeadLimits& limits, std::string request_id, std::string remote,
                            const AdmitHook& admit) {
  RoutedRequest out;
  Request& req = out.request;
  req.request_id = std::move(request_id);
  req.remote = std::move(remote);
  req.method = std::move(head.method);
  req.target = std::move(head.target);
  for (auto& [name, value] : head.fields) {
    auto [it, inserted] = req.headers.emplace(ascii_lower(name), value);
    if (!inserted) {
      it->second += ", ";
      it->second += value;
    }
  }

  auto [raw_path, raw_query] = split_target(req.target);
  if (raw_path.empty() || raw_path.front() != '/') {
    return answered(out, error_response(400, "bad_request",
                                        "the request target must be a path starting "
                                        "with /"));
  }
  // Split on '/' first, then each segment decoded (once), so an encoded slash ("and%2For")
  // stays inside its segment for routing while the path reads "and/or".
  auto segments = decode_path_segments(raw_path);
  if (!segments) {
    return answered(
        out, error_response(400, "invalid_argument", "the path has a malformed percent-escape"));
  }
  for (const auto& s : *segments) {
    req.path += '/';
    req.path += s;
  }
  auto query = parse_query(raw_query);
  if (!query) {
    return answered(out, error_response(400, "invalid_argument",
                                        "the query string has a malformed percent-escape"));
  }
  req.query = std::move(*query);

  if (authorize) {
    if (auto refusal = authorize(req)) return answered(out, std::move(*refusal));
  }

  auto match = router.match_segments(req.method, *segments);
  if (match.route == nullptr) {
    if (match.allowed.empty()) {
      return answered(
          out, error_response(404, "not_found", "no route for " + req.method + " " + req.path));
    }
    std::string allow;
    for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    Response r =
        error_response(405, "method_not_allowed",
                       req.method + " is not allowed on " + req.path + "; allowed: " + allow);
    r.headers.emplace_back("Allow", allow);
    return answered(out, std::move(r));
  }
  out.route = match.route;
  req.params = std::move(match.params);
  if (admit) {
    if (auto refusal = admit(req, *out.route)) return answered(out, std::move(*refusal));
  }
  if (out.route->json_body && !is_json_media_type(req.header("content-type").value_or(""))) {
    const auto type = req.header("content-type");
    return answered(out, error_response(415, "unsupported_media_type",
                                        req.method + " " + out.route->pattern +
                                            " takes a JSON body: send 'Content-Type: "
                                            "application/json' (curl: -H 'Content-Type: "
                                            "application/json'); got " +
                                            (type ? "'" + *type + "'" : "no Content-Type")));
  }

  if (out.route->upload) {
    // A request with neither header has an empty body (RFC 9112 section 6.3), which is fine
    // for ordinary routes (`curl -X POST .../cancel`); an upload must say how it is framed.
    if (!head.content_length && !head.chunked) {
      return answered(out,
                      error_response(411, "length_required",
                                     req.method + " of an upload needs a Content-Length header or "
                                                  "Transfer-Encoding: chunked"));
    }
    out.body_limit = limits.max_upload_bytes;
  } else {
    out.body_limit = out.route->document_body ? limits.max_document_bytes : limits.max_body_bytes;
  }
  if (head.content_length && *head.content_length > out.body_limit) {
    return answered(out, payload_too_large(out.body_limit));
  }
  return out;
}

}  // namespace w2v::server
