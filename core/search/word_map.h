#pragma once
// A 2-D map of a model's most frequent words: their unit vectors projected on the plane of
// their two principal components (PCA), the plane that keeps most of their spread around
// their mean. It shows the two main directions along which these words differ; distances on
// it are only a shadow of cosine distances in all dim() dimensions (words far apart in the
// model can land close together), and the axes' signs and scales mean nothing.

#include <cstddef>
#include <vector>

#include "core/search/embeddings.h"

namespace w2v {

struct WordMap {
  std::size_t words = 0;  // rows 0 .. words-1 of the model (the most frequent words)
  std::vector<float> x, y;
  // The share of the words' total variance along each axis, in [0, 1].
  double explained_x = 0, explained_y = 0;
};

// Maps the min(n, emb.size()) first words. O(n · dim) time and memory (randomised PCA).
WordMap pca_word_map(const Embeddings& emb, std::size_t n);

}  // namespace w2v
