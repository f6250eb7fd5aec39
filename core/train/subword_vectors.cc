#include "core/train/subword_vectors.h"

#include <algorithm>
#include <vector>

namespace w2v {
namespace {

void mean_of_rows(const Matrix& input, const std::uint32_t* rows, std::size_t c, float* out) {
  const std::size_t dim = input.cols();
  std::fill(out, out + dim, 0.0f);
  for (std::size_t r = 0; r < c; ++r) {
    const float* v = input.row(rows[r]);
    for (std::size_t i = 0; i < dim; ++i) out[i] += v[i];
  }
  if (c == 0) return;
  const float inv = 1.0f / static_cast<float>(c);
  for (std::size_t i = 0; i < dim; ++i) out[i] *= inv;
}

}  // namespace

std::size_t compose_word_vector(const Matrix& input, std::uint64_t words, const SubwordSettings& s,
                                std::string_view word, std::int32_t id, float* out) {
  std::vector<std::uint32_t> rows;
  if (id != Vocabulary::kAbsent) rows.push_back(static_cast<std::uint32_t>(id));
  if (s.enabled()) append_ngram_rows(word, words, s, rows);
  mean_of_rows(input, rows.data(), rows.size(), out);
  return rows.size();
}

Matrix composed_word_vectors(const Matrix& input, const Vocabulary& vocab,
                             const SubwordSettings& s) {
  Matrix out(vocab.size(), input.cols());
  const SubwordIndex index(vocab, s);
  for (std::size_t w = 0; w < vocab.size(); ++w) {
    const auto rows = index.rows(w);
    mean_of_rows(input, rows.data(), rows.size(), out.row(w));
  }
  return out;
}

}  // namespace w2v
