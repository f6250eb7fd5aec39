// Analogy and word-pair evaluation on hand-built vectors whose answers are known.

#include "core/search/evaluation.h"

#include <gtest/gtest.h>

#include <sstream>

namespace w2v {
namespace {

// 2-d vectors: "king - man + woman" lands on "queen" exactly; "paris - france + italy" lands on
// "rome" only if rome is in the searched rows.
Embeddings toy() {
  const std::vector<std::pair<std::string, std::pair<float, float>>> rows = {
      {"man", {1, 0}},     {"woman", {1, 1}},  {"king", {3, 0}},      {"queen", {3, 3}},
      {"France", {0, -1}}, {"paris", {1, -4}}, {"italy", {0.2f, -1}}, {"rome", {1.2f, -4}},
  };
  Matrix m(rows.size(), 2);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    words.push_back(rows[i].first);
    m.row(i)[0] = rows[i].second.first;
    m.row(i)[1] = rows[i].second.second;
  }
  return Embeddings(std::move(words), std::move(m));
}

TEST(Analogies, CountsCoverageAndSections) {
  std::istringstream q(
      ": family\n"
      "man woman king queen\n"
      "man woman king unknownword\n"
      ": gram-test\n"
      "MAN KING WOMAN QUEEN\n");
  const AnalogyScores s = evaluate_analogies(toy(), q);
  EXPECT_EQ(s.questions, 3u);
  EXPECT_EQ(s.covered, 2u);
  ASSERT_EQ(s.sections.size(), 2u);
  EXPECT_EQ(s.sections[0].name, "family");
  EXPECT_EQ(s.sections[0].correct, 1u);
  EXPECT_EQ(s.sections[1].covered, 1u);
  EXPECT_EQ(s.semantic_covered, 1u);
  EXPECT_EQ(s.syntactic_covered, 1u);
  EXPECT_NEAR(s.coverage(), 2.0 / 3.0, 1e-12);
}

TEST(Analogies, CaseSensitivityIsAnOption) {
  std::istringstream q("france paris italy rome\n");
  EXPECT_EQ(evaluate_analogies(toy(), q).covered, 1u);
  std::istringstream q2("france paris italy rome\n");
  AnalogyOptions o;
  o.case_insensitive = false;
  EXPECT_EQ(evaluate_analogies(toy(), q2, o).covered, 0u);
}

TEST(Analogies, RestrictDropsRareWords) {
  std::istringstream q("man woman king queen\n");
  AnalogyOptions o;
  o.restrict_vocab = 3;  // queen is row 3
  const auto s = evaluate_analogies(toy(), q, o);
  EXPECT_EQ(s.questions, 1u);
  EXPECT_EQ(s.covered, 0u);
}

TEST(Analogies, MulAgreesOnAnEasyCase) {
  std::istringstream q("man woman king queen\n");
  AnalogyOptions o;
  o.method = AnalogyMethod::kMul;
  EXPECT_EQ(evaluate_analogies(toy(), q, o).correct, 1u);
}

TEST(Analogies, MalformedLineNamesTheLine) {
  std::istringstream q(": s\nman woman king\n");
  try {
    evaluate_analogies(toy(), q);
    FAIL() << "expected an error";
  } catch (const EvaluationFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}

TEST(Pairs, SpearmanOfAPerfectRanking) {
  // Human scores rank the pairs exactly as their cosines do.
  const Embeddings e = toy();
  std::ostringstream file;
  file << "# comment\nWord 1\tWord 2\tHuman (mean)\n";
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"man", "woman"}, {"king", "woman"}, {"man", "king"}, {"paris", "rome"}, {"man", "paris"}};
  std::vector<std::pair<float, std::size_t>> order;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    order.emplace_back(e.similarity(*e.find(pairs[i].first), *e.find(pairs[i].second)), i);
  }
  for (const auto& [sim, i] : order)
    file << pairs[i].first << '\t' << pairs[i].second << '\t' << sim * 10 << '\n';
  file << "man\tnosuchword\t5\n";
  std::istringstream in(file.str());
  const PairScores s = evaluate_pairs(e, in);
  EXPECT_EQ(s.pairs, 6u);
  EXPECT_EQ(s.used, 5u);
  EXPECT_NEAR(s.spearman, 1.0, 1e-12);
}

TEST(Pairs, MalformedLineNamesTheLine) {
  std::istringstream in("man woman 3\nman woman\n");
  EXPECT_THROW(evaluate_pairs(toy(), in), EvaluationFormatError);
}

TEST(Spearman, HandlesTiesWithAverageRanks) {
  // x ranks: 1, 2.5, 2.5, 4; y ranks 1, 2, 3, 4: rho = pearson of those.
  const double rho = spearman({1, 2, 2, 3}, {10, 20, 30, 40});
  EXPECT_NEAR(rho, pearson({1, 2.5, 2.5, 4}, {1, 2, 3, 4}), 1e-12);
  EXPECT_NEAR(spearman({1, 2, 3}, {3, 2, 1}), -1.0, 1e-12);
  EXPECT_EQ(spearman({1, 1, 1}, {1, 2, 3}), 0.0);
}

}  // namespace
}  // namespace w2v
