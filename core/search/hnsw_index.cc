#include "core/search/hnsw_index.h"

// hnswlib 0.6.2's SSE prefetches read one link past the end of a full upper-level link list
// (hnswalg.h, searchBaseLayer: `datal + j + 1` for the last j), a heap over-read that
// AddressSanitizer reports during every build of more than a few hundred points. Without its
// manual vectorisation hnswlib neither prefetches nor reads there; the distance, its only other
// vectorised part, is ours (UnitDotSpace below, the kernels' dot product).
#define NO_MANUAL_VECTORIZATION
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/base/atomic_file.h"
#include "core/search/search_kernels.h"

namespace w2v {

namespace {

// hnswlib's inner-product space (distance 1 - a·b between unit vectors), its distance the
// active instruction set's (core/search/search_kernels.h), chosen when the index is made.
class UnitDotSpace final : public hnswlib::SpaceInterface<float> {
 public:
  explicit UnitDotSpace(std::size_t dim)
      : dim_(dim), distance_(search_kernels().unit_dot_distance) {}
  std::size_t get_data_size() override { return dim_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return distance_; }
  void* get_dist_func_param() override { return &dim_; }

 private:
  std::size_t dim_;
  hnswlib::DISTFUNC<float> distance_;
};

}  // namespace

struct HnswIndex::Impl {
  std::size_t dim;
  UnitDotSpace space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  explicit Impl(std::size_t d) : dim(d), space(d) {}
};

HnswIndex::HnswIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HnswIndex::~HnswIndex() = default;

std::unique_ptr<HnswIndex> HnswIndex::build(const Embeddings& emb, const HnswOptions& o) {
  auto impl = std::make_unique<Impl>(emb.dim());
  impl->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
      &impl->space, std::max<std::size_t>(1, emb.size()), o.m, o.ef_construction);
  impl->graph->setEf(o.ef_search);
  // hnswlib 0.6.2's addPoint races with itself, inside the library where no lock of ours
  // reaches, so the build avoids both of its races, at the cost of building on one core:
  //  - its level draw (getRandomLevel) uses an unsynchronised std::default_random_engine: points
  //    are inserted one at a time;
  //  - an insert whose level is above the graph's top level holds the global lock while it locks
  //    other nodes, while every other insert locks its own node and then the global lock: a
  //    lock-order inversion (ThreadSanitizer reports the cycle even in one thread). The first
  //    point is given a level above any the generator can draw, so no later insert raises the
  //    top level: uniform_real_distribution over minstd_rand0 (range R = 2^31 - 2) never yields
  //    a positive value below 1/R^2, so no draw exceeds 2 ln(R) * mult_. The levels above the
  //    usual top hold the entry point alone, which a search crosses at no cost.
  const int top_level = static_cast<int>(2.0 * std::log(2147483646.0) * impl->graph->mult_) + 1;
  std::vector<float> unit(emb.vectors().stride());
  for (std::size_t i = 0; i < emb.size(); ++i) {
    emb.unit_vector(static_cast<std::uint32_t>(i), unit.data());
    impl->graph->addPoint(unit.data(), i, i == 0 ? top_level : -1);
  }
  return std::unique_ptr<HnswIndex>(new HnswIndex(std::move(impl)));
}

std::unique_ptr<HnswIndex> HnswIndex::load(const std::string& path, const Embeddings& emb,
                                           std::size_t ef_search) {
  auto impl = std::make_unique<Impl>(emb.dim());
  try {
    impl->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(&impl->space, path);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot load the HNSW index " + path + ": " + e.what());
  }
  if (impl->graph->cur_element_count != emb.size() ||
      impl->graph->data_size_ != emb.dim() * sizeof(float)) {
    throw std::runtime_error("the HNSW index " + path + " does not match its model");
  }
  impl->graph->setEf(ef_search);
  return std::unique_ptr<HnswIndex>(new HnswIndex(std::move(impl)));
}

