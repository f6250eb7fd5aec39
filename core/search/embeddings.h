#pragma once
// Trained word vectors, ready to answer queries: similarity, nearest neighbours (gensim's
// most_similar semantics), analogies (3CosAdd, 3CosMul). Rows are kept as trained (exports are
// bit-exact) along with their inverse norms, so every score is a cosine. Top-k search is exact:
// an 8-bit scan of the unit rows (QuantizedRows) picks candidates, which are re-scored in float;
// the scan's error bound proves no other row can enter the top k, or the rows that might are
// re-scored too. No buffer proportional to the vocabulary is allocated per query.
//
// The rows, norms, 8-bit copy and word table are read through views: over memory the object
// builds and owns (constructed from words and vectors: a freshly trained or imported model, or
// one loaded from word2vec's formats), or over a file of w2vd's own layout mapped read-only
// (core/search/embeddings_file.h), which is then neither parsed nor copied. Queries are the same
// code on both.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/matrix.h"
#include "core/search/analogy_method.h"
#include "core/search/quantized_rows.h"
#include "core/search/top_k.h"
#include "core/text/word_table.h"

namespace w2v {

class Embeddings {
 public:
  // What the views read, laid out elsewhere and checked by whoever made them (as
  // core/search/embeddings_file.cc does): words.size() == vectors.rows() == inv_norms.size(), and
  // the quantised rows (or none) of the same rows.
  struct Views {
    MatrixView vectors;
    std::span<const float> inv_norms;
    WordTableView words;
    QuantizedRows quantized;
  };

  Embeddings() = default;
  // words.size() must equal vectors.rows(); words must be distinct (std::invalid_argument).
  Embeddings(std::vector<std::string> words, Matrix vectors);
  // Over memory kept alive by storage (a mapped file), of storage_bytes bytes in all.
  Embeddings(Views views, std::shared_ptr<const void> storage, std::size_t storage_bytes);

  std::size_t size() const noexcept { return words_.size(); }
  std::size_t dim() const noexcept { return vectors_.cols(); }
  std::optional<std::uint32_t> find(std::string_view word) const noexcept;
  std::string_view word(std::uint32_t id) const noexcept { return words_.word(id); }
  // Every word in row order (views into the word table, listed on each call).
  std::vector<std::string_view> words() const;
  std::span<const float> vector(std::uint32_t id) const noexcept { return vectors_.row_span(id); }
  MatrixView vectors() const noexcept { return vectors_; }
  // 1/‖row‖ per row (0 for a zero row).
  std::span<const float> inv_norms() const noexcept { return inv_norms_; }
  // The 8-bit copy of the unit rows; empty when a row is not finite.
  const QuantizedRows& quantized() const noexcept { return quantized_; }
  const WordTableView& word_table() const noexcept { return words_; }
  // Bytes of the rows, norms, 8-bit copy and word table: on the heap when built, in the page
  // cache when mapped (storage_bytes).
  std::size_t memory_bytes() const noexcept { return memory_bytes_; }
  // How exact search scans: "avx512-vnni", "avx2" or "portable" (8-bit), or "float".
  std::string_view search_kernel() const noexcept {
    return quantized_.empty() ? "float" : to_string(quantized_.kernel());
  }

  // Cosine similarity (0 when either vector is zero).
  float similarity(std::uint32_t a, std::uint32_t b) const noexcept;

  // The k words most similar to the mean of the unit vectors of positive minus those of
  // negative, the query words excluded. restrict > 0 searches only the first restrict rows
  // (the most frequent words).
  std::vector<Neighbor> most_similar(std::span<const std::uint32_t> positive,
                                     std::span<const std::uint32_t> negative, std::size_t k,
                                     std::size_t restrict = 0) const;
  // The query most_similar searches with: the sum of the unit vectors of positive minus those of
  // negative (dim() values; its norm does not matter to a cosine ranking).
  std::vector<float> query_vector(std::span<const std::uint32_t> positive,
                                  std::span<const std::uint32_t> negative) const;
  // a is to b as c is to ?: the k best answers, a, b and c excluded.
  std::vector<Neighbor> analogy(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::size_t k,
                                AnalogyMethod method = AnalogyMethod::kAdd,
                                std::size_t restrict = 0) const;
  // analogy() for words given as vectors (dim() values each, any norm: words that are not rows,
  // e.g. a subword model's out-of-vocabulary words), the rows exclude left out.
  std::vector<Neighbor> analogy(std::span<const float> a, std::span<const float> b,
                                std::span<const float> c, std::span<const std::uint32_t> exclude,
                                std::size_t k, AnalogyMethod method = AnalogyMethod::kAdd,
                                std::size_t restrict = 0) const;
  // The k rows with the highest cosine to query (dim() values, any norm), excluding exclude.
  std::vector<Neighbor> nearest(std::span<const float> query, std::size_t k,
                                std::span<const std::uint32_t> exclude = {},
                                std::size_t restrict = 0) const;
  // nearest() for every row of queries (n × dim(), any norms), excluding for row i the ids
  // exclude[i] (exclude empty, or one list per query).
  std::vector<std::vector<Neighbor>> nearest_batch(
      const Matrix& queries, std::size_t k,
      std::span<const std::vector<std::uint32_t>> exclude = {}, std::size_t restrict = 0) const;

  // The unit vector of row id into out (stride() floats, padding zeroed).
  void unit_vector(std::uint32_t id, float* out) const noexcept;

 private:
  struct Owned;
  std::size_t rows_searched(std::size_t restrict) const noexcept;
  void query_vector(std::span<const std::uint32_t> positive,
                    std::span<const std::uint32_t> negative, std::vector<float>& out) const;
  // nearest() by a float matrix-vector product over every row searched (exclude sorted, no
  // repeats).
  std::vector<Neighbor> nearest_float(const float* unit_query, std::size_t k,
                                      std::span<const std::uint32_t> exclude,
                                      std::size_t rows) const;
  float exact_score(std::uint32_t id, const float* unit_query) const noexcept;
  // 3CosMul over the unit vectors abc (a, b, c: stride() floats each).
  std::vector<Neighbor> analogy_mul(const float* abc, std::span<const std::uint32_t> exclude,
                                    std::size_t k, std::size_t restrict) const;

  std::shared_ptr<const void> storage_;  // what the views below read
  std::size_t memory_bytes_ = 0;
  WordTableView words_;
  MatrixView vectors_;
  std::span<const float> inv_norms_;
  QuantizedRows quantized_;  // empty when a row is not finite: then searches are float only
};

}  // namespace w2v
