// pca_word_map finds the two directions along which words spread most.

#include "core/search/word_map.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace w2v {
namespace {

// Words whose vectors are a·e0 + b·e1 + small noise in 50 dimensions, plus a constant offset
// (so the unit vectors are not centred); a and b are known per word.
struct Planted {
  Embeddings emb;
  std::vector<double> a, b;
};

Planted planted(std::size_t n, std::size_t dim) {
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  std::uniform_real_distribution<float> coord(-1.0f, 1.0f);
  Matrix m(n, dim);
  Planted p;
  std::vector<std::string> words;
  for (std::size_t i = 0; i < n; ++i) {
    const float a = coord(rng), b = 0.5f * coord(rng);
    p.a.push_back(a);
    p.b.push_back(b);
    for (std::size_t c = 0; c < dim; ++c) m.row(i)[c] = noise(rng);
    m.row(i)[0] += a;
    m.row(i)[1] += b;
    m.row(i)[2] += 3.0f;  // the offset
    words.push_back("w" + std::to_string(i));
  }
  p.emb = Embeddings(std::move(words), std::move(m));
  return p;
}

double abs_correlation(const std::vector<float>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(y.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return std::abs(sxy / std::sqrt(sxx * syy));
}

TEST(WordMap, ItsAxesFollowThePlantedDirections) {
  const Planted p = planted(600, 50);
  const WordMap map = pca_word_map(p.emb, 500);
  ASSERT_EQ(map.words, 500u);
  ASSERT_EQ(map.x.size(), 500u);
  const std::vector<double> a(p.a.begin(), p.a.begin() + 500), b(p.b.begin(), p.b.begin() + 500);
  // Unit-normalising bends the plane a little: the axes follow a and b, not exactly.
  EXPECT_GT(abs_correlation(map.x, a), 0.95);
  EXPECT_GT(abs_correlation(map.y, b), 0.9);
  EXPECT_GT(map.explained_x, map.explained_y);
  EXPECT_GT(map.explained_x + map.explained_y, 0.8);
  EXPECT_LE(map.explained_x + map.explained_y, 1.0 + 1e-6);
}

TEST(WordMap, IsTheSameEveryTime) {
  const Planted p = planted(300, 20);
  const WordMap m1 = pca_word_map(p.emb, 300);
  const WordMap m2 = pca_word_map(p.emb, 300);
  EXPECT_EQ(m1.x, m2.x);
  EXPECT_EQ(m1.y, m2.y);
}

TEST(WordMap, HandlesTinyAndOversizedRequests) {
  const Planted p = planted(5, 3);
  EXPECT_EQ(pca_word_map(p.emb, 100).words, 5u);
  const WordMap one = pca_word_map(p.emb, 1);
  EXPECT_EQ(one.words, 1u);
  EXPECT_EQ(one.x, std::vector<float>{0.0f});
  EXPECT_EQ(pca_word_map(Embeddings(), 10).words, 0u);
}

}  // namespace
}  // namespace w2v
