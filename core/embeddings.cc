#include "core/embeddings.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/vec_ops.h"

namespace w2v {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrix, Eigen::Aligned64>;
using ConstVecMap = Eigen::Map<const Eigen::VectorXf>;

// Rows scored per block: the block's scores stay in L1.
constexpr std::size_t kBlockRows = 512;
// Queries per matrix-matrix product in nearest_batch.
constexpr std::size_t kBatchQueries = 128;

bool better(const Neighbor& a, const Neighbor& b) noexcept {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

// The k best (score, id) pairs offered so far: a min-heap on score, the worst at the front.
class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(k); }

  // Rows are offered in ascending id order, so on equal scores the earlier (more frequent) word
  // stays.
  void offer(std::uint32_t id, float score, std::span<const std::uint32_t> exclude) {
    if (!(score == score)) return;  // NaN
    if (heap_.size() == k_ && !(score > heap_.front().score)) return;
    if (std::find(exclude.begin(), exclude.end(), id) != exclude.end()) return;
    if (heap_.size() == k_) {
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = Neighbor{id, score};
    } else {
      heap_.push_back(Neighbor{id, score});
    }
    std::push_heap(heap_.begin(), heap_.end(), better);
  }

  std::vector<Neighbor> take() {
    std::sort(heap_.begin(), heap_.end(), better);
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<Neighbor> heap_;
};

// Unit-normalises v (length n) in place; a zero vector stays zero.
void normalise(float* v, std::size_t n) noexcept {
  const float norm = std::sqrt(dot(v, v, n));
  if (norm > 0) {
    const float inv = 1.0f / norm;
    for (std::size_t i = 0; i < n; ++i) v[i] *= inv;
  }
}

}  // namespace

Embeddings::Embeddings(std::vector<std::string> words, Matrix vectors)
    : words_(std::move(words)), index_(words_.size()), vectors_(std::move(vectors)) {
  if (words_.size() != vectors_.rows()) {
    throw std::invalid_argument("embeddings: word and vector counts differ");
  }
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (index_.intern(words_[i]) != i) {
      throw std::invalid_argument("embeddings: duplicate word '" + words_[i] + "'");
    }
  }
  inv_norms_.resize(words_.size());
  for (std::size_t i = 0; i < words_.size(); ++i) {
    const float* r = vectors_.row(i);
    const float norm = std::sqrt(dot(r, r, vectors_.stride()));
    inv_norms_[i] = norm > 0 ? 1.0f / norm : 0.0f;
  }
}

std::optional<std::uint32_t> Embeddings::find(std::string_view word) const noexcept {
  const std::uint32_t id = index_.find(word);
  if (id == WordTable::kNotFound) return std::nullopt;
  return id;
}

std::size_t Embeddings::memory_bytes() const noexcept {
  std::size_t n = vectors_.bytes() + index_.memory_bytes() + inv_norms_.capacity() * sizeof(float);
  for (const auto& w : words_) n += sizeof(std::string) + (w.size() > 15 ? w.capacity() : 0);
  return n;
}

float Embeddings::similarity(std::uint32_t a, std::uint32_t b) const noexcept {
  return dot(vectors_.row(a), vectors_.row(b), vectors_.stride()) * inv_norms_[a] * inv_norms_[b];
}

void Embeddings::unit_vector(std::uint32_t id, float* out) const noexcept {
  const float* r = vectors_.row(id);
  const float s = inv_norms_[id];
  for (std::size_t i = 0; i < vectors_.stride(); ++i) out[i] = r[i] * s;
}

std::size_t Embeddings::rows_searched(std::size_t restrict) const noexcept {
  return restrict == 0 ? size() : std::min(restrict, size());
}

std::vector<Neighbor> Embeddings::nearest(std::span<const float> query, std::size_t k,
                                          std::span<const std::uint32_t> exclude,
                                          std::size_t restrict) const {
  if (query.size() != dim())
    throw std::invalid_argument("embeddings: query has the wrong dimension");
  const std::size_t stride = vectors_.stride();
  Eigen::VectorXf q = Eigen::VectorXf::Zero(static_cast<Eigen::Index>(stride));
  std::copy(query.begin(), query.end(), q.data());
  normalise(q.data(), stride);

  const std::size_t rows = rows_searched(restrict);
  const ConstRowMap m(vectors_.data(), static_cast<Eigen::Index>(size()),
                      static_cast<Eigen::Index>(stride));
  Eigen::Matrix<float, kBlockRows, 1> scores;
  TopK top(k);
  for (std::size_t start = 0; start < rows; start += kBlockRows) {
    const auto n = static_cast<Eigen::Index>(std::min(kBlockRows, rows - start));
    scores.head(n).noalias() = m.middleRows(static_cast<Eigen::Index>(start), n) * q;
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto id = static_cast<std::uint32_t>(start + static_cast<std::size_t>(i));
      top.offer(id, scores[i] * inv_norms_[id], exclude);
    }
  }
  return top.take();
}

