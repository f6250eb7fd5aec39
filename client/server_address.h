#pragma once
// The client's base URL (--server, W2VD_URL): http://host[:port][/prefix], IPv6 hosts as
// [addr]:port. Anything else (another scheme, credentials, a query) is refused with a message
// saying what to write instead.

#include <string>

namespace w2v::client {

// What base_url says: where to connect, what to send as Host, a path prefix for every target.
struct ServerAddress {
  std::string host;       // without brackets for IPv6
  std::string port;       // numeric
  std::string authority;  // host[:port] as written, for the Host header
  std::string prefix;     // "" or "/some/path" (no trailing slash)
  std::string url;        // base_url without a trailing slash, for messages
};

// Throws std::invalid_argument naming base_url and what is wrong with it.
ServerAddress parse_base_url(const std::string& base_url);

}  // namespace w2v::client
