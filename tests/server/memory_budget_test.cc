// A distributed job's memory on the daemon's machine: its rank 0 needs a local job's estimate
// plus a second copy of the model and a copy of its share of the corpus.

#include "server/runtime/memory_budget.h"

#include <gtest/gtest.h>

namespace w2v::server {
namespace {

TEST(MemoryBudget, RankZeroOfADistributedJobHoldsTheModelTwiceAndItsShare) {
  TrainParams p;
  p.dim = 300;
  p.threads = 8;
  const CorpusShape corpus{2'000'000, 1'000'000, 1'000'000'000, 50'000'000, 6'000'000'000};
  const MemoryEstimate local = estimate_job_memory(p, corpus, false);
  const MemoryEstimate one = distributed_rank0_memory(local, 1);
  EXPECT_EQ(one.total(), local.total());
  const MemoryEstimate four = distributed_rank0_memory(local, 4);
  EXPECT_EQ(four.matrices, 2 * local.matrices);
  EXPECT_EQ(four.corpus, local.corpus + local.corpus / 4);
  EXPECT_EQ(four.vocabulary, local.vocabulary);
  EXPECT_EQ(four.scratch, local.scratch);
  // The second copy of a 1M x 300 model (two float matrices): about 2.4 GB more than locally.
  EXPECT_GT(four.total() - local.total(), 2'400'000'000ull);
  const MemoryEstimate many = distributed_rank0_memory(local, 64);
  EXPECT_LT(many.total(), four.total());  // a smaller share
}

}  // namespace
}  // namespace w2v::server
