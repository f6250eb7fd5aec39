#include "server/http/router.h"

#include <algorithm>
#include <stdexcept>

namespace w2v::server {

namespace {

bool is_param(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// "/a/b" -> {"a", "b"}; "/" -> {""}; "/a/" -> {"a", ""}. The caller checked the leading '/'.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  for (;;) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::vector<std::string> split_pattern(const std::string& pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern '" + pattern + "' does not start with '/'");
  }
  std::vector<std::string> out;
  for (std::string_view s : split_path(pattern)) {
    std::string seg(s);
    bool opens = seg.find('{') != std::string::npos;
    bool closes = seg.find('}') != std::string::npos;
    if ((opens || closes) &&
        (!is_param(seg) || seg.size() == 2 || seg.find_first_of("{}", 1) != seg.size() - 1)) {
      throw std::invalid_argument("route pattern '" + pattern + "' has a malformed parameter '" +
                                  seg + "'");
    }
    out.push_back(std::move(seg));
  }
  return out;
}

bool same_shape(const Route& a, const std::vector<std::string>& b) {
  if (a.segments.size() != b.size()) return false;
  for (std::size_t i = 0; i < b.size(); ++i) {
    bool pa = is_param(a.segments[i]);
    if (pa != is_param(b[i])) return false;
    if (!pa && a.segments[i] != b[i]) return false;
  }
  return true;
}

bool matches(const Route& r, const std::vector<std::string>& segs) {
  if (r.segments.size() != segs.size()) return false;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (is_param(r.segments[i])) {
      if (segs[i].empty()) return false;
    } else if (r.segments[i] != segs[i]) {
      return false;
    }
  }
  return true;
}

// True when a is more specific than b (both match the same path): at the first position where
// one has a literal and the other a parameter, the literal wins.
bool more_specific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    bool pa = is_param(a.segments[i]);
    bool pb = is_param(b.segments[i]);
    if (pa != pb) return !pa;
  }
  return false;
}

Router::Match find_route(const std::vector<Route>& routes, const std::string& method,
                         const std::vector<std::string>& segs) {
  Router::Match m;
  for (const Route& r : routes) {
    if (!matches(r, segs)) continue;
    if (r.method == method) {
      if (m.route == nullptr || more_specific(r, *m.route)) m.route = &r;
    } else {
      m.allowed.push_back(r.method);
    }
  }
  if (m.route != nullptr) {
    m.allowed.clear();
    for (std::size_t i = 0; i < segs.size(); ++i) {
      const std::string& p = m.route->segments[i];
      if (is_param(p)) m.params.emplace(p.substr(1, p.size() - 2), segs[i]);
    }
  } else {
    std::sort(m.allowed.begin(), m.allowed.end());
    m.allowed.erase(std::unique(m.allowed.begin(), m.allowed.end()), m.allowed.end());
  }
  return m;
}

void add_route(std::vector<Route>& routes, Route route) {
  if (route.method.empty()) throw std::invalid_argument("route method is empty");
  route.segments = split_pattern(route.pattern);
  for (const Route& r : routes) {
    if (r.method == route.method && same_shape(r, route.segments)) {
      throw std::invalid_argument("route " + route.method + " " + route.pattern + " duplicates " +
                                  r.method + " " + r.pattern);
    }
  }
  routes.push_back(std::move(route));
}

Route ordinary_route(std::string method, std::string pattern, Handler handler, bool document_body) {
  if (!handler) throw std::invalid_argument("route " + pattern + " has no handler");
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  r.document_body = document_body;
  return r;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  add_route(routes_, ordinary_route(std::move(method), std::move(pattern), std::move(handler),
                                    /*document_body=*/false));
}

void Router::add_json(std::string method, std::string pattern, Handler handler) {
  Route r = ordinary_route(std::move(method), std::move(pattern), std::move(handler),
                           /*document_body=*/false);
  r.json_body = true;
  add_route(routes_, std::move(r));
}

void Router::add_document(std::string method, std::string pattern, Handler handler) {
  add_route(routes_, ordinary_route(std::move(method), std::move(pattern), std::move(handler),
                                    /*document_body=*/true));
}

void Router::add_upload(std::string method, std::string pattern, UploadFactory factory) {
  if (!factory) throw std::invalid_argument("route " + pattern + " has no upload factory");
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.upload = std::move(factory);
  add_route(routes_, std::move(r));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  if (path.empty() || path.front() != '/') return {};
  std::vector<std::string> segs;
  for (std::string_view s : split_path(path)) segs.emplace_back(s);
  return find_route(routes_, method, segs);
}

std::optional<std::vector<std::string>> decode_path_segments(std::string_view raw_path) {
  std::vector<std::string> segs;
  if (raw_path.empty() || raw_path.front() != '/') return segs;
  for (std::string_view s : split_path(raw_path)) {
    auto decoded = percent_decode(s, false);
    if (!decoded) return std::nullopt;
    segs.push_back(std::move(*decoded));
  }
  return segs;
}

std::optional<Router::Match> Router::match_encoded(const std::string& method,
                                                   std::string_view raw_path) const {
  if (raw_path.empty() || raw_path.front() != '/') return Match{};
  auto segs = decode_path_segments(raw_path);
  if (!segs) return std::nullopt;
  return match_segments(method, *segs);
}

Router::Match Router::match_segments(const std::string& method,
                                     const std::vector<std::string>& segments) const {
  return find_route(routes_, method, segments);
}

}  // namespace w2v::server
