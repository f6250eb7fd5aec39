#pragma once
// The scores of the standard evaluations (core/search/evaluation.h computes them), apart from the
// engine so that the API's JSON mapping (proto/evaluation_json.h) needs none of its
// dependencies.

#include <cstddef>
#include <string>
#include <vector>

namespace w2v {

struct AnalogySection {
  std::string name;
  std::size_t questions = 0, covered = 0, correct = 0;
};

struct AnalogyScores {
  std::vector<AnalogySection> sections;
  std::size_t questions = 0, covered = 0, correct = 0;
  std::size_t semantic_covered = 0, semantic_correct = 0;    // sections not named gram*
  std::size_t syntactic_covered = 0, syntactic_correct = 0;  // sections named gram*
  double accuracy() const noexcept { return covered ? double(correct) / covered : 0.0; }
  double coverage() const noexcept { return questions ? double(covered) / questions : 0.0; }
};

struct PairScores {
  double spearman = 0;
  double pearson = 0;
  std::size_t pairs = 0;  // pairs in the file
  std::size_t used = 0;   // pairs with both words known
};

}  // namespace w2v
