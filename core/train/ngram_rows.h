#pragma once
// The n-gram bucket rows of a model trained with subwords (core/train/subword_vectors.h), read
// only, with what keeps them alive: the model's training state file mapped in place
// (map_ngram_rows, core/train/training_state.h), so that a query reads the few rows it needs and
// none waits for the whole file, or a matrix in memory (of_input).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "core/base/matrix.h"
#include "core/vocab/subword_ngrams.h"

namespace w2v {

struct NgramRows {
  SubwordSettings subwords;     // disabled (maxn 0): the model has no n-gram rows
  const float* rows = nullptr;  // subwords.bucket rows of dim floats, stride floats apart
  std::size_t dim = 0;
  std::size_t stride = 0;
  std::uint64_t bytes = 0;              // what the rows take: subwords.bucket × stride floats
  std::shared_ptr<const void> storage;  // the mapping or the matrix the rows are in

  const float* row(std::uint64_t bucket) const noexcept { return rows + bucket * stride; }

  // The bucket rows of input, the (words + s.bucket) × dim input matrix as training keeps it
  // (word rows first), owning it.
  static NgramRows of_input(Matrix input, std::uint64_t words, const SubwordSettings& s) {
    auto m = std::make_shared<const Matrix>(std::move(input));
    NgramRows r;
    r.subwords = s;
    r.dim = m->cols();
    r.stride = m->stride();
    if (s.enabled() && m->rows() == words + s.bucket) {
      r.rows = m->row(words);
      r.bytes = s.bucket * r.stride * sizeof(float);
    }
    r.storage = std::move(m);
    return r;
  }
};

}  // namespace w2v
