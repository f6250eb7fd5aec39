#include "server/commands/offline_commands.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/vectors_io.h"
#include "core/search/embeddings.h"
#include "core/search/evaluation.h"
#include "core/text/word_counts.h"
#include "core/train/param_table.h"
#include "core/train/trainer.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"
#include "server/commands/distributed_train_command.h"
#include "server/store/consistency.h"
#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct TrainOptions {
  std::string corpus, output, format = "binary";
  // Each parameter of the table as given on the command line; empty: its default.
  std::array<std::string, kParamCount> params;
  bool quiet = false;
};

// Progress on stderr: one line redrawn in place on a terminal, a line every few seconds otherwise.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}
  void operator()(const TrainProgress& p) {
    if (quiet_) return;
    std::lock_guard lock(mutex_);
    const bool done = p.words_done >= p.words_total;
    if (!tty_ && !done && seconds_since(last_) < 5.0) return;
    last_ = Clock::now();
    std::fprintf(stderr, "%sepoch %d/%d %5.1f%%  %.0f words/s  loss %.4f  alpha %.5f  ETA %.0fs%s",
                 tty_ ? "\r" : "", p.epoch, p.epochs, 100.0 * p.fraction, p.words_per_sec, p.loss,
                 p.alpha, p.eta_seconds, tty_ ? "   " : "\n");
  }
  void finish() {
    if (!quiet_ && tty_) std::fputc('\n', stderr);
  }

 private:
  bool quiet_, tty_;
  std::mutex mutex_;
  Clock::time_point last_{};
};

int run_train(const TrainOptions& o) {
  const auto format = parse_vectors_format(o.format);
  if (!format) {
    std::cerr << "w2vd train: --format must be binary|text\n";
    return 2;
  }
  TrainParams params;
  for (const ParamSpec& s : kParams) {
    const std::string& text = o.params[index_of(s)];
    if (text.empty()) continue;
    const auto v = param_from_text(s, text);
    if (!v) {
      std::cerr << "w2vd train: " << flag_name(s) << " must be " << kind_text(s) << ", got " << text
                << '\n';
      return 2;
    }
    s.set(params, *v);
  }
  params = settle_params(params);
  if (auto error = validate(params)) {
    std::cerr << "w2vd train: " << *error << '\n';
    return 2;
  }
  if (started_by_mpi_launcher()) {
    return run_distributed_train(o.corpus, o.output, *format, params, o.quiet);
  }
  const auto say = [&](const std::string& s) {
    if (!o.quiet) std::cerr << s << '\n';
  };
  const auto t0 = Clock::now();
  const WordCounts counts = count_words_in_file(o.corpus);
  const Vocabulary vocab = Vocabulary::build(counts, {static_cast<std::uint64_t>(params.min_count),
                                                      static_cast<std::size_t>(params.max_vocab)});
  say("read " + std::to_string(counts.tokens()) + " tokens, " + std::to_string(counts.distinct()) +
      " distinct words; vocabulary " + std::to_string(vocab.size()) + " words (" +
      std::to_string(seconds_since(t0)) + " s)");
  if (vocab.empty()) {
    std::cerr << "w2vd train: no word occurs at least min_count=" << params.min_count << " times\n";
    return 1;
  }
  const std::string encoded_path = o.output + ".ids.tmp";
  EncodedCorpus corpus = EncodedCorpus::encode_file(o.corpus, vocab, encoded_path);
  std::remove(encoded_path.c_str());  // the mapping stays valid until corpus is destroyed

  ModelWeights weights = make_initial_weights(vocab.size(), params);
  ProgressPrinter printer(o.quiet);
  TrainHooks hooks;
  hooks.on_progress = [&](const TrainProgress& p) { printer(p); };
  const auto t1 = Clock::now();
  train(corpus, vocab, params, weights, hooks);
  printer.finish();
  const double train_seconds = seconds_since(t1);

  const auto words = vocab.words();
  save_vectors_file(o.output, words, weights.input, *format);
  const double words_trained = static_cast<double>(corpus.words()) * params.epochs;
  say("trained " + std::to_string(vocab.size()) + " words × " + std::to_string(params.dim) +
      " in " + std::to_string(train_seconds) + " s (" +
      std::to_string(static_cast<long long>(words_trained / train_seconds)) + " words/s); total " +
      std::to_string(seconds_since(t0)) + " s; wrote " + o.output);
  return 0;
}

struct EvalOptions {
  std::string vectors, format = "auto", method = "add";
  std::vector<std::string> analogies, pairs;
  std::size_t restrict_vocab = 30000;
  bool json = false;
};

