#pragma once
// The vectors of words outside the vocabulary of a model trained with subwords, for queries:
// the mean of the word's character n-gram rows, as fastText's getWordVector gives it
// (compose_word_vector with no row of its own, core/train/subword_vectors.h). The server keeps
// one beside a loaded model's published vectors once a query asks for such a word, reading the
// n-gram rows in place from the model's training state file (core/train/ngram_rows.h).
//
// Every n-gram hashes to some bucket, so "which n-grams does the model know" needs a rule: an
// n-gram is known when its bucket is also the bucket of an n-gram of some vocabulary word, so
// that training updated that row. A bucket no vocabulary word's n-gram falls in kept its random
// initial value. A word none of whose n-grams is known (among them a word with no n-gram at
// all: framed as "<word>", it is shorter than minn characters) gets no vector: it is not in the
// model, as without subwords. A word with a known n-gram gets the mean of all its n-gram rows,
// known or not, as fastText averages them.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/train/ngram_rows.h"
#include "core/vocab/subword_ngrams.h"

namespace w2v {

class OovComposer {
 public:
  // rows: the model's n-gram bucket rows (map_ngram_rows, core/train/training_state.h);
  // vocabulary: its words in row order. The rows' subwords must be
  // enabled (std::invalid_argument otherwise, or when there are no rows).
  OovComposer(NgramRows rows, std::span<const std::string_view> vocabulary);

  std::size_t dim() const noexcept { return rows_.dim; }
  const SubwordSettings& settings() const noexcept { return rows_.subwords; }

  // Writes word's vector (dim() floats) to out and returns true; returns false (out unspecified)
  // when the word has no known n-gram. Allocates nothing but an n-gram longer than a
  // std::string's inline buffer (multi-byte characters).
  bool compose(std::string_view word, std::span<float> out) const;

  // The rows' bytes (mapped: the part of the file they take) and the bucket bits.
  std::size_t memory_bytes() const noexcept;
  // memory_bytes() of a composer reading mapped rows of dimension dim with these settings.
  static std::uint64_t estimate_memory_bytes(std::uint64_t dim, const SubwordSettings& s) noexcept;

 private:
  bool known(std::uint64_t bucket) const noexcept {
    return (known_[bucket / 64] >> (bucket % 64) & 1u) != 0;
  }

  NgramRows rows_;
  std::vector<std::uint64_t> known_;  // one bit per bucket: an n-gram of a vocabulary word's
};

}  // namespace w2v
