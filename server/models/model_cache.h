#pragma once
// Models loaded for queries, kept in a cache bounded by bytes with least-recently-used
// eviction. Concurrent first queries of a model load it once; the others wait for that load.
// An evicted model stays alive for queries still holding it.

#include <cstdint>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/embeddings.h"
#include "core/hnsw_index.h"
#include "server/store/data_dir.h"

namespace w2v::server {

class ModelCache {
 public:
  ModelCache(const DataDir& dirs, std::uint64_t max_bytes);

  // The model's embeddings, loading them on first use. Throws std::runtime_error when the
  // vectors file cannot be read.
  std::shared_ptr<const Embeddings> get(const std::string& model_id);
  // The model's embeddings if they are loaded (touching its recency), else null; never loads.
  std::shared_ptr<const Embeddings> loaded(const std::string& model_id);
  // The model's approximate-search index: loaded from models/<id>/hnsw.bin, or built (seconds
  // for ~100k words) and saved there on first use; kept with the model in the cache.
  std::shared_ptr<const HnswIndex> index(const std::string& model_id);
  // Drops the model (e.g. when it is deleted).
  void evict(const std::string& model_id);

  std::uint64_t bytes() const;
  std::size_t entries() const;
  std::uint64_t loads() const;

 private:
  using Future = std::shared_future<std::shared_ptr<const Embeddings>>;
  using IndexFuture = std::shared_future<std::shared_ptr<const HnswIndex>>;
  struct Entry {
    Future model;
    std::uint64_t bytes = 0;  // 0 while loading
    std::list<std::string>::iterator lru;
    std::optional<IndexFuture> index;
    std::uint64_t index_bytes = 0;
  };
  void evict_over_budget(const std::string& keep);

  const DataDir& dirs_;
  const std::uint64_t max_bytes_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recent first
  std::uint64_t bytes_ = 0;
  std::uint64_t loads_ = 0;
};

}  // namespace w2v::server
