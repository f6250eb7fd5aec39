#pragma once
// A loaded model as the query handlers see it: its vectors and, when it was trained with
// subwords and a query names a word outside its vocabulary, the composer of such words
// (core/train/oov_composer.h). A query word is then a row of the vectors, or a vector composed
// from its character n-grams (answered with "oov": true); a word that is neither is a 404
// naming it. Searches return rows only: the neighbours are vocabulary words.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/search/embeddings.h"
#include "core/train/oov_composer.h"
#include "proto/answers.h"

namespace w2v::server {

struct QueryWord {
  std::optional<std::uint32_t> id;  // its row, when the word is in the vocabulary
  std::vector<float> composed;      // otherwise its vector from its n-grams (dim values)
  bool oov() const noexcept { return !id; }
};

struct QueryModel {
  std::string id;
  std::shared_ptr<const Embeddings> emb;
  std::shared_ptr<const OovComposer> oov;  // null: no subwords, or no query word needs them

  // The word's row or, outside the vocabulary, its composed vector; unset when it has neither
  // (no subwords, or no known n-gram).
  std::optional<QueryWord> find(const std::string& word) const;
  // find(), or 404 word_not_found naming the word.
  QueryWord word(const std::string& word) const;
  std::vector<QueryWord> words(const std::vector<std::string>& ws) const;

  // The word's vector as the API gives it: its row, or its composed vector.
  std::vector<float> vector(const QueryWord& w) const;
  // gensim's most_similar query (the sum of the unit vectors of positive minus those of
  // negative, dim values); the rows of the query's vocabulary words go to exclude.
  std::vector<float> query_vector(std::span<const QueryWord> positive,
                                  std::span<const QueryWord> negative,
                                  std::vector<std::uint32_t>& exclude) const;
  // The cosine of two words (0 when either vector is zero).
  float similarity(const QueryWord& a, const QueryWord& b) const;
  // a is to b as c is to ?: the k best rows, the vocabulary words among a, b and c excluded.
  std::vector<Neighbor> analogy(const QueryWord& a, const QueryWord& b, const QueryWord& c,
                                std::size_t k, AnalogyMethod method) const;

  std::vector<proto::ScoredWord> results(const std::vector<Neighbor>& ns) const;
};

// Whether one of the words is not in the vocabulary of emb.
bool any_outside(const Embeddings& emb, std::span<const std::string> words);
// Whether one of the query words is composed.
bool any_oov(std::span<const QueryWord> words);

}  // namespace w2v::server
