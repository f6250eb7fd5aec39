#include "core/search/embeddings.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

#include "core/base/vec_ops.h"
#include "core/search/candidate_set.h"
#include "core/search/search_kernels.h"

namespace w2v {
namespace {

// Rows scored per block: the block's scores stay in L1.
constexpr std::size_t kBlockRows = 512;
// Blocks of 16 rows scored per call of the 8-bit scan: the scores stay in L1.
constexpr std::size_t kScanBlocks = 32;
// Candidates the 8-bit scan keeps for exact re-scoring beyond the k asked for.
constexpr std::size_t kExtraCandidates = 32;
// Slack on the scan's error bound for float rounding in the approximate and exact scores.
constexpr float kRoundingSlack = 1e-4f;

// Per-thread buffers of a search, so a query allocates nothing but its result once they have
// grown. nearest() uses unit, coded and candidates; most_similar() query and exclude.
struct SearchScratch {
  std::vector<float> unit, query;
  QuantizedRows::Query coded;
  std::vector<Neighbor> candidates;
  std::vector<std::uint32_t> exclude;
  std::vector<std::uint32_t> excluded;  // nearest()'s exclude, sorted and without repeats
};
thread_local SearchScratch search_scratch;

// exclude sorted and without repeats, in out (whose capacity is reused): a candidate is then
// looked up in O(log n), so a long exclusion list costs no more than its sorting.
std::span<const std::uint32_t> sorted_set(std::span<const std::uint32_t> exclude,
                                          std::vector<std::uint32_t>& out) {
  out.assign(exclude.begin(), exclude.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool is_excluded(std::span<const std::uint32_t> sorted, std::uint32_t id) noexcept {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

// top.offer for a sorted exclusion list: the list is searched only for a score that could enter.
void offer_unless_excluded(TopK& top, std::uint32_t id, float score,
                           std::span<const std::uint32_t> sorted) {
  if (score < top.threshold() || is_excluded(sorted, id)) return;
  top.offer(id, score, {});
}

// Unit-normalises v (length n) in place; a zero vector stays zero.
void normalise(float* v, std::size_t n) noexcept {
  const float norm = std::sqrt(dot(v, v, n));
  if (norm > 0) {
    const float inv = 1.0f / norm;
    for (std::size_t i = 0; i < n; ++i) v[i] *= inv;
  }
}

}  // namespace

// What a model built in memory owns; the views point into it.
struct Embeddings::Owned {
  WordTable table;
  Matrix vectors;
  std::vector<float> inv_norms;
};

Embeddings::Embeddings(std::vector<std::string> words, Matrix vectors) {
  if (words.size() != vectors.rows()) {
    throw std::invalid_argument("embeddings: word and vector counts differ");
  }
  auto owned = std::make_shared<Owned>(Owned{WordTable(words.size()), std::move(vectors), {}});
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (owned->table.intern(words[i]) != i) {
      throw std::invalid_argument("embeddings: duplicate word '" + words[i] + "'");
    }
  }
  words = {};  // the table holds them now
  const Matrix& m = owned->vectors;
  owned->inv_norms.resize(m.rows());
  for (std::size_t i = 0; i < m.rows(); ++i) {
    const float* r = m.row(i);
    const float norm = std::sqrt(dot(r, r, m.stride()));
    owned->inv_norms[i] = norm > 0 ? 1.0f / norm : 0.0f;
  }
  try {
    quantized_ = QuantizedRows(m, owned->inv_norms);
  } catch (const std::invalid_argument&) {
    quantized_ = QuantizedRows();  // a row that is not finite: float search only
  }
  words_ = WordTableView(owned->table.slots(), owned->table.arena(), owned->table.offsets());
  vectors_ = m;
  inv_norms_ = owned->inv_norms;
  memory_bytes_ = m.bytes() + owned->table.memory_bytes() +
                  owned->inv_norms.capacity() * sizeof(float) + quantized_.memory_bytes();
  storage_ = std::move(owned);
}

Embeddings::Embeddings(Views views, std::shared_ptr<const void> storage, std::size_t storage_bytes)
    : storage_(std::move(storage)),
      memory_bytes_(storage_bytes),
      words_(views.words),
      vectors_(views.vectors),
      inv_norms_(views.inv_norms),
      quantized_(std::move(views.quantized)) {
  if (words_.size() != vectors_.rows() || inv_norms_.size() != vectors_.rows() ||
      (!quantized_.empty() &&
       (quantized_.rows() != vectors_.rows() || quantized_.dim() != vectors_.cols()))) {
    throw std::invalid_argument("embeddings: the views' row counts differ");
  }
}

std::optional<std::uint32_t> Embeddings::find(std::string_view word) const noexcept {
  const std::uint32_t id = words_.find(word);
  if (id == WordTable::kNotFound) return std::nullopt;
  return id;
}

std::vector<std::string_view> Embeddings::words() const {
  std::vector<std::string_view> out;
  out.reserve(size());
  for (std::uint32_t i = 0; i < size(); ++i) out.push_back(word(i));
  return out;
}

float Embeddings::similarity(std::uint32_t a, std::uint32_t b) const noexcept {
  return search_kernels().dot(vectors_.row(a), vectors_.row(b), vectors_.stride()) * inv_norms_[a] *
         inv_norms_[b];
}

void Embeddings::unit_vector(std::uint32_t id, float* out) const noexcept {
  const float* r = vectors_.row(id);
  const float s = inv_norms_[id];
  for (std::size_t i = 0; i < vectors_.stride(); ++i) out[i] = r[i] * s;
}

std::size_t Embeddings::rows_searched(std::size_t restrict) const noexcept {
  return restrict == 0 ? size() : std::min(restrict, size());
}

float Embeddings::exact_score(std::uint32_t id, const float* unit_query) const noexcept {
  return search_kernels().dot(vectors_.row(id), unit_query, vectors_.stride()) * inv_norms_[id];
}

std::vector<Neighbor> Embeddings::nearest_float(const float* unit_query, std::size_t k,
                                                std::span<const std::uint32_t> exclude,
                                                std::size_t rows) const {
  const std::size_t stride = vectors_.stride();
  const SearchKernels& kernels = search_kernels();
  alignas(64) float scores[kBlockRows];
  TopK top(k);
  for (std::size_t start = 0; start < rows; start += kBlockRows) {
    const std::size_t n = std::min(kBlockRows, rows - start);
    kernels.score_rows(vectors_.row(start), stride, n, unit_query, inv_norms_.data() + start,
                       scores);
    for (std::size_t i = 0; i < n; ++i) {
      offer_unless_excluded(top, static_cast<std::uint32_t>(start + i), scores[i], exclude);
    }
  }
  return top.take();
}

std::vector<Neighbor> Embeddings::nearest(std::span<const float> query, std::size_t k,
                                          std::span<const std::uint32_t> exclude,
                                          std::size_t restrict) const {
  if (query.size() != dim())
    throw std::invalid_argument("embeddings: query has the wrong dimension");
  const std::size_t stride = vectors_.stride();
  SearchScratch& scratch = search_scratch;
  std::vector<float>& unit = scratch.unit;
  unit.assign(stride, 0.0f);
  std::copy(query.begin(), query.end(), unit.begin());
  normalise(unit.data(), stride);
  const std::size_t rows = rows_searched(restrict);
  if (k == 0 || rows == 0) return {};
  exclude = sorted_set(exclude, scratch.excluded);
  if (quantized_.empty()) return nearest_float(unit.data(), k, exclude, rows);
  QuantizedRows::Query& coded = scratch.coded;
  quantized_.quantise(query, coded);
  if (coded.scale == 0) return nearest_float(unit.data(), k, exclude, rows);

  // 1. The 8-bit scan keeps the best k + extra rows by approximate cosine.
  CandidateSet candidates(std::max(k + kExtraCandidates, 2 * k), scratch.candidates);
  alignas(64) float approx[kScanBlocks * QuantizedRows::kBlockRows];
  const auto scan = [&](auto&& visit) {
    for (std::size_t first = 0; first < rows; first += std::size(approx)) {
      const std::size_t n = std::min(std::size(approx), rows - first);
      quantized_.score_blocks(coded, first / QuantizedRows::kBlockRows,
                              (n + QuantizedRows::kBlockRows - 1) / QuantizedRows::kBlockRows,
                              approx);
      visit(first, n);
    }
  };
  const SearchKernels& kernels = search_kernels();
  std::uint32_t above[std::size(approx)];  // a chunk's rows above the bar
  scan([&](std::size_t first, std::size_t n) {
    // Whole blocks, the rows past restrict left out after. The bar only rises as candidates
    // are offered, and offer() checks it again.
    const std::size_t whole =
        (n + QuantizedRows::kBlockRows - 1) / QuantizedRows::kBlockRows * QuantizedRows::kBlockRows;
    const std::size_t count = kernels.select_above(approx, whole, candidates.bar(), above);
    for (std::size_t j = 0; j < count && above[j] < n; ++j) {
      const auto id = static_cast<std::uint32_t>(first + above[j]);
      if (!is_excluded(exclude, id)) candidates.offer(id, approx[above[j]]);
    }
  });

  // 2. Exact cosines of the candidates.
  TopK top(k);
  const std::span<const Neighbor> kept = candidates.finish();
  for (const Neighbor& c : kept) top.offer(c.id, exact_score(c.id, unit.data()), {});
  if (!candidates.dropped()) return top.take();  // every row searched was a candidate

  // 3. A row left out scored at most the bar, so its exact cosine is at most the bar plus the
  // scan's error bound. When that cannot reach the k-th exact score the answer is exact;
  // otherwise every such row is re-scored.
  const float error =
      quantized_.max_row_error() + (1 + quantized_.max_row_error()) * coded.error + kRoundingSlack;
  const float kth = top.threshold();
  if (candidates.bar() + error < kth) return top.take();
  std::vector<std::uint32_t> scored;
  for (const Neighbor& c : kept) scored.push_back(c.id);
  std::sort(scored.begin(), scored.end());
  const float bar = kth - error;
  scan([&](std::size_t first, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto id = static_cast<std::uint32_t>(first + i);
      if (approx[i] >= bar && !std::binary_search(scored.begin(), scored.end(), id)) {
        offer_unless_excluded(top, id, exact_score(id, unit.data()), exclude);
      }
    }
  });
  return top.take();
}

void Embeddings::query_vector(std::span<const std::uint32_t> positive,
                              std::span<const std::uint32_t> negative,
                              std::vector<float>& out) const {
  if (positive.empty() && negative.empty()) {
    throw std::invalid_argument("a query needs at least one word");
  }
  const std::size_t stride = vectors_.stride();
  out.assign(stride, 0.0f);
  for (std::uint32_t id : positive) axpy(inv_norms_[id], vectors_.row(id), out.data(), stride);
  for (std::uint32_t id : negative) axpy(-inv_norms_[id], vectors_.row(id), out.data(), stride);
  out.resize(dim());
}

std::vector<float> Embeddings::query_vector(std::span<const std::uint32_t> positive,
                                            std::span<const std::uint32_t> negative) const {
  std::vector<float> q;
  query_vector(positive, negative, q);
  return q;
}

std::vector<Neighbor> Embeddings::most_similar(std::span<const std::uint32_t> positive,
                                               std::span<const std::uint32_t> negative,
                                               std::size_t k, std::size_t restrict) const {
  SearchScratch& scratch = search_scratch;
  query_vector(positive, negative, scratch.query);
  scratch.exclude.assign(positive.begin(), positive.end());
  scratch.exclude.insert(scratch.exclude.end(), negative.begin(), negative.end());
  return nearest(scratch.query, k, scratch.exclude, restrict);
}

std::vector<Neighbor> Embeddings::analogy(std::uint32_t a, std::uint32_t b, std::uint32_t c,
                                          std::size_t k, AnalogyMethod method,
                                          std::size_t restrict) const {
  const std::uint32_t exclude[] = {a, b, c};
  if (method == AnalogyMethod::kAdd) {
    const std::uint32_t pos[] = {b, c}, neg[] = {a};
    return most_similar(pos, neg, k, restrict);
  }
  const std::size_t stride = vectors_.stride();
  std::vector<float>& abc = search_scratch.query;
  abc.assign(3 * stride, 0.0f);
  unit_vector(a, abc.data());
  unit_vector(b, abc.data() + stride);
  unit_vector(c, abc.data() + 2 * stride);
  return analogy_mul(abc.data(), exclude, k, restrict);
}

std::vector<Neighbor> Embeddings::analogy(std::span<const float> a, std::span<const float> b,
                                          std::span<const float> c,
                                          std::span<const std::uint32_t> exclude, std::size_t k,
                                          AnalogyMethod method, std::size_t restrict) const {
  if (a.size() != dim() || b.size() != dim() || c.size() != dim()) {
    throw std::invalid_argument("embeddings: an analogy's vector has the wrong dimension");
  }
  const std::size_t stride = vectors_.stride();
  std::vector<float>& abc = search_scratch.query;
  abc.assign(3 * stride, 0.0f);
  const std::span<const float> words[] = {a, b, c};
  for (std::size_t q = 0; q < 3; ++q) {
    std::copy(words[q].begin(), words[q].end(),
              abc.begin() + static_cast<std::ptrdiff_t>(q * stride));
    normalise(abc.data() + q * stride, stride);
  }
  if (method == AnalogyMethod::kMul) return analogy_mul(abc.data(), exclude, k, restrict);
  // 3CosAdd: b − a + c, as most_similar's query, over a's place.
  for (std::size_t i = 0; i < dim(); ++i) abc[i] = abc[stride + i] - abc[i] + abc[2 * stride + i];
  return nearest(std::span<const float>(abc.data(), dim()), k, exclude, restrict);
}

std::vector<Neighbor> Embeddings::analogy_mul(const float* abc,
                                              std::span<const std::uint32_t> exclude, std::size_t k,
                                              std::size_t restrict) const {
  // 3CosMul: argmax cos'(x,b)·cos'(x,c) / (cos'(x,a) + ε) with cos' = (1 + cos)/2 ∈ [0, 1].
  const std::size_t stride = vectors_.stride();
  const std::size_t rows = rows_searched(restrict);
  const SearchKernels& kernels = search_kernels();
  alignas(64) float scores[3][kBlockRows];
  TopK top(k);
  constexpr float kEpsilon = 1e-3f;
  for (std::size_t start = 0; start < rows; start += kBlockRows) {
    const std::size_t n = std::min(kBlockRows, rows - start);
    for (std::size_t q = 0; q < 3; ++q) {
      kernels.score_rows(vectors_.row(start), stride, n, abc + q * stride,
                         inv_norms_.data() + start, scores[q]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto id = static_cast<std::uint32_t>(start + i);
      const float ca = (1 + scores[0][i]) / 2, cb = (1 + scores[1][i]) / 2,
                  cc = (1 + scores[2][i]) / 2;
      top.offer(id, cb * cc / (ca + kEpsilon), exclude);
    }
  }
  return top.take();
}

std::vector<std::vector<Neighbor>> Embeddings::nearest_batch(
    const Matrix& queries, std::size_t k, std::span<const std::vector<std::uint32_t>> exclude,
    std::size_t restrict) const {
  if (queries.cols() != dim())
    throw std::invalid_argument("embeddings: queries have the wrong dimension");
  if (!exclude.empty() && exclude.size() != queries.rows()) {
    throw std::invalid_argument("embeddings: one exclusion list per query expected");
  }
  std::vector<std::vector<Neighbor>> results;
  results.reserve(queries.rows());
  for (std::size_t i = 0; i < queries.rows(); ++i) {
    results.push_back(nearest(queries.row_span(i), k,
                              exclude.empty() ? std::span<const std::uint32_t>() : exclude[i],
                              restrict));
  }
  return results;
}

}  // namespace w2v
