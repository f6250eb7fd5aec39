// An MPI program for the MPI tests (run under mpirun by mpi_train_test): trains the planted
// corpus across the ranks through the MPI communicator, then checks that every rank holds rank
// 0's weights bit for bit and that the planted structure was learned. Exit code 0 when both hold.

#include <cstdio>
#include <cstring>
#include <optional>

#include "core/distributed/distributed_trainer.h"
#include "core/distributed/job_distribution.h"
#include "core/distributed/mpi/mpi_communicator.h"
#include "support/train_helpers.h"

using namespace w2v;

namespace {

// Number of ranks whose matrix differs from rank 0's.
int ranks_differing(distributed::Communicator& comm, const Matrix& m) {
  Matrix root = m;
  comm.broadcast(std::as_writable_bytes(std::span<float>(root.data(), m.rows() * m.stride())), 0);
  std::vector<double> differs = {std::memcmp(root.data(), m.data(), m.bytes()) != 0 ? 1.0 : 0.0};
  comm.allreduce_sum(differs);
  return static_cast<int>(differs[0]);
}

}  // namespace

int main() {
  distributed::MpiSession session;
  distributed::Communicator& comm = session.world();
  const bool root = comm.rank() == 0;
  const testing::PlantedCorpus planted = testing::make_planted_corpus();
  TrainParams params = testing::planted_params();
  params.threads = 1;

  std::optional<Vocabulary> vocab0;
  std::optional<EncodedCorpus> corpus0;
  if (root) {
    vocab0 = testing::vocabulary_of(planted.text, params);
    corpus0 = EncodedCorpus::encode_text(planted.text, *vocab0);
  }
  const Vocabulary vocab = distributed::broadcast_vocabulary(comm, root ? &*vocab0 : nullptr);
  const EncodedCorpus share = distributed::scatter_corpus(comm, root ? &*corpus0 : nullptr);
  ModelWeights weights = make_initial_weights(vocab.size(), params);
  const auto result = distributed::train_distributed(comm, share, vocab, params, weights);

  const int differing =
      ranks_differing(comm, weights.input) + ranks_differing(comm, weights.output);
  if (!root) return 0;
  testing::Trained t{vocab, std::move(weights)};
  const auto q = testing::measure(testing::embeddings_of(t), planted);
  std::printf(
      "%d ranks: %d matrices differ from rank 0's; precision@5 %.3f, analogies %.3f; "
      "%llu rounds, %llu bytes averaged\n",
      comm.size(), differing, q.precision_at_5, q.analogy_accuracy,
      static_cast<unsigned long long>(result.stats.rounds),
      static_cast<unsigned long long>(result.stats.allreduce_bytes));
  if (differing == 0) std::printf("weights identical on every rank\n");
  return differing == 0 && q.precision_at_5 >= 0.9 && q.analogy_accuracy >= 0.8 ? 0 : 1;
}
