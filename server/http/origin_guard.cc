#include "server/http/origin_guard.h"

#include <algorithm>

#include "core/base/ascii.h"
#include "server/http/request_head.h"

namespace w2v::server {

namespace {

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An allow-list entry as the Host header would carry it: lower-case, an IPv6 literal in
// brackets, no port.
std::string normalised_name(std::string name) {
  name = ascii_lower(name);
  if (name.find(':') != std::string::npos && name.front() != '[') return "[" + name + "]";
  return name;
}

bool is_wildcard(const std::string& bind) {
  return bind.empty() || bind == "0.0.0.0" || bind == "::" || bind == "[::]" || bind == "*";
}

std::string lower_header(const Request& req, const std::string& name) {
  return ascii_lower(req.header(name).value_or(""));
}

// What a client that follows the link to the data sees when refused.
std::string allow_hint(const std::string& host) {
  return "start w2vd with --allowed-hosts " + host +
         " (or W2VD_ALLOWED_HOSTS) to allow it, or '*' behind a proxy that checks it";
}

}  // namespace

std::optional<std::string> host_of(std::string_view host_header) {
  std::string_view h = host_header;
  while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
  while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
  if (h.empty()) return std::nullopt;
  std::string_view name = h;
  std::string_view port;
  if (h.front() == '[') {
    const std::size_t close = h.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    name = h.substr(0, close + 1);
    std::string_view rest = h.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const std::size_t colon = h.find(':');
    if (colon != std::string_view::npos) {
      name = h.substr(0, colon);
      port = h.substr(colon + 1);
    }
  }
  if (name.empty() || !all_digits(port) || port.size() > 5) return std::nullopt;
  return ascii_lower(name);
}

HostAllowList::HostAllowList(const std::string& bind, const std::vector<std::string>& extra)
    : names_{"127.0.0.1", "localhost", "[::1]"} {
  if (!is_wildcard(bind)) names_.push_back(normalised_name(bind));
  for (const std::string& e : extra) {
    if (e == "*") any_ = true;
    if (!e.empty() && e != "*") names_.push_back(normalised_name(e));
  }
}

bool HostAllowList::allows(std::string_view host_header) const {
  if (any_) return true;
  const auto name = host_of(host_header);
  return name && std::find(names_.begin(), names_.end(), *name) != names_.end();
}

std::optional<Response> check_origin(const Request& req, const HostAllowList& hosts) {
  // A request without Host (HTTP/1.0) comes from no browser: the check is for what browsers
  // send on a page's behalf.
  const auto host = req.header("host");
  if (host && !hosts.allows(*host)) {
    const auto name = host_of(*host);
    return error_response(
        421, "host_not_allowed",
        "the Host header names '" + name.value_or("?") + "', which this server does not answer " +
            "to (a guard against DNS rebinding); " + allow_hint(name.value_or("NAME")));
  }
  if (req.method == "GET" || req.method == "HEAD") return std::nullopt;
  const std::string site = lower_header(req, "sec-fetch-site");
  if (!site.empty() && site != "same-origin" && site != "none") {
    return error_response(403, "cross_site_request",
                          "the Sec-Fetch-Site header says '" + site + "': this server takes no " +
                              req.method +
                              " from another site or origin; use the dashboard served by this "
                              "server, or a program (curl, w2vctl) that sends no Sec-Fetch-Site");
  }
  const auto origin = req.header("origin");
  if (origin) {
    // Same origin: the scheme (http, or https through a TLS proxy) and the Host this request
    // was sent to. Default ports may be left out on either side.
    const std::string o = ascii_lower(*origin);
    const std::string h = ascii_lower(host.value_or(""));
    bool same = false;
    for (const auto& [scheme, port] :
         {std::pair{"http://", ":80"}, std::pair{"https://", ":443"}}) {
      if (!o.starts_with(scheme) || h.empty()) continue;
      const std::string_view authority =
          std::string_view(o).substr(std::string_view(scheme).size());
      same = authority == h || std::string(authority) + port == h ||
             std::string(authority) == h + port;
    }
    if (!same) {
      return error_response(403, "cross_origin_request",
                            "the Origin header says '" + *origin + "', not this server's own " +
                                "origin (its Host header is '" + host.value_or("") + "'): this " +
                                "server takes no " + req.method + " from another origin; behind " +
                                "a proxy, pass the browser's Host header on to w2vd");
    }
  }
  return std::nullopt;
}

}  // namespace w2v::server
