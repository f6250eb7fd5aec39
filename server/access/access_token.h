#pragma once
// The token /v1 requires, and how a request presents it. A daemon that listens on an address
// other than loopback with no --token is not left open: it generates a token at its first start,
// keeps it in the data directory (mode 0600, reused at every restart) and requires it, unless
// --no-auth says a proxy in front checks who may come in.

#include <string>
#include <string_view>

#include "server/runtime/config.h"
#include "server/store/data_dir.h"

namespace w2v::server {

struct AccessToken {
  std::string token;       // empty: /v1 is open
  bool generated = false;  // read from, or written to, file
  std::string file;        // the generated token's file
};

// Whether bind is a loopback address (127.0.0.0/8, ::1, localhost): only this machine reaches it.
bool is_loopback_address(const std::string& bind);

// config.token when set; else, on a non-loopback bind without --no-auth, the token kept in
// dirs' token file, made (random, 0600) when missing. Throws std::runtime_error when the file
// cannot be read or written.
AccessToken resolve_access_token(const ServerConfig& config, const DataDir& dirs);

// Whether an Authorization header value presents token: the scheme "Bearer" in any case, one or
// more spaces, then the token, compared in constant time.
bool bearer_matches(std::string_view authorization, const std::string& token);

}  // namespace w2v::server
