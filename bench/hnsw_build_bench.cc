// HNSW build time and recall: HnswIndex::build on a synthetic clustered model (words around
// words / 100 centres, as word vectors cluster, at NOISE standard deviations per dimension
// from their centre, whose coordinates have one; generated here, seeded), for each (M,
// ef_construction) and thread count asked, then recall@10 of the index's search (ef_search 100,
// the default) against exact search over QUERIES query words spread over the vocabulary. Prints
// one line per build: wall and CPU seconds, the index's memory, the recall.
//
//   build/bench/hnsw_build_bench WORDS DIM "M/EF_CONSTRUCTION ..." "THREADS ..." [QUERIES] [NOISE]
//   e.g. build/bench/hnsw_build_bench 100000 300 "16/200 16/100 12/100" "1 2" 1000 0.7
// (defaults: 1000 queries, noise 0.7; at 2 the clusters overlap and the search is harder).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/search/embeddings.h"
#include "core/search/hnsw_index.h"

namespace {

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

w2v::Embeddings clustered_model(std::size_t words, std::size_t dim, float noise) {
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal;
  const std::size_t centre_count = std::max<std::size_t>(1, words / 100);
  w2v::Matrix centres(centre_count, dim);
  for (std::size_t c = 0; c < centre_count; ++c) {
    for (std::size_t j = 0; j < dim; ++j) centres.row(c)[j] = normal(rng);
  }
  std::uniform_int_distribution<std::size_t> pick(0, centre_count - 1);
  w2v::Matrix m(words, dim);
  std::vector<std::string> names;
  names.reserve(words);
  for (std::size_t i = 0; i < words; ++i) {
    names.push_back("w" + std::to_string(i));
    const auto centre = centres.row(pick(rng));
    for (std::size_t j = 0; j < dim; ++j) m.row(i)[j] = centre[j] + noise * normal(rng);
  }
  return w2v::Embeddings(std::move(names), std::move(m));
}

// The exact top 10 of each query word (itself excluded), computed once for every build.
std::vector<std::set<std::uint32_t>> exact_top10(const w2v::Embeddings& emb,
                                                 const std::vector<std::uint32_t>& queries) {
  std::vector<std::set<std::uint32_t>> truth;
  for (const std::uint32_t q : queries) {
    const std::uint32_t pos[] = {q};
    auto& t = truth.emplace_back();
    for (const auto& n : emb.most_similar(pos, {}, 10)) t.insert(n.id);
  }
  return truth;
}

double recall_at_10(const w2v::Embeddings& emb, const w2v::HnswIndex& index,
                    const std::vector<std::uint32_t>& queries,
                    const std::vector<std::set<std::uint32_t>>& truth) {
  std::size_t hits = 0;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const std::uint32_t pos[] = {queries[i]};
    for (const auto& n : index.search(emb.query_vector(pos, {}), 10, pos)) {
      hits += truth[i].count(n.id);
    }
  }
  return static_cast<double>(hits) / (10.0 * static_cast<double>(queries.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: hnsw_build_bench WORDS DIM \"M/EF_CONSTRUCTION ...\" \"THREADS ...\" "
                 "[QUERIES]\n");
    return 2;
  }
  const std::size_t words = std::stoul(argv[1]);
  const std::size_t dim = std::stoul(argv[2]);
  const std::size_t query_count = argc > 5 ? std::stoul(argv[5]) : 1000;
  const float noise = argc > 6 ? std::stof(argv[6]) : 0.7f;
  const auto t0 = std::chrono::steady_clock::now();
  const w2v::Embeddings emb = clustered_model(words, dim, noise);
  std::vector<std::uint32_t> queries;
  for (std::size_t i = 0; i < query_count; ++i) {
    queries.push_back(static_cast<std::uint32_t>(i * words / query_count));
  }
  const auto truth = exact_top10(emb, queries);
  std::printf(
      "%zu x %zu clustered model (noise %.2f) and the exact top 10 of %zu queries in %.1f s\n",
      words, dim, static_cast<double>(noise), query_count,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  std::fflush(stdout);
  std::istringstream settings(argv[3]);
  for (std::string setting; settings >> setting;) {
    w2v::HnswOptions options;
    options.m = std::stoul(setting.substr(0, setting.find('/')));
    options.ef_construction = std::stoul(setting.substr(setting.find('/') + 1));
    std::istringstream thread_counts(argv[4]);
    for (std::size_t threads = 0; thread_counts >> threads;) {
      options.threads = threads;
      const auto start = std::chrono::steady_clock::now();
      const double cpu_start = cpu_seconds();
      const auto index = w2v::HnswIndex::build(emb, options);
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double cpu = cpu_seconds() - cpu_start;
      std::printf(
          "%zu x %zu, M %zu, ef_construction %zu, %zu thread(s): built in %.1f s wall, %.1f s "
          "CPU, %.0f MiB; recall@10 %.4f (ef_search %zu)\n",
          words, dim, options.m, options.ef_construction, threads, wall, cpu,
          static_cast<double>(index->memory_bytes()) / (1 << 20),
          recall_at_10(emb, *index, queries, truth), options.ef_search);
      std::fflush(stdout);
    }
  }
}
