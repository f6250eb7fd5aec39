#include "server/commands/progress_printer.h"

#include <unistd.h>

#include <cstdio>

namespace w2v::server {
namespace {

constexpr auto kLineEvery = std::chrono::seconds(5);  // when standard error is not a terminal

}  // namespace

ProgressPrinter::ProgressPrinter(bool quiet, int ranks)
    : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1), ranks_(ranks) {}

void ProgressPrinter::corpus_read(const CorpusVocabulary& v) {
  if (quiet_) return;
  end_progress();
  std::fprintf(stderr, "read %llu tokens, %zu distinct words; vocabulary %zu words (%.1f s)\n",
               static_cast<unsigned long long>(v.tokens), v.distinct, v.vocab.size(),
               std::chrono::duration<double>(Clock::now() - start_).count());
}

void ProgressPrinter::on_progress(const TrainProgress& p) {
  if (quiet_) return;
  std::lock_guard lock(mutex_);
  const bool done = p.words_done >= p.words_total;
  if (!tty_ && !done && Clock::now() - last_line_ < kLineEvery) return;
  last_line_ = Clock::now();
  const std::string ranks = ranks_ > 1 ? " (" + std::to_string(ranks_) + " ranks)" : "";
  std::fprintf(stderr, "%sepoch %d/%d %5.1f%%  %.0f words/s%s  loss %.4f  alpha %.5f  ETA %.0fs%s",
               tty_ ? "\r" : "", p.epoch, p.epochs, 100.0 * p.fraction, p.words_per_sec,
               ranks.c_str(), p.loss, p.alpha, p.eta_seconds, tty_ ? "   " : "\n");
  line_open_ = tty_;
}

void ProgressPrinter::end_progress() {
  std::lock_guard lock(mutex_);
  if (line_open_) std::fputc('\n', stderr);
  line_open_ = false;
}

void ProgressPrinter::trained(std::size_t vocab, int dim, double train_seconds, double words,
                              const std::string& output) {
  if (quiet_) return;
  end_progress();
  const std::string ranks = ranks_ > 1 ? " on " + std::to_string(ranks_) + " ranks" : "";
  const double seconds = train_seconds > 0 ? train_seconds : 1e-9;
  std::fprintf(stderr,
               "trained %zu words × %d%s in %.1f s (%.0f words/s); total %.1f s; wrote %s\n", vocab,
               dim, ranks.c_str(), train_seconds, words / seconds,
               std::chrono::duration<double>(Clock::now() - start_).count(), output.c_str());
}

}  // namespace w2v::server
