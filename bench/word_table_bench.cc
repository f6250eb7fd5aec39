// Word lookup, the hot path of encoding a corpus: core's open-addressing WordTable against
// std::unordered_map<std::string, uint32_t> with reserved capacity, both run here.
//
//   build/bench/word_table_bench [--benchmark_repetitions=5]
//
// Tokens are drawn from a Zipf-like distribution over 50,000 words (as in text), with 10% of
// lookups missing (words below min_count).

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/text/word_table.h"

namespace {

struct Data {
  std::vector<std::string> vocab;
  std::vector<std::string> tokens;
  Data() {
    std::mt19937_64 rng(1);
    for (int i = 0; i < 50000; ++i) vocab.push_back("word" + std::to_string(i * 7919 % 100003));
    std::vector<double> weights;
    for (int i = 0; i < 50000; ++i) weights.push_back(1.0 / (i + 1));
    std::discrete_distribution<int> zipf(weights.begin(), weights.end());
    std::uniform_real_distribution<double> u;
    for (int i = 0; i < 1000000; ++i) {
      tokens.push_back(u(rng) < 0.1 ? "missing" + std::to_string(i % 5000) : vocab[zipf(rng)]);
    }
  }
};

const Data& data() {
  static const Data d;
  return d;
}

void BM_WordTableFind(benchmark::State& state) {
  w2v::WordTable table(data().vocab.size());
  for (const auto& w : data().vocab) table.intern(w);
  for (auto _ : state) {
    std::uint64_t found = 0;
    for (const auto& t : data().tokens) found += table.find(t) != w2v::WordTable::kNotFound;
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(data().tokens.size()));
}
BENCHMARK(BM_WordTableFind)->Unit(benchmark::kMillisecond);

void BM_UnorderedMapFind(benchmark::State& state) {
  std::unordered_map<std::string, std::uint32_t> map;
  map.reserve(data().vocab.size());
  for (std::uint32_t i = 0; i < data().vocab.size(); ++i) map.emplace(data().vocab[i], i);
  for (auto _ : state) {
    std::uint64_t found = 0;
    for (const auto& t : data().tokens) found += map.find(t) != map.end();
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(data().tokens.size()));
}
BENCHMARK(BM_UnorderedMapFind)->Unit(benchmark::kMillisecond);

void BM_WordTableCount(benchmark::State& state) {
  for (auto _ : state) {
    w2v::WordTable table;
    std::vector<std::uint64_t> counts;
    for (const auto& t : data().tokens) {
      const auto id = table.intern(t);
      if (id == counts.size()) counts.push_back(0);
      ++counts[id];
    }
    benchmark::DoNotOptimize(counts.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(data().tokens.size()));
}
BENCHMARK(BM_WordTableCount)->Unit(benchmark::kMillisecond);

void BM_UnorderedMapCount(benchmark::State& state) {
  for (auto _ : state) {
    std::unordered_map<std::string, std::uint64_t> counts;
    for (const auto& t : data().tokens) ++counts[t];
    benchmark::DoNotOptimize(counts.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(data().tokens.size()));
}
BENCHMARK(BM_UnorderedMapCount)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
