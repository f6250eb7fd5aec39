#include "core/search/hnsw_index.h"

// hnswlib 0.6.2's SSE prefetches read one link past the end of a full upper-level link list
// (hnswalg.h, searchBaseLayer: `datal + j + 1` for the last j), a heap over-read that
// AddressSanitizer reports during every build of more than a few hundred points. Without its
// manual vectorisation hnswlib neither prefetches nor reads there; the distance, its only other
// vectorised part, is ours (UnitDotSpace below, the kernels' dot product).
#define NO_MANUAL_VECTORIZATION
#include <hnswlib/hnswlib.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <random>
#include <stdexcept>

#include "core/base/atomic_file.h"
#include "core/base/tbb_fork_join.h"
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

// hnswlib's graph with an insert that takes the point's level instead of drawing it. hnswlib
// 0.6.2's addPoint draws a level from its unsynchronised std::default_random_engine on every
// call, even when given one, so two inserts at once race on the generator's state (a data race,
// undefined behaviour, which ThreadSanitizer reports). insert() is addPoint's path for a new
// label, with the draw taken out; everything else it calls is hnswlib's own, and locks as
// addPoint does: the new point's mutex for the whole insert, a neighbour's while reading or
// linking its list, the counter's while taking an internal id.
//
// addPoint's other hazard in parallel: an insert above the graph's top level holds the global
// lock while it locks other nodes, while every other insert locks its own node and then the
// global lock (a lock-order inversion). build() draws every level first and gives the first
// point the highest, so no later insert raises the top level, the global lock is never taken,
// and the entry point and top level, written before the parallel part, are only read after it.
//
// The per-node locks cannot deadlock either, though a node's lock is taken while another's is
// held in both orders: an insert working on level L waits only for a node already linked on L,
// whose insert has moved below L (inserts link their levels top-down) or ended, so every wait is
// for an insert on a strictly lower level and no cycle of waits can form. (TSan's lock-order
// detector reports the two orders all the same; scripts/check runs the HNSW tests without it.)
class LeveledGraph final : public hnswlib::HierarchicalNSW<float> {
 public:
  using hnswlib::HierarchicalNSW<float>::HierarchicalNSW;

  // Inserts data (dim floats, copied) as label at level; level <= the first point's level.
  void insert(const float* data, hnswlib::labeltype label, int level) {
    hnswlib::tableint cur = 0;
    {
      std::lock_guard count_lock(cur_element_count_guard_);
      if (cur_element_count >= max_elements_) {
        throw std::length_error("hnsw: more points than the index holds");
      }
      cur = static_cast<hnswlib::tableint>(cur_element_count++);
      label_lookup_[label] = cur;
    }
    std::lock_guard own_lock(link_list_locks_[cur]);
    element_levels_[cur] = level;
    std::memset(data_level0_memory_ + cur * size_data_per_element_ + offsetLevel0_, 0,
                size_data_per_element_);
    std::memcpy(getExternalLabeLp(cur), &label, sizeof label);
    std::memcpy(getDataByInternalId(cur), data, data_size_);
    if (level > 0) {
      const std::size_t bytes = size_links_per_element_ * static_cast<std::size_t>(level) + 1;
      // hnswlib frees the upper levels' lists with free() (in its destructor).
      linkLists_[cur] = static_cast<char*>(std::calloc(1, bytes));  // NOLINT(*-no-malloc)
      if (linkLists_[cur] == nullptr) throw std::bad_alloc();
    }
    if (cur == 0) {  // the first point: the entry point, on the top level
      enterpoint_node_ = 0;
      maxlevel_ = level;
      return;
    }
    // Greedy descent through the levels above the point's, then a beam search and links on each
    // of its levels, top-down: addPoint's steps.
    hnswlib::tableint nearest = enterpoint_node_;
    const int top = maxlevel_;
    if (level < top) {
      float nearest_distance = fstdistfunc_(data, getDataByInternalId(nearest), dist_func_param_);
      for (int l = top; l > level; --l) {
        for (bool changed = true; changed;) {
          changed = false;
          std::lock_guard lock(link_list_locks_[nearest]);
          hnswlib::linklistsizeint* list = get_linklist(nearest, l);
          const auto* ids = reinterpret_cast<const hnswlib::tableint*>(list + 1);
          for (unsigned short i = 0, n = getListCount(list); i < n; ++i) {
            const float d = fstdistfunc_(data, getDataByInternalId(ids[i]), dist_func_param_);
            if (d < nearest_distance) {
              nearest_distance = d;
              nearest = ids[i];
              changed = true;
            }
          }
        }
      }
    }
    for (int l = std::min(level, top); l >= 0; --l) {
      auto candidates = searchBaseLayer(nearest, data, l);
      nearest = mutuallyConnectNewElement(data, cur, candidates, l, false);
    }
  }
};

