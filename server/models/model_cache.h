#pragma once
// Models loaded for queries, kept in a cache bounded by bytes with least-recently-used
// eviction. Concurrent first queries of a model load it once; the others wait for that load.
// An evicted model stays alive for queries still holding it.
//
// A model is loaded by mapping its rows file (server/models/model_rows.h): the rows are page
// cache, not heap. The budget counts a mapped model at its file's size all the same, since the
// budget is there to bound what the loaded models keep resident, and a model being queried keeps
// its pages resident (an 8-bit scan touches every code). What mapping changes is the price of
// eviction: dropping a model unmaps it, its clean pages stay in the page cache until the kernel
// needs them, and loading it again is a new mapping of them, with nothing parsed.
//
// The budget counts what is loaded, what is loading (estimated from its vectors file, a little
// above the real size, until that is known) and the models' HNSW indexes, from the start of
// their build (estimated, until they are done). A load, an index build
// or a finished index evicts the least recently used models until the total fits; a load that
// would not fit beside the loads already in progress is refused (CacheBusy, answered 503) rather
// than taken over the budget, except when it is the only one (so a model larger than the whole
// budget can still be queried, alone). A model's index is built once however many queries ask
// for it, even when the model is evicted meanwhile. A deleted model is never loaded again: every
// load first asks the store (through `exists`) whether the model is still there.
//
// Admission: a model whose load (estimated from its file, as above; with its HNSW index when
// the query needs one that is not built) would exceed max_model_bytes (--max-job-memory) is
// refused with 409 model_too_large before anything is read or reserved.

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "core/search/embeddings.h"
#include "core/search/hnsw_index.h"
#include "core/train/oov_composer.h"
#include "server/store/data_dir.h"

namespace w2v::server {

class ModelCache {
 public:
  // Whether the model still exists (asked before every load, without the cache's lock); it may
  // throw to refuse the load (a model marked broken).
  using Exists = std::function<bool(const std::string& model_id)>;
  // Called, in a catch block, with the error of a load that failed; what it throws is what every
  // query waiting for that load gets (e.g. the model marked broken: 409, rather than a 500).
  using LoadFailed = std::function<void(const std::string& model_id, const std::exception& e)>;
  // max_model_bytes: the most one model (with its index) may need; 0: no bound.
  ModelCache(const DataDir& dirs, std::uint64_t max_bytes, Exists exists = {},
             LoadFailed load_failed = {}, std::uint64_t max_model_bytes = 0);

  // The model's embeddings, loading them on first use (blocking: call it on the blocking pool);
  // null when the model does not exist (or was deleted). Throws std::runtime_error when the
  // vectors file cannot be read.
  std::shared_ptr<const Embeddings> get(const std::string& model_id);
  // The model's embeddings if they are loaded (touching its recency), else null; never loads.
  std::shared_ptr<const Embeddings> loaded(const std::string& model_id);
  // The model's approximate-search index: loaded from models/<id>/hnsw.bin, or built with
  // options (minutes for a million words: call it from the background, server/models/
  // index_builder.h) and saved there; kept with the model in the cache. Null when the model
  // does not exist. Blocks and throws as get() does, and HnswBuildCancelled when control's stop
  // is set before the index is saved: a stopped build writes nothing.
  std::shared_ptr<const HnswIndex> index(const std::string& model_id,
                                         const HnswOptions& options = {},
                                         HnswBuildControl* control = nullptr);
  // The index if the model and its index are in the cache, else null; never loads or builds.
  std::shared_ptr<const HnswIndex> loaded_index(const std::string& model_id);
  // The composer of the model's out-of-vocabulary words (core/train/oov_composer.h) when it was
  // trained with subwords: its n-gram rows (bucket × dim floats) mapped in place from
  // models/<id>/training_state.bin on first use (map_ngram_rows: the header is read, the rows
  // only as queries touch them), then kept with the model in the cache and counted in its bytes
  // at the rows' size, as a mapped model is. Null when the model has no subwords or does not
  // exist. Blocks and throws as get() does; a damaged state goes through load_failed.
  std::shared_ptr<const OovComposer> subwords(const std::string& model_id);
  // What subwords() would answer, if the cache knows it without reading (the model is loaded
  // and its composer too, or is known to have none: then null); nullopt otherwise.
  std::optional<std::shared_ptr<const OovComposer>> loaded_subwords(const std::string& model_id);
  // Drops the model (when it is deleted: call after the store no longer has it, and after its
  // index build was told to stop). A load that asked the store before the deletion and had not
  // started yet asks again. Waits for a save of its index in progress, so that nothing is
  // written in the model's directory once it returns.
  void evict(const std::string& model_id);

