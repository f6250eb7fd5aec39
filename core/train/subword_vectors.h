#pragma once
// Word vectors of a model trained with subwords (docs/math.md §10): a word's vector is the mean
// of its input rows, as fastText's print-word-vectors and getWordVector give it. A model's
// published vectors (vectors.bin) are these for its vocabulary; compose_word_vector gives one for
// any word, in the vocabulary or not (out-of-vocabulary queries and fastText's formats build on
// it).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/matrix.h"
#include "core/train/train_params.h"
#include "core/vocab/subword_ngrams.h"
#include "core/vocab/vocabulary.h"

namespace w2v {

// A job's n-gram settings.
inline SubwordSettings subword_settings(const TrainParams& p) noexcept {
  return {p.minn, p.maxn, static_cast<std::uint64_t>(p.bucket)};
}

// The vector of word from input ((words + s.bucket) rows: the words' rows, then the buckets'):
// the mean of its own row (when id is a word's, not Vocabulary::kAbsent) and its n-grams' rows,
// written to out[0..input.cols()). An absent word with no n-gram (subwords off) gets zeros.
// Returns the number of rows averaged.
std::size_t compose_word_vector(const Matrix& input, std::uint64_t words, const SubwordSettings& s,
                                std::string_view word, std::int32_t id, float* out);

// Every vocabulary word's composed vector, vocab.size() × input.cols().
Matrix composed_word_vectors(const Matrix& input, const Vocabulary& vocab,
                             const SubwordSettings& s);

}  // namespace w2v
