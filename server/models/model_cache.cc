#include "server/models/model_cache.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/io/vectors_io.h"
#include "core/train/training_state.h"
#include "server/models/model_rows.h"
#include "server/runtime/memory_budget.h"

namespace w2v::server {

ModelCache::ModelCache(const DataDir& dirs, std::uint64_t max_bytes, Exists exists,
                       LoadFailed load_failed, std::uint64_t max_model_bytes)
    : dirs_(dirs),
      max_bytes_(max_bytes),
      exists_(std::move(exists)),
      load_failed_(std::move(load_failed)),
      max_model_bytes_(max_model_bytes) {}

ModelCache::LoadEstimate ModelCache::load_estimate(const std::string& model_id) const {
  // From the file's size and its header ("<words> <dim>\n"), a little above what
  // Embeddings::memory_bytes() will say: per word the padded floats, their 8-bit copy, a norm,
  // a std::string and the word table's slots and offsets; the words' bytes twice.
  const std::string path = dirs_.model_vectors(model_id);
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return {};  // the load will fail and say why
  std::ifstream in(path, std::ios::binary);
  unsigned long long words = 0, dim = 0;
  if (!(in >> words >> dim) || dim == 0 || words > size || dim > size) {
    return {size + size / 2, 0, 0};
  }
  const std::uint64_t stride = (dim + 15) / 16 * 16;
  const std::uint64_t floats = words * dim * sizeof(float);
  const std::uint64_t text = size > floats ? size - floats : 0;
  return {words * (stride * 5 + 96) + 2 * text, words, dim};
}

std::exception_ptr ModelCache::through_load_failed(const std::string& model_id,
                                                   std::exception_ptr error) const {
  if (!load_failed_) return error;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    try {
      load_failed_(model_id, e);
    } catch (...) {
      return std::current_exception();
    }
  } catch (...) {
  }
  return error;
}

void ModelCache::admit(const std::string& model_id, const LoadEstimate& estimate,
                       std::uint64_t index_bytes) const {
  if (max_model_bytes_ == 0) return;
  check_model_load_memory(model_id, estimate.bytes + index_bytes, index_bytes, max_model_bytes_,
                          estimate.words, estimate.dim);
}

std::shared_ptr<const Embeddings> ModelCache::get(const std::string& model_id) {
  std::promise<std::shared_ptr<const Embeddings>> promise;
  Future future;
  std::uint64_t serial = 0;
  {
    const LoadEstimate load = load_estimate(model_id);
    const std::uint64_t estimate = load.bytes;
    std::unique_lock lock(mutex_);
    for (;;) {
      if (auto it = entries_.find(model_id); it != entries_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        future = it->second.model;
        break;
      }
      // Asked without the lock (the store may be slow; queries on loaded models must not wait
      // for it). A model deleted meanwhile has been evicted, which bumps deletions_: ask again.
      if (exists_) {
        const std::uint64_t deletions = deletions_;
        lock.unlock();
        const bool exists = exists_(model_id);
        lock.lock();
        if (!exists) return nullptr;
        if (deletions != deletions_) continue;
        if (entries_.count(model_id) != 0) continue;  // another query started loading it
      }
      admit(model_id, load, 0);  // before anything is reserved
      // Loads run side by side while they fit the budget together (one alone always does).
      if (loading_bytes_ == 0 || loading_bytes_ + estimate <= max_bytes_) {
        future = promise.get_future().share();
        lru_.push_front(model_id);
        serial = ++serial_;
        entries_[model_id] = Entry{future, serial, true, estimate, lru_.begin(), nullptr, 0};
        bytes_ += estimate;
        loading_bytes_ += estimate;
        evict_over_budget(model_id);
        break;
      }
      load_done_.wait(lock);
    }
  }
  if (serial == 0) return future.get();  // another query loads it; rethrows its error

  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const Embeddings> model;
  try {
    model = load_model_rows(dirs_, model_id);
  } catch (...) {
    const std::exception_ptr error = through_load_failed(model_id, std::current_exception());
    promise.set_exception(error);
    {
      std::lock_guard lock(mutex_);
      if (auto it = entries_.find(model_id); it != entries_.end() && it->second.serial == serial) {
        erase(it);
      }
    }
    load_done_.notify_all();
    std::rethrow_exception(error);
  }
  promise.set_value(model);
  const std::uint64_t size = model->memory_bytes();
  spdlog::info(
      "model {} loaded: {} words, {} MiB, {:.0f} ms, {} search", model_id, model->size(),
      size >> 20,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(),
      model->search_kernel());
  {
    std::lock_guard lock(mutex_);
    ++loads_;
    // Evicted meanwhile (deleted): the entry is gone with its reservation; answer from the model.
    if (auto it = entries_.find(model_id); it != entries_.end() && it->second.serial == serial) {
      Entry& e = it->second;
      bytes_ = bytes_ - e.bytes + size;
      loading_bytes_ -= e.bytes;
      e.bytes = size;
      e.loading = false;
      evict_over_budget(model_id);
    }
  }
  load_done_.notify_all();
  return model;
}

