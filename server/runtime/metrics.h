#pragma once
// Prometheus metrics of the daemon: request counts by route, method and status, latency
// histograms by route and method, and gauges read from their owners when scraped.

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace w2v::server {

class Metrics {
 public:
  // Appends "name{labels} value" lines (with their HELP/TYPE lines) when scraped.
  using Collector = std::function<void(std::string& out)>;

  void observe_request(const std::string& route, const std::string& method, int status,
                       double seconds);
  void add_collector(Collector c);
  // The text exposition format (version 0.0.4).
  std::string render() const;

 private:
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  std::vector<Collector> collectors_;
};

// Formats a Prometheus sample line: name{k="v",...} value\n (label values escaped).
std::string prometheus_sample(const std::string& name,
                              const std::vector<std::pair<std::string, std::string>>& labels,
                              double value);

}  // namespace w2v::server