// Each point's level, drawn as hnswlib draws it (floor(-ln U * mult), U uniform in (0, 1]) from
// a generator of our own, seeded, so a model's index is the same graph on every build with one
// thread. The first point gets the highest level drawn (see LeveledGraph).
std::vector<int> draw_levels(std::size_t count, double mult) {
  std::mt19937_64 rng(100);  // hnswlib's default seed
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<int> levels(count);
  int highest = 0;
  for (int& level : levels) {
    level = static_cast<int>(-std::log(1.0 - uniform(rng)) * mult);
    highest = std::max(highest, level);
  }
  if (!levels.empty()) levels[0] = highest;
  return levels;
}

}  // namespace

struct HnswIndex::Impl {
  std::size_t dim;
  UnitDotSpace space;
  std::unique_ptr<LeveledGraph> graph;
  explicit Impl(std::size_t d) : dim(d), space(d) {}
};

HnswIndex::HnswIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HnswIndex::~HnswIndex() = default;

std::unique_ptr<HnswIndex> HnswIndex::build(const Embeddings& emb, const HnswOptions& o,
                                            HnswBuildControl* control) {
  auto impl = std::make_unique<Impl>(emb.dim());
  impl->graph = std::make_unique<LeveledGraph>(&impl->space, std::max<std::size_t>(1, emb.size()),
                                               o.m, o.ef_construction);
  impl->graph->setEf(o.ef_search);
  LeveledGraph& graph = *impl->graph;
  const std::vector<int> levels = draw_levels(emb.size(), graph.mult_);
  const std::size_t stride = emb.vectors().stride();
  // Batches small enough that a stop is seen within a fraction of a second even at dimension
  // 300 and a million words (about a millisecond an insert).
  constexpr std::size_t kBatch = 64;
  const auto insert_range = [&](std::size_t begin, std::size_t end) {
    thread_local std::vector<float> unit;
    unit.resize(stride);
    for (std::size_t i = begin; i < end; ++i) {
      emb.unit_vector(static_cast<std::uint32_t>(i), unit.data());
      graph.insert(unit.data(), i, levels[i]);
    }
    if (control) control->inserted.fetch_add(end - begin, std::memory_order_relaxed);
  };
  const auto stopped = [control] {
    return control != nullptr && control->stop.load(std::memory_order_relaxed);
  };
  if (control) control->total = emb.size();
  if (emb.size() > 0) insert_range(0, 1);  // the entry point, before any other
  tbb::task_arena arena(static_cast<int>(std::max<std::size_t>(1, o.threads)));
  TbbForkJoin order;  // for ThreadSanitizer (core/base/tbb_fork_join.h)
  order.forking();
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(std::min<std::size_t>(1, emb.size()), emb.size(), kBatch),
        [&](const tbb::blocked_range<std::size_t>& r) {
          order.task_begins();
          if (!stopped()) insert_range(r.begin(), r.end());
          order.task_ends();
        },
        tbb::simple_partitioner());
  });
  order.joined();
  if (stopped()) throw HnswBuildCancelled();
  return std::unique_ptr<HnswIndex>(new HnswIndex(std::move(impl)));
}

std::unique_ptr<HnswIndex> HnswIndex::load(const std::string& path, const Embeddings& emb,
                                           std::size_t ef_search) {
  auto impl = std::make_unique<Impl>(emb.dim());
  try {
    impl->graph = std::make_unique<LeveledGraph>(&impl->space, path);
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