  std::uint64_t bytes() const;  // loaded, loading (estimated) and indexes (building: estimated)
  std::size_t entries() const;
  std::uint64_t loads() const;
  std::uint64_t index_builds() const;

 private:
  using Future = std::shared_future<std::shared_ptr<const Embeddings>>;
  using IndexFuture = std::shared_future<std::shared_ptr<const HnswIndex>>;
  struct Entry {
    Future model;
    std::uint64_t serial = 0;  // which load made the entry
    bool loading = true;
    std::uint64_t bytes = 0;  // the estimate while loading, then the real size
    std::list<std::string>::iterator lru;
    std::shared_ptr<const HnswIndex> index;
    std::uint64_t index_bytes = 0;
  };
  struct LoadEstimate {
    std::uint64_t bytes = 0;  // 0 when the file cannot be read (the load will say why)
    std::uint64_t words = 0, dim = 0;
  };
  LoadEstimate load_estimate(const std::string& model_id) const;
  // What a failed read of the model's files becomes: what load_failed_ throws for error (when
  // set, and error is a std::exception), else error itself.
  std::exception_ptr through_load_failed(const std::string& model_id,
                                         std::exception_ptr error) const;
  // Throws model_too_large when a load of estimate (and index_bytes) exceeds max_model_bytes_.
  void admit(const std::string& model_id, const LoadEstimate& estimate,
             std::uint64_t index_bytes) const;
  void evict_over_budget(const std::string& keep);
  void erase(std::map<std::string, Entry>::iterator it);
  std::shared_ptr<const HnswIndex> load_or_build_index(const std::string& model_id,
                                                       const Embeddings& emb,
                                                       const HnswOptions& options,
                                                       HnswBuildControl* control);

  const DataDir& dirs_;
  const std::uint64_t max_bytes_;
  const Exists exists_;
  const LoadFailed load_failed_;
  const std::uint64_t max_model_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable load_done_;  // a load ended: another may fit now
  std::map<std::string, Entry> entries_;
  std::map<std::string, IndexFuture> index_builds_;  // in progress, whether or not still cached
  // The composers of out-of-vocabulary words of loaded models that have been asked for one
  // (null: the model has none), erased with their entry.
  struct Subwords {
    std::shared_ptr<const OovComposer> composer;
    std::uint64_t bytes = 0;
  };
  std::map<std::string, Subwords> subwords_;
  using SubwordsFuture = std::shared_future<std::shared_ptr<const OovComposer>>;
  std::map<std::string, SubwordsFuture> subword_loads_;  // in progress, as index_builds_
  std::set<std::string> index_saves_;                    // models whose index is being written
  std::condition_variable index_saved_;
  std::list<std::string> lru_;  // most recent first
  std::uint64_t bytes_ = 0;
  std::uint64_t loading_bytes_ = 0;  // the part of bytes_ that is loads in progress
  std::uint64_t serial_ = 0;
  std::uint64_t deletions_ = 0;  // evict() calls: an exists() answer older than one is stale
  std::uint64_t loads_ = 0;
  std::uint64_t builds_ = 0;
};

}  // namespace w2v::server
