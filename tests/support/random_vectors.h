#pragma once
// Random Gaussian vectors and a double-precision cosine, for query tests.

#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/base/matrix.h"
#include "core/search/embeddings.h"

namespace w2v::testing {

// rows × dim entries drawn from N(0, 1), deterministic for a seed.
inline Matrix random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  Matrix m(rows, dim);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < dim; ++j) m.row(i)[j] = normal(rng);
  }
  return m;
}

// A random model with words "w0", "w1", ...
inline Embeddings random_embeddings(std::size_t n, std::size_t dim, std::uint64_t seed) {
  std::vector<std::string> words;
  for (std::size_t i = 0; i < n; ++i) words.push_back("w" + std::to_string(i));
  return Embeddings(std::move(words), random_matrix(n, dim, seed));
}

// Cosine in double precision; 0 when either vector is zero.
inline double cosine(std::span<const float> a, std::span<const float> b) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

}  // namespace w2v::testing