std::shared_ptr<const Embeddings> ModelCache::loaded(const std::string& model_id) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(model_id);
  if (it == entries_.end() || it->second.loading) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.model.get();
}

std::shared_ptr<const HnswIndex> ModelCache::loaded_index(const std::string& model_id) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(model_id);
  if (it == entries_.end() || it->second.loading || !it->second.index) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.index;
}

std::shared_ptr<const HnswIndex> ModelCache::index(const std::string& model_id,
                                                   const HnswOptions& options,
                                                   HnswBuildControl* control) {
  const auto emb = get(model_id);
  if (!emb) return nullptr;
  std::promise<std::shared_ptr<const HnswIndex>> promise;
  IndexFuture building;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(model_id); it != entries_.end() && it->second.index) {
      return it->second.index;
    }
    // One build per model, joined by every query that asks while it runs, whether or not the
    // model stays in the cache meanwhile.
    if (auto b = index_builds_.find(model_id); b != index_builds_.end()) {
      building = b->second;
    } else {
      index_builds_.emplace(model_id, promise.get_future().share());
    }
  }
  if (building.valid()) return building.get();  // rethrows the builder's error

  std::shared_ptr<const HnswIndex> index;
  // The index counts from the start of its build (its estimate until it is done), and makes
  // room for itself first, as a load does.
  std::uint64_t reserved = 0;
  try {
    const std::uint64_t estimate = HnswIndex::estimate_memory_bytes(emb->size(), emb->dim());
    admit(model_id, {emb->memory_bytes(), emb->size(), emb->dim()}, estimate);
    {
      std::lock_guard lock(mutex_);
      reserved = estimate;
      bytes_ += reserved;
      evict_over_budget(model_id);
    }
    index = load_or_build_index(model_id, *emb, options, control);
  } catch (...) {
    promise.set_exception(std::current_exception());
    std::lock_guard lock(mutex_);
    bytes_ -= reserved;
    index_builds_.erase(model_id);
    throw;
  }
  promise.set_value(index);
  std::lock_guard lock(mutex_);
  bytes_ -= reserved;
  index_builds_.erase(model_id);
  // Kept with the model when it is (still, or again) loaded; otherwise this query uses it and
  // the next load of the model reads it from its file.
  if (auto it = entries_.find(model_id);
      it != entries_.end() && !it->second.loading && !it->second.index) {
    it->second.index = index;
    it->second.index_bytes = index->memory_bytes();
    bytes_ += it->second.index_bytes;
    evict_over_budget(model_id);
  }
  return index;
}

std::shared_ptr<const HnswIndex> ModelCache::load_or_build_index(const std::string& model_id,
                                                                 const Embeddings& emb,
                                                                 const HnswOptions& options,
                                                                 HnswBuildControl* control) {
  const std::string path = dirs_.model_hnsw(model_id);
  try {
    return HnswIndex::load(path, emb);
  } catch (const std::exception&) {
    // Not built yet (or unreadable): build it.
  }
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const HnswIndex> index = HnswIndex::build(emb, options, control);
  {
    // A build stopped now (its model deleted, the daemon stopping) writes nothing; a save that
    // starts is waited for by evict() before the model's directory goes.
    std::lock_guard lock(mutex_);
    if (control != nullptr && control->stop) throw HnswBuildCancelled();
    ++builds_;
    index_saves_.insert(model_id);
  }
  spdlog::info("model {}: HNSW index built in {:.1f} s ({} threads)", model_id,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
               options.threads);
  try {
    index->save(path);
  } catch (const std::exception& e) {
    // The index in memory serves all the same; the next load builds it again.
    spdlog::warn("model {}: the HNSW index is not saved: {}", model_id, e.what());
  }
  {
    std::lock_guard lock(mutex_);
    index_saves_.erase(model_id);
  }
  index_saved_.notify_all();
  return index;
}

