#include "server/commands/distributed_train_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <vector>

#include "core/distributed/distributed_trainer.h"
#include "core/distributed/job_distribution.h"
#include "core/distributed/mpi/mpi_communicator.h"
#include "core/train/corpus_preparation.h"
#include "core/train/model_weights.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"
#include "server/commands/progress_printer.h"

namespace w2v::server {
namespace {

using distributed::Communicator;

// Rank 0's preparation (its message printed), or nullopt when it failed.
std::optional<PreparedCorpus> prepare(const std::string& corpus_path, const std::string& output,
                                      const TrainParams& params, ProgressPrinter& printer) {
  try {
    PreparedCorpus p = prepare_corpus({corpus_path, ""}, params, output + ".ids.tmp");
    printer.corpus_read(p.vocabulary);
    return p;
  } catch (const std::exception& e) {
    std::cerr << "w2vd train: " << e.what() << '\n';
    return std::nullopt;
  }
}

// One line per rank on rank 0: the figures bench/distributed.sh reads, and the rank's share of
// the corpus (words per epoch).
void print_rank_stats(Communicator& comm, const distributed::DistributedStats& s,
                      std::uint64_t share_words) {
  constexpr std::size_t kFields = 6;
  std::vector<double> all(kFields * static_cast<std::size_t>(comm.size()), 0.0);
  double* mine = all.data() + kFields * static_cast<std::size_t>(comm.rank());
  mine[0] = static_cast<double>(s.local_words);
  mine[1] = static_cast<double>(s.allreduce_bytes);
  mine[2] = static_cast<double>(s.rounds);
  mine[3] = s.seconds;
  mine[4] = s.sync_seconds;
  mine[5] = static_cast<double>(share_words);
  comm.allreduce_sum(all);
  if (comm.rank() != 0) return;
  const int n = comm.size();
  for (int r = 0; r < n; ++r) {
    const double* f = all.data() + kFields * static_cast<std::size_t>(r);
    const double secs = f[3] > 0 ? f[3] : 1;
    // A ring allreduce sends 2(n-1)/n of the payload.
    const double sent = f[1] * 2.0 * (n - 1) / n;
    std::fprintf(stderr,
                 "rank %d: %.0f words/s, averaged %.0f bytes/s (payload; about %.0f bytes/s sent), "
                 "%.0f rounds, %.1f of %.1f s communicating; a share of %.0f words\n",
                 r, f[0] / secs, f[1] / secs, sent / secs, f[2], f[4], f[3], f[5]);
  }
}

}  // namespace

bool started_by_mpi_launcher() noexcept {
  return distributed::launched_by_mpi();
}

CLI::Validator corpus_file_check() {
  return CLI::Validator(
      [](std::string& path) -> std::string {
        if (distributed::launcher_rank() > 0) return {};
        return CLI::ExistingFile(path);
      },
      "FILE");
}

int run_distributed_train(const std::string& corpus_path, const std::string& output,
                          VectorsFormat format, const TrainParams& params, bool quiet) {
  distributed::MpiSession session;
  Communicator& comm = session.world();
  const bool root = comm.rank() == 0;
  const std::string me = "rank " + std::to_string(comm.rank()) + " of " +
                         std::to_string(comm.size()) + " (pid " + std::to_string(::getpid()) +
                         ") on " + session.host();
  if (!quiet) std::fprintf(stderr, "w2vd train: %s\n", me.c_str());

  ProgressPrinter printer(quiet || !root, comm.size());
  std::optional<PreparedCorpus> prepared;
  if (root) prepared = prepare(corpus_path, output, params, printer);
  // An empty vocabulary tells the other ranks that rank 0 could not prepare the job.
  const Vocabulary none;
  const Vocabulary vocab = distributed::broadcast_vocabulary(
      comm, root ? (prepared ? &prepared->vocabulary.vocab : &none) : nullptr);
  if (vocab.empty()) {
    if (!root) std::cerr << "w2vd train: rank 0 could not prepare the job; see its message\n";
    return 1;
  }
  const EncodedCorpus share = distributed::scatter_corpus(comm, root ? &prepared->corpus : nullptr);
  if (root) prepared->corpus = EncodedCorpus();  // rank 0 keeps only its own share

  ModelWeights weights = make_initial_weights(vocab.size(), params);
  TrainHooks hooks;
  hooks.on_progress = [&](const TrainProgress& p) { printer.on_progress(p); };
  distributed::DistributedResult result;
  try {
    result = distributed::train_distributed(comm, share, vocab, params, weights, hooks);
  } catch (const std::exception& e) {
    std::cerr << "w2vd train: " << me << ": " << e.what() << '\n';
    return 1;
  }
  printer.end_progress();
  if (!quiet) print_rank_stats(comm, result.stats, share.words());
  if (!root) return 0;
  save_vectors_file(output, vocab.words(), weights.input, format);
  printer.trained(vocab.size(), params.dim, result.stats.seconds,
                  static_cast<double>(vocab.total_count()) * params.epochs, output);
  return 0;
}

}  // namespace w2v::server
