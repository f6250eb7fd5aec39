#include "core/search/word_map.h"

#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <random>

namespace w2v {
namespace {

// An orthonormal basis of m's columns (m has more rows than columns).
Eigen::MatrixXf orthonormal(const Eigen::MatrixXf& m) {
  const Eigen::HouseholderQR<Eigen::MatrixXf> qr(m);
  return qr.householderQ() * Eigen::MatrixXf::Identity(m.rows(), m.cols());
}

}  // namespace

// Randomised PCA (Halko, Martinsson & Tropp 2011, algorithm 4.4): the top singular vectors of
// the centred rows from a random sketch of 10 columns refined by 3 power iterations, so the
// cost is O(n · dim) per pass (about 80 · n · dim flops in all) whatever dim is.
WordMap pca_word_map(const Embeddings& emb, std::size_t n) {
  constexpr Eigen::Index kSketch = 10;
  constexpr int kPowerIterations = 3;
  WordMap map;
  map.words = std::min(n, emb.size());
  const auto rows = static_cast<Eigen::Index>(map.words);
  const auto dim = static_cast<Eigen::Index>(emb.dim());
  map.x.assign(map.words, 0.0f);
  map.y.assign(map.words, 0.0f);
  if (rows < 2 || dim == 0) return map;

  // Unit rows (a zero row stays zero), centred.
  Eigen::MatrixXf x(rows, dim);
  for (Eigen::Index i = 0; i < rows; ++i) {
    const auto v = emb.vector(static_cast<std::uint32_t>(i));
    double norm2 = 0;
    for (float f : v) norm2 += static_cast<double>(f) * f;
    const float inv = norm2 > 0 ? static_cast<float>(1.0 / std::sqrt(norm2)) : 0.0f;
    for (Eigen::Index c = 0; c < dim; ++c) x(i, c) = v[static_cast<std::size_t>(c)] * inv;
  }
  x.rowwise() -= x.colwise().mean();
  const double total = static_cast<double>(x.squaredNorm());
  if (!(total > 0)) return map;

  const Eigen::Index k = std::min({kSketch, rows, dim});
  std::mt19937 rng(12345);  // fixed: the same model always draws the same map
  std::normal_distribution<float> normal;
  Eigen::MatrixXf omega(dim, k);
  for (Eigen::Index i = 0; i < omega.size(); ++i) omega.data()[i] = normal(rng);
  Eigen::MatrixXf q = orthonormal(x * omega);
  for (int it = 0; it < kPowerIterations; ++it) {
    q = orthonormal(x * orthonormal(x.transpose() * q));
  }
  const Eigen::MatrixXf b = q.transpose() * x;  // k × dim
  const Eigen::JacobiSVD<Eigen::MatrixXf> svd(b, Eigen::ComputeThinV);
  Eigen::MatrixXf axes = svd.matrixV().leftCols(std::min<Eigen::Index>(2, k));
  // A singular vector's sign is arbitrary; fix it so the same model always draws the same map.
  for (Eigen::Index a = 0; a < axes.cols(); ++a) {
    Eigen::Index largest = 0;
    axes.col(a).cwiseAbs().maxCoeff(&largest);
    if (axes(largest, a) < 0) axes.col(a) = -axes.col(a);
  }
  const Eigen::MatrixXf projected = x * axes;
  for (Eigen::Index i = 0; i < rows; ++i) {
    map.x[static_cast<std::size_t>(i)] = projected(i, 0);
    if (axes.cols() > 1) map.y[static_cast<std::size_t>(i)] = projected(i, 1);
  }
  const auto& s = svd.singularValues();
  map.explained_x = static_cast<double>(s(0)) * s(0) / total;
  if (s.size() > 1) map.explained_y = static_cast<double>(s(1)) * s(1) / total;
  return map;
}

}  // namespace w2v
