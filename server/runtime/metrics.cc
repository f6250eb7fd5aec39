#include "server/runtime/metrics.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace w2v::server {
namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// Label values come from closed sets, so that nothing a client sends can add series: a method
// outside HTTP's usual ones is "other" (an unmatched route is "unmatched", see observe_request).
std::string method_label(const std::string& method) {
  static constexpr std::array<std::string_view, 9> kKnown = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
  for (std::string_view m : kKnown) {
    if (method == m) return method;
  }
  return "other";
}

std::string format_value(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as v: 0.0005, not 0.00050000000000000001.
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  return std::string(buf, end);
}

}  // namespace

std::string prometheus_sample(const std::string& name,
                              const std::vector<std::pair<std::string, std::string>>& labels,
                              double value) {
  std::string line = name;
  if (!labels.empty()) {
    line += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i) line += ',';
      line += labels[i].first + "=\"" + escape_label(labels[i].second) + '"';
    }
    line += '}';
  }
  line += ' ' + format_value(value) + '\n';
  return line;
}

void Metrics::observe_request(const std::string& route, const std::string& method, int status,
                              double seconds) {
  const std::string r = route.empty() ? "unmatched" : route;
  const std::string m = method_label(method);
  std::lock_guard lock(mutex_);
  ++requests_[{r, m, status}];
  Histogram& h = latency_[{r, m}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) h.buckets[i] += seconds <= kBuckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::add_collector(Collector c) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(c));
}

std::string Metrics::render() const {
  std::string out;
  std::vector<Collector> collectors;
  {
    std::lock_guard lock(mutex_);
    out += "# HELP w2vd_http_requests_total HTTP requests by route, method and status.\n";
    out += "# TYPE w2vd_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      const auto& [route, method, status] = key;
      out += prometheus_sample(
          "w2vd_http_requests_total",
          {{"route", route}, {"method", method}, {"status", std::to_string(status)}},
          static_cast<double>(n));
    }
    out += "# HELP w2vd_http_request_duration_seconds HTTP request latency by route and method.\n";
    out += "# TYPE w2vd_http_request_duration_seconds histogram\n";
    for (const auto& [key, h] : latency_) {
      const auto& [route, method] = key;
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out += prometheus_sample(
            "w2vd_http_request_duration_seconds_bucket",
            {{"route", route}, {"method", method}, {"le", format_value(kBuckets[i])}},
            static_cast<double>(h.buckets[i]));
      }
      out += prometheus_sample("w2vd_http_request_duration_seconds_bucket",
                               {{"route", route}, {"method", method}, {"le", "+Inf"}},
                               static_cast<double>(h.count));
      out += prometheus_sample("w2vd_http_request_duration_seconds_sum",
                               {{"route", route}, {"method", method}}, h.sum);
      out +=
          prometheus_sample("w2vd_http_request_duration_seconds_count",
                            {{"route", route}, {"method", method}}, static_cast<double>(h.count));
    }
    collectors = collectors_;
  }
  for (const auto& c : collectors) c(out);
  return out;
}

}  // namespace w2v::server
