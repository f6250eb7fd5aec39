// In-process query latency: exact top-10 most_similar on a model, per query (p50, p90, p99),
// batched (nearest_batch) throughput, and the HNSW index's latency and recall@10 against exact.
//
//   build/bench/query_latency_bench [VECTORS.bin|random] [QUERIES]
//
// W2VD_ISA=generic|avx2|avx512 chooses the search kernels' instruction set, as for w2vd
// (core/base/isa.h); the first line names the one used.
// Without a vectors file (or with "random") it uses a random 60,000 × 100 model. Exact search
// is checked against a double-precision brute-force scan on the first 1,000 queries. Queries are
// random words among the 10,000 most frequent (the first rows), each excluded from its own results.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/base/isa.h"
#include "core/io/vectors_io.h"
#include "core/search/embeddings.h"
#include "core/search/hnsw_index.h"
#include "core/search/quantized_rows.h"

namespace {

using Clock = std::chrono::steady_clock;

w2v::Embeddings load(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) != "random") {
    auto wv = w2v::load_vectors_file(argv[1], w2v::detect_vectors_format(argv[1]));
    return w2v::Embeddings(std::move(wv.words), std::move(wv.vectors));
  }
  constexpr std::size_t kWords = 60000, kDim = 100;
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal;
  w2v::Matrix m(kWords, kDim);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < kWords; ++i) {
    words.push_back("w" + std::to_string(i));
    for (std::size_t j = 0; j < kDim; ++j) m.row(i)[j] = normal(rng);
  }
  return w2v::Embeddings(std::move(words), std::move(m));
}

// The top 10 of row id by cosine, id excluded, computed the slow and obvious way.
std::vector<std::uint32_t> brute_top10(const w2v::Embeddings& emb, std::uint32_t id) {
  const auto norm = [&](std::uint32_t i) {
    double n = 0;
    for (float x : emb.vector(i)) n += double(x) * x;
    return std::sqrt(n);
  };
  const auto q = emb.vector(id);
  std::vector<std::pair<double, std::uint32_t>> scored;
  for (std::uint32_t i = 0; i < emb.size(); ++i) {
    if (i == id) continue;
    double d = 0;
    const auto r = emb.vector(i);
    for (std::size_t j = 0; j < r.size(); ++j) d += double(r[j]) * q[j];
    const double n = norm(i);
    scored.emplace_back(n > 0 ? -d / n : 0.0, i);
  }
  std::partial_sort(scored.begin(), scored.begin() + 10, scored.end());
  std::vector<std::uint32_t> ids;
  for (std::size_t i = 0; i < 10; ++i) ids.push_back(scored[i].second);
  return ids;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  if (auto error = w2v::select_isa(std::getenv("W2VD_ISA"))) {
    std::fprintf(stderr, "query_latency_bench: %s\n", error->c_str());
    return 2;
  }
  std::printf("search kernels: %s\n", std::string(w2v::to_string(w2v::active_isa())).c_str());
  const w2v::Embeddings emb = load(argc, argv);
  const std::size_t queries = argc > 2 ? std::stoul(argv[2]) : 5000;
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<std::uint32_t> pick(
      0, static_cast<std::uint32_t>(std::min<std::size_t>(emb.size(), 10000) - 1));
  std::vector<std::uint32_t> ids(queries);
  for (auto& id : ids) id = pick(rng);

  for (std::size_t i = 0; i < 200; ++i) {  // warm up caches
    const std::uint32_t q[] = {ids[i % queries]};
    emb.most_similar(q, {}, 10);
  }
  std::vector<double> ms;
  ms.reserve(queries);
  const auto start = Clock::now();
  for (std::uint32_t id : ids) {
    const auto t0 = Clock::now();
    const std::uint32_t q[] = {id};
    const auto r = emb.most_similar(q, {}, 10);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (r.size() != 10) return 1;
  }
  const double total = std::chrono::duration<double>(Clock::now() - start).count();

  w2v::Matrix batch(queries, emb.dim());
  for (std::size_t i = 0; i < queries; ++i) emb.unit_vector(ids[i], batch.row(i));
  std::vector<std::vector<std::uint32_t>> exclude(queries);
  for (std::size_t i = 0; i < queries; ++i) exclude[i] = {ids[i]};
  const auto b0 = Clock::now();
  const auto results = emb.nearest_batch(batch, 10, exclude);
  const double batch_s = std::chrono::duration<double>(Clock::now() - b0).count();

  std::printf("model: %zu words x %zu; %zu queries of top-10 most_similar, one at a time\n",
              emb.size(), emb.dim(), queries);
  std::printf("per query: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, mean %.3f ms (%.0f queries/s)\n",
              percentile(ms, 0.5), percentile(ms, 0.9), percentile(ms, 0.99),
              1000 * total / queries, queries / total);
  std::printf("batched (nearest_batch): %.3f ms per query (%.0f queries/s)\n",
              1000 * batch_s / queries, queries / batch_s);

  std::size_t agree = 0;
  const std::size_t checked = std::min<std::size_t>(queries, 1000);
  for (std::size_t i = 0; i < checked; ++i) {
    std::vector<std::uint32_t> got;
    for (const auto& n : results[i]) got.push_back(n.id);
    agree += got == brute_top10(emb, ids[i]);
  }
  std::printf("exact search = double-precision brute force on %zu of %zu queries\n", agree,
              checked);

  // The 8-bit scan alone (the bulk of an exact query), per kernel this CPU runs.
  std::vector<float> inv(emb.size()), scores((emb.size() + 15) / 16 * 16);
  for (std::uint32_t i = 0; i < emb.size(); ++i) {
    double n = 0;
    for (float x : emb.vector(i)) n += double(x) * x;
    inv[i] = n > 0 ? static_cast<float>(1 / std::sqrt(n)) : 0.0f;
  }
  for (const auto k : {w2v::QuantizedRows::Kernel::kAvx512Vnni, w2v::QuantizedRows::Kernel::kAvx2,
                       w2v::QuantizedRows::Kernel::kPortable}) {
    const w2v::QuantizedRows qr(emb.vectors(), inv, k);
    if (qr.kernel() != k) continue;
    std::vector<double> sms;
    for (std::size_t i = 0; i < checked; ++i) {
      const auto t0 = Clock::now();
      qr.score_blocks(qr.quantise(emb.vector(ids[i])), 0, scores.size() / 16, scores.data());
      sms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::printf("8-bit scan of all rows (%s kernel): p50 %.3f ms\n",
                std::string(w2v::to_string(k)).c_str(), percentile(sms, 0.5));
  }

  const auto h0 = Clock::now();
  const auto index = w2v::HnswIndex::build(emb);
  const double build_s = std::chrono::duration<double>(Clock::now() - h0).count();
  std::vector<double> hms;
  std::size_t hits = 0;
  for (std::size_t i = 0; i < queries; ++i) {
    const std::uint32_t q[] = {ids[i]};
    const auto t0 = Clock::now();
    const auto approx = index->search(emb.query_vector(q, {}), 10, q);
    hms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    for (const auto& a : approx) {
      for (const auto& e : results[i]) hits += a.id == e.id;
    }
  }
  std::printf(
      "HNSW (M 16, ef_construction 200, ef 100): built in %.1f s; per query: p50 %.3f ms, "
      "p99 %.3f ms; recall@10 %.4f\n",
      build_s, percentile(hms, 0.5), percentile(hms, 0.99),
      static_cast<double>(hits) / (10.0 * static_cast<double>(queries)));
  return results.size() == queries ? 0 : 1;
}