int run_eval(const EvalOptions& o) {
  VectorsFormat format{};
  if (o.format == "auto") {
    format = detect_vectors_format(o.vectors);
  } else if (auto f = parse_vectors_format(o.format)) {
    format = *f;
  } else {
    std::cerr << "w2vd eval: --format must be auto|text|binary\n";
    return 2;
  }
  WordVectors wv = load_vectors_file(o.vectors, format);
  const Embeddings emb(std::move(wv.words), std::move(wv.vectors));
  nlohmann::json out = {{"vectors", o.vectors}, {"words", emb.size()}, {"dim", emb.dim()}};
  AnalogyOptions aopt;
  aopt.restrict_vocab = o.restrict_vocab;
  aopt.method = o.method == "mul" ? AnalogyMethod::kMul : AnalogyMethod::kAdd;
  for (const auto& path : o.analogies) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    const AnalogyScores s = evaluate_analogies(emb, in, aopt);
    out["analogies"][path] = {{"accuracy", s.accuracy()},
                              {"coverage", s.coverage()},
                              {"correct", s.correct},
                              {"covered", s.covered},
                              {"questions", s.questions},
                              {"semantic_correct", s.semantic_correct},
                              {"semantic_covered", s.semantic_covered},
                              {"syntactic_correct", s.syntactic_correct},
                              {"syntactic_covered", s.syntactic_covered}};
    if (!o.json) {
      std::printf("analogies %s: accuracy %.2f%% (%zu/%zu), coverage %.1f%% of %zu questions\n",
                  path.c_str(), 100 * s.accuracy(), s.correct, s.covered, 100 * s.coverage(),
                  s.questions);
    }
  }
  for (const auto& path : o.pairs) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    const PairScores s = evaluate_pairs(emb, in);
    out["pairs"][path] = {
        {"spearman", s.spearman}, {"pearson", s.pearson}, {"pairs", s.pairs}, {"used", s.used}};
    if (!o.json) {
      std::printf("pairs %s: spearman %.4f, pearson %.4f (%zu of %zu pairs)\n", path.c_str(),
                  s.spearman, s.pearson, s.used, s.pairs);
    }
  }
  if (o.json) std::cout << out.dump(2) << '\n';
  return 0;
}

// A flag per parameter of the table, its default shown (run_train reads and checks them).
void add_param_flags(CLI::App* cmd, TrainOptions& o) {
  for (const ParamSpec& s : kParams) {
    cmd->add_option(flag_name(s), o.params[index_of(s)], std::string(s.help))
        ->default_str(default_text(s));
  }
}

template <class Fn>
int guarded(const char* name, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    std::cerr << "w2vd " << name << ": " << e.what() << '\n';
    return 1;
  }
}

}  // namespace

void add_offline_commands(CLI::App& app, int& exit_code) {
  auto train_opts = std::make_shared<TrainOptions>();
  CLI::App* train = app.add_subcommand("train", "train vectors from a text file, without a server");
  train->add_option("--corpus", train_opts->corpus, "text file (whitespace-separated words)")
      ->required()
      ->check(corpus_file_check());
  train->add_option("--output", train_opts->output, "vectors file to write")->required();
  train->add_option("--format", train_opts->format, "binary or text (word2vec formats)")
      ->capture_default_str();
  train->add_flag("-q,--quiet", train_opts->quiet, "no progress output");
  add_param_flags(train, *train_opts);
  train->callback([train_opts, &exit_code] {
    exit_code = guarded("train", [&] { return run_train(*train_opts); });
  });

  auto eval_opts = std::make_shared<EvalOptions>();
  CLI::App* eval =
      app.add_subcommand("eval", "evaluate a vectors file on analogies and word pairs");
  eval->add_option("--vectors", eval_opts->vectors, "word2vec-format vectors file")
      ->required()
      ->check(CLI::ExistingFile);
  eval->add_option("--format", eval_opts->format, "auto, text or binary")->capture_default_str();
  eval->add_option("--analogies", eval_opts->analogies, "questions-words-format file (repeatable)")
      ->check(CLI::ExistingFile);
  eval->add_option("--pairs", eval_opts->pairs, "word-pair similarity file (repeatable)")
      ->check(CLI::ExistingFile);
  eval->add_option("--restrict", eval_opts->restrict_vocab,
                   "analogies use the most frequent N words (0: all)")
      ->capture_default_str();
  eval->add_option("--method", eval_opts->method, "analogy method: add (3CosAdd) or mul (3CosMul)")
      ->check(CLI::IsMember({"add", "mul"}))
      ->capture_default_str();
  eval->add_flag("--json", eval_opts->json, "print the scores as JSON");
  eval->callback([eval_opts, &exit_code] {
    exit_code = guarded("eval", [&] { return run_eval(*eval_opts); });
  });
}

namespace {

// `w2vd check`: prints every inconsistency between the store and the files; exit 1 when there
// is one, 2 when the data directory cannot be read.
int run_check(const std::string& data_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec) || !fs::exists(data_dir + "/w2vd.sqlite", ec)) {
    std::cerr << "w2vd check: " << data_dir << " is not a w2vd data directory (no w2vd.sqlite)\n";
    return 2;
  }
  DataDir dirs(data_dir);
  Store store(dirs.database());
  const std::vector<Finding> findings = check_data_dir(store, dirs);
  for (const Finding& f : findings) std::cout << f.message << '\n';
  std::cout << (findings.empty() ? "w2vd check: " + data_dir + " is consistent ("
                                 : "w2vd check: " + std::to_string(findings.size()) +
                                       " inconsistencies in " + data_dir + " (")
            << store.corpora().size() << " corpora, " << store.models().size() << " models, "
            << store.jobs().size() << " jobs)\n";
  return findings.empty() ? 0 : 1;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto data_dir = std::make_shared<std::string>("./data");
  CLI::App* check = app.add_subcommand(
      "check",
      "report every inconsistency between the store and the files of a data directory (exit 1 "
      "when there is one); run it on a stopped server for an exact answer");
  check->add_option("--data-dir", *data_dir, "the data directory to check")
      ->envname("W2VD_DATA_DIR")
      ->capture_default_str();
  check->callback([data_dir, &exit_code] {
    try {
      exit_code = run_check(*data_dir);
    } catch (const std::exception& e) {
      std::cerr << "w2vd check: " << e.what() << '\n';
      exit_code = 2;
    }
  });
}

}  // namespace w2v::server
