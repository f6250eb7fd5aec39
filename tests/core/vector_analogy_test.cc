// Embeddings::analogy over vectors (core/search/embeddings.h), as out-of-vocabulary queries use
// it: given the rows' own vectors and their ids to exclude, it answers as the analogy of ids,
// by both methods; a vector that is no row joins the arithmetic unnormalised or not alike.

#include <gtest/gtest.h>

#include <vector>

#include "core/search/embeddings.h"
#include "support/random_vectors.h"

namespace w2v {
namespace {

void expect_same(const std::vector<Neighbor>& got, const std::vector<Neighbor>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].id, want[i].id) << i;
    EXPECT_NEAR(got[i].score, want[i].score, 1e-5f) << i;
  }
}

TEST(VectorAnalogy, RowsGivenAsVectorsAnswerAsTheirIds) {
  const Embeddings emb = testing::random_embeddings(500, 24, 3);
  const std::uint32_t a = 4, b = 17, c = 250;
  const std::uint32_t exclude[] = {a, b, c};
  for (const AnalogyMethod m : {AnalogyMethod::kAdd, AnalogyMethod::kMul}) {
    expect_same(emb.analogy(emb.vector(a), emb.vector(b), emb.vector(c), exclude, 10, m),
                emb.analogy(a, b, c, 10, m));
    expect_same(emb.analogy(emb.vector(a), emb.vector(b), emb.vector(c), exclude, 10, m, 100),
                emb.analogy(a, b, c, 10, m, 100));
  }
}

TEST(VectorAnalogy, AnyNormAndNoExclusionForAVectorThatIsNoRow) {
  const Embeddings emb = testing::random_embeddings(300, 16, 9);
  std::vector<float> scaled(emb.vector(7).begin(), emb.vector(7).end());
  for (float& x : scaled) x *= 40.0f;
  const std::uint32_t exclude[] = {1, 2};
  for (const AnalogyMethod m : {AnalogyMethod::kAdd, AnalogyMethod::kMul}) {
    const auto r = emb.analogy(emb.vector(1), emb.vector(2), scaled, exclude, 5, m);
    expect_same(r, emb.analogy(emb.vector(1), emb.vector(2), emb.vector(7), exclude, 5, m));
    // Row 7 was not excluded this time: the answer may hold it, and never 1 or 2.
    for (const Neighbor& n : r) EXPECT_TRUE(n.id != 1 && n.id != 2);
  }
  std::vector<float> wrong(15);
  EXPECT_THROW(emb.analogy(wrong, emb.vector(1), emb.vector(2), exclude, 5), std::invalid_argument);
}

}  // namespace
}  // namespace w2v
