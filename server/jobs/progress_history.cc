#include "server/jobs/progress_history.h"

#include <algorithm>
#include <stdexcept>

namespace w2v::server {
namespace {

using nlohmann::json;

json sample_to_json(const ProgressSample& s) {
  return {{"seconds", s.seconds},   {"epoch", s.epoch},
          {"fraction", s.fraction}, {"words_done", s.words_done},
          {"loss", s.loss},         {"words_per_sec", s.words_per_sec},
          {"alpha", s.alpha}};
}

ProgressSample sample_from_json(const json& j) {
  ProgressSample s;
  s.seconds = j.at("seconds").get<double>();
  s.epoch = j.at("epoch").get<int>();
  s.fraction = j.at("fraction").get<double>();
  s.words_done = j.at("words_done").get<std::uint64_t>();
  s.loss = j.at("loss").get<double>();
  s.words_per_sec = j.at("words_per_sec").get<double>();
  s.alpha = j.at("alpha").get<double>();
  return s;
}

}  // namespace

ProgressHistory::ProgressHistory(std::size_t capacity)
    : capacity_(std::max(kMinCapacity, capacity + capacity % 2)) {}

void ProgressHistory::add(const TrainProgress& p) {
  ProgressSample s{base_seconds_ + p.elapsed_seconds,
                   p.epoch,
                   p.fraction,
                   p.words_done,
                   p.loss,
                   p.words_per_sec,
                   p.alpha};
  if (reports_++ % stride_ != 0) {
    latest_ = s;
    return;
  }
  latest_.reset();
  kept_.push_back(s);
  if (kept_.size() <= capacity_) return;
  // Keep samples 0, 2, 4, ...: the reports at multiples of the doubled stride. capacity_ is
  // even, so the sample just added (index capacity_) stays.
  std::size_t out = 0;
  for (std::size_t i = 0; i < kept_.size(); i += 2) kept_[out++] = kept_[i];
  kept_.resize(out);
  stride_ *= 2;
}

void ProgressHistory::truncate_after(double fraction) {
  const double limit = fraction + 1e-9;
  kept_.erase(std::remove_if(kept_.begin(), kept_.end(),
                             [limit](const ProgressSample& s) { return s.fraction > limit; }),
              kept_.end());
  if (latest_ && latest_->fraction > limit) latest_.reset();
  restart_clock();
}

void ProgressHistory::restart_clock() {
  base_seconds_ = latest_ ? latest_->seconds : kept_.empty() ? 0.0 : kept_.back().seconds;
}

std::vector<ProgressSample> ProgressHistory::samples() const {
  std::vector<ProgressSample> out = kept_;
  if (latest_) out.push_back(*latest_);
  return out;
}

json ProgressHistory::to_json() const {
  json samples = json::array();
  for (const ProgressSample& s : kept_) samples.push_back(sample_to_json(s));
  json j = {{"capacity", capacity_},
            {"stride", stride_},
            {"reports", reports_},
            {"samples", std::move(samples)}};
  if (latest_) j["latest"] = sample_to_json(*latest_);
  return j;
}

ProgressHistory ProgressHistory::from_json(const json& j) {
  try {
    ProgressHistory h(j.at("capacity").get<std::size_t>());
    if (h.capacity_ > 100000) throw std::runtime_error("capacity too large");
    h.stride_ = std::max<std::size_t>(1, j.at("stride").get<std::size_t>());
    h.reports_ = j.at("reports").get<std::uint64_t>();
    const json& samples = j.at("samples");
    if (!samples.is_array() || samples.size() > h.capacity_ + 1) {
      throw std::runtime_error("samples must be an array of at most capacity + 1 entries");
    }
    for (const json& s : samples) h.kept_.push_back(sample_from_json(s));
    if (j.contains("latest")) h.latest_ = sample_from_json(j.at("latest"));
    h.restart_clock();
    return h;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("malformed progress history: ") + e.what());
  }
}

}  // namespace w2v::server
