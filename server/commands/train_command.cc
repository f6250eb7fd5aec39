#include "server/commands/train_command.h"

#include <array>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "core/io/vectors_io.h"
#include "core/train/corpus_preparation.h"
#include "core/train/fasttext_model.h"
#include "core/train/param_table.h"
#include "core/train/subword_vectors.h"
#include "core/train/trainer.h"
#include "core/train/training_state.h"
#include "server/commands/distributed_train_command.h"
#include "server/commands/progress_printer.h"

namespace w2v::server {
namespace {

using Clock = std::chrono::steady_clock;

struct TrainOptions {
  std::string corpus, output, format = "binary";
  // Each parameter of the table as given on the command line; empty: its default.
  std::array<std::string, kParamCount> params;
  bool quiet = false;
};

// Writes the trained model as fastText's .bin: its words, vectors, counts and both matrices.
void save_as_fasttext(const std::string& path, const Vocabulary& vocab, const Matrix& vectors,
                      ModelWeights&& weights, const TrainParams& params) {
  TrainingState state;
  state.loss = params.loss;
  state.counts = vocab.counts();
  state.output = std::move(weights.output);
  state.subwords = subword_settings(params);
  if (params.subwords()) state.input = std::move(weights.input);
  save_fasttext_model(path, vocab.words(), vectors, &state, params);
}

// format: binary or text (word2vec's), nullopt for fastText's .bin.
int train_here(const TrainOptions& o, std::optional<VectorsFormat> format,
               const TrainParams& params) {
  ProgressPrinter printer(o.quiet);
  // Its errors (an unreadable corpus, no word at min_count) end the command with status 1.
  PreparedCorpus prepared = prepare_corpus({o.corpus, ""}, params, o.output + ".ids.tmp");
  const Vocabulary& vocab = prepared.vocabulary.vocab;
  printer.corpus_read(prepared.vocabulary);

  ModelWeights weights = make_initial_weights(vocab.size(), params);
  TrainHooks hooks;
  hooks.on_progress = [&](const TrainProgress& p) { printer.on_progress(p); };
  const auto t = Clock::now();
  train(prepared.corpus, vocab, params, weights, hooks);
  const double train_seconds = std::chrono::duration<double>(Clock::now() - t).count();
  printer.end_progress();

  Matrix composed;
  if (params.subwords())
    composed = composed_word_vectors(weights.input, vocab, subword_settings(params));
  const Matrix& vectors = params.subwords() ? composed : weights.input;
  if (format) {
    save_vectors_file(o.output, vocab.words(), vectors, *format);
  } else {
    save_as_fasttext(o.output, vocab, vectors, std::move(weights), params);
  }
  printer.trained(vocab.size(), params.dim, train_seconds,
                  static_cast<double>(prepared.corpus.words()) * params.epochs, o.output);
  return 0;
}

int run_train(const TrainOptions& o) {
  const bool fasttext = o.format == "fasttext";
  const auto format = parse_vectors_format(o.format);
  if (!format && !fasttext) {
    std::cerr << "w2vd train: --format must be binary, text or fasttext, got " << o.format << '\n';
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
    if (params.subwords()) {
      std::cerr << "w2vd train: --maxn: distributed training has no subword path; train with "
                   "subwords on one process (docs/distributed.md)\n";
      return 2;
    }
    if (fasttext) {
      std::cerr << "w2vd train: --format fasttext: a distributed run writes word2vec's formats "
                   "only\n";
      return 2;
    }
    return run_distributed_train(o.corpus, o.output, *format, params, o.quiet);
  }
  return train_here(o, format, params);
}

// A flag per parameter of the table, its default shown (run_train reads and checks them).
void add_param_flags(CLI::App* cmd, TrainOptions& o) {
  for (const ParamSpec& s : kParams) {
    cmd->add_option(flag_name(s), o.params[index_of(s)], std::string(s.help))
        ->default_str(default_text(s));
  }
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<TrainOptions>();
  CLI::App* train = app.add_subcommand("train", "train vectors from a text file, without a server");
  train->add_option("--corpus", opts->corpus, "text file (whitespace-separated words)")
      ->required()
      ->check(corpus_file_check());
  train->add_option("--output", opts->output, "vectors file to write")->required();
  train
      ->add_option("--format", opts->format,
                   "binary or text (word2vec's vectors), or fasttext (fastText's .bin model: "
                   "its n-grams give vectors to words outside the vocabulary)")
      ->capture_default_str();
  train->add_flag("-q,--quiet", opts->quiet, "no progress output");
  add_param_flags(train, *opts);
  train->callback([opts, &exit_code] {
    try {
      exit_code = run_train(*opts);
    } catch (const std::exception& e) {
      std::cerr << "w2vd train: " << e.what() << '\n';
      exit_code = 1;
    }
  });
}

}  // namespace w2v::server
