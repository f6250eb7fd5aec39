#include "server/models/model_cache.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/vectors_io.h"

namespace w2v::server {

ModelCache::ModelCache(const DataDir& dirs, std::uint64_t max_bytes)
    : dirs_(dirs), max_bytes_(max_bytes) {}

std::shared_ptr<const Embeddings> ModelCache::get(const std::string& model_id) {
  std::promise<std::shared_ptr<const Embeddings>> promise;
  Future future;
  bool loader = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(model_id); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      future = it->second.model;
    } else {
      future = promise.get_future().share();
      lru_.push_front(model_id);
      entries_[model_id] = Entry{future, 0, lru_.begin(), std::nullopt, 0};
      loader = true;
    }
  }
  if (!loader) return future.get();  // rethrows the loader's error

  const auto start = std::chrono::steady_clock::now();
  try {
    WordVectors wv = load_vectors_file(dirs_.model_vectors(model_id), VectorsFormat::kBinary);
    auto model = std::make_shared<const Embeddings>(std::move(wv.words), std::move(wv.vectors));
    const std::uint64_t size = model->memory_bytes();
    promise.set_value(model);
    spdlog::info(
        "model {} loaded: {} words, {} MiB, {:.0f} ms, {} search", model_id, model->size(),
        size >> 20,
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(),
        model->search_kernel());
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(model_id); it != entries_.end() && it->second.bytes == 0) {
      it->second.bytes = size;
      bytes_ += size;
      ++loads_;
      evict_over_budget(model_id);
    }
    return model;
  } catch (...) {
    promise.set_exception(std::current_exception());
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(model_id); it != entries_.end()) {
      lru_.erase(it->second.lru);
      entries_.erase(it);
    }
    throw;
  }
}

std::shared_ptr<const HnswIndex> ModelCache::index(const std::string& model_id) {
  const auto emb = get(model_id);
  std::promise<std::shared_ptr<const HnswIndex>> promise;
  IndexFuture future;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(model_id);
    if (it == entries_.end()) throw std::runtime_error("model " + model_id + " was evicted");
    if (it->second.index) return it->second.index->get();
    future = promise.get_future().share();
    it->second.index = future;
  }
  try {
    const std::string path = dirs_.model_hnsw(model_id);
    std::shared_ptr<const HnswIndex> index;
    try {
      index = HnswIndex::load(path, *emb);
    } catch (const std::exception&) {
      const auto start = std::chrono::steady_clock::now();
      index = HnswIndex::build(*emb);
      index->save(path);
      spdlog::info("model {}: HNSW index built in {:.1f} s", model_id,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    promise.set_value(index);
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(model_id); it != entries_.end() && it->second.index_bytes == 0) {
      it->second.index_bytes = index->memory_bytes();
      bytes_ += it->second.index_bytes;
    }
    return index;
  } catch (...) {
    promise.set_exception(std::current_exception());
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(model_id); it != entries_.end()) it->second.index.reset();
    throw;
  }
}

std::shared_ptr<const Embeddings> ModelCache::loaded(const std::string& model_id) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(model_id);
  if (it == entries_.end() || it->second.bytes == 0) return nullptr;  // absent or loading
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.model.get();
}

void ModelCache::evict(const std::string& model_id) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(model_id); it != entries_.end()) {
    bytes_ -= it->second.bytes + it->second.index_bytes;
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
}

void ModelCache::evict_over_budget(const std::string& keep) {
  // Oldest first; entries still loading (bytes 0) and the one just loaded stay.
  for (auto it = std::prev(lru_.end()); bytes_ > max_bytes_ && it != lru_.begin();) {
    auto victim = it--;
    if (*victim == keep) continue;
    auto e = entries_.find(*victim);
    if (e->second.bytes == 0) continue;
    spdlog::info("model {} evicted from the cache", *victim);
    bytes_ -= e->second.bytes + e->second.index_bytes;
    entries_.erase(e);
    lru_.erase(victim);
  }
}

std::uint64_t ModelCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t ModelCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::uint64_t ModelCache::loads() const {
  std::lock_guard lock(mutex_);
  return loads_;
}

}  // namespace w2v::server
