// HNSW build time: the serial insert HnswIndex::build does (core/search/hnsw_index.cc: one point at
// a time, the first above any level hnswlib draws) against the parallel insert it replaced
// (hnswlib's addPoint from every core at once, which races inside hnswlib 0.6.2), on the same
// random model, alternating, ROUNDS times each. Prints each build's wall and CPU seconds, the
// medians and the wall-time ratio. Both are written here against hnswlib directly: its header
// defines globals, so it cannot be in this file and in the linked hnsw_index.cc at once.
//
//   build/bench/hnsw_build_bench [WORDS] [DIM] [ROUNDS]     (default 50000 100 3)
#include <hnswlib/hnswlib.h>
#include <sys/resource.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/search/embeddings.h"

namespace {

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

struct Timing {
  double wall, cpu;
};

template <class F>
Timing timed(F f) {
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  f();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
          cpu_seconds() - c0};
}

// As HnswIndex::build does it.
void serial_build(const w2v::Embeddings& emb) {
  hnswlib::InnerProductSpace space(emb.dim());
  hnswlib::HierarchicalNSW<float> graph(&space, emb.size(), 16, 200);
  const int top_level = static_cast<int>(2.0 * std::log(2147483646.0) * graph.mult_) + 1;
  std::vector<float> unit(emb.vectors().stride());
  for (std::size_t i = 0; i < emb.size(); ++i) {
    emb.unit_vector(static_cast<std::uint32_t>(i), unit.data());
    graph.addPoint(unit.data(), i, i == 0 ? top_level : -1);
  }
}

// The former build: the first point, then the rest from every core through tbb::parallel_for.
void parallel_build(const w2v::Embeddings& emb) {
  hnswlib::InnerProductSpace space(emb.dim());
  hnswlib::HierarchicalNSW<float> graph(&space, emb.size(), 16, 200);
  auto insert = [&](std::size_t i) {
    std::vector<float> unit(emb.vectors().stride());
    emb.unit_vector(static_cast<std::uint32_t>(i), unit.data());
    graph.addPoint(unit.data(), i);
  };
  insert(0);
  tbb::parallel_for(std::size_t{1}, emb.size(), insert);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t words = argc > 1 ? std::stoul(argv[1]) : 50000;
  const std::size_t dim = argc > 2 ? std::stoul(argv[2]) : 100;
  const int rounds = argc > 3 ? std::stoi(argv[3]) : 3;
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal;
  w2v::Matrix m(words, dim);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < words; ++i) {
    names.push_back("w" + std::to_string(i));
    for (std::size_t j = 0; j < dim; ++j) m.row(i)[j] = normal(rng);
  }
  const w2v::Embeddings emb(std::move(names), std::move(m));
  std::vector<double> serial_wall, parallel_wall;
  for (int r = 0; r < rounds; ++r) {
    const Timing s = timed([&] { serial_build(emb); });
    const Timing p = timed([&] { parallel_build(emb); });
    std::printf("round %d: serial %.1f s wall, %.1f s CPU; parallel %.1f s wall, %.1f s CPU\n",
                r + 1, s.wall, s.cpu, p.wall, p.cpu);
    serial_wall.push_back(s.wall);
    parallel_wall.push_back(p.wall);
  }
  std::printf(
      "%zu x %zu, M 16, ef_construction 200: median serial %.1f s, parallel %.1f s, "
      "serial / parallel %.2f\n",
      words, dim, median(serial_wall), median(parallel_wall),
      median(serial_wall) / median(parallel_wall));
}
