#include "server/models/index_builder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>

namespace w2v::server {

using proto::IndexState;

IndexBuilder::IndexBuilder(const DataDir& dirs, ModelCache& cache, std::size_t threads)
    : dirs_(dirs), cache_(cache), threads_(std::max<std::size_t>(1, threads)) {
  thread_ = std::thread([this] { run(); });
}

IndexBuilder::~IndexBuilder() {
  stop();
}

void IndexBuilder::request(const std::string& model_id, bool retry_failed) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (const auto it = jobs_.find(model_id); it != jobs_.end()) {
      if (it->second.state != IndexState::kFailed || !retry_failed) return;
      it->second = Job{};
    } else {
      jobs_.emplace(model_id, Job{});
    }
    queue_.push_back(model_id);
  }
  wake_.notify_one();
}

proto::IndexStatus IndexBuilder::status(const std::string& model_id) const {
  const bool saved = std::filesystem::exists(dirs_.model_hnsw(model_id));
  {
    std::lock_guard lock(mutex_);
    if (const auto it = jobs_.find(model_id); it != jobs_.end()) {
      const Job& job = it->second;
      proto::IndexStatus s;
      if (job.state == IndexState::kFailed) {
        s.state = IndexState::kFailed;
        s.error = job.error;
        return s;
      }
      // Queued: loading when it has a file, else a build that has not started.
      const std::size_t total = job.control ? job.control->total.load() : 0;
      const std::size_t inserted = job.control ? job.control->inserted.load() : 0;
      s.state = inserted > 0 || !saved ? IndexState::kBuilding : IndexState::kLoading;
      if (total > 0) s.progress = static_cast<double>(inserted) / static_cast<double>(total);
      return s;
    }
  }
  proto::IndexStatus s;
  if (saved || cache_.loaded_index(model_id)) s.state = IndexState::kReady;
  return s;
}

void IndexBuilder::forget(const std::string& model_id) {
  std::lock_guard lock(mutex_);
  std::erase(queue_, model_id);
  if (const auto it = jobs_.find(model_id); it != jobs_.end()) {
    if (it->second.control) it->second.control->stop = true;
    jobs_.erase(it);
  }
}

void IndexBuilder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
    for (auto& [id, job] : jobs_) {
      if (job.control) job.control->stop = true;
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t IndexBuilder::pending() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(jobs_.begin(), jobs_.end(), [](const auto& j) {
    return j.second.state != IndexState::kFailed;
  }));
}

void IndexBuilder::run() {
  for (;;) {
    std::string model_id;
    std::shared_ptr<HnswBuildControl> control;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      model_id = std::move(queue_.front());
      queue_.pop_front();
      Job& job = jobs_[model_id];
      job.state = IndexState::kBuilding;
      job.control = control = std::make_shared<HnswBuildControl>();
    }
    make_ready(model_id, control);
  }
}

void IndexBuilder::make_ready(const std::string& model_id,
                              const std::shared_ptr<HnswBuildControl>& control) {
  // Whatever happens, the job is this run's only while it still holds this control: forget()
  // and stop() may have dropped it meanwhile.
  const auto finish = [&](std::optional<std::string> error) {
    std::lock_guard lock(mutex_);
    const auto it = jobs_.find(model_id);
    if (it == jobs_.end() || it->second.control != control) return;
    if (!error) {
      jobs_.erase(it);  // ready (or its model gone): status() finds out which
      return;
    }
    it->second.state = IndexState::kFailed;
    it->second.error = std::move(*error);
    it->second.control.reset();
  };
  try {
    HnswOptions options;
    options.threads = threads_;
    cache_.index(model_id, options, control.get());
    finish(std::nullopt);
  } catch (const HnswBuildCancelled&) {
    spdlog::info("model {}: the HNSW index build stopped", model_id);
    finish(std::nullopt);
  } catch (const std::exception& e) {
    spdlog::warn("model {}: no HNSW index: {}", model_id, e.what());
    finish(e.what());
  }
}

}  // namespace w2v::server
