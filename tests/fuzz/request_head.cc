// Fuzzes the step from a parsed request head to a routed Request: route_request
// (server/http/request_head.h) with any method, target, header fields, Content-Length and
// chunked flag, against a router holding the daemon's route patterns with their kinds (ordinary,
// document, upload) and an authorize hook shaped like the daemon's (a bearer token on /v1, then
// the query-string bounds, which throw proto::ApiError). Properties:
// - nothing escapes but the hook's proto::ApiError, which is a 400 with a message;
// - an answered request has no route, a 4xx status and a JSON body {"error":{"code","message"}};
//   a 405 names the allowed methods, a 411 is an upload without framing, a 413 a Content-Length
//   over the limit of the route's kind, a 401 a guarded path without the token;
// - a routed request has the route of its method, its path parameters are exactly the pattern's
//   and each is its segment of the target decoded once, its literal segments match, its query is
//   the target's query decoded, its header names are lower-cased with every value kept;
// - body_limit is the limit of the route's kind, and no Content-Length above it gets through.
#include "server/http/request_head.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "proto/api_error.h"
#include "proto/json_text.h"
#include "proto/requests.h"

namespace {

using namespace w2v::server;

enum class Kind { kOrdinary, kDocument, kUpload };

struct Pattern {
  const char* method;
  const char* pattern;
  Kind kind;
};

// The daemon's routes (server/handlers/*.cc; tests/server/openapi_test.cc checks them against
// proto/openapi.yaml).
constexpr Pattern kRoutes[] = {
    {"GET", "/healthz", Kind::kOrdinary},
    {"GET", "/readyz", Kind::kOrdinary},
    {"GET", "/metrics", Kind::kOrdinary},
    {"GET", "/v1/openapi.yaml", Kind::kOrdinary},
    {"POST", "/v1/corpora", Kind::kUpload},
    {"GET", "/v1/corpora", Kind::kOrdinary},
    {"GET", "/v1/corpora/{id}", Kind::kOrdinary},
    {"DELETE", "/v1/corpora/{id}", Kind::kOrdinary},
    {"POST", "/v1/jobs", Kind::kOrdinary},
    {"GET", "/v1/jobs", Kind::kOrdinary},
    {"GET", "/v1/jobs/{id}", Kind::kOrdinary},
    {"POST", "/v1/jobs/{id}/cancel", Kind::kOrdinary},
    {"GET", "/v1/jobs/{id}/events", Kind::kOrdinary},
    {"GET", "/v1/jobs/{id}/history", Kind::kOrdinary},
    {"GET", "/v1/params", Kind::kOrdinary},
    {"GET", "/", Kind::kOrdinary},
    {"GET", "/ui/", Kind::kOrdinary},
    {"GET", "/ui/{file}", Kind::kOrdinary},
    {"GET", "/v1/models", Kind::kOrdinary},
    {"POST", "/v1/models", Kind::kUpload},
    {"GET", "/v1/models/{id}", Kind::kOrdinary},
    {"PATCH", "/v1/models/{id}", Kind::kOrdinary},
    {"DELETE", "/v1/models/{id}", Kind::kOrdinary},
    {"GET", "/v1/models/{id}/vectors", Kind::kOrdinary},
    {"GET", "/v1/models/{id}/words", Kind::kOrdinary},
    {"GET", "/v1/models/{id}/map", Kind::kOrdinary},
    {"GET", "/v1/models/{id}/words/{word}", Kind::kOrdinary},
    {"GET", "/v1/models/{id}/similar", Kind::kOrdinary},
    {"POST", "/v1/models/{id}/similar", Kind::kOrdinary},
    {"GET", "/v1/models/{id}/similarity", Kind::kOrdinary},
    {"POST", "/v1/models/{id}/analogy", Kind::kOrdinary},
    {"POST", "/v1/models/{id}/evaluate", Kind::kDocument},
};

constexpr const char* kMethods[] = {"GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"};
constexpr const char* kFieldNames[] = {"Authorization", "Content-Type", "content-encoding",
                                       "X-Request-Id", "Accept"};
constexpr const char* kToken = "Bearer s3cret";

class NoUpload : public UploadHandler {
 public:
  void on_data(std::string_view) override {}
  Response on_complete() override { return Response::no_content(); }
  void on_abort() noexcept override {}
};

const Router& router() {
  static const Router r = [] {
    Router r;
    const Handler ok = [](Request&) { return Response::json(200, "{}"); };
    const UploadFactory upload = [](const Request&) { return std::make_unique<NoUpload>(); };
    for (const Pattern& p : kRoutes) {
      if (p.kind == Kind::kUpload) r.add_upload(p.method, p.pattern, upload);
      if (p.kind == Kind::kDocument) r.add_document(p.method, p.pattern, ok);
      if (p.kind == Kind::kOrdinary) r.add(p.method, p.pattern, ok);
    }
    return r;
  }();
  return r;
}

Kind kind_of(const Route& route) {
  for (const Pattern& p : kRoutes) {
    if (route.method == p.method && route.pattern == p.pattern) return p.kind;
  }
  FUZZ_CHECK(false);  // every route of the router is one of kRoutes
  return Kind::kOrdinary;
}

bool guarded(const std::string& path) {
  return path.starts_with("/v1/") || path == "/v1";
}

// The daemon's hook (server/app/app.cc make_hooks) with a token set or not.
AuthorizeHook hook(bool with_token) {
  return [with_token](const Request& req) -> std::optional<Response> {
    if (with_token && guarded(req.path) && req.header("authorization").value_or("") != kToken) {
      return Response::json(401, w2v::proto::error_body("unauthorized", "a token is required"));
    }
    w2v::proto::check_query_parameters(req.query);
    return std::nullopt;
  };
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The path and the query of a target as received, origin- or absolute-form.
std::pair<std::string_view, std::string_view> path_and_query(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.starts_with(scheme)) {
      const std::size_t slash = target.find('/', scheme.size());
      target = slash == std::string_view::npos ? "/" : target.substr(slash);
      break;
    }
  }
  const std::size_t qmark = target.find('?');
  if (qmark == std::string_view::npos) return {target, {}};
  return {target.substr(0, qmark), target.substr(qmark + 1)};
}