std::vector<float> Embeddings::query_vector(std::span<const std::uint32_t> positive,
                                            std::span<const std::uint32_t> negative) const {
  if (positive.empty() && negative.empty()) {
    throw std::invalid_argument("a query needs at least one word");
  }
  const std::size_t stride = vectors_.stride();
  std::vector<float> q(stride, 0.0f), unit(stride);
  for (std::uint32_t id : positive) {
    unit_vector(id, unit.data());
    axpy(1.0f, unit.data(), q.data(), stride);
  }
  for (std::uint32_t id : negative) {
    unit_vector(id, unit.data());
    axpy(-1.0f, unit.data(), q.data(), stride);
  }
  q.resize(dim());
  return q;
}

std::vector<Neighbor> Embeddings::most_similar(std::span<const std::uint32_t> positive,
                                               std::span<const std::uint32_t> negative,
                                               std::size_t k, std::size_t restrict) const {
  const std::vector<float> q = query_vector(positive, negative);
  std::vector<std::uint32_t> exclude(positive.begin(), positive.end());
  exclude.insert(exclude.end(), negative.begin(), negative.end());
  return nearest(q, k, exclude, restrict);
}

std::vector<Neighbor> Embeddings::analogy(std::uint32_t a, std::uint32_t b, std::uint32_t c,
                                          std::size_t k, AnalogyMethod method,
                                          std::size_t restrict) const {
  const std::uint32_t exclude[] = {a, b, c};
  if (method == AnalogyMethod::kAdd) {
    const std::uint32_t pos[] = {b, c}, neg[] = {a};
    return most_similar(pos, neg, k, restrict);
  }
  // 3CosMul: argmax cos'(x,b)·cos'(x,c) / (cos'(x,a) + ε) with cos' = (1 + cos)/2 ∈ [0, 1].
  const std::size_t stride = vectors_.stride();
  RowMatrix abc(3, static_cast<Eigen::Index>(stride));
  unit_vector(a, abc.row(0).data());
  unit_vector(b, abc.row(1).data());
  unit_vector(c, abc.row(2).data());
  const std::size_t rows = rows_searched(restrict);
  const ConstRowMap m(vectors_.data(), static_cast<Eigen::Index>(size()),
                      static_cast<Eigen::Index>(stride));
  Eigen::Matrix<float, kBlockRows, 3> scores;
  TopK top(k);
  constexpr float kEpsilon = 1e-3f;
  for (std::size_t start = 0; start < rows; start += kBlockRows) {
    const auto n = static_cast<Eigen::Index>(std::min(kBlockRows, rows - start));
    scores.topRows(n).noalias() =
        m.middleRows(static_cast<Eigen::Index>(start), n) * abc.transpose();
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto id = static_cast<std::uint32_t>(start + static_cast<std::size_t>(i));
      const float s = inv_norms_[id];
      const float ca = (1 + scores(i, 0) * s) / 2, cb = (1 + scores(i, 1) * s) / 2,
                  cc = (1 + scores(i, 2) * s) / 2;
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
  const std::size_t stride = vectors_.stride();
  const std::size_t rows = rows_searched(restrict);
  const ConstRowMap m(vectors_.data(), static_cast<Eigen::Index>(size()),
                      static_cast<Eigen::Index>(stride));
  std::vector<std::vector<Neighbor>> results;
  results.reserve(queries.rows());
  RowMatrix q;
  Eigen::MatrixXf scores;  // block rows × queries
  for (std::size_t q0 = 0; q0 < queries.rows(); q0 += kBatchQueries) {
    const std::size_t nq = std::min(kBatchQueries, queries.rows() - q0);
    q.resize(static_cast<Eigen::Index>(nq), static_cast<Eigen::Index>(stride));
    for (std::size_t i = 0; i < nq; ++i) {
      std::copy_n(queries.row(q0 + i), stride, q.row(static_cast<Eigen::Index>(i)).data());
      normalise(q.row(static_cast<Eigen::Index>(i)).data(), stride);
    }
    std::vector<TopK> tops(nq, TopK(k));
    for (std::size_t start = 0; start < rows; start += kBlockRows) {
      const auto n = static_cast<Eigen::Index>(std::min(kBlockRows, rows - start));
      scores.noalias() = m.middleRows(static_cast<Eigen::Index>(start), n) * q.transpose();
      for (std::size_t j = 0; j < nq; ++j) {
        const std::span<const std::uint32_t> ex =
            exclude.empty() ? std::span<const std::uint32_t>() : exclude[q0 + j];
        const float* col = scores.col(static_cast<Eigen::Index>(j)).data();
        for (Eigen::Index i = 0; i < n; ++i) {
          const auto id = static_cast<std::uint32_t>(start + static_cast<std::size_t>(i));
          tops[j].offer(id, col[i] * inv_norms_[id], ex);
        }
      }
    }
    for (auto& t : tops) results.push_back(t.take());
  }
  return results;
}

}  // namespace w2v
