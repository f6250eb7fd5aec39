// Fuzzes the request-target decoding of every request: percent_decode, parse_query and
// Router::match_encoded (server/http/request.h, router.h). Properties: encoding any bytes and
// decoding gives them back; a query string that parses, written again from its decoded pairs,
// parses to the same pairs; a path that matches a route with parameters, rebuilt from the
// pattern and the re-encoded parameters, matches the same route with the same parameters.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>

#include "fuzz/fuzz_support.h"
#include "server/http/request.h"
#include "server/http/router.h"

namespace {

using namespace w2v::server;

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

const Router& router() {
  static const Router r = [] {
    Router r;
    const Handler ok = [](Request&) { return Response::json(200, "{}"); };
    for (const char* pattern :
         {"/v1/corpora", "/v1/corpora/{id}", "/v1/models/{id}", "/v1/models/{id}/words/{word}",
          "/v1/models/{id}/similar", "/v1/jobs/{id}/events", "/v1/models/{id}/words/count"}) {
      r.add("GET", pattern, ok);
    }
    r.add("DELETE", "/v1/models/{id}", ok);
    return r;
  }();
  return r;
}

std::string rebuild(const Route& route, const std::map<std::string, std::string>& params) {
  std::string path;
  for (const std::string& seg : route.segments) {
    path += '/';
    const bool is_param = seg.size() >= 2 && seg.front() == '{';
    path += is_param ? percent_encode(params.at(seg.substr(1, seg.size() - 2))) : seg;
  }
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const bool plus_is_space = in.ConsumeBool();
  const std::string method = in.ConsumeBool() ? "GET" : "DELETE";
  const std::string text = in.ConsumeRemainingBytesAsString();

  FUZZ_CHECK(percent_decode(percent_encode(text), plus_is_space) == text);
  if (const auto decoded = percent_decode(text, plus_is_space)) {
    FUZZ_CHECK(decoded->size() <= text.size());
  }

  if (const auto query = parse_query(text)) {
    std::string again;
    for (const auto& [key, value] : *query) {
      again += percent_encode(key) + "=" + percent_encode(value) + "&";
    }
    FUZZ_CHECK(parse_query(again) == query);
  }

  const auto match = router().match_encoded(method, text);
  if (match && match->route != nullptr) {
    FUZZ_CHECK(match->route->method == method);
    const auto again = router().match_encoded(method, rebuild(*match->route, match->params));
    FUZZ_CHECK(again && again->route == match->route && again->params == match->params);
  } else if (match) {
    for (const std::string& allowed : match->allowed) FUZZ_CHECK(allowed != method);
  }
  return 0;
}
