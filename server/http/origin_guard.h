#pragma once
// Where a request says it comes from, as a browser tells it: the Host header against an
// allow-list (a page whose name an attacker's DNS points at 127.0.0.1, "DNS rebinding", sends
// its own name), and the Origin and Sec-Fetch-Site headers of writes (a page on another site,
// or another port, posting to the daemon). Programs (curl, w2vctl) send neither Origin nor
// Sec-Fetch-Site and a Host naming the address they connected to, so they pass.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/request.h"
#include "server/http/response.h"

namespace w2v::server {

class HostAllowList {
 public:
  // The names 127.0.0.1, localhost and [::1], the bind address when it is not a wildcard
  // (0.0.0.0, ::), and extra; each with any port. "*" in extra turns the check off.
  HostAllowList(const std::string& bind, const std::vector<std::string>& extra);

  // Whether a Host header value ("name", "name:port", "[v6]:port") names an allowed host.
  bool allows(std::string_view host_header) const;
  bool any() const noexcept { return any_; }
  const std::vector<std::string>& names() const noexcept { return names_; }

 private:
  std::vector<std::string> names_;  // lower-case, IPv6 in brackets, no port
  bool any_ = false;
};

// The host part of a Host header value, lower-cased and without its port ("[::1]:80" ->
// "[::1]"); nullopt when it is malformed (a port that is not digits, an open bracket).
std::optional<std::string> host_of(std::string_view host_header);

// 421 when the Host header names a host not allowed; 403 when a request other than GET and
// HEAD comes from another site (Sec-Fetch-Site other than same-origin and none) or another
// origin (an Origin other than this request's own scheme://Host); nullopt when it may proceed.
// Each refusal names the header and the flag (--allowed-hosts) in its message.
std::optional<Response> check_origin(const Request& req, const HostAllowList& hosts);

}  // namespace w2v::server
