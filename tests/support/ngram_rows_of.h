#pragma once
// The n-gram bucket rows of an input matrix in memory, for tests of what reads them
// (core/train/oov_composer.h) without a training state file.

#include <cstdint>
#include <memory>
#include <utility>

#include "core/base/matrix.h"
#include "core/train/ngram_rows.h"

namespace w2v::testing {

// The bucket rows of input, the (words + s.bucket) × dim input matrix as training keeps it (word
// rows first), owning it; no rows when s is disabled or input has another row count.
inline NgramRows ngram_rows_of(Matrix input, std::uint64_t words, const SubwordSettings& s) {
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

}  // namespace w2v::testing