std::optional<std::shared_ptr<const OovComposer>> ModelCache::loaded_subwords(
    const std::string& model_id) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(model_id);
  const auto s = subwords_.find(model_id);
  if (it == entries_.end() || it->second.loading || s == subwords_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return s->second.composer;
}

std::shared_ptr<const OovComposer> ModelCache::subwords(const std::string& model_id) {
  const auto emb = get(model_id);
  if (!emb) return nullptr;
  std::promise<std::shared_ptr<const OovComposer>> promise;
  SubwordsFuture reading;
  {
    std::lock_guard lock(mutex_);
    if (auto s = subwords_.find(model_id); s != subwords_.end()) return s->second.composer;
    if (auto r = subword_loads_.find(model_id); r != subword_loads_.end()) {
      reading = r->second;
    } else {
      subword_loads_.emplace(model_id, promise.get_future().share());
    }
  }
  if (reading.valid()) return reading.get();  // rethrows the reader's error

  std::shared_ptr<const OovComposer> composer;
  std::uint64_t reserved = 0;
  try {
    const std::string path = dirs_.model_training_state(model_id);
    const SubwordSettings settings = training_state_subwords(path);
    if (settings.enabled()) {
      const std::uint64_t estimate = OovComposer::estimate_memory_bytes(emb->dim(), settings);
      admit(model_id, {emb->memory_bytes() + estimate, emb->size(), emb->dim()}, 0);
      {
        std::lock_guard lock(mutex_);
        reserved = estimate;
        bytes_ += reserved;
        evict_over_budget(model_id);
      }
      const auto start = std::chrono::steady_clock::now();
      const std::vector<std::string_view> words = emb->words();
      composer =
          std::make_shared<const OovComposer>(map_ngram_rows(path, words, emb->dim()), words);
      spdlog::info(
          "model {}: n-gram rows mapped for out-of-vocabulary words, {} MiB, {:.0f} ms", model_id,
          composer->memory_bytes() >> 20,
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
    }
  } catch (...) {
    std::exception_ptr error = std::current_exception();
    try {
      throw;
    } catch (const TrainingStateError&) {
      error = through_load_failed(model_id, error);  // a damaged file, not a refusal
    } catch (...) {
    }
    promise.set_exception(error);
    std::lock_guard lock(mutex_);
    bytes_ -= reserved;
    subword_loads_.erase(model_id);
    std::rethrow_exception(error);
  }
  promise.set_value(composer);
  std::lock_guard lock(mutex_);
  bytes_ -= reserved;
  subword_loads_.erase(model_id);
  // Kept with the model when it is (still, or again) loaded, as an index is.
  if (auto it = entries_.find(model_id);
      it != entries_.end() && !it->second.loading && subwords_.count(model_id) == 0) {
    const std::uint64_t bytes = composer ? composer->memory_bytes() : 0;
    subwords_.emplace(model_id, Subwords{composer, bytes});
    bytes_ += bytes;
    evict_over_budget(model_id);
  }
  return composer;
}

void ModelCache::evict(const std::string& model_id) {
  {
    std::unique_lock lock(mutex_);
    ++deletions_;
    index_saved_.wait(lock, [&] { return index_saves_.count(model_id) == 0; });
    if (auto it = entries_.find(model_id); it != entries_.end()) erase(it);
  }
  load_done_.notify_all();  // a load evicted while in progress no longer counts
}

void ModelCache::erase(std::map<std::string, Entry>::iterator it) {
  const Entry& e = it->second;
  bytes_ -= e.bytes + e.index_bytes;
  if (auto s = subwords_.find(it->first); s != subwords_.end()) {
    bytes_ -= s->second.bytes;
    subwords_.erase(s);
  }
  if (e.loading) loading_bytes_ -= e.bytes;
  lru_.erase(e.lru);
  entries_.erase(it);
}

void ModelCache::evict_over_budget(const std::string& keep) {
  // Oldest first; entries still loading and the one just used stay.
  for (auto it = lru_.end(); bytes_ > max_bytes_ && it != lru_.begin();) {
    --it;
    if (*it == keep) continue;
    auto e = entries_.find(*it);
    if (e->second.loading) continue;
    spdlog::info("model {} evicted from the cache", *it);
    ++it;  // erase() removes the element it pointed to
    erase(e);
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

std::uint64_t ModelCache::index_builds() const {
  std::lock_guard lock(mutex_);
  return builds_;
}

}  // namespace w2v::server
