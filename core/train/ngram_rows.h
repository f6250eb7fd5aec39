#pragma once
// The n-gram bucket rows of a model trained with subwords (core/train/subword_vectors.h), read
// only, with what keeps them alive: the model's training state file mapped in place
// (map_ngram_rows, core/train/training_state.h), so that a query reads the few rows it needs and
// none waits for the whole file.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/vocab/subword_ngrams.h"

namespace w2v {

struct NgramRows {
  SubwordSettings subwords;     // disabled (maxn 0): the model has no n-gram rows
  const float* rows = nullptr;  // subwords.bucket rows of dim floats, stride floats apart
  std::size_t dim = 0;
  std::size_t stride = 0;
  std::uint64_t bytes = 0;              // what the rows take: subwords.bucket × stride floats
  std::shared_ptr<const void> storage;  // what the rows are in (the mapping)

  const float* row(std::uint64_t bucket) const noexcept { return rows + bucket * stride; }
};

}  // namespace w2v
