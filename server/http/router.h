#pragma once
// Maps (method, path) to handlers. Patterns are literal segments and {name} parameters:
// "/v1/models/{id}/words/{word}". A path that matches some pattern but not with this method is
// a 405 with the methods it allows; a path that matches none is a 404.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/request.h"
#include "server/http/response.h"
#include "server/http/upload.h"

namespace w2v::server {

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;                    // set for ordinary routes (body read whole, bounded)
  UploadFactory upload;               // set for streaming-upload routes
  bool document_body = false;         // an ordinary route whose body is a file, not JSON
  bool json_body = false;             // an ordinary route whose body is JSON (415 otherwise)
  std::vector<std::string> segments;  // the pattern split on '/'
};

// Splits a path as received ("/a/b%2Fc", starting with '/') on '/' and percent-decodes each
// segment: {"a", "b/c"}; nullopt when a segment has a malformed escape.
std::optional<std::vector<std::string>> decode_path_segments(std::string_view raw_path);

class Router {
 public:
  // An ordinary route: its body (a JSON request) is read whole, up to max_body_bytes.
  void add(std::string method, std::string pattern, Handler handler);
  // An ordinary route whose body is a JSON request: Content-Type must be application/json (else
  // 415), a type no page of another origin can send without the browser asking first (CORS).
  void add_json(std::string method, std::string pattern, Handler handler);
  // An ordinary route whose body is a document (an evaluation file), read whole up to the
  // larger max_document_bytes; its handler must not parse it on the I/O thread.
  void add_document(std::string method, std::string pattern, Handler handler);
  void add_upload(std::string method, std::string pattern, UploadFactory factory);

  struct Match {
    const Route* route = nullptr;  // null: no route for this method
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;  // methods of the path, when route is null
  };
  // Matches a decoded path. route == nullptr and allowed empty: 404; allowed non-empty: 405.
  Match match(const std::string& method, const std::string& path) const;
  // Matches a path as received (percent-encoded, without the query): split on '/' first, then
  // each segment decoded, so an encoded slash ("and%2For") stays inside its segment. This is
  // what the server uses. nullopt when a segment has a malformed escape.
  std::optional<Match> match_encoded(const std::string& method, std::string_view raw_path) const;
  // Matches a path given as its decoded segments (decode_path_segments).
  Match match_segments(const std::string& method, const std::vector<std::string>& segments) const;

  const std::vector<Route>& routes() const noexcept { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace w2v::server