std::vector<std::string_view> split_on_slash(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);  // the leading '/'
  for (;;) {
    const std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

// A target for the fuzzer to work from: a route pattern with its parameters filled from the
// input (raw, so escapes good and bad), optionally a query and the absolute form.
std::string target_from_pattern(FuzzedDataProvider& in) {
  const Pattern& p = kRoutes[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kRoutes) - 1)];
  std::string target = in.ConsumeBool() ? "http://example.org" : "";
  std::string_view pattern = p.pattern;
  while (!pattern.empty()) {
    const std::size_t open = pattern.find('{');
    target += pattern.substr(0, open);
    if (open == std::string_view::npos) break;
    target += in.ConsumeRandomLengthString(64);
    pattern.remove_prefix(pattern.find('}', open) + 1);
  }
  if (in.ConsumeBool()) target += "?" + in.ConsumeRandomLengthString(256);
  return target;
}

void check_error_answer(const Response& answer) {
  FUZZ_CHECK(answer.status >= 400 && answer.status <= 499);
  FUZZ_CHECK(answer.content_type == "application/json");
  const auto body = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(body.is_object() && body.size() == 1 && body.contains("error"));
  const auto& error = body["error"];
  FUZZ_CHECK(error.is_object() && error.contains("code") && error.contains("message"));
  FUZZ_CHECK(error["code"].is_string() && !error["code"].get<std::string>().empty());
  FUZZ_CHECK(error["message"].is_string() && !error["message"].get<std::string>().empty());
}

