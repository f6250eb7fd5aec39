#pragma once
// An HTTP request as handlers see it: plain std types, no Boost.Beast, so handlers compile fast
// and can be tested without a network.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace w2v::server {

struct Request {
  std::string method;                             // "GET", "POST", ...
  std::string target;                             // as received: path and query, percent-encoded
  std::string path;                               // percent-decoded path, no query
  std::multimap<std::string, std::string> query;  // percent-decoded ('+' is a space)
  std::map<std::string, std::string> headers;     // names lower-cased
  std::map<std::string, std::string> params;      // path parameters, filled by the router
  std::string body;                               // empty for streamed uploads
  std::string request_id;
  std::string remote;

  // The path parameter name (the router guarantees it exists for the matched route).
  const std::string& param(const std::string& name) const { return params.at(name); }
  std::optional<std::string> query_param(const std::string& name) const;
  std::optional<std::string> header(const std::string& lower_name) const;
};

// Percent-decodes s (and '+' to space when plus_is_space); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);
// Splits "a=1&b=x%20y" into decoded pairs; nullopt on a malformed escape.
std::optional<std::multimap<std::string, std::string>> parse_query(std::string_view q);

}  // namespace w2v::server