namespace {

// Each value's bytes as they are in memory, as hnswlib's writeBinaryPOD writes them.
template <class... T>
void write_pods(AtomicFile& out, const T&... values) {
  (out.write(&values, sizeof values), ...);
}

}  // namespace

void HnswIndex::save(const std::string& path) const {
  // hnswlib's saveIndex writes through an std::ofstream whose errors it never checks: a short
  // write would leave a truncated index renamed into place. The same layout (loadIndex reads
  // it) goes through AtomicFile instead, so a full disk is an error and nothing half-written
  // ever reaches path.
  const auto& g = *impl_->graph;
  AtomicFile out(path);
  write_pods(out, g.offsetLevel0_, g.max_elements_, g.cur_element_count, g.size_data_per_element_,
             g.label_offset_, g.offsetData_, g.maxlevel_, g.enterpoint_node_, g.maxM_, g.maxM0_,
             g.M_, g.mult_, g.ef_construction_);
  out.write(g.data_level0_memory_, g.cur_element_count * g.size_data_per_element_);
  for (std::size_t i = 0; i < g.cur_element_count; ++i) {
    const auto levels = static_cast<unsigned>(std::max(0, g.element_levels_[i]));
    const auto link_bytes = static_cast<unsigned>(g.size_links_per_element_ * levels);
    write_pods(out, link_bytes);
    if (link_bytes > 0) out.write(g.linkLists_[i], link_bytes);
  }
  out.commit();
}

std::vector<Neighbor> HnswIndex::search(std::span<const float> query, std::size_t k,
                                        std::span<const std::uint32_t> exclude) const {
  if (query.size() != impl_->dim)
    throw std::invalid_argument("hnsw: query has the wrong dimension");
  std::vector<float> q(query.begin(), query.end());
  float norm = 0;
  for (float x : q) norm += x * x;
  if (norm > 0) {
    const float inv = 1.0f / std::sqrt(norm);
    for (float& x : q) x *= inv;
  }
  // Sorted without repeats: found by binary search, and each excluded row asked for once more.
  thread_local std::vector<std::uint32_t> excluded;
  excluded.assign(exclude.begin(), exclude.end());
  std::sort(excluded.begin(), excluded.end());
  excluded.erase(std::unique(excluded.begin(), excluded.end()), excluded.end());
  const std::size_t want = std::min(k + excluded.size(), impl_->graph->cur_element_count);
  auto heap = impl_->graph->searchKnn(q.data(), want);  // farthest first
  std::vector<Neighbor> out;
  out.reserve(heap.size());
  for (; !heap.empty(); heap.pop()) {
    const auto [distance, label] = heap.top();
    const auto id = static_cast<std::uint32_t>(label);
    if (std::binary_search(excluded.begin(), excluded.end(), id)) continue;
    out.push_back(Neighbor{id, 1.0f - distance});  // inner-product distance is 1 - cosine
  }
  std::reverse(out.begin(), out.end());
  if (out.size() > k) out.resize(k);
  return out;
}

std::size_t HnswIndex::memory_bytes() const noexcept {
  const auto& g = *impl_->graph;
  return g.max_elements_ * (g.size_data_per_element_ + sizeof(void*)) +
         g.cur_element_count * g.size_links_per_element_ / 2;
}

std::size_t HnswIndex::estimate_memory_bytes(std::size_t count, std::size_t dim,
                                             const HnswOptions& o) noexcept {
  // hnswlib's layout: per row its level-0 links (2m ids and a count), its floats and its label,
  // a pointer to its upper levels, and on average half a level of m links above.
  using Id = hnswlib::tableint;
  using Count = hnswlib::linklistsizeint;
  const std::size_t level0 = 2 * o.m * sizeof(Id) + sizeof(Count);
  const std::size_t upper = o.m * sizeof(Id) + sizeof(Count);
  const std::size_t rows = std::max<std::size_t>(1, count);
  return rows * (level0 + dim * sizeof(float) + sizeof(hnswlib::labeltype) + sizeof(void*)) +
         count * upper / 2;
}

}  // namespace w2v