std::optional<std::string> header_of(const Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  RequestHead head;
  head.method = in.ConsumeBool()
                    ? kMethods[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kMethods) - 1)]
                    : in.ConsumeRandomLengthString(16);
  head.target = in.ConsumeBool() ? target_from_pattern(in) : in.ConsumeRandomLengthString(512);
  const std::size_t fields = in.ConsumeIntegralInRange<std::size_t>(0, 6);
  for (std::size_t i = 0; i < fields; ++i) {
    std::string name =
        in.ConsumeBool()
            ? kFieldNames[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kFieldNames) - 1)]
            : in.ConsumeRandomLengthString(32);
    std::string value = in.ConsumeBool() ? kToken : in.ConsumeRandomLengthString(64);
    head.fields.emplace_back(std::move(name), std::move(value));
  }
  if (in.ConsumeBool()) head.content_length = in.ConsumeIntegral<std::uint64_t>();
  head.chunked = in.ConsumeBool();
  const bool with_token = in.ConsumeBool();
  HeadLimits limits;
  limits.max_body_bytes = in.ConsumeIntegral<std::uint32_t>();
  limits.max_document_bytes = in.ConsumeIntegral<std::uint32_t>();
  limits.max_upload_bytes = in.ConsumeIntegral<std::uint64_t>();

  const RequestHead sent = head;
  RoutedRequest routed;
  try {
    routed = route_request(std::move(head), router(), hook(with_token), limits, "req-1", "peer");
  } catch (const w2v::proto::ApiError& e) {
    // The hook's query-string bounds; route_request itself throws nothing.
    FUZZ_CHECK(e.status() == 400 && !std::string(e.what()).empty());
    return 0;
  }
  const Request& req = routed.request;
  FUZZ_CHECK(req.method == sent.method && req.target == sent.target);
  FUZZ_CHECK(req.request_id == "req-1" && req.remote == "peer");
  for (const auto& [name, value] : sent.fields) {
    const auto it = req.headers.find(lower(name));
    FUZZ_CHECK(it != req.headers.end() && it->second.find(value) != std::string::npos);
  }
  for (const auto& [name, value] : req.headers) FUZZ_CHECK(lower(name) == name);

  if (routed.answer) {
    FUZZ_CHECK(routed.route == nullptr);
    const Response& answer = *routed.answer;
    check_error_answer(answer);
    if (answer.status == 401) FUZZ_CHECK(with_token && guarded(req.path));
    if (answer.status == 405) FUZZ_CHECK(!header_of(answer, "Allow").value_or("").empty());
    if (answer.status == 411) FUZZ_CHECK(!sent.content_length && !sent.chunked);
    if (answer.status == 413) {
      FUZZ_CHECK(sent.content_length && *sent.content_length > routed.body_limit);
    }
    return 0;
  }

  FUZZ_CHECK(routed.route != nullptr && routed.route->method == sent.method);
  const Route& route = *routed.route;
  const auto [raw_path, raw_query] = path_and_query(sent.target);
  const auto raw_segments = split_on_slash(raw_path);
  FUZZ_CHECK(raw_segments.size() == route.segments.size());
  std::string path;
  std::size_t parameters = 0;
  for (std::size_t i = 0; i < raw_segments.size(); ++i) {
    const auto decoded = percent_decode(raw_segments[i], /*plus_is_space=*/false);
    FUZZ_CHECK(decoded.has_value());
    path += "/" + *decoded;
    const std::string& seg = route.segments[i];
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      const auto it = req.params.find(seg.substr(1, seg.size() - 2));
      FUZZ_CHECK(it != req.params.end() && it->second == *decoded && !decoded->empty());
      ++parameters;
    } else {
      FUZZ_CHECK(seg == *decoded);
    }
  }
  FUZZ_CHECK(req.params.size() == parameters);
  FUZZ_CHECK(req.path == path);
  FUZZ_CHECK(parse_query(raw_query) == req.query);

  switch (kind_of(route)) {
    case Kind::kOrdinary:
      FUZZ_CHECK(routed.body_limit == limits.max_body_bytes);
      break;
    case Kind::kDocument:
      FUZZ_CHECK(routed.body_limit == limits.max_document_bytes);
      break;
    case Kind::kUpload:
      FUZZ_CHECK(routed.body_limit == limits.max_upload_bytes);
      FUZZ_CHECK(sent.content_length || sent.chunked);
      break;
  }
  if (sent.content_length) FUZZ_CHECK(*sent.content_length <= routed.body_limit);
  if (with_token && guarded(req.path)) FUZZ_CHECK(req.header("authorization") == kToken);
  return 0;
}
