#pragma once
// The standard intrinsic evaluations of word vectors:
// - analogies in questions-words format (": section" lines, then "a b c d" per question), by
//   3CosAdd over the most frequent restrict_vocab words, as word2vec's compute-accuracy and
//   gensim's evaluate_word_analogies do: a question counts as covered when all four words are
//   among them, and as correct when d is the best answer, a, b and c excluded;
// - word-pair similarity (WordSim-353 and the like: "w1 w2 score" per line, tab or space
//   separated, '#' comments and a non-numeric header line allowed): Spearman's rho (and Pearson's
//   r) between the human scores and the cosines of the pairs whose words are known.
// Matching is case-insensitive for ASCII letters by default, the most frequent casing winning.

#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/search/embeddings.h"
#include "core/search/evaluation_scores.h"

namespace w2v {

class EvaluationFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AnalogyOptions {
  std::size_t restrict_vocab = 30000;  // 0: every word
  bool case_insensitive = true;
  AnalogyMethod method = AnalogyMethod::kAdd;
};

// Throws EvaluationFormatError naming the line for a question that is not four words.
AnalogyScores evaluate_analogies(const Embeddings& emb, std::istream& questions,
                                 const AnalogyOptions& options = {});

struct PairOptions {
  std::size_t restrict_vocab = 300000;  // gensim's default; 0: every word
  bool case_insensitive = true;
};

// Throws EvaluationFormatError naming the line for a malformed line.
PairScores evaluate_pairs(const Embeddings& emb, std::istream& pairs,
                          const PairOptions& options = {});

// Spearman's rank correlation (average ranks for ties); 0 when undefined.
double spearman(const std::vector<double>& x, const std::vector<double>& y);
double pearson(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace w2v
