#include "client/server_address.h"

#include <stdexcept>

#include "core/base/ascii.h"

namespace w2v::client {
namespace {

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

ServerAddress parse_base_url(const std::string& base_url) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("invalid server URL '" + base_url + "': " + why);
  };
  const std::string scheme = "http://";
  if (ascii_lower(base_url.substr(0, scheme.size())) != scheme) {
    const auto sep = base_url.find("://");
    if (sep != std::string::npos) {
      throw bad("unsupported scheme " + base_url.substr(0, sep) +
                "://; only http:// is supported (for TLS put a reverse proxy in front of w2vd "
                "and reach it over a trusted network)");
    }
    throw bad("expected http://host:port");
  }
  ServerAddress a;
  const std::string rest = base_url.substr(scheme.size());
  const auto path_start = rest.find_first_of("/?#");
  a.authority = rest.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "" : rest.substr(path_start);
  if (path.find_first_of("?#") != std::string::npos)
    throw bad("a query or fragment is not allowed");
  while (!path.empty() && path.back() == '/') path.pop_back();
  a.prefix = path;
  if (a.authority.empty()) throw bad("no host");
  if (a.authority.find('@') != std::string::npos) {
    throw bad("credentials in the URL are not supported; use the token option");
  }
  std::string port;
  if (a.authority.front() == '[') {  // [IPv6]:port
    const auto close = a.authority.find(']');
    if (close == std::string::npos) throw bad("unterminated [IPv6 address]");
    a.host = a.authority.substr(1, close - 1);
    const std::string after = a.authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw bad("expected :port after ]");
      port = after.substr(1);
    }
  } else {
    const auto colon = a.authority.find(':');
    a.host = a.authority.substr(0, colon);
    if (colon != std::string::npos) {
      port = a.authority.substr(colon + 1);
      if (port.find(':') != std::string::npos) throw bad("write an IPv6 address as [addr]:port");
    }
  }
  if (a.host.empty()) throw bad("no host");
  if (port.empty()) port = "80";
  if (!all_digits(port) || port.size() > 5 || std::stoul(port) == 0 || std::stoul(port) > 65535) {
    throw bad("the port must be a number in [1, 65535], got '" + port + "'");
  }
  a.port = port;
  a.url = scheme + a.authority + a.prefix;
  return a;
}

}  // namespace w2v::client
