#include "server/mpi/rank_report.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "server/mpi/bounded_lines.h"

namespace w2v::server {
namespace {

std::vector<std::string_view> words_of(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const std::size_t start = s.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    s.remove_prefix(start);
    const std::size_t end = s.find(' ');
    out.push_back(s.substr(0, end));
    if (end == std::string_view::npos) break;
    s.remove_prefix(end);
  }
  return out;
}

template <class T>
std::optional<T> number(std::string_view s) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// A non-negative finite double.
std::optional<double> amount(std::string_view s) {
  const auto v = number<double>(s);
  if (!v || !std::isfinite(*v) || *v < 0) return std::nullopt;
  return v;
}

std::optional<int> epoch_count(std::string_view s, int epochs) {
  const auto v = number<int>(s);
  if (!v || *v < 0 || *v > epochs) return std::nullopt;
  return v;
}

std::optional<TrainProgress> progress_of(const std::vector<std::string_view>& w, int epochs) {
  if (w.size() != 10) return std::nullopt;
  TrainProgress p;
  const auto epoch = epoch_count(w[1], epochs);
  const auto of = number<int>(w[2]);
  const auto done = number<std::uint64_t>(w[3]);
  const auto total = number<std::uint64_t>(w[4]);
  const auto speed = amount(w[5]);
  const auto loss = number<double>(w[6]);  // NaN before the first examples
  const auto alpha = amount(w[7]);
  const auto elapsed = amount(w[8]);
  const auto eta = amount(w[9]);
  if (!epoch || !of || *of != epochs || !done || !total || *done > *total || !speed || !loss ||
      std::isinf(*loss) || !alpha || !elapsed || !eta)
    return std::nullopt;
  p.epoch = *epoch;
  p.epochs = epochs;
  p.words_done = *done;
  p.words_total = *total;
  p.fraction = *total > 0 ? static_cast<double>(*done) / static_cast<double>(*total) : 0;
  p.words_per_sec = *speed;
  p.loss = *loss;
  p.alpha = *alpha;
  p.elapsed_seconds = *elapsed;
  p.eta_seconds = *eta;
  return p;
}

}  // namespace

std::string format_rank_report(const RankReport& r) {
  std::string line(kRankReportMarker);
  switch (r.kind) {
    case RankReport::Kind::kResumed:
      line += "resumed " + std::to_string(r.epochs_done);
      break;
    case RankReport::Kind::kEpochEnd:
      line += "epoch " + std::to_string(r.epochs_done);
      break;
    case RankReport::Kind::kDone:
      line += "done";
      break;
    case RankReport::Kind::kError:
      line += "error " + printable_line(r.message, kMaxRankErrorBytes);
      break;
    case RankReport::Kind::kProgress: {
      const TrainProgress& p = r.progress;
      char buf[320];
      std::snprintf(buf, sizeof buf, "progress %d %d %llu %llu %.9g %.9g %.9g %.9g %.9g", p.epoch,
                    p.epochs, static_cast<unsigned long long>(p.words_done),
                    static_cast<unsigned long long>(p.words_total), p.words_per_sec, p.loss,
                    p.alpha, p.elapsed_seconds, p.eta_seconds);
      line += buf;
      break;
    }
  }
  line += '\n';
  return line;
}

std::optional<RankReport> parse_rank_report(std::string_view line, int epochs) {
  if (!line.starts_with(kRankReportMarker)) return std::nullopt;
  line.remove_prefix(kRankReportMarker.size());
  RankReport r;
  if (line.starts_with("error ")) {
    r.kind = RankReport::Kind::kError;
    r.message = printable_line(line.substr(6), kMaxRankErrorBytes);
    if (r.message.empty()) return std::nullopt;
    return r;
  }
  const auto w = words_of(line);
  if (w.empty()) return std::nullopt;
  if (w[0] == "done" && w.size() == 1) {
    r.kind = RankReport::Kind::kDone;
    return r;
  }
  if ((w[0] == "resumed" || w[0] == "epoch") && w.size() == 2) {
    const auto n = epoch_count(w[1], epochs);
    if (!n) return std::nullopt;
    r.kind = w[0] == "resumed" ? RankReport::Kind::kResumed : RankReport::Kind::kEpochEnd;
    r.epochs_done = *n;
    return r;
  }
  if (w[0] == "progress") {
    const auto p = progress_of(w, epochs);
    if (!p) return std::nullopt;
    r.progress = *p;
    return r;
  }
  return std::nullopt;
}

}  // namespace w2v::server
