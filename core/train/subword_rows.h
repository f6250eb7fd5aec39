#pragma once
// What the subword walks share: the job's SubwordIndex (every vocabulary word's input rows,
// computed once per run) and, per worker, the buffers a composed input needs, sized once for
// the largest input the job can compose.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/train/subword_vectors.h"
#include "core/train/train_params.h"
#include "core/vocab/subword_ngrams.h"
#include "core/vocab/vocabulary.h"

namespace w2v {

W2V_ISA_BEGIN

// A worker's buffers for inputs of at most max_rows rows: their pointers, ones to combine them,
// and h, h_update (rows 0 and 1 of hidden).
struct ComposedInput {
  std::vector<float*> rows;
  std::vector<float> ones;
  Matrix hidden;
  ComposedInput(std::size_t max_rows, std::size_t dim)
      : rows(max_rows), ones(max_rows, 1.0f), hidden(2, dim) {}

  // Appends word's input rows from `input` after the first `used`; returns the new count.
  std::size_t add(const SubwordIndex& index, std::uint32_t word, Matrix& input,
                  std::size_t used) noexcept {
    for (const std::uint32_t r : index.rows(word)) rows[used++] = input.row(r);
    return used;
  }
};

W2V_ISA_END
}  // namespace w2v
