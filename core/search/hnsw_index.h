#pragma once
// Approximate nearest neighbours for large vocabularies: an HNSW graph (Malkov & Yashunin;
// Debian's hnswlib) over a model's unit vectors with inner-product distance, so its scores are
// the same cosines exact search gives. Built once per model, from several threads (each point's
// level drawn up front, see build()), saved beside it, searched concurrently. Build time and
// recall against exact search are measured in bench/ (bench/README.md, "HNSW index builds").

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/search/embeddings.h"

namespace w2v {

// The build's defaults come from bench/README.md, "HNSW index builds": at 100,000 words x 300,
// ef_construction 100 builds in half the CPU time of 200, for recall@10 1.000 as 200's on
// well-separated clusters and 0.967 against 0.977 on overlapping ones; a million words build with
// recall@10 0.989. M 12 saves little time, M 24 costs half again.
struct HnswOptions {
  std::size_t m = 16;                 // graph degree
  std::size_t ef_construction = 100;  // build-time beam width
  std::size_t ef_search = 100;        // query-time beam width (at least k)
  std::size_t threads = 1;            // threads inserting at once during a build (at least 1)
};

// A build's link with whoever waits for it: it reads stop between batches of inserts, sets
// total to the points it will insert when it starts and counts those inserted so far in
// inserted. Shared between threads.
struct HnswBuildControl {
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> total{0};
  std::atomic<std::size_t> inserted{0};
};

// What build() throws when its control's stop was set: nothing of the graph is left.
class HnswBuildCancelled : public std::runtime_error {
 public:
  HnswBuildCancelled() : std::runtime_error("the HNSW index build was cancelled") {}
};

class HnswIndex {
 public:
  ~HnswIndex();
  HnswIndex(const HnswIndex&) = delete;
  HnswIndex& operator=(const HnswIndex&) = delete;

  // Inserts every row of emb from options.threads threads (a oneTBB arena of that many). Throws
  // HnswBuildCancelled when control->stop is set before it ends, std::bad_alloc when memory
  // runs out.
  static std::unique_ptr<HnswIndex> build(const Embeddings& emb, const HnswOptions& options = {},
                                          HnswBuildControl* control = nullptr);
  // Loads an index saved for emb. Throws std::runtime_error when the file is not one, or is
  // for another vocabulary size or dimension.
  static std::unique_ptr<HnswIndex> load(const std::string& path, const Embeddings& emb,
                                         std::size_t ef_search = HnswOptions{}.ef_search);
  // Written through AtomicFile (core/base/atomic_file.h): complete at path or not at all. Throws
  // std::system_error on an I/O error (is_disk_full tells a full disk).
  void save(const std::string& path) const;

  // The (about) k rows with the highest cosine to query (any norm), exclude left out.
  std::vector<Neighbor> search(std::span<const float> query, std::size_t k,
                               std::span<const std::uint32_t> exclude = {}) const;
  std::size_t memory_bytes() const noexcept;
  // What memory_bytes() will say of an index built over count rows of dimension dim, before
  // building it (what admission checks a load against).
  static std::size_t estimate_memory_bytes(std::size_t count, std::size_t dim,
                                           const HnswOptions& options = {}) noexcept;

 private:
  struct Impl;
  explicit HnswIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace w2v
